import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.text import slugify

from footsteps.access.policy import scope
from footsteps.access.views import get_for, requires
from footsteps.children.models import Child
from footsteps.core.files import private_download
from footsteps.core.forms import Form, apply_validation_error
from footsteps.security.second_factor import recent_check_required, recent_check_required_always
from footsteps.transfers import services
from footsteps.transfers.models import ImportedPackage, Transfer


@requires("transfer.export")
@recent_check_required
def transfer_start(request, child_id):
    """Make a transfer package of a child's journal for their new setting."""
    actor = request.actor
    child = get_for(actor, "transfer.export", Child.objects.all(), pk=child_id)
    if request.method == "POST":
        transfer = services.transfer_request(actor=actor, child=child)
        messages.success(request, "Making the package. We email you when it is ready.")
        return redirect("transfer_detail", transfer.key)
    recent = scope(actor, "transfer.view", Transfer.objects.filter(child=child))[:5]
    return render(request, "transfers/transfer_start.html", {"child": child, "recent": recent})


def _transfer(request, key) -> Transfer:
    return get_for(
        request.actor, "transfer.view", Transfer.objects.select_related("child"), key=key
    )


@requires("transfer.view")
def transfer_detail(request, key):
    """The package's progress (htmx asks again every two seconds) and its code."""
    transfer = _transfer(request, key)
    template = "transfers/_progress.html" if request.htmx else "transfers/transfer_detail.html"
    return render(request, template, {"transfer": transfer})


@requires("transfer.view")
@recent_check_required_always
def transfer_download(request, key):
    transfer = _transfer(request, key)
    if transfer.status != Transfer.Status.READY or not transfer.file:
        raise Http404
    name = slugify(f"{transfer.child.first_name} journal transfer") + ".zip"
    return private_download(transfer.file, filename=name, content_type="application/zip")


class ImportForm(Form):
    package = forms.FileField(
        label="The transfer package (.zip)",
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    code = forms.CharField(
        label="The transfer code",
        max_length=40,
        help_text="16 letters and digits, as XXXX-XXXX-XXXX-XXXX: the setting that sent "
        "the package gives it to you apart from the file.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


@requires("transfer.import", setting_wide=True)
def transfer_import(request):
    """Import a journal from another setting as a new child."""
    actor = request.actor
    form = ImportForm(request.POST or None, request.FILES or None)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        try:
            with tempfile.TemporaryDirectory(prefix="footsteps-import-") as folder:
                record = services.transfer_import(
                    actor=actor,
                    file=form.cleaned_data["package"],
                    code=form.cleaned_data["code"],
                    folder=Path(folder),
                )
        except ValidationError as error:
            duplicate = getattr(error, "existing", None)
            apply_validation_error(form, error)
        else:
            messages.success(request, f"{record.child.full_name}'s journal was imported.")
            return redirect("transfer_imported", record.pk)
    imported = scope(
        actor, "transfer.view_import", ImportedPackage.objects.select_related("child")
    )[:10]
    return render(
        request,
        "transfers/import.html",
        {"form": form, "duplicate": duplicate, "imported": imported},
    )


@requires("transfer.view_import")
def transfer_imported(request, package_pk):
    """What came with an imported package, and the family to invite."""
    record = get_for(
        request.actor,
        "transfer.view_import",
        ImportedPackage.objects.select_related("child", "imported_by__user"),
        pk=package_pk,
    )
    return render(request, "transfers/imported.html", {"record": record})
