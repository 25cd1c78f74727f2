"""URLs of the teaching pages (included from hypomag_site/urls.py)."""

from django.urls import path

from assessments.teaching import views

urlpatterns = [
    path("teaching/", views.teaching_list, name="teaching-list"),
    path("teaching/history/", views.teaching_history_view, name="teaching-history"),
    path("teaching/<str:name>/", views.teaching_case, name="teaching-case"),
    path("teaching/<str:name>/present/", views.teaching_present, name="teaching-present"),
    path("whatif/", views.whatif, name="whatif"),
    path("rules/", views.rules, name="rules"),
]
