from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

# The previous hash of the first event of every chain.
GENESIS = "0" * 64

# What each recorded action means, in words a manager reads in the activity log.
ACTION_WORDS = {
    "setting.created": "opened the setting",
    "operator.account_changed": "(the service operator) changed an account",
    "operator.setting_changed": "(the service operator) changed the setting's details",
    "user.signed_in": "signed in",
    "user.sign_in_failed": "typed a wrong password when signing in",
    "user.password_changed": "changed their password (their API keys ended)",
    "user.password_reset": "reset their password by email (their API keys ended)",
    "user.email_change_requested": "asked to change their sign-in address",
    "user.email_changed": "changed their sign-in address",
    "user.login_reset": "issued new login details",
    "user.sign_in_unlocked": "unlocked someone's sign-in",
    "setting.updated": "changed the setting's options",
    "room.created": "added a room",
    "agreement.published": "published a new agreement",
    "agreement.accepted": "accepted the agreement",
    "staff.invited": "invited a member of staff",
    "parent.invited": "registered a parent or carer",
    "invitation.sent": "sent an invitation",
    "invitation.accepted": "accepted an invitation and set a password",
    "staff.role_changed": "changed a member of staff's role",
    "staff.review_changed": "changed whose observations are reviewed",
    "membership.suspended": "suspended an account",
    "membership.reactivated": "reactivated an account",
    "parent.linked": "linked a parent or carer to a child",
    "parent.unlinked": "removed a parent's link to a child",
    "parent.relationship_changed": "corrected how a parent or carer is related to a child",
    "person.name_corrected": "corrected a person's name",
    "membership.deleted": "moved a parent, carer or member of staff to the deleted area",
    "membership.restored": "restored a parent, carer or member of staff from the deleted area",
    "person.email_corrected": "corrected the address of someone not yet joined",
    "person.email_correction_sent": "sent a person a link to confirm a corrected address",
    "api_token.created": "created an API key",
    "api_token.revoked": "revoked an API key",
    "user.signed_out_everywhere": "signed out of all devices",
    "user.session_ended": "ended one of their sessions on another device",
    "user.signed_out_elsewhere": "signed out of every other device",
    "user.second_factor_added": "set up a second sign-in step (an authenticator app or passkey)",
    "user.second_factor_removed": "removed a second sign-in step (an authenticator app or passkey)",
    "user.recovery_codes_made": "made a new set of recovery codes (the old ones stopped working)",
    "user.recovery_code_used": "used one of their recovery codes to sign in",
    "access_rules.updated": "changed the sign-in rules (idle time, hours, networks, second step)",
    "access.denied_hours": "was refused: outside the setting's staff access hours",
    "access.denied_network": "was refused: not on the setting's network",
    "child.created": "added a child",
    "child.updated": "changed a child's details",
    "child.status_left": "marked a child as left",
    "child.status_active": "marked a child as attending",
    "child.image_consent": "recorded a family's image consent",
    "observation.created": "recorded an observation",
    "observation.amended": "amended an observation",
    "observation.approved": "approved an observation",
    "observation.returned": "returned an observation to its author",
    "contribution.created": "sent an observation from home",
    "contribution.approved": "approved an observation from home",
    "contribution.declined": "declined an observation from home",
    "contribution.withdrawn": "withdrew an observation from home",
    "comment.added": "replied to an observation",
    "comment.approved": "approved a parent's reply",
    "next_step.added": "added a next step",
    "next_step.achieved": "marked a next step as achieved",
    "preferences.updated": "changed how they hear about new entries",
    "frameworks.chosen": "chose the frameworks the setting uses",
    "framework.imported": "imported a framework",
    "period.created": "added an assessment period",
    "period.updated": "changed an assessment period",
    "assessments.recorded": "recorded a child's assessment",
    "media.tag": "changed who appears in a photo or video",
    "media.cover": "covered a child in a photo or video",
    "media.remove": "took a photo or video off an entry",
    "observation.deleted": "deleted an observation",
    "comment.deleted": "deleted a reply",
    "media.deleted": "deleted a photo or video",
    "child.deleted": "deleted a child's record",
    "child.journal_viewed": "read a child's journal",
    "support.granted": "let Footsteps support in for a while",
    "tablet.registered": "registered a shared tablet",
    "tablet.revoked": "revoked a shared tablet",
    "tablet.switched_in": "switched in on a shared tablet with their PIN",
    "tablet.pin_failed": "typed a wrong PIN on a shared tablet",
    "pin.set": "set their tablet PIN",
    "tablet.supervision_changed": "changed whether a manager confirms staff sign-ins",
    "signin.supervised": "confirmed a member of staff's sign-in on their device",
    "support.ended": "ended Footsteps support's access",
    "support.expired": "(Footsteps) ended support access: its time was up",
    "support.entered": "(Footsteps support) entered the setting",
    "support.request": "(Footsteps support) opened",
    "media.downloaded": "saved a photo or video to their device",
    "export.downloaded": "downloaded a PDF journal",
    "observation.restored": "restored a deleted observation",
    "comment.restored": "restored a deleted reply",
    "media.restored": "restored a deleted photo or video",
    "child.restored": "restored a deleted child's record",
    "comment.removed": "took down a family's reply",
    "contribution.removed": "took down an observation from home",
    "export.pdf_requested": "asked for a child's journal as a PDF",
    "transfer.exported": "made a package to move a child's journal to another setting",
    "transfer.imported": "imported a child's journal from another setting",
    "transfer.refused": "tried to import a journal package that was refused",
    "subject_access.requested": "asked for all the records about someone (subject access)",
    "subject_access.downloaded": "downloaded a subject access export",
    "records.purged": "(automatically) deleted for good what stayed deleted past its time",
}


