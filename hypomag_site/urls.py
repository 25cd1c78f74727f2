from django.contrib import admin
from django.urls import path

from assessments import api, views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("api/v1/assessments", api.assessments_endpoint, name="api-assessments"),
    path("admin/", admin.site.urls),
]
