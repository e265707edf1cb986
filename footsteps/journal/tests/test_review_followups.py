"""Follow-ups to the journal review: amendments under moderation, form minutes,
staff replies reaching the family, excerpts keeping their lines."""

from django.urls import reverse

from footsteps.journal import services as journal
from footsteps.journal.models import Observation, ObservationRevision
from footsteps.journal.tests.conftest import days_ago, edit_form


def test_r17_a_moderated_author_amending_a_shared_entry_sends_it_back_for_review(
    world, moderated, observe, django_capture_on_commit_callbacks
):
    shared = world.observations["shared"]  # published before moderation was switched on
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client("practitioner").post(
            reverse("observation_edit", args=[shared.pk]),
            edit_form(shared, notes="Changed after publishing"),
        )
    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.status == Observation.Status.AWAITING_REVIEW
    feed = world.client("parent_amy").get(reverse("feed"))
    assert b"Changed after publishing" not in feed.content


def test_r16_a_reviewer_amending_stays_published(world, moderated):
    shared = world.observations["shared"]
    journal.observation_update(
        actor=world.actor("senior"),
        observation=shared,
        expected_version=shared.version,
        notes="Tidied by the senior",
    )
    shared.refresh_from_db()
    assert shared.status == Observation.Status.PUBLISHED


def test_r16_saving_the_form_unchanged_writes_no_history(world, observe):
    entry = observe("practitioner", "amy", publish=True, observed_at=days_ago(1.2345))
    response = world.client("practitioner").post(
        reverse("observation_edit", args=[entry.pk]), edit_form(entry)
    )
    assert response.status_code == 302
    assert not ObservationRevision.objects.filter(observation=entry).exists()


def test_r18_a_staff_reply_tells_only_that_family(
    world, outbox, django_capture_on_commit_callbacks
):
    shared = world.observations["shared"]
    with django_capture_on_commit_callbacks(execute=True):
        journal.comment_add(
            actor=world.actor("senior"),
            observation=shared,
            child=world.children["ben"],
            body="Ben was very proud",
        )
    recipients = {address for message in outbox for address in message.to}
    assert recipients == {world.members["parent_ben"].user.email}
    assert all("Ben was very proud" not in message.body for message in outbox)


def test_r14_feed_excerpt_keeps_line_breaks(world, observe):
    observe("practitioner", "amy", publish=True, title="Lines", notes="First line\nSecond line")
    response = world.client("parent_amy").get(reverse("feed"))
    assert b"First line<br>Second line" in response.content
