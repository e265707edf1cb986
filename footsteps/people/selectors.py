"""Reads about people, always through the policy."""

from django.db.models import Prefetch, Q

from footsteps.access.actor import Actor
from footsteps.access.policy import scope
from footsteps.audit.models import AuditEvent
from footsteps.audit.sealing import open_details
from footsteps.children.models import ParentLink
from footsteps.people.models import ApiToken, Membership, MembershipQuerySet


def staff_for(actor: Actor) -> MembershipQuerySet:
    return (
        scope(actor, "membership.manage", Membership.objects.staff())
        .select_related("user")
        .order_by("user__full_name")
    )


def parents_for(actor: Actor) -> MembershipQuerySet:
    links = ParentLink.objects.select_related("child").order_by("child__first_name")
    return (
        scope(actor, "membership.manage", Membership.objects.parents())
        .select_related("user")
        .prefetch_related(Prefetch("child_links", queryset=links))
        .order_by("user__full_name")
    )


def members_for(actor: Actor) -> MembershipQuerySet:
    """Everyone in the actor's setting, staff and families, with their account:
    for the staff's filters ("by author") and names."""
    return scope(actor, "membership.view", Membership.objects.all()).select_related("user")


def key_person_choices(actor: Actor) -> MembershipQuerySet:
    """Who may be a child's key person (R15): the setting's staff, unless suspended.
    The one rule for the child form, the API and the service."""
    return (
        members_for(actor)
        .staff()
        .exclude(status=Membership.Status.SUSPENDED)
        .order_by("user__full_name")
    )


def tokens_for(actor: Actor):
    return scope(actor, "token.manage", ApiToken.objects.filter(revoked_at__isnull=True))


def active_managers(setting_id: int) -> MembershipQuerySet:
    """A setting's active managers (a setting keeps at least one)."""
    return Membership.objects.filter(
        setting_id=setting_id, role="manager", status=Membership.Status.ACTIVE
    )


# Sign-ins are in the activity log; a person's page lists changes to them.
_NOT_CHANGES = ("user.signed_in", "user.sign_in_failed", "user.signed_out_everywhere")


def person_history(actor: Actor, membership: Membership, limit: int = 20) -> list[AuditEvent]:
    """The latest changes to a person's details, access and links (R33, R39),
    from the setting's log: what was done to their membership, account or
    links, newest first."""
    links = [str(pk) for pk in membership.child_links.values_list("pk", flat=True)]
    about = (
        Q(target_type="people.membership", target_id=str(membership.pk))
        | Q(target_type="people.user", target_id=str(membership.user_id))
        | Q(target_type="children.parentlink", target_id__in=links)
    )
    events = scope(actor, "audit.view", AuditEvent.objects.filter(about))
    return open_details(events.exclude(action__in=_NOT_CHANGES).order_by("-sequence")[:limit])
