"""The journal transfer package (R36): one ZIP file that moves a child's
journal to another setting, on this Footsteps or another one.

    journal.json   the child, the family's contacts, the entries with their
                   replies, areas of learning and photos, and the next steps
    media/...      each photo or video as stored (already without metadata)
    manifest.json  format, version, package id, where it comes from, and the
                   size and SHA-256 of journal.json and of every media file
    signature      hex HMAC-SHA256 of the manifest's exact bytes, keyed by a
                   key derived (PBKDF2, the package id as salt) from the
                   transfer code

The code is shown to the manager who made the package and travels apart from
the file (by phone, by letter). Whoever holds both can import it, and a change
to any byte of it is found; no secret is shared between deployments, so any
Footsteps checks it alike.

Reading checks everything before anything is written (`read_package`): a ZIP
that is complete, safe names only, the manifest's format and version, the
signature, each file's size and checksum and no file beyond the manifest,
journal.json against a strict schema, and media that are photos or videos.
"""

import contextlib
import hashlib
import hmac
import json
import secrets
import time
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, BinaryIO, Literal

from django.core.exceptions import ValidationError
from django.utils import timezone
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints
from pydantic import ValidationError as SchemaError

from footsteps.media import processing

FORMAT = "footsteps-journal-transfer"
VERSION = 1
JOURNAL = "journal.json"
MANIFEST = "manifest.json"
SIGNATURE = "signature"
# Letters and digits nobody mistakes for another over the phone (no I, L, O, 0, 1).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_GROUPS, CODE_GROUP_SIZE = 4, 4  # 16 characters: about 79 bits
KDF_ITERATIONS = 200_000
PIECE = 1024 * 1024
# What a package may hold: far above any real journal, low enough that a
# hostile file cannot fill the disk (sizes are read as declared, then held to).
MAX_FILES = 50_000
MAX_FILE_BYTES = 2 * 1024**3
MAX_TOTAL_BYTES = 20 * 1024**3
MAX_MANIFEST_BYTES = 16 * 1024**2
MAX_JOURNAL_BYTES = 128 * 1024**2

INCOMPLETE = (
    "This file is incomplete: ask for it again. It may have been cut short when it was "
    "downloaded or copied."
)


class Refused(ValidationError):
    """A package that cannot be imported: `str()` says why in plain words,
    `code` is the kind of reason kept in the audit log."""

    def __init__(self, code: str, message: str):
        super().__init__(message, code=code)


# --- The transfer code and the signature --------------------------------------


def new_code() -> str:
    """A random code, as shown: "ABCD-EFGH-JKMN-PQRS"."""
    return "-".join(
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_SIZE))
        for _ in range(CODE_GROUPS)
    )


def normalise_code(text: str) -> str | None:
    """The code as typed (any case, spaces or dashes), in its shown form, or
    None if it cannot be one."""
    letters = "".join(ch for ch in str(text).upper() if ch not in " -\t")
    if len(letters) != CODE_GROUPS * CODE_GROUP_SIZE or any(
        ch not in CODE_ALPHABET for ch in letters
    ):
        return None
    size = CODE_GROUP_SIZE
    return "-".join(letters[i : i + size] for i in range(0, len(letters), size))


def sign(manifest: bytes, code: str, package_id: uuid.UUID) -> str:
    """The signature of the manifest's bytes: a key derived from the code,
    salted with the package id, so each package has its own key."""
    key = hashlib.pbkdf2_hmac(
        "sha256",
        code.replace("-", "").encode(),
        f"{FORMAT}/{package_id}".encode(),
        KDF_ITERATIONS,
    )
    return hmac.new(key, manifest, hashlib.sha256).hexdigest()


# --- The schema of manifest.json and journal.json ------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _text(most: int, least: int = 0):
    return Annotated[str, StringConstraints(min_length=least, max_length=most)]


MEDIA_PATH = r"^media/[0-9]{5,7}\.(jpg|png|webp|mp4)$"
Slug = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$")]
EntryId = Annotated[str, StringConstraints(pattern=r"^e[0-9]{1,19}$")]


class ManifestFile(_Strict):
    path: Annotated[str, StringConstraints(pattern=rf"^(journal\.json|{MEDIA_PATH[1:-1]})$")]
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    size: int = Field(ge=0, le=MAX_FILE_BYTES)


class Source(_Strict):
    setting: _text(200)
    site: _text(200)


class Manifest(_Strict):
    format: Literal["footsteps-journal-transfer"]
    version: Literal[1]
    package_id: uuid.UUID
    created_at: AwareDatetime
    source: Source
    files: list[ManifestFile] = Field(max_length=MAX_FILES)


