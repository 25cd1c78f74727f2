from django.contrib import admin
from django.urls import path

from assessments import api, views

urlpatterns = [
    path("", views.assess, name="assess"),
    path("references/", views.references, name="references"),
    path("about/", views.about, name="about"),
    path("healthz", views.healthz, name="healthz"),
    path("api/v1/assessments", api.assessments_endpoint, name="api-assessments"),
    path("admin/", admin.site.urls),
]
