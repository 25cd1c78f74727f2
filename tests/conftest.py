"""Shared pytest fixtures.

pytest-django supplies `client`, `rf` and the `django_db` mark; the personas come with the records work.
"""
