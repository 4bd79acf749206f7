# A minimal Doorkeeper 5.5 server for the interop suite: Debian's Rails 6.1 and Doorkeeper on PostgreSQL,
# served by WEBrick on loopback (test/interop/doorkeeper-server.ts). Settings that change what a token
# export holds come from the environment: the zone Rails writes times in, the token generator, hashing.
require "logger"
require "rails"
require "active_record/railtie"
require "action_controller/railtie"
require "doorkeeper"

class InteropApp < Rails::Application
  config.root = __dir__
  config.eager_load = false
  config.logger = Logger.new($stderr, level: :warn)
  config.log_level = :warn
  config.secret_key_base = "interop-only-not-a-secret"
  config.hosts.clear
  config.api_only = true
  # :local with TZ=Asia/Tokyo: created_at and revoked_at are written as Tokyo wall-clock times.
  config.active_record.default_timezone = ENV.fetch("DK_DEFAULT_TIMEZONE", "utc").to_sym
end

class User < ActiveRecord::Base; end

Doorkeeper.configure do
  orm :active_record
  resource_owner_from_credentials do |_routes|
    user = User.find_by(name: params[:username])
    user if user && user.password == params[:password]
  end
  # Interop only: the suite plays the signed-in user with ?as=NAME on the authorize URL.
  resource_owner_authenticator { User.find_by(name: params[:as]) || head(:unauthorized) }
  skip_authorization { true }
  grant_flows %w[authorization_code password client_credentials]
  use_refresh_token
  access_token_expires_in 2.hours
  default_scopes :read
  optional_scopes :write
  default_generator_method :hex if ENV["DK_GENERATOR"] == "hex"
  hash_token_secrets if ENV["DK_HASH_TOKEN_SECRETS"] == "1"
  # Any authenticated client may introspect any token (the interop suite compares every one).
  allow_token_introspection { |_token, _client, _authorized| true }
  # RFC 7662's sub, so the suite compares subjects too (Doorkeeper does not send one by itself).
  custom_introspection_response { |token, _context| { sub: token.resource_owner_id&.to_s } }
end

InteropApp.initialize!
Rails.application.routes.draw { use_doorkeeper }
