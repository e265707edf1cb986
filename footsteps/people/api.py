from typing import Annotated, Literal

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from footsteps.access.views import get_for
from footsteps.api.common import BodyId, BodyIn, Id, Pagination, action, errors, text
from footsteps.children.models import Child, ParentLink
from footsteps.people import services
from footsteps.people.models import Membership
from footsteps.people.selectors import parents_for, staff_for

router = Router(tags=["people"])


class SettingOut(Schema):
    id: int
    name: str


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    membership_id: int
    role: str
    setting: SettingOut
    child_ids: list[int]


class PersonOut(Schema):
    id: int
    full_name: str
    email: str
    role: str
    status: str
    needs_review: bool

    @staticmethod
    def resolve_full_name(obj):
        return obj.display_name

    @staticmethod
    def resolve_email(obj):
        return obj.user.email


class LinkOut(Schema):
    id: int
    child_id: int
    relationship: str


class ParentOut(PersonOut):
    links: list[LinkOut]

    @staticmethod
    def resolve_links(obj):
        return list(obj.child_links.all())


Email = Annotated[
    str,
    Field(
        min_length=3,
        max_length=254,
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        json_schema_extra={"format": "email"},
    ),
]
FullName = text(150)
StaffRole = Literal["manager", "senior", "practitioner"]
Relationship = Literal["mother", "father", "parent", "grandparent", "carer", "other"]


class StaffInviteIn(BodyIn):
    email: Email
    full_name: FullName
    role: StaffRole


class ParentInviteIn(BodyIn):
    email: Email
    full_name: FullName
    child_id: BodyId
    relationship: Relationship = "parent"


class PersonPatchIn(BodyIn):
    role: StaffRole | None = None
    needs_review: bool | None = None


class LinkIn(BodyIn):
    child_id: BodyId
    relationship: Relationship = "parent"


@router.get("/me", response={200: MeOut, **errors()}, url_name="api_me")
@action("profile.use", setting_wide=True)
def me(request):
    actor = request.actor
    return {
        "id": actor.user.pk,
        "email": actor.user.email,
        "full_name": actor.user.full_name,
        "membership_id": actor.membership.pk,
        "role": actor.role,
        "setting": actor.setting,
        "child_ids": sorted(actor.child_ids),
    }


@router.get("/staff", response={200: list[PersonOut], **errors()}, url_name="api_staff")
@action("people.manage", setting_wide=True)
@paginate(Pagination)
def staff(request):
    return staff_for(request.actor)


@router.post(
    "/staff", response={201: PersonOut, **errors(409, body=True)}, url_name="api_staff_invite"
)
@action("people.manage", setting_wide=True)
def staff_invite(request, data: StaffInviteIn):
    return Status(201, services.staff_invite(actor=request.actor, **data.dict()))


@router.get("/parents", response={200: list[ParentOut], **errors()}, url_name="api_parents")
@action("people.manage", setting_wide=True)
@paginate(Pagination)
def parents(request):
    return parents_for(request.actor)


@router.post(
    "/parents",
    response={201: ParentOut, **errors(404, 409, body=True)},
    url_name="api_parent_invite",
)
@action("people.manage", setting_wide=True)
def parent_invite(request, data: ParentInviteIn):
    child = get_for(request.actor, "child.edit", Child.objects.all(), pk=data.child_id)
    return Status(
        201,
        services.parent_invite(
            actor=request.actor,
            email=data.email,
            full_name=data.full_name,
            child=child,
            relationship=data.relationship,
        ),
    )


def _person(request, membership_id):
    return get_for(
        request.actor,
        "membership.manage",
        Membership.objects.select_related("user"),
        pk=membership_id,
    )


@router.patch(
    "/people/{membership_id}",
    response={200: PersonOut, **errors(404, 409, body=True)},
    url_name="api_person",
)
@action("membership.manage")
def person_update(request, membership_id: Id, data: PersonPatchIn):
    membership = _person(request, membership_id)
    if data.role is not None:
        membership = services.staff_change_role(
            actor=request.actor, membership=membership, role=data.role
        )
    if data.needs_review is not None:
        membership = services.staff_set_review(
            actor=request.actor, membership=membership, needs_review=data.needs_review
        )
    return membership


@router.post(
    "/people/{membership_id}/suspend",
    response={200: PersonOut, **errors(404, 409)},
    url_name="api_suspend",
)
@action("membership.manage")
def person_suspend(request, membership_id: Id):
    return services.membership_suspend(
        actor=request.actor, membership=_person(request, membership_id)
    )


@router.post(
    "/people/{membership_id}/reactivate",
    response={200: PersonOut, **errors(404)},
    url_name="api_reactivate",
)
@action("membership.manage")
def person_reactivate(request, membership_id: Id):
    return services.membership_reactivate(
        actor=request.actor, membership=_person(request, membership_id)
    )


@router.post(
    "/people/{membership_id}/invitation",
    response={202: None, **errors(404, 409)},
    url_name="api_resend",
)
@action("membership.manage")
def person_resend(request, membership_id: Id):
    services.invitation_send(actor=request.actor, membership=_person(request, membership_id))
    return Status(202, None)


@router.post(
    "/people/{membership_id}/links",
    response={201: LinkOut, **errors(404, 409, body=True)},
    url_name="api_link",
)
@action("membership.manage")
def person_link(request, membership_id: Id, data: LinkIn):
    parent = _person(request, membership_id)
    child = get_for(request.actor, "child.edit", Child.objects.all(), pk=data.child_id)
    return Status(
        201,
        services.parent_link(
            actor=request.actor, parent=parent, child=child, relationship=data.relationship
        ),
    )


@router.delete("/links/{link_id}", response={204: None, **errors(404)}, url_name="api_unlink")
@action("link.manage")
def link_remove(request, link_id: Id):
    link = get_for(request.actor, "link.manage", ParentLink.objects.all(), pk=link_id)
    services.parent_unlink(actor=request.actor, link=link)
    return Status(204, None)
