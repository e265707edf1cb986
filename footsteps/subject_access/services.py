"""Subject access exports (R33, R35): asked for by a manager, made by a
background task (tasks.make_subject_access), kept for a week."""

from datetime import datetime, timedelta
from functools import partial

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from footsteps.access.actor import Actor
from footsteps.access.policy import require
from footsteps.audit.services import audit_act
from footsteps.children.models import Child
from footsteps.people.models import Membership
from footsteps.subject_access import tasks
from footsteps.subject_access.models import SubjectAccessExport

Kind = SubjectAccessExport.Kind
KEEP_DAYS = 7
FOLDER = "subject-access"


@transaction.atomic
def subject_access_request(
    *, actor: Actor, child: Child | None = None, member: Membership | None = None
) -> SubjectAccessExport:
    """Ask for everything held about a child (`child`) or a parent or member of
    staff (`member`) in the actor's setting; a task makes the ZIP and emails
    the manager when it is ready."""
    target: Child | Membership
    if child is not None and member is None:
        require(actor, "subject_access.request", child)
        kind, target = Kind.CHILD, child
    elif member is not None and child is None:
        require(actor, "subject_access.request_person", member)
        kind, target = (Kind.PARENT if member.is_parent else Kind.STAFF), member
    else:
        raise ValueError("Name either a child or a person.")
    export = SubjectAccessExport.objects.create(
        setting=actor.member.setting,
        requested_by=actor.member,
        kind=kind,
        subject_child=child,
        subject_member=member,
    )
    audit_act(actor, "subject_access.requested", target=target, kind=kind)
    transaction.on_commit(partial(tasks.make_subject_access.enqueue, export.pk))
    return export


@transaction.atomic
def subject_access_downloaded(*, actor: Actor, export: SubjectAccessExport) -> None:
    """Record who took a copy (R39): the file holds a whole record."""
    require(actor, "subject_access.view", export)
    target = export.subject_child or export.subject_member
    audit_act(actor, "subject_access.downloaded", target=target, kind=export.kind)


def storage_name(export: SubjectAccessExport) -> str:
    return f"{FOLDER}/{export.key}.zip"


def expire_subject_access(*, now: datetime | None = None) -> int:
    """Delete exports older than a week, file first (run with the daily purge):
    a whole record is not kept lying about. Also any file whose row is gone (its
    child or person deleted for good took the row with them)."""
    cutoff = (now or timezone.now()) - timedelta(days=KEEP_DAYS)
    old = list(SubjectAccessExport.objects.filter(created_at__lt=cutoff))
    for export in old:
        if export.file:
            default_storage.delete(export.file)
    SubjectAccessExport.objects.filter(pk__in=[export.pk for export in old]).delete()
    try:
        _folders, files = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return len(old)
    # By key, not by the file column: a task saves the file before it records it.
    kept = {str(key) for key in SubjectAccessExport.objects.values_list("key", flat=True)}
    for name in files:
        if name.split(".", 1)[0] not in kept:
            default_storage.delete(f"{FOLDER}/{name}")
    return len(old)
