from datetime import date, datetime, timedelta
from typing import Annotated
from uuid import UUID

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.renderers import JSONRenderer

from footsteps.access.policy import can
from footsteps.access.views import get_for, get_to_act_on
from footsteps.api.common import (
    BodyId,
    BodyIn,
    DateIn,
    DateTimeIn,
    Id,
    IdList,
    action,
    errors,
    text,
)
from footsteps.assessments.api import AspectIds, Marks, marks_in
from footsteps.assessments.selectors import with_area
from footsteps.audit.services import audit_read
from footsteps.children.models import Child
from footsteps.core.caching import journal_key
from footsteps.core.pagination import KeysetPage
from footsteps.journal import selectors, services
from footsteps.journal.models import Comment, NextStep, Observation
from footsteps.media.api import MediaOut, media_out
from footsteps.records import services as records

router = Router(tags=["journal"])

# Input limits match the columns, so bad input is a 422, never a database error.
MediaKeys = Annotated[
    list[Annotated[UUID, Field(strict=False)]],
    Field(max_length=50, description="Keys of your uploads (POST /uploads) to put on it."),
]
Title = text(200)
LongText = Annotated[str, Field(max_length=20_000)]
Note = text(5000)
ObservedAt = Annotated[
    DateTimeIn,
    Field(description="When it was observed; not in the future. Without a zone: local time."),
]


class ChildRef(Schema):
    id: int
    first_name: str


class CommentOut(Schema):
    id: int
    child_id: int
    author: str
    body: str
    status: str
    created_at: datetime

    @staticmethod
    def resolve_author(obj):
        return obj.author_display_name


class ObservationOut(Schema):
    id: int
    title: str
    notes: str
    next_steps: str
    observed_at: datetime
    created_at: datetime
    is_late: bool | None
    status: str
    source: str
    shared_with_parents: bool
    author: str
    version: int
    review_note: str
    children: list[ChildRef]
    other_children: int
    comments: list[CommentOut]
    media: list[MediaOut] = Field(
        description="Processed photos and videos, as this reader's journal may show them."
    )
    kind: str = Field(description="observation, story (a learning story) or check (at two).")
    aspects: list[int] = Field(description="Ids of the EYFS aspects it shows (GET /frameworks).")
    areas: list[str] = Field(
        description="Its areas of learning: for families in plain words, for staff by name."
    )

    @staticmethod
    def resolve_aspects(obj):
        return [tag.aspect_id for tag in obj.tags]

    @staticmethod
    def resolve_areas(obj, context):
        if can(context["request"].actor, "observation.staff_detail", obj):
            names = [tag.aspect.area.name for tag in obj.tags]
        else:
            names = [tag.aspect.area.words_for_families for tag in obj.tags]
        return list(dict.fromkeys(names))

    @staticmethod
    def resolve_author(obj):
        return obj.author_display_name

    @staticmethod
    def resolve_children(obj):
        return [link.child for link in obj.own_links]

    @staticmethod
    def resolve_other_children(obj):
        # Parents learn only how many other children an entry is about (R5).
        return selectors.other_children_count(obj)

    # Late entry (R22, R26) and next steps (R25) are the staff's: the same rule
    # the pages use (observation.staff_detail).
    @staticmethod
    def resolve_is_late(obj, context):
        return (
            obj.is_late if can(context["request"].actor, "observation.staff_detail", obj) else None
        )

    @staticmethod
    def resolve_next_steps(obj, context):
        return (
            obj.next_steps if can(context["request"].actor, "observation.staff_detail", obj) else ""
        )

    @staticmethod
    def resolve_comments(obj):
        return obj.visible_comments

    @staticmethod
    def resolve_media(obj, context):
        request = context["request"]
        actor = request.actor
        journal_of = (
            frozenset(actor.child_ids) if actor.is_parent else getattr(request, "journal_of", None)
        )
        shown = []
        for media in getattr(obj, "shown_media", ()):
            item = media_out(
                media,
                journal_of=journal_of,
                may_download=not actor.is_parent or actor.setting.parents_may_download,
            )
            if item is not None:
                shown.append(item)
        return shown


class ObservationIn(BodyIn):
    title: Title
    child_ids: IdList
    observed_at: ObservedAt
    notes: LongText = ""
    next_steps: LongText = ""
    shared_with_parents: bool = True
    publish: bool = False
    media: MediaKeys = []
    aspects: AspectIds = []
    marks: Marks = []


class ObservationPatchIn(BodyIn):
    version: BodyId = Field(description="The version you loaded; a newer one answers 409.")
    title: Title | None = None
    child_ids: IdList | None = None
    observed_at: ObservedAt | None = None
    notes: LongText | None = None
    next_steps: LongText | None = None
    shared_with_parents: bool | None = None
    publish: bool = False
    aspects: AspectIds | None = None
    marks: Marks | None = Field(None, description="Replaces every child's mark; with aspects.")


