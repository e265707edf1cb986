"""The deleted area, restore, permanent deletion and leavers (R6, R34, R35)."""

from datetime import timedelta

import pytest
from django.core import serializers
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from footsteps.access.policy import scope
from footsteps.assessments import services as assessments
from footsteps.assessments.models import Assessment, Framework
from footsteps.audit.models import AuditEvent
from footsteps.children import services as children_services
from footsteps.conftest import page_text
from footsteps.journal import services as journal
from footsteps.journal.models import Comment, Observation
from footsteps.media.models import Media
from footsteps.records import services as records
from footsteps.records.models import Deletion, Erasure


def _files(media: Media) -> list[str]:
    names = [media.original, media.display, media.thumbnail, media.video]
    return [name for name in names if name]


@pytest.fixture
def photo_entry(world, upload, small_photo, django_capture_on_commit_callbacks):
    """A shared entry about Amy alone, with a processed photo."""
    senior = world.actor("senior")
    photo = upload(senior, small_photo)
    with django_capture_on_commit_callbacks(execute=True):
        entry = journal.observation_create(
            actor=senior,
            children=[world.children["amy"]],
            title="Painting the fence",
            observed_at=timezone.now() - timedelta(hours=2),
            publish=True,
            media=[photo.key],
        )
    photo.refresh_from_db()
    assert photo.status == Media.Status.READY
    return entry, photo


def _seen(client, url) -> str:
    answer = client.get(url)
    assert answer.status_code == 200
    return answer.text


def test_r34_a_deleted_entry_vanishes_everywhere_at_once_and_returns_on_restore(world, photo_entry):
    """R34: the family's (kept) feed, the API, the entry, its photo's address,
    the staff's child journal: all lose it on the next request; the manager
    finds it in the deleted area and restores it with its photo."""
    entry, photo = photo_entry
    amy = world.children["amy"]
    family, staff = world.client("parent_amy"), world.client("senior")
    feed, api = reverse("feed"), reverse("api:api_observations")
    photo_url = reverse("media_file", args=[photo.key, "thumbnail"])
    journal_url = reverse("child_detail", args=[amy.pk])
    for _ in range(2):  # the second answer comes from the page cache
        assert "Painting the fence" in _seen(family, feed)
    assert family.get(photo_url).status_code == 200

    deletion = records.observation_delete(actor=world.actor("senior"), observation=entry)

    assert "Painting the fence" not in _seen(family, feed)
    assert entry.pk not in [item["id"] for item in family.get(api).json()["items"]]
    assert family.get(reverse("observation_detail", args=[entry.pk])).status_code == 404
    assert staff.get(reverse("observation_detail", args=[entry.pk])).status_code == 404
    assert family.get(photo_url).status_code == 404
    assert "Painting the fence" not in _seen(staff, journal_url)
    assert "Painting the fence" in _seen(world.client("manager"), reverse("deleted_area"))
    assert deletion.purge_after - deletion.deleted_at == timedelta(days=30)

    manager = world.client("manager")
    restored = manager.post(reverse("deletion_restore", args=[deletion.pk]))
    assert restored.status_code == 302
    assert "Painting the fence" in _seen(family, feed)
    assert family.get(photo_url).status_code == 200
    assert not Deletion.objects.filter(pk=deletion.pk).exists()
    actions = list(
        AuditEvent.objects.filter(target_id=str(entry.pk)).values_list("action", flat=True)
    )
    assert "observation.deleted" in actions


