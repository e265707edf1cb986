"""Reads of the activity log, through the policy."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from footsteps.access.actor import Actor
from footsteps.access.policy import scope
from footsteps.audit.models import AuditEvent
from footsteps.children.models import Child
from footsteps.children.selectors import children_for
from footsteps.journal.models import ObservationChild
from footsteps.people.models import Membership
from footsteps.people.selectors import members_for

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditSearch:
    """What a manager looks for in the log (R39). Each part narrows it:

    - person: what they did, and what was done to their account (events whose
      target is their user or their membership);
    - child: events about the child (the child's record, consent and
      assessments), events naming them in their data (a parent invited for
      them, a parent's link to them), and events about entries the child is in
      now (recorded, amended, approved, photos tagged...);
    - action: one kind of event;
    - start, end: the days (the setting's time zone) the events happened on.
    """

    person: Membership | None = None
    child: Child | None = None
    action: str = ""
    start: date | None = None
    end: date | None = None


def audit_events_for(actor: Actor, search: AuditSearch | None = None) -> QuerySet[AuditEvent]:
    """The setting's activity log, narrowed to a search (R39). The person and
    the child must be of the actor's setting (the form offers only those), but
    either way only events of the actor's setting are ever read."""
    events = scope(actor, "audit.view", AuditEvent.objects.all())
    if search is None:
        return events
    if search.person is not None:
        person = search.person
        events = events.filter(
            Q(actor_id=person.user_id)
            | Q(target_type="people.user", target_id=str(person.user_id))
            | Q(target_type="people.membership", target_id=str(person.pk))
        )
    if search.child is not None:
        child = search.child
        entries = (
            ObservationChild.objects.filter(child=child)
            .annotate(key=Cast("observation_id", CharField()))
            .values("key")
        )
        events = events.filter(
            Q(target_type="children.child", target_id=str(child.pk))
            | Q(data__child_id=child.pk)
            | Q(target_type="journal.observation", target_id__in=entries)
        )
    if search.action:
        events = events.filter(action=search.action)
    tz = timezone.get_current_timezone()
    if search.start is not None:
        events = events.filter(created_at__gte=datetime.combine(search.start, time.min, tz))
    if search.end is not None:
        after = datetime.combine(search.end + timedelta(days=1), time.min, tz)
        events = events.filter(created_at__lt=after)
    return events


def audit_search_choices(actor: Actor) -> tuple[list[Membership], list[Child]]:
    """Everyone and every child of the actor's setting: what the search offers,
    and the names the log gives the people and children its events are about."""
    people = list(members_for(actor).order_by("user__full_name", "pk"))
    children = list(children_for(actor).select_related(None).order_by("first_name", "last_name"))
    return people, children


@dataclass
class AuditLogPage:
    """One page of the log, newest first. Keyset on the chain's sequence: the
    log is one setting's chain (audit.view is within the actor's setting), so
    its sequence is the order things happened, and no page counts the log."""

    events: list[AuditEvent]
    older_cursor: int | None
    is_first: bool

    def __iter__(self) -> Iterator[AuditEvent]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)


def audit_log_page(
    actor: Actor,
    search: AuditSearch,
    *,
    before: int | None,
    people: list[Membership],
    children: list[Child],
) -> AuditLogPage:
    """A page of events (from `before`, a sequence, if given), each with the
    `subject` it is about by the name this setting knows them by: a person
    (from `people`) or a child (from `children`), or ""."""
    events = audit_events_for(actor, search).order_by("-sequence")
    if before is not None:
        events = events.filter(sequence__lt=before)
    rows = list(events[: PAGE_SIZE + 1])
    page = AuditLogPage(
        events=rows[:PAGE_SIZE],
        older_cursor=rows[PAGE_SIZE - 1].sequence if len(rows) > PAGE_SIZE else None,
        is_first=before is None,
    )
    names = {
        "people.user": {str(m.user_id): m.display_name for m in people},
        "people.membership": {str(m.pk): m.display_name for m in people},
        "children.child": {str(c.pk): c.full_name for c in children},
    }
    for event in page.events:
        known = names.get(event.target_type, {})
        event.subject = known.get(event.target_id, "")  # type: ignore[attr-defined]
    return page
