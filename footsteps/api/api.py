from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.parser import Parser

from footsteps.api.auth import AgreementRequired, SessionActorAuth, TokenActorAuth
from footsteps.assessments.api import router as assessments_router
from footsteps.children.api import router as children_router
from footsteps.journal.api import router as journal_router
from footsteps.journal.services import EditConflict
from footsteps.media.api import router as media_router
from footsteps.people.api import router as people_router
from footsteps.security.access import AccessRefused


class ObjectBodyParser(Parser):
    """Every request body is a JSON object: an array or a bare value is a 400, not
    read as "nothing sent" (which would let an approval go through unedited)."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("The request body must be a JSON object.")
        return data


class FootstepsAPI(NinjaAPI):
    """The schema is the same for every request: build it once per process, not
    on every visit to /openapi.json (it takes a tenth of a second)."""

    _schemas: dict

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        cache = self.__dict__.setdefault("_schemas", {})
        if path_prefix not in cache:
            cache[path_prefix] = super().get_openapi_schema(path_prefix=path_prefix)
        return cache[path_prefix]


api = FootstepsAPI(
    title="Footsteps API",
    version="1",
    description=(
        "The learning journal for early-years settings. Every route acts as one person in "
        "one setting, under the same access rules as the web pages.\n\n"
        "Authenticate with a personal API key, made under My account > API keys: "
        "`Authorization: Bearer fs_...`. Requests with a key need no CSRF token. A "
        "signed-in browser may use its session instead; its writes must send the "
        "`X-CSRFToken` header.\n\n"
        'Every error answers `{"detail": "...", "errors": {"field": ["..."]}}`: 400 a body '
        "that is not a JSON object, 401 no valid key or session, 403 you may see it but not "
        "do this to it (now), or the setting's agreement is not yet accepted on the "
        "website, 404 not found or not yours (the same answer for both), 409 a conflict "
        "with the current state (someone else saved first, the address is already in the "
        "setting), 422 input out of bounds or not valid."
    ),
    auth=[TokenActorAuth(), SessionActorAuth()],
    parser=ObjectBodyParser(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("", people_router)
api.add_router("", children_router)
api.add_router("", journal_router)
api.add_router("", media_router)
api.add_router("", assessments_router)


def _error(request, status: int, detail: str, errors: dict | None = None):
    return api.create_response(request, {"detail": detail, "errors": errors or {}}, status=status)


def _codes(exc: ValidationError) -> set:
    if hasattr(exc, "error_dict"):
        return {error.code for errors in exc.error_dict.values() for error in errors}
    return {error.code for error in exc.error_list}


@api.exception_handler(ValidationError)
def validation_error(request, exc):
    """A service refused: a conflict with the current state (409), something named
    that is not there or not yours (404), or input it cannot take (422)."""
    fields = exc.message_dict if hasattr(exc, "error_dict") else {}
    codes = _codes(exc)
    status = 409 if "conflict" in codes else 404 if "not_found" in codes else 422
    return _error(request, status, " ".join(exc.messages), fields)


@api.exception_handler(SchemaValidationError)
def schema_validation_error(request, exc):
    if all(error.get("loc", ("",))[0] == "path" for error in exc.errors):
        return _error(request, 404, "Not found.")  # no such thing at this address
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        # ("body", "data", "child_ids", 0) -> "child_ids.0"; ("query", "limit") -> "limit"
        loc = list(error.get("loc", ()))
        parts = loc[2:] if loc[:1] == ["body"] else loc[1:]
        where = ".".join(str(part) for part in parts) or "request"
        fields.setdefault(where, []).append(error.get("msg", "Not valid."))
    return _error(request, 422, "Some of what you sent is not valid: see errors.", fields)


@api.exception_handler(AuthenticationError)
def not_authenticated(request, exc):
    return _error(request, 401, "Send a valid API key (Authorization: Bearer fs_...) or sign in.")


@api.exception_handler(AgreementRequired)
def agreement_required(request, exc):
    return _error(request, 403, "Accept your setting's agreement in Footsteps first.")


@api.exception_handler(AccessRefused)
def access_refused(request, exc):
    return _error(request, 403, exc.refusal.message)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return _error(request, 403, "You may not do this.")


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error(request, 404, str(exc) or "Not found.")


@api.exception_handler(HttpError)
def http_error(request, exc):
    return _error(request, exc.status_code, str(exc))


@api.exception_handler(EditConflict)
def edit_conflict(request, exc):
    return _error(
        request,
        409,
        "Someone else saved this observation since you loaded it. "
        "Load it again and reapply your change.",
    )
