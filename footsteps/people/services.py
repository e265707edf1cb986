"""Writes about people: invitations, roles, suspension, API tokens (R1, R2, R7, R12).

Every function takes the acting person as `actor` and writes an audit row for
any change to who may see or do what (R39).
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from footsteps.access.actor import Actor
from footsteps.access.policy import require, scope
from footsteps.audit.services import audit_act, audit_person, audit_record
from footsteps.children.models import Child, ParentLink, PendingLink
from footsteps.people import signin
from footsteps.people.models import (
    JOURNAL_EMAILS,
    STAFF_ROLES,
    ApiToken,
    EmailChange,
    Invitation,
    Membership,
    Role,
    User,
    hash_token,
    new_token,
)
from footsteps.people.selectors import active_managers

# A ValidationError's code says how the API answers it: "conflict" (409) for a
# clash with the current state, "not_found" (404), or none (422, bad input).
_ALREADY_HERE = ValidationError(
    "Someone with this email address is already in your setting.", code="conflict"
)


def _conflict(message: str) -> ValidationError:
    return ValidationError(message, code="conflict")


def _clean_email(email: str) -> str:
    email = User.objects.normalize_email(email.strip()).lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter a valid email address."}) from None
    return email


def _user_for_email(*, email: str, full_name: str) -> User:
    """The existing account for this address (whatever its case), or a new one
    with no usable password until the invitation is accepted."""
    email = _clean_email(email)
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
    if scope(actor, "membership.manage", Membership.objects.filter(user=user)).exists():
        raise ValidationError({"email": _ALREADY_HERE})
    deleted = Membership.objects.filter(
        user=user, setting=actor.member.setting, status=Membership.Status.DELETED
    )
    if deleted.exists():
        raise ValidationError(
            {"email": _conflict("This person is in the deleted area: restore them there instead.")}
        )
    try:
        with transaction.atomic():
            return Membership.objects.create(
                user=user, setting=actor.member.setting, role=role, invited_name=full_name.strip()
            )
    except IntegrityError:
        # Two managers inviting the same address at once: the first one wins.
        raise ValidationError({"email": _ALREADY_HERE}) from None


@transaction.atomic
def staff_invite(*, actor: Actor, email: str, full_name: str, role: str) -> Membership:
    require(actor, "people.manage", actor.member.setting)
    if role not in STAFF_ROLES:
        raise ValidationError({"role": "Choose a staff role."})
    membership = _add_membership(actor=actor, email=email, full_name=full_name, role=role)
    invitation_send(actor=actor, membership=membership)
    audit_act(
        actor,
        "staff.invited",
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
    setting, say) is invited, not duplicated. Someone who already uses this
    setting is never linked because an address matched: the link waits until
    they accept the emailed invitation while signed in (R5).
    """
    require(actor, "people.manage", actor.member.setting)
    require(actor, "child.edit", child)
    user = _user_for_email(email=email, full_name=full_name)
    membership = scope(actor, "membership.manage", Membership.objects.filter(user=user)).first()
    if membership is not None and membership.role != Role.PARENT:
        raise ValidationError(
            {"email": _conflict("This address belongs to a member of staff here.")}
        )
    if membership is not None and membership.status == Membership.Status.SUSPENDED:
        raise ValidationError(
            {"email": _conflict("This person is suspended here: reactivate them first.")}
        )
    if membership is None:
        membership = _add_membership(
            actor=actor, email=email, full_name=full_name, role=Role.PARENT
        )
    if membership.status == Membership.Status.INVITED:
        # Nobody can use an invited membership until the invitation is accepted.
        parent_link(actor=actor, parent=membership, child=child, relationship=relationship)
    elif not ParentLink.objects.filter(parent=membership, child=child).exists():
        PendingLink.objects.update_or_create(
            parent=membership, child=child, defaults={"relationship": relationship}
        )
    invitation_send(actor=actor, membership=membership, child=child)
    audit_act(
        actor,
        "parent.invited",
        target=membership,
        child_id=child.pk,
    )
    return membership


