"""Shared tablets (R11): registering and revoking them, staff PINs, and
switching user on a tablet."""

import hashlib
import hmac
import secrets
from datetime import datetime, time
from time import time as time_now

from allauth.account.internal.flows.login import record_authentication
from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Exists, F, OuterRef, Q
from django.db.models.functions import Cast
from django.utils import timezone

from footsteps.access.actor import Actor
from footsteps.access.membership import SESSION_KEY
from footsteps.access.policy import require
from footsteps.audit.models import AuditEvent
from footsteps.audit.services import audit_act, audit_record
from footsteps.people import signin
from footsteps.people.models import Membership, Role
from footsteps.security import second_factor
from footsteps.tablets.models import SharedDeviceRules, StaffPin, Tablet
from footsteps.tenancy.models import Setting

COOKIE = "footsteps_tablet"
SESSION_TABLET = "footsteps_tablet_id"
SESSION_SEEN = "footsteps_tablet_seen"
# Wrong PINs: per person, and per tablet (someone trying every name).
PERSON_FAILURES, TABLET_FAILURES, WINDOW = 5, 20, 15 * 60


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def register(*, actor: Actor, name: str) -> tuple[Tablet, str]:
    """A manager registers the device in their hands; the returned token goes
    in its cookie and nowhere else."""
    require(actor, "tablet.manage", actor.member.setting)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Name the tablet, such as “Rainbow room iPad”."})
    token = secrets.token_urlsafe(32)
    tablet = Tablet.objects.create(
        setting=actor.member.setting,
        name=name[:80],
        token_hash=_hash(token),
        registered_by=actor.member,
    )
    audit_act(actor, "tablet.registered", target=tablet, name=tablet.name)
    return tablet, f"{tablet.pk}:{token}"


@transaction.atomic
def revoke(*, actor: Actor, tablet: Tablet) -> None:
    """A lost tablet: its cookie opens nothing and its sessions end on their
    next request (footsteps.tablets.middleware)."""
    require(actor, "tablet.revoke", tablet)
    if tablet.revoked_at is None:
        tablet.revoked_at = timezone.now()
        tablet.save(update_fields=["revoked_at"])
        audit_act(actor, "tablet.revoked", target=tablet, name=tablet.name)


def tablet_of(request) -> Tablet | None:
    """The registered, unrevoked tablet this browser is, or None."""
    raw = request.COOKIES.get(COOKIE, "")
    pk, _, token = raw.partition(":")
    if not pk.isdigit() or len(pk) > 18 or not token:
        return None
    tablet = Tablet.objects.select_related("setting").filter(pk=pk, revoked_at__isnull=True).first()
    if tablet is None or not hmac.compare_digest(tablet.token_hash, _hash(token)):
        return None
    return tablet


def _check_pin_shape(pin: str) -> None:
    if not (pin.isdigit() and 4 <= len(pin) <= 8):
        raise ValidationError({"pin": "Use 4 to 8 digits."})
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:], strict=False)}
    if len(set(pin)) == 1 or steps in ({1}, {-1}):
        raise ValidationError({"pin": "Choose a PIN that is harder to guess than that."})


@transaction.atomic
def set_pin(*, actor: Actor, pin: str, password: str, request=None) -> StaffPin:
    """A member of staff chooses their tablet PIN, after typing their password."""
    require(actor, "pin.set", actor.member.setting)
    _check_pin_shape(pin)
    signin.confirm_password(request, actor.member.user, password)
    stored, _ = StaffPin.objects.update_or_create(
        membership=actor.member, defaults={"pin_hash": make_password(pin), "set_at": timezone.now()}
    )
    audit_act(actor, "pin.set", target=actor.member)
    return stored


def signed_in_today(tablet: Tablet):
    """Staff of the tablet's setting who may switch in on it now: active, with
    a PIN, and a full sign-in (password and, where asked, second factor)
    today, in the setting's time zone."""
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    full_sign_in = AuditEvent.objects.filter(
        setting_id=tablet.setting_id,
        action="user.signed_in",
        actor_id=OuterRef("user_id"),
        created_at__gte=midnight,
    )
    people = (
        Membership.objects.usable()
        .staff()
        .filter(setting_id=tablet.setting_id, tablet_pin__isnull=False)
        .filter(Exists(full_sign_in))
    )
    rules = SharedDeviceRules.objects.filter(setting_id=tablet.setting_id, supervised_sign_in=True)
    if rules.exists():
        # Their full sign-in today was confirmed by a manager (R11).
        confirmed = AuditEvent.objects.filter(
            setting_id=tablet.setting_id,
            action="signin.supervised",
            target_type="people.membership",
            target_id=Cast(OuterRef("pk"), CharField()),
            created_at__gte=midnight,
        )
        people = people.filter(Q(role=Role.MANAGER) | Q(Exists(confirmed)))
    return people.select_related("user", "tablet_pin").order_by("user__full_name")


# --- Supervised sign-in --------------------------------------------------------------

SESSION_SUPERVISED = "footsteps_supervised"


