"""Uploads and files for machine clients (R14, R19, R30, R31).

A file arrives in pieces: POST /uploads announces it, PUT /uploads/{key}
?offset=N sends each piece (raw bytes, at most `chunk_size`), and a broken
upload resumes from `received` (GET /uploads/{key}). Processing runs in the
background; the upload's `status` says when it is ready or why it failed.
Files are read through GET /media/{key}/file/{variant}, as the reader's
journal shows them (R28)."""

from typing import Annotated, Literal
from uuid import UUID

from django.http import Http404
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from footsteps.access.policy import require
from footsteps.api.common import BodyId, BodyIn, action, errors, text
from footsteps.audit.services import audit_read
from footsteps.media import delivery, selectors, services
from footsteps.media.models import Media

router = Router(tags=["media"])

Variant = Literal["thumbnail", "display", "video"]
ForChild = Query(
    None, pattern=r"^[0-9]{1,18}$", description="Staff: as this child's journal shows it."
)


# What a file route answers with: the file's own bytes.
_FILES = {
    "description": "The file (from S3: a 302 to a signed URL instead).",
    "content": {
        kind: {"schema": {"type": "string", "format": "binary"}}
        for kind in ("image/jpeg", "image/png", "image/webp", "video/mp4")
    },
}


class UploadIn(BodyIn):
    name: text(200) = Field(description="The file's name on the device (shown in messages).")
    size: Annotated[BodyId, Field(description="Bytes the whole file has.")]


class UploadOut(Schema):
    key: UUID
    name: str
    kind: str = Field(description='"photo" or "video" once processed; "" before.')
    status: str = Field(
        description="uploading, waiting, processing, ready, failed (see problem), "
        "needs_tools (the server lacks a program; kept for a retry)."
    )
    problem: str
    size: int
    received: int = Field(description="Bytes received: send the next piece from here.")
    chunk_size: int
    thumbnail_url: str | None


class MediaOut(Schema):
    key: UUID
    kind: str
    width: int | None
    height: int | None
    duration: float | None
    covered: bool = Field(description="Children in it are covered in this copy.")
    thumbnail_url: str
    display_url: str
    video_url: str | None
    download_url: str | None = Field(description="Absent where families may only view.")


class ChildrenIn(BodyIn):
    appears: Annotated[list[BodyId], Field(max_length=100)]
    left_out: Annotated[list[BodyId], Field(max_length=100)] = []


def _file_url(media, variant: str, journal) -> str:
    url = reverse("api:api_media_file", args=[media.key, variant])
    return url + (f"?for={next(iter(journal))}" if journal and len(journal) == 1 else "")


def media_out(media: Media, *, journal_of, may_download: bool) -> MediaOut | None:
    """A photo or video as the journal of `journal_of` shows it, or None."""
    copy = selectors.copy_for(media, journal_of)
    if copy is None or not media.is_ready:
        return None
    video = media.kind == Media.Kind.VIDEO and copy == selectors.ORIGINAL
    download = reverse("api:api_media_download", args=[media.key])
    return MediaOut(
        key=media.key,
        kind=media.kind,
        width=media.width,
        height=media.height,
        duration=media.duration,
        covered=copy == selectors.COVERED,
        thumbnail_url=_file_url(media, "thumbnail", journal_of),
        display_url=_file_url(media, "display", journal_of),
        video_url=_file_url(media, "video", journal_of) if video else None,
        download_url=download if may_download else None,
    )


def _upload_out(media: Media) -> UploadOut:
    ready = media.is_ready
    return UploadOut(
        key=media.key,
        name=media.name,
        kind=media.kind,
        status=media.status,
        problem=media.problem,
        size=media.size,
        received=media.received,
        chunk_size=services.CHUNK_SIZE,
        thumbnail_url=reverse("api:api_media_file", args=[media.key, "thumbnail"])
        if ready
        else None,
    )


def _own_upload(request, key: UUID) -> Media:
    media = selectors.media_by_key(request.actor, "media.view", key)
    if media is None or media.uploaded_by_id != request.actor.member.pk:
        raise Http404
    return media


@router.post(
    "/uploads", response={201: UploadOut, **errors(409, body=True)}, url_name="api_upload_start"
)
@action("media.upload", setting_wide=True)
def upload_start(request, data: UploadIn):
    """Announce a photo or video to send in pieces (JPEG, PNG, HEIC, WebP, MP4,
    MOV, within the setting's limits). Its key goes on an observation
    (`media`) or contribution once sent."""
    media = services.upload_start(actor=request.actor, name=data.name, size=data.size)
    return Status(201, _upload_out(media))


