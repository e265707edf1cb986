"""Support access (R32): a manager lets the operator in for a few hours; the
operator enters the setting as a manager would see it; every request they
make there is in the setting's log; when the time is up (or a manager ends
it) their place in the setting is suspended and their sessions end."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from footsteps.access.actor import Actor
from footsteps.access.policy import require
from footsteps.audit.services import audit_act, audit_record
from footsteps.people.models import Membership, Role
from footsteps.people.services import end_sessions
from footsteps.support.models import SupportGrant

HOURS = (1, 4, 24, 72)


@transaction.atomic
def grant(*, actor: Actor, hours: int, reason: str) -> SupportGrant:
    """Let the operator in for `hours`, for a reason the manager writes; a
    grant still running ends first (one at a time)."""
    require(actor, "support.manage", actor.member.setting)
    if hours not in HOURS:
        raise ValidationError({"hours": "Choose how long support may have access."})
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": "Say what support should help with."})
    for running in SupportGrant.objects.current().filter(setting=actor.member.setting):
        _close(running)
    now = timezone.now()
    created = SupportGrant.objects.create(
        setting=actor.member.setting,
        granted_by=actor.member,
        reason=reason[:300],
        created_at=now,
        ends_at=now + timedelta(hours=hours),
    )
    audit_act(actor, "support.granted", target=created, hours=hours, reason=created.reason)
    return created


@transaction.atomic
def end(*, actor: Actor, support: SupportGrant) -> None:
    require(actor, "support.end", support)
    if support.ended_at is None:
        support.ended_at = timezone.now()
        support.save(update_fields=["ended_at"])
        _close(support)
        audit_act(actor, "support.ended", target=support)


def _close(support: SupportGrant) -> None:
    """The operator's place in the setting stops working at once."""
    if support.ended_at is None:
        support.ended_at = min(timezone.now(), support.ends_at)
        support.save(update_fields=["ended_at"])
    if support.membership is not None:
        Membership.objects.filter(pk=support.membership.pk).update(
            status=Membership.Status.SUSPENDED
        )
        end_sessions(support.membership.user)


def expire(support: SupportGrant) -> None:
    """A grant whose time is up, found on the operator's next request."""
    with transaction.atomic():
        _close(support)
        audit_record(actor=None, setting=support.setting, action="support.expired", target=support)


def operator_may_enter(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


@transaction.atomic
def enter(*, user, support: SupportGrant) -> Membership:
    """The operator takes up a current grant: a manager's place in the
    setting, named as support, until the grant ends."""
    if not operator_may_enter(user) or not support.is_current:
        raise PermissionDenied
    membership, _ = Membership.objects.update_or_create(
        user=user,
        setting=support.setting,
        defaults={
            "role": Role.MANAGER,
            "status": Membership.Status.ACTIVE,
            "invited_name": "",
            "joined_at": timezone.now(),
        },
    )
    support.membership = membership
    support.save(update_fields=["membership"])
    audit_record(actor=user, setting=support.setting, action="support.entered", target=support)
    return membership


def request_seen(*, user, support: SupportGrant, method: str, path: str) -> None:
    """Every request the operator makes under a grant, in the setting's log."""
    audit_record(
        actor=user,
        setting=support.setting,
        action="support.request",
        target=support,
        method=method,
        path=path[:300],
    )