def test_r34_a_deleted_child_takes_the_entries_about_them_alone_and_brings_them_back(world):
    manager = world.actor("manager")
    amy, ben = world.children["amy"], world.children["ben"]
    when = timezone.now() - timedelta(hours=1)
    alone = journal.observation_create(
        actor=manager, children=[amy], title="Amy alone", observed_at=when, publish=True
    )
    together = world.observations["shared"]  # Amy and Ben
    period = assessments.period_create(
        actor=manager,
        name="Autumn",
        assessed_on=timezone.localdate(),
        framework=Framework.objects.get(key="development-matters", setting=None),
    )
    aspect = period.framework.aspects.first()
    assessments.assessments_record(
        actor=manager,
        period=period,
        child=amy,
        judgements={aspect.pk: assessments.Judgement(judgement="secure", on_track=True)},
    )
    deletion = records.child_delete(actor=manager, child=amy)
    # Amy's entries about her alone (the world's staff note and draft too), not
    # the one she shares with Ben.
    assert alone.pk in deletion.took["observation"]
    assert together.pk not in deletion.took["observation"]
    assert Observation.objects.get(pk=alone.pk).deleted_at is not None
    assert Observation.objects.get(pk=together.pk).deleted_at is None
    staff = world.client("senior")
    assert staff.get(reverse("child_detail", args=[amy.pk])).status_code == 404
    page = _seen(staff, reverse("child_detail", args=[ben.pk]))
    assert "Tower of blocks" in page
    # Amy's family loses the journal at once (no attending child left).
    assert world.client("parent_amy").get(reverse("feed")).status_code != 200
    assert world.client("parent_amy").get(reverse("child_progress", args=[amy.pk])).status_code in (
        302,
        403,
        404,
    )
    # Her judgements leave the cohort report.
    assert not assessments_visible(world, period)
    records.restore(actor=manager, deletion=deletion)
    assert Observation.objects.get(pk=alone.pk).deleted_at is None
    assert assessments_visible(world, period)
    assert staff.get(reverse("child_detail", args=[amy.pk])).status_code == 200


def assessments_visible(world, period) -> bool:
    from footsteps.access.policy import scope

    return scope(
        world.actor("manager"), "assessment.view", Assessment.objects.filter(period=period)
    ).exists()


def test_r34_a_deleted_reply_leaves_the_thread(world):
    reply = world.comments["amy"]
    family = world.client("parent_amy")
    url = reverse("observation_detail", args=[world.observations["shared"].pk])
    assert "Amy loved this!" in _seen(family, url)
    removed = family.post(reverse("comment_delete", args=[reply.pk]))
    assert removed.status_code == 302
    assert "Amy loved this!" not in _seen(family, url)
    assert "Amy loved this!" not in _seen(world.client("senior"), url)
    # Ben's family may not delete Amy's family's reply (404, as for anything not theirs).
    assert (
        world.client("parent_ben").post(reverse("comment_delete", args=[reply.pk])).status_code
        == 404
    )


def test_r34_the_purge_deletes_rows_and_every_file_after_the_delay_and_logs_no_content(
    world, photo_entry, settings, tmp_path
):
    settings.ERASURE_LOG = tmp_path / "erasures.jsonl"
    entry, photo = photo_entry
    from django.core.files.storage import default_storage

    files = _files(photo)
    assert files
    assert all(default_storage.exists(name) for name in files)
    manager = world.actor("manager")
    deletion = records.observation_delete(actor=manager, observation=entry)
    # Not yet due: nothing goes.
    assert records.purge_due() == 0
    assert Observation.objects.filter(pk=entry.pk).exists()
    assert records.purge_due(now=deletion.purge_after + timedelta(seconds=1)) == 1
    assert not Observation.objects.filter(pk=entry.pk).exists()
    assert not Media.objects.filter(pk=photo.pk).exists()
    assert not any(default_storage.exists(name) for name in files)
    assert not Deletion.objects.exists()
    assert set(Erasure.objects.values_list("kind", "object_id")) >= {
        ("observation", entry.pk),
        ("media", photo.pk),
    }
    logged = settings.ERASURE_LOG.read_text()
    assert f'"id": {entry.pk}' in logged
    assert "Painting" not in logged
    purged = AuditEvent.objects.get(action="records.purged")
    assert purged.data == {"observation": 1}
    # Running again finds nothing to do.
    assert records.purge_due(now=deletion.purge_after + timedelta(days=1)) == 0


def test_r34_a_restored_backup_does_not_bring_a_purged_child_back(world, settings, tmp_path):
    """The policies' second stage: the erasure log, kept outside the database,
    is re-applied after a restore."""
    settings.ERASURE_LOG = tmp_path / "erasures.jsonl"
    manager = world.actor("manager")
    child = children_services.child_create(
        actor=manager,
        first_name="Gone",
        last_name="Soon",
        date_of_birth=timezone.localdate() - timedelta(days=900),
    )
    entry = journal.observation_create(
        actor=manager,
        children=[child],
        title="About Gone",
        observed_at=timezone.now() - timedelta(hours=1),
    )
    backup = serializers.serialize("json", [child, entry, *entry.links.all()])
    deletion = records.child_delete(actor=manager, child=child)
    records.purge_due(now=deletion.purge_after + timedelta(seconds=1))
    Erasure.objects.all().delete()  # the database backup predates the purge
    for restored in serializers.deserialize("json", backup):
        restored.save()
    assert Observation.objects.filter(pk=entry.pk).exists()
    assert records.reapply_erasures() == 2
    assert not Observation.objects.filter(pk=entry.pk).exists()
    assert not child.__class__.objects.filter(pk=child.pk).exists()


