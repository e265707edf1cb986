"""Django's flush, able to empty the activity log too.

The log refuses UPDATE, DELETE and TRUNCATE (footsteps.audit.append_only), and
flush empties every table with DELETE (SQLite) or TRUNCATE (PostgreSQL). Only
for it, the refusal is lifted and put back in the same transaction. The test
runner flushes after each test that commits (browser journeys); an operator
who flushes means to wipe everything.
"""

from django.core.management.commands import flush
from django.db import connections, transaction

from footsteps.audit import append_only


class Command(flush.Command):
    help = flush.Command.help + " The activity log is emptied with everything else."

    def handle(self, **options):
        connection = connections[options["database"]]
        if append_only.TABLE not in connection.introspection.table_names():
            return super().handle(**options)
        with transaction.atomic(using=options["database"]):
            append_only.drop(connection)
            super().handle(**options)
            append_only.create(connection)
