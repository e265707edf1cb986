"""Staff access rules (R10): when and from where a setting's staff may use
Footsteps. A manager sets them per setting: access hours (days and times in
the setting's time zone), the networks staff may use, and which staff may
sign in from anywhere (home access). Managers are never held to them, so they
cannot lock themselves out; parents and carers are not staff and never are.

They are checked at sign-in (footsteps.people.adapter), on every page
(footsteps.security.middleware) and on every API request, keys and sessions
alike (footsteps.api.auth), so a session that runs past closing time stops
working on its next request. Each refusal is in the setting's activity log,
at most once in ten minutes for one person and reason (an app retrying all
night would otherwise fill it). The client's address comes only from
footsteps.people.signin.client_ip, which believes a proxy only when the
deployment says it is there.
"""

import ipaddress
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import time_format

from footsteps.audit.services import audit_record
from footsteps.people.models import Role
from footsteps.people.signin import client_ip
from footsteps.security.models import WEEKDAYS, AccessRules
from footsteps.security.networks import parse_networks
from footsteps.security.sessions import rules_of

DENIED_HOURS, DENIED_NETWORK = "access.denied_hours", "access.denied_network"
RECORD_AGAIN_AFTER_SECONDS = 600
DAY_NAMES = dict(WEEKDAYS)


@dataclass(frozen=True)
class Refusal:
    action: str  # the audit action: DENIED_HOURS or DENIED_NETWORK
    title: str
    message: str  # for the person refused, in plain words


class AccessRefused(Exception):
    """For the API: the person may not use Footsteps now or from here (403)."""

    def __init__(self, refusal: Refusal):
        super().__init__(refusal.message)
        self.refusal = refusal


def setting_zone(setting) -> ZoneInfo:
    """Settings keep no time zone of their own: Footsteps serves England's EYFS."""
    return ZoneInfo(settings.TIME_ZONE)


def days_in_words(days: str) -> str:
    """'01234' -> 'Monday to Friday'; '024' -> 'Monday, Wednesday and Friday'."""
    numbers = sorted(int(day) for day in days)
    if not numbers:
        return "no day"
    if len(numbers) > 2 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{DAY_NAMES[str(numbers[0])]} to {DAY_NAMES[str(numbers[-1])]}"
    names = [DAY_NAMES[str(number)] for number in numbers]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def hours_in_words(rules: AccessRules) -> str:
    opens, closes = time_format(rules.opens_at, "H:i"), time_format(rules.closes_at, "H:i")
    return f"{days_in_words(rules.staff_days)}, {opens} to {closes}"


def within_hours(rules: AccessRules, moment: datetime) -> bool:
    local = timezone.localtime(moment, setting_zone(rules.setting))
    return (
        str(local.weekday()) in rules.staff_days
        and rules.opens_at <= local.time() < rules.closes_at
    )


def on_networks(rules: AccessRules, ip: str) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False  # an address we cannot read is on no list
    return any(address in network for network in parse_networks(rules.networks))


def refusal_for(membership, ip: str, moment: datetime | None = None) -> Refusal | None:
    """Why this membership may not be used now from this address, or None."""
    if membership is None or not membership.is_staff_role or membership.role == Role.MANAGER:
        return None
    rules = rules_of(membership.setting)
    name = membership.setting.name
    moment = moment or timezone.now()
    if rules.limit_hours and not within_hours(rules, moment):
        now = timezone.localtime(moment, setting_zone(membership.setting))
        return Refusal(
            DENIED_HOURS,
            "Outside staff access hours",
            f"{name} opens Footsteps to staff on {hours_in_words(rules)}. It is now "
            f"{DAY_NAMES[str(now.weekday())]} {now:%H:%M}. Please sign in again then, or ask "
            "a manager.",
        )
    home_access = hasattr(membership, "home_access")
    if rules.networks.strip() and not home_access and not on_networks(rules, ip):
        return Refusal(
            DENIED_NETWORK,
            "Not from this network",
            f"{name} lets staff use Footsteps only from its own network, and this "
            f"device's address ({ip}) is not on it. A manager can allow you to sign in "
            "from anywhere (home access).",
        )
    return None


def record(membership, refusal: Refusal, *, ip: str, where: str) -> None:
    """Into the setting's activity log, where its managers see it."""
    key = f"access-refused:{membership.pk}:{refusal.action}"
    if cache.add(key, 1, timeout=RECORD_AGAIN_AFTER_SECONDS):
        audit_record(
            actor=membership.user,
            setting=membership.setting,
            action=refusal.action,
            target=membership,
            ip=ip,
            where=where,
        )


def refusal_recorded(request, membership, *, where: str) -> Refusal | None:
    """Check a request's membership, and record a refusal."""
    ip = client_ip(request)
    refusal = refusal_for(membership, ip)
    if refusal is not None:
        record(membership, refusal, ip=ip, where=where)
    return refusal


def check_api(request, membership) -> None:
    refusal = refusal_recorded(request, membership, where="through the API")
    if refusal is not None:
        raise AccessRefused(refusal)


def check_sign_in(request, user) -> None:
    """At sign-in: refused only when every setting the person may use refuses
    them now (someone who is also a parent elsewhere signs in, and is refused
    in the setting they then choose)."""
    from footsteps.access.membership import usable_memberships

    memberships = list(
        usable_memberships(user).select_related("setting__access_rules", "home_access")
    )
    ip = client_ip(request)
    refusals = [(m, refusal_for(m, ip)) for m in memberships]
    if not refusals or any(refusal is None for _m, refusal in refusals):
        return
    for membership, refusal in refusals:
        record(membership, refusal, ip=ip, where="at sign-in")
    raise ValidationError(refusals[0][1].message, code="access_refused")
