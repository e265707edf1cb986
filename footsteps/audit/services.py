from footsteps.audit.models import AuditEvent


def audit_record(*, actor, setting, action: str, target=None, **data) -> AuditEvent:
    """The audit hook every service calls when it changes access or data (R39).

    Called inside the service's transaction, so the row exists only if the change does.
    """
    return AuditEvent.objects.create(
        setting=setting,
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data,
    )
