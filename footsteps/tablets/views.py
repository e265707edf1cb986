from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from footsteps.access.policy import scope
from footsteps.access.views import get_for, personal, public, requires
from footsteps.core.forms import apply_validation_error
from footsteps.tablets import services
from footsteps.tablets.forms import PinForm, RegisterForm, RulesForm, SuperviseForm, SwitchForm
from footsteps.tablets.models import SharedDeviceRules, StaffPin, Tablet

YEAR = 365 * 24 * 60 * 60


@requires("tablet.manage", setting_wide=True)
def tablets(request):
    """A manager registers the device in their hands as a shared tablet, and
    revokes lost ones."""
    form = RegisterForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            tablet, cookie = services.register(actor=request.actor, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"This device is now “{tablet.name}”.")
            response = redirect("tablets")
            response.set_cookie(
                services.COOKIE,
                cookie,
                max_age=YEAR,
                httponly=True,
                secure=settings.SESSION_COOKIE_SECURE,
                samesite="Lax",
            )
            return response
    this = services.tablet_of(request)
    rules = SharedDeviceRules.objects.filter(setting=request.actor.setting).first()
    context = {
        "form": form,
        "rules_form": RulesForm(
            initial={"supervised_sign_in": bool(rules and rules.supervised_sign_in)}
        ),
        "tablets": scope(request.actor, "tablet.revoke", Tablet.objects.all()),
        "this_tablet": this if this and this.setting_id == request.actor.setting_id else None,
    }
    return render(request, "tablets/tablets.html", context)


@require_POST
@requires("tablet.manage", setting_wide=True)
def tablet_rules(request):
    form = RulesForm(request.POST)
    form.is_valid()  # a checkbox: absent is off
    services.rules_update(
        actor=request.actor, supervised_sign_in=form.cleaned_data.get("supervised_sign_in", False)
    )
    messages.success(request, "Saved.")
    return redirect("tablets")


@personal
def signin_supervise(request):
    """A member of staff's sign-in waits here until a manager confirms it on
    this screen (R11)."""
    membership = request.actor.membership
    if not services.supervision_required(membership):
        return redirect("home")
    form = SuperviseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.supervise(request, membership=membership, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Your sign-in is confirmed.")
            return redirect("home")
    return render(request, "tablets/supervise.html", {"form": form, "person": membership})


@require_POST
@requires("tablet.revoke")
def tablet_revoke(request, tablet_id):
    tablet = get_for(request.actor, "tablet.revoke", Tablet.objects.all(), pk=tablet_id)
    services.revoke(actor=request.actor, tablet=tablet)
    messages.success(request, f"“{tablet.name}” is revoked: anyone using it is signed out.")
    return redirect("tablets")


@requires("pin.set", setting_wide=True)
def tablet_pin(request):
    form = PinForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_pin(actor=request.actor, request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Your tablet PIN is set.")
            return redirect("tablet_pin")
    has_pin = StaffPin.objects.filter(membership=request.actor.member).exists()
    return render(request, "tablets/pin.html", {"form": form, "has_pin": has_pin})


@public
def tablet_switch(request):
    """On a registered tablet only: staff who signed in fully today switch to
    themselves with their PIN."""
    tablet = services.tablet_of(request)
    if tablet is None:
        raise Http404
    people = list(services.signed_in_today(tablet))
    form = SwitchForm(request.POST if request.method == "POST" else None, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            services.switch_in(
                request,
                tablet=tablet,
                membership_id=form.cleaned_data["person"],
                pin=form.cleaned_data["pin"],
            )
        except services.PinRefused as refused:
            form.add_error("pin", str(refused))
        else:
            return redirect("home")
    return render(
        request, "tablets/switch.html", {"tablet": tablet, "form": form, "people": people}
    )
