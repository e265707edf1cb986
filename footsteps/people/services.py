"""Writes about people: invitations, roles, suspension, API tokens (R1, R2, R7, R12).

Every function takes the acting person as `actor` and writes an audit row for
any change to who may see or do what (R39).
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from footsteps.access.actor import Actor
from footsteps.access.policy import can, require
from footsteps.audit.services import audit_record
from footsteps.children.models import Child, ParentLink
from footsteps.people.models import (
    STAFF_ROLES,
    ApiToken,
    Invitation,
    Membership,
    Role,
    User,
    hash_token,
    new_token,
)


def _user_for_email(*, email: str, full_name: str) -> User:
    """The existing account for this address (whatever its case), or a new one
    with no usable password until the invitation is accepted."""
    email = User.objects.normalize_email(email.strip()).lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter a valid email address."}) from None
    if not full_name.strip():
        raise ValidationError({"full_name": "Enter the person's name."})
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(email=email, full_name=full_name.strip())
        user.set_unusable_password()
        user.save()
    return user


def _add_membership(*, actor: Actor, email: str, full_name: str, role: str) -> Membership:
    user = _user_for_email(email=email, full_name=full_name)
    if Membership.objects.filter(user=user, setting_id=actor.setting_id).exists():
        raise ValidationError(
            {"email": "Someone with this email address is already in your setting."}
        )
    try:
        with transaction.atomic():
            return Membership.objects.create(user=user, setting=actor.setting, role=role)
    except IntegrityError:
        # Two managers inviting the same address at once: the first one wins.
        raise ValidationError(
            {"email": "Someone with this email address is already in your setting."}
        ) from None


@transaction.atomic
def staff_invite(*, actor: Actor, email: str, full_name: str, role: str) -> Membership:
    require(actor, "people.manage", actor.setting)
    if role not in STAFF_ROLES:
        raise ValidationError({"role": "Choose a staff role."})
    membership = _add_membership(actor=actor, email=email, full_name=full_name, role=role)
    invitation_send(actor=actor, membership=membership)
    audit_record(
        actor=actor.user,
        setting=actor.setting,
        action="staff.invited",
        target=membership,
        role=role,
    )
    return membership


@transaction.atomic
def parent_invite(
    *, actor: Actor, email: str, full_name: str, child: Child, relationship: str
) -> Membership:
    """Register a parent or carer by email and link them to a child (R2, R12).

    An address that already has an account (a parent with a child at another
    setting, say) is linked, not duplicated. A parent already in this setting is
    simply linked to the extra child.
    """
    require(actor, "people.manage", actor.setting)
    require(actor, "child.edit", child)
    user = _user_for_email(email=email, full_name=full_name)
    membership = Membership.objects.filter(user=user, setting_id=actor.setting_id).first()
    if membership is not None and membership.role != Role.PARENT:
        raise ValidationError({"email": "This address belongs to a member of staff here."})
    newly_added = membership is None
    if newly_added:
        membership = _add_membership(
            actor=actor, email=email, full_name=full_name, role=Role.PARENT
        )
    parent_link(actor=actor, parent=membership, child=child, relationship=relationship)
    if newly_added or membership.status == Membership.Status.INVITED:
        invitation_send(actor=actor, membership=membership)
    audit_record(
        actor=actor.user,
        setting=actor.setting,
        action="parent.invited",
        target=membership,
        child_id=child.pk,
    )
    return membership


def invitation_send(*, actor: Actor, membership: Membership) -> Invitation:
    """Email a fresh single-use link; any earlier link stops working (R2)."""
    require(actor, "membership.manage", membership)
    if membership.status == Membership.Status.SUSPENDED:
        raise ValidationError("Reactivate this person before sending an invitation.")
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(
            membership=membership, used_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        token = new_token()
        invitation = Invitation.objects.create(
            membership=membership,
            token_hash=hash_token(token),
            invited_by=actor.user,
            expires_at=now + timedelta(hours=settings.INVITATION_MAX_AGE_HOURS),
        )
        context = {
            "setting": membership.setting,
            "invitee": membership.user,
            "inviter": actor.user,
            "link": settings.SITE_URL + reverse("invitation_accept", args=[token]),
            "hours": settings.INVITATION_MAX_AGE_HOURS,
            "has_password": membership.user.has_usable_password(),
        }
        send_mail(
            subject=f"[Footsteps] {membership.setting.name} has invited you",
            message=render_to_string("people/email/invitation.txt", context),
            from_email=None,
            recipient_list=[membership.user.email],
        )
        audit_record(
            actor=actor.user,
            setting=membership.setting,
            action="invitation.sent",
            target=membership,
        )
    return invitation


class InvitationInvalid(Exception):
    """The link is unknown, used, revoked or expired; `reason` says which, for the page."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def invitation_for_token(token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("membership__user", "membership__setting")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        raise InvitationInvalid("unknown")
    if invitation.used_at is not None:
        raise InvitationInvalid("used")
    if invitation.revoked_at is not None:
        raise InvitationInvalid("revoked")
    if invitation.is_expired:
        raise InvitationInvalid("expired")
    if invitation.membership.status == Membership.Status.SUSPENDED:
        raise InvitationInvalid("revoked")
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str | None, full_name: str = "") -> Membership:
    """Use an invitation: set the invitee's own password (unless they already have
    one) and make the membership active. The link cannot be used again."""
    invitation = invitation_for_token(token)
    # Lock the row so two tabs cannot both use one link.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.used_at is not None:
        raise InvitationInvalid("used")
    membership = invitation.membership
    user = membership.user
    if not user.has_usable_password():
        if not password:
            raise ValidationError({"password1": "Choose a password."})
        validate_password(password, user)
        user.set_password(password)
        if full_name.strip():
            user.full_name = full_name.strip()
        user.save()
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    membership.status = Membership.Status.ACTIVE
    membership.save(update_fields=["status"])
    audit_record(
        actor=user, setting=membership.setting, action="invitation.accepted", target=membership
    )
    return membership


