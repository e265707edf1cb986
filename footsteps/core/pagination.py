"""Keyset pagination on (observed_at, id), newest first: "older" links carry the
last entry's position, so no page counts the whole journal, and a page is read
only when it is shown (a cached page never runs its query)."""

import base64
from datetime import datetime
from functools import cached_property

from django.db.models import Q


def encode_cursor(observed_at: datetime, pk: int) -> str:
    raw = f"{observed_at.isoformat()}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    """The position a cursor names, or None for one that is not ours (the newest page)."""
    if not cursor or len(cursor) > 100:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, pk = raw.split("|")
        position = datetime.fromisoformat(moment), int(pk)
    except (ValueError, UnicodeDecodeError):
        return None
    if position[0].tzinfo is None or not 0 < position[1] < 2**63:
        return None
    return position


class KeysetPage:
    def __init__(self, queryset, *, size: int, cursor: str | None = None):
        self.queryset, self.size = queryset, size
        self.position = decode_cursor(cursor)

    @cached_property
    def _rows(self) -> list:
        entries = self.queryset
        if self.position is not None:
            moment, pk = self.position
            entries = entries.filter(Q(observed_at__lt=moment) | Q(observed_at=moment, pk__lt=pk))
        return list(entries.order_by("-observed_at", "-pk")[: self.size + 1])

    def __iter__(self):
        return iter(self._rows[: self.size])

    def __len__(self) -> int:
        return len(self._rows[: self.size])

    @property
    def is_first(self) -> bool:
        return self.position is None

    @property
    def older_cursor(self) -> str | None:
        if len(self._rows) <= self.size:
            return None
        last = self._rows[self.size - 1]
        return encode_cursor(last.observed_at, last.pk)
