"""Staff pages: a child's journal with filters, key person and next steps (R13,
R15, R25), "My key children", and the managers' monitoring figures with the
lists behind them (R22, R26)."""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from footsteps.journal import services as journal
from footsteps.journal.models import NextStep
from footsteps.journal.tests.conftest import days_ago, every_title, titles


@pytest.fixture
def amys_journal(world, observe):
    """Amy's journal beyond the world's entries (shared and staff-only yesterday by
    the practitioner, the practitioner's draft, her parent's pending contribution)."""
    return {
        "recent": observe("senior", "amy", title="Recent", observed_at=days_ago(3), publish=True),
        "older": observe(
            "practitioner",
            "amy",
            title="Older",
            observed_at=days_ago(20),
            shared_with_parents=False,
            publish=True,
        ),
        "oldest": observe("manager", "amy", title="Oldest", observed_at=days_ago(40), publish=True),
    }


def amys_page(world, who="senior", **filters):
    url = reverse("child_detail", args=[world.children["amy"].pk])
    response = world.client(who).get(url, filters)
    assert response.status_code == 200
    return response


def test_r13_r15_a_childs_page_shows_the_key_person_and_recent_counts(world, amys_journal):
    response = amys_page(world)
    assert "Key person: <strong>Senior Person</strong>" in response.content.decode()
    # Published in 14 days: shared, staff-only, Recent; in 30 days also Older.
    assert response.context["summary"] == {"last_14": 3, "last_30": 4}
    assert set(titles(response)) == {
        "Tower of blocks",
        "Staff note",
        "At the park",
        "Recent",
        "Older",
        "Oldest",
    }


def test_r13_a_childs_page_filters_by_dates(world, amys_journal):
    today = timezone.localdate()
    response = amys_page(world, start=today - timedelta(days=25), end=today - timedelta(days=2))
    assert titles(response) == ["Recent", "Older"]


def test_r13_a_childs_page_filters_by_author(world, amys_journal):
    manager = amys_page(world, author=world.members["manager"].pk)
    assert titles(manager) == ["Oldest"]
    practitioner = amys_page(world, author=world.members["practitioner"].pk)
    assert set(titles(practitioner)) == {"Tower of blocks", "Staff note", "Older"}


def test_r13_r19_a_childs_page_filters_what_families_added(world, amys_journal):
    """Staff are offered by name, families as one choice ("A parent or carer")."""
    page = amys_page(world, author="families")
    assert titles(page) == ["At the park"]
    offered = page.context["filter_form"].fields["author"].choices
    assert [label for _value, label in offered if label.endswith("Family")] == []
    assert offered[-1] == ("families", "A parent or carer")


def test_r13_a_childs_page_filters_by_status_and_sharing(world, amys_journal):
    assert titles(amys_page(world, status="pending")) == ["At the park"]
    assert set(titles(amys_page(world, shared="no"))) == {"Staff note", "Older"}
    shared = set(titles(amys_page(world, shared="yes", status="published")))
    assert shared == {"Tower of blocks", "Recent", "Oldest"}


def test_r25_next_steps_from_an_observation_join_each_childs_list(world, observe):
    observe("practitioner", "amy", "ben", next_steps="Try the big scissors", publish=True)
    for child in ("amy", "ben"):
        step = NextStep.objects.get(child=world.children[child])
        assert (step.text, step.created_by) == (
            "Try the big scissors",
            world.members["practitioner"],
        )
    page = amys_page(world).content.decode()
    assert "Try the big scissors" in page
    assert "(Practitioner Person," in page


def test_r25_staff_add_and_review_next_steps(world):
    amy = world.children["amy"]
    client = world.client("practitioner")
    client.post(reverse("next_step_add", args=[amy.pk]), {"text": "Count to ten"})
    step = NextStep.objects.get(child=amy, text="Count to ten")
    assert [s.text for s in amys_page(world).context["next_steps"]] == ["Count to ten"]

    response = world.client("senior").post(reverse("next_step_achieve", args=[step.pk]))
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.achieved_by == world.members["senior"]
    assert step.achieved_at is not None
    assert list(amys_page(world).context["next_steps"]) == []
    other = world.client("other_manager").post(
        reverse("next_step_add", args=[amy.pk]), {"text": "x"}
    )
    assert other.status_code == 404


def test_r15_r25_my_key_children_lists_only_mine_with_their_counts(world, observe):
    observe("senior", "ben", observed_at=days_ago(20), publish=True)
    journal.next_step_add(actor=world.actor("senior"), child=world.children["ben"], text="Jump")
    response = world.client("practitioner").get(reverse("key_children"))
    rows = {
        c.first_name: (c.last_14, c.last_30, c.open_steps) for c in response.context["children"]
    }
    # Ben: the shared entry (yesterday) and the senior's (20 days ago); Cara: nothing.
    assert rows == {"Ben": (1, 2, 1), "Cara": (0, 0, 0)}
    seniors = world.client("senior").get(reverse("key_children"))
    assert [c.first_name for c in seniors.context["children"]] == ["Amy"]


