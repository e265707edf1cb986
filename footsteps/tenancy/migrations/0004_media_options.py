"""Photo and video options of a setting. The version triggers are dropped
around the change (SQLite rebuilds the table) and made again watching
`parents_may_download` too, which pages show (footsteps.core.stamps)."""

from django.db import migrations, models

from footsteps.core import stamps


def drop(apps, schema_editor):
    for statement in stamps.drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def create_before(apps, schema_editor):
    for statement in stamps.create_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def create_after(apps, schema_editor):
    columns = stamps.SETTING_COLUMNS + stamps.MEDIA_SETTING_COLUMNS
    vendor = schema_editor.connection.vendor
    for statement in stamps.create_statements(vendor, setting_columns=columns):
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('tenancy', '0003_journal_version_triggers'),
    ]

    operations = [
        migrations.RunPython(drop, create_before),
        migrations.AddField(
            model_name='setting',
            name='media_max_mb',
            field=models.PositiveIntegerField(default=500, help_text='Videos are the largest files.', verbose_name='largest upload (MB)'),
        ),
        migrations.AddField(
            model_name='setting',
            name='media_max_megapixels',
            field=models.PositiveIntegerField(default=50, verbose_name='largest photo (megapixels)'),
        ),
        migrations.AddField(
            model_name='setting',
            name='media_max_video_seconds',
            field=models.PositiveIntegerField(default=180, verbose_name='longest video (seconds)'),
        ),
        migrations.AddField(
            model_name='setting',
            name='parents_may_download',
            field=models.BooleanField(default=True, help_text='Families may save photos and videos to their devices.'),
        ),
        migrations.RunPython(create_after, drop),
    ]
