"""Reads of the deleted area, scoped by the policy."""

from django.db.models import QuerySet

from footsteps.access.actor import Actor
from footsteps.access.policy import scope
from footsteps.records.models import Deletion


def deleted_area(actor: Actor) -> QuerySet[Deletion]:
    """The setting's deleted items, newest first, with who deleted them."""
    return (
        scope(actor, "deletion.restore", Deletion.objects.all())
        .select_related("deleted_by__user")
        .order_by("-deleted_at", "-id")
    )
