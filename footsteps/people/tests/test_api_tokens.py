"""Personal API keys: one person in one setting, under the same rules as the
pages (R1, R5, R6, R7); kept only as a hash; revocable. And the API describes
itself in an OpenAPI schema."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from footsteps.conftest import PASSWORD
from footsteps.people import services as people
from footsteps.people.models import ApiToken, hash_token


def _create_key_on_the_page(client, name="Tablet in the baby room"):
    page = client.post(reverse("api_tokens"), {"name": name, "days": "90", "password": PASSWORD})
    assert page.status_code == 200
    return re.search(r"fs_[A-Za-z0-9_-]+", page.content.decode()).group(0)


def _bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _get(path, secret):
    return Client().get(path, **_bearer(secret))


@pytest.fixture
def key_for(world):
    def make(name):
        _token, secret = people.api_token_create(
            actor=world.actor(name), name="phone", password=PASSWORD
        )
        return secret

    return make


def test_r1_an_api_key_is_shown_once_and_stored_only_as_a_hash(world, stored_in_database):
    client = world.client("practitioner")

    secret = _create_key_on_the_page(client)

    token = ApiToken.objects.get(membership=world.members["practitioner"])
    assert token.token_hash == hash_token(secret)
    assert token.prefix == secret[:8]
    assert stored_in_database(secret) == []
    later = client.get(reverse("api_tokens"))
    assert secret not in later.content.decode()
    assert token.prefix in later.content.decode()


def test_bearer_keys_act_as_their_person_for_me_and_children(world):
    manager_key = _create_key_on_the_page(world.client("manager"))
    parent_key = _create_key_on_the_page(world.client("parent_amy"))

    me = _get("/api/v1/me", parent_key).json()
    assert me["email"] == "parent_amy@family.test"
    assert me["membership_id"] == world.members["parent_amy"].pk
    assert me["role"] == "parent"
    assert me["setting"]["name"] == "Little Acorns"
    assert me["child_ids"] == [world.children["amy"].pk]
    parent_children = _get("/api/v1/children", parent_key).json()
    assert [c["first_name"] for c in parent_children["items"]] == ["Amy"]
    manager_children = _get("/api/v1/children", manager_key).json()
    assert [c["first_name"] for c in manager_children["items"]] == ["Amy", "Ben", "Cara"]
    assert _get("/api/v1/staff", manager_key).status_code == 200
    assert _get("/api/v1/staff", parent_key).status_code == 403


def test_requests_without_a_valid_key_get_401(world, key_for):
    secret = key_for("manager")
    tampered = secret[:-1] + ("x" if secret[-1] != "x" else "y")

    for headers in (
        {},
        {"HTTP_AUTHORIZATION": f"Bearer {tampered}"},
        {"HTTP_AUTHORIZATION": "Bearer "},
        {"HTTP_AUTHORIZATION": f"Token {secret}"},
        {"HTTP_AUTHORIZATION": f"Bearer {hash_token(secret)}"},  # the stored hash is no key
    ):
        response = Client().get("/api/v1/children", **headers)
        assert response.status_code == 401
        assert "Zed" not in response.content.decode()


def test_a_revoked_key_gets_401(world):
    client = world.client("practitioner")
    secret = _create_key_on_the_page(client)
    token = ApiToken.objects.get(token_hash=hash_token(secret))
    assert _get("/api/v1/me", secret).status_code == 200

    revoked = client.post(reverse("api_token_revoke", args=[token.pk]))

    assert revoked.url == reverse("api_tokens")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _get("/api/v1/me", secret).status_code == 401
    assert list(client.get(reverse("api_tokens")).context["tokens"]) == []


def test_only_the_owner_revokes_a_key(world, key_for):
    secret = key_for("manager")
    token = ApiToken.objects.get(token_hash=hash_token(secret))

    for name in ("senior", "parent_amy", "other_manager"):
        response = world.client(name).post(reverse("api_token_revoke", args=[token.pk]))
        assert response.status_code == 404

    assert _get("/api/v1/me", secret).status_code == 200


def test_r7_the_key_of_a_suspended_membership_gets_401(world, key_for):
    secret = key_for("practitioner")
    assert _get("/api/v1/children", secret).status_code == 200

    suspended = world.client("manager").post(
        f"/api/v1/people/{world.members['practitioner'].pk}/suspend"
    )

    assert suspended.json()["status"] == "suspended"
    assert _get("/api/v1/children", secret).status_code == 401
    assert _get("/api/v1/me", secret).status_code == 401


def test_r7_a_deactivated_user_key_gets_401(world, key_for):
    secret = key_for("practitioner")
    user = world.members["practitioner"].user
    user.is_active = False
    user.save()

    assert _get("/api/v1/me", secret).status_code == 401


def test_r6_a_parents_key_stops_when_their_only_child_leaves(world, key_for):
    secret = key_for("parent_ben")
    world.client("manager").post(
        reverse("child_status", args=[world.children["ben"].pk]), {"status": "left"}
    )

    assert _get("/api/v1/me", secret).status_code == 401


def test_r3_a_key_serves_nothing_until_the_agreement_is_accepted(world, key_for):
    secret = key_for("parent_unaccepted")

    response = _get("/api/v1/children", secret)

    assert response.status_code == 403
    assert "Cara" not in response.content.decode()


def test_r12_a_key_acts_in_its_own_setting_only(world, key_for):
    oak_key = key_for("other_manager")

    assert [c["first_name"] for c in _get("/api/v1/children", oak_key).json()["items"]] == ["Zed"]
    assert _get(f"/api/v1/children/{world.children['amy'].pk}", oak_key).status_code == 404


def test_key_use_is_recorded_also_after_days_unused(world, key_for):
    secret = key_for("practitioner")
    token = ApiToken.objects.get(token_hash=hash_token(secret))
    assert token.last_used_at is None

    _get("/api/v1/me", secret)
    token.refresh_from_db()
    assert token.last_used_at > timezone.now() - timedelta(minutes=1)

    two_days_ago = timezone.now() - timedelta(days=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=two_days_ago)
    _get("/api/v1/me", secret)
    token.refresh_from_db()
    assert token.last_used_at > timezone.now() - timedelta(minutes=1)


def test_the_openapi_schema_is_served_and_lists_the_routes(db):
    response = Client().get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Footsteps API"
    paths = schema["paths"]
    for route in (
        "/api/v1/me",
        "/api/v1/children",
        "/api/v1/children/{child_id}",
        "/api/v1/staff",
        "/api/v1/parents",
        "/api/v1/people/{membership_id}",
        "/api/v1/people/{membership_id}/suspend",
        "/api/v1/links/{link_id}",
        "/api/v1/observations",
        "/api/v1/observations/{observation_id}",
    ):
        assert route in paths, route
    assert {"get", "post"} <= set(paths["/api/v1/children"])
    schemes = schema["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"} in schemes.values()
