"""Writes to the learning journal (R14-R22, R25).

Each function checks the policy itself, runs in one transaction, keeps history
for amendments and queues notifications only after commit.
"""

from datetime import datetime, timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from footsteps.access.actor import Actor
from footsteps.access.policy import can, may_ever, require, scope
from footsteps.assessments import services as assessment_services
from footsteps.audit.services import audit_act, audit_record
from footsteps.children.models import Child
from footsteps.journal import tasks
from footsteps.journal.models import (
    Comment,
    JournalVisit,
    NextStep,
    Observation,
    ObservationChild,
    ObservationRevision,
)
from footsteps.media import selectors as media_selectors
from footsteps.media import services as media_services
from footsteps.tenancy.models import Setting

Status = Observation.Status
# A leaver's journal is read-only (R6, R35).
LEFT = "{name} has left: the journal is read-only."
AMENDABLE_FIELDS = ("title", "notes", "next_steps", "observed_at", "shared_with_parents")


class EditConflict(Exception):
    """Someone else saved the observation after this editor opened it."""


def _on_commit(func, *args):
    transaction.on_commit(lambda: func.enqueue(*args))


def _clean_text(title: str, notes: str) -> tuple[str, str]:
    title, notes = title.strip(), notes.strip()
    if not title:
        raise ValidationError({"title": "Give the observation a short title."})
    return title, notes


def _to_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _observed_at(moment: datetime) -> datetime:
    """When it was observed, as an aware moment not in the future. A time without a
    zone (from an API client) is read as the setting's local time."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"observed_at": "The observation cannot be in the future."})
    return moment


def _children_for(actor: Actor, children, keep=frozenset()) -> list[Child]:
    """The chosen children, each visible to the actor and attending, or already on
    the entry (`keep`): an amendment must not drop a child who has since left."""
    ids = {child.pk if isinstance(child, Child) else int(child) for child in children}
    if not ids:
        raise ValidationError({"children": "Choose at least one child."})
    allowed = list(
        scope(actor, "child.view", Child.objects.present())
        .filter(pk__in=ids)
        .filter(Q(status=Child.Status.ACTIVE) | Q(pk__in=keep))
    )
    if len(allowed) != len(ids):
        raise ValidationError(
            {
                "children": ValidationError(
                    "Choose children from your setting's list.", code="not_found"
                )
            }
        )
    return allowed


def needs_review(author, setting: Setting) -> bool:
    """Whether a staff member's observations wait for a senior's review (R17)."""
    if setting.moderation == Setting.Moderation.ALL:
        return author.role == "practitioner" or author.needs_review
    if setting.moderation == Setting.Moderation.NAMED:
        return author.needs_review
    return False


def _entry_delay(
    setting: Setting, observed_at: datetime, entered_at: datetime | None = None
) -> tuple[int, bool]:
    """Minutes between observing and entering, and whether that is late (R22)."""
    delay = max((entered_at or timezone.now()) - observed_at, timedelta(0))
    return int(delay.total_seconds() // 60), delay > timedelta(days=setting.late_entry_days)


class ConsentConflict(ValidationError):
    """Publishing would put a child's photo in another child's journal without
    their family's consent (R28). `conflicts` says which photo, journal, child."""

    def __init__(self, conflicts):
        self.conflicts = conflicts
        names = sorted({conflict.shows.first_name for conflict in conflicts})
        super().__init__(
            f"A photo shows {', '.join(names)}, whose family has not agreed to photos in "
            "other children's journals. Leave the photo out of those journals, say who is "
            "not in it, or cover them, then publish.",
            code="consent",
        )


def _publish(observation: Observation, *, reviewer=None) -> None:
    conflicts = media_selectors.consent_conflicts(observation)
    if conflicts:
        raise ConsentConflict(conflicts)
    now = timezone.now()
    observation.status = Status.PUBLISHED
    # A reviewer's comment was for the author only; it never goes out with the entry.
    observation.review_note = ""
    if reviewer is not None:
        observation.reviewed_by = reviewer
        observation.reviewed_at = now
    if observation.published_at is not None:
        return  # re-approved after an amendment: families and next steps already have it
    observation.published_at = now
    # Next steps written on the observation join each child's list (R25).
    if observation.next_steps.strip():
        NextStep.objects.bulk_create(
            NextStep(
                child_id=link.child_id,
                observation=observation,
                text=observation.next_steps.strip(),
                created_by=observation.author,
            )
            for link in observation.links.all()
        )
    _on_commit(tasks.notify_observation_published, observation.pk)


