"""Shared tablets (R11): a device a manager registers for the setting, on
which staff who signed in fully earlier that day switch user with a short
personal PIN, and which locks after a short idle time."""

from django.db import models
from django.utils import timezone


class Tablet(models.Model):
    setting = models.ForeignKey("tenancy.Setting", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    # SHA-256 of the random token in the device's cookie: the cookie alone
    # proves the device, and a copy of the database does not give it.
    token_hash = models.CharField(max_length=64, unique=True)
    registered_by = models.ForeignKey(
        "people.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class SharedDeviceRules(models.Model):
    """A setting's rules for devices staff share (R11)."""

    setting = models.OneToOneField(
        "tenancy.Setting", on_delete=models.CASCADE, related_name="shared_device_rules"
    )
    # A member of staff's sign-in completes only when a manager confirms it on
    # that screen with their own password (managers themselves excepted).
    supervised_sign_in = models.BooleanField(default=False)

    def __str__(self):
        return f"shared device rules of setting {self.setting_id}"


class StaffPin(models.Model):
    """A member of staff's PIN for switching user on the setting's tablets,
    kept only as a slow hash (Argon2, as passwords are)."""

    membership = models.OneToOneField(
        "people.Membership", on_delete=models.CASCADE, related_name="tablet_pin"
    )
    pin_hash = models.CharField(max_length=200)
    set_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"PIN of membership {self.membership_id}"
