"""The site's URLs: the admin, sign-in and sign-out, then each feature's own urls.py (assessments/<feature>/urls.py)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("assessments.bedside.urls")),
    path("", include("assessments.records.urls")),
    path("", include("assessments.teaching.urls")),
    path("", include("assessments.ehr.urls")),
    path("", include("assessments.api.urls")),
]
