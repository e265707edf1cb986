"""Reads for photos and videos, scoped by the policy (media.view), and the
one rule that decides which copy of a photo a journal shows (R28)."""

from dataclasses import dataclass

from django.db.models import Prefetch

from footsteps.access.policy import scope
from footsteps.children.models import Child
from footsteps.media.models import Media, MediaChild

ORIGINAL, COVERED = "original", "covered"


def media_for(actor, action: str = "media.view"):
    """Photos and videos the actor may see, with who is in them (2 queries
    when prefetched)."""
    links = MediaChild.objects.select_related("child").only(
        "media_id",
        "child_id",
        "appears",
        "covered",
        "left_out",
        "child__first_name",
        "child__image_consent",
    )
    return (
        scope(actor, action, Media.objects.filter(deleted_at__isnull=True))
        .prefetch_related(Prefetch("child_links", queryset=links))
        .order_by("position", "id")
    )


def media_prefetch(actor) -> Prefetch:
    """Each entry's photos and videos the actor may see, as `shown_media`."""
    return Prefetch("media", queryset=media_for(actor), to_attr="shown_media")


def _blocking(media: Media, journal_of) -> list[MediaChild]:
    return [
        link
        for link in media.child_links.all()
        if link.appears
        and link.child_id not in journal_of
        and link.child.image_consent != Child.ImageConsent.GRANTED
    ]


def copy_for(media: Media, journal_of) -> str | None:
    """Which copy of `media` the journal of the children `journal_of` shows:
    the original, the covered copy, or nothing. Another child appears in the
    original only while their family consents (R28); `journal_of=None` is a
    staff view of the entry itself, which shows the original."""
    if journal_of is None:
        return ORIGINAL
    links = {link.child_id: link for link in media.child_links.all()}
    if journal_of and all(links.get(c) is not None and links[c].left_out for c in journal_of):
        return None
    blocking = _blocking(media, journal_of)
    if not blocking:
        return ORIGINAL
    if media.redacted_display and all(link.covered for link in blocking):
        return COVERED
    return None


@dataclass(frozen=True)
class Conflict:
    media: Media
    journal: Child  # whose journal the photo would go in
    shows: Child  # whose family has not agreed


def consent_conflicts(observation) -> list[Conflict]:
    """Photos on the entry that would show a child in another child's journal
    without their family's consent (R28), covered children aside."""
    children = {link.child_id: link.child for link in observation.links.select_related("child")}
    media = (
        Media.objects.filter(observation=observation, deleted_at__isnull=True)
        .exclude(status=Media.Status.FAILED)
        .prefetch_related(
            Prefetch("child_links", queryset=MediaChild.objects.select_related("child"))
        )
    )
    conflicts = []
    for item in media:
        left_out = {link.child_id for link in item.child_links.all() if link.left_out}
        for journal_id, journal in children.items():
            if journal_id in left_out:
                continue
            if copy_for(item, {journal_id}) is None:
                conflicts += [
                    Conflict(item, journal, link.child)
                    for link in _blocking(item, {journal_id})
                    if not (link.covered and item.redacted_display)
                ]
    return conflicts


def waiting_for_tools(setting) -> list[str]:
    """What the server lacks to process files waiting in this setting (for
    the manager's page), e.g. "ffmpeg (Debian package ffmpeg)"."""
    problems = Media.objects.filter(
        setting=setting, status=Media.Status.NEEDS_TOOLS, deleted_at__isnull=True
    ).values_list("problem", flat=True)[:50]
    return sorted(set(problems))


_TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp", ".mp4": "video/mp4"}
VARIANTS = ("thumbnail", "display", "video")


def journal_of(actor, asked: str | None = None):
    """Whose journal a file is read in: a parent's own children always; staff
    name one child (`?for=`), or see the entry itself."""
    if actor.is_parent:
        return frozenset(actor.child_ids)
    if asked and asked.isdigit() and len(asked) < 19:
        return frozenset([int(asked)])
    return None


def file_of(media: Media, variant: str, journal) -> tuple[str, str] | None:
    """(storage name, content type) of the file a journal shows for `variant`
    ("thumbnail", "display", "video", "print": the display size as JPEG for
    PDFs, or "download": the full size), or None."""
    if not media.is_ready:
        return None
    copy = copy_for(media, journal)
    if copy is None:
        return None
    if copy == COVERED:
        names = {
            "thumbnail": media.redacted_thumbnail,
            "display": media.redacted_display,
            "print": media.redacted_print_copy,
            "download": media.redacted_display,
        }
    else:
        names = {
            "thumbnail": media.thumbnail,
            "display": media.display,
            "print": media.print_copy,
            "video": media.video,
            "download": media.video or media.original,
        }
    name = names.get(variant, "")
    if not name:
        return None
    return name, _TYPES.get(name[name.rfind(".") :], "application/octet-stream")


def media_by_key(actor, action: str, key):
    """One photo or video by key within the actor's scope, or None."""
    return media_for(actor, action).select_related("observation").filter(key=key).first()
