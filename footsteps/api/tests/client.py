"""A small Footsteps API client, written against the published OpenAPI schema
the way an app developer would: it reads the schema from the server, refuses
an operation the schema does not have or a body missing a required field, and
authenticates with a personal key only (no cookies, no CSRF token)."""

import httpx


class SchemaMismatch(Exception):
    """The client asked for something the published schema does not offer."""


class FootstepsClient:
    def __init__(self, base_url: str, key: str):
        self.http = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {key}"}, timeout=30
        )
        self.schema = self.http.get("/api/v1/openapi.json").raise_for_status().json()

    def _operation(self, method: str, template: str) -> dict:
        operation = self.schema["paths"].get(template, {}).get(method.lower())
        if operation is None:
            raise SchemaMismatch(f"{method.upper()} {template} is not in the schema")
        return operation

    def _check_body(self, operation: dict, body: dict | None) -> None:
        content = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if content is None:
            return
        ref = content["schema"]["$ref"].rsplit("/", 1)[-1]
        required = self.schema["components"]["schemas"][ref].get("required", [])
        missing = [name for name in required if name not in (body or {})]
        if missing:
            raise SchemaMismatch(f"{ref} needs {missing}")

    def call(self, method: str, template: str, body: dict | None = None, **params):
        """`call("post", "/api/v1/observations/{observation_id}/comments", {...},
        observation_id=5)`: path parameters by name, the rest as the query."""
        operation = self._operation(method, template)
        self._check_body(operation, body)
        path_names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        path = template.format(**{name: params.pop(name) for name in path_names})
        response = self.http.request(method.upper(), path, json=body, params=params or None)
        documented = set(operation["responses"])
        if str(response.status_code) not in documented:
            raise SchemaMismatch(f"{response.status_code} is not documented for {template}")
        return response
