"""Reads are in the log too (R39): staff reading a child's journal, photos
saved to a device, PDF journals downloaded. Once per person and record in a
while, so reading again does not flood the log."""

from datetime import timedelta

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from footsteps.audit.models import AuditEvent
from footsteps.journal import services as journal


def _reads(action: str) -> list[tuple[int, str]]:
    return list(AuditEvent.objects.filter(action=action).values_list("actor_id", "target_id"))


def test_r39_staff_reading_a_childs_journal_is_recorded_once_in_a_while(world):
    amy = world.children["amy"]
    senior = world.members["senior"]
    client = world.client("senior")

    assert client.get(reverse("child_detail", args=[amy.pk])).status_code == 200
    assert client.get(reverse("child_detail", args=[amy.pk])).status_code == 200
    api = client.get(reverse("api:api_observations"), {"child_id": amy.pk})
    assert api.status_code == 200

    assert _reads("child.journal_viewed") == [(senior.user_id, str(amy.pk))]
    cache.clear()  # the half hour has passed
    client.get(reverse("api:api_observations"), {"child_id": amy.pk})
    assert len(_reads("child.journal_viewed")) == 2
    log = world.client("manager").get(reverse("audit_log")).text
    assert "read a child&#x27;s journal" in log


def test_r39_families_reading_their_own_journal_are_not_logged_as_reads(world):
    world.client("parent_amy").get(reverse("feed"))
    world.client("parent_amy").get(
        reverse("api:api_observations"), {"child_id": world.children["amy"].pk}
    )
    assert _reads("child.journal_viewed") == []


def test_r39_r31_a_photo_saved_to_a_device_is_recorded(world, upload, small_photo):
    item = upload(world.actor("senior"), small_photo)
    journal.observation_create(
        actor=world.actor("senior"),
        children=[world.children["amy"]],
        title="Sand tray",
        observed_at=timezone.now() - timedelta(hours=1),
        publish=True,
        media=[item.key],
    )
    parent = world.members["parent_amy"]
    answer = world.client("parent_amy").get(reverse("media_download", args=[item.key]))
    assert answer.status_code == 200
    # Thumbnails and display copies are viewing, not saving: not logged.
    world.client("parent_amy").get(reverse("media_file", args=[item.key, "thumbnail"]))
    assert _reads("media.downloaded") == [(parent.user_id, str(item.pk))]
    # Someone refused the file is not logged as having it.
    world.client("parent_ben").get(reverse("media_download", args=[item.key]))
    assert len(_reads("media.downloaded")) == 1
