"""Asking for a PDF journal, its progress, the email and the download (R35, R36)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from footsteps.audit.models import AuditEvent
from footsteps.children import services as children_services
from footsteps.exports.models import Export
from footsteps.tenancy.services import setting_update


def test_r35_staff_ask_for_a_pdf_watch_it_made_get_an_email_and_download_it(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    amy = world.children["amy"]
    client = world.client("manager")
    assert client.get(reverse("journal_pdf", args=[amy.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(reverse("journal_pdf", args=[amy.pk]), {"replies": "on"})
    export = Export.objects.get(child=amy)
    assert asked.url == reverse("export_detail", args=[export.key])
    assert export.status == Export.Status.READY
    assert export.audience == "staff"
    assert export.entries >= 2  # the shared entry and the staff note
    page = client.get(asked.url).text
    assert "Download the PDF" in page
    fragment = client.get(asked.url, headers={"HX-Request": "true"}).text
    assert 'id="export-progress"' in fragment
    assert "<html" not in fragment
    (message,) = [m for m in mailoutbox if "PDF journal is ready" in m.subject]
    assert reverse("export_detail", args=[export.key]) in message.body
    download = client.get(reverse("export_download", args=[export.key]))
    assert download["Content-Type"] == "application/pdf"
    assert {"private", "no-store"} <= set(download["Cache-Control"].replace(" ", "").split(","))
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # R39: who took a copy of the journal away is in the log.
    (took,) = AuditEvent.objects.filter(action="export.downloaded")
    assert (took.actor_id, took.target_id) == (world.members["manager"].user_id, str(amy.pk))
    # Another member of staff, or a family, cannot fetch it by its address.
    for other in ("senior", "parent_amy", "other_manager"):
        assert (
            world.client(other).get(reverse("export_download", args=[export.key])).status_code
            == 404
        )


def test_r35_a_family_downloads_their_childs_pdf_only_where_the_setting_allows(
    world, django_capture_on_commit_callbacks
):
    amy = world.children["amy"]
    family = world.client("parent_amy")
    assert family.get(reverse("journal_pdf", args=[amy.pk])).status_code == 404
    setting_update(actor=world.actor("manager"), parents_may_download_pdf=True)
    progress = family.get(reverse("child_progress", args=[amy.pk])).text
    assert "journal as a PDF" in progress
    with django_capture_on_commit_callbacks(execute=True):
        family.post(reverse("journal_pdf", args=[amy.pk]), {})
    export = Export.objects.get(child=amy)
    assert export.audience == "family"
    assert export.status == Export.Status.READY
    # Ben's family: never Amy's.
    assert world.client("parent_ben").get(reverse("journal_pdf", args=[amy.pk])).status_code == 404


def test_r35_a_leaver_is_offered_the_pdf_and_a_date_range_is_checked(world):
    manager = world.actor("manager")
    amy = world.children["amy"]
    children_services.child_set_status(actor=manager, child=amy, status="left")
    page = world.client("manager").get(reverse("child_edit", args=[amy.pk])).text
    assert reverse("journal_pdf", args=[amy.pk]) in page
    today = timezone.localdate()
    refused = world.client("manager").post(
        reverse("journal_pdf", args=[amy.pk]),
        {"start": today.isoformat(), "end": (today - timedelta(days=3)).isoformat()},
    )
    assert "The end date is before the start date." in refused.text
    assert not Export.objects.exists()


def test_r35_pdfs_are_removed_after_a_week_with_their_files(world):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from footsteps.exports.services import expire_exports

    name = default_storage.save("exports/old.pdf", ContentFile(b"%PDF-1.4"))
    export = Export.objects.create(
        setting_id=world.children["amy"].setting_id,
        child=world.children["amy"],
        requested_by=world.members["manager"],
        status=Export.Status.READY,
        file=name,
    )
    assert expire_exports() == 0
    assert expire_exports(now=timezone.now() + timedelta(days=8)) == 1
    assert not Export.objects.filter(pk=export.pk).exists()
    assert not default_storage.exists(name)
