"""The journal through /api/v1/, end to end with a signed-in browser session and
JSON: the same operations as the pages, under the same policy (R5, R14-R20)."""

import pytest
from django.urls import reverse

from footsteps.journal.models import Comment, Observation
from footsteps.journal.tests.conftest import days_ago, entry_json


class Api:
    """A person's session, speaking JSON."""

    def __init__(self, world, who: str):
        self.client = world.client(who)

    def get(self, name, *args, **params):
        return self.client.get(reverse(f"api:{name}", args=args), params)

    def send(self, method, name, *args, body=None):
        return getattr(self.client, method)(
            reverse(f"api:{name}", args=args), body or {}, content_type="application/json"
        )

    def post(self, name, *args, body=None):
        return self.send("post", name, *args, body=body)

    def patch(self, name, *args, body=None):
        return self.send("patch", name, *args, body=body)


@pytest.fixture
def api(world):
    return lambda who: Api(world, who)


def listed_titles(response) -> list[str]:
    assert response.status_code == 200
    return [item["title"] for item in response.json()["items"]]


def test_r14_r16_staff_record_read_and_amend_an_observation(world, api):
    amy, ben = world.children["amy"], world.children["ben"]
    practitioner = api("practitioner")
    created = practitioner.post(
        "api_observation_create",
        body=entry_json(
            "Puddle jumping",
            amy,
            ben,
            observed_at=days_ago(9).isoformat(),
            notes="Big splash.",
            next_steps="Measure the puddles",
            publish=True,
        ),
    )
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "published"
    assert body["author"] == "Practitioner Person"
    assert body["is_late"] is True  # R22: nine days after
    assert body["next_steps"] == "Measure the puddles"
    assert [child["first_name"] for child in body["children"]] == ["Amy", "Ben"]
    assert body["version"] == 1
    pk = body["id"]
    assert "Puddle jumping" in listed_titles(practitioner.get("api_observations"))
    for_cara = listed_titles(
        practitioner.get("api_observations", child_id=world.children["cara"].pk)
    )
    assert "Puddle jumping" not in for_cara
    assert "Puddle jumping" in listed_titles(practitioner.get("api_observations", child_id=amy.pk))
    assert practitioner.get("api_observation", pk).json()["notes"] == "Big splash."

    amended = practitioner.patch(
        "api_observation_update", pk, body={"version": 1, "notes": "A very big splash."}
    )
    assert amended.status_code == 200
    assert (amended.json()["notes"], amended.json()["version"]) == ("A very big splash.", 2)
    history = world.client("senior").get(reverse("observation_history", args=[pk]))
    assert "A very big splash." in history.content.decode()


def test_r16_a_stale_version_is_refused_with_409(world, api):
    shared = world.observations["shared"]
    senior = api("senior")
    assert (
        senior.patch(
            "api_observation_update", shared.pk, body={"version": 1, "title": "First"}
        ).status_code
        == 200
    )
    stale = api("practitioner").patch(
        "api_observation_update", shared.pk, body={"version": 1, "title": "Second"}
    )
    assert stale.status_code == 409
    assert "Someone else saved this observation" in stale.json()["detail"]
    shared.refresh_from_db()
    assert shared.title == "First"


def test_r14_invalid_input_is_answered_422_with_the_field(world, api):
    response = api("practitioner").post(
        "api_observation_create",
        body=entry_json(" ", world.children["amy"]),
    )
    assert response.status_code == 422
    assert "title" in response.json()["errors"]
    other_setting = api("practitioner").post(
        "api_observation_create",
        body=entry_json("Zed", world.children["zed"]),
    )
    # A child of another setting is not found here.
    assert other_setting.status_code == 404


def test_r17_review_through_the_api(world, moderated, api):
    practitioner, senior = api("practitioner"), api("senior")
    created = practitioner.post(
        "api_observation_create", body=entry_json("To review", world.children["amy"], publish=True)
    )
    pk = created.json()["id"]
    assert created.json()["status"] == "awaiting_review"
    # The author sees it, and may not approve their own (R17).
    assert practitioner.post("api_observation_approve", pk).status_code == 403
    queue = senior.get("api_review_queue").json()
    assert [item["title"] for item in queue["awaiting_review"]] == ["To review"]

    returned = senior.post("api_observation_return", pk, body={"note": "Add what she said."})
    assert (returned.json()["status"], returned.json()["review_note"]) == (
        "returned",
        "Add what she said.",
    )
    resent = practitioner.patch(
        "api_observation_update",
        pk,
        body={"version": returned.json()["version"], "notes": "She said 'more!'", "publish": True},
    )
    assert resent.json()["status"] == "awaiting_review"
    assert "To review" not in listed_titles(api("parent_amy").get("api_observations"))

    approved = senior.post("api_observation_approve", pk)
    assert approved.json()["status"] == "published"
    assert "To review" in listed_titles(api("parent_amy").get("api_observations"))


