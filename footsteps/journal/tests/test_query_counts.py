"""Every list page and feed runs a fixed number of queries, whatever the number of
observations, children, comments and authors (STYLE: exact query counts).

The test builds the journal with 1 item of every kind, then with 50, and asserts
the same exact count on every page for both. Each number is written beside its
page with what the queries are, so that a change to it must be explained in
the diff. (One build serves every page: building 50 of everything is the slow
part.)

Who is asking (the person, their chosen membership and setting, whether the
current agreement is accepted, R3, R4, and a parent's attending children, R5,
R6) is read in one query and kept in the cache while the setting's journal
version stands (footsteps.access.membership). So every signed-in request pays
2 queries (P): the session, and the journal version; and the first request
after a change pays 1 more, reading who is asking again.

Journal pages are kept in the cache for a person and a version of their
journal (footsteps.core.caching): each page is counted twice, the first time it
is shown after a change (cold, P + 1 + the page's own) and the next time (warm,
from the cache).
"""

from datetime import date

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from footsteps.children import services as children_services
from footsteps.conftest import accept_agreement, activate, actor_of
from footsteps.journal import services as journal
from footsteps.journal.tests.conftest import days_ago
from footsteps.media import services as media
from footsteps.people import services as people
from footsteps.people.models import Role
from footsteps.tenancy import services as tenancy
from footsteps.tenancy.models import Setting

SIZES = (1, 50)


@pytest.fixture
def build(world, django_capture_on_commit_callbacks, small_photo):
    """Fill Little Acorns' journal with `n` items of every kind, through the services:

    - n published observations, each about Amy, Ben and a child of its own, by
      authors taking turns (up to six staff), each with two photos (showing all
      three: every family has agreed), a reply from Amy's family, one from Ben's
      family and one from staff;
    - n staff observations awaiting review, by two reviewed authors, with a photo;
    - n parents' contributions waiting for approval, from two families, with a photo;
    - n parents' replies waiting for approval;
    - n drafts by the practitioner, with a photo; the practitioner is the key
      person of the n new children.
    """

    def photo(actor) -> str:
        item = media.upload_start(actor=actor, name="photo.jpg", size=len(small_photo))
        media.upload_chunk(actor=actor, media=item, offset=0, data=small_photo)
        return str(item.key)

    def fill(n: int):
        manager = world.actor("manager")
        with django_capture_on_commit_callbacks(execute=True):
            for name in ("amy", "ben"):
                children_services.child_set_image_consent(
                    actor=manager, child=world.children[name], consent="granted"
                )
            extra_staff = []
            for i in range(3):
                membership = activate(
                    people.staff_invite(
                        actor=manager,
                        email=f"staff{i}@acorns.test",
                        full_name=f"Staff {i}",
                        role=Role.PRACTITIONER,
                    )
                )
                accept_agreement(membership)
                extra_staff.append(membership)
            for membership in extra_staff[:2]:
                people.staff_set_review(actor=manager, membership=membership, needs_review=True)
            tenancy.setting_update(actor=manager, moderation="named")
            pool = [world.members[name] for name in ("manager", "senior", "practitioner")]
            authors = [*pool, extra_staff[2]][: min(n, 4)]
            reviewed = extra_staff[:2][: min(n, 2)]
            amy, ben = world.children["amy"], world.children["ben"]
            for i in range(n):
                own = children_services.child_create(
                    actor=manager,
                    first_name=f"Kid{i}",
                    last_name="Acorn",
                    date_of_birth=date(2022, 3, 1),
                    key_person=world.members["practitioner"],
                )
                children_services.child_set_image_consent(
                    actor=manager, child=own, consent="granted"
                )
                author = actor_of(authors[i % len(authors)])
                shared = journal.observation_create(
                    actor=author,
                    children=[amy, ben, own],
                    title=f"Shared {i}",
                    notes="Played with https://example.org blocks.",
                    next_steps="Count the blocks",
                    observed_at=days_ago(1 + i % 20),
                    publish=True,
                    media=[photo(author), photo(author)],
                )
                for family, child in (("parent_amy", amy), ("parent_ben", ben)):
                    journal.comment_add(
                        actor=world.actor(family), observation=shared, child=child, body="Lovely"
                    )
                journal.comment_add(actor=author, observation=shared, child=amy, body="Thank you")
                journal.observation_create(
                    actor=actor_of(reviewed[i % len(reviewed)]),
                    children=[amy, own],
                    title=f"To review {i}",
                    observed_at=days_ago(2),
                    publish=True,
                    media=[photo(actor_of(reviewed[i % len(reviewed)]))],
                )
                journal.observation_create(
                    actor=world.actor("practitioner"),
                    children=[own],
                    title=f"Draft {i}",
                    observed_at=days_ago(1),
                    media=[photo(world.actor("practitioner"))],
                )
                family, child = (("parent_amy", amy), ("parent_ben", ben))[i % 2]
                journal.contribution_create(
                    actor=world.actor(family),
                    children=[child],
                    title=f"From home {i}",
                    notes="At the park",
                    observed_at=days_ago(1),
                    media=[photo(world.actor(family))],
                )
            tenancy.setting_update(actor=manager, approve_parent_comments=True)
            first = journal.observation_create(
                actor=manager,
                children=[amy, ben],
                title="For replies",
                observed_at=days_ago(3),
                publish=True,
            )
            for i in range(n):
                family, child = (("parent_amy", amy), ("parent_ben", ben))[i % 2]
                journal.comment_add(
                    actor=world.actor(family), observation=first, child=child, body=f"Reply {i}"
                )

    return fill


