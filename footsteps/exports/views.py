from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.text import slugify

from footsteps.access.policy import scope
from footsteps.access.views import get_for, requires
from footsteps.audit.services import audit_read
from footsteps.children.models import Child
from footsteps.core.files import private_download
from footsteps.core.forms import Form, apply_validation_error
from footsteps.exports import services
from footsteps.exports.models import Export
from footsteps.security.second_factor import recent_check_required, recent_check_required_always


class JournalPdfForm(Form):
    start = forms.DateField(
        label="From (optional)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="To (optional)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    replies = forms.BooleanField(label="Include the replies", required=False)


@requires("journal_pdf.request")
@recent_check_required
def journal_pdf(request, child_id):
    """Ask for a child's journal as a PDF: the whole of it or a date range."""
    actor = request.actor
    child = get_for(actor, "journal_pdf.request", Child.objects.all(), pk=child_id)
    form = JournalPdfForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            export = services.journal_pdf_request(actor=actor, child=child, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Making the PDF. We email you when it is ready.")
            return redirect("export_detail", export.key)
    recent = scope(actor, "export.view", Export.objects.filter(child=child))[:5]
    return render(
        request, "exports/journal_pdf.html", {"child": child, "form": form, "recent": recent}
    )


def _export(request, key) -> Export:
    return get_for(request.actor, "export.view", Export.objects.select_related("child"), key=key)


@requires("export.view")
def export_detail(request, key):
    """The export's progress: htmx asks again every two seconds until it is done."""
    export = _export(request, key)
    template = "exports/_progress.html" if request.htmx else "exports/export_detail.html"
    return render(request, template, {"export": export})


@requires("export.view")
@recent_check_required_always
def export_download(request, key):
    export = _export(request, key)
    if export.status != Export.Status.READY or not export.file:
        raise Http404
    audit_read(request.actor, "export.downloaded", export.child, every=0, export=str(export.key))
    name = slugify(f"{export.child.first_name} learning journal") + ".pdf"
    return private_download(export.file, filename=name, content_type="application/pdf")
