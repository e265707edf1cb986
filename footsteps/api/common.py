"""What every API route shares: bounded ids, the one error shape and what each
route documents, the pagination that caps a page, and setting-wide checks."""

from datetime import date, datetime
from functools import wraps
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator, BeforeValidator, ConfigDict

from footsteps.access.policy import can

# Ids and counts fit the database's 64-bit integers; anything larger is a 422
# with a message, never an overflow inside the database driver.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]  # in a path or query, where it arrives as text


def _whole_number(value):
    # JSON Schema counts 3.0 as an integer; text and true/false are not numbers.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("Send a whole number.")
    return value


BodyId = Annotated[int, Field(strict=False, ge=1, le=MAX_ID), BeforeValidator(_whole_number)]
IdList = Annotated[list[BodyId], Field(min_length=1, max_length=100)]

# Text that must say something: at least one character that is not a space, as
# Python's str.strip() sees spaces (JSON Schema's own \S misses some of them).
NON_BLANK = (
    r"[^\t\n\x0B\x0C\r\x1C-\x1F \x85\xA0\u1680\u2000-\u200A"
    r"\u2028\u2029\u202F\u205F\u3000]"
)


def text(max_length: int):
    """Text that is required to say something, up to `max_length` characters."""
    return Annotated[str, Field(min_length=1, max_length=max_length, pattern=NON_BLANK)]


class BodyIn(Schema):
    """A request body, taken as the schema says: 0 is not false, "5" is not 5,
    a number is not a date. (Query and path values arrive as text and are read.)"""

    model_config = ConfigDict(strict=True)


def _as_text(value):
    if isinstance(value, date | datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("Send dates as ISO 8601 text, such as 2026-01-31T09:30:00Z.")
    return value


def _this_century(value):
    if not 2000 <= value.year <= 2099:
        raise ValueError("Choose a date between 2000 and 2099.")
    return value


# Dates of the journal's lifetime. The pattern tells clients (and the fuzzer) the
# range the validators enforce.
_CENTURY = {"pattern": r"^20[0-9]{2}-"}
DateTimeIn = Annotated[
    datetime,
    Field(strict=False, json_schema_extra=_CENTURY),
    BeforeValidator(_as_text),
    AfterValidator(_this_century),
]
DateIn = Annotated[
    date,
    Field(strict=False, json_schema_extra=_CENTURY),
    BeforeValidator(_as_text),
    AfterValidator(_this_century),
]


class ErrorOut(Schema):
    """Every error the API answers: a sentence for people, and for a 422 the
    message for each field at fault ("body.title": ["..."])."""

    detail: str
    errors: dict[str, list[str]] = Field(default_factory=dict)


def errors(*statuses: int, body: bool = False) -> dict[int, Any]:
    """The error answers a route documents: 401 (no valid key or session), 403
    (not allowed, or the agreement not yet accepted), 422 (input out of bounds),
    400 for a body that is not JSON, and the route's own (404 for objects out
    of reach, 409 for conflicts)."""
    return dict.fromkeys(sorted({401, 403, 422, *statuses, *([400] if body else [])}), ErrorOut)


class Pagination(LimitOffsetPagination):
    """Limit and offset, both bounded: at most 100 items a page."""

    class Input(Schema):
        limit: int = Field(25, ge=1, le=100, description="Items per page, at most 100.")
        offset: int = Field(0, ge=0, le=10_000_000, description="Items to skip.")


def action(name: str, *, setting_wide: bool = False):
    """Declare the policy action a route performs, as pages do with @requires:
    with setting_wide, it is checked here against the actor's setting (403);
    otherwise the route fetches its object with get_to_act_on. The URL matrix
    fails for a route that declares nothing."""

    def decorator(route):
        if setting_wide:

            @wraps(route)
            def checked(request, *args, **kwargs):
                if not can(request.actor, name, request.actor.setting):
                    raise PermissionDenied
                return route(request, *args, **kwargs)

        else:
            checked = route
        checked.footsteps_action = name
        return checked

    return decorator
