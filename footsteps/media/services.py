"""Writes for photos and videos: receiving uploads in pieces, processing them in
the background, putting them on entries, saying who appears in them, covering
children, retrying and removing. Each checks the policy itself."""

import logging
import shutil
import tempfile
from functools import partial
from pathlib import Path
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from footsteps.access.actor import Actor
from footsteps.access.policy import require, scope
from footsteps.audit.services import audit_act
from footsteps.media import processing, redaction
from footsteps.media.models import Media, MediaChild, Upload

log = logging.getLogger(__name__)

# Pieces of at most 4 MB: small enough to send again on nursery Wi-Fi, and to
# read from a request without holding a whole video in memory.
CHUNK_SIZE = 4 * 1024 * 1024
Status = Media.Status


class OffsetConflict(Exception):  # noqa: N818
    """A piece arrived for the wrong place: `received` says where to go on."""

    def __init__(self, received: int):
        self.received = received
        super().__init__(f"The upload has {received} bytes; send from there.")


def limits_for(setting) -> processing.Limits:
    return processing.Limits(
        max_megapixels=setting.media_max_megapixels,
        max_video_seconds=setting.media_max_video_seconds,
    )


def _storage_name(media: Media, variant: str, suffix: str) -> str:
    return f"media/{media.setting_id}/{media.key}/{variant}{suffix}"


@transaction.atomic
def upload_start(*, actor: Actor, name: str, size: int) -> Media:
    """A device announces a file it will send in pieces (R30: from the camera
    straight to the server, nothing kept on the device)."""
    setting = actor.member.setting
    require(actor, "media.upload", setting)
    name = Path(str(name).replace("\\", "/")).name.strip()[:200] or "file"
    limit = setting.media_max_mb * 1024 * 1024
    if size <= 0:
        raise ValidationError({"size": f"{name} is empty."})
    if size > limit:
        raise ValidationError(
            {
                "size": ValidationError(
                    f"{name} is {size / 1024 / 1024:.0f} MB; this setting takes files up to "
                    f"{setting.media_max_mb} MB.",
                    code="conflict",  # with the setting's limit: 409
                )
            }
        )
    media = Media.objects.create(setting=setting, uploaded_by=actor.member, name=name, size=size)
    Upload.objects.create(media=media)
    return media


def upload_chunk(*, actor: Actor, media: Media, offset: int, data: bytes) -> Media:
    """Store one piece at `offset` (where the last one ended); the last piece
    queues processing. A piece sent twice or out of place changes nothing
    (OffsetConflict says where to go on)."""
    with transaction.atomic():
        media = Media.objects.select_for_update().get(pk=media.pk)
        if media.uploaded_by_id != actor.member.pk or media.deleted_at:
            raise PermissionDenied
        if media.status != Status.UPLOADING:
            raise OffsetConflict(media.received)
        if offset != media.received:
            raise OffsetConflict(media.received)
        if not data or len(data) > CHUNK_SIZE or offset + len(data) > media.size:
            raise ValidationError(
                f"Send pieces of 1 byte to {CHUNK_SIZE // 1024 // 1024} MB, "
                f"{media.size} bytes in all.",
                code="conflict",  # with what the upload announced: 409
            )
        stored = default_storage.save(f"uploads/{media.key}/{offset:015d}", ContentFile(data))
        upload = Upload.objects.select_for_update().get(media=media)
        upload.chunks = [*upload.chunks, stored]
        upload.save(update_fields=["chunks", "updated_at"])
        media.received = offset + len(data)
        if media.received == media.size:
            media.status = Status.WAITING
            transaction.on_commit(lambda: _enqueue(media.pk))
        media.save(update_fields=["received", "status"])
    return media


def _enqueue(media_id: int) -> None:
    from footsteps.media.tasks import process_media

    process_media.enqueue(media_id)


def _discard_upload(media: Media) -> None:
    upload = Upload.objects.filter(media=media).first()
    if upload is None:
        return
    for name in upload.chunks:
        default_storage.delete(name)
    upload.delete()


def process(media_id: int) -> None:
    """The background task's work: put the pieces together, check and convert
    the file, keep the results. A refused file is dropped with the reason; a
    missing tool or a crash keeps the pieces, so the file can be tried again."""
    with transaction.atomic():
        media = (
            Media.objects.select_for_update()
            .select_related("setting")
            .filter(pk=media_id, status__in=[Status.WAITING, Status.NEEDS_TOOLS])
            .first()
        )
        if media is None or media.deleted_at:
            return
        media.status = Status.PROCESSING
        media.save(update_fields=["status"])
    upload = Upload.objects.get(media=media)
    with tempfile.TemporaryDirectory(prefix="footsteps-media-") as folder:
        source, out = Path(folder) / "source", Path(folder) / "out"
        out.mkdir()
        with open(source, "wb") as whole:
            for name in upload.chunks:
                with default_storage.open(name, "rb") as piece:
                    shutil.copyfileobj(piece, whole, 1024 * 1024)
        try:
            result = processing.process(source, out, limits_for(media.setting))
        except processing.Refused as refused:
            media.status, media.problem = Status.FAILED, f"{media.name} {refused}"[:300]
            media.save(update_fields=["status", "problem"])
            _discard_upload(media)
            return
        except processing.ToolsMissing as missing:
            media.status = Status.NEEDS_TOOLS
            media.problem = f"The server needs {missing} installed to process {media.name}."[:300]
            media.save(update_fields=["status", "problem"])
            return
        except Exception:
            log.exception("processing media %s failed", media.pk)
            media.status = Status.FAILED
            media.problem = f"{media.name} could not be processed. Try again."[:300]
            media.save(update_fields=["status", "problem"])
            return
        replaced = []
        for variant, (path, _type) in result.files.items():
            came = getattr(media, variant, "")
            if came and variant == "original" and not processing.has_metadata(source):
                # A photo moved from another setting stays byte for byte (R36),
                # if it carries nothing but the picture; otherwise it is replaced.
                continue
            if came:
                replaced.append(came)
            with open(path, "rb") as file:
                stored = default_storage.save(
                    _storage_name(media, variant, path.suffix), File(file)
                )
            setattr(media, variant, stored)
    media.kind, media.width, media.height = result.kind, result.width, result.height
    media.duration, media.status, media.problem = result.duration, Status.READY, ""
    media.save()
    for name in replaced:  # once nothing names them
        default_storage.delete(name)
    _discard_upload(media)


