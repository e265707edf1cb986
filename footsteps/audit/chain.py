"""The hash chain that makes the activity log tamper-evident (R39).

Each setting's events form one chain (the events outside any setting form
another): event n stores the hash of event n-1, and its own hash is SHA-256
over a canonical JSON of everything it records plus that previous hash.
Changing a row in the database changes what its hash should be; removing one
leaves a gap in the sequence; removing the newest leaves the chain short of
its head (AuditChain). Whoever can rewrite the database can still rewrite a
whole chain from the point they change: keep the heads `verify_audit` prints
somewhere else to catch that too.

The hash must never change meaning: every stored row depends on it.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from footsteps.audit.models import GENESIS, AuditChain, AuditEvent

# The columns the hash covers, and verify_audit reads.
COLUMNS = (
    "id",
    "setting_id",
    "actor_id",
    "actor_name",
    "action",
    "target_type",
    "target_id",
    "data",
    "created_at",
    "sequence",
    "previous_hash",
    "hash",
)


def as_stored(data: dict) -> dict:
    """The data as the database gives it back (tuples as lists, keys as
    strings), so that the hash computed on writing is the hash computed on
    reading."""
    return json.loads(json.dumps(data))


def event_hash(event) -> str:
    """The hash of an event (a model instance, historical ones included)."""
    content = {
        "setting": event.setting_id,
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "target": [event.target_type, event.target_id],
        "data": event.data,
        "created_at": event.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "sequence": event.sequence,
        "previous_hash": event.previous_hash,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class ChainReport:
    setting_id: int | None
    events: int = 0
    last_hash: str = GENESIS
    broken: str = ""  # the first fault found, naming its row; "" when the chain holds


@dataclass
class _Row:
    """One event as read for checking (no model instance per row)."""

    id: int
    setting_id: int | None
    actor_id: int | None
    actor_name: str
    action: str
    target_type: str
    target_id: str
    data: dict
    created_at: datetime
    sequence: int
    previous_hash: str
    hash: str


def verify(rows: Iterator[tuple], heads: dict[int | None, tuple[int, str]]) -> list[ChainReport]:
    """Recompute every chain from `rows` (the COLUMNS of every event, ordered
    by setting and sequence) and compare each with its head in `heads`
    (setting id -> (last sequence, last hash)), read before the rows: rows
    appended since then follow the head, and are checked like the rest. One
    report per chain; each names the first row where its chain breaks."""
    reports: dict[int | None, ChainReport] = {}
    at_head: dict[int | None, _Row] = {}
    for values in rows:
        row = _Row(*values)
        report = reports.get(row.setting_id)
        if report is None:
            report = reports[row.setting_id] = ChainReport(row.setting_id)
        if report.broken:
            continue
        where = f"sequence {row.sequence} (id {row.id})"
        expected = report.events + 1
        if row.sequence != expected:
            report.broken = (
                f"{where}: expected sequence {expected}; "
                f"{'a row before it is missing' if row.sequence > expected else 'out of order'}"
            )
        elif row.previous_hash != report.last_hash:
            report.broken = f"{where}: it does not follow the row before it (previous hash differs)"
        elif event_hash(row) != row.hash:
            report.broken = f"{where}: its content does not match its hash (the row was changed)"
        else:
            report.events, report.last_hash = row.sequence, row.hash
            if row.sequence == heads.get(row.setting_id, (None, ""))[0]:
                at_head[row.setting_id] = row
    for setting_id, (last_sequence, last_hash) in heads.items():
        report = reports.setdefault(setting_id, ChainReport(setting_id))
        if report.broken:
            continue
        row = at_head.get(setting_id)
        if row is None and last_sequence > 0:
            report.broken = (
                f"the chain ends at sequence {report.events} but its head records "
                f"sequence {last_sequence}: its newest rows are missing"
            )
        elif row is not None and row.hash != last_hash:
            report.broken = (
                f"sequence {row.sequence} (id {row.id}): not the row its head records "
                "(the chain was rewritten from there or before)"
            )
    for report in reports.values():
        if report.setting_id not in heads and not report.broken:
            report.broken = "the chain has no head (its AuditChain row is missing)"
    return sorted(reports.values(), key=lambda r: (r.setting_id is not None, r.setting_id or 0))


def verify_chains(*, setting=None) -> list[ChainReport]:
    """Check every chain in the database, or one setting's (verify_audit)."""
    events = AuditEvent.objects.order_by("setting_id", "sequence")
    heads = AuditChain.objects.all()
    if setting is not None:
        events, heads = events.filter(setting=setting), heads.filter(setting=setting)
    # The heads first: an event appended meanwhile is then read after its head.
    ends = {head.setting_id: (head.last_sequence, head.last_hash) for head in heads}
    return verify(events.values_list(*COLUMNS).iterator(chunk_size=2000), ends)
