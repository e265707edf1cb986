from allauth.mfa.models import Authenticator
from allauth.mfa.totp import views as totp_views
from allauth.mfa.webauthn import views as webauthn_views
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods, require_POST

from footsteps.access.views import personal, requires
from footsteps.core.forms import apply_validation_error
from footsteps.people.signin import client_ip
from footsteps.security import access, selectors, services, sessions
from footsteps.security import second_factor as second_factor_rules
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
@second_factor_rules.recent_check_required
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


# --- The second sign-in step (R37) ------------------------------------------------


@personal
def second_factor(request):
    """One's second sign-in step: the authenticator app, passkeys and recovery
    codes. Also where someone who must have one and has none is sent."""
    actor = request.actor
    context = selectors.second_factor_for(request.user)
    context["must_set_up"] = (
        second_factor_rules.required(request.user, actor.membership) and not context["has_factor"]
    )
    return render(request, "security/second_factor.html", context)


@require_http_methods(["GET", "POST"])
@personal
@second_factor_rules.recent_check_required
def recovery_codes(request):
    """A new set of recovery codes, shown once on this page's answer and never again."""
    if request.method == "POST":
        try:
            codes = services.recovery_codes_make(user=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("second_factor")
        return render(request, "security/recovery_codes.html", {"codes": codes})
    context = selectors.second_factor_for(request.user)
    return render(request, "security/recovery_codes.html", context)


class TotpActivate(totp_views.ActivateTOTPView):
    """allauth's page to set up an authenticator app, noting it (services)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        app = Authenticator.objects.get(user_id=self.request.user.pk, type=Authenticator.Type.TOTP)
        services.second_factor_added(request=self.request, authenticator=app)
        return response


class TotpDeactivate(totp_views.DeactivateTOTPView):
    def form_valid(self, form):
        response = super().form_valid(form)
        services.second_factor_removed(request=self.request, kind=Authenticator.Type.TOTP)
        return response


class PasskeyAdd(webauthn_views.AddWebAuthnView):
    def form_valid(self, form):
        response = super().form_valid(form)
        passkey = Authenticator.objects.filter(
            user_id=self.request.user.pk, type=Authenticator.Type.WEBAUTHN
        ).latest("pk")
        services.second_factor_added(request=self.request, authenticator=passkey)
        return response


class PasskeyRemove(webauthn_views.RemoveWebAuthnView):
    success_url = reverse_lazy("second_factor")  # allauth's list of keys is not used

    def form_valid(self, form):
        response = super().form_valid(form)
        services.second_factor_removed(request=self.request, kind=Authenticator.Type.WEBAUTHN)
        return response


# One's own account, as password change is (the URL matrix reads the action).
totp_activate = TotpActivate.as_view()
totp_deactivate = TotpDeactivate.as_view()
passkey_add = PasskeyAdd.as_view()
passkey_remove = PasskeyRemove.as_view()
for _view in (totp_activate, totp_deactivate, passkey_add, passkey_remove):
    _view.footsteps_action = "personal"  # type: ignore[attr-defined]
