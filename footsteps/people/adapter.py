from dataclasses import dataclass

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


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
