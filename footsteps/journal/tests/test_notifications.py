"""Notices by email, sent from background tasks after the change commits: a short
notice and a link, never the observation's words or any photo (R5, R31)."""

import pytest
from django.urls import reverse

from footsteps.journal import services as journal
from footsteps.journal.tasks import send_daily_digests
from footsteps.journal.tests.conftest import days_ago
from footsteps.people import services as people

SECRET_TITLE = "Painting the fence"
SECRET_NOTES = "Used the red paint carefully."


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Commit: the queued tasks run and their mail is delivered (to the outbox)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def recipients(outbox) -> list[str]:
    return sorted(address for email in outbox for address in email.to)


def assert_only_a_notice(email, *words_kept_out):
    """No observation text, no attachment, no HTML part that might carry images."""
    for text in (SECRET_TITLE, SECRET_NOTES, *words_kept_out):
        assert text not in email.body
        assert text not in email.subject
    assert email.attachments == []
    assert getattr(email, "alternatives", []) == []
    assert email.body.startswith("Hello ")


def test_r5_r31_families_get_a_notice_with_a_link_when_an_entry_is_shared(
    world, observe, outbox, run_tasks
):
    with run_tasks():
        entry = observe(
            "practitioner", "amy", "ben", title=SECRET_TITLE, notes=SECRET_NOTES, publish=True
        )
    assert recipients(outbox) == ["parent_amy@family.test", "parent_ben@family.test"]
    for email in outbox:
        assert email.subject == "[Footsteps] New in your child's learning journal"
        assert f"http://testserver{reverse('observation_detail', args=[entry.pk])}" in email.body
        assert "Little Acorns" in email.body
        assert_only_a_notice(email)


@pytest.mark.parametrize(
    "fields",
    [
        {"shared_with_parents": False, "publish": True},  # staff-only
        {"publish": False},  # a draft
    ],
)
def test_r5_nothing_is_sent_for_staff_only_notes_or_drafts(observe, outbox, run_tasks, fields):
    with run_tasks():
        observe("practitioner", "amy", "ben", **fields)
    assert outbox == []


def test_r7_a_suspended_parent_gets_no_notice(world, observe, outbox, run_tasks):
    people.membership_suspend(actor=world.actor("manager"), membership=world.members["parent_ben"])
    outbox.clear()
    with run_tasks():
        observe("practitioner", "amy", "ben", publish=True)
    assert recipients(outbox) == ["parent_amy@family.test"]


def test_r17_reviewers_are_told_and_families_only_after_approval(
    world, moderated, observe, outbox, run_tasks
):
    with run_tasks():
        waiting = observe("practitioner", "amy", title=SECRET_TITLE, publish=True)
    assert recipients(outbox) == ["manager@acorns.test", "senior@acorns.test"]
    assert outbox[0].subject == "[Footsteps] An observation is waiting for review"
    assert "http://testserver/review/" in outbox[0].body
    assert_only_a_notice(outbox[0])

    outbox.clear()
    with run_tasks():
        journal.observation_approve(actor=world.actor("senior"), observation=waiting)
    assert recipients(outbox) == ["parent_amy@family.test"]


def test_r17_the_author_is_told_when_an_observation_is_returned(
    world, moderated, observe, outbox, run_tasks
):
    waiting = observe("practitioner", "amy", title=SECRET_TITLE, notes=SECRET_NOTES, publish=True)
    outbox.clear()
    with run_tasks():
        journal.observation_return(
            actor=world.actor("senior"), observation=waiting, note="Describe the brush grip."
        )
    assert recipients(outbox) == ["practitioner@acorns.test"]
    email = outbox[0]
    assert email.subject == "[Footsteps] Your observation was returned with a comment"
    assert f"http://testserver{reverse('observation_edit', args=[waiting.pk])}" in email.body
    assert_only_a_notice(email, "Describe the brush grip.")


def test_r19_key_person_and_reviewers_hear_of_a_familys_contribution(world, outbox, run_tasks):
    with run_tasks():
        journal.contribution_create(
            actor=world.actor("parent_ben"),
            children=[world.children["ben"]],
            title=SECRET_TITLE,
            notes=SECRET_NOTES,
            observed_at=days_ago(1),
        )
    # Ben's key person is the practitioner; reviewers are the manager and the senior.
    assert recipients(outbox) == [
        "manager@acorns.test",
        "practitioner@acorns.test",
        "senior@acorns.test",
    ]
    for email in outbox:
        assert email.subject == "[Footsteps] A family has added to a learning journal"
        assert_only_a_notice(email)


def test_r18_key_person_and_reviewers_hear_of_a_parents_reply(
    world, comments_approved_first, outbox, run_tasks
):
    with run_tasks():
        journal.comment_add(
            actor=world.actor("parent_amy"),
            observation=world.observations["shared"],
            child=world.children["amy"],
            body="A private family matter",
        )
    # Amy's key person is the senior, who also reviews. The entry is about Ben too,
    # but the reply is in Amy's thread: Ben's key person (the practitioner) is not told.
    assert recipients(outbox) == ["manager@acorns.test", "senior@acorns.test"]
    for email in outbox:
        assert email.subject == "[Footsteps] A family has replied in a learning journal"
        assert_only_a_notice(email, "A private family matter", "Tower of blocks")


def test_r5_r31_families_choose_a_daily_digest_or_no_email(world, observe, outbox, run_tasks):
    people.preferences_update(actor=world.actor("parent_ben"), journal_emails="daily")
    people.preferences_update(actor=world.actor("parent_amy"), journal_emails="never")
    with run_tasks():
        observe("practitioner", "amy", "ben", title=SECRET_TITLE, publish=True)
        observe("senior", "ben", notes=SECRET_NOTES, publish=True)
    assert outbox == []

    with run_tasks():
        send_daily_digests.enqueue()
    assert recipients(outbox) == ["parent_ben@family.test"]
    assert "2 new entries in your child's learning journal" in outbox[0].body
    assert "http://testserver/journal/" in outbox[0].body
    assert_only_a_notice(outbox[0])

    outbox.clear()
    with run_tasks():
        send_daily_digests.enqueue()
    assert outbox == []
