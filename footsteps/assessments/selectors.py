"""Reads of frameworks, tags and assessments, scoped by the policy; the cohort
report and the EYFS Profile as a few aggregate queries whatever the cohort."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet

from footsteps.access.actor import Actor
from footsteps.access.policy import scope
from footsteps.assessments import ages
from footsteps.assessments.models import (
    Area,
    Aspect,
    Assessment,
    AssessmentChange,
    AssessmentPeriod,
    Framework,
    ObservationAspect,
    ObservationMark,
    SettingFramework,
)
from footsteps.children.models import Child, Room
from footsteps.people.models import Membership


def frameworks_for(actor: Actor, *, chosen_only: bool = True) -> QuerySet[Framework]:
    """The frameworks the actor's setting uses: those it chose, or the shipped
    defaults until it chooses. With chosen_only=False, every framework it may
    choose from (the shipped ones and its own)."""
    usable = scope(actor, "framework.view", Framework.objects.all())
    if not chosen_only:
        return usable
    chose = SettingFramework.objects.filter(setting=actor.setting)
    return usable.filter(
        Q(Exists(chose.filter(framework=OuterRef("pk"))))
        | (Q(default=True, setting__isnull=True) & ~Q(Exists(chose)))
    )


def framework_tree(frameworks: QuerySet[Framework]) -> list[Framework]:
    """Frameworks with their areas, aspects and bands loaded (4 queries)."""
    return list(
        frameworks.prefetch_related(
            Prefetch("areas", queryset=Area.objects.prefetch_related("aspects")),
            "bands",
        )
    )


def tags_prefetch() -> Prefetch:
    """Each entry's aspects with their areas, as `tags` (one query a page).
    Area names are no secret: the frameworks are public documents."""
    return Prefetch(
        "aspect_links",
        queryset=ObservationAspect.objects.select_related("aspect__area").order_by(
            "aspect__area__order", "aspect__order"
        ),
        to_attr="tags",
    )


def marks_prefetch(actor: Actor) -> Prefetch:
    """Each entry's marks for the children the actor may see, as `child_marks`."""
    children = scope(actor, "child.view", Child.objects.all())
    return Prefetch(
        "marks",
        queryset=ObservationMark.objects.filter(child__in=children).select_related("child", "band"),
        to_attr="child_marks",
    )


def with_area(observations: QuerySet, area_id: int | None) -> QuerySet:
    """Entries tagged with any aspect of the area."""
    if not area_id:
        return observations
    return observations.filter(
        Exists(
            ObservationAspect.objects.filter(observation=OuterRef("pk"), aspect__area_id=area_id)
        )
    )


def areas_for(actor: Actor) -> QuerySet[Area]:
    """Areas of the setting's frameworks, for the "filter by area" choice."""
    return Area.objects.filter(framework__in=frameworks_for(actor)).select_related("framework")


def periods_for(actor: Actor) -> QuerySet[AssessmentPeriod]:
    return scope(actor, "period.view", AssessmentPeriod.objects.all()).select_related("framework")


# --- A child's progress (R23) ------------------------------------------------


@dataclass
class AspectRow:
    aspect: Aspect
    # period id -> Assessment
    by_period: dict = field(default_factory=dict)


@dataclass
class AreaProgress:
    area: Area
    rows: list[AspectRow]

    @property
    def judged(self) -> bool:
        return any(row.by_period for row in self.rows)


@dataclass
class FrameworkProgress:
    framework: Framework
    periods: list  # [(period, age in months, expected band)]
    areas: list[AreaProgress]


