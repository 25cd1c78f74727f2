"""What was typed on the bedside page, kept across a detour: signing in (also after the session ended), creating a
patient from the Save panel, taking the patient record's values. Nothing typed is lost on the way.

Kept only in this browser's session (on the server; never in a cookie, a URL or the browser's storage), taken
once when the bedside page restores it (`/?restored=1`), and gone at sign-out (Django flushes the session) or when
it is older than the idle time (HYPOMAG_IDLE_MINUTES): a shared ward PC never shows one person's values to the
next. Signing in keeps the session's data (Django rotates the session key, it does not empty it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

SESSION_KEY = "hypomag_kept_entry"
RESTORE = "restored"


@dataclass(frozen=True)
class KeptEntry:
    data: QueryDict  # the bedside form and its Save panel, as posted
    at: dt.datetime


def keep(request: HttpRequest, data: QueryDict, **replace: str) -> None:
    """Keep the posted bedside form (`replace`: fields to set, e.g. the record's transplant day)."""
    fields = {name: data.getlist(name) for name in data if name != "csrfmiddlewaretoken"}
    fields.update({name: [value] for name, value in replace.items()})
    request.session[SESSION_KEY] = {"fields": fields, "at": timezone.now().isoformat()}


def take(request: HttpRequest) -> KeptEntry | None:
    """The kept entry, removed from the session; None when there is none or it is older than the idle time."""
    raw = request.session.pop(SESSION_KEY, None)
    if not raw:
        return None
    at = dt.datetime.fromisoformat(raw["at"])
    if timezone.now() - at > dt.timedelta(minutes=settings.HYPOMAG_IDLE_MINUTES):
        return None
    data = QueryDict(mutable=True)
    for name, values in raw["fields"].items():
        data.setlist(name, values)
    return KeptEntry(data, at)


def restore_url(**params: str | int) -> str:
    """The bedside page that restores the kept entry (`patient`: choose this patient in the Save panel)."""
    return f"{reverse('assess')}?{urlencode({RESTORE: 1, **params})}"


def go(request: HttpRequest, url: str) -> HttpResponse:
    """Send the browser to `url`: a redirect, or for htmx (which posted the form) HX-Redirect."""
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)
