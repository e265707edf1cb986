"""Parents add their own observations (R19): they wait for staff, who approve
(perhaps editing first, on the record) or decline with a reason. Parents edit
nothing once it is submitted, nor anything staff wrote (R20)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from footsteps.journal import services as journal
from footsteps.journal.models import Observation, ObservationRevision
from footsteps.journal.tests.conftest import days_ago, entry_form, titles

Status = Observation.Status


def detail(world, who: str, observation):
    return world.client(who).get(reverse("observation_detail", args=[observation.pk]))


def test_r19_a_parent_adds_an_observation_that_waits_for_approval(world):
    client = world.client("parent_amy")
    response = client.post(
        reverse("contribution_create"),
        entry_form("Baking at Grandma's", world.children["amy"], notes="Weighed the flour."),
    )
    assert response.status_code == 302
    contribution = Observation.objects.get(title="Baking at Grandma's")
    assert contribution.status == Status.PENDING
    assert contribution.source == Observation.Source.PARENT
    assert contribution.author == world.members["parent_amy"]
    feed = client.get(reverse("feed")).content.decode()
    assert "Baking at Grandma&#x27;s" in feed
    assert "Waiting for approval" in feed
    assert "Baking at Grandma's" not in titles(world.client("parent_ben").get(reverse("feed")))
    queue = world.client("senior").get(reverse("review_queue")).context["queue"]
    assert "Baking at Grandma's" in [o.title for o in queue["contributions"]["items"]]


def test_r19_a_parent_adds_only_about_their_own_child(world):
    with pytest.raises(ValidationError):
        journal.contribution_create(
            actor=world.actor("parent_amy"),
            children=[world.children["ben"]],
            title="Not mine",
            notes="x",
            observed_at=days_ago(1),
        )
    response = world.client("parent_amy").post(
        reverse("contribution_create"),
        entry_form("Not mine", world.children["ben"], notes="x"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["children"]
    assert not Observation.objects.filter(title="Not mine").exists()


def test_r19_other_parents_see_it_only_once_approved(world, second_amy_parent):
    contribution = world.observations["contribution"]
    assert detail(world, "carer_amy", contribution).status_code == 404
    journal.contribution_approve(actor=world.actor("practitioner"), observation=contribution)
    assert detail(world, "carer_amy", contribution).status_code == 200
    assert "At the park" in titles(world.client("carer_amy").get(reverse("feed")))
    assert detail(world, "parent_ben", contribution).status_code == 404


def test_r19_any_staff_member_approves_it_as_it_is(world):
    contribution = world.observations["contribution"]
    response = world.client("practitioner").post(
        reverse("contribution_review", args=[contribution.pk]),
        {"decision": "approve", "title": "At the park", "notes": "Climbed the big slide."},
    )
    assert response.status_code == 302
    contribution.refresh_from_db()
    assert contribution.status == Status.PUBLISHED
    assert contribution.author == world.members["parent_amy"]
    assert contribution.reviewed_by == world.members["practitioner"]
    assert not ObservationRevision.objects.filter(observation=contribution).exists()
    page = detail(world, "parent_amy", contribution).content.decode()
    assert "From home" in page
    assert "By parent_amy Family" in page


def test_r16_r19_an_edit_when_approving_is_recorded_and_the_parent_stays_author(world):
    contribution = world.observations["contribution"]
    world.client("senior").post(
        reverse("contribution_review", args=[contribution.pk]),
        {"decision": "approve", "title": "At the park", "notes": "Climbed the big slide twice."},
    )
    contribution.refresh_from_db()
    assert contribution.status == Status.PUBLISHED
    assert contribution.notes == "Climbed the big slide twice."
    assert contribution.author == world.members["parent_amy"]
    revision = ObservationRevision.objects.get(observation=contribution)
    assert revision.editor == world.members["senior"]
    assert revision.note == "Edited by staff when approving"
    assert revision.changes == {
        "notes": {"before": "Climbed the big slide.", "after": "Climbed the big slide twice."}
    }
    history = world.client("manager").get(reverse("observation_history", args=[contribution.pk]))
    assert "Edited by staff when approving" in history.content.decode()


def test_r19_staff_decline_with_a_reason_the_parent_sees(world):
    contribution = world.observations["contribution"]
    response = world.client("practitioner").post(
        reverse("contribution_review", args=[contribution.pk]),
        {"decision": "decline", "reason": "Please add it to Amy's own journal page."},
    )
    assert response.status_code == 302
    contribution.refresh_from_db()
    assert contribution.status == Status.DECLINED
    page = detail(world, "parent_amy", contribution).content.decode()
    assert "Why it was not added" in page
    assert "Please add it to Amy&#x27;s own journal page." in page
    assert detail(world, "parent_ben", contribution).status_code == 404


def test_r19_declining_needs_a_reason(world):
    contribution = world.observations["contribution"]
    with pytest.raises(ValidationError):
        journal.contribution_decline(
            actor=world.actor("senior"), observation=contribution, reason=" "
        )
    world.client("senior").post(
        reverse("contribution_review", args=[contribution.pk]),
        {"decision": "decline", "reason": ""},
    )
    contribution.refresh_from_db()
    assert contribution.status == Status.PENDING


def test_r19_a_parent_withdraws_a_pending_contribution(world):
    contribution = world.observations["contribution"]
    assert (
        world.client("practitioner")
        .post(reverse("contribution_withdraw", args=[contribution.pk]))
        .status_code
        == 403
    )
    assert (
        world.client("parent_ben")
        .post(reverse("contribution_withdraw", args=[contribution.pk]))
        .status_code
        == 404
    )
    response = world.client("parent_amy").post(
        reverse("contribution_withdraw", args=[contribution.pk])
    )
    assert response.status_code == 302
    contribution.refresh_from_db()
    assert contribution.status == Status.WITHDRAWN
    assert detail(world, "senior", contribution).status_code == 404
    queue = world.client("senior").get(reverse("review_queue")).context["queue"]
    assert queue["contributions"]["items"] == []


def test_r19_r20_nothing_is_withdrawn_once_approved(world):
    contribution = world.observations["contribution"]
    journal.contribution_approve(actor=world.actor("senior"), observation=contribution)
    response = world.client("parent_amy").post(
        reverse("contribution_withdraw", args=[contribution.pk])
    )
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        journal.contribution_withdraw(actor=world.actor("parent_amy"), observation=contribution)
    contribution.refresh_from_db()
    assert contribution.status == Status.PUBLISHED


@pytest.mark.parametrize("entry", ["contribution", "shared"])
def test_r20_a_parent_edits_nothing_once_submitted_nor_staff_material(world, entry):
    observation = world.observations[entry]
    client = world.client("parent_amy")
    edit = reverse("observation_edit", args=[observation.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"title": "Changed by a parent"}).status_code == 403
    api = client.patch(
        reverse("api:api_observation_update", args=[observation.pk]),
        {"version": observation.version, "title": "Changed by a parent"},
        content_type="application/json",
    )
    assert api.status_code == 403  # the parent sees the entry, and may not do this to it
    with pytest.raises(PermissionDenied):
        journal.observation_update(
            actor=world.actor("parent_amy"),
            observation=observation,
            expected_version=observation.version,
            title="Changed by a parent",
        )
    observation.refresh_from_db()
    assert observation.title != "Changed by a parent"
    assert observation.version == 1


def test_r20_a_parent_cannot_approve_their_own_contribution(world):
    contribution = world.observations["contribution"]
    client = world.client("parent_amy")
    response = client.post(
        reverse("contribution_review", args=[contribution.pk]),
        {"decision": "approve", "title": "At the park", "notes": "Approved by me"},
    )
    assert response.status_code == 403
    api = client.post(
        reverse("api:api_contribution_approve", args=[contribution.pk]),
        {},
        content_type="application/json",
    )
    assert api.status_code == 403  # the parent sees the entry, and may not do this to it
    with pytest.raises(PermissionDenied):
        journal.contribution_approve(actor=world.actor("parent_amy"), observation=contribution)
    contribution.refresh_from_db()
    assert contribution.status == Status.PENDING