def invitation_send(
    *, actor: Actor, membership: Membership, child: Child | None = None, new_login: bool = False
) -> Invitation:
    """Email a fresh single-use link; any earlier link stops working (R2). The
    email greets the person by the name this setting typed, never by the name
    their account carries elsewhere."""
    require(actor, "membership.manage", membership)
    if membership.status == Membership.Status.SUSPENDED:
        raise _conflict("Reactivate this person before sending an invitation.")
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(
            membership=membership, used_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        token = new_token()
        invitation = Invitation.objects.create(
            membership=membership,
            token_hash=hash_token(token),
            invited_by=actor.member.user,
            expires_at=now + timedelta(hours=settings.INVITATION_MAX_AGE_HOURS),
        )
        context = {
            "setting": membership.setting,
            "invitee_name": membership.display_name,
            "inviter": actor.member.user,
            "link": settings.SITE_URL + reverse("invitation_accept", args=[token]),
            "hours": settings.INVITATION_MAX_AGE_HOURS,
            "has_password": membership.user.has_usable_password(),
            "child": child,
            "new_login": new_login,
        }
        subject = (
            f"[Footsteps] New sign-in details for {membership.setting.name}"
            if new_login
            else f"[Footsteps] {membership.setting.name} has invited you"
        )
        send_mail(
            subject=subject,
            message=render_to_string("people/email/invitation.txt", context),
            from_email=None,
            recipient_list=[membership.user.email],
        )
        audit_record(
            actor=actor.member.user,
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


class WrongAccount(Exception):
    """The invitation is for an account other than the one signed in."""


@transaction.atomic
def invitation_accept(
    *,
    token: str,
    password: str | None,
    full_name: str = "",
    signed_in_user: User | None = None,
    request=None,
) -> Membership:
    """Use an invitation (R2). Someone new chooses their password here: only the
    owner of the address can have opened the link. An existing account joins only
    while signed in as that account, after typing its password again: the link
    alone never adds a setting or a child to an account. The link works once."""
    invitation = invitation_for_token(token)
    # Lock the row so two tabs cannot both use one link.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.used_at is not None:
        raise InvitationInvalid("used")
    membership = invitation.membership
    user = membership.user
    if user.has_usable_password():
        if signed_in_user is None or signed_in_user.pk != user.pk:
            raise WrongAccount
        signin.confirm_password(request, user, password or "")
    else:
        if not password:
            raise ValidationError({"password1": "Choose a password."})
        validate_password(password, user)
        user.set_password(password)
        if full_name.strip():
            user.full_name = full_name.strip()
        user.save()
    now = timezone.now()
    invitation.used_at = now
    invitation.save(update_fields=["used_at"])
    if membership.status == Membership.Status.INVITED:
        membership.status = Membership.Status.ACTIVE
    membership.joined_at = membership.joined_at or now
    membership.save(update_fields=["status", "joined_at"])
    for pending in PendingLink.objects.filter(parent=membership).select_related("child"):
        ParentLink.objects.get_or_create(
            parent=membership, child=pending.child, defaults={"relationship": pending.relationship}
        )
        pending.delete()
    audit_record(
        actor=user, setting=membership.setting, action="invitation.accepted", target=membership
    )
    return membership


def _protect_last_manager(membership: Membership) -> None:
    if membership.role != Role.MANAGER:
        return
    others = active_managers(membership.setting_id).exclude(pk=membership.pk)
    if not others.exists():
        raise _conflict("A setting needs at least one active manager.")


@transaction.atomic
def staff_change_role(*, actor: Actor, membership: Membership, role: str) -> Membership:
    require(actor, "membership.manage", membership)
    if not membership.is_staff_role:
        raise _conflict("Only staff have a staff role.")
    if role not in STAFF_ROLES:
        raise ValidationError({"role": "Choose a staff role."})
    if role != Role.MANAGER:
        _protect_last_manager(membership)
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_act(
        actor,
        "staff.role_changed",
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
        raise _conflict("Only staff observations are reviewed.")
    membership.needs_review = needs_review
    membership.save(update_fields=["needs_review"])
    audit_act(
        actor,
        "staff.review_changed",
        target=membership,
        needs_review=needs_review,
    )
    return membership


@transaction.atomic
def membership_suspend(*, actor: Actor, membership: Membership) -> Membership:
    """Stop an account at once (R7): the next request of any of its sessions or API
    tokens in this setting is refused and the session is ended."""
    require(actor, "membership.manage", membership)
    if membership.pk == actor.member.pk:
        raise _conflict("You cannot suspend yourself.")
    _protect_last_manager(membership)
    membership.status = Membership.Status.SUSPENDED
    membership.save(update_fields=["status"])
    Invitation.objects.filter(membership=membership, used_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    # Every session and key ends now, so none works again after a reactivation.
    end_sessions(membership.user)
    _revoke_keys(ApiToken.objects.filter(membership=membership))
    audit_act(
        actor,
        "membership.suspended",
        target=membership,
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
    audit_act(
        actor,
        "membership.reactivated",
        target=membership,
    )
    return membership


@transaction.atomic
def parent_link(*, actor: Actor, parent: Membership, child: Child, relationship: str) -> ParentLink:
    require(actor, "membership.manage", parent)
    require(actor, "child.edit", child)
    if not parent.is_parent:
        raise _conflict("Only parents and carers are linked to children.")
    if relationship not in ParentLink.Relationship.values:
        raise ValidationError({"relationship": "Choose a relationship."})
    link, created = ParentLink.objects.get_or_create(
        parent=parent, child=child, defaults={"relationship": relationship}
    )
    if not created and link.relationship != relationship:
        link.relationship = relationship
        link.save(update_fields=["relationship"])
    audit_act(
        actor,
        "parent.linked",
        target=link,
        child_id=child.pk,
        parent_id=parent.pk,
    )
    return link


@transaction.atomic
def parent_unlink(*, actor: Actor, link: ParentLink) -> None:
    require(actor, "link.manage", link)
    audit_act(
        actor,
        "parent.unlinked",
        target=link,
        child_id=link.child_id,
        parent_id=link.parent_id,
    )
    link.delete()


KEY_LIFETIMES_DAYS = (30, 90, 365)


@transaction.atomic
def api_token_create(
    *, actor: Actor, name: str, password: str, days: int = 90, request=None
) -> tuple[ApiToken, str]:
    """A personal API key for the actor in this setting, after their password is
    typed again (R1). It expires; the key itself is shown once."""
    require(actor, "profile.use", actor.member.setting)
    if actor.member.user.is_superuser:
        # Support's visits are logged request by request (R32): browser only.
        raise ValidationError("Support access works in the browser only.", code="conflict")
    if not name.strip():
        raise ValidationError({"name": "Give the key a name, such as the device it is for."})
    if days not in KEY_LIFETIMES_DAYS:
        raise ValidationError({"days": "Choose how long the key works."})
    signin.confirm_password(request, actor.member.user, password)
    secret = "fs_" + new_token()
    token = ApiToken.objects.create(
        membership=actor.member,
        name=name.strip(),
        token_hash=hash_token(secret),
        prefix=secret[:8],
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit_act(
        actor,
        "api_token.created",
        target=token,
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: Actor, token: ApiToken) -> None:
    require(actor, "token.manage", token)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_act(
        actor,
        "api_token.revoked",
        target=token,
    )


def _revoke_keys(tokens) -> int:
    return tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


def end_sessions(user: User) -> None:
    """End every session of this person on every device (R7, R9): each session's
    hash includes this salt, so they all fail their next check."""
    user.session_salt = secrets.token_hex()
    user.save(update_fields=["session_salt"])


@transaction.atomic
def preferences_update(*, actor: Actor, journal_emails: str) -> Membership:
    """How a family hears about new entries: at once, in a daily digest, or not."""
    require(actor, "preferences.journal_emails", actor.member.setting)
    if journal_emails not in dict(JOURNAL_EMAILS):
        raise ValidationError({"journal_emails": "Choose how often we email you."})
    membership = actor.member
    before = membership.journal_emails
    membership.journal_emails = journal_emails
    membership.save(update_fields=["journal_emails"])
    if before != journal_emails:
        audit_act(
            actor,
            "preferences.updated",
            target=membership,
            journal_emails=journal_emails,
        )
    return membership


@transaction.atomic
def user_sign_out_everywhere(*, user: User) -> None:
    """End every session and API key of this person on every device (R9)."""
    end_sessions(user)
    revoked = _revoke_keys(ApiToken.objects.filter(membership__user=user))
    audit_person(actor=user, user=user, action="user.signed_out_everywhere", keys_revoked=revoked)


# --- Sign-in events (R8, R9, R39) ----------------------------------------------


def sign_in_recorded(*, user: User, ip: str) -> None:
    audit_person(actor=user, user=user, action="user.signed_in", ip=ip)


def sign_in_failed(*, email: str, ip: str, locked: bool) -> None:
    """A wrong password for an address: recorded for the account's settings if the
    address has an account; nothing differs for the person typing."""
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is not None:
        audit_person(actor=None, user=user, action="user.sign_in_failed", ip=ip, locked=locked)


@transaction.atomic
def password_changed(*, user: User, how: str) -> None:
    """After a password change or reset: the old password's sessions are already
    invalid (their hash includes it); end the API keys made under it too (R8, R9)."""
    revoked = _revoke_keys(ApiToken.objects.filter(membership__user=user))
    _forget_tablet_pins(user)
    action = "user.password_reset" if how == "reset" else "user.password_changed"
    audit_person(actor=user, user=user, action=action, keys_revoked=revoked)


def _forget_tablet_pins(user: User) -> None:
    """A PIN opens a shared tablet after a full sign-in that day: with the
    password changed or the login reset, it must be chosen again (R8, R11)."""
    from footsteps.tablets.models import StaffPin

    StaffPin.objects.filter(membership__user=user).delete()


@transaction.atomic
def login_details_reset(*, actor: Actor, membership: Membership) -> None:
    """New login details for someone whose login may be compromised (R8): the old
    password stops working, every session and key ends, and a link to choose a
    new password goes to their address."""
    require(actor, "membership.manage", membership)
    if membership.status == Membership.Status.INVITED:
        raise _conflict("They have not joined yet: send a new invitation instead.")
    if membership.status == Membership.Status.SUSPENDED:
        raise _conflict("Reactivate this person first.")
    user = membership.user
    user.set_unusable_password()
    user.session_salt = secrets.token_hex()
    user.save(update_fields=["password", "session_salt"])
    _revoke_keys(ApiToken.objects.filter(membership__user=user))
    EmailChange.objects.filter(user=user, used_at__isnull=True).update(revoked_at=timezone.now())
    # Their second sign-in step too: it may be lost, or added by whoever took
    # the login. They set one up again after choosing a password (R37).
    from footsteps.security.services import second_factor_reset

    second_factor_reset(user=user)
    _forget_tablet_pins(user)
    invitation_send(actor=actor, membership=membership, new_login=True)
    audit_person(actor=actor.member.user, user=user, action="user.login_reset")


@transaction.atomic
def sign_in_unlock(*, actor: Actor, membership: Membership) -> None:
    """A manager lets someone locked out by failed attempts sign in again."""
    require(actor, "membership.manage", membership)
    signin.unlock(membership.user.email)
    audit_act(
        actor,
        "user.sign_in_unlocked",
        target=membership,
    )


# --- Changing one's sign-in address (R1) ------------------------------------------

EMAIL_CHANGE_MAX_AGE = timedelta(hours=24)


@transaction.atomic
def email_change_request(*, user: User, password: str, new_email: str, request=None) -> None:
    """Ask to sign in with a new address: the password is typed again, and a link
    goes to the new address, which must be opened by this person while signed in.
    Whether the address is free or not, the asker sees the same; its owner gets a
    notice instead of a link."""
    new_email = _clean_email(new_email)
    signin.confirm_password(request, user, password)
    if new_email == user.email:
        raise ValidationError({"new_email": "That is already your address."})
    _send_email_change_link(user, new_email, template="people/email/email_confirm.txt")
    audit_person(actor=user, user=user, action="user.email_change_requested")


def _send_email_change_link(user: User, new_email: str, *, template: str, **context) -> None:
    """A single-use link to `new_email`, which its reader opens signed in as
    `user` to make it their sign-in address; earlier links stop working. An
    address that already has an account gets a notice instead of a link."""
    now = timezone.now()
    EmailChange.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    if User.objects.filter(email__iexact=new_email).exists():
        send_mail(
            subject="[Footsteps] Someone tried to use your address",
            message=render_to_string("people/email/email_taken.txt", {}),
            from_email=None,
            recipient_list=[new_email],
        )
        return
    token = new_token()
    EmailChange.objects.create(
        user=user,
        new_email=new_email,
        token_hash=hash_token(token),
        expires_at=now + EMAIL_CHANGE_MAX_AGE,
    )
    link = settings.SITE_URL + reverse("email_change_confirm", args=[token])
    send_mail(
        subject="[Footsteps] Confirm your new sign-in address",
        message=render_to_string(template, {"person": user, "link": link, **context}),
        from_email=None,
        recipient_list=[new_email],
    )


def _only_here(membership: Membership) -> bool:
    """Whether the person's account belongs to this setting alone: only then
    may its manager change what the account itself carries."""
    return (
        not Membership.objects.filter(user_id=membership.user_id)
        .exclude(setting_id=membership.setting_id)
        .exists()
    )


@transaction.atomic
def person_correct(
    *, actor: Actor, membership: Membership, full_name: str, email: str
) -> list[str]:
    """A manager corrects a person's name or email address (R33). Returns what
    happened, in words for the page. The change is in the setting's log with
    the values before and after.

    An address is an identity: it changes at once only for someone who has
    not yet joined (their invitation goes again, to the corrected address);
    for anyone else a link goes to the new address and the change happens
    when its owner opens it signed in with their own password."""
    require(actor, "membership.manage", membership)
    user = membership.user
    full_name = " ".join(full_name.split())
    if not full_name:
        raise ValidationError({"full_name": "Enter their name."})
    if len(full_name) > 150:
        raise ValidationError({"full_name": "Keep the name under 150 characters."})
    email = _clean_email(email)
    joined = membership.joined_at is not None or user.has_usable_password()
    done = []
    if full_name != membership.display_name:
        before = membership.display_name
        if not joined:
            membership.invited_name = full_name
            membership.save(update_fields=["invited_name"])
        elif _only_here(membership):
            user.full_name = full_name
            user.save(update_fields=["full_name"])
        else:
            raise ValidationError(
                {
                    "full_name": "This person also belongs to another setting, so only they "
                    "can change the name their account carries."
                }
            )
        audit_act(actor, "person.name_corrected", target=membership, before=before, after=full_name)
        done.append(f"Name corrected to {full_name}.")
    if email != user.email.lower():
        if not joined and _only_here(membership):
            if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
                raise ValidationError(
                    {"email": "Someone with this address already has an account."},
                    code="conflict",
                )
            before = user.email
            user.email = email
            user.save(update_fields=["email"])
            audit_act(actor, "person.email_corrected", target=membership, before=before)
            invitation_send(actor=actor, membership=membership)
            done.append(f"Address corrected; a new invitation went to {email}.")
        else:
            _send_email_change_link(
                user,
                email,
                template="people/email/email_correct.txt",
                setting=membership.setting,
            )
            audit_act(actor, "person.email_correction_sent", target=membership)
            done.append(
                f"We emailed {email} a link. The address changes when {membership.display_name} "
                "opens it, signed in to Footsteps."
            )
    return done


@transaction.atomic
def link_relationship(*, actor: Actor, link: ParentLink, relationship: str) -> ParentLink:
    """Correct how a parent or carer is related to a child (R33)."""
    require(actor, "link.manage", link)
    if relationship not in ParentLink.Relationship.values:
        raise ValidationError({"relationship": "Choose a relationship."})
    before = link.relationship
    if before != relationship:
        link.relationship = relationship
        link.save(update_fields=["relationship"])
        audit_act(
            actor,
            "parent.relationship_changed",
            target=link,
            child_id=link.child_id,
            parent_id=link.parent_id,
            before=before,
            after=relationship,
        )
    return link


def email_change_for_token(*, user: User, token: str) -> EmailChange:
    change = EmailChange.objects.filter(
        token_hash=hash_token(token),
        user=user,
        used_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).first()
    if change is None:
        raise ValidationError("This link is not valid any more. Ask for a new one.")
    return change


@transaction.atomic
def email_change_confirm(*, user: User, token: str) -> User:
    """The new address is proven: it becomes the sign-in address, the old address
    is told, other sessions end and every setting's log records it."""
    change = email_change_for_token(user=user, token=token)
    change = EmailChange.objects.select_for_update().get(pk=change.pk)
    old_email = user.email
    try:
        with transaction.atomic():
            user.email = change.new_email
            user.save(update_fields=["email"])
    except IntegrityError:
        raise ValidationError("This address now belongs to another account.") from None
    from allauth.account.models import EmailAddress

    # allauth's extra-address table must never name an address we have not proven.
    EmailAddress.objects.filter(user=user).delete()
    change.used_at = timezone.now()
    change.save(update_fields=["used_at"])
    end_sessions(user)
    send_mail(
        subject="[Footsteps] Your sign-in address was changed",
        message=render_to_string(
            "people/email/email_changed.txt", {"person": user, "new_email": user.email}
        ),
        from_email=None,
        recipient_list=[old_email],
    )
    audit_person(actor=user, user=user, action="user.email_changed", before=old_email)
    return user
