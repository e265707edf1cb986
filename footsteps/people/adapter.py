from dataclasses import dataclass

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from footsteps.people import signin
from footsteps.security import access


@dataclass(frozen=True)
class _Site:
    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Accounts come only from a setting's invitation (R2, R12).
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # Account emails say "Footsteps", not whichever host name the request used.
        domain = settings.SITE_URL.split("://", 1)[-1]
        super().send_mail(
            template_prefix, email, {**context, "current_site": _Site("Footsteps", domain)}
        )

    def get_client_ip(self, request):
        # allauth's own limits (password reset requests) see the same address as ours.
        return signin.client_ip(request)

    # Sign-in throttling is ours (footsteps.people.signin), replacing allauth's
    # per-address counter that let one person's typos lock out a whole nursery.
    def pre_authenticate(self, request, **credentials):
        signin.check_not_locked(credentials.get("email", ""), signin.client_ip(request))

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None:
            signin.record_success(credentials.get("email", ""), signin.client_ip(request))
            # Staff outside their setting's hours or networks go no further (R10).
            access.check_sign_in(request, user)
        return user

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        # Sensitive actions ask again only when the last check (signing in, or
        # checking again) is older than ACCOUNT_REAUTHENTICATION_TIMEOUT.
        from allauth.core import context

        from footsteps.security.second_factor import recently_checked

        return not recently_checked(context.request)

    def authentication_failed(self, request, **credentials):
        from footsteps.people.services import sign_in_failed

        email = credentials.get("email", "")
        locked = signin.record_failure(email, signin.client_ip(request))
        sign_in_failed(email=email, ip=signin.client_ip(request), locked=locked)
