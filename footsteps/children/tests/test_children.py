"""Children and who may see them: a parent sees only their own child (R5), loses
access when their last child leaves (R6), and only managers keep the records
(R12, R13)."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from footsteps.children.models import Child
from footsteps.conftest import PASSWORD, page_text
from footsteps.journal import services as journal
from footsteps.people import services as people


def _publish_about(world, child_name, title):
    return journal.observation_create(
        actor=world.actor("practitioner"),
        children=[world.children[child_name]],
        title=title,
        notes="Only about one child.",
        observed_at=timezone.now() - timedelta(hours=2),
        publish=True,
    )


@pytest.fixture
def bearer(world):
    """An API key for a person, as a ready-made Authorization header."""

    def make(name):
        _token, secret = people.api_token_create(
            actor=world.actor(name), name="phone", password=PASSWORD
        )
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return make


def _ids(response):
    return sorted(item["id"] for item in response.json()["items"])


def test_r5_a_parents_pages_name_only_their_own_child(world):
    _publish_about(world, "ben", "Ben paints a rainbow")
    client = world.client("parent_amy")
    shared = world.observations["shared"]

    feed = page_text(client.get(reverse("feed")))
    detail = page_text(client.get(reverse("observation_detail", args=[shared.pk])))

    assert "Tower of blocks" in feed
    assert "Amy loved this!" in detail
    for page in (feed, detail):
        assert "Amy" in page
        for other in ("Ben", "Cara", "Zed", "rainbow", "parent_ben", "Ben told us"):
            assert other not in page
    assert "1 other child" in detail  # told that others are in it, never who


def test_r5_a_parent_cannot_open_another_childs_journal_or_entries(world):
    ben_only = _publish_about(world, "ben", "Ben paints a rainbow")
    amy_parent = world.client("parent_amy")

    assert amy_parent.get(reverse("feed"), {"child": world.children["ben"].pk}).status_code == 404
    assert amy_parent.get(reverse("feed"), {"child": world.children["zed"].pk}).status_code == 404
    for observation in (ben_only, world.observations["staff_only"], world.observations["zed"]):
        detail = reverse("observation_detail", args=[observation.pk])
        assert amy_parent.get(detail).status_code == 404
    # A parent never opens the staff view of a journal, not even their own child's.
    assert (
        amy_parent.get(reverse("child_detail", args=[world.children["amy"].pk])).status_code == 403
    )
    ben_parent = world.client("parent_ben")
    assert ben_parent.get(reverse("observation_detail", args=[ben_only.pk])).status_code == 200


def test_r5_the_api_gives_a_parent_only_their_own_child(world, bearer):
    ben_only = _publish_about(world, "ben", "Ben paints a rainbow")
    headers = bearer("parent_amy")
    client = Client()
    amy, ben, zed = (world.children[name].pk for name in ("amy", "ben", "zed"))

    assert _ids(client.get("/api/v1/children", **headers)) == [amy]
    assert client.get(f"/api/v1/children/{amy}", **headers).status_code == 200
    assert client.get(f"/api/v1/children/{ben}", **headers).status_code == 404
    assert client.get(f"/api/v1/children/{zed}", **headers).status_code == 404
    assert client.get(f"/api/v1/observations/{ben_only.pk}", **headers).status_code == 404
    feed = client.get("/api/v1/observations", **headers).json()["items"]
    assert ben_only.pk not in [item["id"] for item in feed]
    shared = client.get(f"/api/v1/observations/{world.observations['shared'].pk}", **headers)
    body = shared.json()
    assert body["children"] == [{"id": amy, "first_name": "Amy"}]
    assert body["other_children"] == 1
    assert [c["body"] for c in body["comments"]] == ["Amy loved this!"]
    assert "Ben" not in shared.content.decode()


def test_r6_parent_loses_access_when_only_child_leaves(world, bearer):
    parent = world.client("parent_amy")
    headers = bearer("parent_amy")
    assert parent.get(reverse("feed")).status_code == 200

    left = world.client("manager").post(
        reverse("child_status", args=[world.children["amy"].pk]), {"status": "left"}
    )

    assert left.url == reverse("child_detail", args=[world.children["amy"].pk])
    amy = Child.objects.get(pk=world.children["amy"].pk)
    assert (amy.status, amy.left_on) == ("left", timezone.localdate())
    ended = parent.get(reverse("feed"))
    assert ended.url == reverse("account_login")
    assert "_auth_user_id" not in parent.session
    assert parent.get(reverse("feed")).url.startswith(reverse("account_login"))
    assert parent.get("/api/v1/me").status_code == 401
    assert Client().get("/api/v1/children", **headers).status_code == 401
    # Signing in again works, but there is nothing to open.
    again = Client()
    again.post(reverse("account_login"), {"login": "parent_amy@family.test", "password": PASSWORD})
    assert again.get(reverse("feed")).url == reverse("no_access")
    assert again.get(reverse("no_access")).status_code == 403


def test_r6_a_parent_with_another_attending_child_keeps_access_without_the_left_child(world):
    amy_only = _publish_about(world, "amy", "Amy's sand castle")
    manager = world.client("manager")
    manager.post(
        reverse("person_link", args=[world.members["parent_amy"].pk]),
        {"child": world.children["ben"].pk, "relationship": "carer"},
    )
    parent = world.client("parent_amy")
    assert b"sand castle" in parent.get(reverse("feed")).content

    manager.post(reverse("child_status", args=[world.children["amy"].pk]), {"status": "left"})

    feed = parent.get(reverse("feed"))
    assert feed.status_code == 200
    assert b"sand castle" not in feed.content
    assert b"Tower of blocks" in feed.content  # about Ben too
    assert parent.get(reverse("feed"), {"child": world.children["amy"].pk}).status_code == 404
    assert parent.get(reverse("observation_detail", args=[amy_only.pk])).status_code == 404
    children = parent.get("/api/v1/children").json()["items"]
    assert [c["first_name"] for c in children] == ["Ben"]
    assert parent.get(f"/api/v1/children/{world.children['amy'].pk}").status_code == 404
    assert parent.get("/api/v1/me").json()["child_ids"] == [world.children["ben"].pk]


def test_r6_a_deleted_child_ends_their_parents_access(world, bearer):
    """Deleting moves a child to the deleted area (R34); for access it is a leaver."""
    parent = world.client("parent_ben")
    headers = bearer("parent_ben")
    Child.objects.filter(pk=world.children["ben"].pk).update(deleted_at=timezone.now())

    assert parent.get(reverse("feed")).url == reverse("account_login")
    assert Client().get("/api/v1/me", **headers).status_code == 401
    staff_list = world.client("manager").get(reverse("child_list")).content
    assert b"Ben Acorn" not in staff_list


def test_r6_a_child_who_returns_restores_the_parents_access(world):
    manager = world.client("manager")
    amy = world.children["amy"]
    manager.post(reverse("child_status", args=[amy.pk]), {"status": "left"})
    assert world.client("parent_amy").get(reverse("feed")).url == reverse("account_login")

    manager.post(reverse("child_status", args=[amy.pk]), {"status": "active"})

    assert world.client("parent_amy").get(reverse("feed")).status_code == 200
    assert Child.objects.get(pk=amy.pk).left_on is None


def test_r12_r13_a_manager_adds_a_child_and_their_journal_starts(world):
    key_person = world.members["senior"]
    response = world.client("manager").post(
        reverse("child_create"),
        {
            "first_name": " Dev ",
            "last_name": "Acorn",
            "date_of_birth": "2023-02-14",
            "key_person": key_person.pk,
        },
    )

    child = Child.objects.get(first_name="Dev")
    assert response.url == reverse("child_detail", args=[child.pk])
    assert (child.setting_id, child.key_person_id) == (key_person.setting_id, key_person.pk)
    assert child.date_of_birth == date(2023, 2, 14)
    assert child.joined_on == timezone.localdate()
    assert child.status == "active"
    assert child.image_consent == Child.ImageConsent.NOT_ASKED
    journal_page = world.client("practitioner").get(reverse("child_detail", args=[child.pk]))
    assert journal_page.status_code == 200
    assert b"Dev Acorn" in world.client("practitioner").get(reverse("child_list")).content


def test_r12_only_managers_add_edit_or_mark_children_as_left(world):
    amy = world.children["amy"]
    form = {"first_name": "Eve", "last_name": "Acorn", "date_of_birth": "2023-01-01"}
    for name in ("senior", "practitioner", "parent_amy"):
        client = world.client(name)
        assert client.post(reverse("child_create"), form).status_code == 403
        left = client.post(reverse("child_status", args=[amy.pk]), {"status": "left"})
        assert left.status_code == 403
        assert (
            client.patch(
                f"/api/v1/children/{amy.pk}", {"status": "left"}, content_type="application/json"
            ).status_code
            == 403  # each of them sees Amy; none may change her record
        )
    assert not Child.objects.filter(first_name="Eve").exists()
    assert Child.objects.get(pk=amy.pk).status == "active"


def test_r12_bad_input_for_a_child_gives_errors_not_changes(world):
    manager = world.client("manager")
    amy = world.children["amy"]
    other_settings_staff = world.members["other_manager"]

    blank = manager.post(reverse("child_create"), {"first_name": "", "last_name": ""})
    foreign_key_person = manager.post(
        reverse("child_create"),
        {
            "first_name": "Fay",
            "last_name": "Acorn",
            "date_of_birth": "2023-01-01",
            "key_person": other_settings_staff.pk,
        },
    )
    api_foreign = manager.patch(
        f"/api/v1/children/{amy.pk}",
        {"key_person_id": other_settings_staff.pk},
        content_type="application/json",
    )
    api_bad_status = manager.patch(
        f"/api/v1/children/{amy.pk}", {"status": "expelled"}, content_type="application/json"
    )
    page_bad_status = manager.post(reverse("child_status", args=[amy.pk]), {"status": "expelled"})

    assert {"first_name", "last_name", "date_of_birth"} <= set(blank.context["form"].errors)
    assert "key_person" in foreign_key_person.context["form"].errors
    assert api_foreign.status_code == 404
    assert api_bad_status.status_code == 422
    assert page_bad_status.status_code == 302
    assert not Child.objects.filter(first_name="Fay").exists()
    amy.refresh_from_db()
    assert (amy.key_person_id, amy.status) == (world.members["senior"].pk, "active")


def test_r5_staff_lists_show_their_own_settings_children_only(world):
    manager = world.client("manager")
    manager.post(reverse("child_status", args=[world.children["cara"].pk]), {"status": "left"})

    def names(client, **query):
        return [
            child.full_name for child in client.get(reverse("child_list"), query).context["page"]
        ]

    other = world.client("other_manager")
    assert names(manager) == ["Amy Acorn", "Ben Acorn"]
    assert names(manager, status="left") == ["Cara Acorn"]
    assert names(manager, q="ben") == ["Ben Acorn"]
    assert names(other) == ["Zed Oak"]
    assert names(other, status="all", q="Acorn") == []
    assert [c["first_name"] for c in other.get("/api/v1/children").json()["items"]] == ["Zed"]