def count_queries(client, url: str) -> tuple[tuple[int, int, int], list[str]]:
    """Queries of the page shown after a change to the setting's people (nothing
    kept), after a new entry (who is asking, children and rooms kept) and again
    (all kept)."""
    # A first request warms what a page writes once a day (the family's visit, R26).
    assert client.get(url).status_code == 200
    counts, sql = [], []
    for change in (
        {"people_version": F("people_version") + 1, "journal_version": F("journal_version") + 1},
        {"journal_version": F("journal_version") + 1},
        {},
    ):
        if change:
            Setting.objects.update(**change)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
        sql += [query["sql"] for query in captured.captured_queries]
    return tuple(counts), sql


def expected_pages(world) -> dict:
    """page -> (who asks, URL, (queries after a people change, after a new
    entry, kept)). P: the session and the setting's versions (2); "who" is
    who is asking, kept until the people change (footsteps.core.stamps); M:
    the photos and videos of the entries shown, and who is in them (2); T:
    their areas of learning (1, R23); A: the areas for the filter (1), asked
    with the authors whenever the page is built."""
    amy = world.children["amy"].pk
    return {
        # R5: P + who + 1 the children for the chooser + 1 a page of
        # observations with author, child count and how many replies they may
        # read (keyset: no count) + 1 the links to their own children, with the
        # child + M + T = 9. After a new entry: without who and the children = 7. Kept: P.
        "parent feed": ("parent_amy", reverse("feed"), (9, 7, 2)),
        # R13, R25: P + who + 1 the child with room and key person + 1 the
        # authors for the filter + 1 a page of observations with authors and
        # reply counts + 1 their children + M + 1 the 14/30-day counts + 1 open
        # next steps with who wrote them + 1 the child's parents + T + A = 14.
        # After a new entry: without who and the child = 12. Kept: P (a child
        # outside their scope is looked up, and 404, every time).
        "child journal": ("senior", reverse("child_detail", args=[amy]), (14, 12, 2)),
        # R17, R18, R19: P + who + for staff observations awaiting review: 1
        # the oldest with authors and reply counts + 1 their children + M; the
        # same four for parents' contributions (each list with T); + 1 the
        # replies waiting, with author, child and observation = 14; 13; P.
        "review queue": ("senior", reverse("review_queue"), (14, 13, 2)),
        # R26: P + who + 1 totals (shared, late, average delay) + 1 the sizes
        # of the two observation queues + 1 replies waiting + 1 families and how
        # many viewed their journal + 1 children with counts, "quiet" flag and
        # key person + 1 staff with their counts = 9; not kept: 8; 8.
        "monitoring": ("manager", reverse("monitoring"), (9, 8, 8)),
        # R26, the list behind a monitoring figure: P + who + 1 the staff for
        # the filter + 1 a page with authors and reply counts + 1 their
        # children + M + T + A = 10; without who: 9; P.
        "observation list": (
            "manager",
            reverse("observation_list") + "?status=published",
            (10, 9, 2),
        ),
        # R15, R25: P + who + 1 the key children with room, 14/30-day counts
        # and open next steps + 1 the drafts and returned observations with
        # authors and reply counts + 1 their children + M + T = 9; not kept: 8; 8.
        "my key children": ("practitioner", reverse("key_children"), (9, 8, 8)),
        # R5: P (the API's session sign-in asks the same) + who + 1 a page of
        # observations with author, child and reply counts + 1 links to their
        # own children + 1 the replies themselves + M + T = 9; 8; P.
        "API list, parent": ("parent_amy", reverse("api:api_observations"), (9, 8, 2)),
        # R14: the same for staff.
        "API list, staff": ("senior", reverse("api:api_observations"), (9, 8, 2)),
    }


@pytest.mark.parametrize("n", SIZES)
def test_r5_r17_r26_list_pages_and_feeds_run_a_fixed_number_of_queries(world, build, n):
    build(n)
    expected, counted, seen = {}, {}, {}
    for page, (who, url, count) in expected_pages(world).items():
        expected[page] = count
        counted[page], seen[page] = count_queries(world.client(who), url)
    wrong = "\n\n".join(
        f"{page}:\n" + "\n".join(seen[page]) for page in counted if counted[page] != expected[page]
    )
    assert counted == expected, wrong