@transaction.atomic
def observation_create(
    *,
    actor: Actor,
    children,
    title: str,
    observed_at: datetime,
    notes: str = "",
    next_steps: str = "",
    shared_with_parents: bool = True,
    publish: bool = False,
    media=(),
    aspects=(),
    marks=None,
    kind: str = Observation.Kind.OBSERVATION,
    sections=None,
    draws_on=(),
) -> Observation:
    """A staff member records an observation of one or more children (R14, R15),
    with the photos and videos they uploaded for it (`media`: their keys), the
    aspects of the EYFS it shows and each child's mark (`aspects`, `marks`:
    assessments.services.observation_tag). A learning story or progress check
    (`kind`) has its `sections` and the entries it `draws_on` (R27).
    `publish` sends it on (to review first where the setting wants it, R17);
    otherwise it stays a draft only its author sees. A photo that may not be
    published yet (R28) keeps it a draft: `observation.held_back` says why."""
    require(actor, "observation.create", actor.member.setting)
    title, notes = _clean_text(title, notes)
    observed_at = _observed_at(observed_at)
    chosen = _children_for(actor, children)
    setting = actor.member.setting
    delay, late = _entry_delay(setting, observed_at)
    observation = Observation.objects.create(
        setting=setting,
        author=actor.member,
        source=Observation.Source.STAFF,
        title=title,
        notes=notes,
        next_steps=next_steps.strip(),
        observed_at=observed_at,
        shared_with_parents=shared_with_parents,
        entry_delay_minutes=delay,
        is_late=late,
        status=Status.DRAFT,
        kind=kind,
        sections=_sections(kind, sections),
    )
    ObservationChild.objects.bulk_create(
        ObservationChild(observation=observation, child=child) for child in chosen
    )
    media_services.attach(actor=actor, observation=observation, keys=media)
    assessment_services.observation_tag(
        actor=actor, observation=observation, aspects=aspects, marks=marks
    )
    _draw_on(actor, observation, draws_on)
    observation.held_back = None
    if publish:
        try:
            with transaction.atomic():
                _submit(actor, observation)
        except ConsentConflict as conflict:
            observation.status, observation.held_back = Status.DRAFT, conflict
    audit_record(
        actor=actor.member.user,
        setting=setting,
        action="observation.created",
        target=observation,
        status=observation.status,
    )
    return observation


def _sections(kind: str, sections) -> dict:
    if kind not in Observation.Kind.values:
        raise ValidationError({"kind": "Choose an observation, a learning story or a check."})
    if kind != Observation.Kind.PROGRESS_CHECK:
        return {}
    return {str(key): str(text).strip() for key, text in (sections or {}).items() if text}


def _draw_on(actor: Actor, observation: Observation, entries) -> None:
    """The entries a summary draws on: ones the author may see, about its children."""
    ids = {getattr(entry, "pk", entry) for entry in entries}
    if not ids:
        observation.draws_on.clear()
        return
    children = observation.links.values("child_id")
    usable = scope(actor, "observation.view", Observation.objects.filter(pk__in=ids)).filter(
        links__child_id__in=children
    )
    found = set(usable.values_list("pk", flat=True))
    if ids - found:
        raise ValidationError({"draws_on": "Choose entries about this child."})
    observation.draws_on.set(found)


def _submit(actor: Actor, observation: Observation) -> None:
    if needs_review(actor.member, actor.member.setting):
        observation.status = Status.AWAITING_REVIEW
        observation.review_note = ""
        _on_commit(tasks.notify_review_waiting, observation.pk)
    else:
        _publish(observation)
    observation.save()


def _snapshot(observation: Observation) -> dict:
    data = {name: getattr(observation, name) for name in AMENDABLE_FIELDS}
    data["observed_at"] = data["observed_at"].isoformat()
    data["children"] = sorted(link.child_id for link in observation.links.all())
    data["aspects"] = sorted(observation.aspect_links.values_list("aspect_id", flat=True))
    return data