def test_r34_the_delay_is_the_settings_within_bounds(world):
    from footsteps.tenancy.services import setting_update

    manager = world.actor("manager")
    for days in (6, 366):
        with pytest.raises(ValidationError):
            setting_update(actor=manager, purge_after_days=days)
    setting_update(actor=manager, purge_after_days=7)
    manager = world.actor("manager")
    deletion = records.observation_delete(actor=manager, observation=world.observations["draft"])
    assert deletion.purge_after - deletion.deleted_at == timedelta(days=7)


def test_r6_r35_a_leavers_journal_is_read_only(world):
    manager = world.actor("manager")
    amy = world.children["amy"]
    children_services.child_set_status(actor=manager, child=amy, status="left")
    amy.refresh_from_db()
    with pytest.raises(ValidationError):
        journal.comment_add(
            actor=world.actor("senior"),
            observation=world.observations["shared"],
            child=amy,
            body="Still here?",
        )
    staff = world.client("senior")
    page = staff.post(reverse("next_step_add", args=[amy.pk]), {"text": "x"}, follow=True)
    assert "Amy has left: the journal is read-only." in page.text
    assert not amy.next_steps.filter(text="x").exists()
    from footsteps.access.policy import can

    assert not can(manager, "assessment.record", amy)
    # Her parent, with no other child attending, no longer reaches the journal.
    assert world.client("parent_amy").get(reverse("feed")).status_code != 200
    assert Comment.objects.filter(body="Still here?").count() == 0


def test_r38_staff_remove_an_inappropriate_reply_and_the_family_sees_only_that_it_was(world):
    reply = world.comments["amy"]
    url = reverse("observation_detail", args=[world.observations["shared"].pk])
    senior = world.client("senior")
    refused = senior.post(reverse("comment_remove", args=[reply.pk]), {"reason": " "}, follow=True)
    assert "Say why" in refused.text
    senior.post(reverse("comment_remove", args=[reply.pk]), {"reason": "Names another child"})
    family = _seen(world.client("parent_amy"), url)
    assert "This reply was removed by the setting." in family
    assert "Amy loved this!" not in family
    staff = _seen(senior, url)
    assert "Names another child" in staff
    assert "Amy loved this!" in staff


def test_r38_staff_remove_an_approved_family_entry_with_a_reason_the_family_reads(world):
    manager = world.actor("manager")
    sent = journal.contribution_create(
        actor=world.actor("parent_amy"),
        children=[world.children["amy"]],
        title="Party photos",
        notes="Everyone at the party",
        observed_at=timezone.now() - timedelta(hours=3),
    )
    journal.contribution_approve(actor=manager, observation=sent)
    world.client("manager").post(
        reverse("contribution_remove", args=[sent.pk]), {"reason": "Shows other families"}
    )
    sent.refresh_from_db()
    assert sent.status == "removed"
    own = _seen(world.client("parent_amy"), reverse("observation_detail", args=[sent.pk]))
    assert "Removed from the journal by the setting" in own
    assert "Shows other families" in own
    assert "Party photos" not in _seen(world.client("parent_ben"), reverse("feed"))
    with pytest.raises(PermissionDenied):  # removed already: nothing left to remove
        journal.contribution_remove(actor=manager, observation=sent, reason="Again")


# --- People's accounts (R34) ---------------------------------------------------------


