"""Reads about a setting's agreements, always through the policy."""

from django.db.models import Count, Max

from footsteps.access.actor import Actor
from footsteps.access.policy import scope
from footsteps.tenancy.models import Agreement


def agreements_for(actor: Actor):
    """Every version of the setting's agreements, with how many accepted each."""
    return scope(actor, "agreement.manage", Agreement.objects.all()).annotate(
        accepted_count=Count("acceptances")
    )


def current_agreement(setting_id: int, audience: str) -> Agreement | None:
    """The latest version for parents or for staff: the one everyone must accept."""
    return (
        Agreement.objects.filter(setting_id=setting_id, audience=audience)
        .order_by("-version")
        .first()
    )


def latest_version(setting_id: int, audience: str) -> int:
    found = Agreement.objects.filter(setting_id=setting_id, audience=audience).aggregate(
        v=Max("version")
    )
    return found["v"] or 0
