"""Account security (issue 11): key expiry, the name a setting typed for an
invitee, when someone joined, changes of sign-in address; and the clean-up of
addresses that allauth's email page let people add without proof."""

from datetime import timedelta

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def backfill(apps, schema_editor):
    ApiToken = apps.get_model("people", "ApiToken")
    Membership = apps.get_model("people", "Membership")
    Invitation = apps.get_model("people", "Invitation")
    for token in ApiToken.objects.filter(expires_at__isnull=True):
        token.expires_at = max(token.created_at + timedelta(days=90), token.created_at)
        token.save(update_fields=["expires_at"])
    joined = Invitation.objects.filter(used_at__isnull=False).values("membership_id")
    for membership in Membership.objects.select_related("user"):
        membership.invited_name = membership.user.full_name
        if membership.pk in {row["membership_id"] for row in joined} or membership.status == "active":
            membership.joined_at = membership.created_at
        membership.save(update_fields=["invited_name", "joined_at"])


def forget_unproven_addresses(apps, schema_editor):
    """allauth's /accounts/email/ page let anyone signed in add any address to
    their account with no proof. Such rows would still let them sign in, or ask
    for a password reset, with that address: keep only each person's own."""
    EmailAddress = apps.get_model("account", "EmailAddress")
    User = apps.get_model("people", "User")
    own = {user.pk: user.email.lower() for user in User.objects.only("pk", "email")}
    stray = [row.pk for row in EmailAddress.objects.all() if own.get(row.user_id) != row.email.lower()]
    EmailAddress.objects.filter(pk__in=stray).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0002_initial'),
        ('account', '0009_emailaddress_unique_primary_email'),
    ]

    operations = [
        migrations.AddField(
            model_name='apitoken',
            name='expires_at',
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name='membership',
            name='invited_name',
            field=models.CharField(blank=True, max_length=150),
        ),
        migrations.AddField(
            model_name='membership',
            name='joined_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name='EmailChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('new_email', models.EmailField(max_length=254)),
                ('token_hash', models.CharField(max_length=64, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('expires_at', models.DateTimeField()),
                ('used_at', models.DateTimeField(blank=True, null=True)),
                ('revoked_at', models.DateTimeField(blank=True, null=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='email_changes', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='apitoken',
            name='expires_at',
            field=models.DateTimeField(),
        ),
        migrations.RunPython(forget_unproven_addresses, migrations.RunPython.noop),
    ]