def test_r34_r7_a_deleted_parent_loses_access_at_once_and_comes_back_on_restore(world):
    parent = world.members["parent_amy"]
    family, manager = world.client("parent_amy"), world.client("manager")
    assert family.get(reverse("feed")).status_code == 200

    moved = manager.post(reverse("person_delete", args=[parent.pk]), follow=True)

    assert "Moved to the deleted area" in moved.text
    assert family.get(reverse("feed")).status_code == 302  # the old session ended
    assert parent.user.email not in _seen(manager, reverse("parent_list"))
    assert manager.get(reverse("person_detail", args=[parent.pk])).status_code == 404
    deletion = Deletion.objects.get(kind="membership", object_id=parent.pk)
    assert "parent_amy" in _seen(manager, reverse("deleted_area"))
    # Nor among Amy's family on her page, nor in what is exported about her.
    child_page = manager.get(reverse("child_detail", args=[world.children["amy"].pk]))
    family = page_text(child_page).split("<h2>Family</h2>")[1].split("</div>")[0]
    assert parent.user.full_name not in family
    assert not scope(world.actor("manager"), "link.manage", parent.child_links.all()).exists()
    # The entries and replies they wrote stay in Amy's journal.
    assert Comment.objects.filter(author=parent).exists()

    records.restore(actor=world.actor("manager"), deletion=deletion)
    parent.refresh_from_db()
    assert parent.status == "active"
    assert parent.user.email in _seen(manager, reverse("parent_list"))
    assert AuditEvent.objects.filter(action="membership.restored").exists()


def test_r34_r12_only_their_settings_manager_deletes_someone_and_never_themselves(world):
    manager = world.members["manager"]
    with pytest.raises(ValidationError, match="yourself"):
        records.membership_delete(actor=world.actor("manager"), membership=manager)
    with pytest.raises(PermissionDenied):
        records.membership_delete(
            actor=world.actor("senior"), membership=world.members["practitioner"]
        )
    with pytest.raises(PermissionDenied):  # another setting's manager
        records.membership_delete(
            actor=world.actor("other_manager"), membership=world.members["practitioner"]
        )


def test_r34_a_purged_account_is_erased_and_the_childrens_entries_stay(world, settings, tmp_path):
    settings.ERASURE_LOG = tmp_path / "erasures.jsonl"
    parent = world.members["parent_amy"]
    user = parent.user
    name, email = user.full_name, user.email
    replies = list(Comment.objects.filter(author=parent).values_list("pk", flat=True))
    assert replies
    deletion = records.membership_delete(actor=world.actor("manager"), membership=parent)

    assert records.purge_due(now=deletion.purge_after + timedelta(seconds=1)) == 1

    user.refresh_from_db()
    assert (user.full_name, user.is_active, user.has_usable_password()) == (
        "Former member",
        False,
        False,
    )
    assert user.email.endswith("@erased.invalid")
    assert not parent.child_links.exists()
    assert set(Comment.objects.filter(author=parent).values_list("pk", flat=True)) == set(replies)
    assert name not in settings.ERASURE_LOG.read_text()
    assert email not in settings.ERASURE_LOG.read_text()
    assert ("membership", parent.pk) in set(Erasure.objects.values_list("kind", "object_id"))
    staff_page = _seen(
        world.client("manager"),
        reverse("observation_detail", args=[Comment.objects.get(pk=replies[0]).observation_id]),
    )
    assert name not in staff_page
    # A backup restored from before the purge is erased again.
    user.full_name, user.email = name, email
    user.save()
    Erasure.objects.all().delete()
    assert records.reapply_erasures() == 1
    user.refresh_from_db()
    assert user.full_name == "Former member"


def test_r34_a_person_in_another_setting_keeps_their_account_there(world, zed_parent_at_acorns):
    """Zed's parent also has Ben at Little Acorns: erased there, they still
    sign in to Oak Tree."""
    deletion = records.membership_delete(
        actor=world.actor("manager"), membership=zed_parent_at_acorns
    )
    records.purge_due(now=deletion.purge_after + timedelta(seconds=1))
    user = zed_parent_at_acorns.user
    user.refresh_from_db()
    assert user.is_active
    assert user.has_usable_password()
    assert not zed_parent_at_acorns.child_links.exists()
    assert world.members["parent_zed"].user == user


