from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils import timezone

from footsteps.access.actor import ANONYMOUS
from footsteps.tablets.models import Tablet
from footsteps.tablets.services import (
    SESSION_SEEN,
    SESSION_SUPERVISED,
    SESSION_TABLET,
    supervision_required,
)

# What a member of staff whose sign-in waits for a manager may still open.
_WHILE_UNSUPERVISED = {"signin_supervise", "account_logout", "session_ping"}


class SharedDeviceMiddleware:
    """Devices staff share (R11), after footsteps.access.middleware has
    worked out who is asking:

    - where the setting asks for it, a member of staff's session waits on a
      page until a manager confirms it on that screen;
    - a session opened with a PIN on a tablet ends when the tablet is revoked
      and locks after TABLET_IDLE_MINUTES without use.

    Other sessions pay no query: the rule is kept in the cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        session = getattr(request, "session", None)
        if session is None or request.path.startswith("/api/"):
            return None
        tablet_id = session.get(SESSION_TABLET)
        if tablet_id is not None:
            ended = self._tablet(request, tablet_id)
            if ended is not None:
                return ended
        membership = getattr(request, "actor", ANONYMOUS).membership
        match = request.resolver_match
        name = (match.url_name if match else "") or ""
        if (
            name not in _WHILE_UNSUPERVISED
            and session.get(SESSION_SUPERVISED) != getattr(membership, "pk", None)
            and supervision_required(membership)
        ):
            return redirect("signin_supervise")
        return None

    def _tablet(self, request, tablet_id):
        now = timezone.now().timestamp()
        idle = now - request.session.get(SESSION_SEEN, 0)
        if not Tablet.objects.filter(pk=tablet_id, revoked_at__isnull=True).exists():
            logout(request)
            messages.error(request, "This tablet is no longer registered with the setting.")
            return redirect("account_login")
        if idle > settings.TABLET_IDLE_MINUTES * 60:
            logout(request)
            messages.info(request, "The tablet locked after a few minutes without use.")
            return redirect("tablet_switch")
        request.session[SESSION_SEEN] = now
        return None
