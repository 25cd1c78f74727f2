"""URLs of the integration pages (included from hypomag_site/urls.py)."""

urlpatterns: list = []
