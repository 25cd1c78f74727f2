"""What was typed on the bedside page, kept across a detour: signing in (also after the session ended), creating a
patient from the Save panel, taking the patient record's values. Nothing typed is lost on the way.

Kept on the server for this browser's session only (under its session key; never in a cookie, a URL or the
browser's storage), taken once when the bedside page restores it (`/?restored=1`), moved to the new session key at
sign-in (`accounts.views.SignInView`), and gone at sign-out (`forget`, from the `user_logged_out` signal) or after the
idle time (HYPOMAG_IDLE_MINUTES): a shared ward PC never shows one person's values to the next.

Why not in the session's own data: every request saves the whole session (SESSION_SAVE_EVERY_REQUEST renews the idle
time), so a live update of the result still running when "Sign in" or "New patient" is pressed would write back the
session as it read it, without what was just kept. An entry of its own, written once, is not overwritten.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

RESTORE = "restored"
SESSION_MARKER = "hypomag_kept"  # gives an anonymous browser a session (and so a key) to keep the entry under


@dataclass(frozen=True)
class KeptEntry:
    data: QueryDict  # the bedside form and its Save panel, as posted
    at: dt.datetime
    note: str = ""  # what changed on the way, said when it is restored (the record's values taken)


def _cache_key(session_key: str) -> str:
    return f"hypomag-kept:{session_key}"


def _lifetime() -> int:
    return settings.HYPOMAG_IDLE_MINUTES * 60


def keep(request: HttpRequest, data: QueryDict, *, note: str = "", **replace: str) -> None:
    """Keep the posted bedside form (`replace`: fields to set, e.g. the record's transplant day; `note`: what the
    page says about them when it restores the form)."""
    if request.session.session_key is None:
        request.session[SESSION_MARKER] = True
        request.session.save()
    fields = {name: data.getlist(name) for name in data if name != "csrfmiddlewaretoken"}
    fields.update({name: [value] for name, value in replace.items()})
    entry = {"fields": fields, "at": timezone.now().isoformat(), "note": note}
    cache.set(_cache_key(request.session.session_key), entry, timeout=_lifetime())


def take(request: HttpRequest) -> KeptEntry | None:
    """The kept entry, removed; None when there is none or it is older than the idle time."""
    entry = peek(request)
    if request.session.session_key is not None:
        cache.delete(_cache_key(request.session.session_key))
    return entry


def peek(request: HttpRequest) -> KeptEntry | None:
    """The kept entry, left in place (the new-patient page reads the typed transplant from it); None as `take`."""
    session_key = request.session.session_key
    if session_key is None:
        return None
    raw = cache.get(_cache_key(session_key))
    if not raw:
        return None
    at = dt.datetime.fromisoformat(raw["at"])
    if timezone.now() - at > dt.timedelta(seconds=_lifetime()):
        return None
    data = QueryDict(mutable=True)
    for name, values in raw["fields"].items():
        data.setlist(name, values)
    return KeptEntry(data, at, raw.get("note", ""))


def move(old_session_key: str | None, new_session_key: str | None) -> None:
    """Signing in gives the session a new key: the entry follows it (and only it)."""
    if not old_session_key or not new_session_key or old_session_key == new_session_key:
        return
    raw = cache.get(_cache_key(old_session_key))
    cache.delete(_cache_key(old_session_key))
    if raw:
        cache.set(_cache_key(new_session_key), raw, timeout=_lifetime())


def forget(session_key: str | None) -> None:
    if session_key:
        cache.delete(_cache_key(session_key))


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
