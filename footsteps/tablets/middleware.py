from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils import timezone

from footsteps.tablets.models import Tablet
from footsteps.tablets.services import SESSION_SEEN, SESSION_TABLET


class TabletMiddleware:
    """Sessions opened with a PIN on a shared tablet (R11): they end when the
    tablet is revoked, and lock after TABLET_IDLE_MINUTES without use, back
    to the tablet's switch-user page. Other sessions pay nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        session = getattr(request, "session", None)
        tablet_id = session.get(SESSION_TABLET) if session is not None else None
        if tablet_id is None:
            return None
        now = timezone.now().timestamp()
        idle = now - session.get(SESSION_SEEN, 0)
        if not Tablet.objects.filter(pk=tablet_id, revoked_at__isnull=True).exists():
            logout(request)
            messages.error(request, "This tablet is no longer registered with the setting.")
            return redirect("account_login")
        if idle > settings.TABLET_IDLE_MINUTES * 60:
            logout(request)
            messages.info(request, "The tablet locked after a few minutes without use.")
            return redirect("tablet_switch")
        session[SESSION_SEEN] = now
        return None
