"""What the background exports (PDF journals, transfer packages, subject
access files) share: their progress, saved as they go, and their download."""

from django.core.files.storage import default_storage
from django.http import FileResponse


def progress_saver(rows):
    """A `progress(done, total)` for a task making a file: saves `done` and
    `total` on `rows` (a queryset of the export's row) every 5% or so, for
    the page that polls it, sparing the database."""
    last = {"saved": -1}

    def progress(done: int, total: int) -> None:
        step = max(total // 20, 1)
        if done == total or done - last["saved"] >= step:
            rows.update(done=done, total=total)
            last["saved"] = done

    return progress


def private_download(name: str, *, filename: str, content_type: str) -> FileResponse:
    """A stored file as an attachment kept by no cache or proxy (R31)."""
    response = FileResponse(
        default_storage.open(name, "rb"),
        as_attachment=True,
        filename=filename,
        content_type=content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
