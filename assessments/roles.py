"""Who may do what. Four roles, each a Django group; views ask for a capability, never a group name.

Anonymous users are sent to the login page for anything behind a capability; a signed-in user without it gets a
403 page that says which role is needed (not a redirect loop).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods


class Role(enum.StrEnum):
    CLINICIAN = "clinician"
    PHARMACIST = "pharmacist"
    TRAINEE = "trainee"
    ADMIN = "admin"


class Capability(enum.StrEnum):
    PATIENT_RECORDS = "patient_records"  # create and view patients, saved assessments, reminders, the ward list
    REVIEW = "review"  # the pharmacist queue and sign-off
    TEACHING = "teaching"  # teaching cases, predict-then-reveal, what-if
    AUDIT = "audit"  # the audit log


CAPABILITIES: dict[Capability, frozenset[Role]] = {
    Capability.PATIENT_RECORDS: frozenset({Role.CLINICIAN, Role.PHARMACIST}),
    Capability.REVIEW: frozenset({Role.PHARMACIST}),
    Capability.TEACHING: frozenset({Role.TRAINEE, Role.CLINICIAN, Role.PHARMACIST}),
    Capability.AUDIT: frozenset({Role.ADMIN}),
}

CAPABILITY_LABELS = {
    Capability.PATIENT_RECORDS: "a clinician or a pharmacist",
    Capability.REVIEW: "a pharmacist",
    Capability.TEACHING: "a trainee, a clinician or a pharmacist",
    Capability.AUDIT: "an administrator",
}


def user_roles(user: Any) -> frozenset[Role]:
    """The user's roles, read once per request and cached on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_hypomag_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(role for role in Role if role.value in names)
        user._hypomag_roles = cached
    return cached


# Where each role lands after signing in (when no page was asked for): its own work, first role listed wins.
LANDING: tuple[tuple[Role, str], ...] = (
    (Role.PHARMACIST, "review-queue"),
    (Role.CLINICIAN, "assess"),
    (Role.TRAINEE, "teaching-list"),
    (Role.ADMIN, "audit-log"),
)


def landing_url(user: Any) -> str:
    roles = user_roles(user)
    return reverse(next((name for role, name in LANDING if role in roles), "assess"))


def user_can(user: Any, capability: Capability) -> bool:
    return bool(user_roles(user) & CAPABILITIES[capability])


def capability_required(capability: Capability) -> Callable:
    """View decorator: login first (redirect), then the capability (403 page naming the role needed)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user_can(request.user, capability):
                context = {"needed": CAPABILITY_LABELS[capability]}
                return render(request, "403.html", context, status=403)
            return view(request, *args, **kwargs)

        wrapper.capability = capability  # read by the role x URL matrix test
        return wrapper

    return decorator


def records_page(capability: Capability, *methods: str) -> Callable:
    """A page of patient data: never stored by a browser or a proxy (no-store), behind `capability`, answering only
    `methods` ("GET" when none is given). One decorator for what every records, review and audit view needs."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        return never_cache(capability_required(capability)(require_http_methods(list(methods or ("GET",)))(view)))

    return decorator
