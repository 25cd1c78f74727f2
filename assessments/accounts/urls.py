"""URLs of signing in and out (included from hypomag_site/urls.py)."""

from django.urls import path

from assessments.accounts import views

urlpatterns = [
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/login/keep/", views.sign_in_keeping, name="login-keep"),
    path("accounts/logout/", views.SignOutView.as_view(), name="logout"),
]
