"""API authentication. Both ways end in the same Actor the pages use, with the
same rules: a suspended membership or a parent with no attending child gets
nothing (R6, R7), and nothing is served until the agreement is accepted (R3, R4).

A personal key (`Authorization: Bearer fs_...`) is checked first and never needs
a CSRF token: it is not sent by a browser on its own. A request that carries an
Authorization header is decided by its key alone, cookie or not. Only then the
browser's session is tried, and its writes always need the CSRF token, as the
pages' do.
"""

from django.conf import settings
from django.contrib.auth import logout
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from footsteps.access.actor import Actor
from footsteps.access.membership import (
    _with_identity,
    agreement_waits,
    resolve_session,
    usable_memberships,
)
from footsteps.people.models import ApiToken, hash_token
from footsteps.security import access, second_factor, sessions
from footsteps.tablets import middleware as shared_devices


class AgreementRequired(Exception):
    """The person must accept their setting's agreement on the website first."""


def _admit(request, membership):
    if membership is None:
        return None
    if agreement_waits(membership):
        raise AgreementRequired
    # Staff outside their setting's hours or networks (R10): 403, with the reason.
    access.check_api(request, membership)
    request.actor = Actor.of(membership)
    return request.actor


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
            _with_identity(usable_memberships(api_token.membership.user))
            .filter(pk=api_token.membership_id)
            .first()
        )
        if membership is None:
            return None
        # Record use at most once a minute, to keep reads cheap.
        now = timezone.now()
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        return _admit(request, membership)


_SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class SessionActorAuth(APIKeyCookie):
    """The browser's session, as the pages use it; writes need the CSRF token
    (the `X-CSRFToken` header, as htmx sends it)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self):
        super().__init__(csrf=False)  # checked below, only for session writes

    def _get_key(self, request):
        if "Authorization" in request.headers:
            return None  # a request with a key is decided by the key alone
        key = request.COOKIES.get(self.param_name)
        if key and request.method not in _SAFE_METHODS and check_csrf(request):
            raise HttpError(
                403,
                "CSRF check failed: a signed-in browser must send the X-CSRFToken header. "
                "Apps and integrations use an API key instead.",
            )
        return key

    def authenticate(self, request, key):
        if key is None:
            return None
        state = resolve_session(request)
        if not request.user.is_authenticated:
            return None
        # Idle too long or past its lifetime: the session ends, as on pages (R9).
        if sessions.check(request, state.membership) is not None:
            logout(request)
            return None
        # A session without the second step its person must have (R37): 403.
        if second_factor.refused_for_api(request, state.membership):
            raise access.AccessRefused(second_factor.API_REFUSAL)
        # A revoked or locked shared tablet's session ends, as on pages (R11).
        if shared_devices.tablet_ended(request) is not None:
            logout(request)
            return None
        # A sign-in still waiting for a manager's confirmation (R11): 403.
        if shared_devices.waits_for_supervision(request, state.membership):
            raise access.AccessRefused(shared_devices.API_WAITING)
        # Support (the operator in a setting) works in the browser, where every
        # request is logged (R32); the operator in none is simply not signed in.
        if request.user.is_superuser and state.membership is not None:
            raise access.AccessRefused(shared_devices.API_SUPPORT)
        return _admit(request, state.membership)