class ContributionIn(BodyIn):
    title: Title
    child_ids: IdList
    observed_at: ObservedAt
    notes: text(20_000)
    media: MediaKeys = []


class NoteIn(BodyIn):
    note: Note


class ApproveContributionIn(BodyIn):
    title: Title | None = None
    notes: text(20_000) | None = None


class CommentIn(BodyIn):
    child_id: BodyId = Field(description="The child whose conversation this is: one on the entry.")
    body: Note


class QueueOut(Schema):
    awaiting_review: list[ObservationOut]
    contributions: list[ObservationOut]
    comments: list[CommentOut]


class RevisionOut(Schema):
    editor: str
    created_at: datetime
    note: str
    changes: dict[str, dict]

    @staticmethod
    def resolve_editor(obj):
        return obj.editor.user.full_name


class NextStepOut(Schema):
    id: int
    child_id: int
    text: str
    observation_id: int | None
    created_by: str
    created_at: datetime
    achieved_at: datetime | None

    @staticmethod
    def resolve_created_by(obj):
        return obj.author_display_name


class NextStepIn(BodyIn):
    text: Note


class KeyChildOut(Schema):
    id: int
    first_name: str
    last_name: str
    room: str | None
    last_14: int = Field(description="Published observations in the last 14 days.")
    last_30: int
    open_steps: int

    @staticmethod
    def resolve_room(obj):
        return obj.room.name if obj.room else None


class ChildFigureOut(Schema):
    id: int
    first_name: str
    last_name: str
    count: int
    recent: bool = Field(description="Observed within the quiet-days window.")


class StaffFigureOut(Schema):
    id: int
    name: str
    count: int
    late: int

    @staticmethod
    def resolve_name(obj):
        return obj.display_name


class MonitoringOut(Schema):
    start: date
    end: date
    quiet_days: int
    total: int
    late: int
    late_percent: int
    avg_delay_hours: float
    awaiting_review: int
    contributions_waiting: int
    replies_waiting: int
    families_total: int
    families_viewed: int
    families_percent: int
    children: list[ChildFigureOut]
    staff: list[StaffFigureOut]


class MonitoringQuery(Schema):
    start: DateIn | None = Field(None, description="Default: 30 days before the end.")
    end: DateIn | None = Field(None, description="Default: today.")
    quiet_days: int = Field(14, ge=1, le=365)


def _observation(request, action, observation_id):
    """404 if the actor cannot see it; 403 if they see it but may not do this."""
    return get_to_act_on(
        request.actor,
        action,
        selectors.observations_for(request.actor),
        seen_with="observation.view",
        pk=observation_id,
    )


def _fresh(request, observation_id):
    """The observation as the actor sees it, after a change."""
    return get_for(
        request.actor,
        "observation.view",
        selectors.observations_for(request.actor),
        pk=observation_id,
    )


def _child_journal(request, child_id):
    """A child's journal as staff keep it: 404 for a child out of sight, 403 for
    a parent's own child (families see the shared journal, not its working notes)."""
    return get_to_act_on(
        request.actor, "child.journal", Child.objects.all(), seen_with="child.view", pk=child_id
    )


class ObservationPage(Schema):
    items: list[ObservationOut]
    next: str | None = Field(
        description="Pass it as `before` for the next, older page; null on the last page."
    )


@router.get(
    "/observations",
    response={200: ObservationPage, **errors(404)},
    url_name="api_observations",
)
@action("observation.view")
def observations(
    request,
    child_id: Id | None = None,
    area: Id | None = None,
    before: str | None = Query(None, max_length=100, description="`next` of the page before."),
    limit: int = Query(25, ge=1, le=100),
):
    """Every observation the actor may see, newest first (for a parent, their
    feed), a page at a time. `child_id` narrows to one child the actor may see;
    any other is 404. `area` (an area id, GET /frameworks) to entries showing
    that area of learning. Kept in the cache for this person and journal version, as
    the pages are (footsteps.core.caching)."""
    actor = request.actor
    if child_id is not None:
        child = get_for(actor, "child.view", Child.objects.all(), pk=child_id)
        request.journal_of = frozenset([child_id])  # photos as this child's journal shows them
        if not actor.is_parent:
            audit_read(actor, "child.journal_viewed", child)  # R39, as on the page
    key = journal_key(actor, "api-observations", child_id, area, before, limit)
    body = cache.get(key)
    if body is None:
        page = KeysetPage(
            with_area(selectors.journal_entries(actor, child_id=child_id, replies=True), area),
            size=limit,
            cursor=before,
        )
        found = ObservationPage.model_validate(
            {"items": list(page), "next": page.older_cursor}, context={"request": request}
        )
        body = JSONRenderer().render(request, found.model_dump(), response_status=200)
        cache.set(key, body, settings.PAGE_CACHE_SECONDS)
    return HttpResponse(body, content_type="application/json")


