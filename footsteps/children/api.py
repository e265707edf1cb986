from datetime import date
from typing import Annotated

from django.core.exceptions import ValidationError
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from footsteps.access.views import get_for
from footsteps.api.common import require_setting_wide
from footsteps.children import services
from footsteps.children.models import Child, Room
from footsteps.children.selectors import children_for
from footsteps.people.models import Membership

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


Name = Annotated[str, Field(min_length=1, max_length=100)]


class ChildIn(Schema):
    first_name: Name
    last_name: Name
    date_of_birth: date
    room_id: int | None = None
    key_person_id: int | None = None


class ChildPatchIn(Schema):
    first_name: Name | None = None
    last_name: Name | None = None
    date_of_birth: date | None = None
    room_id: int | None = None
    key_person_id: int | None = None
    status: str | None = None


def _relations(request, room_id, key_person_id):
    """Room and key person by id, only from the actor's own setting."""
    setting_id = request.actor.setting_id
    room = key_person = None
    if room_id is not None:
        room = Room.objects.filter(pk=room_id, setting_id=setting_id).first()
        if room is None:
            raise ValidationError({"room_id": "No such room in your setting."})
    if key_person_id is not None:
        key_person = (
            Membership.objects.staff().filter(pk=key_person_id, setting_id=setting_id).first()
        )
        if key_person is None:
            raise ValidationError({"key_person_id": "No such member of staff."})
    return room, key_person


@router.get("/children", response=list[ChildOut], url_name="api_children")
@paginate
def children(request):
    return children_for(request.actor).order_by("first_name", "last_name", "pk")


@router.get("/children/{child_id}", response=ChildOut, url_name="api_child")
def child(request, child_id: int):
    return get_for(request.actor, "child.view", children_for(request.actor), pk=child_id)


@router.post("/children", response={201: ChildOut}, url_name="api_child_create")
def child_create(request, data: ChildIn):
    require_setting_wide(request, "child.create")
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


@router.patch("/children/{child_id}", response=ChildOut, url_name="api_child_update")
def child_update(request, child_id: int, data: ChildPatchIn):
    child = get_for(request.actor, "child.edit", Child.objects.all(), pk=child_id)
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
