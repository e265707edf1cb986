"""Passwords (R1, R37): long enough for who the person is, and not one that is
common or has leaked. No rules about digits, capitals or symbols, and pasting
from a password manager is fine (NIST SP 800-63B, OWASP ASVS 2.1): length and
a list of known passwords stop guessing, composition rules only make people
write passwords down.

Staff (anyone with a staff membership, in any setting, in any state) and
anyone in no setting (the operator) need 12 characters; parents and carers 10.
Both validators sit in AUTH_PASSWORD_VALIDATORS, so every place a password is
set uses them: allauth's change and reset, the invitation's page (which is also
where new login details from a manager are chosen) and createsuperuser.
"""

import re
from pathlib import Path

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

STAFF_MIN_LENGTH = 12
PARENT_MIN_LENGTH = 10
LIST_PATH = Path(__file__).resolve().parent / "data" / "common-passwords.txt.gz"

# Keyboard and alphabet runs: "123456789012", "qwertyuiopas", "abcdefghijkl".
_RUNS = ("0123456789" * 3, "abcdefghijklmnopqrstuvwxyz" * 2, "qwertyuiopasdfghjklzxcvbnm" * 2)
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")


def _memberships(user) -> list[tuple[str, str]]:
    """(role, setting name) of every membership of a saved user."""
    if user is None or getattr(user, "pk", None) is None:
        return []
    from footsteps.people.models import Membership

    return list(Membership.objects.filter(user=user).values_list("role", "setting__name"))


def min_length_for(user, *, staff=STAFF_MIN_LENGTH, parent=PARENT_MIN_LENGTH) -> int:
    """A parent's minimum only for someone who is a parent or carer and nothing else."""
    roles = {role for role, _name in _memberships(user)}
    from footsteps.people.models import Role

    is_only_parent = roles == {Role.PARENT} and not getattr(user, "is_staff", False)
    return parent if is_only_parent else staff


def rule_for(user) -> str:
    """The rule, said on every form before the person types."""
    return (
        f"At least {min_length_for(user)} characters. A few unrelated words make a good "
        "password; spaces and pasting from a password manager are fine. Common and leaked "
        "passwords are refused."
    )


class RoleLengthValidator:
    """At least 12 characters for staff, 10 for parents and carers."""

    def __init__(self, staff_min_length=STAFF_MIN_LENGTH, parent_min_length=PARENT_MIN_LENGTH):
        self.staff, self.parent = staff_min_length, parent_min_length

    def validate(self, password, user=None):
        needed = min_length_for(user, staff=self.staff, parent=self.parent)
        if len(password) < needed:
            raise ValidationError(
                "Use at least %(needed)d characters: this one has %(length)d.",
                code="password_too_short",
                params={"needed": needed, "length": len(password)},
            )

    def get_help_text(self):
        return f"At least {self.staff} characters for staff, {self.parent} for parents and carers."


class LeakedPasswordValidator(CommonPasswordValidator):
    """Not on the shipped list of common and leaked passwords (data/README.md),
    nor one of them with digits or symbols around it ("Password2024!"), nor a
    keyboard run, one or two characters repeated, or the setting's name."""

    def __init__(self, password_list_path=LIST_PATH):
        super().__init__(password_list_path)

    def validate(self, password, user=None):
        lowered = password.lower().strip()
        if lowered in self.passwords:
            raise ValidationError("This password is too common.", code="password_too_common")
        core = _EDGES.sub("", lowered)
        if core in self.passwords:
            raise ValidationError(
                "This password is too common, even with numbers or symbols added.",
                code="password_too_common",
            )
        squeezed = re.sub(r"\s+", "", lowered)
        if len(set(squeezed)) <= 2 or any(squeezed in run for run in _RUNS):
            raise ValidationError(
                "This password is too easy to guess: it repeats or runs along the keyboard.",
                code="password_too_common",
            )
        names = {"footsteps"} | {
            re.sub(r"\W+", "", name.lower()) for _role, name in _memberships(user)
        }
        if re.sub(r"\W+", "", core) in names:
            raise ValidationError(
                "This password is too easy to guess: it is the name of the nursery or of "
                "Footsteps.",
                code="password_too_common",
            )

    def get_help_text(self):
        return "Not a common or leaked password."
