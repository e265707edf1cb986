"""Settings are sealed from each other (R5, R12, R32): another setting's manager
asking for our people or children by id gets 404 and changes nothing; unknown ids
get the same answer; and a person in two settings works in one at a time."""

import pytest
from django.test import Client
from django.urls import reverse

from footsteps.audit.models import AuditEvent
from footsteps.children.models import Child, ParentLink
from footsteps.conftest import PASSWORD, parent_joins
from footsteps.people.models import Invitation, Membership

UNKNOWN = 987654

# (method, url name, argument from the world, form data). "@name" is a world member,
# "#name" a child, "%name" an observation, "amy_link" Amy's parent link.
PAGES = [
    ("get", "person_detail", "@practitioner", None),
    ("post", "person_role", "@practitioner", {"role": "manager"}),
    ("post", "person_review", "@practitioner", {"needs_review": "on"}),
    ("post", "person_suspend", "@practitioner", {}),
    ("post", "person_reactivate", "@suspended", {}),
    ("post", "person_resend", "@parent_unaccepted", {}),
    ("post", "person_link", "@parent_amy", {"child": "#zed", "relationship": "carer"}),
    ("post", "link_remove", "amy_link", {}),
    ("get", "child_detail", "#amy", None),
    ("get", "child_edit", "#amy", None),
    ("post", "child_edit", "#amy", {"first_name": "Changed", "last_name": "X"}),
    ("post", "child_status", "#amy", {"status": "left"}),
    ("post", "child_consent", "#amy", {"image_consent": "refused"}),
    ("post", "next_step_add", "#amy", {"text": "Count to 20"}),
    ("get", "observation_detail", "%shared", None),
    ("get", "observation_edit", "%shared", None),
    ("get", "observation_history", "%shared", None),
    ("post", "comment_add", "%shared", {"child": "#amy", "body": "Hello from Oak Tree"}),
    ("post", "contribution_review", "%contribution", {"decision": "approve"}),
]
API = [
    ("get", "/api/v1/children/{}", "#amy", None),
    ("patch", "/api/v1/children/{}", "#amy", {"status": "left"}),
    ("patch", "/api/v1/people/{}", "@practitioner", {"role": "manager"}),
    ("post", "/api/v1/people/{}/suspend", "@practitioner", None),
    ("post", "/api/v1/people/{}/reactivate", "@suspended", None),
    ("post", "/api/v1/people/{}/invitation", "@parent_unaccepted", None),
    ("post", "/api/v1/people/{}/links", "@parent_amy", {"child_id": "#zed"}),
    ("delete", "/api/v1/links/{}", "amy_link", None),
    ("get", "/api/v1/observations/{}", "%shared", None),
    ("post", "/api/v1/observations/{}/comments", "%shared", {"child_id": "#amy", "body": "Hi"}),
]


def _resolve(world, value):
    if not isinstance(value, str):
        return value
    if value == "amy_link":
        return ParentLink.objects.get(child=world.children["amy"]).pk
    kind, name = value[:1], value[1:]
    table = {"@": world.members, "#": world.children, "%": world.observations}.get(kind)
    return table[name].pk if table else value


def _data(world, data):
    return None if data is None else {key: _resolve(world, v) for key, v in data.items()}


def _state_of_acorns(world):
    """Everything the requests above could change in setting A."""
    setting = world.members["manager"].setting
    return {
        "memberships": sorted(
            Membership.objects.filter(setting=setting).values_list("pk", "role", "status")
        ),
        "links": sorted(ParentLink.objects.values_list("pk", "child_id", "relationship")),
        "children": sorted(
            Child.objects.filter(setting=setting).values_list(
                "pk", "first_name", "status", "image_consent"
            )
        ),
        "invitations": Invitation.objects.count(),
        "audit": AuditEvent.objects.filter(setting=setting).count(),
    }


def _call(client, method, path, data):
    if method in ("get", "delete") or data is None:
        return getattr(client, method)(path)
    if path.startswith("/api/"):
        return getattr(client, method)(path, data, content_type="application/json")
    return client.post(path, data)


@pytest.mark.parametrize(("method", "name", "target", "data"), PAGES, ids=[p[1] for p in PAGES])
def test_r12_another_settings_manager_gets_404_from_our_pages(world, method, name, target, data):
    before = _state_of_acorns(world)
    path = reverse(name, args=[_resolve(world, target)])

    response = _call(world.client("other_manager"), method, path, _data(world, data))

    assert response.status_code == 404
    assert _state_of_acorns(world) == before


@pytest.mark.parametrize(("method", "path", "target", "data"), API, ids=[a[1] for a in API])
def test_r12_another_settings_manager_gets_404_from_our_api(world, method, path, target, data):
    before = _state_of_acorns(world)
    url = path.format(_resolve(world, target))

    response = _call(world.client("other_manager"), method, url, _data(world, data))

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": {}}
    assert _state_of_acorns(world) == before


@pytest.mark.parametrize(("method", "name", "target", "data"), PAGES, ids=[p[1] for p in PAGES])
def test_r12_unknown_ids_get_404_on_pages(world, method, name, target, data):
    response = _call(world.client("manager"), method, reverse(name, args=[UNKNOWN]), data)

    assert response.status_code == 404


