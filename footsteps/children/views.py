from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from footsteps.access.views import get_for, requires
from footsteps.children import selectors, services
from footsteps.children.forms import ChildForm, ImageConsentForm
from footsteps.children.models import Child
from footsteps.children.selectors import rooms_for
from footsteps.core.forms import apply_validation_error
from footsteps.people.selectors import key_person_choices


@requires("child.list", setting_wide=True)
def child_list(request):
    status = request.GET.get("status", "active")
    query = request.GET.get("q", "").strip()
    children = selectors.child_list(request.actor, status=status, query=query)
    page = Paginator(children, 50).get_page(request.GET.get("page"))
    return render(request, "children/child_list.html", {"page": page, "status": status, "q": query})


def _choices(request) -> dict:
    return {
        "rooms": rooms_for(request.actor),
        "key_people": key_person_choices(request.actor),
    }


@requires("child.create", setting_wide=True)
def child_create(request):
    form = ChildForm(request.POST if request.method == "POST" else None, **_choices(request))
    if request.method == "POST" and form.is_valid():
        try:
            child = services.child_create(actor=request.actor, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"{child} is added. Now invite their parents or carers.")
            return redirect("child_detail", child.pk)
    return render(request, "children/child_form.html", {"form": form, "child": None})


@requires("child.edit")
def child_edit(request, child_id):
    child = get_for(request.actor, "child.edit", Child.objects.all(), pk=child_id)
    form = ChildForm(
        request.POST if request.method == "POST" else None, instance=child, **_choices(request)
    )
    if request.method == "POST" and form.is_valid():
        # The form has already written cleaned values onto `child`; reload so the
        # service compares against what is stored and records the real change.
        fresh = Child.objects.get(pk=child.pk)
        try:
            services.child_update(actor=request.actor, child=fresh, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"{fresh}'s details are saved.")
            return redirect("child_detail", child.pk)
    consent_form = ImageConsentForm(initial={"image_consent": child.image_consent})
    return render(
        request,
        "children/child_form.html",
        {"form": form, "child": child, "consent_form": consent_form},
    )


@require_POST
@requires("child.edit")
def child_status(request, child_id):
    child = get_for(request.actor, "child.edit", Child.objects.all(), pk=child_id)
    try:
        services.child_set_status(
            actor=request.actor, child=child, status=request.POST.get("status", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{child} is marked as {child.get_status_display().lower()}.")
    return redirect("child_detail", child.pk)


@require_POST
@requires("child.edit")
def child_consent(request, child_id):
    child = get_for(request.actor, "child.edit", Child.objects.all(), pk=child_id)
    form = ImageConsentForm(request.POST)
    if form.is_valid():
        services.child_set_image_consent(
            actor=request.actor, child=child, consent=form.cleaned_data["image_consent"]
        )
        messages.success(request, "Image consent is recorded.")
    else:
        messages.error(request, "Choose whether photos may be shared.")
    return redirect("child_edit", child.pk)
