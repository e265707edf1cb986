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


def audit_act(actor, action: str, target=None, **data) -> AuditEvent:
    """What a person did in their setting, in its log (R39)."""
    return audit_record(
        actor=actor.member.user, setting=actor.member.setting, action=action, target=target, **data
    )


def audit_person(*, actor, user, action: str, **data) -> None:
    """An event about a person's own account (sign-in, password, address, keys):
    one row in each setting they belong to, so every manager responsible for
    them sees it (R39); one row with no setting for someone in none."""
    from footsteps.tenancy.models import Setting

    settings: list[Setting | None] = list(Setting.objects.filter(memberships__user=user).distinct())
    for setting in settings or [None]:
        audit_record(actor=actor, setting=setting, action=action, target=user, **data)
