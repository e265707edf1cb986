"""Managing people (R12): the setting's managers alone decide who has access and
in what role; staff and parents cannot, and bad input changes nothing."""

import pytest
from django.urls import reverse

from footsteps.children.models import ParentLink
from footsteps.people.models import Membership, Role


def _role(world, name):
    return Membership.objects.get(pk=world.members[name].pk).role


def _patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


def test_r12_a_manager_changes_a_staff_members_role_and_review(world):
    manager = world.client("manager")
    practitioner = world.members["practitioner"]

    page = manager.post(reverse("person_role", args=[practitioner.pk]), {"role": "senior"})
    review = manager.post(reverse("person_review", args=[practitioner.pk]), {"needs_review": "on"})

    assert page.url == review.url == reverse("person_detail", args=[practitioner.pk])
    practitioner.refresh_from_db()
    assert (practitioner.role, practitioner.needs_review) == (Role.SENIOR, True)
    event = practitioner.setting.audit_events.filter(action="staff.role_changed").get()
    assert event.data == {"before": "practitioner", "after": "senior"}
    assert event.actor == world.members["manager"].user
    # The new role applies at once: a senior may open the review queue.
    assert world.client("practitioner").get(reverse("review_queue")).status_code == 200

    api = _patch(manager, f"/api/v1/people/{practitioner.pk}", {"role": "practitioner"})
    assert api.status_code == 200
    assert api.json()["role"] == "practitioner"
    assert world.client("practitioner").get(reverse("review_queue")).status_code == 403


@pytest.mark.parametrize("name", ["senior", "practitioner", "parent_amy"])
def test_r12_only_managers_change_roles_or_suspend(world, name):
    client = world.client(name)
    target = world.members["practitioner"].pk

    page = client.post(reverse("person_role", args=[target]), {"role": "manager"})
    suspend = client.post(reverse("person_suspend", args=[target]))
    api = _patch(client, f"/api/v1/people/{target}", {"role": "manager"})
    api_suspend = client.post(f"/api/v1/people/{target}/suspend")

    assert (page.status_code, suspend.status_code) == (403, 403)
    assert (api.status_code, api_suspend.status_code) == (404, 404)
    assert _role(world, "practitioner") == Role.PRACTITIONER
    assert Membership.objects.get(pk=target).status == Membership.Status.ACTIVE


def test_r12_roles_must_be_staff_roles_and_parents_stay_parents(world):
    manager = world.client("manager")
    practitioner, parent = world.members["practitioner"].pk, world.members["parent_amy"].pk

    for role in ("parent", "overlord", ""):
        response = manager.post(reverse("person_role", args=[practitioner]), {"role": role})
        assert response.url == reverse("person_detail", args=[practitioner])
    promote_parent = manager.post(
        reverse("person_role", args=[parent]), {"role": "senior"}, follow=True
    )
    api_bad_role = _patch(manager, f"/api/v1/people/{practitioner}", {"role": "parent"})
    api_parent = _patch(manager, f"/api/v1/people/{parent}", {"role": "manager"})
    api_review_parent = _patch(manager, f"/api/v1/people/{parent}", {"needs_review": True})

    assert b"Only staff have a staff role." in promote_parent.content
    # Not a role at all: the schema refuses it (422); a parent given a staff role
    # or a review: a conflict with who they are (409).
    assert api_bad_role.status_code == 422
    assert "role" in api_bad_role.json()["errors"]
    assert api_parent.status_code == api_review_parent.status_code == 409
    assert api_parent.json()["detail"] == "Only staff have a staff role."
    assert _role(world, "practitioner") == Role.PRACTITIONER
    assert _role(world, "parent_amy") == Role.PARENT


