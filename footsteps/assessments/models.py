"""EYFS frameworks as data, observations linked to them, and assessments.

A framework (Development Matters, Birth to 5 Matters, the EYFS Profile's Early
Learning Goals, the Characteristics of Effective Learning, or a setting's own)
has areas, aspects, bands and a judgement scale. The shipped ones are loaded
from `frameworks/*.toml` (footsteps.assessments.loading); a setting's own from
a CSV file.
"""

from django.db import models


class Framework(models.Model):
    class Kind(models.TextChoices):
        DEVELOPMENT = "development", "Development and progress"
        GOALS = "goals", "Early Learning Goals (EYFS Profile)"
        CHARACTERISTICS = "characteristics", "Characteristics of Effective Learning"

    # Empty for the frameworks Footsteps ships; a setting's own otherwise.
    setting = models.ForeignKey(
        "tenancy.Setting",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="own_frameworks",
    )
    key = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.DEVELOPMENT)
    # The data file's version: loading an older file over a newer one is refused.
    version = models.PositiveIntegerField(default=1)
    description = models.TextField(blank=True)
    # Ordered judgement scale: [{"key": "emerging", "name": "Emerging", "code": "1"}].
    judgements = models.JSONField(default=list, blank=True)
    # Chosen for a setting that has not chosen its frameworks yet.
    default = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=models.Q(setting=None), name="shipped_framework_key"
            ),
            models.UniqueConstraint(fields=["setting", "key"], name="own_framework_key"),
        ]

    def __str__(self):
        return self.name

    def judgement_name(self, key: str) -> str:
        return next((j["name"] for j in self.judgements if j["key"] == key), key)


class Area(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="areas")
    key = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    # What parents read in their feed: "Talking and listening", not "C&L".
    plain_name = models.CharField(max_length=200, blank=True)
    is_prime = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["framework_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "key"], name="area_key_per_framework")
        ]

    def __str__(self):
        return self.name

    @property
    def words_for_families(self) -> str:
        return self.plain_name or self.name


class Aspect(models.Model):
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="aspects")
    # Repeated from the area: reports filter aspects by framework without a join.
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="aspects")
    key = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    # One of the 12 Early Learning Goals the Good Level of Development needs.
    counts_for_gld = models.BooleanField(default=False)

    class Meta:
        ordering = ["framework_id", "area__order", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "key"], name="aspect_key_per_framework")
        ]

    def __str__(self):
        return self.name


class Band(models.Model):
    """An age band or range (Development Matters' "3 and 4-year-olds", Birth to
    5 Matters' "Range 5"). A child is expected in the latest band whose
    `from_months` their age has reached."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="bands")
    key = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    from_months = models.PositiveSmallIntegerField(default=0)
    to_months = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["framework_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "key"], name="band_key_per_framework")
        ]

    def __str__(self):
        return self.name


class Statement(models.Model):
    """An optional statement of what a child may do, under an aspect and band."""

    aspect = models.ForeignKey(Aspect, on_delete=models.CASCADE, related_name="statements")
    band = models.ForeignKey(
        Band, on_delete=models.CASCADE, null=True, blank=True, related_name="statements"
    )
    text = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["aspect_id", "order", "id"]


class SettingFramework(models.Model):
    """A framework a setting has chosen to use."""

    setting = models.ForeignKey(
        "tenancy.Setting", on_delete=models.CASCADE, related_name="framework_choices"
    )
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="choices")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["setting", "framework"], name="framework_chosen_once")
        ]


# --- Formative: observations linked to the framework -------------------------


class ObservationAspect(models.Model):
    """An aspect (or characteristic of effective learning) an observation shows."""

    observation = models.ForeignKey(
        "journal.Observation", on_delete=models.CASCADE, related_name="aspect_links"
    )
    aspect = models.ForeignKey(Aspect, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["observation", "aspect"], name="observation_aspect_once"
            )
        ]
        indexes = [models.Index(fields=["aspect", "observation"])]


class ObservationMark(models.Model):
    """A band and judgement for one child of an observation, for its aspects:
    one entry about a small group can mark each child differently."""

    observation = models.ForeignKey(
        "journal.Observation", on_delete=models.CASCADE, related_name="marks"
    )
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")
    band = models.ForeignKey(Band, on_delete=models.PROTECT, null=True, blank=True)
    judgement = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["observation", "child"], name="one_mark_per_child")
        ]


# --- Summative: assessment points --------------------------------------------


class AssessmentPeriod(models.Model):
    """An assessment point of a setting (on entry, autumn, the EYFS Profile)."""

    setting = models.ForeignKey(
        "tenancy.Setting", on_delete=models.CASCADE, related_name="assessment_periods"
    )
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="periods")
    name = models.CharField(max_length=100)
    # Ages are counted in whole months to this date.
    assessed_on = models.DateField()
    # Families see their own child's judgements of this period once shared.
    shared_with_parents = models.BooleanField(default=False)
    # The national share of children with a Good Level of Development, entered
    # by the manager for comparison (EYFS Profile periods).
    national_gld_percent = models.DecimalField(
        max_digits=4, decimal_places=1, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assessed_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["setting", "name"], name="period_name_per_setting")
        ]

    def __str__(self):
        return self.name


class Assessment(models.Model):
    """A child's band and judgement in one aspect at one assessment point (R23)."""

    period = models.ForeignKey(
        AssessmentPeriod, on_delete=models.CASCADE, related_name="assessments"
    )
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")
    aspect = models.ForeignKey(Aspect, on_delete=models.PROTECT, related_name="+")
    band = models.ForeignKey(Band, on_delete=models.PROTECT, null=True, blank=True)
    judgement = models.CharField(max_length=40, blank=True)
    on_track = models.BooleanField(null=True)
    evidence = models.ManyToManyField("journal.Observation", blank=True, related_name="+")
    recorded_by = models.ForeignKey("people.Membership", on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "child", "aspect"], name="one_assessment_per_aspect"
            )
        ]
        # The cohort report reads a period's rows by aspect; a child's page by child.
        indexes = [
            models.Index(fields=["period", "aspect", "on_track"]),
            models.Index(fields=["child", "period"]),
        ]


class AssessmentChange(models.Model):
    """What a change to an assessment replaced, by whom and when."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey("people.Membership", on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)
    # {"band": [before, after], "judgement": [...], "on_track": [...]}
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["-changed_at", "-id"]
