from django.db import transaction
from django.utils import timezone

from footsteps.audit import sealing
from footsteps.audit.chain import as_stored, event_hash
from footsteps.audit.models import AuditChain, AuditEvent


def audit_record(*, actor, setting, action: str, target=None, **data) -> AuditEvent:
    """The audit hook every service calls when it changes access or data (R39).

    Called inside the service's transaction, so the row exists only if the change does.
    The row joins the end of its setting's chain (footsteps.audit.chain): the
    chain's head is locked until that transaction ends, so appends to one
    setting's log queue behind each other and never fork it (on SQLite, writing
    transactions queue anyway).
    """
    actor = actor if actor is not None and actor.pk else None
    data = sealing.seal(action, target, data)
    with transaction.atomic(savepoint=False):
        head, _ = AuditChain.objects.select_for_update().get_or_create(setting=setting)
        event = AuditEvent(
            setting=setting,
            actor=actor,
            actor_name=actor.full_name if actor is not None else "",
            action=action,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            data=as_stored(data),
            # Taken under the lock, so times follow the chain's order.
            created_at=timezone.now(),
            sequence=head.last_sequence + 1,
            previous_hash=head.last_hash,
        )
        event.hash = event_hash(event)
        event.save(force_insert=True)
        head.last_sequence, head.last_hash = event.sequence, event.hash
        head.save(update_fields=["last_sequence", "last_hash"])
    return event


def audit_act(actor, action: str, target=None, **data) -> AuditEvent:
    """What a person did in their setting, in its log (R39)."""
    return audit_record(
        actor=actor.member.user, setting=actor.member.setting, action=action, target=target, **data
    )


def audit_read(actor, action: str, target, *, every: int = 30 * 60, **data) -> None:
    """That someone read a record (a child's journal, a photo saved, an export
    downloaded), in the setting's log (R39): at most once per person, action
    and record every `every` seconds, so reading a page again and again does
    not flood the log or write on every request. The shared cache decides
    (add() is atomic there); the log row itself is an ordinary event."""
    from django.core.cache import cache

    key = f"audit-read:{actor.member.pk}:{action}:{target._meta.label_lower}:{target.pk}"
    if every and not cache.add(key, 1, every):
        return
    with transaction.atomic():
        audit_act(actor, action, target=target, **data)


def audit_person(*, actor, user, action: str, **data) -> None:
    """An event about a person's own account (sign-in, password, address, keys):
    one row in each setting they belong to, so every manager responsible for
    them sees it (R39); one row with no setting for someone in none."""
    from footsteps.tenancy.models import Setting

    # In id order: two of these at once lock the settings' chains in the same
    # order, so neither waits for the other in a circle.
    settings: list[Setting | None] = list(
        Setting.objects.filter(memberships__user=user).distinct().order_by("pk")
    )
    for setting in settings or [None]:
        audit_record(actor=actor, setting=setting, action=action, target=user, **data)
