"""Writes about children: records, key person, room, leaving, image consent."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from footsteps.access.actor import Actor
from footsteps.access.policy import require
from footsteps.audit.services import audit_act
from footsteps.children.models import Child, Room
from footsteps.children.selectors import rooms_for
from footsteps.people.models import Membership
from footsteps.people.selectors import key_person_choices

GROUP_FIELDS = ("sex", "send", "eal", "eypp", "funded_two")
CHILD_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "room",
    "key_person",
    "joined_on",
    *GROUP_FIELDS,
)


def _check_details(*, first_name=None, last_name=None, date_of_birth=None) -> None:
    errors = {}
    if first_name is not None and not first_name.strip():
        errors["first_name"] = "Enter the child's first name."
    if last_name is not None and not last_name.strip():
        errors["last_name"] = "Enter the child's last name."
    if date_of_birth is not None and date_of_birth > timezone.localdate():
        errors["date_of_birth"] = "The date of birth cannot be in the future."
    if errors:
        raise ValidationError(errors)


def _check_same_setting(actor: Actor, *, room: Room | None, key_person: Membership | None):
    # The same choices the form offers, for the API and any other caller.
    if room is not None and not rooms_for(actor).filter(pk=room.pk).exists():
        raise ValidationError(
            {"room": ValidationError("Choose a room of your setting.", code="not_found")}
        )
    if key_person is not None and not key_person_choices(actor).filter(pk=key_person.pk).exists():
        raise ValidationError(
            {"key_person": ValidationError("Choose a member of your staff.", code="not_found")}
        )


@transaction.atomic
def child_create(
    *,
    actor: Actor,
    first_name: str,
    last_name: str,
    date_of_birth: date,
    room: Room | None = None,
    key_person: Membership | None = None,
    joined_on: date | None = None,
    **groups,
) -> Child:
    """Add a child; `groups` are the cohort report's fields (GROUP_FIELDS)."""
    require(actor, "child.create", actor.member.setting)
    if set(groups) - set(GROUP_FIELDS):
        raise ValueError(f"Not a group: {sorted(set(groups) - set(GROUP_FIELDS))}")
    _check_details(first_name=first_name, last_name=last_name, date_of_birth=date_of_birth)
    _check_same_setting(actor, room=room, key_person=key_person)
    child = Child.objects.create(
        setting=actor.member.setting,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        date_of_birth=date_of_birth,
        room=room,
        key_person=key_person,
        joined_on=joined_on or timezone.localdate(),
        **groups,
    )
    audit_act(actor, "child.created", target=child)
    return child


@transaction.atomic
def child_update(*, actor: Actor, child: Child, **fields) -> Child:
    require(actor, "child.edit", child)
    unknown = set(fields) - set(CHILD_FIELDS)
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")
    if fields.get("sex", "") not in ("", *Child.Sex.values):
        raise ValidationError({"sex": "Choose female, male or not recorded."})
    _check_details(
        first_name=fields.get("first_name"),
        last_name=fields.get("last_name"),
        date_of_birth=fields.get("date_of_birth"),
    )
    _check_same_setting(actor, room=fields.get("room"), key_person=fields.get("key_person"))
    changed = {}
    for name, value in fields.items():
        if getattr(child, name) != value:
            changed[name] = str(getattr(child, name)), str(value)
            setattr(child, name, value)
    if changed:
        child.save()
        audit_act(
            actor,
            "child.updated",
            target=child,
            changes=changed,
        )
    return child


@transaction.atomic
def child_set_status(*, actor: Actor, child: Child, status: str, left_on: date | None = None):
    """Mark a child as left (or back). Parents whose only attending child this
    was lose access at once: the policy counts attending children only (R6)."""
    require(actor, "child.edit", child)
    if status not in Child.Status.values:
        raise ValidationError({"status": "Choose attending or left."})
    child.status = status
    child.left_on = (left_on or timezone.localdate()) if status == Child.Status.LEFT else None
    child.save(update_fields=["status", "left_on"])
    audit_act(
        actor,
        f"child.status_{status}",
        target=child,
    )
    return child


@transaction.atomic
def child_set_image_consent(*, actor: Actor, child: Child, consent: str) -> Child:
    """Record the family's image consent for one child (R28). Parents change it
    when accepting the agreement; managers record a change the family asks for."""
    require(actor, "child.consent", child)
    if consent not in Child.ImageConsent.values:
        raise ValidationError({"image_consent": "Choose whether photos may be shared."})
    before = child.image_consent
    child.image_consent = consent
    child.image_consent_changed_at = timezone.now()
    child.save(update_fields=["image_consent", "image_consent_changed_at"])
    audit_act(
        actor,
        "child.image_consent",
        target=child,
        before=before,
        after=consent,
    )
    return child


@transaction.atomic
def room_create(*, actor: Actor, name: str) -> Room:
    require(actor, "setting.manage", actor.member.setting)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the room a name."})
    if rooms_for(actor).filter(name__iexact=name).exists():
        raise ValidationError(
            {"name": ValidationError("There is already a room with this name.", code="conflict")}
        )
    room = Room.objects.create(setting=actor.member.setting, name=name)
    audit_act(actor, "room.created", target=room)
    return room
