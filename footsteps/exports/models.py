import uuid

from django.db import models


class Export(models.Model):
    """A PDF of a child's journal, made in the background (R35, R36). The file
    has a random name and is served only through the policy (export.view)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being made"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    setting = models.ForeignKey("tenancy.Setting", on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        "people.Membership", on_delete=models.CASCADE, related_name="+"
    )
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)
    replies = models.BooleanField(default=False)
    # "family": what the family sees; "staff": staff-only entries too, marked.
    audience = models.CharField(max_length=10, default="family")
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file = models.CharField(max_length=200, blank=True)
    entries = models.PositiveIntegerField(default=0)
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
