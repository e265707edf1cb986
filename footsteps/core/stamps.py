"""Each setting's two versions: numbers the database itself raises on changes.

- The people version, on every change to who may see what: children, links to
  parents, memberships, rooms, agreements and their acceptance, the setting's
  options, and people's names, addresses, passwords, sessions and whether they
  may sign in. The cached answer to "who is this session" is keyed by it
  (footsteps.access.membership): a suspension or a new password bites on the
  very next request, while a new entry leaves everyone's identity kept.
- The journal version, on all of those and on every change to what the journal
  pages show: entries, their children, replies, next steps. Cached pages are
  keyed by it (footsteps.core.caching): a change shows on the very next request.

Database triggers, not application code, raise them: a bulk update, a data
migration, the operator's admin or a purge cannot forget to.

A migration that changes the columns of a watched table drops the triggers
first and makes them again after (SQLite rebuilds such a table, and a trigger
naming it stops the rebuild): see tenancy 0004. Each migration names the
tables and columns it knows, so an old migration never meets a newer table.
"""

_JOURNAL = "journal_version = journal_version + 1"
_PEOPLE = f"{_JOURNAL}, people_version = people_version + 1"

# table -> (SQL for the setting id of a row, the row being `r`; what to raise).
# These are the triggers migration tenancy 0003 installs: a table added later
# gets its own migration calling create_statements(vendor, {table: ...}).
TABLES = {
    "journal_observation": ("r.setting_id", _JOURNAL),
    "journal_observationchild": (
        "(SELECT o.setting_id FROM journal_observation o WHERE o.id = r.observation_id)",
        _JOURNAL,
    ),
    "journal_comment": (
        "(SELECT o.setting_id FROM journal_observation o WHERE o.id = r.observation_id)",
        _JOURNAL,
    ),
    "journal_nextstep": (
        "(SELECT c.setting_id FROM children_child c WHERE c.id = r.child_id)",
        _JOURNAL,
    ),
    "children_child": ("r.setting_id", _PEOPLE),
    "children_parentlink": (
        "(SELECT c.setting_id FROM children_child c WHERE c.id = r.child_id)",
        _PEOPLE,
    ),
    "children_room": ("r.setting_id", _PEOPLE),
    "people_membership": ("r.setting_id", _PEOPLE),
    "tenancy_agreement": ("r.setting_id", _PEOPLE),
    "tenancy_agreementacceptance": (
        "(SELECT m.setting_id FROM people_membership m WHERE m.id = r.membership_id)",
        _PEOPLE,
    ),
}
# Photos and videos (media 0002 installs these).
MEDIA_TABLES = {
    "media_media": ("r.setting_id", _JOURNAL),
    "media_mediachild": (
        "(SELECT m.setting_id FROM media_media m WHERE m.id = r.media_id)",
        _JOURNAL,
    ),
}
# Options added since 0003 that pages show (tenancy 0004 watches them too).
MEDIA_SETTING_COLUMNS = ("parents_may_download",)
_OF_OBSERVATION = "(SELECT o.setting_id FROM journal_observation o WHERE o.id = r.observation_id)"
# What a learning story draws on (journal 0005 installs this).
SUMMARY_TABLES = {
    "journal_observation_draws_on": (
        "(SELECT o.setting_id FROM journal_observation o WHERE o.id = r.from_observation_id)",
        _JOURNAL,
    ),
}
# Areas of learning on entries, and each child's mark (assessments 0002).
ASSESSMENT_TABLES = {
    "assessments_observationaspect": (_OF_OBSERVATION, _JOURNAL),
    "assessments_observationmark": (_OF_OBSERVATION, _JOURNAL),
    # Which frameworks a setting uses: the filter forms list their areas.
    "assessments_settingframework": ("r.setting_id", _PEOPLE),
}

# Columns of a person's account that change what they may do, or their name.
USER_COLUMNS = ("full_name", "email", "password", "session_salt", "is_active")
# The setting's own options.
SETTING_COLUMNS = ("name", "slug", "moderation", "approve_parent_comments", "late_entry_days")


def _bump(raise_: str, settings: str) -> str:
    return f"UPDATE tenancy_setting SET {raise_} WHERE id IN ({settings})"  # noqa: S608 (this module's own constants)


