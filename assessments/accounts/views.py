"""Sign-in (Django's LoginView, landing on the role's work when no page was asked for) and "Sign in" from the
bedside page, which keeps what was typed there (`bedside.kept`) and returns to it restored."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from assessments.bedside import kept
from assessments.roles import landing_url


class SignInView(LoginView):
    redirect_authenticated_user = True

    def form_valid(self, form):
        """Signing in gives the session a new key; what was typed on the bedside page follows it."""
        before = self.request.session.session_key
        response = super().form_valid(form)
        kept.move(before, self.request.session.session_key)
        return response

    def get_default_redirect_url(self) -> str:
        """Without `next`: pharmacists land on the review queue, clinicians on the bedside page, trainees on
        teaching, administrators on the audit log."""
        return landing_url(self.request.user)


class SignOutView(LogoutView):
    """Signing out forgets what was kept from the bedside page (shared ward PCs), then ends the session."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        kept.forget(request.session.session_key)
        return super().post(request, *args, **kwargs)


@require_POST
def sign_in_keeping(request: HttpRequest) -> HttpResponse:
    """The bedside form posted to "Sign in": kept in this browser's session, then the sign-in page, which returns
    to the bedside page with it restored (with JavaScript or without)."""
    kept.keep(request, request.POST)
    if request.user.is_authenticated:
        return kept.go(request, kept.restore_url())
    return kept.go(request, f"{reverse('login')}?{urlencode({'next': kept.restore_url()})}")
