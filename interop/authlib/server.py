"""An OAuth 2.0 server built the way Authlib's documentation builds one (Flask + SQLAlchemy, its
sqla_oauth2 mixins), on Debian's python3-authlib, for the interop suite. authlete-migrate ships no preset
for it: the suite runs `init` on its token table as a new user would.

Settings from the environment: DATABASE_URL, PORT. Clients (created at start): `authlib-web`
(password + refresh_token, confidential) and `authlib-svc` (client_credentials). Users: alice, bob.
"""
import os
import time

from authlib.consts import default_json_headers
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.integrations.sqla_oauth2 import (
    OAuth2ClientMixin,
    OAuth2TokenMixin,
    create_query_client_func,
    create_revocation_endpoint,
    create_save_token_func,
)
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from flask import Flask
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
# Access tokens of the password grant live an hour; client-credentials tokens get no expires_in, which
# Authlib stores as 0: is_expired() reads 0 as "never".
app.config["OAUTH2_TOKEN_EXPIRES_IN"] = {"password": 3600, "client_credentials": 0, "refresh_token": 3600}
app.config["OAUTH2_REFRESH_TOKEN_GENERATOR"] = True
db = SQLAlchemy(app)


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(40), unique=True)

    def get_user_id(self):
        return self.id


class Client(db.Model, OAuth2ClientMixin):
    __tablename__ = "oauth2_client"
    id = db.Column(db.Integer, primary_key=True)


class Token(db.Model, OAuth2TokenMixin):
    __tablename__ = "oauth2_token"
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id", ondelete="CASCADE"))

    def refresh_token_usable(self):
        """Authlib's example server: a refresh token lives twice its access token's lifetime (0: never)."""
        if self.refresh_token_revoked_at:
            return False
        return not self.expires_in or self.issued_at + 2 * self.expires_in >= time.time()


class PasswordGrant(grants.ResourceOwnerPasswordCredentialsGrant):
    def authenticate_user(self, username, password):
        user = User.query.filter_by(username=username).first()
        if user and password == f"{username}-password":
            return user


class RefreshTokenGrant(grants.RefreshTokenGrant):
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token):
        token = Token.query.filter_by(refresh_token=refresh_token).first()
        if token and token.refresh_token_usable():
            return token

    def authenticate_user(self, credential):
        return db.session.get(User, credential.user_id)

    def revoke_old_credential(self, credential):
        # Rotation: the old refresh token ends; is_revoked() then ends its access token too.
        credential.refresh_token_revoked_at = int(time.time())
        db.session.add(credential)
        db.session.commit()


class Introspection(IntrospectionEndpoint):
    def query_token(self, token, token_type_hint):
        if token_type_hint == "refresh_token":
            return Token.query.filter_by(refresh_token=token).first()
        found = Token.query.filter_by(access_token=token).first()
        if found or token_type_hint == "access_token":
            return found
        return Token.query.filter_by(refresh_token=token).first()

    def introspect_token(self, token):
        return {
            "active": True,
            "client_id": token.client_id,
            "token_type": token.token_type,
            "scope": token.get_scope(),
            **({"sub": str(token.user_id)} if token.user_id else {}),
            **({"exp": token.issued_at + token.expires_in} if token.expires_in else {}),
            "iat": token.issued_at,
        }

    def check_permission(self, token, client, request):
        return True

    def create_endpoint_response(self, request):
        # A refresh token asked about as one is active while this server's refresh grant would take it
        # (Authlib's default answer reads is_revoked(), which a revocation of the access token alone sets).
        if request.form.get("token_type_hint") != "refresh_token":
            return super().create_endpoint_response(request)
        client = self.authenticate_endpoint_client(request)
        token = self.authenticate_token(request, client)
        if not token or not token.refresh_token_usable():
            return 200, {"active": False}, default_json_headers
        body = {"active": True, "client_id": token.client_id, "scope": token.get_scope()}
        if token.expires_in:
            body["exp"] = token.issued_at + 2 * token.expires_in
        return 200, body, default_json_headers


server = AuthorizationServer(app, query_client=create_query_client_func(db.session, Client),
                             save_token=create_save_token_func(db.session, Token))
server.register_grant(PasswordGrant)
server.register_grant(grants.ClientCredentialsGrant)
server.register_grant(RefreshTokenGrant)
server.register_endpoint(create_revocation_endpoint(db.session, Token))
server.register_endpoint(Introspection)


@app.route("/oauth/token", methods=["POST"])
def issue_token():
    return server.create_token_response()


@app.route("/oauth/revoke", methods=["POST"])
def revoke_token():
    return server.create_endpoint_response("revocation")


@app.route("/oauth/introspect", methods=["POST"])
def introspect_token():
    return server.create_endpoint_response("introspection")


def bootstrap():
    db.create_all()
    for name in ("alice", "bob"):
        db.session.add(User(username=name))
    for client_id, grant_types in (("authlib-web", ["password", "refresh_token"]),
                                   ("authlib-svc", ["client_credentials"])):
        client = Client(client_id=client_id, client_secret=f"{client_id}-secret",
                        client_id_issued_at=int(time.time()))
        client.set_client_metadata({"grant_types": grant_types, "scope": "read write",
                                    "token_endpoint_auth_method": "client_secret_basic"})
        db.session.add(client)
    db.session.commit()


if __name__ == "__main__":
    with app.app_context():
        bootstrap()
    app.run(host="127.0.0.1", port=int(os.environ["PORT"]), threaded=False)
