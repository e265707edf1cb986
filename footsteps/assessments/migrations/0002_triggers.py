"""Areas of learning on entries and each child's mark raise their setting's
journal version, as entries do (footsteps.core.stamps): cached feeds show a
new tag on the next request."""

from django.db import migrations

from footsteps.core import stamps


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in stamps.create_statements(vendor, stamps.ASSESSMENT_TABLES):
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in stamps.drop_statements(vendor, stamps.ASSESSMENT_TABLES):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial"), ("journal", "0005_summaries")]

    operations = [migrations.RunPython(create, drop)]
