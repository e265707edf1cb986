"""A child's learning journal as a PDF, to print or to give the family when the
child leaves (R35, R36).

Everything is read through the selectors, so the policy applies as on the
journal's pages: the entries the actor may see (R5), photos as the child's own
journal shows them (R28: another child whose family has not agreed is left out,
or the covered copy is used), and for the family audience only what the family
would see: entries shared with them and no staff-only reply, note or flag.

Memory stays bounded whatever the journal's size: entries are read in pages of
CHUNK (a keyset on observed_at, id), each written out as HTML at once to a
temporary folder, and each photo copied there from storage in pieces. The
display copies are WebP, which PDF cannot carry, so each becomes a JPEG of the
same size (libvips, in background threads at most AHEAD entries ahead:
decoding WebP is more than half of an export's time). WeasyPrint then lays the
folder out once: it reads a JPEG's header to place it, and copies its bytes
into the PDF as they are, straight from the file, never decoded or held.
(Typst was measured first: it decodes every photo and keeps them all, 3.6 GB
and 12 s for 600; see bench/README.md.)"""

import contextlib
import ctypes
import shutil
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.core.files.storage import default_storage
from django.db.models import Count, Max, Min, Q
from django.template import Context, Engine
from django.utils import timezone

from footsteps.access.actor import Actor
from footsteps.access.policy import can, require
from footsteps.assessments.selectors import check_areas, child_progress
from footsteps.assessments.templatetags.assessment_tags import family_areas
from footsteps.children.models import Child
from footsteps.journal.models import Comment, Observation
from footsteps.journal.selectors import JournalFilters, journal_entries
from footsteps.media import processing
from footsteps.media.models import Media
from footsteps.media.selectors import file_of

HERE = Path(__file__).resolve().parent
AUDIENCES = ("family", "staff")
CHUNK = 50  # entries read by one query (and its prefetches)
WORKERS = 2  # photos fetched and converted at once
AHEAD = 8  # entries whose photos may still be in preparation
PIECE = 1024 * 1024
JPEG_QUALITY = 85
M_MMAP_THRESHOLD = -3  # glibc's mallopt() parameter (malloc.h)

_engine = Engine(dirs=[str(HERE)], autoescape=True)


