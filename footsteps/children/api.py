from datetime import date
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from footsteps.access.views import get_for, get_to_act_on
from footsteps.api.common import (
    BodyId,
    BodyIn,
    DateIn,
    Id,
    Pagination,
    action,
    errors,
    text,
)
from footsteps.children import services
from footsteps.children.models import Child
from footsteps.children.selectors import children_for, rooms_for
from footsteps.people.selectors import key_person_choices

router = Router(tags=["children"])


class ChildOut(Schema):
    id: int
    first_name: str
    last_name: str
    date_of_birth: date
    status: str
    room: str | None
    key_person_id: int | None
    key_person: str | None
    image_consent: str

    @staticmethod
    def resolve_room(obj):
        return obj.room.name if obj.room else None

    @staticmethod
    def resolve_key_person(obj):
        return obj.key_person.display_name if obj.key_person else None


Name = text(100)
BirthDate = Annotated[DateIn, Field(description="Not in the future.")]


class ChildIn(BodyIn):
    first_name: Name
    last_name: Name
    date_of_birth: BirthDate
    room_id: BodyId | None = None
    key_person_id: BodyId | None = None


class ChildPatchIn(BodyIn):
    first_name: Name | None = None
    last_name: Name | None = None
    date_of_birth: BirthDate | None = None
    room_id: BodyId | None = Field(None, description="null clears the room.")
    key_person_id: BodyId | None = Field(None, description="null clears the key person.")
    status: Literal["active", "left"] | None = None


def _relations(request, room_id, key_person_id):
    """Room and key person by id, only from the actor's own setting."""
    room = key_person = None
    if room_id is not None:
        room = rooms_for(request.actor).filter(pk=room_id).first()
        if room is None:
            raise ValidationError(
                {"room_id": ValidationError("No such room in your setting.", code="not_found")}
            )
    if key_person_id is not None:
        key_person = key_person_choices(request.actor).filter(pk=key_person_id).first()
        if key_person is None:
            raise ValidationError(
                {"key_person_id": ValidationError("No such member of staff.", code="not_found")}
            )
    return room, key_person


@router.get("/children", response={200: list[ChildOut], **errors()}, url_name="api_children")
@action("child.view")
@paginate(Pagination)
def children(request):
    return children_for(request.actor).order_by("first_name", "last_name", "pk")


@router.get("/children/{child_id}", response={200: ChildOut, **errors(404)}, url_name="api_child")
@action("child.view")
def child(request, child_id: Id):
    return get_for(request.actor, "child.view", children_for(request.actor), pk=child_id)


@router.post(
    "/children",
    response={201: ChildOut, **errors(404, 409, body=True)},
    url_name="api_child_create",
)
@action("child.create", setting_wide=True)
def child_create(request, data: ChildIn):
    """Managers add a child. A room or key person id outside the setting answers 404."""
    room, key_person = _relations(request, data.room_id, data.key_person_id)
    return Status(
        201,
        services.child_create(
            actor=request.actor,
            first_name=data.first_name,
            last_name=data.last_name,
            date_of_birth=data.date_of_birth,
            room=room,
            key_person=key_person,
        ),
    )


@router.patch(
    "/children/{child_id}",
    response={200: ChildOut, **errors(404, body=True)},
    url_name="api_child_update",
)
@action("child.edit")
def child_update(request, child_id: Id, data: ChildPatchIn):
    child = get_to_act_on(
        request.actor, "child.edit", Child.objects.all(), seen_with="child.view", pk=child_id
    )
    # Null clears a room or key person; for anything else it means "leave as it is".
    fields = {
        name: value
        for name, value in data.dict(exclude_unset=True).items()
        if value is not None or name in ("room_id", "key_person_id")
    }
    status = fields.pop("status", None)
    if "room_id" in fields or "key_person_id" in fields:
        room, key_person = _relations(
            request, fields.pop("room_id", None), fields.pop("key_person_id", None)
        )
        if "room_id" in data.model_fields_set:
            fields["room"] = room
        if "key_person_id" in data.model_fields_set:
            fields["key_person"] = key_person
    child = services.child_update(actor=request.actor, child=child, **fields)
    if status is not None:
        child = services.child_set_status(actor=request.actor, child=child, status=status)
    return child