@pytest.mark.parametrize(("method", "path", "target", "data"), API, ids=[a[1] for a in API])
def test_r12_unknown_ids_get_404_from_the_api(world, method, path, target, data):
    response = _call(world.client("manager"), method, path.format(UNKNOWN), _data(world, data))

    assert response.status_code == 404


def test_r12_another_settings_objects_cannot_be_named_in_our_own_forms(world):
    """Oak Tree's manager, working in Oak Tree, names Little Acorns' children and
    staff in their own requests: refused, nothing linked or created."""
    oak = world.client("other_manager")
    amy, zed = world.children["amy"], world.children["zed"]
    acorns_staff = world.members["practitioner"].pk
    before = _state_of_acorns(world)
    memberships_before = Membership.objects.count()

    invite = oak.post(
        reverse("parent_invite"),
        {"full_name": "Spy", "email": "spy@example.test", "child": amy.pk, "relationship": "carer"},
    )
    api_invite = oak.post(
        "/api/v1/parents",
        {"full_name": "Spy", "email": "spy@example.test", "child_id": amy.pk},
        content_type="application/json",
    )
    link = oak.post(
        reverse("person_link", args=[world.members["parent_zed"].pk]),
        {"child": amy.pk, "relationship": "carer"},
    )
    api_key_person = oak.patch(
        f"/api/v1/children/{zed.pk}",
        {"key_person_id": acorns_staff},
        content_type="application/json",
    )
    api_new_child = oak.post(
        "/api/v1/children",
        {
            "first_name": "Yan",
            "last_name": "Oak",
            "date_of_birth": "2023-01-01",
            "key_person_id": acorns_staff,
        },
        content_type="application/json",
    )
    api_feed = oak.get("/api/v1/observations", {"child_id": amy.pk}).json()  # not theirs: 404

    assert "child" in invite.context["form"].errors
    assert api_invite.status_code == 404
    assert link.status_code == 302
    assert not ParentLink.objects.filter(child=amy, parent=world.members["parent_zed"]).exists()
    # Another setting's staff named as key person: not found here (404).
    assert api_key_person.status_code == api_new_child.status_code == 404
    assert api_feed == {"detail": "Not found.", "errors": {}}
    assert Membership.objects.count() == memberships_before
    assert not Child.objects.filter(first_name="Yan").exists()
    assert _state_of_acorns(world) == before


def _choose(client, membership):
    return client.post(reverse("choose_setting"), {"membership": membership.pk})


def test_r12_r5_someone_in_two_settings_chooses_one_and_sees_only_its_data(
    world, zed_parent_at_acorns
):
    client = Client()
    signed_in = client.post(
        reverse("account_login"), {"login": "parent_zed@family.test", "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    assert client.get(reverse("feed")).url == reverse("choose_setting")
    assert client.get("/api/v1/me").status_code == 401
    choices = client.get(reverse("choose_setting")).context["memberships"]
    assert [m.setting.name for m in choices] == ["Little Acorns", "Oak Tree"]

    _choose(client, zed_parent_at_acorns)
    acorns_feed = client.get(reverse("feed")).content
    assert b"Tower of blocks" in acorns_feed
    assert b"Zed" not in acorns_feed.replace(b"Zed Family", b"")
    assert client.get(reverse("feed"), {"child": world.children["zed"].pk}).status_code == 404
    zed_entry = reverse("observation_detail", args=[world.observations["zed"].pk])
    assert client.get(zed_entry).status_code == 404
    assert client.get("/api/v1/me").json()["setting"]["name"] == "Little Acorns"
    children = client.get("/api/v1/children").json()["items"]
    assert [c["first_name"] for c in children] == ["Ben"]

    _choose(client, world.members["parent_zed"])
    oak_feed = client.get(reverse("feed")).content
    assert b"Zed paints" in oak_feed
    assert b"Tower of blocks" not in oak_feed
    assert client.get(zed_entry).status_code == 200
    assert [c["first_name"] for c in client.get("/api/v1/children").json()["items"]] == ["Zed"]


def test_r12_one_cannot_choose_someone_elses_membership(world, zed_parent_at_acorns):
    client = world.client("parent_zed")

    refused = _choose(client, world.members["parent_amy"])

    assert refused.status_code == 404
    assert client.get("/api/v1/me").json()["setting"]["name"] == "Oak Tree"


def test_r12_a_role_belongs_to_one_setting_only(world):
    """The senior at Little Acorns is a parent at Oak Tree: staff there, a parent here."""
    oak_membership = parent_joins(
        world.actor("other_manager"),
        email="SENIOR@acorns.test",
        full_name="Senior Person",
        child=world.children["zed"],
        relationship="mother",
    )
    client = world.client("senior")
    assert client.get(reverse("child_list")).status_code == 200

    _choose(client, oak_membership)

    assert client.get(reverse("child_list")).status_code == 403
    assert client.get(reverse("review_queue")).status_code == 403
    assert client.get(reverse("feed")).status_code == 200
    assert client.get(f"/api/v1/children/{world.children['amy'].pk}").status_code == 404
    assert client.get("/api/v1/me").json()["role"] == "parent"
