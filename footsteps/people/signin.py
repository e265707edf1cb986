"""Who is signing in from where, and when to stop them guessing (R1, R9).

Failed password checks are counted in the shared cache (Redis when several app
servers run) under three keys:

- the account and the address together: a few typos lock only that pair for a
  cool-off, so one person's mistakes never lock out colleagues who share the
  nursery's single public address;
- the account alone, from any address: a slow spread-out guess at one account
  locks it until the cool-off ends or a manager unlocks it;
- the address alone: only a high flood guard against a script.

Counters are keyed by the address typed, whether or not an account has it, so
the answer (and the work done) is the same for an unknown address. The client
address comes only from a proxy the deployment says it trusts.
"""

import hashlib
import ipaddress
import math
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone


@dataclass(frozen=True)
class Limit:
    failures: int
    window_seconds: int
    cool_off_seconds: int


def _limit(kind: str) -> Limit:
    """settings.SIGN_IN_LIMITS: failures, window and cool-off (seconds) for each key."""
    return Limit(*settings.SIGN_IN_LIMITS[kind])


LOCKED_MESSAGE = (
    "Too many failed sign-in attempts for this account. Wait {minutes} minutes and try "
    "again, or ask your manager to unlock your account. You can also reset your password."
)


def client_ip(request: HttpRequest) -> str:
    """The client's address: from the header a trusted proxy sets, from the
    address the trusted proxies appended to X-Forwarded-For, or the socket's.
    Anything a client could forge is ignored unless the deployment trusts it."""
    header = settings.TRUSTED_CLIENT_IP_HEADER
    raw = None
    if header:
        raw = request.headers.get(header)
    elif settings.TRUSTED_PROXY_COUNT and request.headers.get("X-Forwarded-For"):
        hops = [hop.strip() for hop in request.headers["X-Forwarded-For"].split(",")]
        if len(hops) >= settings.TRUSTED_PROXY_COUNT:
            raw = hops[-settings.TRUSTED_PROXY_COUNT]
    raw = raw or request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(raw.strip().strip("[]")))
    except ValueError:
        return "unknown"


def _digest(value: str) -> str:
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


def _generation(email: str) -> int:
    # A manager's unlock moves the account to a new generation: every counter of
    # the old one (for any address) is forgotten without scanning the cache.
    return cache.get(f"signin:gen:{_digest(email)}", 0)


def _keys(email: str, ip: str) -> dict[str, tuple[str, Limit]]:
    account = f"{_digest(email)}:{_generation(email)}"
    return {
        "pair": (f"{account}:{ip}", _limit("pair")),
        "account": (account, _limit("account")),
        "address": (f"ip:{ip}", _limit("address")),
    }


def _count(key: str, limit: Limit) -> int:
    # add() then incr(): atomic on Redis and in the per-process cache alike.
    cache.add(key, 0, timeout=limit.window_seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=limit.window_seconds)
        return 1


def locked_for(email: str, ip: str) -> int | None:
    """Minutes left if sign-in for this address from this client is locked, else None."""
    now = timezone.now().timestamp()
    ends = [cache.get(f"signin:lock:{key}") for key, _limit in _keys(email, ip).values()]
    ends = [end for end in ends if end and end > now]
    if not ends:
        return None
    return max(1, math.ceil((max(ends) - now) / 60))


def check_not_locked(email: str, ip: str) -> None:
    minutes = locked_for(email, ip)
    if minutes is not None:
        raise ValidationError(LOCKED_MESSAGE.format(minutes=minutes), code="locked")


def record_failure(email: str, ip: str) -> bool:
    """Count a failed password; True if this failure locked the account or the pair."""
    locked = False
    for kind, (key, limit) in _keys(email, ip).items():
        if _count(f"signin:fail:{key}", limit) < limit.failures:
            continue
        until = timezone.now().timestamp() + limit.cool_off_seconds
        cache.set(f"signin:lock:{key}", until, timeout=limit.cool_off_seconds)
        cache.delete(f"signin:fail:{key}")
        locked |= kind != "address"
    return locked


def record_success(email: str, ip: str) -> None:
    """The right password from this address clears this address's typos only:
    failures elsewhere against the account still count."""
    key, _limit = _keys(email, ip)["pair"]
    cache.delete(f"signin:fail:{key}")


def account_lock_state(email: str) -> dict:
    """For the manager's page: failures counted against the account from every
    address, and whether it is locked from everywhere."""
    key, _limit = _keys(email, "-")["account"]
    until = cache.get(f"signin:lock:{key}")
    locked = bool(until and until > timezone.now().timestamp())
    return {"failures": cache.get(f"signin:fail:{key}") or 0, "locked": locked}


def unlock(email: str) -> None:
    """A manager's unlock: the account and every address's lock on it end."""
    cache.set(f"signin:gen:{_digest(email)}", _generation(email) + 1, timeout=None)


def confirm_password(request: HttpRequest | None, user, password: str) -> None:
    """Ask for the password again before a sensitive change (email, API key,
    joining a setting): the same counters as sign-in, so it cannot be used to
    guess a password, and the same answer for a locked account."""
    ip = client_ip(request) if request is not None else "internal"
    check_not_locked(user.email, ip)
    if not password or not user.check_password(password):
        record_failure(user.email, ip)
        raise ValidationError({"password": "That is not your current password."})
    record_success(user.email, ip)
