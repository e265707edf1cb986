"""Learning stories and progress checks as kinds of journal entry (R27). The
version triggers are dropped around the rebuild, then what a story draws on
is watched too (footsteps.core.stamps)."""

from django.db import migrations, models

from footsteps.core import stamps


def _watch_draws_on(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in stamps.create_statements(vendor, stamps.SUMMARY_TABLES):
        schema_editor.execute(statement)


def _unwatch_draws_on(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in stamps.drop_statements(vendor, stamps.SUMMARY_TABLES):
        schema_editor.execute(statement)


DROP, CREATE = stamps.rebuilding(
    stamps.MEDIA_TABLES, setting_columns=stamps.SETTING_COLUMNS + stamps.MEDIA_SETTING_COLUMNS
)


class Migration(migrations.Migration):

    dependencies = [
        ('media', '0002_triggers'),
        ('journal', '0004_comment_staff_only'),
    ]

    operations = [
        DROP,
        migrations.AddField(
            model_name='observation',
            name='draws_on',
            field=models.ManyToManyField(blank=True, related_name='+', to='journal.observation'),
        ),
        migrations.AddField(
            model_name='observation',
            name='kind',
            field=models.CharField(choices=[('observation', 'Observation'), ('story', 'Learning story'), ('check', 'Progress check at age two')], default='observation', max_length=12),
        ),
        migrations.AddField(
            model_name='observation',
            name='sections',
            field=models.JSONField(blank=True, default=dict),
        ),
        CREATE,
        migrations.RunPython(_watch_draws_on, _unwatch_draws_on),
    ]
