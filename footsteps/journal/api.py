from datetime import datetime
from typing import Annotated

from django.http import Http404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from footsteps.access.views import get_for
from footsteps.api.common import require_setting_wide
from footsteps.journal import selectors, services
from footsteps.journal.models import Comment, Observation, ObservationChild

router = Router(tags=["journal"])

# Input limits match the columns, so bad input is a 422, never a database error.
Title = Annotated[str, Field(max_length=200)]


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
        return obj.author.user.full_name


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

    @staticmethod
    def resolve_author(obj):
        return obj.author.user.full_name

    @staticmethod
    def resolve_children(obj):
        return [link.child for link in obj.own_links]

    @staticmethod
    def resolve_other_children(obj):
        # Parents learn only how many other children an entry is about (R5).
        return selectors.other_children_count(obj)

    @staticmethod
    def resolve_is_late(obj, context):
        # Late entry is a staff-quality figure (R22, R26), not for families.
        return obj.is_late if context["request"].actor.is_staff_member else None

    @staticmethod
    def resolve_next_steps(obj, context):
        return obj.next_steps if context["request"].actor.is_staff_member else ""

    @staticmethod
    def resolve_comments(obj):
        return obj.visible_comments


class ObservationIn(Schema):
    title: Title
    child_ids: list[int]
    observed_at: datetime
    notes: str = ""
    next_steps: str = ""
    shared_with_parents: bool = True
    publish: bool = False


class ObservationPatchIn(Schema):
    version: int
    title: Title | None = None
    child_ids: list[int] | None = None
    observed_at: datetime | None = None
    notes: str | None = None
    next_steps: str | None = None
    shared_with_parents: bool | None = None
    publish: bool = False


class ContributionIn(Schema):
    title: Title
    child_ids: list[int]
    observed_at: datetime
    notes: str


class NoteIn(Schema):
    note: str


class ApproveContributionIn(Schema):
    title: Title | None = None
    notes: str | None = None


class CommentIn(Schema):
    child_id: int
    body: Annotated[str, Field(max_length=5000)]


class QueueOut(Schema):
    awaiting_review: list[ObservationOut]
    contributions: list[ObservationOut]
    comments: list[CommentOut]


def _observation(request, action, observation_id):
    get_for(request.actor, action, Observation.objects.all(), pk=observation_id)
    return _fresh(request, observation_id)


def _fresh(request, observation_id):
    """The observation as the actor sees it, after a change."""
    return get_for(
        request.actor,
        "observation.view",
        selectors.observations_for(request.actor),
        pk=observation_id,
    )


@router.get("/observations", response=list[ObservationOut], url_name="api_observations")
@paginate
def observations(request, child_id: int | None = None):
    """Staff: every observation they may see. Parents: their feed."""
    actor = request.actor
    if actor.is_parent:
        # As on the feed page: another family's child is not found (R5).
        if child_id is not None and child_id not in actor.child_ids:
            raise Http404
        return selectors.parent_feed(actor, child_id=child_id)
    result = selectors.observations_for(actor).order_by("-observed_at", "-id")
    if child_id is not None:
        result = result.filter(
            pk__in=ObservationChild.objects.filter(child_id=child_id).values("observation_id")
        )
    return result


@router.get("/observations/{observation_id}", response=ObservationOut, url_name="api_observation")
def observation(request, observation_id: int):
    return _fresh(request, observation_id)


@router.post("/observations", response={201: ObservationOut}, url_name="api_observation_create")
def observation_create(request, data: ObservationIn):
    require_setting_wide(request, "observation.create")
    payload = data.dict()
    created = services.observation_create(
        actor=request.actor, children=payload.pop("child_ids"), **payload
    )
    return Status(201, _fresh(request, created.pk))


