# A minimal django-oauth-toolkit server for the interop suite: Debian's Django and DOT on PostgreSQL,
# started on loopback by test/interop/dot-server.ts. Settings that change what a token export holds come
# from the environment so one test can run both a refresh-token lifetime and none.
import os

SECRET_KEY = "interop-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "urls"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": "127.0.0.1",
        "PORT": os.environ["PGPORT"],
        "NAME": os.environ["PGDATABASE"],
        "USER": os.environ["PGUSER"],
    }
}
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
REFRESH = os.environ.get("DOT_REFRESH_TOKEN_EXPIRE_SECONDS", "")
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": int(os.environ.get("DOT_ACCESS_TOKEN_EXPIRE_SECONDS", "3600")),
    "REFRESH_TOKEN_EXPIRE_SECONDS": int(REFRESH) if REFRESH else None,
    "SCOPES": {"read": "Read", "write": "Write", "introspection": "Introspect"},
}