class ChildData(_Strict):
    first_name: _text(100, 1)
    last_name: _text(100, 1)
    date_of_birth: date
    sex: Literal["", "female", "male"]
    send: bool
    eal: bool
    eypp: bool
    funded_two: bool


class Family(_Strict):
    name: _text(150, 1)
    email: Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")]
    relationship: Literal["mother", "father", "parent", "grandparent", "carer", "other"]


class Tag(_Strict):
    framework: Slug
    aspect: Slug


class Mark(_Strict):
    """Where the child was, by this entry: a band of a framework and a judgement."""

    framework: Slug | None
    band: Slug | None
    judgement: _text(40)


class Reply(_Strict):
    author: _text(150)
    created_at: AwareDatetime
    body: _text(100_000, 1)
    staff_only: bool


class MediaItem(_Strict):
    path: Annotated[str, StringConstraints(pattern=MEDIA_PATH)]
    kind: Literal["photo", "video"]
    name: _text(255)
    width: int | None = Field(ge=1, le=1_000_000)
    height: int | None = Field(ge=1, le=1_000_000)
    duration: float | None = Field(ge=0)


class Entry(_Strict):
    id: EntryId
    kind: Literal["observation", "story", "check"]
    source: Literal["staff", "parent"]
    title: _text(200, 1)
    notes: _text(1_000_000)
    next_steps: _text(100_000)
    sections: dict[_text(80, 1), _text(100_000)] = Field(max_length=50)
    observed_at: AwareDatetime
    created_at: AwareDatetime
    published_at: AwareDatetime | None
    author: _text(150)
    staff_only: bool
    tags: list[Tag] = Field(max_length=500)
    # Added after the first packages: absent from those, so optional.
    marks: list[Mark] = Field(default_factory=list, max_length=1)
    draws_on: list[EntryId] = Field(max_length=10_000)
    replies: list[Reply] = Field(max_length=10_000)
    media: list[MediaItem] = Field(max_length=1_000)


class NextStepData(_Strict):
    text: _text(100_000, 1)
    author: _text(150)
    created_at: AwareDatetime
    achieved_at: AwareDatetime | None
    entry: EntryId | None


class Journal(_Strict):
    format_version: Literal[1]
    child: ChildData
    families: list[Family] = Field(max_length=50)
    entries: list[Entry] = Field(max_length=MAX_FILES)
    next_steps: list[NextStepData] = Field(max_length=MAX_FILES)


# --- Writing ---------------------------------------------------------------------


class PackageWriter:
    """Writes a package into an open binary file, one member at a time, each
    streamed (bounded memory) and counted and hashed as it goes."""

    def __init__(self, out: BinaryIO):
        self.zip = zipfile.ZipFile(out, "w", allowZip64=True)
        self.files: list[dict] = []

    def _member(self, path: str, compress: bool) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(path, date_time=time.localtime()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o100644 << 16  # a plain file, never a link
        return info

    @contextlib.contextmanager
    def writing(self, path: str, *, compress: bool = True) -> Iterator[Callable[[bytes], None]]:
        """Yields `write(bytes)` for the member `path`, listed in the manifest."""
        digest, size = hashlib.sha256(), 0
        with self.zip.open(self._member(path, compress), "w", force_zip64=True) as target:

            def write(data: bytes) -> None:
                nonlocal size
                digest.update(data)
                size += len(data)
                target.write(data)

            yield write
        self.files.append({"path": path, "sha256": digest.hexdigest(), "size": size})

    def copy(self, path: str, source: BinaryIO) -> None:
        """A media file, stored as it is (photos and videos are compressed already)."""
        with self.writing(path, compress=False) as write:
            while piece := source.read(PIECE):
                write(piece)

    def finish(self, *, package_id: uuid.UUID, code: str, setting: str, site: str) -> None:
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "package_id": str(package_id),
            "created_at": timezone.now().isoformat(),
            "source": {"setting": setting, "site": site},
            "files": self.files,
        }
        data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
        self.zip.writestr(self._member(MANIFEST, True), data)
        self.zip.writestr(self._member(SIGNATURE, False), sign(data, code, package_id) + "\n")
        self.zip.close()


# --- Reading ---------------------------------------------------------------------


@dataclass
class Package:
    manifest: Manifest
    journal: Journal
    media: dict[str, Path]  # path in the package -> the checked copy on local disk


def read_package(file: BinaryIO, code: str, folder: Path) -> Package:
    """Check everything about an uploaded package, copying its files into
    `folder` (local, temporary) as they are checked; Refused with the reason
    at the first problem. Nothing is written anywhere else."""
    archive = _open(file)
    with archive:
        members = _members(archive)
        manifest_bytes = _small(archive, members, MANIFEST, MAX_MANIFEST_BYTES)
        manifest = _manifest(manifest_bytes, code, _small(archive, members, SIGNATURE, 1024))
        local = _checked_files(archive, members, manifest, folder)
    journal = _journal(local.pop(JOURNAL))
    _same_media(journal, local)
    return Package(manifest=manifest, journal=journal, media=local)


