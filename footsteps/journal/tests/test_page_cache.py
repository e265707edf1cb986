"""Journal pages kept in the cache (issue 15): the rule that cannot bend.

A kept page is keyed by everything that decides what its reader may see (their
membership, role and children, the setting's journal version) and the
database raises that version on any change. So a change shows on the very next
request, and nothing kept for one family ever reaches another (R5, R6, R7,
R17, R18, R28).
"""

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from footsteps.children import services as children_services
from footsteps.journal import services as journal
from footsteps.journal.models import Observation
from footsteps.people import services as people
from footsteps.tenancy.models import Setting


def feed(client) -> str:
    response = client.get(reverse("feed"))
    assert response.status_code == 200
    return response.content.decode()


def api_titles(client) -> list[str]:
    return [item["title"] for item in client.get("/api/v1/observations").json()["items"]]


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def version(world) -> int:
    return Setting.objects.get(pk=world.members["manager"].setting_id).journal_version


def test_a_kept_page_costs_the_identity_queries_only(world):
    parent = world.client("parent_amy")
    feed(parent)

    assert queries(parent, reverse("feed")) == 2  # the session, and who is asking


def test_r18_a_new_reply_shows_on_the_next_request(world):
    parent = world.client("parent_amy")
    shared = world.observations["shared"]
    before = feed(parent)
    assert "1 reply" in before

    journal.comment_add(
        actor=world.actor("practitioner"),
        observation=shared,
        child=world.children["amy"],
        body="She counted to twelve!",
    )

    assert "2 replies" in feed(parent)
    listed = parent.get("/api/v1/observations").json()["items"]
    entry = next(item for item in listed if item["id"] == shared.pk)
    assert "She counted to twelve!" in [c["body"] for c in entry["comments"]]


def test_r5_r18_reply_counts_count_only_the_replies_the_reader_may_read(world):
    """The shared entry has a reply in Amy's thread and one in Ben's: Amy's
    family is told of one, the staff of both (lists count, never load, them)."""
    shared = world.observations["shared"]
    count = re.compile(rf'href="/observations/{shared.pk}/#threads">(\d+) repl')

    assert count.findall(feed(world.client("parent_amy"))) == ["1"]
    amy_journal = world.client("senior").get(
        reverse("child_detail", args=[world.children["amy"].pk])
    )
    assert count.findall(amy_journal.content.decode()) == ["2"]


def test_r17_an_approval_shows_on_the_next_request(world, moderated, observe):
    waiting = observe("practitioner", "amy", title="Hopping on one foot", publish=True)
    senior, parent = world.client("senior"), world.client("parent_amy")
    assert "Hopping on one foot" in senior.get(reverse("review_queue")).content.decode()
    assert "Hopping on one foot" not in feed(parent)

    journal.observation_approve(actor=world.actor("senior"), observation=waiting)

    assert "Hopping on one foot" not in senior.get(reverse("review_queue")).content.decode()
    assert "Hopping on one foot" in feed(parent)
    assert "Hopping on one foot" in api_titles(parent)


def test_r28_a_consent_withdrawn_is_seen_on_the_next_request(world):
    """Photos of a child whose family withdraws consent leave other journals at
    once: every page of the setting is built anew."""
    parent = world.client("parent_ben")
    feed(parent)
    kept = queries(parent, reverse("feed"))
    before = version(world)

    children_services.child_set_image_consent(
        actor=world.actor("parent_amy"), child=world.children["amy"], consent="refused"
    )

    assert version(world) > before
    assert queries(parent, reverse("feed")) > kept


def test_r6_a_child_who_leaves_ends_their_familys_access_on_the_next_request(world):
    parent, phone = world.client("parent_amy"), world.client("parent_amy")
    feed(parent)
    api_titles(phone)

    children_services.child_set_status(
        actor=world.actor("manager"), child=world.children["amy"], status="left"
    )

    assert parent.get(reverse("feed")).url.startswith(reverse("account_login"))
    assert phone.get("/api/v1/observations").status_code == 401


def test_r7_a_suspension_shows_on_the_next_request(world):
    parent = world.client("parent_ben")
    feed(parent)
    api_titles(parent)

    people.membership_suspend(actor=world.actor("manager"), membership=world.members["parent_ben"])

    assert parent.get(reverse("feed")).url.startswith(reverse("account_login"))
    assert parent.get("/api/v1/observations").status_code == 401