@transaction.atomic
def rules_update(*, actor: Actor, supervised_sign_in: bool) -> SharedDeviceRules:
    require(actor, "tablet.manage", actor.member.setting)
    rules, _ = SharedDeviceRules.objects.get_or_create(setting=actor.member.setting)
    if rules.supervised_sign_in != supervised_sign_in:
        rules.supervised_sign_in = supervised_sign_in
        rules.save(update_fields=["supervised_sign_in"])
        # Identities are kept in the cache under the setting's people version:
        # raising it makes every app server read the new rule.
        Setting.objects.filter(pk=rules.setting_id).update(people_version=F("people_version") + 1)
        audit_act(actor, "tablet.supervision_changed", after=supervised_sign_in)
    return rules


def supervision_required(membership) -> bool:
    """Whether this member of staff's sign-in waits for a manager. Asked on
    every request: the rules come with the identity footsteps.access reads
    (no query of their own on a page)."""
    if membership is None or not membership.is_staff_role or membership.role == Role.MANAGER:
        return False
    try:
        rules = membership.setting.shared_device_rules
    except SharedDeviceRules.DoesNotExist:
        return False
    return rules.supervised_sign_in


def supervise(request, *, membership, email: str, password: str) -> None:
    """A manager of the same setting confirms, on this screen, the sign-in of
    the member of staff using it. Their password is checked and throttled as
    at sign-in; the confirmation is in the log."""
    ip = signin.client_ip(request)
    signin.check_not_locked(email, ip)
    manager = (
        Membership.objects.usable()
        .filter(setting_id=membership.setting_id, role=Role.MANAGER, user__email__iexact=email)
        .select_related("user")
        .first()
    )
    if manager is None or not manager.user.check_password(password):
        signin.record_failure(email, ip)
        raise ValidationError("That is not a manager of this setting, or not their password.")
    signin.record_success(email, ip)
    request.session[SESSION_SUPERVISED] = membership.pk
    audit_record(
        actor=manager.user,
        setting=membership.setting,
        action="signin.supervised",
        target=membership,
    )


def _failures(key: str) -> int:
    return cache.get(key, 0)


def _fail(key: str) -> None:
    if not cache.add(key, 1, WINDOW):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, WINDOW)


class PinRefused(Exception):  # noqa: N818 (a decision, not a fault)
    """Wrong PIN, or too many: `str()` says which, for the tablet's page."""


def switch_in(request, *, tablet: Tablet, membership_id: int, pin: str) -> Membership:
    """Sign a member of staff in on the tablet with their PIN. Throttled per
    person and per tablet; an unknown person and a wrong PIN answer alike."""
    person_key = f"tablet-pin:person:{membership_id}"  # whichever tablet
    tablet_key = f"tablet-pin:{tablet.pk}"
    if _failures(person_key) >= PERSON_FAILURES or _failures(tablet_key) >= TABLET_FAILURES:
        raise PinRefused("Too many wrong PINs. Wait 15 minutes, or sign in with your password.")
    membership = signed_in_today(tablet).filter(pk=membership_id).first()
    stored = membership.tablet_pin.pin_hash if membership else make_password(None)
    if membership is None or not check_password(pin, stored):
        _fail(person_key)
        _fail(tablet_key)
        audit_record(
            actor=membership.user if membership else None,
            setting=tablet.setting,
            action="tablet.pin_failed",
            target=tablet,
        )
        raise PinRefused("That PIN is not right.")
    cache.delete(person_key)
    user = membership.user
    if second_factor.required(user, membership) and not second_factor.has_factor(user):
        # Their second step was cleared (new login details): a full sign-in first.
        raise PinRefused("Sign in with your email and password first.")
    full_sign_in = (
        AuditEvent.objects.filter(
            setting_id=tablet.setting_id, action="user.signed_in", actor_id=user.pk
        )
        .order_by("-sequence")
        .values_list("created_at", flat=True)
        .first()
    )
    request.tablet_switch = True  # not a full sign-in (footsteps.people.receivers)
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    # The registered tablet and the PIN are this session's two steps, after a
    # full sign-in (password and, where asked, second factor) earlier today.
    # Dated then: a PIN is no fresh check for sensitive actions (they ask again).
    record_authentication(
        request,
        user,
        "mfa",
        type="tablet_pin",
        tablet=tablet.pk,
        at=min(
            full_sign_in.timestamp() if full_sign_in else 0.0,
            time_now() - settings.ACCOUNT_REAUTHENTICATION_TIMEOUT - 1,
        ),
    )
    request.session[SESSION_KEY] = membership.pk
    request.session[SESSION_TABLET] = tablet.pk
    request.session[SESSION_SUPERVISED] = membership.pk
    request.session[SESSION_SEEN] = timezone.now().timestamp()
    Tablet.objects.filter(pk=tablet.pk).update(last_used_at=timezone.now())
    audit_record(actor=user, setting=tablet.setting, action="tablet.switched_in", target=tablet)
    return membership
