"""The database refuses to change or remove a row of the activity log (R39).

Triggers, so that no code path (a bulk update, the operator's admin, a data
migration, a psql session under the application's role) can forget: UPDATE
and DELETE are refused row by row, and on PostgreSQL TRUNCATE as well.
Nothing in the application updates or deletes these rows: deleting a person
or a setting leaves their events as they are (no foreign key constraints).

Two things lift them, on purpose:
- `manage.py flush`, which empties the whole database, this log included (the
  test runner uses it after tests that commit): see
  footsteps/audit/management/commands/flush.py;
- a migration that rebuilds the table on SQLite (any change of its columns):
  SQLite drops a table's triggers with it, so such a migration must run
  `create` again afterwards (and `drop` before, on the way back).
"""

TABLE = "audit_auditevent"
REFUSAL = "the activity log is append-only"

_POSTGRESQL = [
    "CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION USING MESSAGE = '{REFUSAL}: ' || TG_OP || ' refused'; END $$",
    f"CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
    f"CREATE TRIGGER audit_append_only_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
]
_SQLITE = [
    f"CREATE TRIGGER audit_append_only_{event.lower()} BEFORE {event} ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}: {event} refused'); END"
    for event in ("UPDATE", "DELETE")
]


def create_statements(vendor: str) -> list[str]:
    return _POSTGRESQL if vendor == "postgresql" else _SQLITE


def drop_statements(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return ["DROP FUNCTION IF EXISTS audit_append_only() CASCADE"]
    return [f"DROP TRIGGER IF EXISTS audit_append_only_{event}" for event in ("update", "delete")]


def create(connection) -> None:
    with connection.cursor() as cursor:
        for statement in create_statements(connection.vendor):
            cursor.execute(statement)


def drop(connection) -> None:
    with connection.cursor() as cursor:
        for statement in drop_statements(connection.vendor):
            cursor.execute(statement)
