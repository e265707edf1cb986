"""The deleted area and permanent deletion (R34).

Deleting moves an item to its setting's deleted area: its `deleted_at` is set,
so the policy (NotDeleted rules) takes it out of every page, feed, API answer,
report and export at once, and the cache-version triggers retire kept pages.
A manager restores it with all it had. After the setting's delay a purge
deletes it for good, files first, then rows, leaving an Erasure (kind and id)
and an audit entry without personal content.
"""

import json
import logging
import os
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from footsteps.access.actor import Actor
from footsteps.access.policy import require
from footsteps.audit import sealing
from footsteps.audit.services import audit_act, audit_record
from footsteps.children.models import Child, ParentLink, PendingLink
from footsteps.journal.models import Comment, Observation
from footsteps.media.models import Media, MediaChild, Upload
from footsteps.people.models import ApiToken, Invitation, Membership, Role
from footsteps.people.selectors import active_managers
from footsteps.people.services import end_sessions
from footsteps.records.models import Deletion, Erasure
from footsteps.tenancy.models import Setting

log = logging.getLogger(__name__)
Kind = Deletion.Kind


def _first_names(observation: Observation) -> str:
    return ", ".join(link.child.first_name for link in observation.links.select_related("child"))


def _move_to_deleted_area(
    actor: Actor, *, kind: str, obj, label: str, took: dict | None = None
) -> Deletion:
    now = timezone.now()
    if kind != Kind.MEMBERSHIP:  # a membership's status says it (membership_delete)
        type(obj).objects.filter(pk=obj.pk).update(deleted_at=now)
    setting = actor.member.setting
    deletion = Deletion.objects.create(
        setting=setting,
        kind=kind,
        object_id=obj.pk,
        label=label[:300],
        deleted_by=actor.member,
        deleted_at=now,
        purge_after=now + timedelta(days=setting.purge_after_days),
        took=took or {},
    )
    audit_act(actor, f"{kind}.deleted", target=obj, deletion=deletion.pk)
    return deletion


@transaction.atomic
def observation_delete(*, actor: Actor, observation: Observation) -> Deletion:
    require(actor, "observation.delete", observation)
    label = f"“{observation.title}” about {_first_names(observation)}"
    return _move_to_deleted_area(actor, kind=Kind.OBSERVATION, obj=observation, label=label)


@transaction.atomic
def comment_delete(*, actor: Actor, comment: Comment) -> Deletion:
    require(actor, "comment.delete", comment)
    label = f"Reply by {comment.author_display_name} on “{comment.observation.title}”"
    return _move_to_deleted_area(actor, kind=Kind.COMMENT, obj=comment, label=label)


@transaction.atomic
def media_delete(*, actor: Actor, media: Media) -> Deletion:
    """A photo or video off its entry and out of every journal."""
    require(actor, "media.edit", media)
    on = f" on “{media.observation.title}”" if media.observation else ""
    return _move_to_deleted_area(actor, kind=Kind.MEDIA, obj=media, label=f"{media.name}{on}")


