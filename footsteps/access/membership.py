"""Which of a person's memberships they may use now, and whether an agreement waits."""

from django.db.models import Exists, OuterRef, Q

from footsteps.children.models import ParentLink
from footsteps.people.models import STAFF_ROLES, Membership
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
