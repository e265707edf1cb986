"""The activity log is append-only and tamper-evident (R39): every setting's
events form a hash chain that `verify_audit` recomputes, and the database
refuses to change or remove a row."""

import importlib
import io
import threading
import time
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from footsteps.audit import append_only
from footsteps.audit.chain import event_hash
from footsteps.audit.models import GENESIS, AuditChain, AuditEvent
from footsteps.audit.services import audit_record
from footsteps.children import services as children_services
from footsteps.conftest import activate
from footsteps.core.seeding import actor_of
from footsteps.people import services as people
from footsteps.people.models import Role, User
from footsteps.tenancy.models import Setting


def verify(*args) -> str:
    out = io.StringIO()
    call_command("verify_audit", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def verify_fails(*args) -> str:
    err = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit", *args, stdout=io.StringIO(), stderr=err)
    assert failure.value.returncode == 1
    return err.getvalue()


@contextmanager
def guard_lifted():
    """Reach the table as someone with the database's keys would: without the
    append-only triggers (the test's transaction is rolled back anyway)."""
    append_only.drop(connection)
    yield
    append_only.create(connection)


def acorns_chain(world) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(setting=world.members["manager"].setting).order_by("sequence")
    )


# --- The chain ---------------------------------------------------------------------------


def test_r39_each_settings_events_form_one_unbroken_hash_chain(world):
    children_services.room_create(actor=world.actor("manager"), name="Caterpillars")
    chain = acorns_chain(world)

    assert [event.sequence for event in chain] == list(range(1, len(chain) + 1))
    assert chain[0].previous_hash == GENESIS
    for before, event in zip(chain, chain[1:], strict=False):
        assert event.previous_hash == before.hash
    assert all(event.hash == event_hash(event) for event in chain)
    head = AuditChain.objects.get(setting=world.members["manager"].setting)
    assert (head.last_sequence, head.last_hash) == (chain[-1].sequence, chain[-1].hash)
    # The other setting has a chain of its own, from the start.
    oak = AuditEvent.objects.filter(setting=world.members["other_manager"].setting)
    assert oak.order_by("sequence").first().sequence == 1


def test_r39_verify_audit_passes_after_normal_activity(world):
    children_services.room_create(actor=world.actor("manager"), name="Caterpillars")
    people.membership_reactivate(
        actor=world.actor("manager"), membership=world.members["suspended"]
    )
    acorns = len(acorns_chain(world))

    everything = verify()
    one = verify("--setting", "acorns")

    assert f"OK acorns: {acorns} events, last hash {acorns_chain(world)[-1].hash}" in everything
    assert f"OK: {AuditChain.objects.count()} chains, {AuditEvent.objects.count()} events." in (
        everything
    )
    assert "oak" in everything
    assert "oak" not in one
    assert f"OK: 1 chain, {acorns} events." in one


def test_r39_verify_audit_refuses_an_unknown_setting(db):
    with pytest.raises(CommandError, match="No setting"):
        call_command("verify_audit", "--setting", "nowhere")


def test_r39_a_row_edited_in_the_database_fails_verification_naming_it(world):
    edited = acorns_chain(world)[3]
    with guard_lifted():
        AuditEvent.objects.filter(pk=edited.pk).update(data={"all": "fine"})

    failure = verify_fails()

    assert f"BROKEN acorns: sequence {edited.sequence} (id {edited.pk})" in failure
    assert "was changed" in failure
    assert "oak" not in failure  # the other chain still holds
    assert "OK oak" in verify("--setting", "oak")


def test_r39_a_row_edited_with_its_hash_recomputed_breaks_the_next_link(world):
    chain = acorns_chain(world)
    edited, after = chain[3], chain[4]
    edited.actor_name = "Somebody Else"
    with guard_lifted():
        AuditEvent.objects.filter(pk=edited.pk).update(
            actor_name=edited.actor_name, hash=event_hash(edited)
        )

    failure = verify_fails("--setting", "acorns")

    assert f"sequence {after.sequence} (id {after.pk})" in failure
    assert "does not follow the row before it" in failure


def test_r39_a_row_deleted_from_the_middle_is_found_by_the_gap(world):
    chain = acorns_chain(world)
    removed, after = chain[5], chain[6]
    with guard_lifted():
        AuditEvent.objects.filter(pk=removed.pk).delete()

    failure = verify_fails()

    assert f"sequence {after.sequence} (id {after.pk}): expected sequence {removed.sequence}" in (
        failure
    )
    assert "missing" in failure


def test_r39_the_newest_rows_deleted_are_found_by_the_chains_head(world):
    chain = acorns_chain(world)
    with guard_lifted():
        AuditEvent.objects.filter(pk__in=[e.pk for e in chain[-2:]]).delete()

    failure = verify_fails("--setting", "acorns")

    assert f"ends at sequence {len(chain) - 2}" in failure
    assert f"head records sequence {len(chain)}" in failure


