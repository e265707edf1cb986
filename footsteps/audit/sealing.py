"""Personal details in the activity log, erasable without touching the log.

The log is append-only and hash-chained (footsteps.audit.chain), yet a purge
must leave nothing personal about what it erased (R34). So the personal part
of an event (a child's changed name or date of birth, a person's former name
or address) is stored sealed: encrypted with a key of its own for that child
or person (SealKey). Erasing the child or the account deletes the key: the
rows, and every hash over them, stay exactly as written, and the details can
no longer be read by anyone, in this database or in any backup of it once
the erasure log is re-applied there (crypto-shredding).
"""

import json

from cryptography.fernet import Fernet, InvalidToken

from footsteps.audit.models import SealKey

# For each action, the data that says something about a child or person.
SEALED = {
    "child.updated": ("changes",),
    "assessments.recorded": ("aspects",),
    "person.name_corrected": ("before", "after"),
    "person.email_corrected": ("before",),
    "user.email_changed": ("before",),
    "user.signed_in": ("ip",),  # where a person was, each time they signed in
}
PREFIX = "sealed:"
ERASED = "(erased)"


def subject_of(target) -> str | None:
    """Whose key seals an event about `target`: a child's, or an account's."""
    label = target._meta.label_lower
    if label == "children.child":
        return f"child:{target.pk}"
    if label == "people.membership":
        return f"user:{target.user_id}"
    if label == "people.user":
        return f"user:{target.pk}"
    return None


def seal(action: str, target, data: dict) -> dict:
    fields = [name for name in SEALED.get(action, ()) if name in data]
    subject = subject_of(target) if fields and target is not None else None
    if subject is None:
        return data
    key, _ = SealKey.objects.get_or_create(
        subject=subject, defaults={"key": Fernet.generate_key().decode()}
    )
    fernet = Fernet(key.key.encode())
    sealed = dict(data)
    for name in fields:
        token = fernet.encrypt(json.dumps(data[name]).encode()).decode()
        sealed[name] = f"{PREFIX}{subject}:{token}"
    return sealed


def _parts(value) -> tuple[str, str] | None:
    if isinstance(value, str) and value.startswith(PREFIX):
        subject, _, token = value[len(PREFIX) :].rpartition(":")
        return subject, token
    return None


def open_details(events) -> list:
    """Give each event `details`: its data with sealed parts opened, or
    "(erased)" where the key is gone. One query for a whole page."""
    events = list(events)
    subjects = {
        parts[0]
        for event in events
        for value in event.data.values()
        if (parts := _parts(value)) is not None
    }
    keys = keys_for(subjects)
    for event in events:
        event.details = {name: open_value(value, keys) for name, value in event.data.items()}
    return events


def keys_for(subjects) -> dict[str, str]:
    return dict(SealKey.objects.filter(subject__in=subjects).values_list("subject", "key"))


def open_value(value, keys: dict):
    """A value as written: opened with `keys` (keys_for) if sealed."""
    parts = _parts(value)
    if parts is None:
        return value
    subject, token = parts
    if subject not in keys:
        return ERASED
    try:
        return json.loads(Fernet(keys[subject].encode()).decrypt(token.encode()))
    except InvalidToken:
        return ERASED


def shred(subjects) -> int:
    """Delete the keys: what they sealed can never be read again."""
    return SealKey.objects.filter(subject__in=list(subjects)).delete()[0]
