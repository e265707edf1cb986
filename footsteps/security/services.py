"""Writes about sign-in safety: a setting's access rules, a person ending
their own sessions (R9, R10), and their second sign-in step (R37). Each writes
its audit row (R39)."""

from allauth.mfa.models import Authenticator
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from footsteps.access.actor import Actor
from footsteps.access.policy import require
from footsteps.audit.services import audit_act, audit_person
from footsteps.people.models import Membership, Role
from footsteps.people.services import end_sessions
from footsteps.security import recovery_codes, second_factor, sessions
from footsteps.security.models import AccessRules, HomeAccess, RecoveryCode, SessionRecord
from footsteps.tenancy.models import Setting

# What access_rules_update may change, besides who has home access.
RULE_FIELDS = (
    "staff_idle_minutes",
    "parent_idle_minutes",
    "limit_hours",
    "staff_days",
    "opens_at",
    "closes_at",
    "networks",
    "staff_second_factor",
    "parent_second_factor",
)


@transaction.atomic
def access_rules_update(
    *, actor: Actor, home_access: list[Membership] | None = None, **values
) -> AccessRules:
    """A manager sets their setting's rules (R9, R10), and which of its staff
    may sign in from any network. The setting's people version goes up, so
    every session of the setting meets the new rules on its next request
    (identities, and the rules with them, are kept per people version)."""
    setting = actor.member.setting
    require(actor, "access_rules.manage", setting)
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise ValueError(f"Not an access rule: {sorted(unknown)}")
    rules, _created = AccessRules.objects.select_for_update().get_or_create(setting=setting)
    changed = {}
    for name, value in values.items():
        if getattr(rules, name) != value:
            changed[name] = [str(getattr(rules, name)), str(value)]
            setattr(rules, name, value)
    rules.full_clean()
    rules.save()
    if home_access is not None:
        changed.update(_home_access_set(actor=actor, memberships=home_access))
    Setting.objects.filter(pk=setting.pk).update(people_version=F("people_version") + 1)
    if changed:
        audit_act(actor, "access_rules.updated", target=rules, changes=changed)
    return rules


def _home_access_set(*, actor: Actor, memberships: list[Membership]) -> dict:
    """Exactly these staff of the setting have home access; managers need none."""
    for membership in memberships:
        require(actor, "membership.manage", membership)
        if not membership.is_staff_role or membership.role == Role.MANAGER:
            raise ValidationError(
                {"home_access": f"{membership.display_name} is not staff held to the rules."}
            )
    chosen = {membership.pk for membership in memberships}
    current = HomeAccess.objects.filter(membership__setting_id=actor.member.setting_id)
    before = set(current.values_list("membership_id", flat=True))
    if before == chosen:
        return {}
    current.exclude(membership_id__in=chosen).delete()
    HomeAccess.objects.bulk_create(
        HomeAccess(membership_id=pk, granted_by=actor.member.user) for pk in chosen - before
    )
    return {"home_access": [sorted(before), sorted(chosen)]}


def stale_sessions_forget(*, user) -> int:
    """Records of this person's sessions that have ended by themselves (timed
    out) or were ended by a new password, "sign out of all devices", a
    suspension or new login details: not listed, and removed at sign-in."""
    current = sessions.auth_digest(user.get_session_auth_hash())
    deleted, _ = (
        SessionRecord.objects.filter(user=user)
        .filter(Q(ends_at__lte=timezone.now()) | ~Q(auth_digest=current))
        .delete()
    )
    return deleted


@transaction.atomic
def session_end(*, user, record: SessionRecord) -> None:
    """End one of the person's own sessions: it stops working on its next request."""
    if record.user_id != user.pk:
        raise ValidationError("That is not one of your sessions.", code="not_found")
    sessions.delete_session_of(record)
    record.delete()
    audit_person(actor=user, user=user, action="user.session_ended")


@transaction.atomic
def sessions_end_others(*, request) -> int:
    """End every session of the person but this one: a new session salt ends
    them all (those made before their records were kept too), and this one is
    signed again. API keys stay: "sign out of all devices" ends those."""
    user = request.user
    others = list(
        SessionRecord.objects.filter(user=user).exclude(pk=request.session.get(sessions.RECORD))
    )
    end_sessions(user)
    update_session_auth_hash(request, user)
    idle = sessions.idle_minutes(request.actor.membership) * 60
    sessions.record_use(request, user, idle_seconds=idle)
    for record in others:
        sessions.delete_session_of(record)
    SessionRecord.objects.filter(pk__in=[record.pk for record in others]).delete()
    audit_person(actor=user, user=user, action="user.signed_out_elsewhere", sessions=len(others))
    return len(others)


def second_factor_added(*, request, authenticator) -> None:
    """An authenticator app or a passkey was set up (allauth's page saved it):
    this session counts as having passed it, and the setting's log says so."""
    second_factor.note_added(request, authenticator)
    audit_person(
        actor=request.user,
        user=request.user,
        action="user.second_factor_added",
        kind=str(authenticator.type),
    )


def second_factor_removed(*, request, kind: str) -> None:
    """One was removed: with none left, this session has passed none, so
    someone who must have one is sent to set one up."""
    second_factor.note_removed(request)
    audit_person(
        actor=request.user, user=request.user, action="user.second_factor_removed", kind=kind
    )


def second_factor_reset(*, user) -> None:
    """Part of a manager's new login details (footsteps.people.services): the
    person's authenticator app, passkeys and recovery codes all go."""
    Authenticator.objects.filter(user_id=user.pk).delete()
    RecoveryCode.objects.filter(user_id=user.pk).delete()


@transaction.atomic
def recovery_codes_make(*, user) -> list[str]:
    """A new set of recovery codes, returned once to be shown once; the old set
    stops working. Only their hashes are stored."""
    if not second_factor.has_factor(user):
        raise ValidationError("Set up an authenticator app or a passkey first.")
    # One set at a time, also when two pages ask at once.
    type(user)._default_manager.select_for_update().get(pk=user.pk)
    RecoveryCode.objects.filter(user=user).delete()
    codes = [recovery_codes.new_code() for _ in range(recovery_codes.COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=recovery_codes.code_hash(code)) for code in codes
    )
    audit_person(actor=user, user=user, action="user.recovery_codes_made")
    return codes


@transaction.atomic
def recovery_code_use(*, user, code: str) -> bool:
    """Sign in (or check again) with a recovery code: each works once."""
    used = RecoveryCode.objects.filter(
        user=user, code_hash=recovery_codes.code_hash(code), used_at__isnull=True
    ).update(used_at=timezone.now())
    if used:
        left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
        audit_person(actor=user, user=user, action="user.recovery_code_used", left=left)
    return bool(used)
