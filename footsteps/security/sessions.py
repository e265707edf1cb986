"""How long a signed-in session lasts (R9), and where the person is signed in.

A session keeps, in itself, when it started and when it was last used. It ends
after the setting's idle time for the person's role (staff and families each
have theirs), or SESSION_ABSOLUTE_HOURS after it started, whatever it did. Both
are checked on every request, pages (footsteps.security.middleware) and the
API's session sign-in (footsteps.api.auth) alike; API keys are not sessions.

Use is written down at most once a minute: the session's "last used" and its
SessionRecord, together. So a page costs no query for this, and idle time is
counted from the last minute the session was written, never later.

A session carries the id of its record. When the person ends the session from
another device, its Django session is deleted (found by the record's key
prefix and hash) and so is the record; should the key have changed meanwhile,
the next write finds no record and the session ends then.
"""

import hashlib
from datetime import datetime

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import IntegrityError, transaction
from django.utils import timezone

from footsteps.people.signin import client_ip
from footsteps.security.models import AccessRules, SessionRecord

STARTED, SEEN, RECORD, KEY = "fs_started", "fs_seen", "fs_record", "fs_key"
WRITE_EVERY_SECONDS = 60
WARN_SECONDS = 60
DEFAULT_IDLE_MINUTES = AccessRules._meta.get_field("staff_idle_minutes").default


def rules_of(setting) -> AccessRules:
    """The setting's rules: loaded with the person's identity on every request
    (footsteps.access.membership), or the defaults when it has none."""
    try:
        return setting.access_rules
    except AccessRules.DoesNotExist:
        return AccessRules(setting=setting)


def idle_minutes(membership) -> int:
    """Before a setting is chosen, or for the operator: the staff default."""
    if membership is None:
        return DEFAULT_IDLE_MINUTES
    return rules_of(membership.setting).idle_minutes(staff=membership.is_staff_role)


def _now() -> int:
    return int(timezone.now().timestamp())


def _moment(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.get_current_timezone())


def key_hash(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()


def auth_digest(session_auth_hash: str) -> str:
    return hashlib.sha256(session_auth_hash.encode()).hexdigest()


def lifetime_seconds() -> int:
    return settings.SESSION_ABSOLUTE_HOURS * 3600


def check(request, membership, *, touch: bool = True) -> str | None:
    """Why this signed-in session must end now ("idle", "lifetime", or "ended"
    from another device), or None; then its use is recorded (at most once a
    minute, or when its key has changed) and request.session_ends_in says how
    many seconds it has left without another request."""
    session, now = request.session, _now()
    started, seen = session.get(STARTED), session.get(SEEN)
    if started is None or seen is None:
        # Made before these limits, or without signing in (tests): from now.
        started = seen = now
        session[STARTED] = started
    idle = idle_minutes(membership) * 60
    if now - started > lifetime_seconds():
        return "lifetime"
    if now - seen > idle:
        return "idle"
    due = (
        now - seen >= WRITE_EVERY_SECONDS
        or session.get(RECORD) is None
        or session.get(KEY) != (session.session_key or "")[:8]
    )
    if touch and due:
        if not record_use(request, request.user, idle_seconds=idle, now=now):
            return "ended"
        seen = now
    request.session_idle_minutes = idle // 60
    request.session_ends_in = min(started + lifetime_seconds(), seen + idle) - now
    return None


def record_use(request, user, *, idle_seconds: int, now: int | None = None) -> bool:
    """Write the session's use now, in itself and in its record (made if it has
    none). False if its record is gone: the person ended it elsewhere."""
    session, now = request.session, now or _now()
    if session.session_key is None:
        session.save()  # a session flushed by a sign-in has no key until saved
    key = session.session_key
    started = session.get(STARTED, now)
    fields = {
        "key_prefix": key[:8],
        "key_hash": key_hash(key),
        "auth_digest": auth_digest(session.get(HASH_SESSION_KEY, "")),
        "last_seen": _moment(now),
        "ends_at": _moment(min(started + lifetime_seconds(), now + idle_seconds)),
        "ip": client_ip(request),
        "user_agent": request.headers.get("User-Agent", "")[:300],
    }
    record_id = session.get(RECORD)
    if record_id is None:
        record_id = _new_record(user, _moment(started), fields)
    elif not SessionRecord.objects.filter(pk=record_id, user_id=user.pk).update(**fields):
        return False
    session[SEEN], session[RECORD], session[KEY] = now, record_id, key[:8]
    return True


def _new_record(user, created_at, fields) -> int:
    try:
        with transaction.atomic():
            return SessionRecord.objects.create(user=user, created_at=created_at, **fields).pk
    except IntegrityError:
        # Two first requests of one session at once: the other one made it.
        return SessionRecord.objects.get(key_hash=fields["key_hash"]).pk


def start(request, user) -> None:
    """At sign-in: the session's clock starts, and its record is made."""
    session, now = request.session, _now()
    for name in (RECORD, KEY):
        session.pop(name, None)
    session[STARTED] = session[SEEN] = now
    record_use(request, user, idle_seconds=DEFAULT_IDLE_MINUTES * 60, now=now)


def forget(request, user) -> None:
    """At sign-out: the record goes with the session."""
    record_id = request.session.get(RECORD)
    if record_id is not None:
        SessionRecord.objects.filter(pk=record_id, user_id=user.pk).delete()


def delete_session_of(record: SessionRecord) -> None:
    """End the Django session a record stands for, wherever it is stored (the
    cached_db engine keeps it in the cache too)."""
    from importlib import import_module

    engine = import_module(settings.SESSION_ENGINE)
    candidates = Session.objects.filter(session_key__startswith=record.key_prefix).values_list(
        "session_key", flat=True
    )
    for session_key in candidates:
        if key_hash(session_key) == record.key_hash:
            engine.SessionStore(session_key).delete()
