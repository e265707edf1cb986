"""Every API write, as real clients send it (issue 12): with a personal key and
no cookie (apps, integrations: no CSRF token, and none needed), with a browser's
session and no CSRF token (refused, nothing changed), and with the session and
its token (accepted). Django's test client skips CSRF checks unless told, which
once hid an API whose keys could not write at all."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from footsteps.access.membership import SESSION_KEY
from footsteps.access.tests.test_url_matrix import MATRIX, ROLES, _resolve, database_snapshot
from footsteps.conftest import PASSWORD
from footsteps.people import services as people

WRITES = sorted(
    name
    for name, (method, *_rest) in MATRIX.items()
    if name.startswith("api:") and method in ("post", "put", "patch", "delete")
)


def _someone_allowed(expected: dict) -> str:
    return next(role for role in ROLES if expected[role] == "ok" and ROLES[role])


def _send(client, method, url, body, **headers):
    return getattr(client, method)(url, data=body or {}, content_type="application/json", **headers)


def _request_parts(matrix_world, name):
    method, args, body, expected = MATRIX[name]
    url = reverse(name, kwargs={k: _resolve(v, matrix_world) for k, v in args.items()})
    body = {k: _resolve(v, matrix_world) for k, v in (body or {}).items()}
    return method, url, body, ROLES[_someone_allowed(expected)]


def test_every_write_route_is_covered_here():
    from footsteps.api.api import api

    operations = api.get_openapi_schema()["paths"].values()
    writes = [method for ops in operations for method in ops if method != "get"]
    assert len(WRITES) == len(writes)


@pytest.mark.parametrize("name", WRITES)
def test_a_key_writes_with_no_cookie_and_no_csrf_token(matrix_world, name):
    method, url, body, member = _request_parts(matrix_world, name)
    world = matrix_world["world"]
    _token, secret = people.api_token_create(
        actor=world.actor(member), name="app", password=PASSWORD
    )
    app = Client(enforce_csrf_checks=True)

    response = _send(app, method, url, body, HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert 200 <= response.status_code < 300, response.content
    assert not app.cookies.get("sessionid")


@pytest.mark.parametrize("name", WRITES)
def test_a_session_write_without_the_csrf_token_is_refused_and_changes_nothing(matrix_world, name):
    method, url, body, member = _request_parts(matrix_world, name)
    membership = matrix_world["world"].members[member]
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(membership.user)
    session = browser.session
    session[SESSION_KEY] = membership.pk
    session.save()
    before = database_snapshot()

    with transaction.atomic():
        response = _send(browser, method, url, body)

    assert response.status_code == 403
    assert response.json()["detail"].startswith("CSRF check failed")
    assert database_snapshot() == before


@pytest.mark.parametrize("name", WRITES)
def test_a_session_write_with_the_csrf_token_is_accepted(matrix_world, name):
    method, url, body, member = _request_parts(matrix_world, name)

    response = _send(matrix_world["world"].client(member), method, url, body)

    assert 200 <= response.status_code < 300, response.content


def test_a_request_with_a_key_is_decided_by_the_key_alone(matrix_world):
    """A wrong key next to a valid session cookie is still a 401: the cookie is
    not a fallback a forged cross-site request could ride on."""
    browser = matrix_world["world"].client("manager")

    wrong_key = browser.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer fs_not-a-key")
    session_only = browser.get("/api/v1/me")

    assert wrong_key.status_code == 401
    assert session_only.status_code == 200