def test_r15_r17_my_key_children_lists_my_drafts_and_returned_observations(
    world, moderated, observe
):
    returned = observe("practitioner", "ben", title="Sent back", publish=True)
    journal.observation_return(actor=world.actor("senior"), observation=returned, note="More")
    response = world.client("practitioner").get(reverse("key_children"))
    # Most recently changed first.
    assert [o.title for o in response.context["unfinished"]] == ["Sent back", "Unfinished draft"]
    assert list(world.client("senior").get(reverse("key_children")).context["unfinished"]) == []


@pytest.fixture
def monitored(world, observe, moderated, comments_approved_first):
    """Thirty days of Little Acorns: the world's shared and staff-only entries, a
    late one by the senior, one by the manager; one of each queue waiting; Amy's
    family has opened their journal."""
    observe("senior", "amy", title="Late one", observed_at=days_ago(10), publish=True)
    observe("manager", "ben", title="By the manager", observed_at=days_ago(2), publish=True)
    observe("manager", "cara", title="Long ago", observed_at=days_ago(45), publish=True)
    observe("practitioner", "amy", title="Waiting", publish=True)
    journal.comment_add(
        actor=world.actor("parent_ben"),
        observation=world.observations["shared"],
        child=world.children["ben"],
        body="Pending reply",
    )
    world.client("parent_amy").get(reverse("feed"))
    return world.client("manager").get(reverse("monitoring"))


def test_r22_r26_monitoring_figures(world, monitored):
    figures = monitored.context["f"]
    assert (figures["total"], figures["late"], figures["late_percent"]) == (4, 1, 25)
    assert figures["queues"] == {"awaiting_review": 1, "contributions": 1, "comments": 1}
    assert (figures["families_viewed"], figures["families_total"]) == (1, 3)
    assert figures["families_percent"] == 33
    staff = {m.user.full_name: (m.count, m.late) for m in figures["staff"]}
    assert staff == {
        "Practitioner Person": (2, 0),
        "Senior Person": (1, 1),
        "A Manager": (1, 0),
        "Suspended Person": (0, 0),
    }
    children = {c.first_name: (c.count, c.recent) for c in figures["children"]}
    # Cara's only entry is older than the period and the 14 quiet days.
    assert children == {"Amy": (3, True), "Ben": (2, True), "Cara": (0, False)}
    assert "quiet" in monitored.content.decode()


def test_r26_every_monitoring_figure_links_to_the_observations_it_counts(world, monitored):
    page = html.unescape(monitored.content.decode())
    client = world.client("manager")
    figures = monitored.context["f"]

    def listed(href: str) -> int:
        return len(every_title(client, href))

    totals = re.findall(
        r'<a href="(/observations/\?[^"]+)"><span class="value">(\d+)</span>([a-z ]+)', page
    )
    assert [(label.strip(), int(value)) for _, value, label in totals] == [
        ("observations shared", figures["total"]),
        ("entered late", figures["late"]),
    ]
    for href, value, _label in totals:
        assert listed(href) == int(value), href
    for member in figures["staff"]:
        href = re.search(rf'<a href="(/observations/\?author={member.pk}&[^"]+)">', page)[1]
        assert listed(href) == member.count, member
        if member.late:
            late = re.search(
                rf'<a href="(/observations/\?author={member.pk}&[^"]*late=1[^"]*)"', page
            )
            assert listed(late[1]) == member.late
    for child in figures["children"]:
        href = re.search(rf'<a href="(/children/{child.pk}/\?[^"]+)">', page)[1]
        assert listed(href) == child.count, child.first_name


def test_r26_monitoring_is_for_managers(world):
    for who in ("senior", "practitioner", "parent_amy"):
        assert world.client(who).get(reverse("monitoring")).status_code == 403, who


def test_r17_the_review_queue_shows_the_oldest_and_says_more_wait(world, moderated, observe):
    for n in range(26):
        observe("practitioner", "amy", title=f"Waiting {n:02d}", publish=True)
    page = world.client("senior").get(reverse("review_queue")).content.decode()
    shown = re.findall(r">Waiting (\d\d)</a>", page)
    assert shown == [f"{n:02d}" for n in range(25)]  # oldest first, the 26th waits
    assert "Staff observations awaiting review (25+)" in page
    assert "more are waiting behind them" in page
