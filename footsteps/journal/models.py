from django.db import models


class ObservationQuerySet(models.QuerySet):
    def present(self):
        return self.filter(deleted_at__isnull=True)

    def published(self):
        return self.filter(status=Observation.Status.PUBLISHED, deleted_at__isnull=True)


class Observation(models.Model):
    """A journal entry about one or more children (R14). Photos and videos attach
    to it later through the media app; nothing here assumes text only.

    Staff entries go draft -> (awaiting review ->) published, or back to the author
    as returned (R17). Parents' entries go pending -> published or declined, or the
    parent withdraws them (R19).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        AWAITING_REVIEW = "awaiting_review", "Awaiting review"
        RETURNED = "returned", "Returned to author"
        PUBLISHED = "published", "Published"
        PENDING = "pending", "Waiting for approval"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"
        # An approved family entry staff took down as inappropriate (R38):
        # the family sees it was removed, and why (review_note).
        REMOVED = "removed", "Removed by the setting"

    class Source(models.TextChoices):
        STAFF = "staff", "Staff"
        PARENT = "parent", "Parent or carer"

    class Kind(models.TextChoices):
        OBSERVATION = "observation", "Observation"
        # Periodic summaries, shared and replied to like any entry (R27).
        LEARNING_STORY = "story", "Learning story"
        PROGRESS_CHECK = "check", "Progress check at age two"

    setting = models.ForeignKey(
        "tenancy.Setting", on_delete=models.CASCADE, related_name="observations"
    )
    kind = models.CharField(max_length=12, choices=Kind, default=Kind.OBSERVATION)
    # A progress check's summary per prime area: {"area key": "text"}.
    sections = models.JSONField(default=dict, blank=True)
    # The observations a learning story or progress check draws on.
    draws_on = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="+")
    author = models.ForeignKey(
        "people.Membership", on_delete=models.PROTECT, related_name="observations"
    )
    # An entry brought from another setting (R36): who wrote it there, as a
    # name (never an account here); `author` is the manager who imported it.
    author_name = models.CharField(max_length=150, blank=True)
    source = models.CharField(max_length=10, choices=Source, default=Source.STAFF)
    children = models.ManyToManyField(
        "children.Child", through="ObservationChild", related_name="observations"
    )
    title = models.CharField(max_length=200)
    notes = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)
    observed_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # R22: kept when the entry is first made, so late entries can be reported.
    entry_delay_minutes = models.PositiveIntegerField(default=0)
    is_late = models.BooleanField(default=False)
    shared_with_parents = models.BooleanField(default=True)
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "people.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Why it was returned (to staff) or declined (to a parent); the author sees it.
    review_note = models.TextField(blank=True)
    # Optimistic locking: an edit must name the version it started from.
    version = models.PositiveIntegerField(default=1)
    # Not stored: why observation_create kept an entry a draft (a photo that
    # consent stops, journal.services.ConsentConflict), for the page to say.
    held_back: Exception | None = None
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = ObservationQuerySet.as_manager()

    class Meta:
        ordering = ["-observed_at", "-id"]
        indexes = [
            models.Index(fields=["setting", "status", "-observed_at"]),
            models.Index(fields=["author", "status"]),
            # Staff lists (API, child journal, observation list) show every status
            # newest first: read in this order and stop at the page, not sort the setting.
            models.Index(fields=["setting", "-observed_at", "-id"]),
        ]

    def __str__(self):
        return self.title

    @property
    def author_display_name(self) -> str:
        """The name the journal shows as the author's: the one kept from the
        setting it came from, or the author's own (R36)."""
        return self.author_name or self.author.user.full_name


class ObservationChild(models.Model):
    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="links")
    child = models.ForeignKey(
        "children.Child", on_delete=models.CASCADE, related_name="observation_links"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["observation", "child"], name="observation_child_once")
        ]
        indexes = [models.Index(fields=["child", "observation"])]


class ObservationRevision(models.Model):
    """What an amendment changed, who made it and when (R16)."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="revisions")
    editor = models.ForeignKey("people.Membership", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # {"field": {"before": ..., "after": ...}} for each field that changed.
    changes = models.JSONField(default=dict)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class Comment(models.Model):
    """A reply on an observation (R18). Threads are per child, so each family sees
    only the conversation about their own child, never another family's words (R5)."""

    class Status(models.TextChoices):
        PUBLISHED = "published", "Published"
        PENDING = "pending", "Awaiting approval"
        # Taken down by staff as inappropriate (R38): its family sees only
        # that it was removed.
        REMOVED = "removed", "Removed by the setting"

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="comments")
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey("people.Membership", on_delete=models.PROTECT, related_name="+")
    author_name = models.CharField(max_length=150, blank=True)  # as on Observation (R36)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status, default=Status.PUBLISHED)
    # Written while the entry was staff-only: stays among staff even if the entry
    # is shared with the family later.
    staff_only = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        "people.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # R38: why staff removed it; staff read it with the original words.
    removed_reason = models.CharField(max_length=500, blank=True)
    # R34: in the deleted area until purged (footsteps.records).
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["observation", "child"])]

    @property
    def author_display_name(self) -> str:
        return self.author_name or self.author.user.full_name


class NextStep(models.Model):
    """A next step in a child's learning, recorded and reviewed by staff (R25)."""

    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="next_steps")
    observation = models.ForeignKey(
        Observation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField()
    created_by = models.ForeignKey("people.Membership", on_delete=models.PROTECT, related_name="+")
    author_name = models.CharField(max_length=150, blank=True)  # as on Observation (R36)
    created_at = models.DateTimeField(auto_now_add=True)
    achieved_at = models.DateTimeField(null=True, blank=True)
    achieved_by = models.ForeignKey(
        "people.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    @property
    def author_display_name(self) -> str:
        return self.author_name or self.created_by.user.full_name


class JournalVisit(models.Model):
    """That a parent opened their journal on a day, for the monitoring figure
    "share of families who viewed their journal" (R26). One row a parent a day."""

    parent = models.ForeignKey("people.Membership", on_delete=models.CASCADE, related_name="+")
    visited_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["parent", "visited_on"], name="one_visit_a_day")
        ]


class PendingNotice(models.Model):
    """A parent's notice held for their daily digest."""

    parent = models.ForeignKey("people.Membership", on_delete=models.CASCADE, related_name="+")
    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
