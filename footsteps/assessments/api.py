"""EYFS frameworks, tags on entries and a child's assessments in the API (R23)."""

from datetime import date
from typing import Annotated

from django.core.exceptions import ValidationError
from ninja import Field, Router, Schema

from footsteps.access.policy import scope
from footsteps.access.views import get_for
from footsteps.api.common import BodyId, BodyIn, Id, action, errors
from footsteps.assessments.models import Assessment, Band
from footsteps.assessments.selectors import framework_tree, frameworks_for
from footsteps.assessments.services import Mark
from footsteps.children.models import Child

router = Router(tags=["assessments"])

AspectIds = Annotated[
    list[BodyId],
    Field(max_length=100, description="Aspects the entry shows (GET /frameworks)."),
]
Judgement = Annotated[str, Field(max_length=40)]


class MarkIn(BodyIn):
    child_id: BodyId
    band_id: BodyId | None = None
    judgement: Judgement = Field("", description="A judgement key of the framework's scale.")


Marks = Annotated[
    list[MarkIn],
    Field(max_length=100, description="A band and judgement for each child of the entry."),
]


def marks_in(actor, marks: list[MarkIn] | None) -> dict | None:
    """The service's marks from the API's: band ids must be the setting's."""
    if marks is None:
        return None
    ids = {mark.band_id for mark in marks if mark.band_id}
    bands = {b.pk: b for b in Band.objects.filter(framework__in=frameworks_for(actor), pk__in=ids)}
    if ids - set(bands):
        raise ValidationError(
            {"marks": ValidationError("No such band in your frameworks.", code="not_found")}
        )
    return {
        mark.child_id: Mark(band=bands.get(mark.band_id), judgement=mark.judgement)
        for mark in marks
    }


class JudgementOut(Schema):
    key: str
    name: str


class AspectOut(Schema):
    id: int
    name: str
    counts_for_gld: bool


class AreaOut(Schema):
    id: int
    name: str
    plain_name: str = Field(description="The area in words for families.")
    is_prime: bool
    aspects: list[AspectOut]

    @staticmethod
    def resolve_plain_name(obj):
        return obj.words_for_families

    @staticmethod
    def resolve_aspects(obj):
        return list(obj.aspects.all())


class BandOut(Schema):
    id: int
    name: str
    from_months: int
    to_months: int | None


class FrameworkOut(Schema):
    id: int
    key: str
    name: str
    kind: str
    judgements: list[JudgementOut]
    bands: list[BandOut]
    areas: list[AreaOut]

    @staticmethod
    def resolve_bands(obj):
        return list(obj.bands.all())

    @staticmethod
    def resolve_areas(obj):
        return list(obj.areas.all())


@router.get(
    "/frameworks", response={200: list[FrameworkOut], **errors()}, url_name="api_frameworks"
)
@action("framework.view")
def frameworks(request):
    """The frameworks the setting uses, with their areas, aspects, bands and
    judgement scale: the ids to tag entries with."""
    return framework_tree(frameworks_for(request.actor).order_by("kind", "name"))


class AssessmentOut(Schema):
    period_id: int
    period: str
    assessed_on: date
    aspect_id: int
    band_id: int | None
    judgement: str
    on_track: bool | None

    @staticmethod
    def resolve_period(obj):
        return obj.period.name

    @staticmethod
    def resolve_assessed_on(obj):
        return obj.period.assessed_on


@router.get(
    "/children/{child_id}/assessments",
    response={200: list[AssessmentOut], **errors(404)},
    url_name="api_child_assessments",
)
@action("progress.view")
def child_assessments(request, child_id: Id):
    """A child's judgements at every assessment point: staff see all, a family
    their own child's in the points the setting shared with them."""
    actor = request.actor
    child = get_for(actor, "progress.view", Child.objects.all(), pk=child_id)
    return list(
        scope(actor, "assessment.view", Assessment.objects.filter(child=child))
        .select_related("period")
        .order_by("period__assessed_on", "aspect_id")[:5000]
    )
