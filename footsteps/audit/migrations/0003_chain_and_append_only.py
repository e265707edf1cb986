"""The activity log becomes a hash chain per setting and append-only (R39).

Existing rows are chained in id order, their actor's name kept in the row;
then the database starts refusing UPDATE and DELETE on the table
(footsteps.audit.append_only). Setting and actor stop being foreign key
constraints, so that deleting either never has to touch the log.
"""

import django.utils.timezone
from django.db import migrations, models

from footsteps.audit import append_only
from footsteps.audit.chain import event_hash
from footsteps.audit.models import GENESIS

BATCH = 1000


def chain_existing(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChain = apps.get_model("audit", "AuditChain")
    User = apps.get_model("people", "User")
    names = dict(
        User.objects.filter(pk__in=AuditEvent.objects.values("actor_id")).values_list(
            "pk", "full_name"
        )
    )
    heads = {}
    last = 0
    while batch := list(AuditEvent.objects.filter(pk__gt=last).order_by("pk")[:BATCH]):
        for event in batch:
            sequence, previous = heads.get(event.setting_id, (0, GENESIS))
            event.actor_name = names.get(event.actor_id, "")
            event.sequence, event.previous_hash = sequence + 1, previous
            event.hash = event_hash(event)
            heads[event.setting_id] = (event.sequence, event.hash)
        AuditEvent.objects.bulk_update(
            batch, ["actor_name", "sequence", "previous_hash", "hash"]
        )
        last = batch[-1].pk
    AuditChain.objects.bulk_create(
        AuditChain(setting_id=setting_id, last_sequence=sequence, last_hash=hash_)
        for setting_id, (sequence, hash_) in heads.items()
    )


def create_triggers(apps, schema_editor):
    append_only.create(schema_editor.connection)


def drop_triggers(apps, schema_editor):
    append_only.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_initial"),
        ("people", "0001_initial"),
        ("tenancy", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=models.deletion.DO_NOTHING,
                related_name="+",
                to="people.user",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="setting",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=models.deletion.DO_NOTHING,
                related_name="audit_events",
                to="tenancy.setting",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="created_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="actor_name",
            field=models.CharField(blank=True, max_length=150),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="previous_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="AuditChain",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("last_sequence", models.PositiveBigIntegerField(default=0)),
                ("last_hash", models.CharField(default=GENESIS, max_length=64)),
                (
                    "setting",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=models.deletion.DO_NOTHING,
                        related_name="+",
                        to="tenancy.setting",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        models.functions.Coalesce("setting", models.Value(0)),
                        name="audit_one_chain_per_setting",
                    )
                ],
            },
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                fields=("setting", "sequence"), name="audit_one_per_place"
            ),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                condition=models.Q(setting__isnull=True),
                fields=("sequence",),
                name="audit_one_per_place_outside_settings",
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
