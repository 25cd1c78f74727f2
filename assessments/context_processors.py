"""What the navigation needs on every page: the signed-in user's capabilities (menus show only what opens)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from assessments.roles import Capability, user_can, user_roles


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "user_roles": sorted(user_roles(user)) if user else [],
        "can": {capability.value: bool(user) and user_can(user, capability) for capability in Capability},
        "idle_minutes": settings.HYPOMAG_IDLE_MINUTES,
    }
