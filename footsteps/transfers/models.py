"""A child's journal moved to another setting (R36): the package a manager
makes (Transfer) and the packages a setting has taken in (ImportedPackage)."""

import uuid

from django.db import models


class Transfer(models.Model):
    """A transfer package of a child's journal, made in the background. The
    file has a random name and is served only through the policy
    (transfer.view); `code` signs it and travels apart from it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being made"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The package's own id, written in it: how a receiving setting knows it again.
    package_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    setting = models.ForeignKey("tenancy.Setting", on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        "people.Membership", on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file = models.CharField(max_length=200, blank=True)
    # The transfer code, shown to the managers of the setting that made it.
    code = models.CharField(max_length=19)
    entries = models.PositiveIntegerField(default=0)
    photos = models.PositiveIntegerField(default=0)
    problem = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    @property
    def percent(self) -> int:
        if self.status == self.Status.READY:
            return 100
        return round(100 * self.done / self.total) if self.total else 0


class ImportedPackage(models.Model):
    """A package taken into a setting: the same package is never taken twice.
    `contacts` are the families named in it, for the manager to invite (never
    linked by themselves); `summary` counts what came and what was not kept."""

    setting = models.ForeignKey("tenancy.Setting", on_delete=models.CASCADE, related_name="+")
    package_id = models.UUIDField()
    # The child made from it; going with it if the child is deleted for good,
    # so the package can then be imported again.
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")
    imported_by = models.ForeignKey(
        "people.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    source_setting = models.CharField(max_length=200, blank=True)
    source_site = models.CharField(max_length=200, blank=True)
    contacts = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["setting", "package_id"], name="package_imported_once")
        ]
