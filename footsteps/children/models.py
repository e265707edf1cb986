from django.db import models


class Room(models.Model):
    """A room or group of children within a setting (Babies, Toddlers, Pre-school)."""

    setting = models.ForeignKey("tenancy.Setting", on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["setting", "name"], name="room_unique_name_per_setting")
        ]

    def __str__(self):
        return self.name


class ChildQuerySet(models.QuerySet):
    def present(self):
        """Children not in the deleted area (whatever their status)."""
        return self.filter(deleted_at__isnull=True)

    def attending(self):
        """Children who still attend: not left, not in the deleted area (R6, R13)."""
        return self.filter(status=Child.Status.ACTIVE, deleted_at__isnull=True)


class Child(models.Model):
    """A child with a learning journal from joining until leaving (R13)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Attending"
        LEFT = "left", "Left"

    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"

    class ImageConsent(models.TextChoices):
        NOT_ASKED = "not_asked", "Not yet asked"
        GRANTED = "granted", "May appear in other children's journals"
        REFUSED = "refused", "Must not appear in other children's journals"

    setting = models.ForeignKey(
        "tenancy.Setting", on_delete=models.CASCADE, related_name="children"
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    room = models.ForeignKey(
        Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    key_person = models.ForeignKey(
        "people.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="key_children",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.ACTIVE)
    joined_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)
    # R28: the family's choice, kept per child and changeable at any time.
    image_consent = models.CharField(
        max_length=10, choices=ImageConsent, default=ImageConsent.NOT_ASKED
    )
    image_consent_changed_at = models.DateTimeField(null=True, blank=True)
    # Groups the cohort report compares (R24); managers keep them, with history
    # in the audit log. Season of birth and age cohort follow from the birth date.
    sex = models.CharField(max_length=10, choices=Sex, blank=True)
    send = models.BooleanField("special educational needs or disabilities (SEND)", default=False)
    eal = models.BooleanField("English as an additional language", default=False)
    eypp = models.BooleanField("Early Years Pupil Premium", default=False)
    funded_two = models.BooleanField("two-year-old funding", default=False)
    # R34: deleting moves a child to the deleted area first; a purge removes it later.
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["first_name", "last_name"]
        indexes = [models.Index(fields=["setting", "status"])]
        verbose_name_plural = "children"

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE and self.deleted_at is None


class ParentLinkQuerySet(models.QuerySet):
    def attending(self):
        """Links to children who still attend: only these give a family access (R6)."""
        return self.filter(child__status=Child.Status.ACTIVE, child__deleted_at__isnull=True)


class ParentLink(models.Model):
    """Links a parent or carer's membership to a child they may see (R5, R12)."""

    class Relationship(models.TextChoices):
        MOTHER = "mother", "Mother"
        FATHER = "father", "Father"
        PARENT = "parent", "Parent"
        GRANDPARENT = "grandparent", "Grandparent"
        CARER = "carer", "Carer"
        OTHER = "other", "Other"

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="parent_links")
    parent = models.ForeignKey(
        "people.Membership", on_delete=models.CASCADE, related_name="child_links"
    )
    relationship = models.CharField(max_length=20, choices=Relationship, default="parent")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ParentLinkQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "parent"], name="one_link_per_parent_child")
        ]

    def __str__(self):
        return f"{self.parent.user} is {self.get_relationship_display()} of {self.child}"


class PendingLink(models.Model):
    """A link a manager asked for between a child and someone who already uses
    this setting, waiting for that person to accept the invitation while signed
    in (R2, R5). Nobody sees a child's journal because an email address matched."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="pending_links")
    parent = models.ForeignKey(
        "people.Membership", on_delete=models.CASCADE, related_name="pending_links"
    )
    relationship = models.CharField(
        max_length=20, choices=ParentLink.Relationship, default="parent"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["child", "parent"], name="one_pending_link")]
