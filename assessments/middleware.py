"""A database outage answers 503 "the database is unavailable", not a 500 "server error".

A 500 reads as a bug and sends people to report one; a 503 tells a clinician to wait and a load balancer to try
another instance. The page is rendered without the request (no context processors): base.html's menu asks for
request.user, and loading the user needs the database that is down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

# Seconds a client should wait before trying again (RFC 9110, section 10.2.3).
RETRY_AFTER_SECONDS = 30


class _SessionOutOfReach:
    """Stands in for request.session once the database has failed, for SessionMiddleware's response phase.

    With SESSION_SAVE_EVERY_REQUEST that phase reads the session's expiry before it looks at the status code, and
    reading it loads the session from the database that is down: a second OperationalError, raised in a
    middleware, where it can only become a 500. This stand-in answers from the settings instead. It is not empty,
    so the session cookie is kept (an outage must not sign anybody out), and a 5xx is never saved.
    """

    accessed = False
    modified = False

    def is_empty(self) -> bool:
        return False

    def get_expire_at_browser_close(self) -> bool:
        return settings.SESSION_EXPIRE_AT_BROWSER_CLOSE

    def get_expiry_age(self) -> int:
        return settings.SESSION_COOKIE_AGE


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        # The path only, never the query string or the body: they may carry patient data.
        logger.error("database unavailable: %s on %s", type(exception).__name__, request.path, exc_info=exception)
        if hasattr(request, "session"):
            request.session = _SessionOutOfReach()
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        # A cached outage page would outlive the outage.
        response["Cache-Control"] = "no-store"
        return response