def _protect_last_manager(membership: Membership) -> None:
    if membership.role != Role.MANAGER:
        return
    others = Membership.objects.filter(
        setting_id=membership.setting_id, role=Role.MANAGER, status=Membership.Status.ACTIVE
    ).exclude(pk=membership.pk)
    if not others.exists():
        raise ValidationError("A setting needs at least one active manager.")


@transaction.atomic
def staff_change_role(*, actor: Actor, membership: Membership, role: str) -> Membership:
    require(actor, "membership.manage", membership)
    if not membership.is_staff_role or role not in STAFF_ROLES:
        raise ValidationError({"role": "Choose a staff role."})
    if role != Role.MANAGER:
        _protect_last_manager(membership)
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        actor=actor.user,
        setting=actor.setting,
        action="staff.role_changed",
        target=membership,
        before=before,
        after=role,
    )
    return membership


@transaction.atomic
def staff_set_review(*, actor: Actor, membership: Membership, needs_review: bool) -> Membership:
    """Name a member of staff whose observations a senior reviews first (R17)."""
    require(actor, "membership.manage", membership)
    if not membership.is_staff_role:
        raise ValidationError("Only staff observations are reviewed.")
    membership.needs_review = needs_review
    membership.save(update_fields=["needs_review"])
    audit_record(
        actor=actor.user,
        setting=actor.setting,
        action="staff.review_changed",
        target=membership,
        needs_review=needs_review,
    )
    return membership


@transaction.atomic
def membership_suspend(*, actor: Actor, membership: Membership) -> Membership:
    """Stop an account at once (R7): the next request of any of its sessions or API
    tokens in this setting is refused and the session is ended."""
    require(actor, "membership.manage", membership)
    if membership.pk == actor.membership.pk:
        raise ValidationError("You cannot suspend yourself.")
    _protect_last_manager(membership)
    membership.status = Membership.Status.SUSPENDED
    membership.save(update_fields=["status"])
    Invitation.objects.filter(membership=membership, used_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    audit_record(
        actor=actor.user, setting=actor.setting, action="membership.suspended", target=membership
    )
    return membership


@transaction.atomic
def membership_reactivate(*, actor: Actor, membership: Membership) -> Membership:
    require(actor, "membership.manage", membership)
    if membership.status != Membership.Status.SUSPENDED:
        return membership
    # Someone who never set a password goes back to "invited" and needs a new link.
    accepted = membership.invitations.filter(used_at__isnull=False).exists()
    membership.status = Membership.Status.ACTIVE if accepted else Membership.Status.INVITED
    membership.save(update_fields=["status"])
    audit_record(
        actor=actor.user, setting=actor.setting, action="membership.reactivated", target=membership
    )
    return membership


@transaction.atomic
def parent_link(*, actor: Actor, parent: Membership, child: Child, relationship: str) -> ParentLink:
    require(actor, "membership.manage", parent)
    require(actor, "child.edit", child)
    if not parent.is_parent:
        raise ValidationError("Only parents and carers are linked to children.")
    if relationship not in ParentLink.Relationship.values:
        raise ValidationError({"relationship": "Choose a relationship."})
    link, created = ParentLink.objects.get_or_create(
        parent=parent, child=child, defaults={"relationship": relationship}
    )
    if not created and link.relationship != relationship:
        link.relationship = relationship
        link.save(update_fields=["relationship"])
    audit_record(
        actor=actor.user,
        setting=actor.setting,
        action="parent.linked",
        target=link,
        child_id=child.pk,
        parent_id=parent.pk,
    )
    return link


@transaction.atomic
def parent_unlink(*, actor: Actor, link: ParentLink) -> None:
    require(actor, "link.manage", link)
    audit_record(
        actor=actor.user,
        setting=actor.setting,
        action="parent.unlinked",
        target=link,
        child_id=link.child_id,
        parent_id=link.parent_id,
    )
    link.delete()


def api_token_create(*, actor: Actor, name: str) -> tuple[ApiToken, str]:
    """A personal API key for the actor in this setting. The key is shown once."""
    if not actor.membership or not can(actor, "profile.use", actor.setting):
        raise PermissionDenied
    if not name.strip():
        raise ValidationError({"name": "Give the key a name, such as the device it is for."})
    secret = "fs_" + new_token()
    with transaction.atomic():
        token = ApiToken.objects.create(
            membership=actor.membership,
            name=name.strip(),
            token_hash=hash_token(secret),
            prefix=secret[:8],
        )
        audit_record(
            actor=actor.user, setting=actor.setting, action="api_token.created", target=token
        )
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: Actor, token: ApiToken) -> None:
    require(actor, "token.manage", token)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor.user, setting=actor.setting, action="api_token.revoked", target=token)


def preferences_update(*, actor: Actor, journal_emails: str) -> Membership:
    membership = actor.membership
    membership.journal_emails = journal_emails
    membership.save(update_fields=["journal_emails"])
    return membership


def user_sign_out_everywhere(*, user: User) -> None:
    """End every session of this person on every device (R9)."""
    user.session_salt = secrets.token_hex()
    user.save(update_fields=["session_salt"])
    audit_record(actor=user, setting=None, action="user.signed_out_everywhere", target=user)