@router.get(
    "/observations/{observation_id}",
    response={200: ObservationOut, **errors(404)},
    url_name="api_observation",
)
@action("observation.view")
def observation(request, observation_id: Id):
    return _fresh(request, observation_id)


@router.get(
    "/observations/{observation_id}/history",
    response={200: list[RevisionOut], **errors(404)},
    url_name="api_observation_history",
)
@action("observation.history")
def observation_history(request, observation_id: Id):
    """What each amendment changed, who made it and when, newest first (R16). Staff only."""
    observation = get_to_act_on(
        request.actor,
        "observation.history",
        Observation.objects.all(),
        seen_with="observation.view",
        pk=observation_id,
    )
    return list(selectors.revisions_for(observation)[:200])


@router.post(
    "/observations",
    response={201: ObservationOut, **errors(404, body=True)},
    url_name="api_observation_create",
)
@action("observation.create", setting_wide=True)
def observation_create(request, data: ObservationIn):
    """Staff record an observation. `publish` shares it (after review where the
    setting wants it); otherwise it is a draft only its author sees. A child id
    outside the setting answers 404."""
    payload = data.dict(exclude={"marks"})
    created = services.observation_create(
        actor=request.actor,
        children=payload.pop("child_ids"),
        marks=marks_in(request.actor, data.marks),
        **payload,
    )
    return Status(201, _fresh(request, created.pk))


@router.patch(
    "/observations/{observation_id}",
    response={200: ObservationOut, **errors(404, 409, body=True)},
    url_name="api_observation_update",
)
@action("observation.edit")
def observation_update(request, observation_id: Id, data: ObservationPatchIn):
    observation = get_to_act_on(
        request.actor,
        "observation.edit",
        Observation.objects.prefetch_related("links"),
        seen_with="observation.view",
        pk=observation_id,
    )
    # An explicit null means "leave as it is": none of these fields can be empty.
    fields = {
        name: value
        for name, value in data.dict(
            exclude_unset=True, exclude={"version", "publish", "child_ids", "aspects", "marks"}
        ).items()
        if value is not None
    }
    services.observation_update(
        actor=request.actor,
        observation=observation,
        expected_version=data.version,
        children=data.child_ids,
        publish=data.publish,
        aspects=data.aspects,
        marks=marks_in(request.actor, data.marks),
        **fields,
    )
    return _fresh(request, observation_id)


@router.delete(
    "/observations/{observation_id}",
    response={204: None, **errors(404)},
    url_name="api_observation_delete",
)
@action("observation.delete")
def observation_delete(request, observation_id: Id):
    """Move an entry to the setting's deleted area (R34): gone from every
    journal at once; a manager can restore it until it is deleted for good."""
    observation = get_to_act_on(
        request.actor,
        "observation.delete",
        Observation.objects.all(),
        seen_with="observation.view",
        pk=observation_id,
    )
    records.observation_delete(actor=request.actor, observation=observation)
    return Status(204, None)


@router.post(
    "/observations/{observation_id}/approve",
    response={200: ObservationOut, **errors(404)},
    url_name="api_observation_approve",
)
@action("observation.review")
def observation_approve(request, observation_id: Id):
    observation = _observation(request, "observation.review", observation_id)
    services.observation_approve(actor=request.actor, observation=observation)
    return _fresh(request, observation_id)


@router.post(
    "/observations/{observation_id}/return",
    response={200: ObservationOut, **errors(404, body=True)},
    url_name="api_observation_return",
)
@action("observation.review")
def observation_return(request, observation_id: Id, data: NoteIn):
    observation = _observation(request, "observation.review", observation_id)
    services.observation_return(actor=request.actor, observation=observation, note=data.note)
    return _fresh(request, observation_id)


@router.post(
    "/contributions",
    response={201: ObservationOut, **errors(404, body=True)},
    url_name="api_contribution_create",
)
@action("contribution.create", setting_wide=True)
def contribution_create(request, data: ContributionIn):
    """A parent adds an observation from home; staff approve it first (R19)."""
    payload = data.dict()
    created = services.contribution_create(
        actor=request.actor, children=payload.pop("child_ids"), **payload
    )
    return Status(201, _fresh(request, created.pk))


@router.post(
    "/observations/{observation_id}/approve-contribution",
    response={200: ObservationOut, **errors(404, body=True)},
    url_name="api_contribution_approve",
)
@action("contribution.review")
def contribution_approve(request, observation_id: Id, data: ApproveContributionIn):
    observation = _observation(request, "contribution.review", observation_id)
    services.contribution_approve(actor=request.actor, observation=observation, **data.dict())
    return _fresh(request, observation_id)