class AuditEvent(models.Model):
    """One row for every change to who may see or do what, and every read of
    sensitive data we choose to record (R39).

    Append-only and tamper-evident: the database refuses UPDATE and DELETE
    (footsteps.audit.append_only), and each row carries its place in its
    setting's chain and a hash over its content and the hash before it
    (footsteps.audit.chain), so `manage.py verify_audit` finds a row changed or
    removed behind the database's back. Rows write through
    footsteps.audit.services.audit_record only.

    Neither the setting nor the actor is a database foreign key: deleting a
    person or a whole setting leaves the log as it was (the actor's name is
    kept in the row), so nothing ever has to change it.
    """

    setting = models.ForeignKey(
        "tenancy.Setting",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="audit_events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    # Who the actor was when they acted, for the log to say after they are gone.
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The row's place in its setting's chain (1, 2, ...; the events outside any
    # setting form a chain of their own), the hash of the row before it, and
    # its own hash over all of the above.
    sequence = models.PositiveBigIntegerField()
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["setting", "-created_at"])]
        constraints = [
            # One row per place in a chain, whatever happens to the lock that
            # orders appends (AuditChain): a fork is refused, not written.
            models.UniqueConstraint(fields=["setting", "sequence"], name="audit_one_per_place"),
            models.UniqueConstraint(
                fields=["sequence"],
                condition=Q(setting__isnull=True),
                name="audit_one_per_place_outside_settings",
            ),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"

    @property
    def description(self) -> str:
        return ACTION_WORDS.get(self.action, self.action)


class SealKey(models.Model):
    """The key that seals a child's or a person's details in the log
    (footsteps.audit.sealing); deleted when they are erased for good."""

    subject = models.CharField(max_length=40, unique=True)  # "child:12", "user:7"
    key = models.CharField(max_length=60)

    def __str__(self):
        return self.subject


class AuditChain(models.Model):
    """The end of one chain: a setting's (or, with no setting, that of the
    events outside any setting). An append locks this row, so two appends at
    once queue rather than both following the same event; verify_audit checks
    the last event against it, so removing the newest events shows too."""

    setting = models.ForeignKey(
        "tenancy.Setting",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS)

    class Meta:
        constraints = [
            # One chain per setting, and one for no setting (NULLs are never
            # equal in a plain unique index; setting ids start at 1).
            models.UniqueConstraint(
                Coalesce("setting", Value(0)), name="audit_one_chain_per_setting"
            ),
        ]

    def __str__(self):
        return f"audit chain of setting {self.setting_id}: {self.last_sequence} events"
