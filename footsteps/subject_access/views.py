from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify

from footsteps.access.views import get_for, requires
from footsteps.children.models import Child
from footsteps.core.files import private_download
from footsteps.people.models import Membership
from footsteps.security.second_factor import recent_check_required, recent_check_required_always
from footsteps.subject_access import selectors, services
from footsteps.subject_access.models import SubjectAccessExport

RECENT = 5


@requires("subject_access.request")
@recent_check_required
def child_request(request, child_id):
    """Everything held about a child, from the child's page."""
    child = get_for(request.actor, "subject_access.request", Child.objects.all(), pk=child_id)
    return _request_page(request, child=child)


@requires("subject_access.request_person")
@recent_check_required
def person_request(request, membership_id):
    """Everything held about a parent or member of staff, from their page."""
    member = get_for(
        request.actor,
        "subject_access.request_person",
        Membership.objects.select_related("user"),
        pk=membership_id,
    )
    return _request_page(request, member=member)


def _request_page(request, *, child=None, member=None):
    actor = request.actor
    if request.method == "POST":
        export = services.subject_access_request(actor=actor, child=child, member=member)
        messages.success(request, "Gathering the records. We email you when the file is ready.")
        return redirect("subject_access_detail", export.key)
    kind = "child" if child is not None else ("parent" if member.is_parent else "staff")
    recent = selectors.exports_of(actor, child=child, member=member)[:RECENT]
    return render(
        request,
        "subject_access/request.html",
        {"child": child, "person": member, "kind": kind, "recent": recent},
    )


def _export(request, key) -> SubjectAccessExport:
    return get_for(
        request.actor,
        "subject_access.view",
        SubjectAccessExport.objects.select_related("subject_child", "subject_member__user"),
        key=key,
    )


@requires("subject_access.view")
def export_detail(request, key):
    """The export's progress: htmx asks again every two seconds until it is done."""
    export = _export(request, key)
    template = "subject_access/_progress.html" if request.htmx else "subject_access/detail.html"
    return render(request, template, {"export": export})


@requires("subject_access.view")
@recent_check_required_always
def export_download(request, key):
    export = _export(request, key)
    if export.status != SubjectAccessExport.Status.READY or not export.file:
        raise Http404
    services.subject_access_downloaded(actor=request.actor, export=export)
    made = timezone.localdate(export.finished_at or export.created_at)
    name = slugify(f"subject access {export.subject_name} {made:%Y-%m-%d}") + ".zip"
    return private_download(export.file, filename=name, content_type="application/zip")
