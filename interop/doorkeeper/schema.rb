# The tables of Doorkeeper 5.5's install migration (with previous_refresh_token for revoke-on-use), plus
# users and the interop applications; prints the applications as JSON.
require "json"
require_relative "app"

ActiveRecord::Schema.define do
  create_table :users do |t|
    t.string :name, null: false
    t.string :password, null: false
  end
  create_table :oauth_applications do |t|
    t.string :name, null: false
    t.string :uid, null: false, index: { unique: true }
    t.string :secret, null: false
    t.text :redirect_uri, null: false, default: ""
    t.string :scopes, null: false, default: ""
    t.boolean :confidential, null: false, default: true
    t.timestamps null: false
  end
  create_table :oauth_access_grants do |t|
    t.references :resource_owner, null: false
    t.references :application, null: false
    t.string :token, null: false, index: { unique: true }
    t.integer :expires_in, null: false
    t.text :redirect_uri, null: false
    t.datetime :created_at, null: false
    t.datetime :revoked_at
    t.string :scopes, null: false, default: ""
  end
  create_table :oauth_access_tokens do |t|
    t.references :resource_owner, index: true
    t.references :application, null: false
    t.string :token, null: false, index: { unique: true }
    t.string :refresh_token, index: { unique: true }
    t.integer :expires_in
    t.datetime :revoked_at
    t.datetime :created_at, null: false
    t.string :scopes
    t.string :previous_refresh_token, null: false, default: ""
  end
end

%w[alice bob].each { |name| User.create!(name: name, password: "#{name}-password") }
apps = %w[web svc code].to_h do |name|
  # With authorization_code among the grant flows Doorkeeper requires a redirect URI of every application.
  app = Doorkeeper::Application.create!(name: name, uid: "dk-#{name}", secret: "dk-#{name}-secret",
                                        redirect_uri: "http://127.0.0.1/callback", scopes: "read write",
                                        confidential: true)
  [name, { clientId: app.uid }]
end
puts JSON.generate(apps)
