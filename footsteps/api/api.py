from django.core.exceptions import PermissionDenied, ValidationError
from ninja import NinjaAPI

from footsteps.api.auth import AgreementRequired, SessionActorAuth, TokenActorAuth
from footsteps.children.api import router as children_router
from footsteps.journal.api import router as journal_router
from footsteps.journal.services import EditConflict
from footsteps.people.api import router as people_router

api = NinjaAPI(
    title="Footsteps API",
    version="1",
    description="The learning journal for early-years settings. Every route acts as one "
    "person in one setting, under the same access rules as the web pages.",
    auth=[SessionActorAuth(), TokenActorAuth()],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("", people_router)
api.add_router("", children_router)
api.add_router("", journal_router)


@api.exception_handler(ValidationError)
def validation_error(request, exc):
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(AgreementRequired)
def agreement_required(request, exc):
    return api.create_response(
        request, {"detail": "Accept your setting's agreement in Footsteps first."}, status=403
    )


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": "You may not do this."}, status=403)


@api.exception_handler(EditConflict)
def edit_conflict(request, exc):
    return api.create_response(
        request,
        {
            "detail": "Someone else saved this observation since you loaded it. "
            "Load it again and reapply your change."
        },
        status=409,
    )
