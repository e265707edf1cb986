"""The background work of transfers: fetch by id, check state, do it."""

import logging
import tempfile

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
def make_transfer(transfer_id: int) -> None:
    """Write the package as the manager who asked sees the journal, keep it
    under a random name and tell them by email (never the code: it travels
    apart from the file). Progress is saved as it goes for the page."""
    from footsteps.access.actor import Actor
    from footsteps.transfers.models import Transfer
    from footsteps.transfers.outgoing import write_journal_package

    Status = Transfer.Status
    claimed = Transfer.objects.filter(pk=transfer_id, status=Status.QUEUED).update(
        status=Status.RUNNING
    )
    if not claimed:
        return
    transfer = Transfer.objects.select_related(
        "child__setting", "requested_by__user", "requested_by__setting"
    ).get(pk=transfer_id)
    progress = progress_saver(Transfer.objects.filter(pk=transfer_id))

    try:
        with tempfile.TemporaryFile(prefix="footsteps-transfer-") as out:
            entries, photos = write_journal_package(
                actor=Actor.of(transfer.requested_by),
                child=transfer.child,
                out=out,
                package_id=transfer.package_id,
                code=transfer.code,
                progress=progress,
            )
            out.seek(0)
            name = default_storage.save(f"transfers/{transfer.key}.zip", File(out))
    except Exception as error:  # a failed package is told, never lost silently
        log.exception("Transfer package %s failed", transfer_id)
        Transfer.objects.filter(pk=transfer_id).update(
            status=Status.FAILED, problem=str(error)[:300], finished_at=timezone.now()
        )
        return
    Transfer.objects.filter(pk=transfer_id).update(
        status=Status.READY,
        file=name,
        entries=entries,
        photos=photos,
        finished_at=timezone.now(),
    )
    user = transfer.requested_by.user
    send_mail(
        subject="[Footsteps] The transfer package of a journal is ready",
        message=render_to_string(
            "transfers/email/ready.txt",
            {
                "person": user,
                "child": transfer.child,
                "link": settings.SITE_URL + reverse("transfer_detail", args=[transfer.key]),
            },
        ),
        from_email=None,
        recipient_list=[user.email],
    )
