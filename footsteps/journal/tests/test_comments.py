"""Replies (R18): one thread per child of an entry, so each family talks with staff
about their own child and never reads another family's words (R5). Conversation
happens only on journal entries (R21)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import get_resolver, reverse

from footsteps.journal import services as journal
from footsteps.journal.models import Comment

AMYS_WORDS = "Amy loved this!"  # world.comments["amy"], on the shared entry
BENS_WORDS = "Ben told us all about it."  # world.comments["ben"]


def page_of(world, who: str, observation) -> str:
    response = world.client(who).get(reverse("observation_detail", args=[observation.pk]))
    assert response.status_code == 200
    return response.content.decode()


def api_bodies(world, who: str, observation) -> list[str]:
    response = world.client(who).get(reverse("api:api_observation", args=[observation.pk]))
    return [comment["body"] for comment in response.json()["comments"]]


def test_r18_a_parent_replies_in_their_childs_thread(world):
    shared = world.observations["shared"]
    amy = world.children["amy"]
    response = world.client("parent_amy").post(
        reverse("comment_add", args=[shared.pk]),
        {"child": amy.pk, "body": "She built it again at home."},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#thread-{amy.pk}")
    comment = Comment.objects.get(body="She built it again at home.")
    assert (comment.child, comment.author) == (amy, world.members["parent_amy"])
    assert comment.status == Comment.Status.PUBLISHED
    assert "She built it again at home." in page_of(world, "parent_amy", shared)


def test_r5_r18_each_family_sees_only_its_own_thread(world):
    shared = world.observations["shared"]
    amys_page, bens_page = (
        page_of(world, "parent_amy", shared),
        page_of(world, "parent_ben", shared),
    )
    assert AMYS_WORDS in amys_page
    assert BENS_WORDS not in amys_page
    assert BENS_WORDS in bens_page
    assert AMYS_WORDS not in bens_page
    assert "parent_ben Family" not in amys_page
    assert api_bodies(world, "parent_amy", shared) == [AMYS_WORDS]
    assert api_bodies(world, "parent_ben", shared) == [BENS_WORDS]


def test_r18_staff_see_every_thread_by_child(world):
    page = page_of(world, "practitioner", world.observations["shared"])
    amy_thread = page.split("Conversation with Amy's family")[1].split("</div>\n\n")[0]
    assert AMYS_WORDS in amy_thread
    assert "Conversation with Ben's family" in page
    assert BENS_WORDS in page.split("Conversation with Ben's family")[1]


def test_r5_r18_a_staff_reply_reaches_only_that_familys_thread(world):
    shared = world.observations["shared"]
    world.client("senior").post(
        reverse("comment_add", args=[shared.pk]),
        {"child": world.children["ben"].pk, "body": "Thank you, Ben's family."},
    )
    assert "Thank you, Ben&#x27;s family." in page_of(world, "parent_ben", shared)
    assert "Thank you, Ben" not in page_of(world, "parent_amy", shared)
    assert "Thank you, Ben's family." not in api_bodies(world, "parent_amy", shared)


def test_r5_a_parent_cannot_write_in_another_childs_thread(world):
    shared = world.observations["shared"]
    with pytest.raises(ValidationError):
        journal.comment_add(
            actor=world.actor("parent_amy"),
            observation=shared,
            child=world.children["ben"],
            body="Hello Ben's family",
        )
    response = world.client("parent_amy").post(
        reverse("comment_add", args=[shared.pk]),
        {"child": world.children["ben"].pk, "body": "Hello Ben's family"},
        follow=True,
    )
    assert "You can reply only about your own child." in response.content.decode()
    api = world.client("parent_amy").post(
        reverse("api:api_comment_add", args=[shared.pk]),
        {"child_id": world.children["ben"].pk, "body": "Hello Ben's family"},
        content_type="application/json",
    )
    assert api.status_code == 404
    assert api.json()["detail"] == "You can reply only about your own child."
    assert not Comment.objects.filter(body="Hello Ben's family").exists()


@pytest.mark.parametrize(
    ("who", "entry"),
    [
        ("parent_amy", "staff_only"),
        ("parent_ben", "staff_only"),  # not even about Ben
        ("parent_amy", "contribution"),  # their own, still waiting for approval
        ("parent_amy", "zed"),
        ("practitioner", "contribution"),
    ],
)
def test_r18_replies_only_on_entries_in_the_journal_that_the_person_may_see(world, who, entry):
    observation = world.observations[entry]
    response = world.client(who).post(
        reverse("comment_add", args=[observation.pk]),
        {"child": world.children["amy"].pk, "body": "Should not land"},
    )
    assert response.status_code == 404
    assert not Comment.objects.filter(body="Should not land").exists()


def test_r18_setting_approves_parents_replies_first(
    world, comments_approved_first, second_amy_parent
):
    shared = world.observations["shared"]
    world.client("parent_amy").post(
        reverse("comment_add", args=[shared.pk]),
        {"child": world.children["amy"].pk, "body": "Waiting for a look"},
    )
    comment = Comment.objects.get(body="Waiting for a look")
    assert comment.status == Comment.Status.PENDING
    own_view = page_of(world, "parent_amy", shared)
    assert "Waiting for a look" in own_view
    assert "awaiting approval" in own_view
    assert "Waiting for a look" not in page_of(world, "carer_amy", shared)
    queue = world.client("practitioner").get(reverse("review_queue"))
    assert queue.status_code == 403  # a practitioner approves replies on the entry itself
    assert "Approve reply" in page_of(world, "practitioner", shared)
    assert list(
        world.client("senior").get(reverse("review_queue")).context["queue"]["comments"]["items"]
    ) == [comment]

    assert (
        world.client("carer_amy").post(reverse("comment_approve", args=[comment.pk])).status_code
        == 403
    )
    world.client("practitioner").post(reverse("comment_approve", args=[comment.pk]))
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert comment.approved_by == world.members["practitioner"]
    assert "Waiting for a look" in page_of(world, "carer_amy", shared)


def test_r18_staff_replies_need_no_approval(world, comments_approved_first):
    reply = journal.comment_add(
        actor=world.actor("practitioner"),
        observation=world.observations["shared"],
        child=world.children["amy"],
        body="From the room",
    )
    assert reply.status == Comment.Status.PUBLISHED


def test_r21_a_reply_belongs_to_an_entry_and_one_of_its_children(world):
    """No messages between people: only replies on an entry, about a child it is about."""
    with pytest.raises(ValidationError):
        journal.comment_add(
            actor=world.actor("senior"),
            observation=world.observations["shared"],
            child=world.children["cara"],
            body="Cara is not in this entry",
        )
    with pytest.raises(ValidationError):
        journal.comment_add(
            actor=world.actor("parent_amy"),
            observation=world.observations["shared"],
            child=world.children["amy"],
            body="   ",
        )
    routes = [str(pattern.pattern) for pattern in get_resolver().url_patterns]
    routes += world.client("senior").get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/observations/{observation_id}/comments" in routes
    for word in ("message", "chat", "inbox", "conversation"):
        assert not any(word in route for route in routes), word