def _open(file: BinaryIO) -> zipfile.ZipFile:
    file.seek(0)
    head = file.read(4)
    file.seek(0)
    if head not in (b"PK\x03\x04", b"PK\x05\x06"):
        raise Refused(
            "foreign",
            "This is not a Footsteps journal transfer: it is not the ZIP file Footsteps "
            "makes. Ask the setting that sent it for the transfer package (a .zip file).",
        )
    try:
        return zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        raise Refused("incomplete", INCOMPLETE) from error


def _unsafe(name: str) -> bool:
    """A name that could point outside the folder it is read into."""
    parts = name.split("/")
    return (
        not name
        or len(name) > 255
        or name.startswith("/")
        or any(ch in name for ch in "\\:\x00")
        or any(part in ("", ".", "..") for part in parts)
    )


def _members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > MAX_FILES + 2:
        raise Refused("too_large", f"The package holds more than {MAX_FILES} files.")
    members: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename
        if _unsafe(name) or _unsafe(info.orig_filename.replace("\\", "/")) or "\\" in name:
            raise Refused(
                "unsafe_name",
                f"The package holds a file named “{name[:100]}”, which could be written "
                "outside its folder: it was not made by Footsteps, or was changed after.",
            )
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            raise Refused(
                "unsafe_name",
                f"The package holds a link ({name[:100]}), not a file: it was not made by "
                "Footsteps, or was changed after.",
            )
        if name in members:
            raise Refused("changed", f"The package holds {name[:100]} twice: it was changed.")
        if info.flag_bits & 0x1 or info.compress_type not in (
            zipfile.ZIP_STORED,
            zipfile.ZIP_DEFLATED,
        ):
            raise Refused(
                "foreign",
                "This is not a Footsteps journal transfer: its files are encrypted or "
                "compressed in a way Footsteps never uses.",
            )
        members[name] = info
    return members


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A member's bytes in pieces; a damaged or cut member is Refused."""
    try:
        with archive.open(info) as member:
            while piece := member.read(PIECE):
                yield piece
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as error:
        raise Refused("incomplete", INCOMPLETE) from error


def _small(archive, members, name: str, most: int) -> bytes:
    info = members.get(name)
    if info is None:
        if name == MANIFEST:
            raise Refused(
                "foreign",
                "This is not a Footsteps journal transfer: it has no manifest. Ask the "
                "setting that sent it for the transfer package Footsteps made.",
            )
        raise Refused("signature", "The package is not signed: ask for it to be made again.")
    if info.file_size > most:
        raise Refused("foreign", f"This is not a Footsteps journal transfer: {name} is too big.")
    data = b"".join(_read(archive, info))
    if len(data) > most:
        raise Refused("foreign", f"This is not a Footsteps journal transfer: {name} is too big.")
    return data


def _manifest(data: bytes, code: str, signature: bytes) -> Manifest:
    foreign = Refused(
        "foreign",
        "This is not a Footsteps journal transfer: its manifest is not one Footsteps writes.",
    )
    try:
        found = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise foreign from error
    if not isinstance(found, dict) or found.get("format") != FORMAT:
        raise foreign
    version = found.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise foreign
    if version > VERSION:
        raise Refused(
            "newer_version",
            f"This package was made by a newer version of Footsteps (transfer format "
            f"{version}); this Footsteps reads format {VERSION}. Ask whoever runs your "
            "Footsteps to update it, then import the package again.",
        )
    try:
        package_id = uuid.UUID(str(found.get("package_id")))
    except ValueError as error:
        raise foreign from error
    try:
        given = signature.decode("ascii").strip().lower()
    except UnicodeDecodeError:
        given = ""
    if not hmac.compare_digest(sign(data, code, package_id), given):
        raise Refused(
            "signature",
            "The transfer code does not match this package. Either the code was typed "
            "wrongly (check it with the setting that sent it), or the package was changed "
            "after it was made (then ask for it again).",
        )
    try:
        return Manifest.model_validate_json(data)
    except SchemaError as error:
        raise Refused("invalid", f"The package's manifest is not valid: {_first(error)}") from error