@router.patch(
    "/observations/{observation_id}", response=ObservationOut, url_name="api_observation_update"
)
def observation_update(request, observation_id: int, data: ObservationPatchIn):
    observation = get_for(
        request.actor,
        "observation.edit",
        Observation.objects.prefetch_related("links"),
        pk=observation_id,
    )
    # An explicit null means "leave as it is": none of these fields can be empty.
    fields = {
        name: value
        for name, value in data.dict(
            exclude_unset=True, exclude={"version", "publish", "child_ids"}
        ).items()
        if value is not None
    }
    services.observation_update(
        actor=request.actor,
        observation=observation,
        expected_version=data.version,
        children=data.child_ids,
        publish=data.publish,
        **fields,
    )
    return _fresh(request, observation_id)


@router.post(
    "/observations/{observation_id}/approve",
    response=ObservationOut,
    url_name="api_observation_approve",
)
def observation_approve(request, observation_id: int):
    observation = _observation(request, "observation.review", observation_id)
    services.observation_approve(actor=request.actor, observation=observation)
    return _fresh(request, observation_id)


@router.post(
    "/observations/{observation_id}/return",
    response=ObservationOut,
    url_name="api_observation_return",
)
def observation_return(request, observation_id: int, data: NoteIn):
    observation = _observation(request, "observation.review", observation_id)
    services.observation_return(actor=request.actor, observation=observation, note=data.note)
    return _fresh(request, observation_id)


@router.post("/contributions", response={201: ObservationOut}, url_name="api_contribution_create")
def contribution_create(request, data: ContributionIn):
    require_setting_wide(request, "contribution.create")
    payload = data.dict()
    created = services.contribution_create(
        actor=request.actor, children=payload.pop("child_ids"), **payload
    )
    return Status(201, _fresh(request, created.pk))


@router.post(
    "/observations/{observation_id}/approve-contribution",
    response=ObservationOut,
    url_name="api_contribution_approve",
)
def contribution_approve(request, observation_id: int, data: ApproveContributionIn):
    observation = _observation(request, "contribution.review", observation_id)
    services.contribution_approve(actor=request.actor, observation=observation, **data.dict())
    return _fresh(request, observation_id)


@router.post(
    "/observations/{observation_id}/decline",
    response=ObservationOut,
    url_name="api_contribution_decline",
)
def contribution_decline(request, observation_id: int, data: NoteIn):
    observation = _observation(request, "contribution.review", observation_id)
    services.contribution_decline(actor=request.actor, observation=observation, reason=data.note)
    return _fresh(request, observation_id)


@router.post(
    "/observations/{observation_id}/withdraw",
    response=ObservationOut,
    url_name="api_contribution_withdraw",
)
def contribution_withdraw(request, observation_id: int):
    observation = _observation(request, "contribution.withdraw", observation_id)
    services.contribution_withdraw(actor=request.actor, observation=observation)
    return _fresh(request, observation_id)


@router.post(
    "/observations/{observation_id}/comments",
    response={201: CommentOut},
    url_name="api_comment_add",
)
def comment_add(request, observation_id: int, data: CommentIn):
    observation = get_for(
        request.actor,
        "observation.comment",
        Observation.objects.select_related("setting"),
        pk=observation_id,
    )
    child = services.comment_child(request.actor, data.child_id)
    comment = services.comment_add(
        actor=request.actor, observation=observation, child=child, body=data.body
    )
    return Status(201, comment)


@router.post("/comments/{comment_id}/approve", response=CommentOut, url_name="api_comment_approve")
def comment_approve(request, comment_id: int):
    comment = get_for(
        request.actor,
        "comment.approve",
        Comment.objects.select_related("author__user"),
        pk=comment_id,
    )
    return services.comment_approve(actor=request.actor, comment=comment)


@router.get("/review-queue", response=QueueOut, url_name="api_review_queue")
def review_queue(request):
    require_setting_wide(request, "review.queue")
    queue = selectors.review_queue(request.actor)
    return {name: list(items[:100]) for name, items in queue.items()}
