"""The records lifecycle (R34): what was deleted, when it goes for good, and
what was erased, for re-applying after a backup is restored."""

from django.db import models


class Deletion(models.Model):
    """An item in a setting's deleted area: gone from every page, restorable
    by a manager until `purge_after`, then deleted for good."""

    class Kind(models.TextChoices):
        OBSERVATION = "observation", "Observation"
        MEDIA = "media", "Photo or video"
        COMMENT = "comment", "Reply"
        CHILD = "child", "Child"
        MEMBERSHIP = "membership", "Parent, carer or member of staff"

    setting = models.ForeignKey("tenancy.Setting", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind)
    object_id = models.BigIntegerField()
    # What the manager reads in the deleted area ("“Den building” about Amy").
    # It goes with the purge.
    label = models.CharField(max_length=300)
    deleted_by = models.ForeignKey(
        "people.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    deleted_at = models.DateTimeField()
    purge_after = models.DateTimeField()
    # What went with it and comes back with it: {"observation": [ids], "media": [ids]}.
    took = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-deleted_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="deleted_once")]
        indexes = [
            models.Index(fields=["purge_after"]),
            models.Index(fields=["setting", "-deleted_at"]),
        ]

    def __str__(self):
        return self.label


class Erasure(models.Model):
    """That a record was deleted for good: kind and id only, no personal
    content. After a backup is restored, `manage.py reapply_erasures` deletes
    these again, so a restore never brings a purged child back."""

    setting_id = models.BigIntegerField(null=True)
    kind = models.CharField(max_length=20)
    object_id = models.BigIntegerField()
    erased_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "object_id"])]