def test_r5_no_kept_page_reaches_another_family(world):
    """Both families read at the same journal version, one after the other."""
    amy_family, ben_family = world.client("parent_amy"), world.client("parent_ben")
    for _ in range(2):  # the second time, both are served from the cache
        amy_page, ben_page = feed(amy_family), feed(ben_family)
        assert "At the park" in amy_page  # Amy's family's own contribution
        assert "At the park" not in ben_page
        assert "At the park" in api_titles(amy_family)
        assert "At the park" not in api_titles(ben_family)
    # Staff read the same journal, with what only staff see.
    staff_page = world.client("senior").get(reverse("observation_list")).content.decode()
    assert "Staff note" in staff_page
    assert "Staff note" not in feed(amy_family)


def test_r16_any_write_shows_next_time_even_one_no_service_made(world):
    """The database raises the version, so even a bulk update made outside the
    services (a data fix, a migration) is never hidden by a kept page."""
    parent = world.client("parent_amy")
    assert "Tower of blocks" in feed(parent)

    Observation.objects.filter(pk=world.observations["shared"].pk).update(title="Tall tower")

    assert "Tall tower" in feed(parent)


def test_a_new_name_shows_on_every_kept_page(world):
    parent = world.client("parent_amy")
    assert "by Practitioner Person" in feed(parent)
    user = world.members["practitioner"].user
    user.full_name = "Priya Shah"
    user.save(update_fields=["full_name"])

    assert "by Priya Shah" in feed(parent)


def test_a_kept_page_carries_each_devices_own_csrf_token(world, comments_approved_first):
    """The review queue is kept with its forms; a form served from the cache to
    another device of the same person still posts."""
    pending = journal.comment_add(
        actor=world.actor("parent_ben"),
        observation=world.observations["shared"],
        child=world.children["ben"],
        body="Waiting for you",
    )
    laptop, tablet = world.client("senior"), Client(enforce_csrf_checks=True)
    tablet.cookies = world.client("senior").cookies
    laptop.get(reverse("review_queue"))  # kept now

    page = tablet.get(reverse("review_queue")).content.decode()
    token = re.search(
        rf'action="{reverse("comment_approve", args=[pending.pk])}">'
        r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"',
        page,
    ).group(1)
    approved = tablet.post(
        reverse("comment_approve", args=[pending.pk]), {"csrfmiddlewaretoken": token}
    )

    assert approved.status_code == 302
    pending.refresh_from_db()
    assert pending.status == "published"


def _versions(world) -> tuple[int, int]:
    setting = Setting.objects.get(pk=world.members["manager"].setting_id)
    return setting.journal_version, setting.people_version


def _touch(model, **lookup):
    """A write made outside the services: the triggers must see it all the same."""
    row = model.objects.filter(**lookup).order_by("pk").first()
    field = next(f for f in model._meta.concrete_fields if not f.primary_key)
    model.objects.filter(pk=row.pk).update(**{field.attname: getattr(row, field.attname)})


def test_r7_r16_each_table_raises_the_versions_that_depend_on_it(world):
    """Entries, replies and next steps raise the journal version only, so who a
    session is stays kept; people, children, rooms and agreements raise both.
    Every table the triggers watch is tried here."""
    from footsteps.children.models import Child, ParentLink, Room
    from footsteps.core import stamps
    from footsteps.journal.models import Comment, NextStep, ObservationChild
    from footsteps.people.models import Membership, User
    from footsteps.tenancy.models import Agreement, AgreementAcceptance

    setting_id = world.members["manager"].setting_id
    journal.next_step_add(
        actor=world.actor("practitioner"), child=world.children["amy"], text="Try scissors"
    )
    children_services.room_create(actor=world.actor("manager"), name="Caterpillars")
    journal_only = {
        Observation: {"setting_id": setting_id},
        ObservationChild: {"observation__setting_id": setting_id},
        Comment: {"observation__setting_id": setting_id},
        NextStep: {"child__setting_id": setting_id},
    }
    both = {
        Child: {"setting_id": setting_id},
        ParentLink: {"child__setting_id": setting_id},
        Room: {"setting_id": setting_id},
        Membership: {"setting_id": setting_id},
        Agreement: {"setting_id": setting_id},
        AgreementAcceptance: {"membership__setting_id": setting_id},
    }
    tried = {model._meta.db_table for model in (*journal_only, *both)}
    assert tried == set(stamps.TABLES)
    for models, people_too in ((journal_only, False), (both, True)):
        for model, lookup in models.items():
            journal_before, people_before = _versions(world)
            _touch(model, **lookup)
            journal_after, people_after = _versions(world)
            assert journal_after > journal_before, model
            assert (people_after > people_before) is people_too, model

    for change in (
        lambda: User.objects.filter(pk=world.members["parent_amy"].user_id).update(full_name="X"),
        lambda: Setting.objects.filter(pk=setting_id).update(late_entry_days=3),
    ):
        journal_before, people_before = _versions(world)
        change()
        assert _versions(world) > (journal_before, people_before)
        assert _versions(world)[1] > people_before