@router.get("/uploads/{key}", response={200: UploadOut, **errors(404)}, url_name="api_upload")
@action("media.view")
def upload(request, key: UUID):
    """Your upload: how much has arrived, and whether it is processed."""
    return _upload_out(_own_upload(request, key))


@router.put(
    "/uploads/{key}",
    response={200: UploadOut, **errors(404, 409, 413)},
    url_name="api_upload_chunk",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
@action("media.upload", setting_wide=True)
def upload_chunk(
    request,
    key: UUID,
    offset: int | None = Query(None, ge=0, le=10**12, description="Where the piece starts."),
):
    """Send the piece that starts at `offset` (the raw bytes as the body;
    without `offset`, it follows what has arrived). A piece for any other
    place answers 409 with where to go on (`received`)."""
    media = _own_upload(request, key)
    if offset is None:
        offset = media.received
    data = request.read(services.CHUNK_SIZE + 1)
    if len(data) > services.CHUNK_SIZE:
        return Status(413, {"detail": "Send pieces of at most 4 MB.", "errors": {}})
    try:
        media = services.upload_chunk(actor=request.actor, media=media, offset=offset, data=data)
    except services.OffsetConflict as conflict:
        return Status(
            409,
            {"detail": str(conflict), "errors": {"received": [str(conflict.received)]}},
        )
    return _upload_out(media)


@router.delete("/uploads/{key}", response={204: None, **errors(404)}, url_name="api_upload_remove")
@action("media.edit")
def upload_remove(request, key: UUID):
    """Remove a photo or video: yours before it is on an entry; staff, any."""
    media = selectors.media_by_key(request.actor, "media.view", key)
    if media is None:
        raise Http404
    services.remove(actor=request.actor, media=media)
    return Status(204, None)


@router.post(
    "/uploads/{key}/retry",
    response={200: UploadOut, **errors(404, 409)},
    url_name="api_upload_retry",
)
@action("media.edit")
def upload_retry(request, key: UUID):
    """Process a failed file again (after the server's tools are installed)."""
    media = selectors.media_by_key(request.actor, "media.view", key)
    if media is None:
        raise Http404
    return _upload_out(services.retry(actor=request.actor, media=media))


@router.put(
    "/media/{key}/children",
    response={200: UploadOut, **errors(404, body=True)},
    url_name="api_media_children",
)
@action("media.edit")
def media_children(request, key: UUID, data: ChildrenIn):
    """Staff say who appears in a photo, and whose journals leave it out (R28)."""
    media = selectors.media_by_key(request.actor, "media.view", key)
    if media is None:
        raise Http404
    require(request.actor, "media.edit", media)
    services.tag(actor=request.actor, media=media, appears=data.appears, left_out=data.left_out)
    return _upload_out(media)


@router.get(
    "/media/{key}/file/{variant}",
    response={200: bytes, 206: bytes, 302: None, **errors(404)},
    url_name="api_media_file",
    openapi_extra={"responses": {200: _FILES, 206: _FILES}},
)
@action("media.view")
def media_file(request, key: UUID, variant: Variant, for_: str | None = ForChild):
    """A thumbnail, display size or video, as your journal shows it (HTTP
    ranges for seeking; from S3, a redirect to a URL that expires in minutes)."""
    media = selectors.media_by_key(request.actor, "media.view", key)
    found = media and selectors.file_of(media, variant, selectors.journal_of(request.actor, for_))
    if not found:
        raise Http404
    name, content_type = found
    return delivery.serve(request, name, content_type, f"{key}{name[name.rfind('.') :]}")


@router.get(
    "/media/{key}/download",
    response={200: bytes, 302: None, **errors(404)},
    url_name="api_media_download",
    openapi_extra={"responses": {200: _FILES}},
)
@action("media.download")
def media_download(request, key: UUID, for_: str | None = ForChild):
    """The full-size file to save; 404 for families where the setting keeps
    them to viewing (R31)."""
    media = selectors.media_by_key(request.actor, "media.download", key)
    found = media and selectors.file_of(
        media, "download", selectors.journal_of(request.actor, for_)
    )
    if not found:
        raise Http404
    name, content_type = found
    audit_read(request.actor, "media.downloaded", media, every=60, media=str(media.key))
    return delivery.serve(
        request, name, content_type, f"{key}{name[name.rfind('.') :]}", download=True
    )
