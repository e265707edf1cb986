"""Defects a review found, each pinned by a test: edits keep children who left,
re-approval repeats nothing, bad input gets a message, no id oracles."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from footsteps.children import services as children_services
from footsteps.journal import services as journal
from footsteps.journal.models import NextStep, Observation, PendingNotice
from footsteps.journal.tasks import send_daily_digests
from footsteps.journal.tests.conftest import edit_form


def test_r13_r16_amending_an_entry_keeps_a_child_who_has_since_left(world):
    shared = world.observations["shared"]  # about Amy and Ben
    children_services.child_set_status(
        actor=world.actor("manager"), child=world.children["ben"], status="left"
    )
    response = world.client("practitioner").post(
        reverse("observation_edit", args=[shared.pk]), edit_form(shared, title="Typo fixed")
    )
    assert response.status_code == 302
    assert set(shared.links.values_list("child_id", flat=True)) == {
        world.children["amy"].pk,
        world.children["ben"].pk,
    }


def test_r13_a_new_entry_cannot_be_about_a_child_who_has_left(world):
    children_services.child_set_status(
        actor=world.actor("manager"), child=world.children["ben"], status="left"
    )
    response = world.client("practitioner").post(
        "/api/v1/observations",
        {
            "title": "New",
            "child_ids": [world.children["ben"].pk],
            "observed_at": timezone.now().isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json()["errors"] == {"children": ["Choose children from your setting's list."]}


def test_r17_r25_reapproval_after_an_amendment_repeats_no_next_steps_or_notices(
    world, moderated, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        entry = journal.observation_create(
            actor=world.actor("practitioner"),
            children=[world.children["amy"]],
            title="Scissors",
            observed_at=timezone.now() - timedelta(hours=2),
            next_steps="Cut along a line",
            publish=True,
        )
        journal.observation_approve(actor=world.actor("senior"), observation=entry)
    first_emails = len(outbox)
    entry.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        entry = journal.observation_update(
            actor=world.actor("practitioner"),
            observation=entry,
            expected_version=entry.version,
            notes="More detail",
        )
        assert entry.status == Observation.Status.AWAITING_REVIEW
        journal.observation_approve(actor=world.actor("senior"), observation=entry)
    assert NextStep.objects.filter(observation=entry).count() == 1
    family_emails = [
        m
        for m in outbox[first_emails:]
        if "learning journal" in m.subject.lower()
        and world.members["parent_amy"].user.email in m.to
    ]
    assert family_emails == []


def test_r5_a_parent_replying_with_any_other_child_id_gets_one_answer(world):
    shared = world.observations["shared"]
    answers = set()
    for child_id in (
        world.children["ben"].pk,
        world.children["cara"].pk,
        world.children["zed"].pk,
        999999,
    ):
        response = world.client("parent_amy").post(
            f"/api/v1/observations/{shared.pk}/comments",
            {"child_id": child_id, "body": "Hello"},
            content_type="application/json",
        )
        answers.add((response.status_code, response.content))
    assert len(answers) == 1
    assert next(iter(answers))[0] == 404


def test_r19_approving_a_contribution_with_an_empty_title_keeps_the_reviewers_text(world):
    contribution = world.observations["contribution"]
    response = world.client("senior").post(
        reverse("contribution_review", args=[contribution.pk]),
        {"decision": "approve", "title": "", "notes": "Carefully corrected notes"},
    )
    assert response.status_code == 200
    assert b"Carefully corrected notes" in response.content
    assert b"This field is required" in response.content
    contribution.refresh_from_db()
    assert contribution.status == Observation.Status.PENDING


def test_r18_approving_a_reply_never_redirects_off_site(world, comments_approved_first):
    comment = journal.comment_add(
        actor=world.actor("parent_amy"),
        observation=world.observations["shared"],
        child=world.children["amy"],
        body="Waiting",
    )
    response = world.client("senior").post(
        reverse("comment_approve", args=[comment.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("review_queue")


def test_r26_far_future_filter_dates_get_a_message_not_an_error(world):
    amy = world.children["amy"].pk
    for url in (
        f"/children/{amy}/?end=9999-12-31",
        "/observations/?end=9999-12-31",
        "/monitoring/?start=2026-01-01&end=9999-12-31&quiet_days=14",
    ):
        response = world.client("manager").get(url)
        assert response.status_code == 200, url
        assert b"Choose a date between 2000 and next year." in response.content, url


def test_r14_api_rejects_nulls_overlong_text_and_reads_zoneless_times(world):
    client = world.client("practitioner")
    shared = world.observations["shared"]
    response = client.patch(
        f"/api/v1/observations/{shared.pk}",
        {"version": shared.version, "title": None, "notes": None},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["title"] == shared.title
    response = client.post(
        "/api/v1/observations",
        {
            "title": "x" * 201,
            "child_ids": [world.children["amy"].pk],
            "observed_at": "2026-01-05T10:00:00Z",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    response = client.post(
        "/api/v1/observations",
        {
            "title": "No zone",
            "child_ids": [world.children["amy"].pk],
            "observed_at": "2026-01-05T10:00:00",
        },
        content_type="application/json",
    )
    assert response.status_code == 201


def test_r33_child_details_need_names_and_a_past_birth_date(world):
    client = world.client("manager")
    amy = world.children["amy"].pk
    response = client.patch(
        f"/api/v1/children/{amy}", {"first_name": None}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["first_name"] == "Amy"
    response = client.post(
        "/api/v1/children",
        {"first_name": "", "last_name": "X", "date_of_birth": "2023-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 422
    response = client.post(
        "/api/v1/children",
        {"first_name": "Tom", "last_name": "X", "date_of_birth": "3000-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 422


def test_r6_daily_digest_skips_families_whose_children_left_and_marks_only_what_it_read(
    world, outbox, django_capture_on_commit_callbacks
):
    parent_amy, parent_ben = world.members["parent_amy"], world.members["parent_ben"]
    shared = world.observations["shared"]
    for parent in (parent_amy, parent_ben):
        PendingNotice.objects.create(parent=parent, observation=shared)
    children_services.child_set_status(
        actor=world.actor("manager"), child=world.children["ben"], status="left"
    )
    outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send_daily_digests.call()
    assert [m.to for m in outbox] == [[parent_amy.user.email]]
    assert not PendingNotice.objects.filter(sent_at__isnull=True).exists()


def test_r22_parents_do_not_see_the_staff_late_flag_in_the_api(world):
    response = world.client("parent_amy").get("/api/v1/observations")
    assert {item["is_late"] for item in response.json()["items"]} == {None}
