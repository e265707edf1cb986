"""Moving a child's journal to another setting (R36): a manager asks for the
package (made in the background); the new setting's manager imports it.

An import checks the whole package first (footsteps.transfers.package), then
writes everything in one transaction: the child (linked to no family), the
entries with their dates and their authors' names, replies, next steps, areas
of learning, photos and videos. A file stored before a failure is deleted
again: nothing is ever half imported. Photos and videos are then processed as
uploads are (thumbnails, display sizes), their files kept byte for byte."""

import logging
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from footsteps.access.actor import Actor
from footsteps.access.policy import require
from footsteps.assessments.models import Aspect, Band, ObservationAspect, ObservationMark
from footsteps.assessments.selectors import frameworks_for
from footsteps.audit.services import audit_act
from footsteps.children import services as children
from footsteps.children.models import Child
from footsteps.journal.models import Comment, NextStep, Observation, ObservationChild
from footsteps.media.models import Media, MediaChild, Upload
from footsteps.media.services import _storage_name
from footsteps.transfers import package, tasks
from footsteps.transfers.models import ImportedPackage, Transfer
from footsteps.transfers.package import Package, Refused

KEEP_DAYS = 7
log = logging.getLogger(__name__)


@transaction.atomic
def transfer_request(*, actor: Actor, child: Child) -> Transfer:
    """Ask for a child's transfer package; a task makes it and emails the
    manager when it is ready. Its code is on the transfer's page."""
    require(actor, "transfer.export", child)
    transfer = Transfer.objects.create(
        setting=child.setting, child=child, requested_by=actor.member, code=package.new_code()
    )
    audit_act(actor, "transfer.exported", target=child, package=str(transfer.package_id))
    transaction.on_commit(partial(tasks.make_transfer.enqueue, transfer.pk))
    return transfer


def expire_transfers(*, now=None) -> int:
    """Delete packages older than a week, file first (run with the daily purge):
    a whole journal is not kept lying about."""
    cutoff = (now or timezone.now()) - timedelta(days=KEEP_DAYS)
    old = list(Transfer.objects.filter(created_at__lt=cutoff))
    for transfer in old:
        if transfer.file:
            default_storage.delete(transfer.file)
    Transfer.objects.filter(pk__in=[transfer.pk for transfer in old]).delete()
    return len(old)


class AlreadyImported(Refused):
    def __init__(self, existing: ImportedPackage):
        self.existing = existing
        when = timezone.localtime(existing.imported_at)
        child = existing.child
        named = "a child now in the deleted area" if child.deleted_at else child.full_name
        super().__init__("duplicate", f"Already imported on {when:%-d %B %Y} as {named}.")


def transfer_import(*, actor: Actor, file: BinaryIO, code: str, folder: Path) -> ImportedPackage:
    """Take a package into the actor's setting as a new child. `folder` is an
    empty local folder for the checked files (the caller removes it). Refused
    (a ValidationError) says why a package is not taken; the refusal is in the
    activity log, and nothing else is written."""
    require(actor, "transfer.import", actor.member.setting)
    try:
        normalised = package.normalise_code(code)
        if normalised is None:
            raise Refused(
                "bad_code", "Type the 16-character transfer code, as XXXX-XXXX-XXXX-XXXX."
            )
        found = package.read_package(file, normalised, folder)
        _not_imported_yet(actor, found)
        return _take_in(actor, found)
    except ValidationError as error:
        refused = (
            error if isinstance(error, Refused) else Refused("invalid", " ".join(error.messages))
        )
        # The reason only: a message may name a child, and the log is for ever.
        audit_act(actor, "transfer.refused", reason=refused.code)
        raise refused from None


def _not_imported_yet(actor: Actor, found: Package) -> None:
    # Whatever became of the child (the deleted area included): still imported.
    existing = (
        ImportedPackage.objects.select_related("child")
        .filter(setting=actor.member.setting, package_id=found.manifest.package_id)
        .first()
    )
    if existing is not None:
        raise AlreadyImported(existing)