def _checked_files(archive, members, manifest: Manifest, folder: Path) -> dict[str, Path]:
    """Each listed file, present with its size and checksum, copied to `folder`
    under a name of our own; no file beyond the list."""
    listed = {item.path: item for item in manifest.files}
    if len(listed) != len(manifest.files) or JOURNAL not in listed:
        raise Refused(
            "invalid", "The package's manifest is not valid: it must list journal.json once."
        )
    extra = sorted(set(members) - set(listed) - {MANIFEST, SIGNATURE})
    if extra:
        raise Refused(
            "changed",
            f"The package holds a file its manifest does not list ({extra[0][:100]}): it was "
            "changed after it was made.",
        )
    missing = sorted(set(listed) - set(members))
    if missing:
        raise Refused(
            "incomplete", f"The package lacks {missing[0]}, which its manifest lists. {INCOMPLETE}"
        )
    if sum(item.size for item in manifest.files) > MAX_TOTAL_BYTES:
        raise Refused(
            "too_large",
            f"The package is larger than {MAX_TOTAL_BYTES // 1024**3} GB: too large to import.",
        )
    if listed[JOURNAL].size > MAX_JOURNAL_BYTES:
        raise Refused("too_large", "The package's journal.json is too large to import.")
    _not_a_bomb({item.path: members[item.path] for item in manifest.files})
    local = {}
    for number, item in enumerate(manifest.files):
        info = members[item.path]
        if info.file_size != item.size:
            raise _changed(item.path)
        target = folder / f"{number:07d}"
        digest, size = hashlib.sha256(), 0
        with open(target, "wb") as out:
            for piece in _read(archive, info):
                size += len(piece)
                if size > item.size:
                    raise _changed(item.path)
                digest.update(piece)
                out.write(piece)
        if size != item.size or not hmac.compare_digest(digest.hexdigest(), item.sha256):
            raise _changed(item.path)
        local[item.path] = target
    return local


# journal.json is text and compressed; it may not grow beyond this many times.
MAX_JOURNAL_RATIO = 50


def _not_a_bomb(members: dict[str, zipfile.ZipInfo]) -> None:
    """Footsteps stores photos and videos uncompressed (they are compressed
    already), so a package never holds more bytes than were uploaded but for
    its journal, which may grow a bounded amount: a small file that would
    expand to gigabytes is refused before anything is written."""
    for name, info in members.items():
        if name == JOURNAL:
            if info.file_size > max(1024**2, MAX_JOURNAL_RATIO * info.compress_size):
                raise Refused("too_large", "The package's journal.json expands too far.")
        elif info.compress_type != zipfile.ZIP_STORED or info.compress_size != info.file_size:
            raise Refused(
                "foreign",
                f"{name[:100]} is compressed in a way Footsteps never writes: this is not a "
                "Footsteps journal transfer, or it was changed after it was made.",
            )


def _changed(path: str) -> Refused:
    return Refused(
        "changed",
        f"{path} in the package is not what was sent (its size or checksum differs): the "
        "package was changed or damaged after it was made. Ask for it again.",
    )


def _first(error: SchemaError) -> str:
    problem = error.errors()[0]
    where = ".".join(str(part) for part in problem["loc"]) or "the whole file"
    return f"{where}: {problem['msg']}"


def _journal(path: Path) -> Journal:
    try:
        journal = Journal.model_validate_json(path.read_bytes())
    except SchemaError as error:
        raise Refused("invalid", f"journal.json is not valid: {_first(error)}") from error
    ids = [entry.id for entry in journal.entries]
    known = set(ids)
    problem = ""
    if len(known) != len(ids):
        problem = "two entries have the same id"
    elif any(other not in known for entry in journal.entries for other in entry.draws_on):
        problem = "an entry draws on one the journal does not hold"
    elif any(step.entry and step.entry not in known for step in journal.next_steps):
        problem = "a next step names an entry the journal does not hold"
    elif journal.child.date_of_birth > timezone.localdate():
        problem = "the child's date of birth is in the future"
    if problem:
        raise Refused("invalid", f"journal.json is not valid: {problem}.")
    return journal


def _same_media(journal: Journal, local: dict[str, Path]) -> None:
    """The journal names each media file of the manifest once, and each is a
    photo or a video (known by its first bytes, as uploads are)."""
    named = [item for entry in journal.entries for item in entry.media]
    paths = [item.path for item in named]
    if len(set(paths)) != len(paths) or set(paths) != set(local):
        raise Refused(
            "invalid",
            "journal.json is not valid: its photos and videos are not those of the manifest.",
        )
    for item in named:
        try:
            kind, _format = processing.sniff(local[item.path])
        except processing.Refused as refused:
            raise Refused("invalid", f"{item.path} in the package {refused}") from refused
        if kind != item.kind:
            raise Refused("invalid", f"{item.path} in the package is not a {item.kind}.")


def when(value: datetime | None) -> str | None:
    """A time as journal.json keeps it."""
    return value.isoformat() if value is not None else None
