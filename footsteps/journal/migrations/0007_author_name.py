"""Entries, replies and next steps brought from another setting keep their
author's name as words (R36). SQLite rebuilds the tables: every version trigger
installed so far is dropped around it (footsteps.core.stamps)."""

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
        ("assessments", "0002_triggers"),
        ("journal", "0006_deleted_and_removed"),
    ]

    operations = [
        DROP,
        migrations.AddField(
            model_name="comment",
            name="author_name",
            field=models.CharField(blank=True, max_length=150),
        ),
        migrations.AddField(
            model_name="nextstep",
            name="author_name",
            field=models.CharField(blank=True, max_length=150),
        ),
        migrations.AddField(
            model_name="observation",
            name="author_name",
            field=models.CharField(blank=True, max_length=150),
        ),
        CREATE,
    ]