def child_progress(actor: Actor, child: Child) -> list[FrameworkProgress]:
    """A child's judgements in every period the actor may see (families: the
    shared ones), per framework and area, with the child's age and expected band
    at each point. Five queries however many periods and aspects."""
    assessments = list(
        scope(actor, "assessment.view", Assessment.objects.filter(child=child)).select_related(
            "band", "period"
        )
    )
    period_ids = {a.period_id for a in assessments}
    periods = [p for p in periods_for(actor) if p.pk in period_ids]
    frameworks = framework_tree(Framework.objects.filter(pk__in={p.framework_id for p in periods}))
    found: dict = defaultdict(dict)
    for assessment in assessments:
        found[assessment.aspect_id][assessment.period_id] = assessment
    result = []
    for framework in frameworks:
        bands = list(framework.bands.all())
        points = []
        for period in periods:
            if period.framework_id == framework.pk:
                months = ages.age_in_months(child.date_of_birth, period.assessed_on)
                points.append((period, months, ages.expected_band(bands, months)))
        areas = [
            AreaProgress(
                area=area,
                rows=[
                    AspectRow(aspect=aspect, by_period=found.get(aspect.pk, {}))
                    for aspect in area.aspects.all()
                ],
            )
            for area in framework.areas.all()
        ]
        result.append(FrameworkProgress(framework=framework, periods=points, areas=areas))
    return result


# --- Cohort tracking (R24) ---------------------------------------------------

SMALL_GROUP = 5

# Group name -> (what it is called, its value computed by the database, from
# the path that leads to the child: "child__" from an assessment).
GROUPS = {
    "room": ("Room", lambda to: F(f"{to}room_id")),
    "key_person": ("Key person", lambda to: F(f"{to}key_person_id")),
    "age": ("Age cohort", lambda to: ages.cohort_expression(f"{to}date_of_birth")),
    "sex": ("Sex", lambda to: F(f"{to}sex")),
    "send": ("SEND", lambda to: F(f"{to}send")),
    "eal": ("English as an additional language", lambda to: F(f"{to}eal")),
    "eypp": ("Early Years Pupil Premium", lambda to: F(f"{to}eypp")),
    "funded_two": ("Two-year-old funding", lambda to: F(f"{to}funded_two")),
    "season": ("Season of birth", lambda to: ages.season_expression(f"{to}date_of_birth")),
}


def _grouped(rows: QuerySet, by: str, to: str = "child__") -> QuerySet:
    return rows.annotate(group=GROUPS[by][1](to))


@dataclass
class Cell:
    on_track: int = 0
    assessed: int = 0

    @property
    def share(self) -> float | None:
        return self.on_track / self.assessed if self.assessed else None

    @property
    def percent(self) -> int | None:
        return round(100 * self.on_track / self.assessed) if self.assessed else None


@dataclass
class Group:
    value: object
    name: str
    children: int
    # aspect id -> Cell, for the period and the compared period
    cells: dict = field(default_factory=dict)
    before: dict = field(default_factory=dict)

    @property
    def small(self) -> bool:
        return self.children < SMALL_GROUP


@dataclass
class CohortReport:
    period: AssessmentPeriod
    compare: AssessmentPeriod | None
    aspects: list[Aspect]
    by: str | None
    groups: list[Group]  # the whole setting first


def _assessed(actor: Actor, period: AssessmentPeriod) -> QuerySet[Assessment]:
    return scope(
        actor,
        "assessment.view",
        Assessment.objects.filter(period=period, on_track__isnull=False),
    ).order_by()


def _group_names(actor: Actor, by: str, values) -> dict:
    if by == "room":
        names = dict(
            scope(actor, "room.view", Room.objects.filter(pk__in=values)).values_list("pk", "name")
        )
    elif by == "key_person":
        names = {
            m.pk: m.user.full_name
            for m in scope(
                actor, "membership.view", Membership.objects.filter(pk__in=values)
            ).select_related("user")
        }
    elif by == "age":
        names = {year: ages.cohort_name(year) for year in values if year is not None}
    elif by == "season":
        names = ages.SEASONS
    elif by == "sex":
        names = dict(Child.Sex.choices)
    else:
        names = {True: "Yes", False: "No"}
    return {value: names.get(value, "Not recorded") for value in values}


def _cells(assessed: QuerySet, by: str | None = None) -> dict:
    """{(group value, aspect id): Cell} in one aggregate query (group value
    None without `by`)."""
    rows = _grouped(assessed, by) if by else assessed
    fields = ["aspect_id", "group"] if by else ["aspect_id"]
    counted = rows.values(*fields).annotate(
        assessed_n=Count("pk"), on_track_n=Count("pk", filter=Q(on_track=True))
    )
    return {
        (row.get("group"), row["aspect_id"]): Cell(row["on_track_n"], row["assessed_n"])
        for row in counted
    }


