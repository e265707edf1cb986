"""Moving a child's journal to another setting (R36): a manager of Little
Acorns makes Amy's package, the manager of Oak Tree imports it with the code.
Texts, dates, authors' names, areas of learning and photos (byte for byte)
arrive; no other child's data goes (R5, R28); the family is not linked. A
package that is cut short, foreign, changed, signed with another code, made
by a newer Footsteps or imported twice is refused with its reason, and then
nothing at all is written: no row, no file."""

import hashlib
import io
import json
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from footsteps.assessments.models import Aspect, ObservationAspect
from footsteps.assessments.selectors import frameworks_for
from footsteps.audit.models import AuditEvent
from footsteps.children import services as children_services
from footsteps.children.models import ParentLink, PendingLink
from footsteps.conftest import page_text
from footsteps.journal import services as journal
from footsteps.journal.models import Comment, NextStep, Observation
from footsteps.media import services as media_services
from footsteps.media.models import Media
from footsteps.media.tests.files import jpeg_from_phone
from footsteps.people.models import Membership
from footsteps.transfers import package
from footsteps.transfers.models import ImportedPackage, Transfer
from footsteps.transfers.services import expire_transfers


def days_ago(n: int):
    return timezone.now() - timedelta(days=n)


def sha256(name: str) -> str:
    with default_storage.open(name, "rb") as stored:
        return hashlib.sha256(stored.read()).hexdigest()


@pytest.fixture
def amy_journal(world, upload, small_photo, tmp_path, django_capture_on_commit_callbacks):
    """Amy's entry with two real photos (sent and processed as a phone's are),
    two areas of learning, a next step, and replies from home and from staff."""
    senior = world.actor("senior")
    second = jpeg_from_phone(tmp_path / "paint.jpg", 400, 300, orientation=1).read_bytes()
    photos = [upload(senior, small_photo, "sand.jpg"), upload(senior, second, "paint.jpg")]
    assert [item.status for item in photos] == [Media.Status.READY] * 2
    aspects = list(Aspect.objects.filter(framework__in=frameworks_for(senior)).order_by("pk")[:2])
    with django_capture_on_commit_callbacks(execute=True):
        entry = journal.observation_create(
            actor=senior,
            children=[world.children["amy"]],
            title="Sand and paint",
            notes="Amy poured sand, then painted the tray.",
            observed_at=days_ago(20),
            media=[item.key for item in photos],
            aspects=aspects,
            next_steps="Try pouring water",
            publish=True,
        )
    assert entry.status == Observation.Status.PUBLISHED
    journal.comment_add(
        actor=world.actor("parent_amy"),
        observation=entry,
        child=world.children["amy"],
        body="She told us all about the sand!",
    )
    journal.comment_add(
        actor=world.actor("manager"),
        observation=entry,
        child=world.children["amy"],
        body="Lovely to hear.",
    )
    return entry


@pytest.fixture
def make_package(world, django_capture_on_commit_callbacks):
    """Amy's package as her manager downloads it: (bytes, the Transfer)."""

    def make(child="amy"):
        client = world.client("manager")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("transfer_start", args=[world.children[child].pk]))
        transfer = Transfer.objects.get(child=world.children[child])
        assert response.url == reverse("transfer_detail", args=[transfer.key])
        assert transfer.status == Transfer.Status.READY, transfer.problem
        download = client.get(reverse("transfer_download", args=[transfer.key]))
        assert download.status_code == 200
        assert download["Cache-Control"].startswith("private, no-store")
        return b"".join(download.streaming_content), transfer

    return make


