"""URLs of the bedside page and its companions (included from hypomag_site/urls.py)."""

from django.urls import path

from assessments.bedside import views

urlpatterns = [
    path("", views.assess, name="assess"),
    path("references/", views.references, name="references"),
    path("about/", views.about, name="about"),
]
