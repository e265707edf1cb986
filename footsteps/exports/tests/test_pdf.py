"""The learning journal as a PDF (R35, R36): what goes in, in which order, and
what the policy keeps out (R5 other families and staff-only matters, R28 photo
consent), read back from the PDF itself."""

import io
from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from pypdf import PdfReader

from footsteps.assessments import services as assessments
from footsteps.assessments.models import Aspect, Band, Framework
from footsteps.assessments.services import Judgement
from footsteps.children import services as children_services
from footsteps.exports import pdf
from footsteps.exports.pdf import journal_pdf
from footsteps.journal import services as journal
from footsteps.media import services as media
from footsteps.media.models import Media, MediaChild


def on(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def days_ago(n: int) -> date:
    return timezone.localdate() - timedelta(days=n)


def make_pdf(world, tmp_path, actor="manager", child="amy", **options):
    """(entries, text of every page, the reader) of a child's journal."""
    out = tmp_path / f"{child}-{actor}-{len(list(tmp_path.iterdir()))}.pdf"
    count = journal_pdf(actor=world.actor(actor), child=world.children[child], out=out, **options)
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return count, text, reader


def images(reader) -> list:
    """The document's photos, each once (pages may share their resources)."""
    found = {image.name: image for page in reader.pages for image in page.images}
    return list(found.values())


def entry(world, title, observed_at, children=("amy",), actor="senior", **fields):
    return journal.observation_create(
        actor=world.actor(actor),
        children=[world.children[name] for name in children],
        title=title,
        observed_at=observed_at,
        publish=True,
        **fields,
    )


def consent(world, name: str, value: str) -> None:
    children_services.child_set_image_consent(
        actor=world.actor("manager"), child=world.children[name], consent=value
    )


@pytest.fixture
def photo(world, upload, small_photo):
    """A processed photo sent by the senior, not yet on an entry."""

    def make():
        item = upload(world.actor("senior"), small_photo)
        assert item.status == Media.Status.READY, item.problem
        return item

    return make


# --- What goes in, in order ------------------------------------------------------


def test_r35_r36_the_whole_journal_has_a_cover_and_the_entries_oldest_first(world, tmp_path):
    entry(world, "Second: painting", on(days_ago(20)))
    entry(world, "First: sand tray", on(days_ago(40)))
    entry(world, "Third: puddles", on(days_ago(5)))
    count, text, reader = make_pdf(world, tmp_path, actor="parent_amy")
    # The three, and the world's shared entry (yesterday); not the staff-only
    # note, the draft or the contribution waiting for approval.
    assert count == 4
    cover = reader.pages[0].extract_text()
    assert "Amy's learning journal" in cover
    assert "Amy Acorn" not in cover  # the family's copy: first name only
    assert "Little Acorns" in cover
    assert f"Made on {timezone.localdate():%-d %B %Y}" in cover
    assert f"{days_ago(40):%-d %B %Y} to {days_ago(1):%-d %B %Y}" in cover
    order = [text.index(t) for t in ("First: sand", "Second: paint", "Third: pudd", "Tower of")]
    assert order == sorted(order)
    for absent in ("Staff note", "Unfinished draft", "At the park", "Zed paints"):
        assert absent not in text


def test_r35_a_date_range_holds_only_the_entries_observed_in_it(world, tmp_path):
    """Local dates, both ends included, as the journal's own filter."""
    entry(world, "Before the range", on(days_ago(31), 23))
    entry(world, "First day", on(days_ago(30), 0))
    entry(world, "Last day", on(days_ago(10), 23))
    entry(world, "After the range", on(days_ago(9), 0))
    count, text, _ = make_pdf(world, tmp_path, start=days_ago(30), end=days_ago(10))
    assert count == 2
    assert "First day" in text
    assert "Last day" in text
    assert "Before the range" not in text
    assert "After the range" not in text
    assert f"{days_ago(30):%-d %B %Y} to {days_ago(10):%-d %B %Y}" in text


def test_r35_an_empty_range_still_makes_a_pdf(world, tmp_path):
    count, text, _ = make_pdf(world, tmp_path, start=date(2001, 1, 1), end=date(2001, 2, 1))
    assert count == 0
    assert "No entries in this period." in text


def test_r35_progress_is_reported_for_every_entry(world, tmp_path):
    for n in range(3):
        entry(world, f"Entry {n}", on(days_ago(10 + n)))
    calls = []
    journal_pdf(
        actor=world.actor("manager"),
        child=world.children["amy"],
        out=tmp_path / "amy.pdf",
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]


def test_r35_queries_grow_with_pages_of_entries_not_with_entries(
    world, tmp_path, monkeypatch, django_assert_num_queries
):
    """Entries are read a page at a time (here 2), each page after the last
    one's entry (a keyset), with its own prefetches."""
    monkeypatch.setattr(pdf, "CHUNK", 2)
    actor, amy = world.actor("parent_amy"), world.children["amy"]
    assert amy.setting.name  # the cover's: loaded once by the caller's query
    assert actor.child_ids  # the policy's: Actor.of loads them with the membership
    for n in range(3):
        entry(world, f"Entry {n}", on(days_ago(10 + n)))
    # 1 count and dates + 2 full pages x (entries, own children, photos, areas,
    # replies) + 1 empty page + the summary (assessments, periods) = 14
    with django_assert_num_queries(14):
        assert journal_pdf(actor=actor, child=amy, out=tmp_path / "a.pdf", replies=True) == 4
    for n in range(2):
        entry(world, f"Entry {n + 3}", on(days_ago(20 + n)))
    # One page of 2 entries more: 5 queries.
    with django_assert_num_queries(19):
        assert journal_pdf(actor=actor, child=amy, out=tmp_path / "b.pdf", replies=True) == 6


# --- What the policy keeps out (R5) ----------------------------------------------------


def test_r5_a_staff_only_entry_is_left_out_of_the_familys_copy_and_marked_in_the_staffs(
    world, tmp_path
):
    _, family, _ = make_pdf(world, tmp_path, audience="family")
    assert "Staff note" not in family
    assert "Staff only" not in family
    count, staff, reader = make_pdf(world, tmp_path, audience="staff")
    assert count == 2
    assert "Staff note" in staff
    assert "Staff only" in staff
    assert "Amy Acorn's learning journal" in reader.pages[0].extract_text()


def test_r5_only_staff_may_ask_for_the_staffs_copy_and_only_of_a_child_they_may_see(
    world, tmp_path
):
    out = tmp_path / "x.pdf"
    with pytest.raises(PermissionDenied):
        journal_pdf(
            actor=world.actor("parent_amy"), child=world.children["amy"], out=out, audience="staff"
        )
    with pytest.raises(PermissionDenied):
        journal_pdf(actor=world.actor("parent_ben"), child=world.children["amy"], out=out)
    with pytest.raises(PermissionDenied):
        journal_pdf(actor=world.actor("other_manager"), child=world.children["amy"], out=out)
    with pytest.raises(ValueError, match="audience"):
        journal_pdf(
            actor=world.actor("manager"),
            child=world.children["amy"],
            out=out,
            audience="authorities",
        )
    assert not out.exists()


def test_r5_r18_replies_only_when_asked_and_only_this_childs_conversation(world, tmp_path):
    _, without, _ = make_pdf(world, tmp_path)
    assert "Amy loved this!" not in without
    _, amy, _ = make_pdf(world, tmp_path, replies=True)
    assert "Amy loved this!" in amy
    assert "Ben told us all about it." not in amy  # another family's thread
    _, ben, _ = make_pdf(world, tmp_path, child="ben", actor="parent_ben", replies=True)
    assert "Ben told us all about it." in ben
    assert "Amy loved this!" not in ben


def test_r5_a_staff_only_reply_stays_out_of_the_familys_copy_once_the_entry_is_shared(
    world, tmp_path
):
    note = world.observations["staff_only"]
    journal.comment_add(
        actor=world.actor("senior"),
        observation=note,
        child=world.children["amy"],
        body="Talk to the SENCo first.",
    )
    journal.observation_update(
        actor=world.actor("manager"),
        observation=note,
        expected_version=note.version,
        shared_with_parents=True,
    )
    _, family, _ = make_pdf(world, tmp_path, replies=True)
    assert "Staff note" in family
    assert "Talk to the SENCo" not in family
    _, staff, _ = make_pdf(world, tmp_path, replies=True, audience="staff")
    assert "Talk to the SENCo first." in staff


def test_r35_hostile_markup_in_text_is_printed_literally(world, tmp_path):
    """Typst's and HTML's markup, a file URL and a stylesheet: printed as typed,
    nothing fetched, nothing added to the page."""
    typst = r'#import "/etc/passwd": * $x^2$ *bold* [link] \ <label> @ref `code`'
    html = '<img src="file:///etc/hostname"><b>bold</b> <style>*{display:none}</style> &amp;'
    entry(world, "Tricky <i>title</i> #set", on(days_ago(3)), notes=f"{typst}\n{html}")
    _, text, reader = make_pdf(world, tmp_path, audience="staff")
    flat = " ".join(text.split())
    assert "Tricky <i>title</i> #set" in flat
    assert " ".join(typst.split()) in flat
    assert html in flat
    assert images(reader) == []


@pytest.mark.parametrize(
    "src", ["file:///etc/hostname", "../outside.jpg", "http://127.0.0.1:9/x.jpg", "missing.jpg"]
)
def test_r35_the_engine_reads_only_the_exports_own_files(tmp_path, src):
    """Whatever a document asks for, the engine reads the export's folder only,
    and a file it cannot read stops the export with an ordinary error."""
    folder = tmp_path / "export"
    folder.mkdir()
    (tmp_path / "outside.jpg").write_bytes(b"\xff\xd8\xff")
    source = folder / "journal.html"
    source.write_text(f'<!doctype html><p>Hello</p><img src="{src}">')
    with pytest.raises(OSError, match="could not be laid out"):
        pdf.render(folder, source, tmp_path / "out.pdf")


# --- Photos (R28) --------------------------------------------------------------------


def test_r28_photos_print_at_display_size_and_a_refusing_childs_photo_stays_out_of_others(
    world, tmp_path, photo
):
    """Ben's family withdraws consent: the photo of Amy and Ben leaves Amy's
    journal (both copies) and stays in Ben's own."""
    consent(world, "amy", "granted")
    consent(world, "ben", "granted")
    item = photo()
    entry(world, "Painting together", on(days_ago(2)), children=("amy", "ben"), media=[item.key])
    _, text, reader = make_pdf(world, tmp_path)
    assert "Painting together" in text
    [printed] = images(reader)
    assert printed.image.size == (item.width, item.height)  # the display size
    # The stored JPEG print copy goes into the PDF as it is, never re-encoded.
    item.refresh_from_db()
    with default_storage.open(item.print_copy, "rb") as stored:
        assert reader.stream.getvalue().count(stored.read()) == 1
    consent(world, "ben", "refused")
    for audience in ("family", "staff"):
        _, text, reader = make_pdf(world, tmp_path, audience=audience)
        assert "Painting together" in text
        assert images(reader) == []
    _, _, reader = make_pdf(world, tmp_path, child="ben", actor="parent_ben")
    assert len(images(reader)) == 1


def test_r35_a_photo_processed_before_print_copies_existed_prints_from_its_display_copy(
    world, tmp_path, photo
):
    item = photo()
    Media.objects.filter(pk=item.pk).update(print_copy="")
    entry(world, "Older photo", on(days_ago(2)), children=("amy",), media=[item.key])
    _, _, reader = make_pdf(world, tmp_path)
    [printed] = images(reader)
    assert printed.image.size == (item.width, item.height)
    assert printed.data[:3] == b"\xff\xd8\xff"  # converted to JPEG on the way


def test_r28_another_journal_gets_the_covered_copy(world, tmp_path, photo):
    consent(world, "ben", "not_asked")
    item = photo()
    draft = journal.observation_create(
        actor=world.actor("senior"),
        children=[world.children["amy"], world.children["ben"]],
        title="Painting",
        observed_at=on(days_ago(2)),
        media=[item.key],
    )
    item.refresh_from_db()
    media.redact(
        actor=world.actor("senior"),
        media=item,
        regions='[{"x": 0, "y": 0, "w": 0.6, "h": 0.6}]',
        covered=[world.children["ben"].pk],
    )
    journal.observation_update(
        actor=world.actor("senior"),
        observation=draft,
        expected_version=draft.version,
        publish=True,
    )
    _, _, amy = make_pdf(world, tmp_path)
    _, _, ben = make_pdf(world, tmp_path, child="ben", actor="parent_ben")
    [covered], [original] = images(amy), images(ben)
    grey = (96, 96, 96)
    assert _near(covered.image.convert("RGB").getpixel((5, 5)), grey)
    assert not _near(original.image.convert("RGB").getpixel((5, 5)), grey)


def _near(pixel, colour, tolerance=12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def test_r35_a_video_prints_its_poster_with_a_caption(world, tmp_path, photo):
    """No ffmpeg needed: a processed video is a poster (the display copy) and a file."""
    still = photo()
    poster = default_storage.save("media/test/poster.webp", default_storage.open(still.display))
    clip = Media.objects.create(
        setting=world.children["amy"].setting,
        uploaded_by=world.members["senior"],
        name="clip.mp4",
        kind=Media.Kind.VIDEO,
        status=Media.Status.READY,
        size=10,
        width=still.width,
        height=still.height,
        display=poster,
        video=default_storage.save("media/test/clip.mp4", ContentFile(b"not played here")),
    )
    shown = entry(world, "Dancing", on(days_ago(2)))
    Media.objects.filter(pk=clip.pk).update(observation=shown)
    MediaChild.objects.create(media=clip, child=world.children["amy"])
    _, text, reader = make_pdf(world, tmp_path)
    assert "Video" in text
    assert len(images(reader)) == 1


# --- Areas of learning and the assessment summary (R23) -------------------------------------


def test_r23_areas_in_plain_words_for_families_aspects_for_staff_and_the_summary(world, tmp_path):
    speaking = Aspect.objects.get(
        framework__key="development-matters", framework__setting=None, key="speaking"
    )
    entry(world, "Telling a story", on(days_ago(2)), aspects=[speaking.pk])
    _, family, _ = make_pdf(world, tmp_path)
    assert "Progress at each assessment point" not in family  # none yet
    period = assessments.period_create(
        actor=world.actor("manager"),
        name="Autumn point",
        assessed_on=days_ago(1),
        framework=Framework.objects.get(key="development-matters", setting=None),
    )
    band = Band.objects.get(framework__key="development-matters", key="three-and-four")
    assessments.assessments_record(
        actor=world.actor("manager"),
        period=period,
        child=world.children["amy"],
        judgements={speaking.pk: Judgement(band=band, judgement="secure", on_track=True)},
    )
    area = speaking.area
    _, staff, _ = make_pdf(world, tmp_path, audience="staff")
    assert f"Learning: {speaking.name}" in staff
    assert "Progress at each assessment point" in staff
    assert "Autumn point" in staff
    assert f"{band.name}, Secure · on track" in " ".join(staff.split())
    _, family, _ = make_pdf(world, tmp_path)
    assert f"Learning: {area.words_for_families}" in family
    assert "Autumn point" not in family  # not shared with families yet
    assessments.period_update(actor=world.actor("manager"), period=period, shared_with_parents=True)
    _, family, _ = make_pdf(world, tmp_path, actor="parent_amy")
    assert "Autumn point" in family
    assert area.words_for_families in family
