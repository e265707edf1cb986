"""How long deleted items stay restorable (R34); whether families may download
their child's journal as a PDF (R35). SQLite rebuilds the table:
every version trigger installed so far is dropped around it."""

import django.core.validators
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
        ('tenancy', '0004_media_options'),
    ]

    operations = [
        DROP,
        migrations.AddField(
            model_name='setting',
            name='purge_after_days',
            field=models.PositiveSmallIntegerField(default=30, validators=[django.core.validators.MinValueValidator(7), django.core.validators.MaxValueValidator(365)], help_text='Deleted items can be restored for this long, then go for good (7 to 365).', verbose_name='days in the deleted area'),
        ),
        migrations.AddField(
            model_name='setting',
            name='parents_may_download_pdf',
            field=models.BooleanField(default=False, verbose_name="families may download their child's journal as a PDF"),
        ),
        CREATE,
    ]
