"""The background work of exports: fetch by id, check state, do it."""

import logging
import tempfile
from pathlib import Path

from django.conf import settings
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
def make_journal_pdf(export_id: int) -> None:
    """Lay out the PDF as the person who asked may see the journal, keep it
    under a random name and tell them by email. Progress is saved as it goes
    for the page that shows it."""
    from footsteps.access.actor import Actor
    from footsteps.exports import pdf
    from footsteps.exports.models import Export

    Status = Export.Status
    claimed = Export.objects.filter(pk=export_id, status=Status.QUEUED).update(
        status=Status.RUNNING
    )
    if not claimed:
        return
    export = Export.objects.select_related(
        "child__setting", "requested_by__user", "requested_by__setting"
    ).get(pk=export_id)
    actor = Actor.of(export.requested_by)
    progress = progress_saver(Export.objects.filter(pk=export_id))

    try:
        with tempfile.TemporaryDirectory(prefix="footsteps-pdf-") as folder:
            out = Path(folder) / "journal.pdf"
            entries = pdf.journal_pdf(
                actor=actor,
                child=export.child,
                out=out,
                start=export.start,
                end=export.end,
                replies=export.replies,
                audience=export.audience,
                progress=progress,
            )
            with out.open("rb") as data:
                name = default_storage.save(f"exports/{export.key}.pdf", File(data))
    except Exception as error:  # a failed export is told, never lost silently
        log.exception("Journal PDF %s failed", export_id)
        Export.objects.filter(pk=export_id).update(
            status=Status.FAILED, problem=str(error)[:300], finished_at=timezone.now()
        )
        return
    Export.objects.filter(pk=export_id).update(
        status=Status.READY, file=name, entries=entries, finished_at=timezone.now()
    )
    user = export.requested_by.user
    send_mail(
        subject="[Footsteps] Your PDF journal is ready",
        message=render_to_string(
            "exports/email/ready.txt",
            {
                "person": user,
                "child": export.child,
                "link": settings.SITE_URL + reverse("export_detail", args=[export.key]),
            },
        ),
        from_email=None,
        recipient_list=[user.email],
    )
