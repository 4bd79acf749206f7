# Creates the schema, users and applications of the interop server; prints the applications as JSON.
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
import django  # noqa: E402

django.setup()
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402

call_command("migrate", verbosity=0)
for name in ["alice", "bob", "zoë"]:
    User.objects.create_user(name, password=f"{name}-password")
apps = {
    "web": Application.GRANT_PASSWORD,
    "svc": Application.GRANT_CLIENT_CREDENTIALS,
    "code": Application.GRANT_AUTHORIZATION_CODE,
}
out = {}
for name, grant in apps.items():
    app = Application.objects.create(
        name=name,
        client_id=f"dot-{name}",
        client_secret=f"dot-{name}-secret",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=grant,
        redirect_uris="http://127.0.0.1/callback",
        skip_authorization=True,
    )
    out[name] = {"clientId": app.client_id, "clientSecret": f"dot-{name}-secret", "grant": grant}
print(json.dumps(out))