@router.post(
    "/observations/{observation_id}/decline",
    response={200: ObservationOut, **errors(404, body=True)},
    url_name="api_contribution_decline",
)
@action("contribution.review")
def contribution_decline(request, observation_id: Id, data: NoteIn):
    """Decline a family's contribution; `note` is the reason the family sees."""
    observation = _observation(request, "contribution.review", observation_id)
    services.contribution_decline(actor=request.actor, observation=observation, reason=data.note)
    return _fresh(request, observation_id)


@router.post(
    "/observations/{observation_id}/withdraw",
    response={200: ObservationOut, **errors(404)},
    url_name="api_contribution_withdraw",
)
@action("contribution.withdraw")
def contribution_withdraw(request, observation_id: Id):
    observation = _observation(request, "contribution.withdraw", observation_id)
    services.contribution_withdraw(actor=request.actor, observation=observation)
    return _fresh(request, observation_id)


@router.post(
    "/observations/{observation_id}/comments",
    response={201: CommentOut, **errors(404, body=True)},
    url_name="api_comment_add",
)
@action("observation.comment")
def comment_add(request, observation_id: Id, data: CommentIn):
    """A reply in the conversation about one child of the entry (R18): for a
    parent, their own child. Any other child id answers 404."""
    observation = get_to_act_on(
        request.actor,
        "observation.comment",
        Observation.objects.select_related("setting"),
        seen_with="observation.view",
        pk=observation_id,
    )
    child = services.comment_child(request.actor, data.child_id)
    comment = services.comment_add(
        actor=request.actor, observation=observation, child=child, body=data.body
    )
    return Status(201, comment)


@router.post(
    "/comments/{comment_id}/approve",
    response={200: CommentOut, **errors(404)},
    url_name="api_comment_approve",
)
@action("comment.approve")
def comment_approve(request, comment_id: Id):
    comment = get_to_act_on(
        request.actor,
        "comment.approve",
        Comment.objects.select_related("author__user"),
        seen_with="comment.view",
        pk=comment_id,
    )
    return services.comment_approve(actor=request.actor, comment=comment)


@router.get("/review-queue", response={200: QueueOut, **errors()}, url_name="api_review_queue")
@action("review.queue", setting_wide=True)
def review_queue(request):
    queue = selectors.review_queue(request.actor, replies=True)
    return {name: list(items[:100]) for name, items in queue.items()}


@router.get(
    "/children/{child_id}/next-steps",
    response={200: list[NextStepOut], **errors(404)},
    url_name="api_next_steps",
)
@action("child.journal")
def next_steps(request, child_id: Id):
    """A child's open next steps, newest first (R25). Staff only."""
    child = _child_journal(request, child_id)
    return list(selectors.open_next_steps(child)[:200])


@router.post(
    "/children/{child_id}/next-steps",
    response={201: NextStepOut, **errors(404, body=True)},
    url_name="api_next_step_add",
)
@action("child.journal")
def next_step_add(request, child_id: Id, data: NextStepIn):
    child = _child_journal(request, child_id)
    step = services.next_step_add(actor=request.actor, child=child, text=data.text)
    return Status(201, step)


@router.post(
    "/next-steps/{step_id}/achieve",
    response={200: NextStepOut, **errors(404)},
    url_name="api_next_step_achieve",
)
@action("nextstep.manage")
def next_step_achieve(request, step_id: Id):
    step = get_for(
        request.actor,
        "nextstep.manage",
        NextStep.objects.filter(achieved_at__isnull=True).select_related("created_by__user"),
        pk=step_id,
    )
    return services.next_step_achieve(actor=request.actor, step=step)


@router.get(
    "/key-children",
    response={200: list[KeyChildOut], **errors()},
    url_name="api_key_children",
)
@action("child.list", setting_wide=True)
def key_children(request):
    """The children the signed-in member of staff is key person for (R15, R25)."""
    return list(selectors.key_children(request.actor))


@router.get("/monitoring", response={200: MonitoringOut, **errors()}, url_name="api_monitoring")
@action("monitoring.view", setting_wide=True)
def monitoring(request, query: Query[MonitoringQuery]):
    """The managers' monitoring figures for a period (R22, R26)."""
    end = query.end or timezone.localdate()
    start = query.start or end - timedelta(days=30)
    if start > end:
        raise ValidationError({"start": "The start comes after the end."})
    figures = selectors.monitoring(request.actor, selectors.Period(start, end), query.quiet_days)
    return {
        **figures,
        "start": start,
        "end": end,
        "awaiting_review": figures["queues"]["awaiting_review"],
        "contributions_waiting": figures["queues"]["contributions"],
        "replies_waiting": figures["queues"]["comments"],
        "children": list(figures["children"]),
        "staff": list(figures["staff"]),
    }
