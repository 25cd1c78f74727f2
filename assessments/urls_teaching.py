"""URLs of the teaching pages (included from hypomag_site/urls.py)."""

urlpatterns: list = []
