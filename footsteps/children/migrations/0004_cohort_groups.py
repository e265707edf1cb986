"""The groups the cohort report compares (R24). SQLite rebuilds the table, so
the version triggers are dropped around it (footsteps.core.stamps)."""

from django.db import migrations, models

from footsteps.core import stamps

DROP, CREATE = stamps.rebuilding(
    stamps.MEDIA_TABLES, setting_columns=stamps.SETTING_COLUMNS + stamps.MEDIA_SETTING_COLUMNS
)


class Migration(migrations.Migration):

    dependencies = [
        ('media', '0002_triggers'),
        ('children', '0003_pendinglink'),
    ]

    operations = [
        DROP,
        migrations.AddField(
            model_name='child',
            name='eal',
            field=models.BooleanField(default=False, verbose_name='English as an additional language'),
        ),
        migrations.AddField(
            model_name='child',
            name='eypp',
            field=models.BooleanField(default=False, verbose_name='Early Years Pupil Premium'),
        ),
        migrations.AddField(
            model_name='child',
            name='funded_two',
            field=models.BooleanField(default=False, verbose_name='two-year-old funding'),
        ),
        migrations.AddField(
            model_name='child',
            name='send',
            field=models.BooleanField(default=False, verbose_name='special educational needs or disabilities (SEND)'),
        ),
        migrations.AddField(
            model_name='child',
            name='sex',
            field=models.CharField(blank=True, choices=[('female', 'Female'), ('male', 'Male')], max_length=10),
        ),
        CREATE,
    ]
