"""Reads of the journal, always scoped to the actor through the policy, and
shaped so each page runs a fixed number of queries however much data there is."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from footsteps.access.policy import scope
from footsteps.assessments.selectors import tags_prefetch, with_area
from footsteps.children.models import Child, ParentLink
from footsteps.journal.models import (
    Comment,
    JournalVisit,
    NextStep,
    Observation,
    ObservationChild,
    ObservationRevision,
)
from footsteps.media.selectors import media_prefetch
from footsteps.people.models import REVIEWER_ROLES, Membership
from footsteps.people.selectors import members_for

Status = Observation.Status


def visible_comments(actor):
    """Replies the actor may read (the policy's comment.view: R5, R18)."""
    return (
        scope(actor, "comment.view", Comment.objects.all())
        .select_related("author__user", "child")
        .order_by("created_at", "id")
    )


def observations_for(actor, action: str = "observation.view", *, replies: bool = True):
    """Observations the actor may see (or act on), with author and children
    loaded. Each carries `own_links`, the children on it whom the actor may see
    (child.view: a parent sees only their own, R5), `child_count`, how many
    children it is about (to say "and 2 others", never who), `reply_count`, how
    many replies the actor may read (comment.view), `shown_media`, the processed
    photos and videos the actor may see, with who is in them (media.view), and
    with `replies` those replies themselves as `visible_comments`. Lists only
    print the count."""
    visible_children = scope(actor, "child.view", Child.objects.all())
    own = ObservationChild.objects.filter(child__in=visible_children).select_related("child")
    # Correlated subqueries, not Count("links"): PostgreSQL then counts for the
    # rows on the page only.
    links = (
        ObservationChild.objects.filter(observation=OuterRef("pk"))
        .order_by()
        .values("observation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    readable = (
        scope(actor, "comment.view", Comment.objects.filter(observation=OuterRef("pk")))
        .order_by()
        .values("observation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    observations = (
        scope(actor, action, Observation.objects.all())
        .select_related("author__user")
        .annotate(child_count=Subquery(links), reply_count=Coalesce(Subquery(readable), 0))
        .prefetch_related(
            Prefetch("links", queryset=own, to_attr="own_links"),
            media_prefetch(actor),
            tags_prefetch(),
        )
    )
    if replies:
        observations = observations.prefetch_related(
            Prefetch("comments", queryset=visible_comments(actor), to_attr="visible_comments")
        )
    return observations


def journal_entries(actor, *, child_id: int | None = None, filters=None, replies: bool = False):
    """The entries the actor may see, newest first: a parent's feed, a child's
    journal, the staff's list and the API's, all from here. With `child_id`,
    only entries about that child, and only if the actor may see the child:
    nobody learns which entries mention another family's child (R5). The
    replies are counted, and loaded only with `replies` (the API's list)."""
    observations = observations_for(actor, replies=replies).order_by("-observed_at", "-id")
    if child_id is not None:
        # A join (each entry links a child once), so PostgreSQL starts from the
        # child's links rather than the setting's whole journal.
        observations = observations.filter(
            links__child_id=child_id,
            links__child__in=scope(actor, "child.view", Child.objects.all()),
        )
    if filters is not None:
        observations = filters.apply(observations)
    return observations


@dataclass
class JournalFilters:
    start: date | None = None
    end: date | None = None
    author_id: int | None = None
    from_families: bool = False
    status: str | None = None
    shared: bool | None = None
    late: bool = False
    area_id: int | None = None

    def apply(self, observations):
        tz = timezone.get_current_timezone()
        if self.start:
            observations = observations.filter(
                observed_at__gte=datetime.combine(self.start, time.min, tz)
            )
        if self.end and self.end < date.max:
            observations = observations.filter(
                observed_at__lt=datetime.combine(self.end + timedelta(days=1), time.min, tz)
            )
        if self.author_id:
            observations = observations.filter(author_id=self.author_id)
        if self.from_families:
            observations = observations.filter(source=Observation.Source.PARENT)
        if self.status:
            observations = observations.filter(status=self.status)
        if self.shared is not None:
            observations = observations.filter(shared_with_parents=self.shared)
        if self.late:
            observations = observations.filter(is_late=True)
        return with_area(observations, self.area_id)


def drawn_on(actor, observation: Observation):
    """The entries a learning story or progress check draws on that the reader
    may see: a family never reaches a staff-only entry through a story."""
    return (
        scope(actor, "observation.view", Observation.objects.all())
        .filter(pk__in=observation.draws_on.values("pk"))
        .order_by("observed_at")
    )


def child_summary(child: Child) -> dict:
    """Counts of published observations in the last 14 and 30 days, in one query."""
    now = timezone.now()
    return (
        Observation.objects.published()
        .filter(links__child=child)
        .aggregate(
            last_14=Count("pk", filter=Q(observed_at__gte=now - timedelta(days=14)), distinct=True),
            last_30=Count("pk", filter=Q(observed_at__gte=now - timedelta(days=30)), distinct=True),
        )
    )


def open_next_steps(child: Child):
    return NextStep.objects.filter(child=child, achieved_at__isnull=True).select_related(
        "created_by__user"
    )


def revisions_for(observation: Observation):
    return ObservationRevision.objects.filter(observation=observation).select_related(
        "editor__user"
    )


def key_children(actor):
    now = timezone.now()
    published = Q(
        observation_links__observation__status=Status.PUBLISHED,
        observation_links__observation__deleted_at__isnull=True,
    )
    return (
        scope(actor, "child.journal", Child.objects.attending())
        .filter(key_person=actor.membership)
        .select_related("room")
        .annotate(
            last_14=Count(
                "observation_links",
                distinct=True,
                filter=published
                & Q(observation_links__observation__observed_at__gte=now - timedelta(days=14)),
            ),
            last_30=Count(
                "observation_links",
                distinct=True,
                filter=published
                & Q(observation_links__observation__observed_at__gte=now - timedelta(days=30)),
            ),
            open_steps=Count(
                "next_steps", distinct=True, filter=Q(next_steps__achieved_at__isnull=True)
            ),
        )
    )


def review_queue(actor, *, replies: bool = False) -> dict:
    """What waits for a senior or manager: staff observations to review, parents'
    contributions and parents' comments to approve (with `replies`, the entries'
    replies loaded, as observations_for)."""
    return {
        "awaiting_review": observations_for(actor, "observation.review", replies=replies).order_by(
            "created_at"
        ),
        "contributions": observations_for(actor, "contribution.review", replies=replies).order_by(
            "created_at"
        ),
        "comments": scope(actor, "comment.approve", Comment.objects.all())
        .select_related("author__user", "child", "observation")
        .order_by("created_at"),
    }


def my_unfinished(actor):
    """A staff member's drafts and returned observations."""
    return (
        observations_for(actor, replies=False)
        .filter(author=actor.membership, status__in=[Status.DRAFT, Status.RETURNED])
        .order_by("-updated_at")
    )


@dataclass
class Period:
    start: date
    end: date

    @property
    def bounds(self):
        tz = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tz),
            datetime.combine(self.end + timedelta(days=1), time.min, tz),
        )


def monitoring(actor, period: Period, quiet_days: int) -> dict:
    """Figures for managers' monitoring (R26), each a handful of aggregate queries."""
    start, end = period.bounds
    in_period = Q(observed_at__gte=start, observed_at__lt=end)
    # Entries imported from another setting (R36) are not this setting's work.
    observations = scope(actor, "observation.view", Observation.objects.filter(author_name=""))
    published = observations.filter(in_period, status=Status.PUBLISHED)
    totals = published.aggregate(
        total=Count("pk"),
        late=Count("pk", filter=Q(is_late=True)),
        avg_delay=Avg("entry_delay_minutes"),
    )
    quiet_since = timezone.now() - timedelta(days=quiet_days)
    link_in_period = Q(
        observation_links__observation__status=Status.PUBLISHED,
        observation_links__observation__deleted_at__isnull=True,
        observation_links__observation__observed_at__gte=start,
        observation_links__observation__observed_at__lt=end,
        observation_links__observation__author_name="",
    )
    recent = ObservationChild.objects.filter(
        child=OuterRef("pk"),
        observation__status=Status.PUBLISHED,
        observation__deleted_at__isnull=True,
        observation__observed_at__gte=quiet_since,
    )
    children = (
        scope(actor, "child.journal", Child.objects.attending())
        .select_related("key_person__user")
        .annotate(
            count=Count("observation_links", filter=link_in_period, distinct=True),
            recent=Exists(recent),
        )
        .order_by("count", "first_name")
    )
    staff = (
        members_for(actor)
        .staff()
        .annotate(
            count=Count(
                "observations",
                distinct=True,
                filter=Q(
                    observations__status=Status.PUBLISHED,
                    observations__deleted_at__isnull=True,
                    observations__observed_at__gte=start,
                    observations__observed_at__lt=end,
                    observations__author_name="",
                ),
            ),
            late=Count(
                "observations",
                distinct=True,
                filter=Q(
                    observations__status=Status.PUBLISHED,
                    observations__deleted_at__isnull=True,
                    observations__is_late=True,
                    observations__observed_at__gte=start,
                    observations__observed_at__lt=end,
                    observations__author_name="",
                ),
            ),
        )
        .order_by("-count", "user__full_name")
    )
    queues = observations.aggregate(
        awaiting_review=Count("pk", filter=Q(status=Status.AWAITING_REVIEW)),
        contributions=Count("pk", filter=Q(status=Status.PENDING)),
    )
    queues["comments"] = scope(actor, "comment.approve", Comment.objects.all()).count()
    families = members_for(actor).usable().parents().with_attending_child()
    family_figures = families.aggregate(
        total=Count("pk", distinct=True),
        viewed=Count(
            "pk",
            distinct=True,
            filter=Q(
                pk__in=JournalVisit.objects.filter(
                    visited_on__gte=period.start, visited_on__lte=period.end
                ).values("parent_id")
            ),
        ),
    )
    total = totals["total"] or 0
    return {
        "period": period,
        "quiet_days": quiet_days,
        "total": total,
        "late": totals["late"],
        "late_percent": round(100 * totals["late"] / total) if total else 0,
        "avg_delay_hours": (totals["avg_delay"] or 0) / 60,
        "children": children,
        "staff": staff,
        "queues": queues,
        "families_total": family_figures["total"],
        "families_viewed": family_figures["viewed"],
        "families_percent": round(100 * family_figures["viewed"] / family_figures["total"])
        if family_figures["total"]
        else 0,
    }


def other_children_count(observation) -> int:
    """How many children an entry is about beyond those the viewer may see named."""
    return observation.child_count - len(observation.own_links)


# --- Who hears about what: for background tasks, which act for no one and read
# only the entry's own setting. ---------------------------------------------------


def families_of(observation: Observation, child_ids=None):
    """Parents who may use the journal, of the entry's attending children (or of
    only `child_ids` among them): R5, R6."""
    links = ParentLink.objects.attending().filter(child__observation_links__observation=observation)
    if child_ids is not None:
        links = links.filter(child_id__in=child_ids)
    return (
        Membership.objects.usable()
        .parents()
        .filter(pk__in=links.values("parent_id"))
        .select_related("user", "setting")
    )


def reviewers_of(observation: Observation):
    """The setting's managers and seniors, but the entry's author."""
    return (
        Membership.objects.usable()
        .filter(setting_id=observation.setting_id, role__in=REVIEWER_ROLES)
        .exclude(pk=observation.author_id)
        .select_related("user", "setting")
    )


def reviewers_and_key_people(observation: Observation, child_ids=None):
    """Reviewers and the key people of the given children (default: all the entry's)."""
    if child_ids is None:
        child_ids = observation.links.values("child_id")
    return (
        Membership.objects.usable()
        .filter(setting_id=observation.setting_id)
        .filter(Q(role__in=REVIEWER_ROLES) | Q(key_children__in=child_ids))
        .select_related("user", "setting")
        .distinct()
    )


def digest_recipients(parent_ids):
    """Of these parents, those who may still use the journal (R6, R7)."""
    return (
        Membership.objects.usable()
        .parents()
        .with_attending_child()
        .filter(pk__in=parent_ids)
        .select_related("user", "setting")
    )
