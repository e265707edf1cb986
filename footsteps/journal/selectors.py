"""Reads of the journal, always scoped to the actor through the policy, and
shaped so each page runs a fixed number of queries however much data there is."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from footsteps.access.policy import scope
from footsteps.children.models import Child
from footsteps.journal.models import (
    Comment,
    JournalVisit,
    NextStep,
    Observation,
    ObservationChild,
    ObservationRevision,
)
from footsteps.people.models import Membership

Status = Observation.Status


def visible_comments(actor):
    """Replies the actor may read (the policy's comment.view: R5, R18)."""
    return (
        scope(actor, "comment.view", Comment.objects.all())
        .select_related("author__user", "child")
        .order_by("created_at", "id")
    )


def observations_for(actor, action: str = "observation.view"):
    """Observations the actor may see, with author, children and comments loaded.

    Parents get `own_links` (only their own children, R5) and `other_children`
    (how many others the entry is about, never who); staff get every child."""
    observations = scope(actor, action, Observation.objects.all()).select_related("author__user")
    if actor.is_parent:
        own = ObservationChild.objects.filter(child_id__in=actor.child_ids).select_related("child")
        # A correlated subquery, not Count("links"): PostgreSQL then counts for the
        # rows on the page only, and the paginator's COUNT drops it altogether.
        links = (
            ObservationChild.objects.filter(observation=OuterRef("pk"))
            .order_by()
            .values("observation")
            .annotate(n=Count("pk"))
            .values("n")
        )
        observations = observations.annotate(child_count=Subquery(links))
        observations = observations.prefetch_related(
            Prefetch("links", queryset=own, to_attr="own_links")
        )
    else:
        observations = observations.prefetch_related(
            Prefetch(
                "links",
                queryset=ObservationChild.objects.select_related("child"),
                to_attr="own_links",
            )
        )
    return observations.prefetch_related(
        Prefetch("comments", queryset=visible_comments(actor), to_attr="visible_comments")
    )


def parent_feed(actor, *, child_id: int | None = None):
    """A parent's home: their children's shared entries and their own contributions."""
    observations = observations_for(actor).order_by("-observed_at", "-id")
    if child_id is not None and child_id not in actor.child_ids:
        # Never let a parent probe which entries mention another child's id (R5).
        return observations.none()
    if child_id is not None:
        observations = observations.filter(
            pk__in=ObservationChild.objects.filter(child_id=child_id).values("observation_id")
        )
    return observations


@dataclass
class JournalFilters:
    start: date | None = None
    end: date | None = None
    author_id: int | None = None
    status: str | None = None
    shared: bool | None = None
    late: bool = False

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
        if self.status:
            observations = observations.filter(status=self.status)
        if self.shared is not None:
            observations = observations.filter(shared_with_parents=self.shared)
        if self.late:
            observations = observations.filter(is_late=True)
        return observations


def staff_journal(actor, filters: JournalFilters):
    """Every observation a member of staff may see, filtered (monitoring links, R26)."""
    return filters.apply(observations_for(actor)).order_by("-observed_at", "-id")


def child_journal(actor, child: Child, filters: JournalFilters):
    """A child's timeline for staff, with filters (issue: child page)."""
    observations = (
        observations_for(actor)
        .filter(pk__in=ObservationChild.objects.filter(child=child).values("observation_id"))
        .order_by("-observed_at", "-id")
    )
    return filters.apply(observations)


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
        scope(actor, "child.journal", Child.objects.active())
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


def review_queue(actor) -> dict:
    """What waits for a senior or manager: staff observations to review, parents'
    contributions and parents' comments to approve."""
    return {
        "awaiting_review": observations_for(actor, "observation.review").order_by("created_at"),
        "contributions": observations_for(actor, "contribution.review").order_by("created_at"),
        "comments": scope(actor, "comment.approve", Comment.objects.all())
        .select_related("author__user", "child", "observation")
        .order_by("created_at"),
    }


def my_unfinished(actor):
    """A staff member's drafts and returned observations."""
    return (
        observations_for(actor)
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
    observations = scope(actor, "observation.view", Observation.objects.all())
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
    )
    recent = ObservationChild.objects.filter(
        child=OuterRef("pk"),
        observation__status=Status.PUBLISHED,
        observation__deleted_at__isnull=True,
        observation__observed_at__gte=quiet_since,
    )
    children = (
        scope(actor, "child.journal", Child.objects.active())
        .select_related("key_person__user")
        .annotate(
            count=Count("observation_links", filter=link_in_period, distinct=True),
            recent=Exists(recent),
        )
        .order_by("count", "first_name")
    )
    staff = (
        Membership.objects.staff()
        .filter(setting_id=actor.setting_id)
        .select_related("user")
        .annotate(
            count=Count(
                "observations",
                distinct=True,
                filter=Q(
                    observations__status=Status.PUBLISHED,
                    observations__deleted_at__isnull=True,
                    observations__observed_at__gte=start,
                    observations__observed_at__lt=end,
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
    families = (
        Membership.objects.usable()
        .parents()
        .filter(
            setting_id=actor.setting_id,
            child_links__child__status="active",
            child_links__child__deleted_at__isnull=True,
        )
        .distinct()
    )
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
    return getattr(observation, "child_count", len(observation.own_links)) - len(
        observation.own_links
    )