@transaction.atomic
def retry(*, actor: Actor, media: Media) -> Media:
    require(actor, "media.edit", media)
    if not media.can_retry:
        raise ValidationError(
            "This file cannot be tried again: send it again instead.", code="conflict"
        )
    media.status, media.problem = Status.WAITING, ""
    media.save(update_fields=["status", "problem"])
    transaction.on_commit(lambda: _enqueue(media.pk))
    return media


@transaction.atomic
def remove(*, actor: Actor, media: Media) -> None:
    """Take a photo or video off its entry and out of every journal, into the
    deleted area (R34): the files go when it is purged."""
    from footsteps.records.services import media_delete

    media_delete(actor=actor, media=media)
    _discard_upload(media)


def attach(*, actor: Actor, observation, keys) -> list[Media]:
    """Put the actor's own uploads (by key) on an entry: every child of the
    entry is taken to appear in them until staff say otherwise (R28)."""
    try:
        keys = [UUID(str(key)) for key in keys]
    except ValueError as error:
        raise ValidationError(
            {"media": ValidationError("An upload could not be found.", code="not_found")}
        ) from error
    if not keys:
        return []
    found = scope(actor, "media.edit", Media.objects.all()).filter(
        key__in=keys, observation__isnull=True, uploaded_by=actor.member
    )
    by_key = {item.key: item for item in found}
    if len(by_key) != len(set(keys)):
        raise ValidationError(
            {
                "media": ValidationError(
                    "An upload could not be found: send it again.", code="not_found"
                )
            }
        )
    start = Media.objects.filter(observation=observation).count()
    children = list(observation.links.values_list("child_id", flat=True))
    attached = []
    for position, key in enumerate(dict.fromkeys(keys), start=start):
        item = by_key[key]
        item.observation, item.position = observation, position
        item.save(update_fields=["observation", "position"])
        attached.append(item)
    MediaChild.objects.bulk_create(
        MediaChild(media=item, child_id=child) for item in attached for child in children
    )
    return attached


def _children(actor: Actor, ids) -> set[int]:
    from footsteps.children.selectors import children_for

    ids = {int(i) for i in ids}
    found = set(children_for(actor, "child.view").filter(pk__in=ids).values_list("pk", flat=True))
    if found != ids:
        raise ValidationError(
            {"children": ValidationError("A child could not be found.", code="not_found")}
        )
    return found


@transaction.atomic
def tag(*, actor: Actor, media: Media, appears, left_out=()) -> Media:
    """Say who appears in a photo, and whose journals it is left out of."""
    require(actor, "media.edit", media)
    appears, left_out = _children(actor, appears), _children(actor, left_out)
    links = {link.child_id: link for link in MediaChild.objects.filter(media=media)}
    for child_id in appears | left_out | set(links):
        link = links.get(child_id) or MediaChild(media=media, child_id=child_id)
        link.appears, link.left_out = child_id in appears, child_id in left_out
        link.covered = link.covered and link.appears
        link.save()
    audit_act(
        actor,
        "media.tag",
        media.observation,
        media=str(media.key),
        appears=sorted(appears),
        left_out=sorted(left_out),
    )
    return media


@transaction.atomic
def redact(*, actor: Actor, media: Media, regions, covered) -> Media:
    """Cover regions of a photo (faces) in the copy other children's journals
    get; `covered` names the children those regions hide (R28). The original
    stays as it was, for the journals of the children in it. No regions: the
    covered copy goes."""
    require(actor, "media.edit", media)
    if media.kind != Media.Kind.PHOTO or not media.is_ready:
        raise ValidationError("Only a processed photo can be covered.")
    boxes = redaction.parse_regions(regions)
    covered = _children(actor, covered) if boxes else set()
    old = [media.redacted_display, media.redacted_thumbnail, media.redacted_print_copy]
    if boxes:
        display, thumbnail, printed = redaction.make_copies(media, boxes)
        media.redacted_display = default_storage.save(
            _storage_name(media, "covered-display", ".webp"), ContentFile(display)
        )
        media.redacted_thumbnail = default_storage.save(
            _storage_name(media, "covered-thumbnail", ".webp"), ContentFile(thumbnail)
        )
        media.redacted_print_copy = default_storage.save(
            _storage_name(media, "covered-print", ".jpg"), ContentFile(printed)
        )
    else:
        media.redacted_display = media.redacted_thumbnail = media.redacted_print_copy = ""
    media.redaction = [box._asdict() for box in boxes]
    media.save(
        update_fields=[
            "redacted_display",
            "redacted_thumbnail",
            "redacted_print_copy",
            "redaction",
        ]
    )
    for name in old:
        if name:
            transaction.on_commit(partial(default_storage.delete, name))
    MediaChild.objects.filter(media=media).update(covered=False)
    MediaChild.objects.filter(media=media, child_id__in=covered, appears=True).update(covered=True)
    audit_act(
        actor, "media.cover", media.observation, media=str(media.key), covered=sorted(covered)
    )
    return media
