# Serves the interop Doorkeeper app on 127.0.0.1:$PORT with WEBrick (Debian packages no puma).
require "rack"
require "rack/handler/webrick"
require_relative "app"

Rack::Handler::WEBrick.run(Rails.application, Host: "127.0.0.1", Port: Integer(ENV.fetch("PORT")),
                                              AccessLog: [], Logger: WEBrick::Log.new($stderr, WEBrick::Log::WARN))
