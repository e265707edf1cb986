from django.contrib import messages
from django.contrib.auth import logout
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from footsteps.access.membership import SESSION_KEY, usable_memberships
from footsteps.access.policy import may_ever
from footsteps.access.views import public


@public
def not_found(request, *args, **kwargs):
    """Pages of the sign-in library that Footsteps does not use (config/urls.py)."""
    raise Http404


@public
def home(request):
    if not request.user.is_authenticated:
        return redirect("account_login")
    actor = request.actor
    if may_ever(actor, "feed.view"):
        return redirect("feed")
    if may_ever(actor, "child.list"):
        return redirect("child_list")
    return redirect("choose_setting")


@public
def health(request):
    """For load balancers: the app answers and its database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@public
def choose_setting(request):
    if not request.user.is_authenticated:
        return redirect("account_login")
    memberships = list(usable_memberships(request.user))
    if request.method == "POST":
        chosen = next((m for m in memberships if str(m.pk) == request.POST.get("membership")), None)
        if chosen is None:
            raise Http404
        request.session.cycle_key()
        request.session[SESSION_KEY] = chosen.pk
        return redirect("home")
    return render(request, "core/choose_setting.html", {"memberships": memberships})


@public
def no_access(request):
    if not request.user.is_authenticated:
        return redirect("account_login")
    if request.actor.membership is not None:
        return redirect("home")
    return render(request, "core/no_access.html", status=403)


@require_POST
@public
def sign_out_everywhere(request):
    """Sign out of all devices, and end every API key (R9)."""
    user = request.user
    if user.is_authenticated:
        from footsteps.people.services import user_sign_out_everywhere

        user_sign_out_everywhere(user=user)
        logout(request)
        messages.success(
            request, "You are signed out on every device, and your API keys no longer work."
        )
    return redirect("account_login")
