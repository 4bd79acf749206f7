from django.contrib.auth import login
from django.contrib.auth.models import User
from django.shortcuts import redirect
from django.urls import include, path


def login_as(request, name):
    """Interop only: the suite plays the user, who signs in and goes on to `next` (DOT's authorize)."""
    login(request, User.objects.get(username=name))
    return redirect(request.GET["next"])


urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("login-as/<str:name>", login_as),
]
