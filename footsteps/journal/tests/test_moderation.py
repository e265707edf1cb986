"""Moderation (R17): where the setting wants it, a senior or manager reviews staff
observations before they join the journal; only approved ones reach parents."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from footsteps.journal import services as journal
from footsteps.journal.models import Observation
from footsteps.journal.tests.conftest import edit_form, entry_form, entry_json, titles
from footsteps.people import services as people
from footsteps.tenancy import services as tenancy

Status = Observation.Status


def test_r17_without_moderation_staff_publish_directly(observe):
    assert observe("practitioner", "amy", publish=True).status == Status.PUBLISHED


def test_r17_named_staff_observations_wait_for_review(world, moderated, observe):
    assert observe("practitioner", "amy", publish=True).status == Status.AWAITING_REVIEW
    # Staff not named publish directly.
    assert observe("senior", "amy", publish=True).status == Status.PUBLISHED


def test_r17_moderation_of_all_reviews_every_practitioner(world, observe):
    manager = world.actor("manager")
    tenancy.setting_update(actor=manager, moderation="all")
    assert observe("practitioner", "amy", publish=True).status == Status.AWAITING_REVIEW
    # The reviewers' own entries go straight in, unless they are named too.
    assert observe("senior", "amy", publish=True).status == Status.PUBLISHED
    people.staff_set_review(actor=manager, membership=world.members["senior"], needs_review=True)
    assert observe("senior", "amy", publish=True).status == Status.AWAITING_REVIEW


def test_r17_a_practitioner_under_moderation_cannot_publish_directly(world, moderated):
    """Not by the form, not by finishing a draft, not through the API."""
    client = world.client("practitioner")
    amy = world.children["amy"]
    response = client.post(
        reverse("observation_create"),
        entry_form("By the form", amy, shared_with_parents="on", publish="1"),
        follow=True,
    )
    assert "Sent for review. It is shared once approved." in response.content.decode()

    draft = world.observations["draft"]
    client.post(reverse("observation_edit", args=[draft.pk]), edit_form(draft, publish="1"))
    api = client.post(
        reverse("api:api_observation_create"),
        entry_json("By the API", amy, publish=True),
        content_type="application/json",
    )
    assert api.status_code == 201
    assert api.json()["status"] == "awaiting_review"
    statuses = dict(
        Observation.objects.filter(
            title__in=["By the form", "Unfinished draft", "By the API"]
        ).values_list("title", "status")
    )
    assert statuses == dict.fromkeys(
        ["By the form", "Unfinished draft", "By the API"], Status.AWAITING_REVIEW
    )


def test_r17_parents_never_see_an_observation_awaiting_review(world, moderated, observe):
    waiting = observe("practitioner", "amy", title="Waiting", publish=True)
    parent = world.client("parent_amy")
    assert parent.get(reverse("observation_detail", args=[waiting.pk])).status_code == 404
    assert "Waiting" not in titles(parent.get(reverse("feed")))
    api = parent.get(reverse("api:api_observations")).json()["items"]
    assert "Waiting" not in [item["title"] for item in api]


def test_r17_a_practitioner_cannot_approve(world, moderated, observe):
    waiting = observe("practitioner", "amy", publish=True)
    with pytest.raises(PermissionDenied):
        journal.observation_approve(actor=world.actor("practitioner"), observation=waiting)
    response = world.client("practitioner").post(
        reverse("observation_review", args=[waiting.pk]), {"decision": "approve"}
    )
    assert response.status_code == 403
    waiting.refresh_from_db()
    assert waiting.status == Status.AWAITING_REVIEW


def test_r17_a_reviewer_cannot_approve_their_own(world, observe):
    manager = world.actor("manager")
    tenancy.setting_update(actor=manager, moderation="named")
    people.staff_set_review(actor=manager, membership=world.members["senior"], needs_review=True)
    own = observe("senior", "amy", publish=True)
    assert own.status == Status.AWAITING_REVIEW
    response = world.client("senior").post(
        reverse("observation_review", args=[own.pk]), {"decision": "approve"}
    )
    assert response.status_code == 404
    assert (
        "Sharing the sand tray"
        not in world.client("senior").get(reverse("review_queue")).content.decode()
    )
    journal.observation_approve(actor=manager, observation=own)
    own.refresh_from_db()
    assert own.status == Status.PUBLISHED


def test_r17_a_senior_approves_and_only_then_parents_see_it(world, moderated, observe):
    waiting = observe("practitioner", "amy", "ben", title="Approved one", publish=True)
    queue = world.client("senior").get(reverse("review_queue"))
    assert [o.title for o in queue.context["queue"]["awaiting_review"]["items"]] == ["Approved one"]

    response = world.client("senior").post(
        reverse("observation_review", args=[waiting.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == Status.PUBLISHED
    assert waiting.reviewed_by == world.members["senior"]
    assert waiting.reviewed_at is not None
    assert waiting.author == world.members["practitioner"]
    for parent in ("parent_amy", "parent_ben"):
        assert "Approved one" in titles(world.client(parent).get(reverse("feed"))), parent


def test_r17_a_reviewer_returns_it_to_the_author_with_a_comment(world, moderated, observe):
    waiting = observe("practitioner", "amy", title="Needs work", publish=True)
    world.client("manager").post(
        reverse("observation_review", args=[waiting.pk]),
        {"decision": "return", "note": "Say what Amy said."},
    )
    waiting.refresh_from_db()
    assert waiting.status == Status.RETURNED
    assert waiting.review_note == "Say what Amy said."

    author = world.client("practitioner")
    edit = author.get(reverse("observation_edit", args=[waiting.pk])).content.decode()
    assert "Reviewer's comment:</strong> Say what Amy said." in edit
    key_children = author.get(reverse("key_children"))
    assert "Needs work" in [o.title for o in key_children.context["unfinished"]]
    assert (
        world.client("parent_amy").get(reverse("observation_detail", args=[waiting.pk])).status_code
        == 404
    )

    journal.observation_update(
        actor=world.actor("practitioner"),
        observation=waiting,
        expected_version=waiting.version,
        notes="Amy said: 'Look, a tower!'",
        publish=True,
    )
    waiting.refresh_from_db()
    assert waiting.status == Status.AWAITING_REVIEW
    assert waiting.review_note == ""


def test_r17_returning_needs_a_comment(world, moderated, observe):
    waiting = observe("practitioner", "amy", publish=True)
    with pytest.raises(ValidationError):
        journal.observation_return(actor=world.actor("senior"), observation=waiting, note="  ")
    response = world.client("senior").post(
        reverse("observation_review", args=[waiting.pk]),
        {"decision": "return", "note": ""},
        follow=True,
    )
    assert "Tell the author what to change" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == Status.AWAITING_REVIEW


def test_r17_the_review_queue_is_for_seniors_and_managers(world, moderated):
    assert world.client("senior").get(reverse("review_queue")).status_code == 200
    assert world.client("manager").get(reverse("review_queue")).status_code == 200
    assert world.client("practitioner").get(reverse("review_queue")).status_code == 403
    assert world.client("parent_amy").get(reverse("review_queue")).status_code == 403


def test_r17_r5_a_reviewers_comment_never_reaches_parents(world, moderated, observe):
    """Returned with a comment, then published once the setting stopped reviewing
    this author: the reviewer's words were for the author only."""
    waiting = observe("practitioner", "amy", title="Returned then shared", publish=True)
    journal.observation_return(
        actor=world.actor("senior"), observation=waiting, note="Leave out the other child."
    )
    people.staff_set_review(
        actor=world.actor("manager"), membership=world.members["practitioner"], needs_review=False
    )
    waiting.refresh_from_db()
    journal.observation_update(
        actor=world.actor("practitioner"),
        observation=waiting,
        expected_version=waiting.version,
        publish=True,
    )
    waiting.refresh_from_db()
    assert waiting.status == Status.PUBLISHED
    api = world.client("parent_amy").get(reverse("api:api_observation", args=[waiting.pk]))
    assert api.json()["review_note"] == ""
    page = world.client("parent_amy").get(reverse("observation_detail", args=[waiting.pk]))
    assert "Leave out the other child." not in page.content.decode()
