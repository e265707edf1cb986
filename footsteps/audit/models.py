from django.conf import settings
from django.db import models

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
    "api_token.created": "created an API key",
    "api_token.revoked": "revoked an API key",
    "user.signed_out_everywhere": "signed out of all devices",
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
}


class AuditEvent(models.Model):
    """One row for every change to who may see or do what, and every read of
    sensitive data we choose to record (R39). Append-only: nothing updates these."""

    setting = models.ForeignKey(
        "tenancy.Setting", on_delete=models.CASCADE, null=True, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["setting", "-created_at"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"

    @property
    def description(self) -> str:
        return ACTION_WORDS.get(self.action, self.action)
