"""Sign-in and sign-out, as Django and allauth announce them: each session's
clock and record start at sign-in and go with it at sign-out (R9); an
authenticator app's secret left encrypted with an old SECRET_KEY is encrypted
again with the current one when it is next used (R37)."""

from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_used
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from footsteps.security import services, sessions
from footsteps.security.adapter import reseal, sealed_with_current_key


@receiver(user_logged_in)
def start_session(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        sessions.start(request, user)
        services.stale_sessions_forget(user=user)


@receiver(user_logged_out)
def forget_session(sender, request, user, **kwargs):
    if request is not None and user is not None and hasattr(request, "session"):
        sessions.forget(request, user)


@receiver(authenticator_used)
def reseal_app_secret(sender, authenticator, **kwargs):
    if authenticator.type != Authenticator.Type.TOTP:
        return
    secret = authenticator.data["secret"]
    if not sealed_with_current_key(secret):
        authenticator.data["secret"] = reseal(secret)
        authenticator.save(update_fields=["data"])