@transaction.atomic
def child_delete(*, actor: Actor, child: Child) -> Deletion:
    """A child and the entries about them alone (with their photos) go to the
    deleted area together, and come back together."""
    require(actor, "child.delete", child)
    alone = list(
        Observation.objects.present()
        .filter(links__child=child)
        .exclude(links__child__in=Child.objects.exclude(pk=child.pk))
        .values_list("pk", flat=True)
    )
    media = list(
        Media.objects.filter(observation_id__in=alone, deleted_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    now = timezone.now()
    Observation.objects.filter(pk__in=alone).update(deleted_at=now)
    Media.objects.filter(pk__in=media).update(deleted_at=now)
    return _move_to_deleted_area(
        actor,
        kind=Kind.CHILD,
        obj=child,
        label=child.full_name,
        took={"observation": alone, "media": media},
    )


@transaction.atomic
def membership_delete(*, actor: Actor, membership: Membership) -> Deletion:
    """A parent's, carer's or staff member's account in this setting goes to
    the deleted area: no access at once (sessions and keys end, as on
    suspension), out of every list; restored as it was. What they wrote in
    children's journals stays there: it is the children's record."""
    require(actor, "membership.manage", membership)
    if membership.pk == actor.member.pk:
        raise ValidationError("You cannot delete yourself.", code="conflict")
    if membership.role == Role.MANAGER and not (
        active_managers(membership.setting_id).exclude(pk=membership.pk).exists()
    ):
        raise ValidationError("A setting needs at least one active manager.", code="conflict")
    previous = membership.status
    Membership.objects.filter(pk=membership.pk).update(status=Membership.Status.DELETED)
    Invitation.objects.filter(membership=membership, used_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    ApiToken.objects.filter(membership=membership, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    end_sessions(membership.user)
    label = f"{membership.display_name} ({membership.get_role_display().lower()})"
    return _move_to_deleted_area(
        actor, kind=Kind.MEMBERSHIP, obj=membership, label=label, took={"status": previous}
    )


MODELS: dict[str, Any] = {
    Kind.OBSERVATION: Observation,
    Kind.MEDIA: Media,
    Kind.COMMENT: Comment,
    Kind.CHILD: Child,
    Kind.MEMBERSHIP: Membership,
}


@transaction.atomic
def restore(*, actor: Actor, deletion: Deletion) -> None:
    """Bring an item back from the deleted area with all it had."""
    require(actor, "deletion.restore", deletion)
    if deletion.kind == Kind.MEMBERSHIP:
        status = deletion.took.get("status", Membership.Status.SUSPENDED)
        Membership.objects.filter(pk=deletion.object_id).update(status=status)
    else:
        MODELS[deletion.kind].objects.filter(pk=deletion.object_id).update(deleted_at=None)
    Observation.objects.filter(pk__in=deletion.took.get("observation", [])).update(deleted_at=None)
    Media.objects.filter(pk__in=deletion.took.get("media", [])).update(deleted_at=None)
    audit_act(actor, f"{deletion.kind}.restored", deletion=deletion.pk)
    deletion.delete()


# --- Permanent deletion ----------------------------------------------------------


def _media_files(media_ids) -> list[str]:
    names = []
    fields = (
        "original",
        "display",
        "thumbnail",
        "video",
        "print_copy",
        "redacted_display",
        "redacted_thumbnail",
        "redacted_print_copy",
    )
    for row in Media.objects.filter(pk__in=media_ids).values(*fields):
        names += [name for name in row.values() if name]
    for upload in Upload.objects.filter(media_id__in=media_ids):
        names += upload.chunks
    return names


def _made_files(child_ids, membership_ids) -> list[str]:
    """PDFs, transfer packages and subject access files made about the
    children and people being erased: they go with them, not a week later."""
    from footsteps.exports.models import Export
    from footsteps.subject_access.models import SubjectAccessExport
    from footsteps.transfers.models import Transfer

    names = list(Export.objects.filter(child_id__in=child_ids).values_list("file", flat=True))
    names += Transfer.objects.filter(child_id__in=child_ids).values_list("file", flat=True)
    names += SubjectAccessExport.objects.filter(
        Q(subject_child_id__in=child_ids) | Q(subject_member_id__in=membership_ids)
    ).values_list("file", flat=True)
    return [name for name in names if name]


def _erasing(batch: list[Deletion]) -> dict[str, set[int]]:
    """Every row a batch of deletions erases, by kind: the items, what they
    took with them, and the photos of every entry erased."""
    ids: dict[str, set[int]] = {kind: set() for kind in MODELS}
    for deletion in batch:
        ids[deletion.kind].add(deletion.object_id)
        for kind, more in deletion.took.items():
            if kind in ids:  # not a membership's former status
                ids[kind].update(more)
    ids[Kind.MEDIA] |= set(
        Media.objects.filter(observation_id__in=ids[Kind.OBSERVATION]).values_list("pk", flat=True)
    )
    ids[Kind.MEDIA] |= _shown_without_consent(ids)
    return ids


COVER = "cover"  # photos kept only in their covered copy (see _shown_without_consent)


def _shown_without_consent(ids: dict[str, set[int]]) -> set[int]:
    """Photos on other children's entries showing an erased child whose
    family had not agreed to other journals (R28). Their link to the child
    goes with the child, and with it what kept the photo out of the others'
    journals: a photo where the child is covered keeps only its covered copy
    (ids[COVER]); any other goes with the child. Returns the latter."""
    links = (
        MediaChild.objects.filter(child_id__in=ids[Kind.CHILD], appears=True)
        .exclude(media_id__in=ids[Kind.MEDIA])
        .exclude(child__image_consent=Child.ImageConsent.GRANTED)
        .values_list("media_id", "covered", "media__redacted_display")
    )
    cover: set[int] = set()
    erase: set[int] = set()
    for media_id, covered, redacted in links:
        (cover if covered and redacted else erase).add(media_id)
    ids[COVER] = cover - erase
    return erase


def _uncovered_files(media_ids) -> list[str]:
    """The files of photos about to keep only their covered copy."""
    rows = Media.objects.filter(pk__in=media_ids).values_list(
        "original", "display", "thumbnail", "print_copy"
    )
    return [name for row in rows for name in row if name]


def _keep_covered_copy(media_ids) -> None:
    Media.objects.filter(pk__in=media_ids).update(
        original=F("redacted_display"),
        display=F("redacted_display"),
        thumbnail=F("redacted_thumbnail"),
        print_copy=F("redacted_print_copy"),
        redacted_display="",
        redacted_thumbnail="",
        redacted_print_copy="",
        redaction=[],
    )


def purge_due(*, now=None, batch_size: int = 200, pause: float = 0.0) -> int:
    """Delete for good everything whose delay has passed, a batch at a time.
    Files first, then the rows in one transaction: killed at any point, the
    next run finishes the work (deleting a file twice is harmless) and leaves
    no file without its row's record. Returns how many deletions it ended."""
    import time

    now = now or timezone.now()
    done = 0
    while True:
        batch = list(Deletion.objects.filter(purge_after__lte=now).order_by("id")[:batch_size])
        if not batch:
            return done
        ids = _erasing(batch)
        made = _made_files(ids[Kind.CHILD], ids[Kind.MEMBERSHIP])
        uncovered = _uncovered_files(ids[COVER])
        for name in _media_files(ids[Kind.MEDIA]) + made + uncovered:
            default_storage.delete(name)
        with transaction.atomic():
            _erase_rows(batch, ids)
        done += len(batch)
        if pause:
            time.sleep(pause)


def _log_erasures(entries: list[dict]) -> None:
    """Append to the erasure log outside the database, and make sure it is on
    disk before the rows go: a line for a row that then survives (the
    transaction failed) only means a later re-apply deletes what was due."""
    path = settings.ERASURE_LOG
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as log_file:
        for entry in entries:
            log_file.write(json.dumps(entry, sort_keys=True) + "\n")
        log_file.flush()
        os.fsync(log_file.fileno())


def _erase_rows(batch: list[Deletion], ids: dict[str, set[int]]) -> None:
    settings_of = {d.setting_id for d in batch}
    at = timezone.now().isoformat()
    _log_erasures(
        [
            {"kind": kind, "id": pk, "at": at}
            for kind in (Kind.CHILD, Kind.OBSERVATION, Kind.MEDIA, Kind.COMMENT, Kind.MEMBERSHIP)
            for pk in sorted(ids[kind])
        ]
    )
    erase_memberships(ids[Kind.MEMBERSHIP])
    _keep_covered_copy(ids.get(COVER, ()))
    # Children last: their entries (and those entries' photos) first.
    Media.objects.filter(pk__in=ids[Kind.MEDIA]).delete()
    Comment.objects.filter(pk__in=ids[Kind.COMMENT]).delete()
    Observation.objects.filter(pk__in=ids[Kind.OBSERVATION]).delete()
    Child.objects.filter(pk__in=ids[Kind.CHILD]).delete()
    # Their details in old log rows can no longer be read (footsteps.audit.sealing).
    sealing.shred(f"child:{pk}" for pk in ids[Kind.CHILD])
    Erasure.objects.bulk_create(
        Erasure(setting_id=d.setting_id, kind=d.kind, object_id=d.object_id) for d in batch
    )
    Erasure.objects.bulk_create(
        Erasure(kind=kind, object_id=pk)
        for kind in (Kind.OBSERVATION, Kind.MEDIA)
        for pk in ids[kind] - {d.object_id for d in batch if d.kind == kind}
    )
    # Other deletions of what this batch erased (a photo deleted before its entry).
    Deletion.objects.filter(kind=Kind.MEDIA, object_id__in=ids[Kind.MEDIA]).delete()
    Deletion.objects.filter(kind=Kind.OBSERVATION, object_id__in=ids[Kind.OBSERVATION]).delete()
    Deletion.objects.filter(pk__in=[d.pk for d in batch]).delete()
    for setting_id in settings_of:
        counts = {
            kind: sum(1 for d in batch if d.setting_id == setting_id and d.kind == kind)
            for kind in MODELS
        }
        audit_record(
            actor=None,
            setting=Setting(pk=setting_id),
            action="records.purged",
            **{kind: n for kind, n in counts.items() if n},
        )


def erase_memberships(ids) -> None:
    """Erase what a deleted account held about its person in the setting. The
    row stays, nameless, for the entries and replies it wrote (the children's
    record); their links, keys and invitations go. The account itself is
    erased too unless the person also belongs to another setting."""
    from footsteps.subject_access.models import SubjectAccessExport

    memberships = list(Membership.objects.filter(pk__in=ids).select_related("user"))
    if not memberships:
        return
    ParentLink.objects.filter(parent__in=memberships).delete()
    PendingLink.objects.filter(parent__in=memberships).delete()
    ApiToken.objects.filter(membership__in=memberships).delete()
    Invitation.objects.filter(membership__in=memberships).delete()
    SubjectAccessExport.objects.filter(subject_member__in=memberships).delete()
    Membership.objects.filter(pk__in=ids).update(
        status=Membership.Status.DELETED, invited_name="", needs_review=False
    )
    for membership in memberships:
        user = membership.user
        if Membership.objects.filter(user=user).exclude(pk__in=ids).exists():
            continue
        erase_account(user)


def erase_account(user) -> None:
    """An account nobody can use or recognise: no name, an address that
    cannot receive mail, no password, no sessions."""
    from allauth.account.models import EmailAddress

    from footsteps.people.models import EmailChange

    EmailAddress.objects.filter(user=user).delete()
    EmailChange.objects.filter(user=user).delete()
    user.full_name = "Former member"
    user.email = f"erased-{user.pk}@erased.invalid"
    user.is_active = False
    user.set_unusable_password()
    user.session_salt = secrets.token_hex()
    user.save()
    sealing.shred([f"user:{user.pk}"])


def _logged() -> dict[str, set[int]]:
    """What the erasure log (the file, and the table) says was deleted for good."""
    erased: dict[str, set[int]] = {kind: set() for kind in MODELS}
    path = settings.ERASURE_LOG
    if path.exists():
        with path.open(encoding="utf-8") as log_file:
            for line in log_file:
                if line.strip():
                    entry = json.loads(line)
                    erased.setdefault(entry["kind"], set()).add(int(entry["id"]))
    for kind, pk in Erasure.objects.values_list("kind", "object_id"):
        erased.setdefault(kind, set()).add(pk)
    return erased


def reapply_erasures() -> int:
    """After restoring a backup: delete again everything the erasure log says
    was deleted for good (files too). Returns how many rows were found again."""
    found = 0
    logged = _logged()
    # A restored backup brings back the keys that sealed their details too.
    erased_users = Membership.objects.filter(
        pk__in=logged[Kind.MEMBERSHIP], user__email__endswith="@erased.invalid"
    ).values_list("user_id", flat=True)
    sealing.shred(
        [f"child:{pk}" for pk in logged[Kind.CHILD]] + [f"user:{pk}" for pk in erased_users]
    )
    # PDFs, packages and subject access files the backup brought back about them.
    for name in _made_files(logged[Kind.CHILD], logged[Kind.MEMBERSHIP]):
        default_storage.delete(name)
    # Photos of those children on others' entries, as the purge left them.
    again: dict[str, set[int]] = {kind: set() for kind in MODELS}
    again[Kind.CHILD] = set(logged[Kind.CHILD])
    erase = _shown_without_consent(again)
    for name in _media_files(erase) + _uncovered_files(again[COVER]):
        default_storage.delete(name)
    Media.objects.filter(pk__in=erase).delete()
    _keep_covered_copy(again[COVER])
    for kind, model in MODELS.items():
        ids = logged[kind]
        if not ids:
            continue
        present = set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))
        if not present:
            continue
        found += len(present)
        if kind == Kind.MEDIA:
            for name in _media_files(present):
                default_storage.delete(name)
        if kind == Kind.OBSERVATION:
            photos = Media.objects.filter(observation_id__in=present).values_list("pk", flat=True)
            for name in _media_files(list(photos)):
                default_storage.delete(name)
        if kind == Kind.MEMBERSHIP:
            # Kept nameless for what they wrote: erased again if restored named.
            named = set(
                Membership.objects.filter(pk__in=present)
                .exclude(user__email__endswith="@erased.invalid", invited_name="")
                .values_list("pk", flat=True)
            )
            erase_memberships(named)
            found -= len(present) - len(named)
            continue
        model.objects.filter(pk__in=present).delete()
        Deletion.objects.filter(kind=kind, object_id__in=present).delete()
    return found
