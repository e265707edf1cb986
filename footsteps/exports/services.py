"""PDF journals (R35, R36): asked for on a page, made by a background task."""

from datetime import date
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction

from footsteps.access.actor import Actor
from footsteps.access.policy import can, require
from footsteps.audit.services import audit_act
from footsteps.children.models import Child
from footsteps.exports import tasks
from footsteps.exports.models import Export


@transaction.atomic
def journal_pdf_request(
    *,
    actor: Actor,
    child: Child,
    start: date | None = None,
    end: date | None = None,
    replies: bool = False,
) -> Export:
    """Ask for a child's journal as a PDF; a task makes it and emails the
    person when it is ready. Staff get the staff's copy (staff-only entries
    marked); a family the one they see in their journal."""
    require(actor, "journal_pdf.request", child)
    if start and end and end < start:
        raise ValidationError({"end": "The end date is before the start date."})
    audience = "staff" if can(actor, "child.journal", child) else "family"
    export = Export.objects.create(
        setting=child.setting,
        child=child,
        requested_by=actor.member,
        start=start,
        end=end,
        replies=replies,
        audience=audience,
    )
    audit_act(actor, "export.pdf_requested", target=child, audience=audience)
    transaction.on_commit(partial(tasks.make_journal_pdf.enqueue, export.pk))
    return export


KEEP_DAYS = 7


def expire_exports(*, now=None) -> int:
    """Delete PDFs older than a week, file first (run with the daily purge):
    a journal printout is not kept lying about."""
    from datetime import timedelta

    from django.core.files.storage import default_storage
    from django.utils import timezone

    cutoff = (now or timezone.now()) - timedelta(days=KEEP_DAYS)
    old = list(Export.objects.filter(created_at__lt=cutoff))
    for export in old:
        if export.file:
            default_storage.delete(export.file)
    Export.objects.filter(pk__in=[export.pk for export in old]).delete()
    return len(old)
