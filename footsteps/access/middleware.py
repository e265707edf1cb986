from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers, patch_cache_control

from footsteps.access.actor import ANONYMOUS, Actor
from footsteps.access.membership import agreement_waits, resolve_session

# Views a signed-in person may reach before choosing a setting or accepting the
# agreement: signing out, changing password, the choice and the agreement itself.
_UNGATED_PREFIXES = ("account_", "mfa_")
_UNGATED_NAMES = {
    "choose_setting",
    "agreement",
    "no_access",
    "invitation_accept",
    "sign_out_everywhere",
    "email_change",
    "email_change_confirm",
    # One's own sessions, and the idle warning's ping (footsteps.security).
    "sessions",
    "session_end",
    "sessions_end_others",
    "session_ping",
    # One's second sign-in step (footsteps.security.second_factor).
    "second_factor",
    "recovery_codes",
    # The operator's list of settings that let support in (footsteps.support).
    "operator_support",
    "operator_support_enter",
}


class ActorMiddleware:
    """Works out request.actor (person + membership) for every page, and keeps
    people to the pages they may see first:

    - a suspended membership, or a parent whose children have all left, ends the
      session at once (R6, R7);
    - someone in several settings chooses one;
    - nobody sees anything but the agreement until they accept its current
      version (R3, R4).

    The API authenticates separately (footsteps.api.auth) with the same rules.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = ANONYMOUS
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            # Journal pages must not come back from a shared device's cache or
            # back button after sign-out (R5, R9).
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith("/api/"):
            return None
        match = request.resolver_match
        url_name = (match.url_name if match else "") or ""  # unnamed routes: admin catch-all
        if url_name == "health":
            return None
        ungated = url_name in _UNGATED_NAMES or url_name.startswith(_UNGATED_PREFIXES)
        if match and match.app_name == "admin":
            return None  # the operator's admin site holds no child data (R32)

        state = resolve_session(request)
        if not request.user.is_authenticated:
            return None
        if state.ended:
            logout(request)
            messages.error(request, "Your access to this setting has ended. Please sign in again.")
            return redirect("account_login")
        membership = state.membership
        request.actor = Actor.of(membership) if membership else Actor(request.user, None)
        if ungated:
            return None
        if membership is None:
            return redirect("choose_setting" if state.memberships else "no_access")
        if agreement_waits(membership):
            return redirect("agreement")
        return None
