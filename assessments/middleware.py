"""The edge of every request: a database outage answers 503, not 500; a NUL character is refused, not stored.

**Outage.** A 500 reads as a bug and sends people to report one; a 503 tells a clinician to wait and a load balancer
to try another instance. The page is rendered without the request (no context processors): base.html's menu asks
for request.user, and loading the user needs the database that is down. The machine endpoints (`/api/`,
`/cds-services`) get the same 503 as JSON errors, with `Retry-After`.

The trap (issue 15): the engine needs no database, so `POST /api/v1/assessments` answers 200 during an outage, but
a request that carries a session cookie then had its session saved *after* the view (SESSION_SAVE_EVERY_REQUEST),
in SessionMiddleware, where the OperationalError could only become a 500. `SessionMiddleware` below lets the answer
through unsaved instead: the view's answer stands, and the session is renewed by the next request that reaches the
database.

**NUL.** PostgreSQL refuses a NUL character in text (a 500 on any query or write that carries one) and no person
types one. `EdgeMiddleware` refuses a request whose path or query string holds one, with a 400 that names the
parameter (a link, not something typed into a form); a form field with one is refused by the form itself, at the
field, with everything else kept; JSON bodies are checked by their one reader (`api/http.py`), which also refuses
lone surrogates. Form data and URLs cannot carry a lone surrogate: Django decodes them as UTF-8 with replacement.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

# Seconds a client should wait before trying again (RFC 9110, section 10.2.3).
RETRY_AFTER_SECONDS = 30
# Paths answered in JSON (machines read them); everything else is a page.
MACHINE_PATHS = ("/api/", "/cds-services", "/healthz")
DATABASE_ERRORS = (OperationalError, InterfaceError)
# A field name is repeated in the refusal only when it looks like one of ours (never arbitrary request text).
_FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,63}")


def is_machine_path(path: str) -> bool:
    return path.startswith(MACHINE_PATHS)


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


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, except in two cases where saving the session after the view cannot work, and the view's answer is
    given as it is (session unsaved, no cookie set):

    - a database outage: instead of a 500;
    - a session ended by a concurrent request (a sign-in, which gives a new session key, or a sign-out) while this
      one was running, typically a live update still on its way when Sign in is pressed: Django answers 400 there,
      which the page would show as a failed update. Not saving is what Django's check protects (no session is
      brought back to life); the answer itself was rendered while the request was allowed it.
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        try:
            return super().process_response(request, response)
        except DATABASE_ERRORS as exc:
            logger.error("database unavailable: session not saved on %s", request.path, exc_info=exc)
            return response
        except SessionInterrupted:
            logger.info("session ended by a concurrent request: not saved on %s", request.path)
            return response


def outage_response(request: HttpRequest) -> HttpResponse:
    if is_machine_path(request.path):
        message = (
            f"the database is unavailable just now: nothing was read or saved; try again in {RETRY_AFTER_SECONDS} s"
        )
        response: HttpResponse = JsonResponse({"errors": [{"field": "database", "message": message}]}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # A cached outage page would outlive the outage.
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        # The path only, never the query string or the body: they may carry patient data.
        logger.error("database unavailable: %s on %s", type(exception).__name__, request.path, exc_info=exception)
        if hasattr(request, "session"):
            request.session = _SessionOutOfReach()
        return outage_response(request)


class EdgeMiddleware:
    """A NUL character in the path or the query string is refused with a 400 naming the parameter; a page address
    that only answers a form (Save, What if, sign in from the bedside page), opened from history or a bookmark, is
    a page saying so instead of Django's empty 405."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = _nul_field(request)
        if field is not None:
            return _refused(request, field)
        response = self.get_response(request)
        if response.status_code == 405 and request.method == "GET" and not is_machine_path(request.path):
            page = HttpResponse(render_to_string("405.html", request=request), status=405)
            page["Allow"] = response.get("Allow", "")
            return page
        return response


def _nul_field(request: HttpRequest) -> str | None:
    if "\x00" in request.path:
        return "the address"
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            return name if _FIELD_NAME.fullmatch(name) else "the address"
    # Form fields are not refused here: a 400 page would lose what the person typed. Each form refuses NUL at its
    # field (Django's CharField does; choice and number fields refuse anything else), keeping the rest.
    return None


def _refused(request: HttpRequest, field: str) -> HttpResponse:
    message = f"{field} contains a NUL character (\\0), which no value may hold: remove it and send again"
    if is_machine_path(request.path):
        response: HttpResponse = JsonResponse({"errors": [{"field": field, "message": message}]}, status=400)
    else:
        response = HttpResponse(
            render_to_string("400.html", {"message": message}), status=400, content_type="text/html; charset=utf-8"
        )
    response["Cache-Control"] = "no-store"
    return response
