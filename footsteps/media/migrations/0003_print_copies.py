"""A JPEG print copy of each photo's display size (and of its covered copy),
for PDF journals. SQLite rebuilds the table: every version trigger installed
so far is dropped around it (footsteps.core.stamps)."""

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
        ("tenancy", "0005_setting_purge_after_days"),
        ("media", "0002_triggers"),
    ]

    operations = [
        DROP,
        migrations.AddField(
            model_name="media",
            name="print_copy",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="media",
            name="redacted_print_copy",
            field=models.CharField(blank=True, max_length=200),
        ),
        CREATE,
    ]
