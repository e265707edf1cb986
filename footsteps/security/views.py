from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from footsteps.access.views import personal, requires
from footsteps.core.forms import apply_validation_error
from footsteps.people.signin import client_ip
from footsteps.security import access, selectors, services, sessions
from footsteps.security.forms import AccessRulesForm


@personal
def session_list(request):
    """Where the person is signed in, and ending any of it (R9)."""
    return render(request, "security/sessions.html", {"sessions": selectors.sessions_for(request)})


@require_POST
@personal
def session_end(request, record_id):
    record = selectors.own_session(request, record_id)
    if record is None:
        raise Http404
    if record.pk == request.session.get(sessions.RECORD):
        logout(request)  # ending this one is signing out
        messages.success(request, "You are signed out.")
        return redirect("account_login")
    services.session_end(user=request.user, record=record)
    messages.success(request, "That session is signed out. It stops working at once.")
    return redirect("sessions")


@require_POST
@personal
def sessions_end_others(request):
    services.sessions_end_others(request=request)
    messages.success(request, "You are signed out everywhere else. This device stays signed in.")
    return redirect("sessions")


@require_http_methods(["GET", "POST"])
@personal
def session_ping(request):
    """For the idle warning's script: how many seconds this session has left
    (asking does not count as activity); POST: "stay signed in"."""
    membership = request.actor.membership
    if request.method == "POST":
        idle = sessions.idle_minutes(membership) * 60
        sessions.record_use(request, request.user, idle_seconds=idle)
        sessions.check(request, membership, touch=False)
    return JsonResponse({"ends_in": request.session_ends_in, "warn_before": sessions.WARN_SECONDS})


@requires("access_rules.manage", setting_wide=True)
def access_rules(request):
    """A manager's rules for using their setting (R9, R10), and who was refused."""
    actor = request.actor
    rules = selectors.rules_for(actor)
    # As saved: the form writes what was typed onto the rules while checking it.
    ip, networks_saved = client_ip(request), bool(rules.networks)
    on_the_list = access.on_networks(rules, ip)
    form = AccessRulesForm(
        request.POST if request.method == "POST" else None,
        instance=rules,
        home_access_choices=selectors.home_access_choices(actor),
        home_access_now=selectors.home_access_now(actor),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.access_rules_update(actor=actor, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The rules are saved. They apply from everyone's next click.")
            return redirect("access_rules")
    return render(
        request,
        "security/access_rules.html",
        {
            "form": form,
            "your_address": ip,
            "networks_saved": networks_saved,
            "on_the_list": on_the_list,
            "refusals": selectors.refusals_for(actor),
            "refused_actions": (access.DENIED_HOURS, access.DENIED_NETWORK),
        },
    )
