"""Reads about sign-in safety, each for the person or setting asking (R9, R10)."""

from dataclasses import dataclass
from datetime import datetime

from allauth.mfa.models import Authenticator
from django.utils import timezone

from footsteps.audit.selectors import audit_events_for
from footsteps.people.models import Membership, Role
from footsteps.people.selectors import staff_for
from footsteps.security import devices, sessions
from footsteps.security.access import DENIED_HOURS, DENIED_NETWORK
from footsteps.security.models import AccessRules, HomeAccess, RecoveryCode, SessionRecord


@dataclass(frozen=True)
class SessionRow:
    record: SessionRecord
    device: str
    network: str
    current: bool

    @property
    def pk(self) -> int:
        return self.record.pk

    @property
    def created_at(self) -> datetime:
        return self.record.created_at

    @property
    def last_seen(self) -> datetime:
        return self.record.last_seen


def sessions_for(request) -> list[SessionRow]:
    """Where the signed-in person is signed in now: sessions that have neither
    timed out nor been ended by a new password or "sign out of all devices".
    This one first."""
    user = request.user
    current_id = request.session.get(sessions.RECORD)
    records = SessionRecord.objects.filter(
        user=user,
        ends_at__gt=timezone.now(),
        auth_digest=sessions.auth_digest(user.get_session_auth_hash()),
    )
    rows = [
        SessionRow(
            record=record,
            device=devices.device(record.user_agent),
            network=devices.network(record.ip),
            current=record.pk == current_id,
        )
        for record in records
    ]
    return sorted(rows, key=lambda row: not row.current)


def own_session(request, record_id: int) -> SessionRecord | None:
    return SessionRecord.objects.filter(user=request.user, pk=record_id).first()


def rules_for(actor) -> AccessRules:
    """The actor's setting's rules, as the manager's page shows them."""
    return sessions.rules_of(actor.member.setting)


def home_access_choices(actor):
    """Staff a manager may let sign in from anywhere: managers need no leave."""
    return staff_for(actor).exclude(role=Role.MANAGER).exclude(status=Membership.Status.SUSPENDED)


def home_access_now(actor) -> list[int]:
    return list(
        HomeAccess.objects.filter(membership__in=home_access_choices(actor)).values_list(
            "membership_id", flat=True
        )
    )


def refusals_for(actor, limit: int = 10):
    """The setting's latest refused sign-ins and requests (R10), from its log."""
    return audit_events_for(actor).filter(action__in=(DENIED_HOURS, DENIED_NETWORK))[:limit]


def second_factor_for(user) -> dict:
    """The person's own second sign-in steps, for their page (R37)."""
    factors = list(Authenticator.objects.filter(user_id=user.pk).order_by("created_at"))
    app = next((f for f in factors if f.type == Authenticator.Type.TOTP), None)
    passkeys = [f.wrap() for f in factors if f.type == Authenticator.Type.WEBAUTHN]
    codes = list(RecoveryCode.objects.filter(user_id=user.pk).values_list("used_at", "created_at"))
    return {
        "app": app,
        "passkeys": passkeys,
        "has_factor": bool(app or passkeys),
        "codes_left": sum(1 for used_at, _made in codes if used_at is None),
        "codes_made_at": codes[0][1] if codes else None,
    }
