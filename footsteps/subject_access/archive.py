"""The ZIP of a subject access export: README.txt, data.json (the shape is
documented in docs/subject-access.md), the photos and videos under media/,
and for a child journal.pdf (exports.pdf, the staff's copy).

Memory stays bounded: data.json is written to a temporary file item by item
as the records are read (selectors.Rows), then each stored file is copied into
the ZIP from storage in pieces, never held whole."""

import json
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone

from footsteps.access.actor import Actor
from footsteps.exports.pdf import journal_pdf
from footsteps.subject_access import selectors
from footsteps.subject_access.models import SubjectAccessExport
from footsteps.subject_access.selectors import Records, Rows, StoredFile

FORMAT = "footsteps-subject-access"
VERSION = 1
PIECE = 1024 * 1024
# Past this a file needs ZIP64 records; below it the ZIP stays the classic
# kind every unzip tool (Windows' and macOS's built-in ones too) opens.
ZIP64_FROM = 1 << 30

# How much of the progress bar each part takes (of 100).
DATA, FILES = 40, 30


def make_archive(
    *, export: SubjectAccessExport, out: Path, progress: Callable[[int], None] | None = None
) -> None:
    """Write the export's ZIP to `out`, as its manager may read the records.
    `progress(percent)` is called as it goes."""
    report = progress or (lambda percent: None)
    actor = Actor.of(export.requested_by)
    records = selectors.records_for(actor, export)
    with tempfile.TemporaryDirectory(prefix="footsteps-subject-access-") as name:
        folder = Path(name)
        data = folder / "data.json"
        with data.open("w", encoding="utf-8") as stream:
            _write_json(stream, _document(export, records), _counter(records.rows, 0, DATA, report))
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("README.txt", _readme(export, records))
            archive.write(data, "data.json")
            files_end = DATA + FILES if records.journal_of else 100
            tick = _counter(len(records.files), DATA, files_end, report)
            for file in records.files:
                _copy(archive, file)
                tick()
            if records.journal_of is not None:
                pdf = folder / "journal.pdf"
                journal_pdf(
                    actor=actor,
                    child=records.journal_of,
                    out=pdf,
                    replies=True,
                    audience="staff",
                    progress=lambda done, total: report(
                        files_end + (100 - files_end) * done // max(total, 1)
                    ),
                )
                archive.write(pdf, "journal.pdf")
    report(100)


def _document(export: SubjectAccessExport, records: Records) -> dict:
    return {
        "format": FORMAT,
        "version": VERSION,
        "made_at": timezone.localtime().isoformat(timespec="seconds"),
        "setting": {"name": export.setting.name},
        "subject": records.subject,
        **records.sections,
    }


def _counter(count: int, start: int, end: int, report) -> Callable[[], None]:
    """A tick for each of `count` steps, moving the bar from `start` to `end`."""
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        report(start + (end - start) * min(done, count) // max(count, 1))

    report(start)
    return tick


def _dumps(value, level: int) -> str:
    # Strings keep their line breaks escaped, so every newline here is layout.
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return text.replace("\n", "\n" + "  " * level)


def _write_json(stream, document: dict, tick: Callable[[], None]) -> None:
    """The document as JSON; a Rows section is written an item at a time."""
    stream.write("{")
    for n, (key, value) in enumerate(document.items()):
        stream.write(("," if n else "") + f"\n  {json.dumps(key)}: ")
        if not isinstance(value, Rows):
            stream.write(_dumps(value, 1))
            continue
        stream.write("[")
        written = 0
        for item in value.items:
            stream.write(("," if written else "") + "\n    " + _dumps(item, 2))
            written += 1
            tick()
        stream.write("\n  ]" if written else "]")
    stream.write("\n}\n")


def _copy(archive: zipfile.ZipFile, file: StoredFile) -> None:
    """Copy a stored file into the ZIP in pieces (storage may be S3: never a
    local path). Photos and videos are compressed already: stored as they are."""
    info = zipfile.ZipInfo(file.name, date_time=time.localtime()[:6])
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    large = default_storage.size(file.stored) >= ZIP64_FROM
    with (
        default_storage.open(file.stored, "rb") as source,
        archive.open(info, "w", force_zip64=large) as target,
    ):
        shutil.copyfileobj(source, target, PIECE)


def _readme(export: SubjectAccessExport, records: Records) -> str:
    return render_to_string(
        "subject_access/readme.txt",
        {
            "export": export,
            "subject": records.subject,
            "setting": export.setting,
            "made_on": timezone.localdate(),
            "has_media": bool(records.files),
        },
    )
