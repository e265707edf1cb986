"""Cached journal pages: what a page shows, kept for one person and one version
of their setting's journal (or, for what shows only people, of its people).

A key holds everything that decides what this person may see: their membership
(so nothing cached for one person ever reaches another), their role and setting,
a parent's attending children, the setting's journal version (raised by the
database on any change to entries, children, replies, consents, memberships or
names: footsteps.core.stamps) and the page's own parameters. A change is
therefore seen on the very next request, and an old key is simply never asked
for again. RELEASE keeps a new deployment's templates from meeting old pages.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache

from footsteps.access.actor import Actor


def journal_key(actor: Actor, page: str, *parts) -> str:
    """A key for what shows entries, replies or next steps."""
    return _key(actor, page, "journal", actor.member.setting.journal_version, parts)


def people_key(actor: Actor, page: str, *parts) -> str:
    """A key for what shows only people and children (who they are, their
    rooms and key persons): kept across new entries, as identities are."""
    return _key(actor, page, "people", actor.member.setting.people_version, parts)


def _key(actor: Actor, page: str, kind: str, version: int, parts) -> str:
    membership = actor.member
    identity = (
        settings.RELEASE,
        page,
        membership.pk,
        membership.role,
        membership.setting_id,
        kind,
        version,
        ",".join(map(str, sorted(actor.child_ids))),
        *parts,
    )
    digest = hashlib.sha256("\x1f".join(map(str, identity)).encode()).hexdigest()
    return f"{kind}:{page}:{membership.pk}:{digest}"


def kept(key: str, build):
    """What `build()` returns, from the cache under `key` when it is there.
    Nothing is kept when build raises (a 404 is asked again every time)."""
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, settings.PAGE_CACHE_SECONDS)
    return value
