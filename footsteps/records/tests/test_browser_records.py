"""Deleting, restoring and printing, in a real headless Chromium against the
live server (R34, R35): the manager deletes an entry, the family's journal loses
it, the manager restores it from the deleted items and the family sees it
again; then the manager makes Amy's journal into a PDF and downloads it."""

import pytest
from playwright.sync_api import expect

from footsteps.core.tests.conftest import browser  # noqa: F401 (the fixture)
from footsteps.core.tests.test_browser_journeys import window  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser
expect.set_options(timeout=10_000)

TABLET = {"width": 820, "height": 1180}


def test_r34_r35_delete_restore_and_download_the_journal_as_a_pdf(
    window,  # noqa: F811
    live_server,
    world,
    tmp_path,
):
    """R34 R35: "Tower of blocks" goes to the deleted area from its page and
    leaves Amy's family's journal at once; restored from "Deleted items", it is
    back. The PDF of Amy's journal is made with a progress bar and downloaded."""
    entry = world.observations["shared"]
    manager = window("manager@acorns.test")
    manager.set_viewport_size(TABLET)
    family = window("parent_amy@family.test")
    family.get_by_role("link", name="Journal", exact=True).click()
    expect(family.get_by_role("article", name="Tower of blocks")).to_be_visible()

    manager.goto(f"{live_server.url}/observations/{entry.pk}/")
    manager.get_by_text("Delete…", exact=True).click()
    manager.get_by_role("button", name="Delete this entry").click()
    expect(manager.locator(".messages")).to_contain_text("Moved to the deleted area")

    family.reload()
    expect(family.get_by_role("article", name="Tower of blocks")).to_have_count(0)

    manager.get_by_role("link", name="Setting", exact=True).click()
    manager.get_by_role("link", name="Deleted items").click()
    row = manager.get_by_role("row").filter(has_text="Tower of blocks")
    expect(row).to_contain_text("Observation")
    row.get_by_role("button", name="Restore").click()
    expect(manager.locator(".messages")).to_contain_text("Restored")
    expect(manager.get_by_role("row").filter(has_text="Tower of blocks")).to_have_count(0)

    family.reload()
    expect(family.get_by_role("article", name="Tower of blocks")).to_be_visible()

    # R35: the manager makes Amy's journal into a PDF and downloads it.
    manager.get_by_role("link", name="Children", exact=True).click()
    manager.get_by_role("link", name="Amy Acorn").click()
    manager.get_by_role("link", name="PDF", exact=True).click()
    manager.get_by_label("Include the replies").check()
    manager.get_by_role("button", name="Make the PDF").click()
    expect(manager.get_by_role("heading", level=1)).to_have_text("PDF of Amy's journal")
    download_link = manager.get_by_role("link", name="Download the PDF")
    expect(download_link).to_be_visible()
    with manager.expect_download() as waiting:
        download_link.click()
    saved = tmp_path / "journal.pdf"
    waiting.value.save_as(saved)
    assert waiting.value.suggested_filename == "amy-learning-journal.pdf"
    assert saved.read_bytes().startswith(b"%PDF")
