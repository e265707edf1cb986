"""Database triggers that raise each setting's journal version (footsteps.core.stamps)."""

from django.db import migrations

from footsteps.core import stamps


def create(apps, schema_editor):
    for statement in stamps.create_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    for statement in stamps.drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("tenancy", "0002_journal_version"),
        ("journal", "0004_comment_staff_only"),
        ("children", "0003_pendinglink"),
        ("people", "0003_account_security"),
    ]

    operations = [migrations.RunPython(create, drop)]
