"""Replies go to the deleted area too (R34); staff remove an inappropriate
reply or family entry with a reason (R38). SQLite rebuilds the table: every
version trigger installed so far is dropped around it (footsteps.core.stamps)."""

from django.db import migrations, models

from footsteps.core import stamps

DROP, CREATE = stamps.rebuilding(
    stamps.MEDIA_TABLES,
    stamps.SUMMARY_TABLES,
    stamps.ASSESSMENT_TABLES,
    setting_columns=stamps.SETTING_COLUMNS + stamps.MEDIA_SETTING_COLUMNS,
)


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0002_triggers'),
        ('journal', '0005_summaries'),
    ]

    operations = [
        DROP,
        migrations.AddField(
            model_name='comment',
            name='deleted_at',
            field=models.DateTimeField(blank=True, null=True),
        ),

        migrations.AddField(
            model_name='comment',
            name='removed_reason',
            field=models.CharField(blank=True, max_length=500),
        ),
        migrations.AlterField(
            model_name='comment',
            name='status',
            field=models.CharField(choices=[('published', 'Published'), ('pending', 'Awaiting approval'), ('removed', 'Removed by the setting')], default='published', max_length=10),
        ),
        migrations.AlterField(
            model_name='observation',
            name='status',
            field=models.CharField(choices=[('draft', 'Draft'), ('awaiting_review', 'Awaiting review'), ('returned', 'Returned to author'), ('published', 'Published'), ('pending', 'Waiting for approval'), ('declined', 'Declined'), ('withdrawn', 'Withdrawn'), ('removed', 'Removed by the setting')], default='draft', max_length=20),
        ),
        CREATE,
    ]