@pytest.fixture
def import_package(world, django_capture_on_commit_callbacks):
    """Oak Tree's manager sends a package and a code through the import page,
    in a browser that opened that page first (`open_import_page`)."""
    clients: dict = {}

    def open_page(who="other_manager"):
        client = clients.setdefault(who, world.client(who))
        assert client.get(reverse("transfer_import")).status_code == 200
        return client

    def send(data: bytes, code: str, who="other_manager", name="amy-journal.zip"):
        client = clients.get(who) or open_page(who)
        upload = SimpleUploadedFile(name, data, content_type="application/zip")
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("transfer_import"), {"package": upload, "code": code})

    send.open_page = open_page
    return send


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def rows() -> dict[str, int]:
    """Rows of every model, but the activity log's (a refusal is recorded)."""
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and model._meta.app_label != "audit"
    }


def stored_files() -> set[str]:
    root = Path(default_storage.location)
    return {str(path) for path in root.rglob("*") if path.is_file()} if root.exists() else set()


# --- The round trip ------------------------------------------------------------------


def test_r36_a_journal_moves_to_another_setting_with_photos_intact(
    world, amy_journal, make_package, import_package
):
    data, transfer = make_package()
    response = import_package(data, transfer.code)
    record = ImportedPackage.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("transfer_imported", args=[record.pk])
    oak = world.children["zed"].setting
    amy = world.children["amy"]
    moved = record.child
    assert (moved.setting, moved.first_name, moved.last_name) == (oak, "Amy", "Acorn")
    assert moved.date_of_birth == amy.date_of_birth

    def journal_of(child):
        entries = Observation.objects.filter(links__child=child, status="published")
        return {
            entry.title: (
                entry.notes,
                entry.observed_at,
                entry.created_at,
                entry.author_display_name,
                entry.shared_with_parents,
                entry.kind,
                entry.next_steps,
                sorted(
                    (tag.aspect.framework.key, tag.aspect.key)
                    for tag in ObservationAspect.objects.filter(observation=entry)
                ),
                [
                    (reply.author_display_name, reply.created_at, reply.body)
                    for reply in Comment.objects.filter(
                        observation=entry, child=child, status="published"
                    ).order_by("created_at", "pk")
                ],
            )
            for entry in entries
        }

    before, after = journal_of(amy), journal_of(moved)
    assert set(after) == {"Sand and paint", "Tower of blocks", "Staff note"}
    assert after == before
    assert after["Sand and paint"][3] == "Senior Person"
    assert len(after["Sand and paint"][7]) == 2
    assert [r[0] for r in after["Sand and paint"][8]] == ["parent_amy Family", "A Manager"]
    assert after["Staff note"][4] is False  # staff-only stays staff-only
    # Every entry is the importing manager's for permissions, the author's by name.
    imported = Observation.objects.filter(links__child=moved)
    assert {entry.author_id for entry in imported} == {world.members["other_manager"].pk}
    [step] = NextStep.objects.filter(child=moved)
    assert (step.text, step.author_display_name) == ("Try pouring water", "Senior Person")
    # Photos: processed again here, their originals the very bytes A keeps.
    sent = Media.objects.filter(observation=amy_journal).order_by("position")
    arrived = Media.objects.filter(observation__links__child=moved).order_by("position")
    assert [item.status for item in arrived] == [Media.Status.READY] * 2
    assert [sha256(item.original) for item in arrived] == [sha256(item.original) for item in sent]
    assert all(
        item.display and item.thumbnail and item.key not in {s.key for s in sent}
        for item in arrived
    )
    manifest = json.loads(members_of(data)["manifest.json"])
    listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    assert sorted(sha256(item.original) for item in arrived) == sorted(
        sha for path, sha in listed.items() if path.startswith("media/")
    )
    # The journal's pages in B show the original authors' names.
    client = world.client("other_manager")
    page = client.get(reverse("child_detail", args=[moved.pk]))
    assert "by Senior Person" in page.content.decode()
    assert "(Senior Person," in page.content.decode()  # the next step's author
    detail = client.get(
        reverse("observation_detail", args=[imported.get(title="Sand and paint").pk])
    )
    assert "By Senior Person" in detail.content.decode()
    assert "parent_amy Family" in detail.content.decode()
    assert AuditEvent.objects.filter(action="transfer.exported", setting=amy.setting).exists()
    assert AuditEvent.objects.filter(action="transfer.imported", setting=oak).exists()