# --- Append-only in the database --------------------------------------------------------


def refused(change) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        change()


def test_r39_the_database_refuses_to_update_or_delete_audit_rows(world):
    event = acorns_chain(world)[0]
    before = list(AuditEvent.objects.values_list("pk", "action", "data", "hash"))

    refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(action="nothing.happened"))
    refused(lambda: AuditEvent.objects.update(data={}))
    refused(lambda: AuditEvent.objects.filter(pk=event.pk).delete())
    refused(event.delete)
    event.actor_name = "Somebody Else"
    refused(event.save)
    if connection.vendor == "postgresql":

        def truncate():
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {append_only.TABLE}")

        refused(truncate)

    assert list(AuditEvent.objects.values_list("pk", "action", "data", "hash")) == before
    assert "OK acorns" in verify()


def test_r39_deleting_a_person_or_a_whole_setting_leaves_their_events(world):
    """A person's events keep their name after the account goes; a setting's
    log outlives the setting (only the operator deletes one, once its people
    and records are gone), still verifiable."""
    manager = world.actor("manager")
    newcomer = activate(
        people.staff_invite(
            actor=manager, email="brief@acorns.test", full_name="Brief Visitor", role=Role.MANAGER
        )
    )
    children_services.room_create(actor=actor_of(newcomer), name="Butterflies")
    theirs = AuditEvent.objects.filter(actor=newcomer.user).count()
    assert theirs > 0
    closing = Setting.objects.create(name="Closing Down", slug="closing")
    for action in ("setting.created", "setting.updated"):
        audit_record(actor=None, setting=closing, action=action, target=closing)

    User.objects.filter(pk=newcomer.user_id).delete()
    Setting.objects.filter(pk=closing.pk).delete()

    assert AuditEvent.objects.filter(actor_id=newcomer.user_id).count() == theirs
    assert AuditEvent.objects.filter(setting_id=closing.pk).count() == 2
    log = world.client("manager").get("/manage/audit/").content.decode()
    assert "Brief Visitor" in log
    assert f"OK setting {closing.pk} (deleted): 2 events" in verify()


# --- Existing rows, concurrency, flush ----------------------------------------------------


def test_r39_the_migration_chains_existing_rows_as_appending_would(world):
    """Rows from before the chain get the same chain, in id order, that live
    appends give them: the migration and audit_record agree on the hash."""
    migration = importlib.import_module("footsteps.audit.migrations.0003_chain_and_append_only")
    original = list(AuditEvent.objects.order_by("pk").values_list("pk", "sequence", "hash"))
    heads = set(AuditChain.objects.values_list("setting_id", "last_sequence", "last_hash"))
    with guard_lifted():
        AuditEvent.objects.update(hash="", previous_hash="", actor_name="")
        AuditChain.objects.all().delete()

        migration.chain_existing(apps, schema_editor=None)

    assert list(AuditEvent.objects.order_by("pk").values_list("pk", "sequence", "hash")) == (
        original
    )
    assert set(AuditChain.objects.values_list("setting_id", "last_sequence", "last_hash")) == heads


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite runs one writing transaction at a time"
)
@pytest.mark.django_db(transaction=True)
def test_r39_two_appends_at_once_queue_and_never_fork_the_chain():
    # The chain exists already: both appends start from the same committed head.
    audit_record(actor=None, setting=None, action="test.start")
    appended: dict[str, AuditEvent] = {}
    first_appended = threading.Event()
    finished: dict[str, float] = {}

    def first():
        try:
            with transaction.atomic():
                appended["first"] = audit_record(actor=None, setting=None, action="test.first")
                first_appended.set()
                time.sleep(0.5)  # still holding the chain's head: the second waits
            finished["first"] = time.monotonic()
        finally:
            connection.close()

    def second():
        try:
            assert first_appended.wait(10)
            with transaction.atomic():
                appended["second"] = audit_record(actor=None, setting=None, action="test.second")
            finished["second"] = time.monotonic()
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)

    one, two = appended["first"], appended["second"]
    assert two.sequence == one.sequence + 1
    assert two.previous_hash == one.hash
    assert finished["second"] >= finished["first"]
    assert "OK outside any setting" in verify()


@pytest.mark.django_db(transaction=True)
def test_r39_flush_empties_the_log_and_leaves_it_append_only():
    audit_record(actor=None, setting=None, action="test.before_flush")

    call_command("flush", interactive=False, verbosity=0)

    assert not AuditEvent.objects.exists()
    assert not AuditChain.objects.exists()
    event = audit_record(actor=None, setting=None, action="test.after_flush")
    assert event.sequence == 1
    refused(lambda: AuditEvent.objects.update(action="nothing.happened"))
