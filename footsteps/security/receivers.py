"""Sign-in and sign-out, as Django and allauth announce them: each session's
clock and record start at sign-in and go with it at sign-out (R9)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from footsteps.security import services, sessions


@receiver(user_logged_in)
def start_session(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        sessions.start(request, user)
        services.stale_sessions_forget(user=user)


@receiver(user_logged_out)
def forget_session(sender, request, user, **kwargs):
    if request is not None and user is not None and hasattr(request, "session"):
        sessions.forget(request, user)
