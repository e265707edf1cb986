"""Photos and videos raise their setting's journal version, as entries do
(footsteps.core.stamps): a covered child or withdrawn consent shows on the
next request, cached pages included (R28)."""

from django.db import migrations

from footsteps.core import stamps


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in stamps.create_statements(vendor, stamps.MEDIA_TABLES):
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in stamps.drop_statements(vendor, stamps.MEDIA_TABLES):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("media", "0001_initial"), ("tenancy", "0004_media_options")]

    operations = [migrations.RunPython(create, drop)]