def test_r34_r35_files_made_about_a_purged_child_go_with_them(world, settings, tmp_path):
    """A PDF journal, a transfer package or a subject access file about the
    child are deleted with the child, not left in storage."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from footsteps.exports.models import Export

    settings.ERASURE_LOG = tmp_path / "erasures.jsonl"
    manager = world.actor("manager")
    child = children_services.child_create(
        actor=manager,
        first_name="Printed",
        last_name="Once",
        date_of_birth=timezone.localdate() - timedelta(days=900),
    )
    name = default_storage.save("exports/printed-once.pdf", ContentFile(b"%PDF-1.7 journal"))
    Export.objects.create(
        setting=child.setting, child=child, requested_by=manager.member, status="ready", file=name
    )
    deletion = records.child_delete(actor=manager, child=child)
    records.purge_due(now=deletion.purge_after + timedelta(seconds=1))

    assert not Export.objects.filter(child_id=child.pk).exists()
    assert not default_storage.exists(name)

    # A backup from before the purge brings the child and the PDF back; the
    # erasure log takes both away again.
    from footsteps.children.models import Child

    Erasure.objects.all().delete()
    Child.objects.bulk_create([child])
    name = default_storage.save(name, ContentFile(b"%PDF-1.7 journal"))
    Export.objects.create(
        setting=child.setting, child=child, requested_by=manager.member, status="ready", file=name
    )
    records.reapply_erasures()
    assert not Child.objects.filter(pk=child.pk).exists()
    assert not default_storage.exists(name)


def _photo_of_amy_and_ben(world, upload, small_photo, capture):
    """A shared entry about Amy and Ben with a photo of both, taken while Ben's
    family agreed to other journals; then they withdraw it (R28)."""
    from footsteps.media.models import Media

    senior, manager = world.actor("senior"), world.actor("manager")
    ben = world.children["ben"]
    children_services.child_set_image_consent(actor=manager, child=ben, consent="granted")
    item = upload(senior, small_photo)
    with capture(execute=True):
        journal.observation_create(
            actor=senior,
            children=[world.children["amy"], ben],
            title="Two at the sand",
            observed_at=timezone.now() - timedelta(days=1),
            media=[item.key],
            publish=True,
        )
    children_services.child_set_image_consent(actor=manager, child=ben, consent="refused")
    return Media.objects.get(pk=item.pk)


def test_r28_r34_a_purged_child_who_was_not_agreed_is_not_shown_uncovered_afterwards(
    world, upload, small_photo, settings, tmp_path, django_capture_on_commit_callbacks
):
    """Purging Ben takes his link to the photo with him: the photo, which
    Amy's journal did not show, goes with him rather than appearing uncovered."""
    from django.core.files.storage import default_storage

    from footsteps.media.models import Media

    settings.ERASURE_LOG = tmp_path / "erasures.jsonl"
    item = _photo_of_amy_and_ben(world, upload, small_photo, django_capture_on_commit_callbacks)
    files = _files(item)
    amy_only = frozenset([world.children["amy"].pk])
    from footsteps.media.selectors import file_of

    assert file_of(item, "download", amy_only) is None
    deletion = records.child_delete(actor=world.actor("manager"), child=world.children["ben"])
    records.purge_due(now=deletion.purge_after + timedelta(seconds=1))

    assert not Media.objects.filter(pk=item.pk).exists()
    assert not any(default_storage.exists(name) for name in files)
    assert ("media", item.pk) in set(Erasure.objects.values_list("kind", "object_id"))


def test_r28_r34_a_covered_photo_keeps_only_its_covered_copy_when_the_child_is_purged(
    world, upload, small_photo, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    from footsteps.media import services as media_services
    from footsteps.media.models import Media
    from footsteps.media.selectors import file_of

    settings.ERASURE_LOG = tmp_path / "erasures.jsonl"
    item = _photo_of_amy_and_ben(world, upload, small_photo, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        item = media_services.redact(
            actor=world.actor("senior"),
            media=item,
            regions='[{"x": 0, "y": 0, "w": 0.5, "h": 0.5}]',
            covered=[world.children["ben"].pk],
        )
    covered = item.redacted_display
    uncovered = [item.original, item.display, item.thumbnail, item.print_copy]
    deletion = records.child_delete(actor=world.actor("manager"), child=world.children["ben"])
    records.purge_due(now=deletion.purge_after + timedelta(seconds=1))

    item = Media.objects.prefetch_related("child_links__child").get(pk=item.pk)
    assert item.original == item.display == covered
    assert not any(default_storage.exists(name) for name in uncovered)
    assert default_storage.exists(covered)
    shown = file_of(item, "display", frozenset([world.children["amy"].pk]))
    assert shown is not None
    assert shown[0] == covered
