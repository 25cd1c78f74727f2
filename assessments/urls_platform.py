"""URLs of the platform pages (included from hypomag_site/urls.py)."""

urlpatterns: list = []