def _sort_key(value):
    return (value is None, str(value))


def cohort_report(
    actor: Actor,
    *,
    period: AssessmentPeriod,
    by: str | None = None,
    compare: AssessmentPeriod | None = None,
) -> CohortReport:
    """The share of children on track in each aspect of a period, for the whole
    setting and (with `by`) for each group; with `compare`, the same for another
    period beside it. Aggregate queries only, whatever the number of children:
    3 for the whole setting, 1 more to compare; a grouping adds 1 (and 1 for
    room or key person names), 1 more to compare."""
    aspects = list(Aspect.objects.filter(framework_id=period.framework_id).select_related("area"))
    assessed = _assessed(actor, period)
    earlier = _assessed(actor, compare) if compare else None
    whole = Group(value=None, name="Whole setting", children=0)
    now, before = _cells(assessed), _cells(earlier) if earlier is not None else {}
    for aspect in aspects:
        whole.cells[aspect.pk] = now.get((None, aspect.pk), Cell())
        whole.before[aspect.pk] = before.get((None, aspect.pk), Cell())
    groups = [whole]
    if not by:
        whole.children = assessed.values("child").distinct().count()
    else:
        now = _cells(assessed, by)
        before = _cells(earlier, by) if earlier is not None else {}
        sizes = {
            row["group"]: row["n"]
            for row in _grouped(assessed, by)
            .values("group")
            .annotate(n=Count("child", distinct=True))
        }
        # Each child is in exactly one group: the groups add up to the setting.
        whole.children = sum(sizes.values())
        names = _group_names(actor, by, list(sizes))
        for value in sorted(sizes, key=_sort_key):
            group = Group(value=value, name=names[value], children=sizes[value])
            for aspect in aspects:
                group.cells[aspect.pk] = now.get((value, aspect.pk), Cell())
                group.before[aspect.pk] = before.get((value, aspect.pk), Cell())
            groups.append(group)
    return CohortReport(period=period, compare=compare, aspects=aspects, by=by, groups=groups)


def group_value(by: str, raw: str):
    """A group's value from a URL parameter."""
    if raw in ("", "none"):
        return None
    if by in ("room", "key_person", "age"):
        return int(raw)
    if by in ("send", "eal", "eypp", "funded_two"):
        return raw == "True"
    return raw


def cohort_children(
    actor: Actor,
    *,
    period: AssessmentPeriod,
    aspect_id: int,
    by: str | None = None,
    value=None,
) -> QuerySet[Assessment]:
    """The children behind a figure: their judgements in one aspect of a
    period, within one group."""
    rows = _assessed(actor, period).filter(aspect_id=aspect_id)
    if by:
        grouped = {"group__isnull": True} if value is None else {"group": value}
        rows = _grouped(rows, by).filter(**grouped)
    return rows.select_related("child", "band").order_by("child__first_name", "child__last_name")


# --- The EYFS Profile and the Good Level of Development ----------------------


@dataclass
class ProfileRow:
    child: Child
    codes: list[str]  # one per goal: "1", "2" or "A"
    gld: bool


@dataclass
class Profile:
    period: AssessmentPeriod
    goals: list[Aspect]
    rows: list[ProfileRow]
    # (group name, children, with GLD), the whole cohort first
    shares: list[tuple[str, int, int]]


def _gld_children(period: AssessmentPeriod, goals: list[Aspect]) -> QuerySet:
    """Ids of children with a Good Level of Development: the top judgement
    ("expected") in every goal that counts for it (the DfE definition: all 12
    goals of the prime areas, literacy and mathematics)."""
    counted = [goal.pk for goal in goals if goal.counts_for_gld]
    top = period.framework.judgements[-1]["key"] if period.framework.judgements else ""
    return (
        Assessment.objects.filter(period=period, aspect_id__in=counted, judgement=top)
        .order_by()
        .values("child")
        .annotate(n=Count("pk"))
        .filter(n=len(counted))
        .values("child")
    )


