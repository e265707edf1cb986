"""API authentication. Both ways end in the same Actor the pages use, with the
same rules: a suspended membership or a parent with no attending child gets
nothing (R6, R7), and nothing is served until the agreement is accepted (R3, R4)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie

from footsteps.access.actor import Actor
from footsteps.access.membership import (
    pending_agreement,
    session_membership,
    usable_memberships,
)
from footsteps.people.models import ApiToken, hash_token


class AgreementRequired(PermissionDenied):
    pass


def _admit(request, membership):
    if membership is None:
        return None
    if pending_agreement(membership) is not None:
        raise AgreementRequired
    request.actor = Actor(user=membership.user, membership=membership)
    return request.actor


class SessionActorAuth(APIKeyCookie):
    """The browser's session (with CSRF protection on writes)."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request, key):
        if not request.user.is_authenticated:
            return None
        membership, _memberships, _ended = session_membership(request)
        return _admit(request, membership)


class TokenActorAuth(HttpBearer):
    """A personal API key: `Authorization: Bearer fs_...`. Stored hashed; revocable."""

    def authenticate(self, request, token):
        api_token = (
            ApiToken.objects.select_related("membership__user", "membership__setting")
            .filter(
                token_hash=hash_token(token),
                revoked_at__isnull=True,
                expires_at__gt=timezone.now(),
            )
            .first()
        )
        if api_token is None:
            return None
        membership = (
            usable_memberships(api_token.membership.user).filter(pk=api_token.membership_id).first()
        )
        if membership is None:
            return None
        # Record use at most once a minute, to keep reads cheap.
        now = timezone.now()
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        return _admit(request, membership)
