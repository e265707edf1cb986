"""Two-step sign-in (R37): after the password, a code from an authenticator app
(TOTP), a passkey (WebAuthn) or one of the person's recovery codes. allauth's
MFA module asks for it at sign-in whenever the person has an app or a passkey,
and writes each step a session passed into the session itself (its
"authentication records": the password, then "mfa").

Who must have one: the operator (anyone who can reach the admin) always; in a
setting, its staff unless a manager turned it off (Setting -> Sign-in rules)
and its parents and carers if a manager turned it on. Someone who must and has
none is sent to set one up and can open nothing else until they have; a
session of theirs that did not pass the second step is signed out (pages) or
refused (API, 403). Both are checked on every page by
footsteps.security.middleware and on the API's session sign-in by
footsteps.api.auth, at no query in the usual case (the rules come with the
person's identity; the records are in the session).

Sensitive actions ask for the password or the second step again when the last
check (signing in or checking again) is older than
ACCOUNT_REAUTHENTICATION_TIMEOUT: `recent_check_required` on our views, and
allauth's own pages that manage the second step, through the account adapter.
"""

import time

from allauth.account.decorators import reauthentication_required
from allauth.account.internal.flows.login import (
    AUTHENTICATION_METHODS_SESSION_KEY,
    get_authentication_records,
    record_authentication,
)
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

from footsteps.security.access import Refusal
from footsteps.security.sessions import rules_of

# What counts as a second step: recovery codes are only a way back to these.
FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
MFA = "mfa"

# Pages someone who must set up a second step may open before they have one:
# the set-up itself, checking their password again for it, and signing out.
SETUP_PAGES = {
    "second_factor",
    "mfa_activate_totp",
    "mfa_add_webauthn",
    "account_reauthenticate",
    "mfa_reauthenticate",
    "mfa_reauthenticate_webauthn",
    "account_logout",
    "session_ping",
}


def is_operator(user) -> bool:
    return bool(user.is_staff or user.is_superuser)


def required(user, membership) -> bool:
    """Must this person have passed a second step to act in this membership?"""
    if is_operator(user):
        return True
    if membership is None:
        return False  # not yet in a setting: decided once they choose one
    rules = rules_of(membership.setting)
    return rules.staff_second_factor if membership.is_staff_role else rules.parent_second_factor


def has_factor(user) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type__in=FACTOR_TYPES).exists()


def passed(request) -> bool:
    """Did this session pass a second step (at sign-in, or since)?"""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == MFA for record in records)


def last_checked(request) -> float | None:
    """When the person last proved who they are in this session (a password
    or a second step, at sign-in or since), as a Unix time."""
    records = get_authentication_records(request, request.user)
    return max((record["at"] for record in records), default=None)


def recently_checked(request) -> bool:
    checked = last_checked(request)
    return checked is not None and time.time() - checked < settings.ACCOUNT_REAUTHENTICATION_TIMEOUT


def recent_check_required(view):
    """Ask for the password or second step again before this view acts (its
    POST) when the last check is not recent. allauth keeps the request while
    asking and then carries it out, so nothing is typed twice."""
    return reauthentication_required(view, allow_get=True, app="footsteps")


def recent_check_required_always(view):
    """As recent_check_required, for a GET too (a download)."""
    return reauthentication_required(view, app="footsteps")


def note_added(request, authenticator: Authenticator) -> None:
    """Setting up a second step proves it (a code typed, a key touched): the
    session counts as having passed it, as if signed in with it."""
    record_authentication(request, request.user, MFA, id=authenticator.pk, type=authenticator.type)


def note_removed(request) -> None:
    """With its last second step gone, this session has passed none."""
    if has_factor(request.user):
        return
    records = get_authentication_records(request, request.user)
    kept = [record for record in records if record.get("method") != MFA]
    request.session[AUTHENTICATION_METHODS_SESSION_KEY] = kept


def gate(request, membership, url_name: str):
    """For a page: None to carry on, or where this person must go first."""
    user = request.user
    if not required(user, membership) or passed(request):
        return None
    if not has_factor(user):
        return None if url_name in SETUP_PAGES else _go(request, reverse("second_factor"))
    if url_name == "account_logout":
        return None
    # A session from before the second step was set up (or before the rule):
    # it signs in again, and sign-in asks for the second step. (Not one more
    # step set up here: that would pass the step without the one it has.)
    logout(request)
    messages.warning(request, "Please sign in again: your account now has a second step.")
    url = reverse("account_login")
    if request.method == "GET" and not getattr(request, "htmx", False):
        url += "?" + urlencode({"next": request.get_full_path()})
    return _go(request, url)


def _go(request, url: str):
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)  # the whole window, not a fragment
    return redirect(url)


# For the API's answer (403); not written to the log, unlike the access rules'.
API_REFUSAL = Refusal(
    action="second_factor.missing",
    title="Second step needed",
    message="Your account needs its second sign-in step for this. Sign in again on the "
    "website (setting the second step up if asked), or use an API key.",
)


def refused_for_api(request, membership) -> bool:
    """A browser session using the API must have passed the second step too."""
    return required(request.user, membership) and not passed(request)