def test_r12_a_manager_links_a_parent_to_a_second_child_and_unlinks_them(world):
    manager = world.client("manager")
    parent = world.members["parent_amy"]
    ben = world.children["ben"]

    linked = manager.post(
        reverse("person_link", args=[parent.pk]), {"child": ben.pk, "relationship": "carer"}
    )

    assert linked.url == reverse("person_detail", args=[parent.pk])
    link = ParentLink.objects.get(parent=parent, child=ben)
    assert link.relationship == "carer"
    detail = manager.get(reverse("person_detail", args=[parent.pk]))
    assert [str(x.child) for x in detail.context["links"]] == ["Amy Acorn", "Ben Acorn"]
    assert world.client("parent_amy").get("/api/v1/me").json()["child_ids"] == sorted(
        [world.children["amy"].pk, ben.pk]
    )
    # Linking again only updates the relationship; there is still one link.
    manager.post(
        reverse("person_link", args=[parent.pk]), {"child": ben.pk, "relationship": "grandparent"}
    )
    assert ParentLink.objects.get(parent=parent, child=ben).relationship == "grandparent"

    manager.post(reverse("link_remove", args=[link.pk]))

    assert not ParentLink.objects.filter(parent=parent, child=ben).exists()
    assert world.client("parent_amy").get("/api/v1/me").json()["child_ids"] == [
        world.children["amy"].pk
    ]


def test_r12_the_api_links_and_unlinks_too(world):
    manager = world.client("manager")
    parent, ben = world.members["parent_amy"], world.children["ben"]

    created = manager.post(
        f"/api/v1/people/{parent.pk}/links",
        {"child_id": ben.pk, "relationship": "father"},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json()["child_id"] == ben.pk

    removed = manager.delete(f"/api/v1/links/{created.json()['id']}")
    assert removed.status_code == 204
    assert not ParentLink.objects.filter(parent=parent, child=ben).exists()


def test_r12_bad_links_change_nothing(world):
    manager = world.client("manager")
    parent, staff = world.members["parent_amy"].pk, world.members["practitioner"].pk
    ben, zed = world.children["ben"].pk, world.children["zed"].pk
    links_before = ParentLink.objects.count()

    def link_page(membership_id, child, relationship):
        response = manager.post(
            reverse("person_link", args=[membership_id]),
            {"child": child, "relationship": relationship},
            follow=True,
        )
        assert response.redirect_chain == [(reverse("person_detail", args=[membership_id]), 302)]
        return [str(message) for message in response.context["messages"]]

    assert link_page(parent, zed, "carer") == ["Choose a child and a relationship."]
    assert link_page(parent, ben, "boss") == ["Choose a child and a relationship."]
    assert link_page(parent, "", "") == ["Choose a child and a relationship."]
    assert link_page(staff, ben, "carer") == ["Only parents and carers are linked to children."]
    api_staff = manager.post(
        f"/api/v1/people/{staff}/links", {"child_id": ben}, content_type="application/json"
    )
    api_bad_relationship = manager.post(
        f"/api/v1/people/{parent}/links",
        {"child_id": ben, "relationship": "boss"},
        content_type="application/json",
    )
    api_foreign_child = manager.post(
        f"/api/v1/people/{parent}/links", {"child_id": zed}, content_type="application/json"
    )

    assert api_staff.status_code == 409
    assert api_bad_relationship.status_code == 422
    assert api_foreign_child.status_code == 404
    assert ParentLink.objects.count() == links_before


def test_r12_managers_list_their_own_staff_and_parents(world):
    manager = world.client("manager")

    staff = [m.user.email for m in manager.get(reverse("staff_list")).context["page"]]
    parents = [m.user.email for m in manager.get(reverse("parent_list")).context["page"]]
    api_staff = [p["email"] for p in manager.get("/api/v1/staff").json()["items"]]
    api_parents = manager.get("/api/v1/parents").json()["items"]

    assert (
        sorted(staff)
        == sorted(api_staff)
        == [
            "manager@acorns.test",
            "practitioner@acorns.test",
            "senior@acorns.test",
            "suspended@acorns.test",
        ]
    )
    assert sorted(parents) == [
        "parent_amy@family.test",
        "parent_ben@family.test",
        "parent_unaccepted@family.test",
    ]
    amy_parent = next(p for p in api_parents if p["email"] == "parent_amy@family.test")
    assert [link["child_id"] for link in amy_parent["links"]] == [world.children["amy"].pk]
    for name in ("senior", "practitioner", "parent_amy"):
        assert world.client(name).get(reverse("staff_list")).status_code == 403
        assert world.client(name).get("/api/v1/parents").status_code == 403
