from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from footsteps.security.networks import validate_networks

WEEKDAYS = [
    ("0", "Monday"),
    ("1", "Tuesday"),
    ("2", "Wednesday"),
    ("3", "Thursday"),
    ("4", "Friday"),
    ("5", "Saturday"),
    ("6", "Sunday"),
]


def _minutes(default: int, help_text: str):
    return models.PositiveSmallIntegerField(
        default=default,
        validators=[MinValueValidator(5), MaxValueValidator(480)],
        help_text=help_text,
    )


class AccessRules(models.Model):
    """One setting's sign-in rules, set by its managers (R9, R10). A setting
    without a row has the defaults. Kept here, not on tenancy_setting, whose
    columns carry the version triggers (footsteps.core.stamps); every change
    goes through services.access_rules_update, which raises the setting's
    people version so that sessions see it on their next request."""

    setting = models.OneToOneField(
        "tenancy.Setting", on_delete=models.CASCADE, related_name="access_rules"
    )
    # R9: signed out after this long without a request.
    staff_idle_minutes = _minutes(30, "Staff are signed out after this long without activity.")
    parent_idle_minutes = _minutes(
        60, "Parents and carers are signed out after this long without activity."
    )
    # R10: staff access hours, in the setting's time zone (settings.TIME_ZONE:
    # Footsteps serves settings in England). Managers are never held to them.
    limit_hours = models.BooleanField(default=False)
    staff_days = models.CharField(max_length=7, default="01234")  # Monday is 0
    opens_at = models.TimeField(default=time(7, 0))
    closes_at = models.TimeField(default=time(19, 0))
    # R10: address ranges staff may use, one a line; none: any network.
    networks = models.TextField(blank=True, validators=[validate_networks])
    # R37: a second step after the password (footsteps.security.second_factor).
    # On for staff unless a manager turns it off; the operator always has it.
    staff_second_factor = models.BooleanField(default=True)
    parent_second_factor = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "access rules"

    def __str__(self):
        return f"access rules of setting {self.setting_id}"

    def clean(self):
        if set(self.staff_days) - {day for day, _name in WEEKDAYS}:
            raise ValidationError({"staff_days": "Choose days of the week."})
        if self.limit_hours and not self.staff_days:
            raise ValidationError({"staff_days": "Choose the days staff may sign in."})
        if self.limit_hours and self.opens_at >= self.closes_at:
            raise ValidationError(
                {"closes_at": "Closing must be later than opening, on the same day."}
            )

    def idle_minutes(self, *, staff: bool) -> int:
        return self.staff_idle_minutes if staff else self.parent_idle_minutes


class HomeAccess(models.Model):
    """A member of staff the manager lets sign in from any network (R10)."""

    membership = models.OneToOneField(
        "people.Membership", on_delete=models.CASCADE, related_name="home_access"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)


class SessionRecord(models.Model):
    """One signed-in browser, for the person's list of where they are signed in
    (R9). Written at sign-in and by the middleware at most once a minute.

    The session's key is kept only as a hash, with its first 8 characters to
    find the session again when the person ends it (as API keys keep a prefix).
    `auth_digest` is a hash of the session's own auth hash: a password change,
    "sign out of all devices", a suspension or new login details change the
    person's hash, so records of the sessions they ended stop being listed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_records"
    )
    key_prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    auth_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    # When it ends if nothing else happens: idle time or its whole lifetime.
    ends_at = models.DateTimeField()
    ip = models.CharField(max_length=45)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-last_seen"]
        indexes = [models.Index(fields=["user", "ends_at"])]

    def __str__(self):
        return f"session of user {self.user_id} since {self.created_at:%Y-%m-%d %H:%M}"


class RecoveryCode(models.Model):
    """One of a person's one-time recovery codes, for signing in when their phone
    or passkey is lost (R37). Kept only as a SHA-256 hash: each code is 80
    random bits, so the hash cannot be reversed by guessing. Shown once when
    made; making a new set deletes the old one; used once (used_at)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "used_at"])]

    def __str__(self):
        return f"recovery code of user {self.user_id}"
