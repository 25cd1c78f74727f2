"""URLs of the teaching pages (included from hypomag_site/urls.py)."""

from django.urls import path

from assessments import teaching_views

urlpatterns = [
    path("teaching/", teaching_views.teaching_list, name="teaching-list"),
    path("teaching/history/", teaching_views.teaching_history_view, name="teaching-history"),
    path("teaching/<str:name>/", teaching_views.teaching_case, name="teaching-case"),
    path("teaching/<str:name>/present/", teaching_views.teaching_present, name="teaching-present"),
    path("whatif/", teaching_views.whatif, name="whatif"),
    path("rules/", teaching_views.rules, name="rules"),
]
