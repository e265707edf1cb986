"""Photos in whole journeys, in a real headless Chromium against the live server.

A practitioner on a phone adds a photo to a new observation (sent in pieces
with a progress bar, processed, previewed), publishes it; the child's family
sees it; another family and a stranger cannot fetch it by its address. Tasks
run at once in the tests (ImmediateBackend), so processing ends within the
request that sends the last piece.
"""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from footsteps.conftest import PASSWORD
from footsteps.core.tests.browser import PHONE, sign_in
from footsteps.core.tests.conftest import browser  # noqa: F401 (the fixture)
from footsteps.core.tests.test_browser_journeys import window  # noqa: F401 (the fixture)
from footsteps.journal.models import Observation
from footsteps.media.models import Media
from footsteps.media.tests.files import jpeg_from_phone

pytestmark = pytest.mark.browser
expect.set_options(timeout=5_000)

# Nursery Wi-Fi upstream: slow enough that the progress bar is seen moving.
SLOW_UPLOAD = {
    "offline": False,
    "latency": 20,
    "downloadThroughput": -1,
    "uploadThroughput": 40 * 1024,
}


def image_loaded(page: Page, image) -> bool:
    """Whether the browser decoded the image (a 404 or a non-image leaves 0)."""
    image.scroll_into_view_if_needed()
    page.wait_for_function("image => image.complete", arg=image.element_handle())
    return image.evaluate("image => image.naturalWidth") > 0


def pick_photo(page: Page, path) -> None:
    """Choose a file with the "Choose files" button, as from the phone's gallery."""
    with page.expect_file_chooser() as chooser:
        page.get_by_text("Choose files", exact=True).click()
    chooser.value.set_files(path)


def test_r30_photo_sent_with_progress_previewed_published_and_seen_by_the_family(
    window,  # noqa: F811
    browser: Browser,  # noqa: F811
    live_server,
    world,
    tmp_path,
):
    """R14 R30 R31: a practitioner on a phone picks Amy, adds a large photo: it is
    sent with a progress bar, processed, then previewed; published, it shows in
    the entry's gallery. Amy's parent sees its thumbnail on the feed and the photo
    in the entry. Ben's parent gets 404 for its address, a stranger the sign-in."""
    photo = jpeg_from_phone(tmp_path / "sandpit.jpg", width=3000, height=2000)
    size = photo.stat().st_size
    assert size > 2 * SLOW_UPLOAD["uploadThroughput"]  # seconds to send: the bar is seen moving

    practitioner = window("practitioner@acorns.test")
    practitioner.get_by_role("link", name="New observation").click()
    practitioner.get_by_label("Title").fill("Digging in the sandpit")
    practitioner.get_by_label("Amy Acorn").check()
    practitioner.get_by_label("What happened").fill("Amy dug a tunnel and filled it with water.")

    cdp = practitioner.context.new_cdp_session(practitioner)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_UPLOAD)
    pick_photo(practitioner, photo)

    # R30: a progress bar for the file, seen part-way while its bytes go up.
    row = practitioner.locator("li.upload", has_text="sandpit.jpg")
    bar = row.get_by_role("progressbar", name="Sending sandpit.jpg")
    expect(bar).to_be_visible()
    practitioner.wait_for_function(
        "bar => bar.value > 0 && bar.value < 100", arg=bar.element_handle(), timeout=10_000
    )
    # The words follow the bar (a photo goes in one piece: not "0%" throughout).
    expect(row.locator(".upload-status")).to_have_text(re.compile(r"^Sending… [1-9]\d?%$"))
    # Publishing while a file is still going is held back, with a reason.
    practitioner.get_by_role("button", name="Publish").click()
    expect(practitioner.get_by_role("alert")).to_have_text(
        "Wait until every file is sent, then save."
    )
    expect(practitioner).to_have_url(f"{live_server.url}/observations/new/")

    # Sent and processed: the bar gives way to a preview of the processed photo.
    preview = row.get_by_role("img", name="Preview of sandpit.jpg")
    expect(preview).to_be_visible(timeout=30_000)
    expect(bar).to_have_count(0)
    expect(row.locator(".upload-status")).to_have_text("Ready")
    assert image_loaded(practitioner, preview)
    cdp.send("Network.emulateNetworkConditions", {**SLOW_UPLOAD, "uploadThroughput": -1})
    media = Media.objects.get(name="sandpit.jpg")
    assert media.status == Media.Status.READY
    assert row.locator("input[type=hidden][name=media]").input_value() == str(media.key)

    practitioner.get_by_role("button", name="Publish").click()
    expect(practitioner.locator(".messages")).to_contain_text("Published to the journal.")
    observation = Observation.objects.get(title="Digging in the sandpit")
    expect(practitioner).to_have_url(f"{live_server.url}/observations/{observation.pk}/")
    gallery = practitioner.get_by_role("region", name="Photos and videos (1;")
    photo_in_gallery = gallery.get_by_role("img", name="Photo 1 of 1: Digging in the sandpit")
    expect(photo_in_gallery).to_be_visible()
    assert image_loaded(practitioner, photo_in_gallery)
    media.refresh_from_db()
    assert media.observation == observation  # R14: attached to the entry saved
    assert observation.author == world.members["practitioner"]
    display = f"{live_server.url}/media/{media.key}/display/"
    assert photo_in_gallery.get_attribute("src") == f"/media/{media.key}/display/"

    # R31: Amy's family sees the thumbnail on the feed, then the photo in the entry.
    parent_amy = window("parent_amy@family.test")
    entry = parent_amy.locator("article.entry", has_text="Digging in the sandpit")
    thumbnail = entry.get_by_role("img", name="Photo 1 of 1: Digging in the sandpit")
    expect(thumbnail).to_be_visible()
    assert image_loaded(parent_amy, thumbnail)
    thumbnail.click()
    expect(parent_amy).to_have_url(
        f"{live_server.url}/observations/{observation.pk}/#media-{media.key}"
    )
    seen = parent_amy.get_by_role("img", name="Photo 1 of 1: Digging in the sandpit")
    expect(seen).to_be_visible()
    assert image_loaded(parent_amy, seen)
    answer = parent_amy.request.get(display)
    assert (answer.status, answer.headers["content-type"]) == (200, "image/webp")

    # R31: another family, signed in, asks for the file's address: not found.
    # (Own contexts: the `window` fixture fails on any 4xx, expected here.)
    ben_context = browser.new_context(viewport=PHONE)
    parent_ben = ben_context.new_page()
    sign_in(parent_ben, live_server.url, "parent_ben@family.test", PASSWORD)
    expect(parent_ben.get_by_role("navigation", name="Main")).to_be_visible()
    for variant in ("display", "thumbnail"):
        answer = parent_ben.request.get(f"{live_server.url}/media/{media.key}/{variant}/")
        assert answer.status == 404
        assert not answer.headers["content-type"].startswith("image/")
    answer = parent_ben.request.get(f"{live_server.url}/media/{media.key}/download/")
    assert answer.status == 404
    parent_ben.goto(f"{live_server.url}/observations/{observation.pk}/")
    expect(parent_ben.locator("body")).not_to_contain_text("Digging in the sandpit")

    # A stranger with no session is sent to sign in, and never gets the image.
    stranger = browser.new_context(viewport=PHONE)
    answer = stranger.request.get(display, max_redirects=0)
    assert answer.status == 302
    assert answer.headers["location"].startswith("/accounts/login/")
    page = stranger.new_page()
    page.goto(display)
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/media/{media.key}/display/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    ben_context.close()
    stranger.close()