def journal_pdf(
    *,
    actor: Actor,
    child: Child,
    out: Path,
    start: date | None = None,
    end: date | None = None,
    replies: bool = False,
    audience: str = "family",
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the child's journal as a PDF to `out`; return the number of entries.

    The whole journal, or the entries observed from `start` to `end` (local
    dates, both included), oldest first. `audience="family"` prints what the
    family sees; "staff" (staff only) adds staff-only entries, replies and next
    steps, marked "Staff only", the child's full name and aspect names.
    `replies` adds each entry's conversation about this child. `progress(done,
    total)` is called once before the first entry and after each entry is
    ready (total: the entries in range); the PDF is laid out after the last."""
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}")
    staff = audience == "staff"
    require(actor, "child.journal" if staff else "child.view", child)
    entries = _entries(actor, child, start=start, end=end, replies=replies, staff=staff)
    found = entries.aggregate(n=Count("pk"), first=Min("observed_at"), last=Max("observed_at"))
    total = found["n"]
    report = progress or (lambda done, total: None)
    report(0, total)
    with tempfile.TemporaryDirectory(prefix="footsteps-journal-") as name:
        folder = Path(name)
        source = folder / "journal.html"
        with open(source, "w", encoding="utf-8") as html:
            html.write(_cover(actor, child, start, end, found, staff))
            written = _write_entries(html, actor, child, entries, folder, staff, total, report)
            if not written:
                html.write(_part("empty"))
            html.write(_summary(actor, child, start, end, staff))
            html.write(_part("end"))
        render(folder, source, out)
    return written


def render(folder: Path, source: Path, out: Path) -> None:
    """Lay out the prepared folder (the HTML and the photos beside it) as a PDF:
    the engine's part (bench/pdf_journal.py times it against WeasyPrint bare)."""
    import weasyprint  # here: it needs Pango (Debian's libpango, which libvips42 brings)

    fetcher = _folder_only(weasyprint, folder)
    stylesheet = weasyprint.CSS(filename=str(HERE / "journal.css"), url_fetcher=fetcher)
    document = weasyprint.HTML(
        filename=str(source), encoding="utf-8", base_url=str(folder) + "/", url_fetcher=fetcher
    )
    try:
        document.write_pdf(out, stylesheets=[stylesheet])
    except weasyprint.urls.FatalURLFetchingError as error:
        # A BaseException: a task's `except Exception` would not see it.
        raise OSError(f"The journal could not be laid out: {error.__cause__ or error}") from error


def _folder_only(weasyprint, folder: Path):
    """A fetcher for the engine that reads the files of the export's own folder
    and nothing else: no network, no other file, whatever the document asks
    for. A file that cannot be read stops the export rather than leave a gap."""
    folder = folder.resolve()

    class FolderOnly(weasyprint.urls.URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            path = Path(url2pathname(parts.path)).resolve()
            if parts.scheme != "file" or parts.netloc or not path.is_relative_to(folder):
                raise ValueError(f"Only the export's own files may be read, not {url}")
            return super().fetch(url, headers)

    return FolderOnly(allowed_protocols=["file"], fail_on_errors=True)


def _entries(actor, child, *, start, end, replies, staff):
    entries = journal_entries(
        actor, child_id=child.pk, filters=JournalFilters(start=start, end=end), replies=replies
    ).filter(status=Observation.Status.PUBLISHED)
    if not staff:
        entries = entries.filter(shared_with_parents=True)
    return entries.order_by("observed_at", "id")


def _in_order(entries) -> Iterator[Observation]:
    """Every entry, oldest first, CHUNK at a time: each page starts after the
    last entry of the one before (a keyset), so no page costs more than the first."""
    after = Q()
    while True:
        page = list(entries.filter(after)[:CHUNK])
        yield from page
        if len(page) < CHUNK:
            return
        last = page[-1]
        after = Q(observed_at__gt=last.observed_at) | Q(
            observed_at=last.observed_at, pk__gt=last.pk
        )


def _write_entries(html, actor, child, entries, folder, staff, total, report) -> int:
    """Write each entry as it is read; its photos are prepared in the background,
    at most AHEAD entries behind. Returns the number of entries written."""
    pending: deque[list[Future]] = deque()
    done = 0
    photos = 0
    journal = frozenset([child.pk])
    sections = None
    with (
        _frames_given_back(),
        ThreadPoolExecutor(WORKERS, thread_name_prefix="journal-pdf") as pool,
    ):
        for entry in _in_order(entries):
            jobs = []
            shown = []
            for item in entry.shown_media:
                # Photos processed before print copies existed are converted.
                stored = file_of(item, "print", journal) or file_of(item, "display", journal)
                if stored is None:
                    continue
                photos += 1
                file = f"{photos:05d}.jpg"
                jobs.append(pool.submit(_prepare, stored[0], folder / file))
                shown.append({"file": file, "caption": _caption(item)})
            if entry.kind == Observation.Kind.PROGRESS_CHECK and sections is None:
                sections = check_areas(actor)
            html.write(_entry(actor, child, entry, shown, staff, sections or []))
            pending.append(jobs)
            while len(pending) > AHEAD:
                done = _settle(pending, done, total, report)
        while pending:
            done = _settle(pending, done, total, report)
    return done


def _settle(pending: deque, done: int, total: int, report) -> int:
    for job in pending.popleft():
        job.result()  # a photo that cannot be read stops the export, with its error
    report(done + 1, total)
    return done + 1


@contextlib.contextmanager
def _frames_given_back():
    """While photos are converted, have glibc give each frame back to the
    system when libvips frees it. By default glibc raises the size it maps
    directly past the first frame freed (6 MB); frames then come from each
    converting thread's arena, which keeps them (40 photos took an export 230
    MB above its start; 90 MB with this). Afterwards the threshold is set to
    where glibc's own would have grown (32 MB): kept at 128 kB, every large
    allocation is a system call, and the layout takes 8% longer. Process-wide;
    a no-op off glibc."""
    _mmap_threshold(128 * 1024)
    try:
        yield
    finally:
        _mmap_threshold(32 * 1024 * 1024)


def _mmap_threshold(size: int) -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, size)


def _caption(item: Media) -> str:
    return "Video" if item.kind == Media.Kind.VIDEO else ""


def _prepare(name: str, target: Path) -> None:
    """Copy a stored display file beside the HTML (storage may be S3: never a
    local path), as a JPEG of the same size: copied as it is if it is one,
    converted otherwise (WebP: PDF has no place for it)."""
    raw = target.with_suffix(".stored")
    with default_storage.open(name, "rb") as stored, open(raw, "wb") as local:
        shutil.copyfileobj(stored, local, PIECE)
    with open(raw, "rb") as local:
        is_jpeg = local.read(3) == b"\xff\xd8\xff"
    if is_jpeg:
        raw.rename(target)
        return
    if processing.pyvips is None:
        raise processing.ToolsMissing("libvips (Debian package libvips42)")
    image = processing.pyvips.Image.new_from_file(str(raw), access="sequential")
    if image.hasalpha():
        image = image.flatten(background=[255, 255, 255])
    image.jpegsave(str(target), Q=JPEG_QUALITY, strip=True)
    raw.unlink()


def _part(name: str, **context) -> str:
    return _engine.get_template(f"journal.html#{name}").render(Context(context))


def _span(start, end, found) -> str:
    first = start or (found["first"] and timezone.localdate(found["first"]))
    last = end or (found["last"] and timezone.localdate(found["last"]))
    if not first and not last:
        return "No entries yet"
    return _dates(first, last)


def _dates(first, last) -> str:
    def fmt(day):
        return f"{day.day} {day:%B %Y}"

    if first and last:
        return fmt(first) if first == last else f"{fmt(first)} to {fmt(last)}"
    return f"From {fmt(first)}" if first else f"Until {fmt(last)}"


def _cover(actor, child, start, end, found, staff) -> str:
    name = child.full_name if staff and can(actor, "child.full_name", child) else child.first_name
    return _part(
        "start",
        title=f"{name}'s learning journal",
        setting_name=child.setting.name,
        span=_span(start, end, found),
        staff=staff,
        made_on=timezone.localdate(),
    )


def _entry(actor, child, entry, photos, staff, prime_areas) -> str:
    staff_view = staff and can(actor, "observation.staff_detail", entry)
    badges = []
    if staff_view and not entry.shared_with_parents:
        badges.append("Staff only")
    if entry.source == Observation.Source.PARENT:
        badges.append("From home")
    if entry.kind != Observation.Kind.OBSERVATION:
        badges.append(entry.get_kind_display())
    # Staff read aspects; families the areas in plain words (as on the pages).
    areas = [tag.aspect.name for tag in entry.tags] if staff_view else family_areas(entry.tags)
    sections = []
    if entry.kind == Observation.Kind.PROGRESS_CHECK and entry.sections:
        sections = [
            (area.name, entry.sections[area.key])
            for area in prime_areas
            if entry.sections.get(area.key)
        ]
    return _part(
        "entry",
        title=entry.title,
        observed_at=entry.observed_at,
        author=entry.author_display_name,
        badges=badges,
        notes=entry.notes,
        sections=sections,
        next_steps=entry.next_steps if staff_view else "",
        photos=photos,
        areas=areas,
        replies=_replies(child, entry, staff_view),
    )


def _replies(child, entry, staff_view) -> list[dict]:
    """The conversation about this child (never another family's), published
    replies only; the family's copy leaves out staff-only ones."""
    return [
        {
            "author": reply.author_display_name,
            "at": reply.created_at,
            "body": reply.body,
            "staff_only": reply.staff_only,
        }
        for reply in getattr(entry, "visible_comments", ())
        if reply.child_id == child.pk
        and reply.status == Comment.Status.PUBLISHED
        and (staff_view or not reply.staff_only)
    ]


def _summary(actor, child, start, end, staff) -> str:
    """Each aspect's band and judgement at each assessment point (in range), if
    any: the family's copy has only the points shared with families, and
    their areas in plain words."""
    frameworks = []
    for progress in child_progress(actor, child):
        framework = progress.framework
        periods = [
            (period, months)
            for period, months, _expected in progress.periods
            if (staff or period.shared_with_parents)
            and (start is None or period.assessed_on >= start)
            and (end is None or period.assessed_on <= end)
        ]
        areas = []
        for area in progress.areas:
            rows = [
                (row.aspect.name, [_cell(framework, row.by_period.get(p.pk)) for p, _ in periods])
                for row in area.rows
            ]
            if any(any(cells) for _aspect, cells in rows):
                name = area.area.name if staff else area.area.words_for_families
                areas.append({"name": name, "rows": rows})
        if areas:
            frameworks.append(
                {
                    "name": framework.name,
                    "periods": [{"name": p.name, "months": months} for p, months in periods],
                    "areas": areas,
                }
            )
    return _part("summary", frameworks=frameworks) if frameworks else ""


def _cell(framework, assessment) -> str:
    if assessment is None:
        return ""
    parts = [assessment.band.name] if assessment.band else []
    if assessment.judgement:
        parts.append(framework.judgement_name(assessment.judgement))
    text = ", ".join(parts)
    if assessment.on_track is True:
        text += " · on track"
    elif assessment.on_track is False:
        text += " · not yet on track"
    return text.strip(" ·")
