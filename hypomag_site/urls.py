"""The site's URLs: the admin, then each feature's own urls.py (assessments/<feature>/urls.py), sign-in first."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("assessments.accounts.urls")),
    path("", include("assessments.bedside.urls")),
    path("", include("assessments.records.urls")),
    path("", include("assessments.teaching.urls")),
    path("", include("assessments.ehr.urls")),
    path("", include("assessments.api.urls")),
]
