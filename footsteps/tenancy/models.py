from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Setting(models.Model):
    """A nursery, pre-school or reception class: the tenant that owns its data (R32)."""

    class Moderation(models.TextChoices):
        NONE = "none", "No review: staff observations are shared when published"
        ALL = "all", "Review every practitioner's observation before it is shared"
        NAMED = "named", "Review observations by named staff only"

    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    # Journal options, chosen by the setting's managers.
    moderation = models.CharField(max_length=10, choices=Moderation, default=Moderation.NONE)
    approve_parent_comments = models.BooleanField(
        default=False, help_text="Staff approve parents' comments before other staff see them."
    )
    late_entry_days = models.PositiveSmallIntegerField(
        default=7, help_text="Observations entered later than this many days are flagged late."
    )
    # Photos and videos (R31): limits on what is uploaded, and whether families
    # may download them or only view them in the journal.
    media_max_mb = models.PositiveIntegerField(
        "largest upload (MB)", default=500, help_text="Videos are the largest files."
    )
    media_max_megapixels = models.PositiveIntegerField("largest photo (megapixels)", default=50)
    media_max_video_seconds = models.PositiveIntegerField("longest video (seconds)", default=180)
    parents_may_download = models.BooleanField(
        default=True, help_text="Families may save photos and videos to their devices."
    )
    # R35: families may download their child's journal as a PDF.
    parents_may_download_pdf = models.BooleanField(
        "families may download their child's journal as a PDF", default=False
    )
    # R34: how long deleted items stay restorable before they are purged.
    purge_after_days = models.PositiveSmallIntegerField(
        "days in the deleted area",
        default=30,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
        help_text="Deleted items can be restored for this long, then go for good (7 to 365).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Raised by database triggers (footsteps.core.stamps): the journal version on
    # every change to what the journal pages show, keying cached pages
    # (footsteps.core.caching); the people version on changes to who may see
    # what (people, children, agreements, options), keying who a session is.
    journal_version = models.BigIntegerField(default=0, editable=False)
    people_version = models.BigIntegerField(default=0, editable=False)

    VERSIONS = ("journal_version", "people_version")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The versions only ever go up, in the database: a save never writes
        # back the (perhaps older) numbers this instance was read with.
        if self.pk and not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.VERSIONS
            ]
        super().save(*args, **kwargs)


class Agreement(models.Model):
    """One published version of a setting's parent or staff agreement (R3, R4).

    Versions are never edited: a change is a new version, which everyone of that
    audience must accept again before they see anything else.
    """

    class Audience(models.TextChoices):
        PARENT = "parent", "Parents and carers"
        STAFF = "staff", "Staff"

    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="agreements")
    audience = models.CharField(max_length=10, choices=Audience)
    version = models.PositiveIntegerField()
    body = models.TextField()
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["setting", "audience", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["setting", "audience", "version"], name="agreement_unique_version"
            )
        ]

    def __str__(self):
        return f"{self.get_audience_display()} agreement v{self.version}"


class AgreementAcceptance(models.Model):
    """Who accepted which version, when, and (for parents) the family's consent to
    use the journal at all (R29). Image consent is per child, on the child (R28)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="acceptances")
    membership = models.ForeignKey(
        "people.Membership", on_delete=models.CASCADE, related_name="acceptances"
    )
    accepted_at = models.DateTimeField(auto_now_add=True)
    journal_consent = models.BooleanField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "membership"], name="acceptance_once_per_version"
            )
        ]
