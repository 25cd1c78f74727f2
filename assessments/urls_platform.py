"""URLs of the platform pages (included from hypomag_site/urls.py)."""

from django.urls import URLPattern, path

from assessments import openapi

urlpatterns: list[URLPattern] = [
    path("api/v1/openapi.json", openapi.openapi_json, name="api-openapi"),
]
