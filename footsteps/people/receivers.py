"""Hooks into django-allauth's own flows (sign-in, password change and reset):
each hands over to a service, which does the work and keeps the audit trail."""

from allauth.account.signals import password_changed, password_reset
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from footsteps.people import services, signin


@receiver(user_logged_in)
def record_sign_in(sender, request, user, **kwargs):
    if getattr(request, "tablet_switch", False):
        return  # a PIN on a shared tablet: logged as such, and no full sign-in (R11)
    services.sign_in_recorded(user=user, ip=signin.client_ip(request) if request else "internal")


@receiver(password_changed)
def end_keys_after_password_change(sender, request, user, **kwargs):
    services.password_changed(user=user, how="change")


@receiver(password_reset)
def end_keys_after_password_reset(sender, request, user, **kwargs):
    services.password_changed(user=user, how="reset")
