from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from footsteps.access.actor import ANONYMOUS
from footsteps.security import access, second_factor, sessions

ENDED = {
    "idle": "You were signed out after {minutes} minutes without activity. "
    "Sign in again to carry on.",
    "lifetime": "You had been signed in for {hours} hours, the longest a session lasts. "
    "Sign in again to carry on.",
    "ended": "This session was ended from another of your devices. Sign in again to carry on.",
}


class SessionLimitsMiddleware:
    """Ends a page's session once it has been idle too long or has lived its
    whole lifetime (R9), or when a member of staff is outside their setting's
    access hours or networks (R10), after footsteps.access.middleware has
    worked out who is asking (the rules are their setting's, for their role);
    sends someone who must have a second sign-in step to set it up, or to sign
    in with it (R37). The API asks the same in footsteps.api.auth.

    It costs a page no query: the setting's rules come with the identity the
    access middleware reads, and use is written at most once a minute."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        name = (match.url_name if match else "") or ""
        if request.path.startswith("/api/") or name == "health":
            return None
        if not request.user.is_authenticated:
            return None
        membership = getattr(request, "actor", ANONYMOUS).membership
        # The warning script asking how long is left is not the person's activity.
        touch = not (name == "session_ping" and request.method == "GET")
        ending = sessions.check(request, membership, touch=touch)
        if ending is not None:
            minutes = sessions.idle_minutes(membership)
            return signed_out(request, ending, minutes=minutes, back=name != "session_ping")
        refusal = access.refusal_recorded(request, membership, where="on a page")
        if refusal is not None:
            return refused(request, refusal)
        # A second sign-in step where one is required (R37): set it up, or sign in with it.
        return second_factor.gate(request, membership, name)


def refused(request, refusal: access.Refusal):
    """Outside staff hours or networks (R10): the session ends, and the page says why."""
    logout(request)
    request.actor = ANONYMOUS
    del request.session_ends_in  # no idle warning on a signed-out page
    if getattr(request, "htmx", False):
        # A fragment's request: the whole window goes to sign in, which says why.
        messages.error(request, refusal.message)
        return HttpResponseClientRedirect(reverse("account_login"))
    return render(request, "security/access_refused.html", {"refusal": refusal}, status=403)


def signed_out(request, reason: str, *, minutes: int, back: bool = True):
    """End the session, say why on the sign-in page, and come back here after."""
    logout(request)
    hours = sessions.lifetime_seconds() // 3600
    messages.warning(request, ENDED[reason].format(minutes=minutes, hours=hours))
    url = reverse("account_login")
    if back and request.method == "GET":
        url += "?" + urlencode({"next": request.get_full_path()})
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)
