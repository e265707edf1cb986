import hashlib
import secrets

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac


def hash_token(token: str) -> str:
    """Tokens (invitations, API keys) are stored only as a SHA-256 hash: a database
    leak gives nobody a working link or key. They are long and random, so no salt."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_email(self, email: str):
        return self.get(email__iexact=email.strip())

    def create_user(self, email, password=None, **extra):
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person with a personal login (R1). Email is the sign-in name, unique
    whatever its case. What they may do depends on their Membership in a setting."""

    username = None
    first_name = None
    last_name = None
    full_name = models.CharField(max_length=150)
    email = models.EmailField(unique=True)
    # Part of every session's hash: changing it ends all of this person's sessions (R9).
    session_salt = models.CharField(max_length=64, default=secrets.token_hex, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]
    objects = UserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self):
        return self.full_name or self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def get_session_auth_hash(self):
        return salted_hmac(
            "footsteps.session", self.password + self.session_salt, algorithm="sha256"
        ).hexdigest()

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Role(models.TextChoices):
    MANAGER = "manager", "Manager"
    SENIOR = "senior", "Senior practitioner"
    PRACTITIONER = "practitioner", "Practitioner"
    PARENT = "parent", "Parent or carer"


STAFF_ROLES = frozenset({Role.MANAGER, Role.SENIOR, Role.PRACTITIONER})
REVIEWER_ROLES = frozenset({Role.MANAGER, Role.SENIOR})


# How a parent hears about new entries in their child's journal.
JOURNAL_EMAILS = [
    ("immediate", "As soon as something is shared"),
    ("daily", "One email a day"),
    ("never", "No emails"),
]


class MembershipQuerySet(models.QuerySet):
    def staff(self):
        return self.filter(role__in=STAFF_ROLES)

    def parents(self):
        return self.filter(role=Role.PARENT)

    def usable(self):
        """Memberships whose holder may sign in to the setting now."""
        return self.filter(status=Membership.Status.ACTIVE, user__is_active=True)

    def with_attending_child(self):
        """Parents with at least one child who still attends (R6)."""
        from footsteps.children.models import ParentLink

        return self.filter(Exists(ParentLink.objects.attending().filter(parent=OuterRef("pk"))))


class Membership(models.Model):
    """A person's place in one setting: their role and whether they may use it.

    A person can belong to several settings (a parent with children at two); each
    membership is separate and nothing crosses between them.
    """

    class Status(models.TextChoices):
        INVITED = "invited", "Invited"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        # In the deleted area (R34): no access, restorable until it is purged.
        DELETED = "deleted", "Deleted"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    setting = models.ForeignKey(
        "tenancy.Setting", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role)
    status = models.CharField(max_length=20, choices=Status, default=Status.INVITED)
    # Moderation of named staff only (students, new starters): R17.
    needs_review = models.BooleanField(default=False)
    journal_emails = models.CharField(
        max_length=10,
        choices=JOURNAL_EMAILS,
        default="immediate",
        help_text="How a parent hears about new entries in their child's journal.",
    )
    # The name this setting typed when inviting. Until the person joins, managers
    # see this, never the name an existing account carries from another setting.
    invited_name = models.CharField(max_length=150, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "setting"], name="one_membership_per_setting")
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}, {self.setting})"

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_parent(self) -> bool:
        return self.role == Role.PARENT

    @property
    def display_name(self) -> str:
        if self.joined_at is None and self.invited_name:
            return self.invited_name
        return str(self.user)


class Invitation(models.Model):
    """A single-use, expiring link that lets an invitee set their password (R2).

    Only the token's hash is stored. Sending a new invitation revokes earlier ones.
    """

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class ApiToken(models.Model):
    """A personal API key for one membership, for mobile apps and integrations.

    Acts as that person in that setting only, under the same access policy.
    """

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    # Keys end by themselves: a forgotten key on a lost tablet stops working.
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class EmailChange(models.Model):
    """A request to change one's sign-in address, waiting for the link sent to the
    new address to be opened (R1). Only the token's hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_changes")
    new_email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
