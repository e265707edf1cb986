"""How views use the policy: one decorator to declare the page's action, and
`get_for` to fetch an object in the actor's scope (404 for anything outside it)."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from footsteps.access.policy import can, may_ever, require, scope


def requires(action: str, *, setting_wide: bool = False):
    """Declare the action a view performs. Anonymous people go to sign in; a role
    that may never do it gets 403; with setting_wide, the action is checked
    against the actor's setting here, otherwise the view checks its object with
    get_for. The URL matrix test reads `view.footsteps_action`."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            actor = request.actor
            if actor.membership is None or not may_ever(actor, action):
                raise PermissionDenied
            if setting_wide and not can(actor, action, actor.setting):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.footsteps_action = action  # type: ignore[attr-defined]
        return wrapped

    return decorator


def public(view):
    """Mark a view anyone may open (sign-in pages, invitation links)."""
    view.footsteps_action = "public"
    return view


def personal(view):
    """A page about the signed-in person's own account (their sign-in address),
    whichever settings they belong to: it reads and changes nothing else, so
    there is no object to check, only that someone is signed in."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapped.footsteps_action = "personal"  # type: ignore[attr-defined]
    return wrapped


def get_for(actor, action: str, queryset, **lookup):
    """The object the actor may act on, or 404: the same answer for "does not
    exist" and "not yours", so nothing leaks about other families or settings."""
    try:
        return scope(actor, action, queryset).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None


def get_to_act_on(actor, action: str, queryset, *, seen_with: str, **lookup):
    """For the API: the object, 404 if the actor cannot see it (`seen_with`),
    403 if they can see it but may not do `action` to it, or not in its state.
    Clients learn nothing more than they could read anyway."""
    obj = get_for(actor, seen_with, queryset, **lookup)
    require(actor, action, obj)
    return obj
