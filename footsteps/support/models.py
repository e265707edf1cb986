"""Support access (R32): the operator reads no journal unless a manager lets
them in, for a limited time, with everything they do in the setting's log."""

from django.db import models
from django.utils import timezone


class SupportGrantQuerySet(models.QuerySet):
    def current(self, now=None):
        now = now or timezone.now()
        return self.filter(ends_at__gt=now, ended_at__isnull=True)


class SupportGrant(models.Model):
    setting = models.ForeignKey("tenancy.Setting", on_delete=models.CASCADE, related_name="+")
    granted_by = models.ForeignKey("people.Membership", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField()
    # Ended early by a manager.
    ended_at = models.DateTimeField(null=True, blank=True)
    # The operator's place in the setting while they help: made when they enter.
    membership = models.ForeignKey(
        "people.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = SupportGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["setting", "ends_at"])]

    def __str__(self):
        return f"Support for {self.setting_id} until {self.ends_at:%Y-%m-%d %H:%M}"

    @property
    def is_current(self) -> bool:
        return self.ended_at is None and self.ends_at > timezone.now()
