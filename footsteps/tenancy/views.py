from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from footsteps.access.membership import pending_agreement
from footsteps.access.views import requires
from footsteps.audit.forms import AuditSearchForm
from footsteps.audit.selectors import audit_log_page, audit_search_choices
from footsteps.children import services as children_services
from footsteps.children.forms import RoomForm
from footsteps.children.selectors import children_for, rooms_for
from footsteps.core.forms import apply_validation_error
from footsteps.media import selectors as media_selectors
from footsteps.tenancy import services
from footsteps.tenancy.forms import AcceptAgreementForm, AgreementForm, SettingForm
from footsteps.tenancy.models import Agreement
from footsteps.tenancy.selectors import agreements_for


@requires("setting.manage", setting_wide=True)
def setting_options(request):
    setting = request.actor.setting
    form = SettingForm(request.POST if request.method == "POST" else None, instance=setting)
    if request.method == "POST" and form.is_valid():
        services.setting_update(actor=request.actor, **form.cleaned_data)
        messages.success(request, "The setting's options are saved.")
        return redirect("setting_options")
    rooms = rooms_for(request.actor)
    return render(
        request,
        "tenancy/setting_options.html",
        {
            "form": form,
            "rooms": rooms,
            "room_form": RoomForm(),
            # Files that wait for a program the server lacks (ffmpeg, libvips).
            "missing_tools": media_selectors.waiting_for_tools(setting),
        },
    )


@require_POST
@requires("setting.manage", setting_wide=True)
def room_create(request):
    form = RoomForm(request.POST)
    if form.is_valid():
        try:
            children_services.room_create(actor=request.actor, name=form.cleaned_data["name"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "The room is added.")
    else:
        messages.error(request, "Give the room a name.")
    return redirect("setting_options")


@requires("setting.manage", setting_wide=True)
def agreement_list(request):
    form = AgreementForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.agreement_publish(actor=request.actor, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                f"{agreement} is published. Everyone it is for will be "
                "asked to accept it when they next open Footsteps.",
            )
            return redirect("agreement_list")
    return render(
        request,
        "tenancy/agreement_list.html",
        {"form": form, "agreements": agreements_for(request.actor)},
    )


@requires("profile.use")
def agreement(request):
    """The only page someone sees until they accept their agreement (R3, R4)."""
    actor = request.actor
    current = pending_agreement(actor.membership)
    if current is None:
        return redirect("home")
    # A family's agreement asks for their consents, child by child (R28, R29).
    for_families = current.audience == Agreement.Audience.PARENT
    form = AcceptAgreementForm(
        request.POST if request.method == "POST" else None,
        children=list(children_for(actor, "child.consent")) if for_families else [],
        for_families=for_families,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_accept(
                actor=actor,
                agreement=current,
                journal_consent=form.cleaned_data.get("journal_consent"),
                image_consents=form.image_consents(),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Thank you. Your acceptance is recorded.")
            return redirect("home")
    return render(request, "tenancy/agreement.html", {"agreement": current, "form": form})


@requires("setting.manage", setting_wide=True)
def audit_log(request):
    """The activity log, searched by person, child, action and days (R39)."""
    people, children = audit_search_choices(request.actor)
    form = AuditSearchForm(request.GET, people=people, children=children)
    page = None
    if form.is_valid():
        page = audit_log_page(
            request.actor,
            form.search(),
            before=form.cleaned_data["before"],
            people=people,
            children=children,
        )
    return render(request, "tenancy/audit_log.html", {"form": form, "page": page})
