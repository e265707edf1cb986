"""Managers search their setting's activity log by person, child, action and
days, a page at a time, and nothing of another setting can be reached (R39)."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from footsteps.audit.models import AuditEvent
from footsteps.audit.selectors import PAGE_SIZE
from footsteps.children import services as children_services


def search(world, who="manager", **params):
    response = world.client(who).get(reverse("audit_log"), params)
    assert response.status_code == 200
    return response


def shown(response) -> list[AuditEvent]:
    page = response.context["page"]
    assert page is not None, response.context["form"].errors
    return list(page)


def test_r39_search_by_person_finds_what_they_did_and_what_was_done_to_them(world):
    senior = world.members["senior"]

    events = shown(search(world, person=senior.pk))

    assert events
    for event in events:
        assert event.actor_id == senior.user_id or (event.target_type, event.target_id) in {
            ("people.user", str(senior.user_id)),
            ("people.membership", str(senior.pk)),
        }
    actions = {event.action for event in events}
    assert {"staff.invited", "invitation.accepted", "agreement.accepted"} <= actions
    # The manager invited them: that event is about them, though the manager did it.
    invited = next(event for event in events if event.action == "staff.invited")
    assert invited.actor_id == world.members["manager"].user_id


def test_r39_search_by_child_finds_their_record_their_families_and_their_entries(world):
    amy, ben = world.children["amy"], world.children["ben"]

    events = shown(search(world, child=amy.pk))

    about = {(event.action, event.target_type, event.target_id) for event in events}
    assert ("child.created", "children.child", str(amy.pk)) in about
    assert ("child.created", "children.child", str(ben.pk)) not in about
    # A parent registered for Amy: the event names her in its data.
    assert any(e.action == "parent.invited" and e.data["child_id"] == amy.pk for e in events)
    assert not any(e.data.get("child_id") == ben.pk for e in events)
    # Entries she is in, shared with Ben or not; none she is not in.
    for name in ("shared", "staff_only", "draft", "contribution"):
        entry = str(world.observations[name].pk)
        assert any(e.target_type == "journal.observation" and e.target_id == entry for e in events)
    zed_entry = str(world.observations["zed"].pk)
    assert not any(
        e.target_id == zed_entry and e.target_type == "journal.observation" for e in events
    )


def test_r39_search_by_action_and_by_days(world):
    children = shown(search(world, action="child.created"))
    assert sorted(event.subject for event in children) == ["Amy Acorn", "Ben Acorn", "Cara Acorn"]

    children_services.room_create(actor=world.actor("manager"), name="Caterpillars")
    today = timezone.localdate()
    assert [e.action for e in shown(search(world, action="room.created", start=today))] == [
        "room.created"
    ]
    yesterday = today - timedelta(days=1)
    assert shown(search(world, action="room.created", end=yesterday)) == []
    assert shown(search(world, start=date(2020, 1, 1), end=yesterday + timedelta(days=2)))

    backwards = search(world, start=today, end=yesterday)
    assert backwards.context["page"] is None
    assert "end" in backwards.context["form"].errors


@pytest.mark.parametrize(
    ("field", "whose"),
    [
        ("person", lambda world: world.members["other_manager"].pk),
        ("person", lambda world: world.members["parent_zed"].pk),
        ("child", lambda world: world.children["zed"].pk),
        ("person", lambda world: "not-a-number"),
        ("action", lambda world: "no.such.action"),
    ],
)
def test_r39_another_settings_person_or_child_is_refused_and_shows_no_events(world, field, whose):
    response = search(world, **{field: whose(world)})

    assert response.context["page"] is None
    assert field in response.context["form"].errors
    text = response.content.decode()
    assert "Zed" not in text
    assert "Oak" not in text


def test_r39_the_other_settings_manager_never_sees_our_people_or_children(world):
    text = search(world, who="other_manager").content.decode()
    for name in ("Senior Person", "Amy Acorn", "parent_amy Family"):
        assert name not in text
    assert "Zed Oak" in text  # their own child is offered


def test_r39_the_log_pages_newest_first_with_an_older_link_that_keeps_the_search(world):
    manager = world.actor("manager")
    for i in range(PAGE_SIZE + 5):
        children_services.room_create(actor=manager, name=f"Room {i}")

    first = search(world, action="room.created")
    newest = shown(first)
    cursor = first.context["page"].older_cursor
    older = shown(search(world, action="room.created", before=cursor))

    assert len(newest) == PAGE_SIZE
    assert len(older) == 5
    sequences = [event.sequence for event in newest + older]
    assert sequences == sorted(sequences, reverse=True)
    assert len(set(sequences)) == PAGE_SIZE + 5
    assert f"action=room.created&amp;before={cursor}" in first.content.decode()
    assert first.context["page"].is_first
    assert search(world, action="room.created", before=cursor).context["page"].older_cursor is None


@pytest.mark.parametrize("n", [1, PAGE_SIZE])
def test_r39_the_log_runs_a_fixed_number_of_queries_for_1_or_50_events(world, n):
    """P (2: the session, and the person with their membership and setting) +
    1 the setting's people (the search's choices, and the names of the people
    events are about) + 1 its children (the same, for children) + 1 the page
    of events, with any search in the same query = 5, for 1 event or a full
    page, searched or not."""
    manager = world.actor("manager")
    for i in range(n):
        children_services.room_create(actor=manager, name=f"Room {i}")
    client = world.client("manager")
    url = reverse("audit_log")
    searches = {
        "everything": {},
        "rooms": {"action": "room.created"},
        "a person": {"person": world.members["manager"].pk, "action": "room.created"},
        "a child": {"child": world.children["amy"].pk},
        "days": {"start": timezone.localdate().isoformat(), "action": "room.created"},
    }
    assert client.get(url).status_code == 200  # anything a first visit writes
    counted, seen = {}, {}
    for name, params in searches.items():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, params)
        counted[name] = len(captured)
        seen[name] = "\n".join(query["sql"] for query in captured.captured_queries)
        assert response.context["page"] is not None
        if "action" in params:
            assert len(response.context["page"]) == n

    wrong = "\n\n".join(f"{name}:\n{seen[name]}" for name in counted if counted[name] != 5)
    assert counted == dict.fromkeys(searches, 5), wrong
