"""The API as a real client sees it (issue 12): a separate server process
(gunicorn, as in production), the demo setting, personal keys made on the
website, and a client written against the published schema that lists,
creates an observation, replies and approves, with keys only."""

import pytest
from django.conf import settings

from footsteps.api.tests.client import FootstepsClient
from footsteps.api.tests.server import demo_server, make_key


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    database = settings.DATABASES["default"]
    postgres = database if database["ENGINE"] == "django.db.backends.postgresql" else None
    with demo_server(tmp_path_factory.mktemp("server"), postgres=postgres) as base:
        yield base


def test_r14_r18_r19_a_client_written_against_the_schema_works_with_keys_alone(server):
    practitioner = FootstepsClient(server, make_key(server, "practitioner@demo.test"))
    parent = FootstepsClient(server, make_key(server, "parent.amy@demo.test"))
    senior = FootstepsClient(server, make_key(server, "senior@demo.test"))

    me = parent.call("get", "/api/v1/me").json()
    assert me["role"] == "parent"
    children = practitioner.call("get", "/api/v1/children", limit=100).json()["items"]
    amy = next(child for child in children if child["first_name"] == "Amy")
    assert amy["id"] in me["child_ids"]

    created = practitioner.call(
        "post",
        "/api/v1/observations",
        {
            "title": "Sorting leaves by size",
            "child_ids": [amy["id"]],
            "observed_at": "2026-01-05T10:00:00Z",
            "notes": "Amy lined up the leaves from smallest to biggest.",
            "publish": True,
        },
    )
    assert created.status_code == 201, created.text
    observation = created.json()
    assert observation["status"] == "published"

    feed = parent.call("get", "/api/v1/observations").json()["items"]
    assert observation["id"] in [item["id"] for item in feed]
    reply = parent.call(
        "post",
        "/api/v1/observations/{observation_id}/comments",
        {"child_id": amy["id"], "body": "She does this with her socks too!"},
        observation_id=observation["id"],
    )
    assert reply.status_code == 201, reply.text

    from_home = parent.call(
        "post",
        "/api/v1/contributions",
        {
            "title": "Leaf rubbing at home",
            "child_ids": [amy["id"]],
            "observed_at": "2026-01-06T16:00:00Z",
            "notes": "We made leaf rubbings with crayons.",
        },
    )
    assert from_home.status_code == 201, from_home.text
    approved = senior.call(
        "post",
        "/api/v1/observations/{observation_id}/approve-contribution",
        {},
        observation_id=from_home.json()["id"],
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "published"

    # A key never needed a cookie or a CSRF token; a wrong key is a 401 in the
    # documented error shape.
    assert not practitioner.http.cookies
    stranger = FootstepsClient(server, "fs_not-a-real-key")
    refused = stranger.call("get", "/api/v1/me")
    assert refused.status_code == 401
    assert set(refused.json()) == {"detail", "errors"}