def _apply_changes(
    actor, observation, *, fields: dict, children, aspects=None, marks=None, note: str = ""
) -> dict:
    """Write the edit if nobody saved in between, and keep what changed (R16)."""
    before = _snapshot(observation)
    for name, value in fields.items():
        setattr(observation, name, value)
    if children is not None:
        linked = set(observation.links.values_list("child_id", flat=True))
        chosen = _children_for(actor, children, keep=linked)
        ObservationChild.objects.filter(observation=observation).exclude(child__in=chosen).delete()
        existing = set(observation.links.values_list("child_id", flat=True))
        ObservationChild.objects.bulk_create(
            ObservationChild(observation=observation, child=child)
            for child in chosen
            if child.pk not in existing
        )
        # Drop the cached links so the snapshot sees the new children.
        observation._prefetched_objects_cache = {}
    if aspects is not None:
        assessment_services.observation_tag(
            actor=actor, observation=observation, aspects=aspects, marks=marks
        )
    after = _snapshot(observation)
    changes = {
        name: {"before": before[name], "after": after[name]}
        for name in after
        if before[name] != after[name]
    }
    if changes and observation.status not in (Status.DRAFT,):
        ObservationRevision.objects.create(
            observation=observation, editor=actor.member, changes=changes, note=note
        )
    return changes


