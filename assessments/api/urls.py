"""URLs of the machine entry points (included from hypomag_site/urls.py)."""

from django.urls import path

from assessments.api import views

urlpatterns = [
    path("api/v1/assessments", views.assessments_endpoint, name="api-assessments"),
    path("api/v1/openapi.json", views.openapi_json, name="api-openapi"),
    path("healthz", views.healthz, name="healthz"),
]