def test_r36_r5_the_package_holds_nothing_about_other_children(world, amy_journal, make_package):
    """ "Tower of blocks" is about Amy and Ben: it goes, without Ben, his family's
    reply or his family's contacts."""
    data, _transfer = make_package()
    text = members_of(data)["journal.json"].decode()
    assert "Tower of blocks" in text
    for absent in ("Ben", "parent_ben", "Cara", "Zed", "Unfinished draft", "At the park"):
        assert absent not in text
    journal_data = json.loads(text)
    assert journal_data["families"] == [
        {"name": "parent_amy Family", "email": "parent_amy@family.test", "relationship": "parent"}
    ]


def test_r36_r28_a_photo_of_a_child_without_consent_goes_covered_or_not_at_all(
    world, upload, small_photo, make_package, django_capture_on_commit_callbacks
):
    senior = world.actor("senior")
    children_services.child_set_image_consent(
        actor=world.actor("manager"), child=world.children["ben"], consent="refused"
    )
    item = upload(senior, small_photo)
    draft = journal.observation_create(
        actor=senior,
        children=[world.children["amy"], world.children["ben"]],
        title="Painting together",
        observed_at=days_ago(3),
        media=[item.key],
    )
    data, _transfer = make_package()
    assert not [name for name in members_of(data) if name.startswith("media/")]
    item.refresh_from_db()
    media_services.redact(
        actor=senior,
        media=item,
        regions='[{"x": 0, "y": 0, "w": 0.6, "h": 0.6}]',
        covered=[world.children["ben"].pk],
    )
    with django_capture_on_commit_callbacks(execute=True):
        journal.observation_update(
            actor=senior, observation=draft, expected_version=draft.version, publish=True
        )
    Transfer.objects.all().delete()
    item.refresh_from_db()
    data, _transfer = make_package()
    [photo] = [content for name, content in members_of(data).items() if name.startswith("media/")]
    assert hashlib.sha256(photo).hexdigest() == sha256(item.redacted_display)
    assert photo != default_storage.open(item.original).read()


def test_r36_a_package_signed_elsewhere_imports_whatever_this_server_s_secret_key(
    world, amy_journal, make_package, import_package, settings
):
    """No secret is shared between deployments: only the code signs."""
    data, transfer = make_package()
    settings.SECRET_KEY = "another-deployment-" + "y" * 40
    response = import_package(data, transfer.code.lower().replace("-", " "))
    assert response.status_code == 302
    assert ImportedPackage.objects.filter(child__first_name="Amy").count() == 1


def test_r36_r12_the_family_is_not_linked_but_offered_for_invitation(
    world, amy_journal, make_package, import_package
):
    data, transfer = make_package()
    import_package(data, transfer.code)
    record = ImportedPackage.objects.get()
    assert not ParentLink.objects.filter(child=record.child).exists()
    assert not PendingLink.objects.filter(child=record.child).exists()
    page = world.client("other_manager").get(reverse("transfer_imported", args=[record.pk]))
    text = page.content.decode()
    assert "parent_amy@family.test" in text
    assert f'action="{reverse("parent_invite")}"' in text
    assert "Invite parent_amy Family" in text
    # The button is the invitation page's own form, the manager's choice: an
    # invitation the parent must accept before seeing anything here.
    invited = world.client("other_manager").post(
        reverse("parent_invite"),
        {
            "full_name": "parent_amy Family",
            "email": "parent_amy@family.test",
            "child": record.child.pk,
            "relationship": "parent",
        },
    )
    assert invited.status_code == 302
    [link] = ParentLink.objects.filter(child=record.child).select_related("parent")
    assert link.parent.status == Membership.Status.INVITED
    assert link.parent.setting == record.setting