@transaction.atomic
def observation_update(
    *,
    actor: Actor,
    observation: Observation,
    expected_version: int,
    children=None,
    publish: bool = False,
    media=(),
    aspects=None,
    marks=None,
    draws_on=None,
    sections=None,
    **fields,
) -> Observation:
    """Amend an observation (R16), adding the photos and videos uploaded for it
    (`media`: keys). `expected_version` is the version the editor started
    from: if someone saved since, EditConflict is raised and nothing is
    written, so the caller can keep the editor's text and show what happened."""
    require(actor, "observation.edit", observation)
    unknown = set(fields) - set(AMENDABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not amendable: {sorted(unknown)}")
    if "title" in fields or "notes" in fields:
        fields["title"], fields["notes"] = _clean_text(
            fields.get("title", observation.title), fields.get("notes", observation.notes)
        )
    if "observed_at" in fields:
        fields["observed_at"] = _observed_at(fields["observed_at"])
        # Forms carry minutes only: the same minute is no change worth a history row.
        if _to_minute(fields["observed_at"]) == _to_minute(observation.observed_at):
            del fields["observed_at"]
    if "next_steps" in fields:
        fields["next_steps"] = fields["next_steps"].strip()
    # Claim the next version first: of two editors who started from the same
    # version, only the first to get here succeeds.
    claimed = Observation.objects.filter(pk=observation.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if not claimed:
        raise EditConflict
    observation = Observation.objects.select_for_update().get(pk=observation.pk)
    changes = _apply_changes(
        actor, observation, fields=fields, children=children, aspects=aspects, marks=marks
    )
    if sections is not None:
        new = _sections(observation.kind, sections)
        if new != observation.sections:
            observation.sections, changes["sections"] = new, True
    if draws_on is not None:
        _draw_on(actor, observation, draws_on)
    if media_services.attach(actor=actor, observation=observation, keys=media):
        changes["media"] = len(media)
    if "observed_at" in changes:
        # A corrected observed date changes how long after it was entered (R22).
        observation.entry_delay_minutes, observation.is_late = _entry_delay(
            actor.member.setting, observation.observed_at, entered_at=observation.created_at
        )
    if publish and observation.status in (Status.DRAFT, Status.RETURNED):
        _submit(actor, observation)
    elif (
        changes
        and observation.status == Status.PUBLISHED
        and observation.author_id == actor.member.pk
        and needs_review(actor.member, actor.member.setting)
    ):
        # Someone whose work is reviewed cannot change a shared entry unseen (R17):
        # it leaves the journal until a reviewer approves the amended text.
        observation.status = Status.AWAITING_REVIEW
        _on_commit(tasks.notify_review_waiting, observation.pk)
    observation.save()
    if changes:
        audit_act(
            actor,
            "observation.amended",
            target=observation,
            fields=sorted(changes),
        )
    return observation


@transaction.atomic
def observation_approve(*, actor: Actor, observation: Observation) -> Observation:
    """A senior or manager approves a staff observation: it joins the journal (R17)."""
    require(actor, "observation.review", observation)
    _publish(observation, reviewer=actor.member)
    observation.save()
    audit_act(
        actor,
        "observation.approved",
        target=observation,
    )
    return observation


@transaction.atomic
def observation_return(*, actor: Actor, observation: Observation, note: str) -> Observation:
    """Send a staff observation back to its author with a comment (R17)."""
    require(actor, "observation.review", observation)
    if not note.strip():
        raise ValidationError({"note": "Tell the author what to change."})
    observation.status = Status.RETURNED
    observation.review_note = note.strip()
    observation.reviewed_by = actor.member
    observation.reviewed_at = timezone.now()
    observation.save()
    _on_commit(tasks.notify_returned, observation.pk)
    audit_act(
        actor,
        "observation.returned",
        target=observation,
    )
    return observation


@transaction.atomic
def contribution_create(
    *, actor: Actor, children, title: str, notes: str, observed_at: datetime, media=()
) -> Observation:
    """A parent adds an observation from home, with photos or videos they
    uploaded for it (`media`: their keys); staff approve it first (R19)."""
    require(actor, "contribution.create", actor.member.setting)
    title, notes = _clean_text(title, notes)
    observed_at = _observed_at(observed_at)
    chosen = _children_for(actor, children)
    delay, late = _entry_delay(actor.member.setting, observed_at)
    observation = Observation.objects.create(
        setting=actor.member.setting,
        author=actor.member,
        source=Observation.Source.PARENT,
        title=title,
        notes=notes,
        observed_at=observed_at,
        status=Status.PENDING,
        shared_with_parents=True,
        entry_delay_minutes=delay,
        is_late=late,
    )
    ObservationChild.objects.bulk_create(
        ObservationChild(observation=observation, child=child) for child in chosen
    )
    media_services.attach(actor=actor, observation=observation, keys=media)
    _on_commit(tasks.notify_contribution_waiting, observation.pk)
    audit_act(
        actor,
        "contribution.created",
        target=observation,
    )
    return observation


@transaction.atomic
def contribution_approve(
    *,
    actor: Actor,
    observation: Observation,
    title: str | None = None,
    notes: str | None = None,
) -> Observation:
    """Staff approve a parent's contribution, optionally editing it first. The
    edit is kept in the history; the parent stays the author (R19)."""
    require(actor, "contribution.review", observation)
    fields = {}
    if title is not None or notes is not None:
        fields["title"], fields["notes"] = _clean_text(
            title if title is not None else observation.title,
            notes if notes is not None else observation.notes,
        )
    _apply_changes(
        actor, observation, fields=fields, children=None, note="Edited by staff when approving"
    )
    observation.version = F("version") + 1
    _publish(observation, reviewer=actor.member)
    observation.save()
    observation.refresh_from_db()
    audit_act(
        actor,
        "contribution.approved",
        target=observation,
        edited=bool(fields),
    )
    return observation


@transaction.atomic
def contribution_decline(*, actor: Actor, observation: Observation, reason: str) -> Observation:
    require(actor, "contribution.review", observation)
    if not reason.strip():
        raise ValidationError({"reason": "Tell the family why, in a sentence."})
    observation.status = Status.DECLINED
    observation.review_note = reason.strip()
    observation.reviewed_by = actor.member
    observation.reviewed_at = timezone.now()
    observation.save()
    audit_act(
        actor,
        "contribution.declined",
        target=observation,
    )
    return observation


@transaction.atomic
def contribution_withdraw(*, actor: Actor, observation: Observation) -> Observation:
    require(actor, "contribution.withdraw", observation)
    observation.status = Status.WITHDRAWN
    observation.save(update_fields=["status", "updated_at"])
    audit_act(
        actor,
        "contribution.withdrawn",
        target=observation,
    )
    return observation


NOT_YOUR_CHILD = "You can reply only about your own child."


def comment_child(actor: Actor, child_id) -> Child:
    """The child whose thread a reply goes in, by id from a form or API call. Any id
    that is not the actor's to use gets the same answer, whether it exists or not."""
    child = None
    if str(child_id).isdigit() and int(child_id) < 2**63:
        child = scope(actor, "child.view", Child.objects.all()).filter(pk=int(child_id)).first()
    if child is None:
        # Staff may choose any child of the entry; a family only their own.
        message = (
            "Choose a child of this entry." if may_ever(actor, "child.list") else NOT_YOUR_CHILD
        )
        raise ValidationError({"child": ValidationError(message, code="not_found")})
    return child


@transaction.atomic
def comment_add(*, actor: Actor, observation: Observation, child: Child, body: str) -> Comment:
    """A reply in the thread about one child of an observation (R18). A parent
    writes only in their own child's thread (R5)."""
    require(actor, "observation.comment", observation)
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write your reply first."})
    # A family first learns only that it is not their child: never whether another
    # child is on the entry (R5).
    if not can(actor, "child.view", child):
        raise ValidationError({"child": ValidationError(NOT_YOUR_CHILD, code="not_found")})
    if not child.is_active:
        # A leaver's journal is read-only (R6, R35).
        raise ValidationError(
            {
                "child": ValidationError(
                    f"{child.first_name} has left: the journal is read-only.", code="conflict"
                )
            }
        )
    if not observation.links.filter(child=child).exists():
        raise ValidationError(
            {
                "child": ValidationError(
                    "This observation is not about that child.", code="not_found"
                )
            }
        )
    status = Comment.Status.PUBLISHED
    if actor.is_parent and actor.member.setting.approve_parent_comments:
        status = Comment.Status.PENDING
    comment = Comment.objects.create(
        observation=observation,
        child=child,
        author=actor.member,
        body=body,
        status=status,
        # Staff discussion of a staff-only entry stays among staff if it is shared later.
        staff_only=not observation.shared_with_parents,
    )
    if actor.is_parent:
        _on_commit(tasks.notify_comment_waiting, comment.pk)
    else:
        _on_commit(tasks.notify_family_of_reply, comment.pk)
    audit_act(
        actor,
        "comment.added",
        target=comment,
        status=status,
    )
    return comment


@transaction.atomic
def comment_approve(*, actor: Actor, comment: Comment) -> Comment:
    require(actor, "comment.approve", comment)
    comment.status = Comment.Status.PUBLISHED
    comment.approved_by = actor.member
    comment.save(update_fields=["status", "approved_by"])
    audit_act(
        actor,
        "comment.approved",
        target=comment,
    )
    return comment


@transaction.atomic
def next_step_add(*, actor: Actor, child: Child, text: str) -> NextStep:
    require(actor, "child.journal", child)
    if not child.is_active:
        raise ValidationError(
            {"text": ValidationError(LEFT.format(name=child.first_name), code="conflict")}
        )
    if not text.strip():
        raise ValidationError({"text": "Write the next step."})
    step = NextStep.objects.create(child=child, text=text.strip(), created_by=actor.member)
    audit_act(actor, "next_step.added", target=step)
    return step


@transaction.atomic
def next_step_achieve(*, actor: Actor, step: NextStep) -> NextStep:
    """Mark a next step as reviewed and achieved (R25)."""
    require(actor, "nextstep.manage", step)
    step.achieved_at = timezone.now()
    step.achieved_by = actor.member
    step.save(update_fields=["achieved_at", "achieved_by"])
    audit_act(
        actor,
        "next_step.achieved",
        target=step,
    )
    return step


def journal_visit_record(*, actor: Actor) -> None:
    """Count that this family opened their journal today (for R26 monitoring):
    written once a day, not on every visit (the cache remembers it was)."""
    today = timezone.localdate()
    if cache.add(f"visit:{actor.member.pk}:{today}", True, timeout=24 * 60 * 60):
        JournalVisit.objects.get_or_create(parent=actor.member, visited_on=today)


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why, for the record and for the family."})
    return reason[:500]


@transaction.atomic
def comment_remove(*, actor: Actor, comment: Comment, reason: str) -> Comment:
    """Take down an inappropriate reply (R38). Its family sees that it was
    removed, never its words again; staff keep both, with the reason."""
    require(actor, "comment.remove", comment)
    comment.status = Comment.Status.REMOVED
    comment.removed_reason = _reason(reason)
    comment.save(update_fields=["status", "removed_reason"])
    audit_act(actor, "comment.removed", target=comment)
    return comment


@transaction.atomic
def contribution_remove(*, actor: Actor, observation: Observation, reason: str) -> Observation:
    """Take down an approved family entry (R38): it leaves the journal; the
    family who sent it sees that it was removed and why."""
    require(actor, "contribution.remove", observation)
    observation.status = Status.REMOVED
    observation.review_note = _reason(reason)
    observation.reviewed_by = actor.member
    observation.reviewed_at = timezone.now()
    observation.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
    audit_act(actor, "contribution.removed", target=observation)
    return observation
