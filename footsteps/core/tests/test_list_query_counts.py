"""The manager's lists of people, children, agreements and activity, and the API's
lists, run a fixed number of queries however many rows they show (R12: managers
administer staff, parents, children and links; STYLE: exact query counts).

The journal's pages are pinned in footsteps/journal/tests/test_query_counts.py;
this file does the same for the rest. The test adds 1 item of every kind, then
20, through the real services, and asserts the same exact count on every page
for both. Each number is written beside its page with what the queries are, so
that a change to it must be explained in the diff.

Every signed-in request pays 2 queries first (P): the session, and the person
with their chosen membership, its setting, whether the current agreement is
accepted (R3, R4) and a parent's attending children (R5, R6), all in one
(footsteps.access.membership.chosen_membership).
"""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from footsteps.children import services as children_services
from footsteps.conftest import accept_agreement, activate
from footsteps.people import services as people
from footsteps.people.models import Role
from footsteps.tenancy import services as tenancy

SIZES = (1, 20)


@pytest.fixture
def build(world, django_capture_on_commit_callbacks):
    """Add `n` of everything to Little Acorns, through the services:

    - n staff, taking turns as practitioner and senior; every other one accepts
      the invitation and the agreement, the rest stay invited;
    - n children, in two rooms, with key people taking turns (new staff too);
    - n parents, one per new child, and Amy's parent linked to every new child
      as well, so that one parent has many links (and many children in the API);
    - n agreements, taking turns for parents and staff (the manager and Amy's
      parent accept the latest, or they would see only the agreement page);
    - the activity log records all of it.
    """

    def fill(n: int):
        manager = world.actor("manager")
        with django_capture_on_commit_callbacks(execute=True):
            rooms = [
                children_services.room_create(actor=manager, name=name)
                for name in ("Caterpillars", "Butterflies")
            ]
            key_people = [world.members["senior"], world.members["practitioner"]]
            for i in range(n):
                membership = people.staff_invite(
                    actor=manager,
                    email=f"staff{i}@acorns.test",
                    full_name=f"Staff {i}",
                    role=(Role.PRACTITIONER, Role.SENIOR)[i % 2],
                )
                if i % 2 == 0:
                    membership = activate(membership)
                    accept_agreement(membership)
                key_people.append(membership)
                child = children_services.child_create(
                    actor=manager,
                    first_name=f"Kid{i}",
                    last_name="Acorn",
                    date_of_birth=date(2022, 3, 1),
                    room=rooms[i % 2],
                    key_person=key_people[i % len(key_people)],
                )
                people.parent_invite(
                    actor=manager,
                    email=f"family{i}@family.test",
                    full_name=f"Family {i}",
                    child=child,
                    relationship="parent",
                )
                people.parent_link(
                    actor=manager,
                    parent=world.members["parent_amy"],
                    child=child,
                    relationship="carer",
                )
                tenancy.agreement_publish(
                    actor=manager,
                    audience=("staff", "parent")[i % 2],
                    body=f"Agreement {i}",
                )
            accept_agreement(world.members["manager"])
            accept_agreement(world.members["parent_amy"])

    return fill


def count_queries(client, url: str) -> tuple[int, list[str], str]:
    # A first request warms anything a page writes once (as the journal's test does).
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    sql = [query["sql"] for query in captured.captured_queries]
    return len(captured), sql, response.content.decode()


def expected_pages(n: int) -> dict:
    """page -> (who asks, URL, the exact number of queries, a text the page
    shows only if it lists the last item built)."""
    last = n - 1
    return {
        # R12: P (2) + 1 count for the paginator + 1 the page of staff with
        # their user = 4.
        "staff list": ("manager", reverse("staff_list"), 4, f"Staff {last}"),
        # R12: P (2) + 1 count for the paginator + 1 the page of parents with
        # their user + 1 their links to children, with the child = 5.
        "parent list": ("manager", reverse("parent_list"), 5, f"Family {last}"),
        # R12, R13: P (2) + 1 count for the paginator + 1 the page of children
        # with room and key person's user = 4.
        "child list": ("manager", reverse("child_list"), 4, f"Kid{last}"),
        # R3, R4: P (2) + 1 the agreements with how many accepted each = 3.
        "agreements": ("manager", reverse("agreement_list"), 3, f"Agreement {last}"),
        # R39: P (2) + 1 the setting's people and + 1 its children (the
        # search's choices, and the names of whom events are about) + 1 a
        # page of events (keyset: no count) = 5.
        "activity log": ("manager", reverse("audit_log"), 5, "published a new agreement"),
        # R12: P (2, the API's session sign-in asks the same) + 1 count + 1 the
        # page of staff with their user = 4.
        "API staff": ("manager", "/api/v1/staff", 4, f"Staff {last}"),
        # R12: P (2) + 1 count + 1 the page of parents with their user + 1 their
        # links = 5.
        "API parents": ("manager", "/api/v1/parents", 5, f"Family {last}"),
        # R12: P (2) + 1 count + 1 the page of children with room and key
        # person's user = 4.
        "API children, manager": ("manager", "/api/v1/children", 4, f"Kid{last}"),
        # R5: the same for a parent (their children come with P) = 4.
        "API children, parent": ("parent_amy", "/api/v1/children", 4, f"Kid{last}"),
    }


@pytest.mark.parametrize("n", SIZES)
def test_r12_manager_lists_and_api_lists_run_a_fixed_number_of_queries(world, build, n):
    build(n)
    expected, counted, seen, missing = {}, {}, {}, []
    for page, (who, url, count, shows) in expected_pages(n).items():
        expected[page] = count
        counted[page], seen[page], content = count_queries(world.client(who), url)
        if shows not in content:
            missing.append(f"{page} does not show {shows!r}")
    assert missing == []
    wrong = "\n\n".join(
        f"{page}:\n" + "\n".join(seen[page]) for page in counted if counted[page] != expected[page]
    )
    assert counted == expected, wrong
