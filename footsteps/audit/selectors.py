"""Reads of the activity log, through the policy."""

from footsteps.access.actor import Actor
from footsteps.access.policy import scope
from footsteps.audit.models import AuditEvent


def audit_events_for(actor: Actor):
    """The setting's activity log, newest first, with who did each thing (R39)."""
    return scope(actor, "audit.view", AuditEvent.objects.all()).select_related("actor")