def test_r36_the_page_shows_the_code_and_the_email_does_not(world, amy_journal, make_package):
    from django.core import mail

    _data, transfer = make_package()
    page = world.client("manager").get(reverse("transfer_detail", args=[transfer.key]))
    assert transfer.code in page.content.decode()
    [email] = [m for m in mail.outbox if "transfer package" in m.subject]
    assert reverse("transfer_detail", args=[transfer.key]) in email.body
    assert transfer.code not in email.body
    assert package.normalise_code(transfer.code) == transfer.code


# --- Refused, with nothing written -------------------------------------------------


def _resigned(members: dict[str, bytes], code: str, **changes) -> dict[str, bytes]:
    manifest = json.loads(members["manifest.json"])
    manifest.update(changes)
    raw = json.dumps(manifest).encode()
    members["manifest.json"] = raw
    members["signature"] = package.sign(raw, code, manifest["package_id"]).encode()
    return members


def _edit_member(name_start: str):
    def change(members, code):
        name = next(n for n in members if n.startswith(name_start))
        content = bytearray(members[name])
        content[len(content) // 2] ^= 0xFF
        members[name] = bytes(content)
        return members

    return change


CASES = {
    "truncated": (
        lambda data, code: data[: len(data) * 2 // 3],
        "This file is incomplete: ask for it again.",
    ),
    "foreign zip": (
        lambda data, code: zipped({"photo.jpg": b"not really"}),
        "This is not a Footsteps journal transfer",
    ),
    "a pdf": (
        lambda data, code: b"%PDF-1.4\n%\xe2\xe3\n1 0 obj << >> endobj\n%%EOF\n",
        "This is not a Footsteps journal transfer",
    ),
    "edited journal": (
        lambda data, code: zipped(
            {
                **members_of(data),
                "journal.json": members_of(data)["journal.json"].replace(
                    b"Sand and paint", b"Sand and pain!"
                ),
            }
        ),
        "journal.json in the package is not what was sent",
    ),
    "edited photo byte": (
        lambda data, code: zipped(_edit_member("media/")(members_of(data), code)),
        "media/00001.jpg in the package is not what was sent",
    ),
    "edited manifest": (
        lambda data, code: zipped(
            {
                **members_of(data),
                "manifest.json": members_of(data)["manifest.json"].replace(
                    b"Little Acorns", b"Big Acorns"
                ),
            }
        ),
        "The transfer code does not match this package",
    ),
    "extra file": (
        lambda data, code: zipped({**members_of(data), "media/notes.txt": b"hello"}),
        "holds a file its manifest does not list (media/notes.txt)",
    ),
    "path traversal": (
        lambda data, code: zipped({**members_of(data), "../../evil.txt": b"owned"}),
        "which could be written outside its folder",
    ),
    "future version": (
        lambda data, code: zipped(_resigned(members_of(data), code, version=2)),
        "made by a newer version of Footsteps",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_r36_a_bad_package_is_refused_and_nothing_is_written(
    world, amy_journal, make_package, import_package, case
):
    data, transfer = make_package()
    tamper, message = CASES[case]
    bad = tamper(data, transfer.code)
    import_package.open_page()
    before_rows, before_files = rows(), stored_files()
    response = import_package(bad, transfer.code)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert rows() == before_rows
    assert stored_files() == before_files
    assert AuditEvent.objects.filter(action="transfer.refused").count() == 1


def test_r36_a_wrong_code_is_refused_naming_both_causes(
    world, amy_journal, make_package, import_package
):
    data, _transfer = make_package()
    import_package.open_page()
    before_rows, before_files = rows(), stored_files()
    response = import_package(data, package.new_code())
    text = response.content.decode()
    assert "The transfer code does not match this package" in text
    assert "typed wrongly" in text
    assert "changed after it was made" in text
    assert (rows(), stored_files()) == (before_rows, before_files)
    refusal = AuditEvent.objects.get(action="transfer.refused")
    assert refusal.data["reason"] == "signature"


def test_r36_a_code_that_cannot_be_one_is_refused(world, amy_journal, make_package, import_package):
    data, _transfer = make_package()
    response = import_package(data, "1234")
    assert "Type the 16-character transfer code" in response.content.decode()
    assert not ImportedPackage.objects.exists()


def test_r36_a_link_inside_the_package_is_refused(world, amy_journal, make_package, import_package):
    data, transfer = make_package()
    members = members_of(data)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
        link = zipfile.ZipInfo("media/link")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
    import_package.open_page()
    before_rows = rows()
    response = import_package(out.getvalue(), transfer.code)
    assert "holds a link" in response.content.decode()
    assert rows() == before_rows


def test_r36_a_package_larger_than_the_limit_is_refused_before_it_is_read(
    world, amy_journal, make_package, import_package, monkeypatch
):
    """A zip bomb declares its sizes; they are held to the limit and then to
    what is actually read."""
    data, transfer = make_package()
    monkeypatch.setattr(package, "MAX_TOTAL_BYTES", 1000)
    response = import_package(data, transfer.code)
    assert "too large to import" in response.content.decode()
    assert not ImportedPackage.objects.exists()


def test_r36_the_same_package_twice_is_found(world, amy_journal, make_package, import_package):
    data, transfer = make_package()
    import_package(data, transfer.code)
    record = ImportedPackage.objects.get()
    import_package.open_page()
    before_rows, before_files = rows(), stored_files()
    response = import_package(data, transfer.code)
    text = response.content.decode()
    day = timezone.localtime(record.imported_at)
    assert f"Already imported on {day:%-d %B %Y} as Amy Acorn." in text
    assert reverse("transfer_imported", args=[record.pk]) in text
    assert (rows(), stored_files()) == (before_rows, before_files)
    # Into another setting (back to Acorns) the same package is new.
    again = import_package(data, transfer.code, who="manager")
    assert again.status_code == 302


def test_r36_a_child_the_children_service_refuses_is_not_imported(
    world, amy_journal, make_package, import_package
):
    """A last name of spaces passes the schema; the children's service, which
    every new child goes through, refuses it: the import is refused whole."""
    data, transfer = make_package()
    members = members_of(data)
    journal_data = json.loads(members["journal.json"])
    journal_data["child"]["last_name"] = "   "
    raw = json.dumps(journal_data).encode()
    members["journal.json"] = raw
    manifest = json.loads(members["manifest.json"])
    for item in manifest["files"]:
        if item["path"] == "journal.json":
            item.update(sha256=hashlib.sha256(raw).hexdigest(), size=len(raw))
    _resigned(members, transfer.code, files=manifest["files"])
    import_package.open_page()
    before_rows, before_files = rows(), stored_files()
    response = import_package(zipped(members), transfer.code)
    assert "Enter the child&#x27;s last name." in response.content.decode()
    assert (rows(), stored_files()) == (before_rows, before_files)


class FailingStorage(FileSystemStorage):
    """Storage that breaks after a few files (a full disk, a bucket gone)."""

    saved = 0

    def _save(self, name, content):
        FailingStorage.saved += 1
        if FailingStorage.saved > 3:
            raise OSError("No space left on device")
        return super()._save(name, content)


def test_r36_a_failure_after_files_were_stored_leaves_no_rows_and_no_files(
    world, amy_journal, make_package, import_package, settings
):
    data, transfer = make_package()
    import_package.open_page()
    before_rows, before_files = rows(), stored_files()
    FailingStorage.saved = 0
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": f"{__name__}.FailingStorage",
            "OPTIONS": {"location": str(settings.MEDIA_ROOT)},
        },
    }
    response = import_package(data, transfer.code)
    assert FailingStorage.saved == 4  # three files stored, the fourth failed
    assert "could not be stored" in response.content.decode()
    assert (rows(), stored_files()) == (before_rows, before_files)


# --- Who may ------------------------------------------------------------------------


def test_r36_r12_only_managers_export_and_import(world, amy_journal, make_package):
    amy = world.children["amy"]
    for who in ("senior", "practitioner", "parent_amy"):
        client = world.client(who)
        assert client.post(reverse("transfer_start", args=[amy.pk])).status_code == 403
        assert client.get(reverse("transfer_import")).status_code == 403
    assert not Transfer.objects.exists()
    _data, transfer = make_package()
    for who in ("senior", "practitioner", "parent_amy"):
        client = world.client(who)
        assert client.get(reverse("transfer_detail", args=[transfer.key])).status_code == 403
        assert client.get(reverse("transfer_download", args=[transfer.key])).status_code == 403


def test_r36_another_setting_s_manager_gets_404_for_the_package(world, amy_journal, make_package):
    _data, transfer = make_package()
    client = world.client("other_manager")
    assert client.get(reverse("transfer_detail", args=[transfer.key])).status_code == 404
    assert client.get(reverse("transfer_download", args=[transfer.key])).status_code == 404
    assert (
        client.post(reverse("transfer_start", args=[world.children["amy"].pk])).status_code == 404
    )
    record_page = client.get(reverse("transfer_imported", args=[999999]))
    assert record_page.status_code == 404


def test_r36_the_child_page_offers_the_move_to_managers_only(world):
    amy = world.children["amy"]
    link = reverse("transfer_start", args=[amy.pk])
    assert (
        link in world.client("manager").get(reverse("child_detail", args=[amy.pk])).content.decode()
    )
    senior_page = world.client("senior").get(reverse("child_detail", args=[amy.pk]))
    assert link not in page_text(senior_page)


def test_r36_packages_are_removed_after_a_week_with_their_files(world, amy_journal, make_package):
    _data, transfer = make_package()
    assert default_storage.exists(transfer.file)
    assert expire_transfers() == 0
    assert expire_transfers(now=timezone.now() + timedelta(days=8)) == 1
    assert not Transfer.objects.exists()
    assert not default_storage.exists(transfer.file)


def test_r36_a_refused_package_is_in_the_activity_log_with_its_reason(world, import_package):
    import_package(b"%PDF-1.4 nothing", package.new_code())
    event = AuditEvent.objects.get(action="transfer.refused")
    assert event.data["reason"] == "foreign"
    assert event.setting_id == world.children["zed"].setting_id


def test_r36_r30_a_photo_carrying_metadata_in_a_package_is_stripped_on_import(
    world, amy_journal, make_package, import_package, tmp_path
):
    """Whoever holds the code can sign any package: a photo in it is stored
    as it came only if it carries nothing but its pixels."""
    from footsteps.media.tests import files

    data, transfer = make_package()
    members = members_of(data)
    name = next(n for n in members if n.startswith("media/") and n.endswith(".jpg"))
    members[name] = files.jpeg_from_phone(tmp_path / "phone.jpg").read_bytes()
    manifest = json.loads(members["manifest.json"])
    for entry in manifest["files"]:
        if entry["path"] == name:
            entry["sha256"] = hashlib.sha256(members[name]).hexdigest()
            entry["size"] = len(members[name])
    members = _resigned(members, transfer.code, files=manifest["files"])

    response = import_package(zipped(members), transfer.code)

    problems = re.findall(r"errorlist.*?</ul>", response.text)
    assert response.status_code == 302, problems
    imported = Media.objects.filter(setting=world.members["other_manager"].setting)
    assert imported.exists()
    for item in imported:
        for stored in (item.original, item.display, item.thumbnail, item.print_copy):
            if stored:
                with default_storage.open(stored, "rb") as file:
                    content = file.read()
                for secret in files.SECRETS:
                    assert secret not in content, (stored, secret)


def test_r36_r26_imported_entries_are_not_counted_as_the_new_settings_work(
    world, amy_journal, make_package, import_package
):
    from footsteps.journal.selectors import Period, monitoring

    today = timezone.localdate()

    def figures():
        found = monitoring(
            world.actor("other_manager"), Period(today - timedelta(days=60), today), quiet_days=14
        )
        return found["total"], {member.pk: member.count for member in found["staff"]}

    before = figures()
    data, transfer = make_package()
    assert import_package(data, transfer.code).status_code == 302
    assert Observation.objects.filter(setting=world.children["zed"].setting).count() > 1
    assert figures() == before


def test_r36_r23_a_childs_band_and_judgement_move_with_the_journal(
    world, make_package, import_package
):
    from footsteps.assessments.models import Band, ObservationMark
    from footsteps.assessments.services import Mark

    senior = world.actor("senior")
    amy = world.children["amy"]
    band = Band.objects.filter(framework__in=frameworks_for(senior)).order_by("pk").last()
    aspect = Aspect.objects.filter(framework=band.framework).order_by("pk").first()
    journal.observation_create(
        actor=senior,
        children=[amy, world.children["ben"]],
        title="Counting cones",
        observed_at=days_ago(3),
        aspects=[aspect],
        marks={
            amy.pk: Mark(band=band, judgement="secure"),
            world.children["ben"].pk: Mark(judgement="emerging"),
        },
        publish=True,
    )
    data, transfer = make_package()
    assert b"emerging" not in members_of(data)["journal.json"]  # Ben's mark stays
    assert import_package(data, transfer.code).status_code == 302

    moved = ImportedPackage.objects.get().child
    (mark,) = ObservationMark.objects.filter(child=moved)
    assert (mark.band.framework.key, mark.band.key, mark.judgement) == (
        band.framework.key,
        band.key,
        "secure",
    )


def test_r36_r34_an_imported_child_in_the_deleted_area_is_named_nowhere(
    world, amy_journal, make_package, import_package
):
    from footsteps.records import services as records

    data, transfer = make_package()
    assert import_package(data, transfer.code).status_code == 302
    record = ImportedPackage.objects.get()
    import_package.open_page()  # the manager reads "imported" before deleting
    records.child_delete(actor=world.actor("other_manager"), child=record.child)

    again = import_package(data, transfer.code)

    text = page_text(again)
    assert "Already imported on" in text
    assert "deleted area" in text
    assert "Amy Acorn" not in text
    oak = world.client("other_manager")
    assert "Amy Acorn" not in page_text(oak.get(reverse("transfer_import")))
    assert oak.get(reverse("transfer_imported", args=[record.pk])).status_code == 404
    refusals = AuditEvent.objects.filter(action="transfer.refused")
    assert [event.data for event in refusals] == [{"reason": "duplicate"}]


def test_r36_a_small_package_that_would_expand_to_gigabytes_is_refused(
    world, amy_journal, make_package, import_package
):
    """A photo compressed in the zip (Footsteps stores them as they are) could
    be a bomb: a few kilobytes that fill the disk. Refused before anything is
    written, whoever signed it."""
    data, transfer = make_package()
    members = members_of(data)
    name = next(n for n in members if n.startswith("media/"))
    members[name] = b"\xff\xd8\xff" + bytes(8 * 1024**2)  # 8 MB of zeros: 8 kB deflated
    manifest = json.loads(members["manifest.json"])
    for entry in manifest["files"]:
        if entry["path"] == name:
            entry["sha256"] = hashlib.sha256(members[name]).hexdigest()
            entry["size"] = len(members[name])
    members = _resigned(members, transfer.code, files=manifest["files"])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    assert len(out.getvalue()) < 200_000
    import_package.open_page()
    before, files = rows(), stored_files()

    answer = import_package(out.getvalue(), transfer.code)

    assert answer.status_code == 200
    assert "compressed in a way Footsteps never writes" in answer.text
    assert rows() == before
    assert stored_files() == files
