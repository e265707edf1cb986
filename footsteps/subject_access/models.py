import uuid

from django.db import models
from django.db.models import Q


class SubjectAccessExport(models.Model):
    """Everything Footsteps holds about one child, parent or member of staff
    in one setting, as a ZIP made in the background (R33, R35). The file has a
    random name and is served only through the policy (subject_access.view);
    it is deleted after a week (services.expire_subject_access)."""

    class Kind(models.TextChoices):
        CHILD = "child", "A child"
        PARENT = "parent", "A parent or carer"
        STAFF = "staff", "A member of staff"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being made"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    setting = models.ForeignKey("tenancy.Setting", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        "people.Membership", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind)
    subject_child = models.ForeignKey(
        "children.Child", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subject_member = models.ForeignKey(
        "people.Membership", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    # Progress in hundredths: the parts (data, files, PDF) differ too much in
    # kind to be counted in one unit.
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=100)
    file = models.CharField(max_length=200, blank=True)
    problem = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A child's export names a child; a person's a membership; never both.
            models.CheckConstraint(
                condition=(
                    Q(kind="child", subject_child__isnull=False, subject_member__isnull=True)
                    | Q(
                        kind__in=["parent", "staff"],
                        subject_child__isnull=True,
                        subject_member__isnull=False,
                    )
                ),
                name="subject_access_one_subject",
            )
        ]

    def __str__(self):
        return f"Subject access export {self.key} ({self.kind})"

    @property
    def subject_name(self) -> str:
        if self.subject_child is not None:
            return self.subject_child.full_name
        return self.subject_member.display_name if self.subject_member else ""

    @property
    def percent(self) -> int:
        if self.status == self.Status.READY:
            return 100
        return round(100 * self.done / self.total) if self.total else 0
