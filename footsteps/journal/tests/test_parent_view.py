"""What a parent sees (R5): their own children's shared, approved entries, newest
first, and nothing that identifies another child or family."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from footsteps.journal.tests.conftest import days_ago, titles
from footsteps.people import services as people


def words(response) -> str:
    return response.content.decode()


def test_r5_r14_the_feed_is_newest_first_and_names_author_and_date(world, observe):
    observe("senior", "amy", title="Oldest", observed_at=days_ago(5), publish=True)
    newest = observe("manager", "amy", title="Newest", observed_at=days_ago(0.1), publish=True)
    observe("practitioner", "amy", title="Middle", observed_at=days_ago(3), publish=True)
    response = world.client("parent_amy").get(reverse("feed"))
    shown = titles(response)
    assert shown.index("Newest") < shown.index("Middle") < shown.index("Oldest")
    card = words(response).split(f'id="obs-{newest.pk}-title"')[1].split("</article>")[0]
    assert "by A Manager" in card
    assert f"{timezone.localtime(newest.observed_at):%a %-d %b %Y, %H:%M}" in card


def test_r5_the_feed_is_paginated(world, observe):
    for i in range(25):
        observe("practitioner", "amy", title=f"Entry {i:02}", observed_at=days_ago(i), publish=True)
    client = world.client("parent_amy")
    first = client.get(reverse("feed"))
    assert len(first.context["page"]) == 20
    older = first.context["page"].older_cursor
    assert f"before={older}" in words(first)
    second = client.get(reverse("feed"), {"before": older})
    # 25 here, the world's shared entry and Amy's parent's own contribution: 27.
    assert len(second.context["page"]) == 7
    assert second.context["page"].older_cursor is None
    assert "Newest" in words(second)
    assert not set(titles(first)) & set(titles(second))
    # A cursor that is not ours is the newest page, not an error.
    assert titles(client.get(reverse("feed"), {"before": "garbage"})) == titles(first)


def test_r5_an_entry_about_several_children_names_only_their_own(world, observe):
    shared = world.observations["shared"]  # Amy and Ben
    three = observe("practitioner", "amy", "ben", "cara", title="Three friends", publish=True)
    client = world.client("parent_amy")
    for url in (
        reverse("feed"),
        reverse("observation_detail", args=[shared.pk]),
        reverse("observation_detail", args=[three.pk]),
    ):
        page = words(client.get(url))
        assert "Amy" in page
        m = re.search(r"\b(Ben|Cara)\b", page)
        assert not m, page[m.start() - 200 : m.start() + 50]
    feed = words(client.get(reverse("feed")))
    assert re.search(r"Amy and 1 other child\s", feed)
    assert "Amy and 2 other children" in feed
    api = client.get(reverse("api:api_observation", args=[three.pk])).json()
    assert api["children"] == [{"id": world.children["amy"].pk, "first_name": "Amy"}]
    assert api["other_children"] == 2


def test_r5_a_parent_of_two_children_sees_both_named(world):
    people.parent_link(
        actor=world.actor("manager"),
        parent=world.members["parent_amy"],
        child=world.children["ben"],
        relationship="parent",
    )
    client = world.client("parent_amy")
    shared = world.observations["shared"]
    page = words(client.get(reverse("observation_detail", args=[shared.pk])))
    assert "Amy, Ben" in page
    assert "other child" not in page
    only_ben = client.get(reverse("feed"), {"child": world.children["ben"].pk})
    assert titles(only_ben) == ["Tower of blocks"]


@pytest.mark.parametrize("hidden", ["staff_only", "draft", "zed"])
def test_r5_a_parent_cannot_see_staff_only_unfinished_or_other_settings_entries(world, hidden):
    observation = world.observations[hidden]
    client = world.client("parent_amy")
    assert client.get(reverse("observation_detail", args=[observation.pk])).status_code == 404
    assert observation.title not in titles(client.get(reverse("feed")))
    api = client.get(reverse("api:api_observations")).json()["items"]
    assert observation.title not in [item["title"] for item in api]
    assert client.get(reverse("api:api_observation", args=[observation.pk])).status_code == 404


def test_r5_r19_a_parent_cannot_see_another_familys_contribution(world):
    amys = world.observations["contribution"]
    client = world.client("parent_ben")
    assert client.get(reverse("observation_detail", args=[amys.pk])).status_code == 404
    assert "At the park" not in titles(client.get(reverse("feed")))


def test_r5_a_parent_cannot_open_another_childs_journal(world):
    client = world.client("parent_amy")
    assert client.get(reverse("feed"), {"child": world.children["ben"].pk}).status_code == 404
    assert client.get(reverse("feed"), {"child": world.children["zed"].pk}).status_code == 404
    ben = reverse("child_detail", args=[world.children["ben"].pk])
    assert client.get(ben).status_code == 403
    api = client.get(reverse("api:api_observations"), {"child_id": world.children["ben"].pk})
    assert api.status_code == 404
    own = client.get(reverse("api:api_observations"), {"child_id": world.children["amy"].pk})
    assert "Tower of blocks" in [item["title"] for item in own.json()["items"]]


def test_r5_r25_parents_never_see_next_steps(world, observe):
    entry = observe(
        "practitioner", "amy", title="Scissors", next_steps="Practise cutting", publish=True
    )
    client = world.client("parent_amy")
    assert "Practise cutting" not in words(
        client.get(reverse("observation_detail", args=[entry.pk]))
    )
    assert "Practise cutting" not in words(client.get(reverse("feed")))
    assert client.get(reverse("api:api_observation", args=[entry.pk])).json()["next_steps"] == ""
    staff = world.client("senior").get(reverse("observation_detail", args=[entry.pk]))
    assert "Practise cutting" in words(staff)
