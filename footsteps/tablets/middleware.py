from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils import timezone

from footsteps.access.actor import ANONYMOUS
from footsteps.security.access import Refusal
from footsteps.tablets.models import Tablet
from footsteps.tablets.services import (
    SESSION_SEEN,
    SESSION_SUPERVISED,
    SESSION_TABLET,
    supervision_required,
)

# What a member of staff whose sign-in waits for a manager may still open.
_WHILE_UNSUPERVISED = {"signin_supervise", "account_logout", "session_ping"}
API_WAITING = Refusal(
    action="signin.waiting",
    title="Waiting for a manager",
    message="This sign-in waits for a manager to confirm it on the device.",
)
API_SUPPORT = Refusal(
    action="support.api",
    title="Support works in the browser",
    message="Support access works in the browser only, where every request is logged.",
)


def tablet_ended(request, *, touch: bool = True) -> str | None:
    """For a session opened with a PIN on a shared tablet: "revoked" or
    "locked" when it must end now, else None (and, with `touch`, its use is
    noted)."""
    session = getattr(request, "session", None)
    tablet_id = session.get(SESSION_TABLET) if session is not None else None
    if tablet_id is None:
        return None
    if not Tablet.objects.filter(pk=tablet_id, revoked_at__isnull=True).exists():
        return "revoked"
    now = timezone.now().timestamp()
    idle = now - session.get(SESSION_SEEN, 0)
    if idle > settings.TABLET_IDLE_MINUTES * 60:
        return "locked"
    if touch:
        session[SESSION_SEEN] = now
    # The page's idle warning counts down the tablet's time, not the staff's.
    request.session_ends_in = min(
        getattr(request, "session_ends_in", settings.TABLET_IDLE_MINUTES * 60),
        settings.TABLET_IDLE_MINUTES * 60,
    )
    return None


def waits_for_supervision(request, membership) -> bool:
    return request.session.get(SESSION_SUPERVISED) != getattr(
        membership, "pk", None
    ) and supervision_required(membership)


class SharedDeviceMiddleware:
    """Devices staff share (R11), after footsteps.access.middleware has
    worked out who is asking (the API asks the same in footsteps.api.auth):

    - where the setting asks for it, a member of staff's session waits on a
      page until a manager confirms it on that screen;
    - a session opened with a PIN on a tablet ends when the tablet is revoked
      and locks after TABLET_IDLE_MINUTES without use.

    Other sessions pay no query: the rules come with the identity."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(request, "session", None) is None or request.path.startswith("/api/"):
            return None
        match = request.resolver_match
        name = (match.url_name if match else "") or ""
        # The idle warning asking how long is left is not the person's activity.
        ended = tablet_ended(
            request, touch=not (name == "session_ping" and request.method == "GET")
        )
        if ended == "revoked":
            logout(request)
            messages.error(request, "This tablet is no longer registered with the setting.")
            return redirect("account_login")
        if ended == "locked":
            logout(request)
            messages.info(request, "The tablet locked after a few minutes without use.")
            return redirect("tablet_switch")
        membership = getattr(request, "actor", ANONYMOUS).membership
        if name not in _WHILE_UNSUPERVISED and waits_for_supervision(request, membership):
            return redirect("signin_supervise")
        return None
