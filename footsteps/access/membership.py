"""Which of a person's memberships they may use now, and whether an agreement waits.

Every signed-in request asks this. The usual case (a session that has chosen
its setting) is answered by `chosen_membership`: the person, their membership
and setting, whether the current agreement waits for them and, for a parent,
their attending children, read in one query and then kept in the cache while
the setting's people version stands. Anything unusual (no choice yet, a session
hash that does not match, a membership that is no longer usable) takes the
long way, `session_membership`, which also ends such sessions.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY
from django.contrib.auth import SESSION_KEY as USER_SESSION_KEY
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Exists,
    OuterRef,
    Q,
    StringAgg,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils.crypto import constant_time_compare

from footsteps.children.models import ParentLink
from footsteps.people.models import STAFF_ROLES, Membership, Role
from footsteps.tenancy.models import Agreement, AgreementAcceptance


def usable_memberships(user):
    """Active memberships of an active user. A parent's counts only while they have
    an attending child there (R6)."""
    attending_child = ParentLink.objects.attending().filter(parent=OuterRef("pk"))
    return (
        Membership.objects.usable()
        .filter(user=user)
        .filter(Q(role__in=STAFF_ROLES) | Q(Exists(attending_child)))
        .select_related("setting", "user")
        .order_by("setting__name")
    )


SESSION_KEY = "footsteps_membership_id"


def _with_identity(memberships):
    """Annotate what every request needs to know about a membership."""
    children = (
        ParentLink.objects.attending()
        .filter(parent=OuterRef("pk"))
        .order_by()
        .values("parent")
        .annotate(ids=StringAgg(Cast("child_id", CharField()), Value(",")))
        .values("ids")
    )
    latest = (
        Agreement.objects.filter(setting_id=OuterRef("setting_id"), audience=OuterRef("audience"))
        .order_by("-version")
        .values("pk")[:1]
    )
    return (
        # The setting's sign-in rules and the person's home access come along
        # for footsteps.security's checks on every request (R9, R10).
        # And the shared-device rules for footsteps.tablets' (R11).
        memberships.select_related(
            "user",
            "setting",
            "setting__access_rules",
            "setting__shared_device_rules",
            "home_access",
        )
        .annotate(
            audience=Case(
                When(role=Role.PARENT, then=Value("parent")),
                default=Value("staff"),
                output_field=CharField(),
            ),
            attending_child_ids=Subquery(children),
            latest_agreement_id=Subquery(latest),
        )
        .annotate(
            accepted_latest=Exists(
                AgreementAcceptance.objects.filter(
                    membership=OuterRef("pk"), agreement_id=OuterRef("latest_agreement_id")
                )
            )
        )
    )


def _versions(setting_id: int) -> tuple[int, int] | None:
    """The setting's (journal, people) versions (footsteps.core.stamps)."""
    # Plain SQL: this runs on every request, and the ORM would cost five times more.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT journal_version, people_version FROM tenancy_setting WHERE id = %s",
            [setting_id],
        )
        return cursor.fetchone()


def _identity(chosen_id: int, user_id: int) -> Membership | None:
    """The membership with its identity, kept in the cache while the setting's
    people version stands: the database raises it on any change to the person,
    their membership, children, agreements or the setting (footsteps.core.stamps),
    so a kept answer is never stale, and checking it costs one tiny query, which
    also reads the journal version that cached pages are keyed by."""
    key = f"identity:{chosen_id}:{user_id}"
    kept = cache.get(key)
    if kept is not None:
        versions = _versions(kept.setting_id)
        if versions is not None and versions[1] == kept.setting.people_version:
            kept.setting.journal_version = versions[0]
            return kept
    membership = (
        _with_identity(Membership.objects.usable()).filter(pk=chosen_id, user_id=user_id).first()
    )
    if membership is not None:
        cache.set(key, membership, timeout=settings.PAGE_CACHE_SECONDS)
    return membership


def chosen_membership(request) -> Membership | None:
    """The session's chosen membership, if it is still usable and the session
    still belongs to its person (the same checks Django makes); else None, and
    the caller takes the long way. Sets request.user."""
    session = request.session
    user_id, chosen_id = session.get(USER_SESSION_KEY), session.get(SESSION_KEY)
    if not (user_id and chosen_id):
        return None
    membership = _identity(chosen_id, int(user_id))
    if membership is None:
        return None
    user = membership.user
    if not constant_time_compare(session.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash()):
        return None  # Django's own check ends the session (or accepts an old key's hash)
    if membership.is_parent and not membership.attending_child_ids:
        return None  # their last child has left: the long way ends the session (R6)
    request.user = user
    return membership


def attending_child_ids(membership: Membership) -> frozenset[int] | None:
    """The children a parent may see, if the identity query has read them."""
    ids = getattr(membership, "attending_child_ids", None)
    if ids is None:
        return frozenset() if hasattr(membership, "attending_child_ids") else None
    return frozenset(int(child_id) for child_id in ids.split(","))


def agreement_waits(membership: Membership) -> bool:
    """Whether the current agreement for this membership waits to be accepted (R3, R4)."""
    if hasattr(membership, "accepted_latest"):
        return membership.latest_agreement_id is not None and not membership.accepted_latest
    return pending_agreement(membership) is not None


@dataclass
class SessionState:
    membership: Membership | None
    memberships: list[Membership]
    ended: bool


def resolve_session(request) -> SessionState:
    """Who this signed-in session acts as: the one-query way when it can."""
    membership = chosen_membership(request)
    if membership is not None:
        return SessionState(membership, [membership], ended=False)
    if not request.user.is_authenticated:
        return SessionState(None, [], ended=False)
    return SessionState(*session_membership(request))


def session_membership(request) -> tuple[Membership | None, list[Membership], bool]:
    """The membership this signed-in session acts through, every usable one, and
    whether the chosen one has just become unusable (suspended, or a parent's last
    child left), in which case the session must end (R6, R7). With exactly one
    usable membership and none chosen yet, that one is chosen."""
    memberships = list(usable_memberships(request.user))
    chosen_id = request.session.get(SESSION_KEY)
    chosen = next((m for m in memberships if m.pk == chosen_id), None)
    if chosen_id and chosen is None:
        return None, memberships, True
    if chosen is None and len(memberships) == 1:
        chosen = memberships[0]
        request.session[SESSION_KEY] = chosen.pk
    return chosen, memberships, False


def pending_agreement(membership: Membership) -> Agreement | None:
    """The current agreement for this membership's audience if not yet accepted (R3, R4)."""
    audience = "parent" if membership.is_parent else "staff"
    current = (
        Agreement.objects.filter(setting_id=membership.setting_id, audience=audience)
        .annotate(
            accepted=Exists(
                AgreementAcceptance.objects.filter(agreement=OuterRef("pk"), membership=membership)
            )
        )
        .order_by("-version")
        .first()
    )
    if current is None or current.accepted:
        return None
    return current
