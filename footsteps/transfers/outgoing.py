"""What a transfer package holds (R36), read through the policy as the
manager who asked sees the child's journal.

Every published entry about the child that is not deleted, oldest first, with
its replies in the child's own thread (never another family's), its areas of
learning, and its photos and videos as the child's own journal shows them: a
photo showing another child whose family has not agreed goes in its covered
copy or not at all (R28, the same rule as the journal and the PDF:
footsteps.media.selectors.file_of). An entry about other children too comes
without them: no names, no links, no replies of theirs (R5).

Memory stays bounded: entries are read CHUNK at a time and written out as
they come; the photos are copied from storage in pieces afterwards."""

import json
from collections.abc import Callable
from typing import BinaryIO
from uuid import UUID

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Prefetch

from footsteps.access.actor import Actor
from footsteps.access.policy import require, scope
from footsteps.assessments.models import Framework, ObservationMark
from footsteps.children.models import Child, ParentLink
from footsteps.journal.models import Comment, NextStep, Observation
from footsteps.journal.selectors import journal_entries
from footsteps.media.models import Media
from footsteps.media.selectors import file_of
from footsteps.transfers.package import JOURNAL, VERSION, PackageWriter, when

CHUNK = 100
SUFFIXES = {".jpg": ".jpg", ".jpeg": ".jpg", ".png": ".png", ".webp": ".webp", ".mp4": ".mp4"}


def _dumps(value) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def write_journal_package(
    *,
    actor: Actor,
    child: Child,
    out: BinaryIO,
    package_id: UUID,
    code: str,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, int]:
    """Write the child's transfer package into `out`; return (entries, files).
    `progress(done, total)` counts entries, then photos and videos."""
    require(actor, "transfer.export", child)
    entries = _entries(actor, child)
    exported = set(entries.values_list("pk", flat=True))
    candidates = Media.objects.ready().filter(observation_id__in=exported).count()
    total = len(exported) + candidates
    report = progress or (lambda done, total: None)
    report(0, total)
    frameworks = dict(
        scope(actor, "framework.view", Framework.objects.all()).values_list("pk", "key")
    )
    journal = frozenset([child.pk])
    files: list[tuple[str, str]] = []  # (path in the package, storage name)
    writer = PackageWriter(out)
    done = 0
    with writer.writing(JOURNAL) as write:
        head = {
            "format_version": VERSION,
            "child": _child(child),
            "families": _families(actor, child),
            "next_steps": _next_steps(child, exported),
        }
        write(_dumps(head)[:-1] + b', "entries": [')
        for number, entry in enumerate(entries.iterator(chunk_size=CHUNK)):
            media = []
            for item in entry.shown_media:
                stored = file_of(item, "download", journal)
                suffix = SUFFIXES.get(stored[0][stored[0].rfind(".") :].lower()) if stored else None
                if stored is None or suffix is None:
                    continue
                path = f"media/{len(files) + 1:05d}{suffix}"
                files.append((path, stored[0]))
                as_is = stored[0] in (item.original, item.video)
                media.append(
                    {
                        "path": path,
                        "kind": item.kind,
                        "name": item.name[:255],
                        "width": item.width if as_is else None,
                        "height": item.height if as_is else None,
                        "duration": item.duration,
                    }
                )
            data = _entry(entry, child, exported, frameworks, media)
            write((b", " if number else b"") + _dumps(data))
            done += 1
            report(done, total)
        write(b"]}")
    for path, name in files:
        with default_storage.open(name, "rb") as source:
            writer.copy(path, source)
        done += 1
        report(done, total)
    writer.finish(
        package_id=package_id, code=code, setting=child.setting.name, site=settings.SITE_URL
    )
    return len(exported), len(files)


def _entries(actor: Actor, child: Child):
    return (
        journal_entries(actor, child_id=child.pk, replies=True)
        .filter(status=Observation.Status.PUBLISHED)
        .prefetch_related(
            Prefetch("draws_on", queryset=Observation.objects.only("pk"), to_attr="drawn"),
            Prefetch(
                "marks",
                queryset=ObservationMark.objects.filter(child=child).select_related(
                    "band__framework"
                ),
                to_attr="child_marks",
            ),
        )
        .order_by("observed_at", "id")
    )


def _child(child: Child) -> dict:
    return {
        "first_name": child.first_name,
        "last_name": child.last_name,
        "date_of_birth": child.date_of_birth.isoformat(),
        "sex": child.sex,
        "send": child.send,
        "eal": child.eal,
        "eypp": child.eypp,
        "funded_two": child.funded_two,
    }


def _families(actor: Actor, child: Child) -> list[dict]:
    """The child's family as contacts for the new setting to invite."""
    links = scope(actor, "link.manage", ParentLink.objects.filter(child=child))
    return [
        {
            "name": link.parent.user.full_name,
            "email": link.parent.user.email,
            "relationship": link.relationship,
        }
        for link in links.select_related("parent__user").order_by("pk")
    ]


def _next_steps(child: Child, exported: set[int]) -> list[dict]:
    steps = NextStep.objects.filter(child=child).select_related("created_by__user")
    return [
        {
            "text": step.text,
            "author": step.author_display_name,
            "created_at": when(step.created_at),
            "achieved_at": when(step.achieved_at),
            "entry": f"e{step.observation_id}" if step.observation_id in exported else None,
        }
        for step in steps.order_by("created_at", "pk")
    ]


def _entry(entry: Observation, child: Child, exported, frameworks, media) -> dict:
    return {
        "id": f"e{entry.pk}",
        "kind": entry.kind,
        "source": entry.source,
        "title": entry.title,
        "notes": entry.notes,
        "next_steps": entry.next_steps,
        "sections": entry.sections or {},
        "observed_at": when(entry.observed_at),
        "created_at": when(entry.created_at),
        "published_at": when(entry.published_at),
        "author": entry.author_display_name,
        "staff_only": not entry.shared_with_parents,
        "tags": [
            {"framework": frameworks[tag.aspect.framework_id], "aspect": tag.aspect.key}
            for tag in entry.tags
            if tag.aspect.framework_id in frameworks
        ],
        "marks": [
            {
                "framework": mark.band.framework.key if mark.band else None,
                "band": mark.band.key if mark.band else None,
                "judgement": mark.judgement,
            }
            for mark in entry.child_marks
        ],
        "draws_on": [f"e{other.pk}" for other in entry.drawn if other.pk in exported],
        "replies": [
            {
                "author": reply.author_display_name,
                "created_at": when(reply.created_at),
                "body": reply.body,
                "staff_only": reply.staff_only,
            }
            for reply in entry.visible_comments
            if reply.child_id == child.pk and reply.status == Comment.Status.PUBLISHED
        ],
        "media": media,
    }