def test_r5_a_parent_reads_their_feed_without_other_childrens_names_or_staff_matter(world, api):
    response = api("parent_amy").get("api_observations")
    items = {item["title"]: item for item in response.json()["items"]}
    assert set(items) == {"Tower of blocks", "At the park"}
    shared = items["Tower of blocks"]
    assert shared["children"] == [{"id": world.children["amy"].pk, "first_name": "Amy"}]
    assert shared["other_children"] == 1
    assert [c["body"] for c in shared["comments"]] == ["Amy loved this!"]
    assert "Ben" not in response.content.decode()
    assert (
        api("parent_amy").get("api_observation", world.observations["staff_only"].pk).status_code
        == 404
    )


def test_r19_r20_a_family_contribution_through_the_api(world, api):
    parent, staff = api("parent_amy"), api("practitioner")
    sent = parent.post(
        "api_contribution_create",
        body=entry_json("Bath time", world.children["amy"], notes="Counted ducks."),
    )
    assert sent.status_code == 201
    pk = sent.json()["id"]
    assert (sent.json()["status"], sent.json()["source"]) == ("pending", "parent")
    assert (
        parent.patch("api_observation_update", pk, body={"version": 1, "title": "x"}).status_code
        == 403  # their own entry, which they may not edit once sent (R20)
    )
    assert parent.post("api_contribution_approve", pk, body={}).status_code == 403
    assert api("parent_ben").get("api_observation", pk).status_code == 404

    approved = staff.post("api_contribution_approve", pk, body={"notes": "Counted five ducks."})
    assert approved.status_code == 200
    assert approved.json()["status"] == "published"
    assert approved.json()["author"] == "parent_amy Family"
    assert approved.json()["notes"] == "Counted five ducks."
    # Published now: still theirs to see, no longer theirs to withdraw.
    assert parent.post("api_contribution_withdraw", pk).status_code == 403


def test_r19_decline_and_withdraw_through_the_api(world, api):
    parent = api("parent_amy")
    contribution = world.observations["contribution"]
    declined = api("senior").post(
        "api_contribution_decline", contribution.pk, body={"note": "Wrong child."}
    )
    assert declined.json()["status"] == "declined"
    assert parent.get("api_observation", contribution.pk).json()["review_note"] == "Wrong child."

    another = parent.post(
        "api_contribution_create",
        body=entry_json("Second try", world.children["amy"], notes="x"),
    ).json()["id"]
    assert api("senior").post("api_contribution_withdraw", another).status_code == 403
    withdrawn = parent.post("api_contribution_withdraw", another)
    assert withdrawn.json()["status"] == "withdrawn"
    assert Observation.objects.get(pk=another).status == "withdrawn"


def test_r18_replies_through_the_api(world, comments_approved_first, api):
    shared = world.observations["shared"]
    amy = world.children["amy"].pk
    sent = api("parent_amy").post(
        "api_comment_add", shared.pk, body={"child_id": amy, "body": "Lovely!"}
    )
    assert sent.status_code == 201
    assert (sent.json()["status"], sent.json()["author"]) == ("pending", "parent_amy Family")
    assert api("parent_amy").post("api_comment_approve", sent.json()["id"]).status_code == 403
    queue = api("manager").get("api_review_queue").json()
    assert [c["body"] for c in queue["comments"]] == ["Lovely!"]

    approved = api("practitioner").post("api_comment_approve", sent.json()["id"])
    assert approved.json()["status"] == "published"
    assert Comment.objects.get(pk=sent.json()["id"]).approved_by == world.members["practitioner"]
    bens = api("parent_ben").get("api_observation", shared.pk).json()["comments"]
    assert "Lovely!" not in [c["body"] for c in bens]


def test_r15_r20_parents_cannot_use_staff_operations(world, api):
    parent = api("parent_amy")
    created = parent.post(
        "api_observation_create",
        body=entry_json("No", world.children["amy"]),
    )
    assert created.status_code == 403
    assert parent.get("api_review_queue").status_code == 403
    assert not Observation.objects.filter(title="No").exists()