# A person's account matters in each of their settings.
_USER_CHANGE = _bump(
    _PEOPLE, "SELECT m.setting_id FROM people_membership m WHERE m.user_id = NEW.id"
)
_SETTING_CHANGE = f"UPDATE tenancy_setting SET {_PEOPLE} WHERE id = NEW.id"  # noqa: S608 (constants)


def _changed(columns, *, vendor: str) -> str:
    differ = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    return " OR ".join(f"OLD.{column} {differ} NEW.{column}" for column in columns)


def _sqlite(table: str, setting: str, raise_: str) -> list[str]:
    statements = []
    for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
        # SQLite names the row NEW or OLD; its select cannot alias it.
        which = setting.replace("r.", f"{row}.")
        statements.append(
            f"CREATE TRIGGER stamp_{table}_{event.lower()} AFTER {event} ON {table} "
            f"BEGIN {_bump(raise_, 'SELECT ' + which)}; END"
        )
    return statements


def _postgresql(table: str, setting: str, raise_: str) -> list[str]:
    statements = []
    events = (
        ("INSERT", "NEW TABLE AS new_rows", ["new_rows"]),
        ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", ["old_rows", "new_rows"]),
        ("DELETE", "OLD TABLE AS old_rows", ["old_rows"]),
    )
    for event, referencing, sources in events:
        function = f"stamp_{table}_{event.lower()}"
        rows = " UNION ".join(
            f"SELECT {setting} FROM {source} r"  # noqa: S608 (this module's own constants)
            for source in sources
        )
        statements.append(
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {_bump(raise_, rows)}; RETURN NULL; END $$"
        )
        statements.append(
            f"CREATE TRIGGER {function} AFTER {event} ON {table} REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
    return statements


def _row_trigger(vendor: str, name: str, table: str, columns, bump: str) -> list[str]:
    """A trigger raising versions when one of `columns` of a row changes."""
    when = _changed(columns, vendor=vendor)
    if vendor == "postgresql":
        return [
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {bump}; RETURN NULL; END $$",
            f"CREATE TRIGGER {name} AFTER UPDATE ON {table} FOR EACH ROW "
            f"WHEN ({when}) EXECUTE FUNCTION {name}()",
        ]
    # Raising the versions updates only them: not columns this trigger
    # watches, so it does not fire again.
    return [
        f"CREATE TRIGGER {name} AFTER UPDATE OF {', '.join(columns)} ON {table} "
        f"WHEN {when} BEGIN {bump}; END"
    ]


def create_statements(
    vendor: str, tables: dict[str, tuple[str, str]] = TABLES, setting_columns=SETTING_COLUMNS
) -> list[str]:
    statements = []
    for table, (setting, raise_) in tables.items():
        statements += (_postgresql if vendor == "postgresql" else _sqlite)(table, setting, raise_)
    if tables is TABLES:
        statements += _row_trigger(
            vendor, "stamp_people_user", "people_user", USER_COLUMNS, _USER_CHANGE
        )
        statements += _row_trigger(
            vendor, "stamp_tenancy_setting", "tenancy_setting", setting_columns, _SETTING_CHANGE
        )
    return statements


def rebuilding(*later: dict[str, tuple[str, str]], setting_columns=SETTING_COLUMNS):
    """The two operations that go around a migration changing the columns of a
    watched table: drop every trigger installed so far (TABLES and the `later`
    groups), then make them again. Reversible both ways."""
    from django.db import migrations

    def drop(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        statements = drop_statements(vendor)
        for tables in later:
            statements += drop_statements(vendor, tables)
        for statement in statements:
            schema_editor.execute(statement)

    def create(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        statements = create_statements(vendor, setting_columns=setting_columns)
        for tables in later:
            statements += create_statements(vendor, tables)
        for statement in statements:
            schema_editor.execute(statement)

    return migrations.RunPython(drop, create), migrations.RunPython(create, drop)


def drop_statements(vendor: str, tables: dict[str, tuple[str, str]] = TABLES) -> list[str]:
    names = [
        (table, f"stamp_{table}_{event}")
        for table in tables
        for event in ("insert", "update", "delete")
    ]
    if tables is TABLES:
        names += [
            ("people_user", "stamp_people_user"),
            ("tenancy_setting", "stamp_tenancy_setting"),
        ]
    if vendor == "postgresql":
        return [f"DROP FUNCTION IF EXISTS {name}() CASCADE" for _table, name in names]
    return [f"DROP TRIGGER IF EXISTS {name}" for _table, name in names]
