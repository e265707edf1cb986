from footsteps.access.actor import Actor
from footsteps.access.policy import scope
from footsteps.audit.models import AuditEvent
from footsteps.support.models import SupportGrant


def grants_for(actor: Actor):
    return scope(actor, "support.end", SupportGrant.objects.select_related("granted_by__user"))


def support_activity(actor: Actor, limit: int = 50) -> list[AuditEvent]:
    """What support did in the setting, newest first (R32)."""
    events = AuditEvent.objects.filter(action__startswith="support.", actor__is_superuser=True)
    return list(scope(actor, "audit.view", events).order_by("-sequence")[:limit])


def open_grants():
    """For the operator: the settings that let support in now."""
    return SupportGrant.objects.current().select_related("setting").order_by("ends_at")
