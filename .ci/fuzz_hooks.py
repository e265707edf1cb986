"""Schemathesis hooks for .ci/fuzz_api.py: the one business rule a JSON schema
cannot state. An observation (or a birthday) cannot be in the future, and
"now" is not a schema constant: a generated time later than now is moved into
the past, so the fuzzer's valid requests stay valid. Everything else it sends
is its own."""

from datetime import UTC, datetime, timedelta

import schemathesis

_DATE_FIELDS = ("observed_at", "date_of_birth")


def _in_the_past(value):
    if not isinstance(value, str):
        return value
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value  # not a date: negative data, left for the API to refuse
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if aware <= datetime.now(UTC) - timedelta(days=1):
        return value
    past = moment.replace(year=2024)
    return past.isoformat() if "T" in value else past.date().isoformat()


@schemathesis.hook
def map_body(ctx, body):
    if isinstance(body, dict):
        for field in _DATE_FIELDS:
            if field in body:
                body[field] = _in_the_past(body[field])
    return body
