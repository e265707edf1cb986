"""The API's contract with its clients (issue 12): bounded input, one error
shape documented on every route, a committed schema that changes only in
review, and the staff endpoints the pages have (R16, R25, R26)."""

import json
from pathlib import Path

import pytest
from django.urls import reverse

from footsteps.api.api import api
from footsteps.api.common import NON_BLANK
from footsteps.journal import services as journal
from footsteps.journal.tests.conftest import days_ago, entry_json

HUGE = 2**63  # one past the largest 64-bit integer
SCHEMA_FILE = Path(__file__).resolve().parents[1] / "openapi.json"


def served_schema() -> dict:
    return api.get_openapi_schema()


def test_the_committed_schema_is_the_one_served(db):
    """A change to the API shows in review as a change to footsteps/api/openapi.json."""
    committed = json.loads(SCHEMA_FILE.read_text())

    assert committed == json.loads(json.dumps(served_schema())), (
        "The API changed: run `make schema` and commit footsteps/api/openapi.json"
    )


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("manager", f"/api/v1/children?limit={HUGE}"),
        ("manager", f"/api/v1/children?offset={HUGE}"),
        ("manager", "/api/v1/children?limit=0"),
        ("manager", "/api/v1/children?offset=-1"),
        ("practitioner", f"/api/v1/observations?child_id={HUGE}"),
        ("parent_amy", f"/api/v1/observations?child_id={HUGE}"),
        ("practitioner", f"/api/v1/observations/{HUGE}"),
        ("manager", f"/api/v1/children/{HUGE}"),
        ("manager", "/api/v1/monitoring?start=0001-01-01"),
        ("manager", "/api/v1/monitoring?quiet_days=100000"),
    ],
)
def test_out_of_range_numbers_in_queries_and_paths_are_answered_not_crashed(world, who, path):
    response = world.client(who).get(path)

    assert response.status_code in (404, 422)
    assert response.json()["detail"]


@pytest.mark.parametrize(
    ("who", "route", "body"),
    [
        ("practitioner", "api_observation_create", {"child_ids": [HUGE]}),
        ("practitioner", "api_observation_create", {"child_ids": []}),
        ("parent_amy", "api_contribution_create", {"child_ids": [HUGE], "notes": "At home"}),
        ("parent_amy", "api_contribution_create", {"child_ids": [], "notes": "At home"}),
    ],
)
def test_out_of_range_ids_and_empty_lists_in_bodies_are_422_with_the_field(world, who, route, body):
    payload = {**entry_json("Jumping", world.children["amy"]), **body}

    response = world.client(who).post(
        reverse(f"api:{route}"), payload, content_type="application/json"
    )

    assert response.status_code == 422
    assert any(field.startswith("child_ids") for field in response.json()["errors"])


def test_every_operation_documents_its_errors_in_one_shape():
    schema = json.loads(json.dumps(served_schema()))  # as clients read it: keys are text
    error_ref = "#/components/schemas/ErrorOut"
    assert set(schema["components"]["schemas"]["ErrorOut"]["properties"]) == {"detail", "errors"}
    for path, operations in schema["paths"].items():
        if path.endswith("openapi.json") or path.endswith("/docs"):
            continue
        for method, operation in operations.items():
            responses = operation["responses"]
            for status in ("401", "403", "422"):
                assert status in responses, (method, path, status)
            for status, response in responses.items():
                if int(status) >= 400:
                    content = response["content"]["application/json"]["schema"]
                    assert content == {"$ref": error_ref}, (method, path, status)


def test_the_schema_states_what_the_api_refuses():
    components = served_schema()["components"]["schemas"]

    child_ids = components["ObservationIn"]["properties"]["child_ids"]
    assert child_ids["minItems"] == 1
    assert child_ids["items"]["maximum"] == 2**63 - 1
    note = components["NoteIn"]["properties"]["note"]
    assert (note["minLength"], note["pattern"]) == (1, NON_BLANK)
    assert components["NoteIn"]["required"] == ["note"]
    assert set(components["CommentIn"]["required"]) == {"child_id", "body"}


def test_not_found_reads_as_a_sentence(world):
    response = world.client("manager").get("/api/v1/observations/999999")

    assert response.json() == {"detail": "Not found.", "errors": {}}


# --- The staff endpoints the pages have -------------------------------------------


def test_r16_an_observations_history_through_the_api(world):
    shared = world.observations["shared"]
    journal.observation_update(
        actor=world.actor("practitioner"),
        observation=shared,
        expected_version=shared.version,
        notes="Built together, very tall.",
    )

    history = world.client("senior").get(f"/api/v1/observations/{shared.pk}/history")
    parent = world.client("parent_amy").get(f"/api/v1/observations/{shared.pk}/history")

    assert history.status_code == 200
    (revision,) = history.json()
    assert revision["editor"] == "Practitioner Person"
    assert revision["changes"]["notes"]["after"] == "Built together, very tall."
    assert parent.status_code == 403  # they see the entry, not its working history


def test_r25_next_steps_through_the_api(world):
    amy = world.children["amy"]
    practitioner = world.client("practitioner")

    added = practitioner.post(
        f"/api/v1/children/{amy.pk}/next-steps",
        {"text": "Count to twenty"},
        content_type="application/json",
    )
    assert added.status_code == 201
    step = added.json()
    listed = practitioner.get(f"/api/v1/children/{amy.pk}/next-steps").json()
    assert [s["text"] for s in listed] == ["Count to twenty"]

    achieved = practitioner.post(f"/api/v1/next-steps/{step['id']}/achieve")
    assert achieved.json()["achieved_at"] is not None
    assert practitioner.get(f"/api/v1/children/{amy.pk}/next-steps").json() == []
    assert practitioner.post(f"/api/v1/next-steps/{step['id']}/achieve").status_code == 404
    # Amy's parent sees Amy but not the staff's working notes; another setting sees nothing.
    assert (
        world.client("parent_amy").get(f"/api/v1/children/{amy.pk}/next-steps").status_code == 403
    )
    assert (
        world.client("other_manager").get(f"/api/v1/children/{amy.pk}/next-steps").status_code
        == 404
    )


def test_r15_r25_key_children_through_the_api(world):
    senior = world.client("senior").get("/api/v1/key-children").json()
    practitioner = world.client("practitioner").get("/api/v1/key-children").json()

    assert [c["first_name"] for c in senior] == ["Amy"]
    assert [c["first_name"] for c in practitioner] == ["Ben", "Cara"]
    assert senior[0]["last_14"] == 2  # the shared and the staff-only entries, yesterday
    assert world.client("parent_amy").get("/api/v1/key-children").status_code == 403


def test_r22_r26_monitoring_figures_through_the_api(world):
    journal.observation_create(
        actor=world.actor("practitioner"),
        children=[world.children["cara"]],
        title="Late entry",
        observed_at=days_ago(10),
        publish=True,
    )

    figures = world.client("manager").get("/api/v1/monitoring", {"quiet_days": 5}).json()

    assert figures["total"] == 3  # shared, staff-only, the late one (the draft is not counted)
    assert figures["late"] == 1
    assert figures["contributions_waiting"] == 1
    by_child = {c["first_name"]: c for c in figures["children"]}
    assert by_child["Cara"]["count"] == 1
    assert by_child["Cara"]["recent"] is False
    assert by_child["Amy"]["recent"] is True
    assert world.client("senior").get("/api/v1/monitoring").status_code == 403
    backwards = world.client("manager").get(
        "/api/v1/monitoring", {"start": "2026-02-01", "end": "2026-01-01"}
    )
    assert backwards.status_code == 422
    assert "start" in backwards.json()["errors"]