def eyfs_profile(actor: Actor, *, period: AssessmentPeriod, by: str | None = None) -> Profile:
    """Each child's code per Early Learning Goal (1 emerging, 2 expected, A not
    assessed), whether they reached a Good Level of Development, and the share
    who did, for the cohort and its groups. Five queries (six with a grouping)."""
    goals = list(Aspect.objects.filter(framework_id=period.framework_id).select_related("area"))
    codes = {j["key"]: j.get("code", str(i + 1)) for i, j in enumerate(period.framework.judgements)}
    rows = scope(actor, "assessment.view", Assessment.objects.filter(period=period)).order_by()
    children = list(
        scope(actor, "child.view", Child.objects.filter(pk__in=rows.values("child"))).order_by(
            "last_name", "first_name"
        )
    )
    judged = {
        (a.child_id, a.aspect_id): a.judgement for a in rows.only("child", "aspect", "judgement")
    }
    gld_ids = {
        row["child"]
        for row in _gld_children(period, goals).filter(child__in=[c.pk for c in children])
    }
    table = [
        ProfileRow(
            child=child,
            codes=[codes.get(judged.get((child.pk, goal.pk), ""), "A") for goal in goals],
            gld=child.pk in gld_ids,
        )
        for child in children
    ]
    shares = [("Whole cohort", len(table), sum(row.gld for row in table))]
    if by:
        profiled = Child.objects.filter(pk__in=[c.pk for c in children])
        counted = (
            _grouped(profiled, by, to="")
            .values("group")
            .annotate(n=Count("pk"), gld=Count("pk", filter=Q(pk__in=gld_ids)))
        )
        names = _group_names(actor, by, [row["group"] for row in counted])
        shares += [
            (names[row["group"]], row["n"], row["gld"])
            for row in sorted(counted, key=lambda row: _sort_key(row["group"]))
        ]
    return Profile(period=period, goals=goals, rows=table, shares=shares)


def check_areas(actor: Actor) -> list[Area]:
    """The prime areas a progress check at two summarises (one per key, from
    the setting's development frameworks: Development Matters first)."""
    areas = Area.objects.filter(
        framework__in=frameworks_for(actor).filter(kind=Framework.Kind.DEVELOPMENT),
        is_prime=True,
    ).order_by("framework__setting", "-framework__default", "framework__name", "order")
    unique: dict[str, Area] = {}
    for area in areas:
        unique.setdefault(area.key, area)
    return list(unique.values())


def judged_counts(actor: Actor, period: AssessmentPeriod) -> dict[int, int]:
    """{child id: aspects with a judgement} for a period, in one query."""
    rows = (
        scope(actor, "assessment.view", Assessment.objects.filter(period=period))
        .exclude(band__isnull=True, judgement="", on_track__isnull=True)
        .order_by()
        .values("child")
        .annotate(n=Count("pk"))
    )
    return {row["child"]: row["n"] for row in rows}


def assessment_history(actor: Actor, *, period: AssessmentPeriod, child: Child, limit: int = 50):
    """What changes to a child's judgements in a period replaced, newest first."""
    return (
        AssessmentChange.objects.filter(
            assessment__in=scope(
                actor, "assessment.view", Assessment.objects.filter(period=period, child=child)
            )
        )
        .select_related("assessment__aspect", "changed_by__user")
        .order_by("-changed_at", "-id")[:limit]
    )


def latest_prime_judgements(actor: Actor, child: Child) -> list[tuple]:
    """The child's judgements in the prime areas at their latest assessment
    point, for the key person writing the progress check at two:
    [(period, area, aspect, assessment)]."""
    found = []
    for progress in child_progress(actor, child):
        if progress.framework.kind != Framework.Kind.DEVELOPMENT or not progress.periods:
            continue
        period = progress.periods[-1][0]
        for area in progress.areas:
            if area.area.is_prime:
                found += [
                    (period, area.area, row.aspect, row.by_period[period.pk])
                    for row in area.rows
                    if period.pk in row.by_period
                ]
    return found
