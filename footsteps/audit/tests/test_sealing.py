"""A purge leaves nothing personal in the activity log (R34, R39), though the
log is append-only and hash-chained: the personal part of an event is sealed
with a key of that child's or person's, and erasing them deletes the key."""

import io
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from footsteps.audit.models import AuditEvent, SealKey
from footsteps.audit.sealing import ERASED, open_details
from footsteps.children import services as children_services
from footsteps.records import services as records


def _verified() -> str:
    out = io.StringIO()
    call_command("verify_audit", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_r34_r39_a_purged_childs_details_in_the_log_can_no_longer_be_read(
    world, settings, tmp_path
):
    settings.ERASURE_LOG = tmp_path / "erasures.jsonl"
    manager = world.actor("manager")
    child = children_services.child_create(
        actor=manager,
        first_name="Gwendolyn",
        last_name="Quartermain",
        date_of_birth=timezone.localdate() - timedelta(days=900),
    )
    children_services.child_update(actor=manager, child=child, first_name="Wendy")
    (event,) = AuditEvent.objects.filter(action="child.updated", target_id=str(child.pk))

    stored = str(AuditEvent.objects.filter(pk=event.pk).values_list("data", flat=True).get())
    assert "Gwendolyn" not in stored
    assert "Wendy" not in stored
    (opened,) = open_details([event])
    assert opened.details["changes"] == {"first_name": ["Gwendolyn", "Wendy"]}

    deletion = records.child_delete(actor=manager, child=child)
    records.purge_due(now=deletion.purge_after + timedelta(seconds=1))

    (after,) = open_details(AuditEvent.objects.filter(pk=event.pk))
    assert after.details["changes"] == ERASED
    assert not SealKey.objects.filter(subject=f"child:{child.pk}").exists()
    # The rows are as they were written: the chain still verifies.
    assert _verified().startswith("OK")


def test_r34_a_restored_backup_does_not_bring_the_key_back(world, settings, tmp_path):
    settings.ERASURE_LOG = tmp_path / "erasures.jsonl"
    manager = world.actor("manager")
    child = children_services.child_create(
        actor=manager,
        first_name="Briefly",
        last_name="Here",
        date_of_birth=timezone.localdate() - timedelta(days=900),
    )
    children_services.child_update(actor=manager, child=child, last_name="There")
    key = SealKey.objects.get(subject=f"child:{child.pk}")
    deletion = records.child_delete(actor=manager, child=child)
    records.purge_due(now=deletion.purge_after + timedelta(seconds=1))

    SealKey.objects.create(subject=key.subject, key=key.key)  # the backup's copy
    records.reapply_erasures()

    assert not SealKey.objects.filter(subject=key.subject).exists()


def test_r39_details_that_are_not_personal_stay_readable(world):
    """A consent change is about access, not about who the child is: kept as written."""
    children_services.child_set_image_consent(
        actor=world.actor("manager"), child=world.children["amy"], consent="refused"
    )
    event = AuditEvent.objects.filter(action="child.image_consent").latest("sequence")
    assert event.data["after"] == "refused"


def test_r34_r39_an_erased_persons_sign_in_addresses_can_no_longer_be_read(
    world, settings, tmp_path
):
    from footsteps.people import services as people

    settings.ERASURE_LOG = tmp_path / "erasures.jsonl"
    parent = world.members["parent_ben"]
    people.sign_in_recorded(user=parent.user, ip="203.0.113.9")
    event = AuditEvent.objects.filter(action="user.signed_in").latest("sequence")
    assert "203.0.113.9" not in str(
        AuditEvent.objects.filter(pk=event.pk).values_list("data", flat=True).get()
    )
    assert open_details([event])[0].details["ip"] == "203.0.113.9"

    deletion = records.membership_delete(actor=world.actor("manager"), membership=parent)
    records.purge_due(now=deletion.purge_after + timedelta(seconds=1))

    assert open_details([event])[0].details["ip"] == ERASED
    assert _verified().startswith("OK")