def _take_in(actor: Actor, found: Package) -> ImportedPackage:
    written: list[str] = []

    def store(local: Path, name: str) -> str:
        with open(local, "rb") as data:
            stored = default_storage.save(name, File(data))
        written.append(stored)
        return stored

    try:
        with transaction.atomic():
            record = _rows(actor, found, store)
    except IntegrityError as error:  # the same package, imported at this very moment
        _delete(written)
        raise Refused("duplicate", "This package is being imported already.") from error
    except OSError as error:  # storage failed: a full disk, a bucket out of reach
        log.exception("Storing an imported journal failed")
        _delete(written)
        raise Refused(
            "storage",
            "The journal's files could not be stored, so nothing was imported. Try again; "
            "if it fails again, tell whoever runs Footsteps.",
        ) from error
    except BaseException:
        _delete(written)
        raise
    return record


def _delete(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _rows(actor: Actor, found: Package, store) -> ImportedPackage:
    journal, manifest = found.journal, found.manifest
    member = actor.member
    child = children.child_create(
        actor=actor,
        first_name=journal.child.first_name,
        last_name=journal.child.last_name,
        date_of_birth=journal.child.date_of_birth,
        sex=journal.child.sex,
        send=journal.child.send,
        eal=journal.child.eal,
        eypp=journal.child.eypp,
        funded_two=journal.child.funded_two,
    )
    entries = Observation.objects.bulk_create(
        Observation(
            setting=member.setting,
            kind=entry.kind,
            sections=dict(entry.sections),
            author=member,
            author_name=entry.author,
            source=entry.source,
            title=entry.title,
            notes=entry.notes,
            next_steps=entry.next_steps,
            observed_at=entry.observed_at,
            shared_with_parents=not entry.staff_only,
            status=Observation.Status.PUBLISHED,
            published_at=entry.published_at or entry.created_at,
        )
        for entry in journal.entries
    )
    by_id = {data.id: row for data, row in zip(journal.entries, entries, strict=True)}
    for data, row in zip(journal.entries, entries, strict=True):
        row.created_at = data.created_at  # kept: auto_now_add set it on insert
    Observation.objects.bulk_update(entries, ["created_at"], batch_size=500)
    ObservationChild.objects.bulk_create(
        ObservationChild(observation=row, child=child) for row in entries
    )
    Observation.draws_on.through.objects.bulk_create(
        Observation.draws_on.through(from_observation=by_id[data.id], to_observation=by_id[other])
        for data in journal.entries
        for other in dict.fromkeys(data.draws_on)
    )
    not_kept = _tags(actor, journal, by_id)
    _marks(actor, journal, by_id, child)
    replies = [
        (
            reply,
            Comment(
                observation=by_id[data.id],
                child=child,
                author=member,
                author_name=reply.author,
                body=reply.body,
                staff_only=reply.staff_only,
            ),
        )
        for data in journal.entries
        for reply in data.replies
    ]
    _keep_dates(Comment, replies)
    steps = [
        (
            step,
            NextStep(
                child=child,
                observation=by_id[step.entry] if step.entry else None,
                text=step.text,
                created_by=member,
                author_name=step.author,
                achieved_at=step.achieved_at,
                achieved_by=member if step.achieved_at else None,
            ),
        )
        for step in journal.next_steps
    ]
    _keep_dates(NextStep, steps)
    media = _media(actor, found, child, by_id, store)
    record = ImportedPackage.objects.create(
        setting=member.setting,
        package_id=manifest.package_id,
        child=child,
        imported_by=member,
        source_setting=manifest.source.setting,
        source_site=manifest.source.site,
        contacts=[family.model_dump() for family in journal.families],
        summary={
            "entries": len(entries),
            "replies": len(replies),
            "next_steps": len(steps),
            "media": len(media),
            "tags_not_kept": not_kept,
        },
    )
    audit_act(
        actor,
        "transfer.imported",
        target=child,
        package=str(manifest.package_id),
        source=manifest.source.setting,
        entries=len(entries),
        media=len(media),
    )
    from footsteps.media.tasks import process_media

    for item in media:
        transaction.on_commit(partial(process_media.enqueue, item.pk))
    return record


def _keep_dates(model, pairs) -> None:
    """Insert the rows, then give them back the dates they had (auto_now_add
    sets its own on insert)."""
    rows = model.objects.bulk_create(row for _data, row in pairs)
    for (data, _row), row in zip(pairs, rows, strict=True):
        row.created_at = data.created_at
    model.objects.bulk_update(rows, ["created_at"], batch_size=500)


def _by_key(actor: Actor, model) -> dict[tuple[str, str], int]:
    """Ids of the aspects or bands this setting can use, by (framework key,
    key); a shipped framework's first, before the setting's own of that key."""
    usable = model.objects.filter(framework__in=frameworks_for(actor, chosen_only=False))
    rows = usable.values_list("framework__setting_id", "framework__key", "key", "pk")
    known: dict[tuple[str, str], int] = {}
    for _setting, framework, key, pk in sorted(rows, key=lambda row: row[0] is not None):
        known.setdefault((framework, key), pk)
    return known


def _tags(actor: Actor, journal, by_id) -> list[str]:
    """Areas of learning by framework and aspect key, where this setting can
    use the framework (shipped, or its own with the same key); the others are
    named in the import's summary."""
    known = _by_key(actor, Aspect)
    links: list[ObservationAspect] = []
    not_kept: set[str] = set()
    for data in journal.entries:
        for tag in dict.fromkeys(data.tags):
            found = known.get((tag.framework, tag.aspect))
            if found is None:
                not_kept.add(f"{tag.framework}: {tag.aspect}")
            else:
                links.append(ObservationAspect(observation=by_id[data.id], aspect_id=found))
    ObservationAspect.objects.bulk_create(links)
    return sorted(not_kept)


def _marks(actor: Actor, journal, by_id, child: Child) -> None:
    """The child's band and judgement on each entry, where this setting can
    use the band's framework (the judgement alone otherwise)."""
    known = _by_key(actor, Band)
    ObservationMark.objects.bulk_create(
        ObservationMark(
            observation=by_id[data.id],
            child=child,
            band_id=known.get((mark.framework or "", mark.band or "")),
            judgement=mark.judgement,
        )
        for data in journal.entries
        for mark in data.marks
    )


def _media(actor: Actor, found: Package, child: Child, by_id, store) -> list[Media]:
    """Each file kept as it came (its original, or a video's MP4), and the same
    bytes once more as an upload waiting to be processed: processing makes the
    other sizes and leaves a file already kept alone."""
    member = actor.member
    made = []
    for data in found.journal.entries:
        for position, item in enumerate(data.media):
            local = found.media[item.path]
            size = local.stat().st_size
            row = Media(
                setting=member.setting,
                observation=by_id[data.id],
                uploaded_by=member,
                name=item.name or Path(item.path).name,
                kind=item.kind,
                status=Media.Status.WAITING,
                size=size,
                received=size,
                position=position,
            )
            variant = "video" if item.kind == Media.Kind.VIDEO else "original"
            setattr(row, variant, store(local, _storage_name(row, variant, Path(item.path).suffix)))
            piece = store(local, f"uploads/{row.key}/{0:015d}")
            made.append((row, piece))
    rows = Media.objects.bulk_create(row for row, _piece in made)
    Upload.objects.bulk_create(
        Upload(media=row, chunks=[piece]) for row, (_row, piece) in zip(rows, made, strict=True)
    )
    MediaChild.objects.bulk_create(MediaChild(media=row, child=child) for row in rows)
    return rows