def test_r30_a_file_removed_before_saving_is_not_attached(window, live_server, world, tmp_path):  # noqa: F811
    """R30: of two photos chosen, the practitioner removes one before saving; only
    the other is attached to the entry, and the removed one is deleted."""
    keep = jpeg_from_phone(tmp_path / "keep.jpg", width=640, height=480)
    drop = jpeg_from_phone(tmp_path / "blurry.jpg", width=640, height=480)
    practitioner = window("practitioner@acorns.test")
    practitioner.get_by_role("link", name="New observation").click()
    practitioner.get_by_label("Title").fill("Painting with sponges")
    practitioner.get_by_label("Ben Acorn").check()
    practitioner.get_by_label("What happened").fill("Ben printed circles in blue and red.")
    # One after the other: the tests' in-memory SQLite refuses two writers at
    # once ("database table is locked") where a real database would queue them.
    for photo in (keep, drop):
        pick_photo(practitioner, photo)
        preview = practitioner.get_by_role("img", name=f"Preview of {photo.name}")
        expect(preview).to_be_visible(timeout=15_000)

    blurry = practitioner.locator("li.upload", has_text="blurry.jpg")
    blurry.get_by_role("button", name="Remove").click()
    expect(blurry).to_have_count(0)
    expect(practitioner.get_by_role("alert")).to_have_text("blurry.jpg removed.")
    expect(practitioner.locator("input[name=media]")).to_have_count(1)
    practitioner.get_by_role("button", name="Publish").click()
    expect(practitioner.locator(".messages")).to_contain_text("Published to the journal.")

    observation = Observation.objects.get(title="Painting with sponges")
    gallery = practitioner.get_by_role("region", name="Photos and videos (1;")
    expect(gallery.get_by_role("img")).to_have_count(1)
    attached = Media.objects.filter(observation=observation, deleted_at__isnull=True)
    assert [m.name for m in attached] == ["keep.jpg"]
    removed = Media.objects.get(name="blurry.jpg")
    assert removed.deleted_at is not None
    assert removed.observation is None
