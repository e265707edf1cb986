"""Photos and videos on journal entries (R14, R19, R28, R30, R31).

A Media row is one file a person sent: it arrives in pieces (Upload), is
checked and converted by a background task (footsteps.media.processing), and
is then kept as storage objects under an unguessable key, served only through
the policy. Who appears in a photo is recorded per child (MediaChild): it
decides, when a journal is read, whether the photo may show there (R28)."""

import uuid

from django.db import models


class MediaQuerySet(models.QuerySet):
    def ready(self):
        return self.filter(status=Media.Status.READY, deleted_at__isnull=True)


class Media(models.Model):
    class Kind(models.TextChoices):
        PHOTO = "photo"
        VIDEO = "video"

    class Status(models.TextChoices):
        UPLOADING = "uploading", "Uploading"
        WAITING = "waiting", "Waiting to be processed"
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"
        NEEDS_TOOLS = "needs_tools", "Waiting for the server's tools"

    # The only name a file has outside the database: random, never an id.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    setting = models.ForeignKey("tenancy.Setting", on_delete=models.CASCADE, related_name="+")
    observation = models.ForeignKey(
        "journal.Observation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="media",
    )
    uploaded_by = models.ForeignKey("people.Membership", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=255, help_text="The file's name on the device.")
    kind = models.CharField(max_length=10, choices=Kind.choices, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UPLOADING)
    problem = models.CharField(max_length=300, blank=True)
    size = models.PositiveBigIntegerField(help_text="Bytes, as announced by the device.")
    received = models.PositiveBigIntegerField(default=0)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True)
    # Storage names of the kept files ("" until made).
    original = models.CharField(max_length=200, blank=True)
    display = models.CharField(max_length=200, blank=True)
    thumbnail = models.CharField(max_length=200, blank=True)
    video = models.CharField(max_length=200, blank=True)
    # The display size again as JPEG, for PDFs: PDF carries JPEG as it is but
    # cannot hold WebP, and decoding 600 WebP copies made an export 20 s slower.
    print_copy = models.CharField(max_length=200, blank=True)
    # The copies other children's journals get when children are covered (R28).
    redacted_display = models.CharField(max_length=200, blank=True)
    redacted_thumbnail = models.CharField(max_length=200, blank=True)
    redacted_print_copy = models.CharField(max_length=200, blank=True)
    redaction = models.JSONField(default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    children = models.ManyToManyField("children.Child", through="MediaChild", related_name="+")

    objects = MediaQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["observation", "position"])]

    def __str__(self):
        return self.name

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def can_retry(self) -> bool:
        return self.status in (self.Status.FAILED, self.Status.NEEDS_TOOLS) and hasattr(
            self, "upload"
        )


class Upload(models.Model):
    """The pieces of a file still arriving or waiting to be processed: each a
    storage object, so any app server takes the next piece and a broken
    upload resumes where it stopped. Deleted once processed or refused."""

    media = models.OneToOneField(Media, on_delete=models.CASCADE, related_name="upload")
    chunks = models.JSONField(default=list, help_text="Storage names, in order.")
    updated_at = models.DateTimeField(auto_now=True)


class MediaChild(models.Model):
    """A child and a photo: whether they appear in it (by default the children
    of its entry), are covered in the copy other journals get, or the photo
    is left out of their journal."""

    media = models.ForeignKey(Media, on_delete=models.CASCADE, related_name="child_links")
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")
    appears = models.BooleanField(default=True)
    covered = models.BooleanField(default=False)
    left_out = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["media", "child"], name="one_link_per_media_child")
        ]
