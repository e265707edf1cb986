"""What a subject access export holds, read through the policy (R5, R28, R33).

A child's export holds the child's record, family, consents, every entry kept
about them (staff-only ones and drafts too, marked), their thread of replies,
next steps, assessments and photos; a parent's their account, links,
agreements, their own words and uploads; a member of staff's their account and
what they did, without the children's data (ids and counts only). Only the
setting the manager acts in is ever read (the policy's InSetting rules).

Another child is never named: an entry about several children says "Amy and 1
other child", as the family's journal does (R5), and a photo that shows a child
whose family has not agreed comes as the covered copy or not at all, by the
same rule the journal and the PDF use (media.selectors.copy_for, R28).

Long lists are `Rows`: read CHUNK at a time and written out as they come, so
memory stays bounded whatever the record's size. The files to put beside the
data are gathered as the lists are read (`Records.files`).
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePosixPath

from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.utils import timezone

from footsteps.access.actor import Actor
from footsteps.access.policy import require, scope
from footsteps.assessments.models import Assessment, ObservationMark
from footsteps.assessments.selectors import check_areas, tags_prefetch
from footsteps.audit import sealing
from footsteps.audit.models import AuditEvent
from footsteps.children.models import Child, ParentLink
from footsteps.journal.models import Comment, NextStep, Observation, ObservationChild
from footsteps.media.models import Media
from footsteps.media.selectors import copy_for, file_of, media_for
from footsteps.people.models import ApiToken, Membership
from footsteps.subject_access.models import SubjectAccessExport
from footsteps.tenancy.models import AgreementAcceptance

CHUNK = 100
SIGN_IN_ACTIONS = ("user.signed_in", "user.sign_in_failed")
OTHERS_ENTRY = "An entry about your child and others"


@dataclass
class Rows:
    """A list written out item by item; `count` (known before) drives progress."""

    items: Iterable[dict]
    count: int


@dataclass(frozen=True)
class StoredFile:
    name: str  # its name in the ZIP
    stored: str  # its storage name


@dataclass
class Records:
    subject: dict
    sections: dict  # data.json's sections after the header, in order
    files: list[StoredFile] = field(default_factory=list)
    journal_of: Child | None = None  # whose journal goes in as a PDF

    @property
    def rows(self) -> int:
        return sum(value.count for value in self.sections.values() if isinstance(value, Rows))


def records_for(actor: Actor, export: SubjectAccessExport) -> Records:
    child, member = export.subject_child, export.subject_member
    if child is not None:
        return child_records(actor, child)
    if member is None:
        raise ValueError("An export is about a child or a person.")
    if export.kind == SubjectAccessExport.Kind.PARENT:
        return parent_records(actor, member)
    return staff_records(actor, member)


def exports_of(actor: Actor, *, child: Child | None = None, member: Membership | None = None):
    """The exports made about this child or person that the actor may open."""
    made = SubjectAccessExport.objects.filter(subject_child=child, subject_member=member)
    return scope(actor, "subject_access.view", made).order_by("-created_at", "-id")


# --- Shared pieces -------------------------------------------------------------------


def _when(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _day(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _others(count: int) -> str:
    return f"{count} other child{'' if count == 1 else 'ren'}"


def _about(names: list[str], others: int) -> str:
    """Who an entry is about, in the family journal's words: named children
    first, then how many others, never who (R5)."""
    named = ", ".join(names)
    if not others:
        return named
    return f"{named} and {_others(others)}" if named else _others(others)


def _suffix(stored: str) -> str:
    return PurePosixPath(stored).suffix.lower()


def _account(actor: Actor, member: Membership) -> dict:
    """The name this setting knows them by (never one from another setting) and
    their last sign-in as this setting's log has it."""
    last = (
        scope(actor, "audit.view", AuditEvent.objects.filter(actor_id=member.user_id))
        .filter(action="user.signed_in")
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return {
        "name": member.display_name,
        "email": member.user.email,
        "role": member.role,
        "role_name": member.get_role_display(),
        "status": member.status,
        "status_name": member.get_status_display(),
        "registered_at": _when(member.created_at),
        "joined_at": _when(member.joined_at),
        "last_sign_in": _when(last),
    }


def _agreements(member: Membership) -> list[dict]:
    acceptances = (
        AgreementAcceptance.objects.filter(membership=member)
        .select_related("agreement")
        .order_by("accepted_at", "id")
    )
    return [
        {
            "for": acceptance.agreement.audience,
            "version": acceptance.agreement.version,
            "accepted_at": _when(acceptance.accepted_at),
            "consents_to_journal": acceptance.journal_consent,
        }
        for acceptance in acceptances
    ]


def _api_keys(member: Membership) -> list[dict]:
    """Names and dates only: the secret is never stored, its hash never shown."""
    return [
        {
            "name": token.name,
            "created_at": _when(token.created_at),
            "expires_at": _when(token.expires_at),
            "last_used_at": _when(token.last_used_at),
            "revoked_at": _when(token.revoked_at),
        }
        for token in ApiToken.objects.filter(membership=member).order_by("created_at", "id")
    ]


def _activity(actor: Actor, member: Membership) -> Rows:
    """What they did in this setting, in the activity log's words; no targets,
    so no child is named."""
    events = (
        scope(actor, "audit.view", AuditEvent.objects.filter(actor_id=member.user_id))
        .order_by("created_at", "id")
        .only("action", "created_at")
    )
    items = (
        {"action": event.action, "what": event.description, "at": _when(event.created_at)}
        for event in events.iterator(chunk_size=CHUNK)
    )
    return Rows(items, events.count())


def _consent(child: Child) -> dict:
    return {
        "choice": child.image_consent,
        "meaning": child.get_image_consent_display(),
        "changed_at": _when(child.image_consent_changed_at),
    }


def _media_item(item: Media, name: str | None, copy: str | None) -> dict:
    return {"kind": item.kind, "file": name, "copy": copy, "uploaded_at": _when(item.created_at)}


# --- A child ---------------------------------------------------------------------------


def child_records(actor: Actor, child: Child) -> Records:
    require(actor, "subject_access.request", child)
    entries = _child_entries(actor, child)
    records = Records(
        subject={"kind": "child", "id": child.pk, "name": child.full_name},
        sections={},
        journal_of=child,
    )
    records.sections = {
        "child": _child_details(child),
        "family": _family(actor, child),
        "consents": {"photos_in_other_journals": _consent(child)},
        "entries": Rows(_child_entry_rows(actor, child, entries, records.files), entries.count()),
        "next_steps": _next_steps(child),
        "assessments": _assessments(actor, child),
    }
    return records


def _child_details(child: Child) -> dict:
    return {
        "id": child.pk,
        "first_name": child.first_name,
        "last_name": child.last_name,
        "date_of_birth": _day(child.date_of_birth),
        "status": child.status,
        "status_name": child.get_status_display(),
        "joined_on": _day(child.joined_on),
        "left_on": _day(child.left_on),
        "room": child.room.name if child.room else None,
        "key_person": child.key_person.display_name if child.key_person else None,
        "sex": child.sex or None,
        "send": child.send,
        "eal": child.eal,
        "eypp": child.eypp,
        "funded_two": child.funded_two,
        "recorded_at": _when(child.created_at),
    }


def _family(actor: Actor, child: Child) -> list[dict]:
    acceptances = (
        AgreementAcceptance.objects.filter(agreement__audience="parent")
        .select_related("agreement")
        .order_by("-accepted_at", "-id")
    )
    links = (
        scope(actor, "link.manage", ParentLink.objects.filter(child=child))
        .select_related("parent__user")
        .prefetch_related(
            Prefetch("parent__acceptances", acceptances, to_attr="family_acceptances")
        )
        .order_by("created_at", "id")
    )
    family = []
    for link in links:
        latest = link.parent.family_acceptances[:1]
        family.append(
            {
                "name": link.parent.display_name,
                "relationship": link.relationship,
                "relationship_name": link.get_relationship_display(),
                "linked_at": _when(link.created_at),
                "agreement": {
                    "version": latest[0].agreement.version,
                    "accepted_at": _when(latest[0].accepted_at),
                    "consents_to_journal": latest[0].journal_consent,
                }
                if latest
                else None,
            }
        )
    return family


def _child_entries(actor: Actor, child: Child):
    """Every entry kept about the child (subject_access.entries: whatever its
    state, never a deleted one), oldest first, with this child's thread of
    replies and mark, the entry's photos and how many children it is about."""
    children = (
        ObservationChild.objects.filter(observation=OuterRef("pk"))
        .order_by()
        .values("observation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    replies = (
        scope(actor, "comment.view", Comment.objects.filter(child=child))
        .select_related("author__user")
        .order_by("created_at", "id")
    )
    marks = ObservationMark.objects.filter(child=child).select_related("band")
    about_child = Observation.objects.filter(links__child=child).only("id")
    return (
        scope(actor, "subject_access.entries", Observation.objects.filter(links__child=child))
        .select_related("author__user")
        .annotate(child_count=Subquery(children))
        .prefetch_related(
            tags_prefetch(),
            Prefetch("comments", replies, to_attr="child_replies"),
            Prefetch("marks", marks, to_attr="child_marks"),
            Prefetch("media", media_for(actor, "media.download"), to_attr="files"),
            Prefetch("draws_on", about_child, to_attr="drawn_on"),
        )
        .order_by("observed_at", "id")
    )


def _child_entry_rows(actor, child, entries, files: list[StoredFile]) -> Iterator[dict]:
    journal = frozenset([child.pk])
    areas = None
    for entry in entries.iterator(chunk_size=CHUNK):
        if entry.kind == Observation.Kind.PROGRESS_CHECK and areas is None:
            areas = {area.key: area.name for area in check_areas(actor)}
        media, withheld = [], 0
        for position, item in enumerate(entry.files, start=1):
            stored = file_of(item, "download", journal)
            if stored is None:
                if item.is_ready:  # kept out for another child's sake (R28)
                    withheld += 1
                continue
            name = f"media/entry-{entry.pk}-{position}{_suffix(stored[0])}"
            files.append(StoredFile(name, stored[0]))
            media.append(_media_item(item, name, copy_for(item, journal)))
        mark = entry.child_marks[0] if entry.child_marks else None
        yield {
            "id": entry.pk,
            "kind": entry.kind,
            "kind_name": entry.get_kind_display(),
            "title": entry.title,
            "notes": entry.notes,
            "sections": [
                {"area": (areas or {}).get(key, key), "text": text}
                for key, text in entry.sections.items()
            ],
            "observed_at": _when(entry.observed_at),
            "entered_at": _when(entry.created_at),
            "published_at": _when(entry.published_at),
            "status": entry.status,
            "status_name": entry.get_status_display(),
            "from": "family" if entry.source == Observation.Source.PARENT else "staff",
            "author": entry.author_display_name,
            "staff_only": not entry.shared_with_parents,
            "late": entry.is_late,
            "next_steps": entry.next_steps,
            "review_note": entry.review_note,
            "about": _about([child.first_name], entry.child_count - 1),
            "other_children": entry.child_count - 1,
            "learning": [
                {"area": tag.aspect.area.name, "aspect": tag.aspect.name} for tag in entry.tags
            ],
            "mark": {
                "band": mark.band.name if mark.band else None,
                "judgement": mark.judgement or None,
            }
            if mark
            else None,
            "draws_on": [drawn.pk for drawn in entry.drawn_on],
            "media": media,
            "media_withheld": withheld,
            "replies": [
                {
                    "id": reply.pk,
                    "author": reply.author_display_name,
                    "written_at": _when(reply.created_at),
                    "text": reply.body,
                    "status": reply.status,
                    "status_name": reply.get_status_display(),
                    "staff_only": reply.staff_only,
                    "removed_reason": reply.removed_reason,
                }
                for reply in entry.child_replies
            ],
        }


def _next_steps(child: Child) -> list[dict]:
    steps = (
        NextStep.objects.filter(child=child)
        .select_related("created_by__user", "achieved_by__user")
        .order_by("created_at", "id")
    )
    return [
        {
            "id": step.pk,
            "text": step.text,
            "entry_id": step.observation_id,
            "added_by": step.author_display_name,
            "added_at": _when(step.created_at),
            "achieved_at": _when(step.achieved_at),
            "achieved_by": step.achieved_by.display_name if step.achieved_by else None,
        }
        for step in steps
    ]


def _assessments(actor: Actor, child: Child) -> list[dict]:
    about_child = Observation.objects.filter(links__child=child).only("id")
    rows = (
        scope(actor, "assessment.view", Assessment.objects.filter(child=child))
        .select_related("period__framework", "aspect__area", "band", "recorded_by__user")
        .prefetch_related(Prefetch("evidence", about_child, to_attr="child_evidence"))
        .order_by("period__assessed_on", "period_id", "aspect__area__order", "aspect__order")
    )
    return [
        {
            "point": row.period.name,
            "assessed_on": _day(row.period.assessed_on),
            "shared_with_family": row.period.shared_with_parents,
            "framework": row.period.framework.name,
            "area": row.aspect.area.name,
            "aspect": row.aspect.name,
            "band": row.band.name if row.band else None,
            "judgement": row.period.framework.judgement_name(row.judgement)
            if row.judgement
            else None,
            "on_track": row.on_track,
            "recorded_by": row.recorded_by.display_name,
            "updated_at": _when(row.updated_at),
            "evidence": [entry.pk for entry in row.child_evidence],
        }
        for row in rows
    ]


# --- A parent or carer -----------------------------------------------------------------


def parent_records(actor: Actor, member: Membership) -> Records:
    """Nothing about any child but their own: another child is counted, never
    named, and a reply on an entry about other children too shows neither the
    entry's title nor its date."""
    require(actor, "subject_access.request_person", member)
    links = list(
        scope(actor, "link.manage", ParentLink.objects.filter(parent=member))
        .filter(child__deleted_at__isnull=True)
        .select_related("child")
        .order_by("child__first_name", "id")
    )
    own = {link.child_id: link.child for link in links}
    records = Records(
        subject={"kind": "parent", "id": member.pk, "name": member.display_name},
        sections={},
    )
    contributions = _contributions(actor, member)
    replies = (
        scope(actor, "comment.view", Comment.objects.filter(author=member))
        .select_related("observation")
        .prefetch_related(Prefetch("observation__links", _links(), to_attr="all_links"))
        .order_by("created_at", "id")
    )
    uploads = media_for(actor, "media.download").filter(uploaded_by=member)
    records.sections = {
        "account": _account(actor, member),
        "children": [
            {
                "first_name": link.child.first_name,
                "relationship": link.relationship,
                "relationship_name": link.get_relationship_display(),
                "linked_at": _when(link.created_at),
                "attending": link.child.is_active,
                "photos_in_other_journals": _consent(link.child),
            }
            for link in links
        ],
        "agreements": _agreements(member),
        "contributions": Rows(_contribution_rows(contributions, own), contributions.count()),
        "replies": Rows(_reply_rows(replies, own), replies.count()),
        "media": Rows(_upload_rows(uploads, own, records.files), uploads.count()),
        "email_preferences": {
            "journal_emails": member.journal_emails,
            "meaning": member.get_journal_emails_display(),
        },
        "api_keys": _api_keys(member),
        "activity": _activity(actor, member),
    }
    return records


def _links():
    return ObservationChild.objects.only("observation_id", "child_id")


def _contributions(actor: Actor, member: Membership):
    return (
        scope(
            actor,
            "subject_access.entries",
            Observation.objects.filter(author=member, source=Observation.Source.PARENT),
        )
        .prefetch_related(Prefetch("links", _links(), to_attr="all_links"))
        .order_by("observed_at", "id")
    )


def _own_words(entry, own: dict[int, Child]) -> str:
    ids = [link.child_id for link in entry.all_links]
    names = sorted(own[child_id].first_name for child_id in ids if child_id in own)
    return _about(names, len(ids) - len(names))


def _contribution_rows(entries, own: dict[int, Child]) -> Iterator[dict]:
    for entry in entries.iterator(chunk_size=CHUNK):
        yield {
            "id": entry.pk,
            "title": entry.title,
            "notes": entry.notes,
            "about": _own_words(entry, own),
            "observed_at": _when(entry.observed_at),
            "sent_at": _when(entry.created_at),
            "status": entry.status,
            "status_name": entry.get_status_display(),
            "reason": entry.review_note,
        }


def _reply_rows(replies, own: dict[int, Child]) -> Iterator[dict]:
    for reply in replies.iterator(chunk_size=CHUNK):
        entry = reply.observation
        only_theirs = all(link.child_id in own for link in entry.all_links)
        child = own.get(reply.child_id)
        yield {
            "id": reply.pk,
            "text": reply.body,
            "written_at": _when(reply.created_at),
            "status": reply.status,
            "status_name": reply.get_status_display(),
            "removed_reason": reply.removed_reason,
            "child": child.first_name if child else None,
            "entry": {
                "described": entry.title if only_theirs else OTHERS_ENTRY,
                "title": entry.title if only_theirs else None,
                "observed_at": _when(entry.observed_at) if only_theirs else None,
            },
        }


def _upload_rows(uploads, own: dict[int, Child], files: list[StoredFile]) -> Iterator[dict]:
    """Their photos and videos, as their own children's journals show them."""
    journal = frozenset(own)
    for item in uploads.order_by("created_at", "id").iterator(chunk_size=CHUNK):
        stored = file_of(item, "download", journal)
        if stored is None:
            # Not processed, or it shows a child whose family has not agreed.
            row = _media_item(item, None, None)
        else:
            name = f"media/upload-{item.pk}{_suffix(stored[0])}"
            files.append(StoredFile(name, stored[0]))
            row = _media_item(item, name, copy_for(item, journal))
        yield {**row, "entry_id": item.observation_id}


# --- A member of staff -----------------------------------------------------------------


def staff_records(actor: Actor, member: Membership) -> Records:
    """Their account and what they did. What they wrote about children is the
    children's record: here only its ids, dates and states."""
    require(actor, "subject_access.request_person", member)
    key_children = list(
        scope(actor, "child.journal", Child.objects.filter(key_person=member))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    entries = (
        scope(actor, "subject_access.entries", Observation.objects.filter(author=member))
        .order_by("observed_at", "id")
        .values("id", "observed_at", "created_at", "status")
    )
    replies = (
        scope(actor, "comment.view", Comment.objects.filter(author=member))
        .order_by("created_at", "id")
        .values("id", "created_at")
    )
    sign_ins = (
        scope(actor, "audit.view", AuditEvent.objects.filter(action__in=SIGN_IN_ACTIONS))
        .filter(target_type="people.user", target_id=str(member.user_id))
        .order_by("created_at", "id")
    )
    keys = sealing.keys_for([f"user:{member.user_id}"])  # their addresses are sealed
    return Records(
        subject={"kind": "staff", "id": member.pk, "name": member.display_name},
        sections={
            "account": _account(actor, member),
            "membership": {
                "role": member.role,
                "role_name": member.get_role_display(),
                "status": member.status,
                "needs_review": member.needs_review,
                "registered_at": _when(member.created_at),
                "joined_at": _when(member.joined_at),
            },
            "agreements": _agreements(member),
            "key_children": {"count": len(key_children), "ids": key_children},
            "entries": Rows(
                (
                    {
                        "id": row["id"],
                        "observed_at": _when(row["observed_at"]),
                        "entered_at": _when(row["created_at"]),
                        "status": row["status"],
                    }
                    for row in entries.iterator(chunk_size=CHUNK)
                ),
                entries.count(),
            ),
            "replies": Rows(
                (
                    {"id": row["id"], "written_at": _when(row["created_at"])}
                    for row in replies.iterator(chunk_size=CHUNK)
                ),
                replies.count(),
            ),
            "activity": _activity(actor, member),
            "sign_ins": Rows(
                (
                    {
                        "what": event.description,
                        "at": _when(event.created_at),
                        # Their own address; a failed attempt's may be anyone's.
                        "address": sealing.open_value(event.data.get("ip"), keys)
                        if event.action == "user.signed_in"
                        else None,
                    }
                    for event in sign_ins.iterator(chunk_size=CHUNK)
                ),
                sign_ins.count(),
            ),
            "api_keys": _api_keys(member),
        },
    )
