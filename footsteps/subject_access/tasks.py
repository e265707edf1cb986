"""The background work of subject access exports: fetch by id, check state, do it."""

import logging
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from footsteps.core.files import progress_saver

log = logging.getLogger(__name__)


@task()
def make_subject_access(export_id: int) -> None:
    """Gather the records as the manager who asked may read them, keep the ZIP
    under a random name and tell them by email. Progress is saved as it goes
    for the page that shows it."""
    from footsteps.people.models import Membership
    from footsteps.subject_access import archive, services
    from footsteps.subject_access.models import SubjectAccessExport

    Status = SubjectAccessExport.Status
    claimed = SubjectAccessExport.objects.filter(pk=export_id, status=Status.QUEUED).update(
        status=Status.RUNNING
    )
    if not claimed:
        return
    export = SubjectAccessExport.objects.select_related(
        "setting",
        "requested_by__user",
        "requested_by__setting",
        "subject_child__room",
        "subject_child__key_person__user",
        "subject_member__user",
    ).get(pk=export_id)
    saver = progress_saver(SubjectAccessExport.objects.filter(pk=export_id))

    def progress(percent: int) -> None:
        saver(percent, 100)

    try:
        if export.requested_by.status != Membership.Status.ACTIVE:
            raise PermissionDenied("The manager who asked no longer has access.")
        with tempfile.TemporaryDirectory(prefix="footsteps-subject-access-") as folder:
            out = Path(folder) / "export.zip"
            archive.make_archive(export=export, out=out, progress=progress)
            with out.open("rb") as data:
                name = default_storage.save(services.storage_name(export), File(data))
    except Exception as error:  # a failed export is told, never lost silently
        log.exception("Subject access export %s failed", export_id)
        problem = str(error) or "You may no longer ask for this export."
        SubjectAccessExport.objects.filter(pk=export_id).update(
            status=Status.FAILED, problem=problem[:300], finished_at=timezone.now()
        )
        return
    SubjectAccessExport.objects.filter(pk=export_id).update(
        status=Status.READY, file=name, done=100, total=100, finished_at=timezone.now()
    )
    user = export.requested_by.user
    send_mail(
        subject="[Footsteps] The subject access export is ready",
        message=render_to_string(
            "subject_access/email/ready.txt",
            {
                "person": user,
                "export": export,
                "link": settings.SITE_URL + reverse("subject_access_detail", args=[export.key]),
            },
        ),
        from_email=None,
        recipient_list=[user.email],
    )
