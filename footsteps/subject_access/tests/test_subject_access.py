"""Subject access exports (R33, R35): a manager gathers everything held about
a child, a parent or a member of staff as a ZIP. Each test opens the ZIP the
real pages make, checks data.json against the keys docs/subject-access.md
documents, and searches every file (the PDF's text too) for what must never be
there: another child (R5, R28) or another setting."""

import io
import json
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from footsteps.assessments import services as assessments
from footsteps.assessments.models import Aspect, Band, Framework
from footsteps.assessments.services import Judgement, Mark
from footsteps.audit.models import AuditEvent
from footsteps.children import services as children_services
from footsteps.conftest import PASSWORD
from footsteps.core.seeding import actor_of
from footsteps.journal import services as journal
from footsteps.journal.models import Comment
from footsteps.media import services as media
from footsteps.media.tests.files import jpeg_from_phone
from footsteps.people import services as people
from footsteps.subject_access.models import SubjectAccessExport
from footsteps.subject_access.services import expire_subject_access

DOC = Path(settings.BASE_DIR) / "docs" / "subject-access.md"
HEADINGS = {"child": "A child", "parent": "A parent or carer", "staff": "A member of staff"}


# --- Helpers -----------------------------------------------------------------------------


def documented_sections(kind: str) -> dict[str, set[str]]:
    """{section: its documented keys ("a.b" for nested)} for a subject kind,
    read from the tables of docs/subject-access.md. "As for a parent" sections
    take the parent's keys."""
    text = DOC.read_text()

    def tables(part: str) -> dict[str, set[str]]:
        pieces = re.split(r"\n### `(\w+)`[^\n]*\n", part)
        found = {}
        for name, body in zip(pieces[1::2], pieces[2::2], strict=True):
            keys = set()
            for line in body.splitlines():
                if line.startswith("| `"):
                    keys |= set(re.findall(r"`([\w.]+)`", line.split("|")[1]))
            found[name] = keys
        return found

    def part(heading: str) -> str:
        return text.split(f"\n## {heading}")[1].split("\n## ")[0]

    sections = tables(part(HEADINGS[kind]))
    parent = tables(part(HEADINGS["parent"]))
    return {name: keys or parent[name] for name, keys in sections.items()}


def documented_header() -> set[str]:
    text = DOC.read_text().split("\n## The header")[1].split("\n## ")[0]
    return {
        key
        for line in text.splitlines()
        if line.startswith("| `")
        for key in re.findall(r"`([\w.]+)`", line.split("|")[1])
    }


def assert_shape(data: dict, kind: str) -> None:
    """Every documented key is there, and nothing undocumented."""
    header = documented_header()
    sections = documented_sections(kind)
    assert set(data) == {key.split(".")[0] for key in header} | set(sections)
    assert data["format"] == "footsteps-subject-access"
    assert data["version"] == 1
    assert set(data["subject"]) == {key.split(".")[1] for key in header if key.startswith("subj")}
    for name, keys in sections.items():
        value = data[name]
        items = value if isinstance(value, list) else [value]
        for item in items:
            assert set(item) == {key.split(".")[0] for key in keys}, name
            for key in keys:
                if "." in key:
                    outer, inner = key.split(".")
                    assert inner in item[outer], f"{name}.{key}"


def photo_bytes(tmp_path: Path, width: int, height: int) -> bytes:
    """A phone's JPEG; its size makes its stored copies unlike any other's."""
    path = tmp_path / f"photo-{width}x{height}.jpg"
    return jpeg_from_phone(path, width=width, height=height, orientation=1).read_bytes()


def stored(name: str) -> bytes:
    with default_storage.open(name, "rb") as file:
        return file.read()


def make_export(world, django_capture_on_commit_callbacks, url: str) -> SubjectAccessExport:
    client = world.client("manager")
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(url)
    export = SubjectAccessExport.objects.latest("created_at")
    assert asked.url == reverse("subject_access_detail", args=[export.key])
    assert export.status == SubjectAccessExport.Status.READY, export.problem
    return export


def download(world, export) -> dict[str, bytes]:
    response = world.client("manager").get(reverse("subject_access_download", args=[export.key]))
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def readable(files: dict[str, bytes]) -> str:
    """All the words in the ZIP: the JSON and README as they are, the PDF's text."""
    texts = []
    for name, data in files.items():
        if name.endswith((".json", ".txt")):
            texts.append(data.decode())
        elif name.endswith(".pdf"):
            reader = PdfReader(io.BytesIO(data))
            texts.extend(page.extract_text() for page in reader.pages)
    return "\n".join(texts)


def all_bytes(files: dict[str, bytes]) -> bytes:
    return b"\n".join(files.values())


def consent(world, name: str, value: str) -> None:
    children_services.child_set_image_consent(
        actor=world.actor("manager"), child=world.children[name], consent=value
    )


def entry(world, title, children, *, actor="senior", days=3, **fields):
    return journal.observation_create(
        actor=world.actor(actor),
        children=[world.children[name] for name in children],
        title=title,
        observed_at=timezone.now() - timedelta(days=days),
        publish=True,
        **fields,
    )


# --- A child -------------------------------------------------------------------------------


def test_r33_r35_r5_r28_a_childs_export_holds_their_record_and_never_another_child(
    world, django_capture_on_commit_callbacks, upload, tmp_path
):
    amy = world.children["amy"]
    senior = world.actor("senior")
    consent(world, "amy", "granted")
    consent(world, "ben", "granted")
    # Amy alone: the original goes in.
    alone = upload(senior, photo_bytes(tmp_path, 320, 240))
    entry(world, "Painting alone", ["amy"], notes="Mixed blue and yellow.", media=[alone.key])
    # Amy with Ben, then Ben's family refuses: the photo stays out of Amy's export.
    shared = upload(senior, photo_bytes(tmp_path, 330, 250))
    entry(world, "Sand and water", ["amy", "ben"], notes="Poured carefully.", media=[shared.key])
    consent(world, "ben", "refused")
    # Amy with Ben covered: the covered copy goes in.
    covered = upload(senior, photo_bytes(tmp_path, 340, 260))
    den = journal.observation_create(
        actor=senior,
        children=[amy, world.children["ben"]],
        title="Den building",
        observed_at=timezone.now() - timedelta(days=2),
        media=[covered.key],
    )
    covered.refresh_from_db()
    media.redact(
        actor=senior,
        media=covered,
        regions='[{"x": 0, "y": 0, "w": 0.5, "h": 0.5}]',
        covered=[world.children["ben"].pk],
    )
    journal.observation_update(
        actor=senior, observation=den, expected_version=den.version, publish=True
    )
    # Ben alone, with his photo: nothing of it in Amy's export.
    bens = upload(senior, photo_bytes(tmp_path, 350, 270))
    entry(world, "Climbing frame", ["ben"], notes="Only about him: QXJ-47.", media=[bens.key])
    # Amy's learning: a tagged, marked entry, a next step, an assessment, a
    # learning story and a progress check (R23, R25, R27).
    speaking = Aspect.objects.get(
        framework__key="development-matters", framework__setting=None, key="speaking"
    )
    band = Band.objects.get(framework__key="development-matters", key="three-and-four")
    tagged = entry(
        world,
        "Telling a story",
        ["amy"],
        aspects=[speaking.pk],
        marks={amy.pk: Mark(band=band, judgement="secure")},
        next_steps="Retell it with puppets.",
    )
    journal.next_step_add(actor=senior, child=amy, text="Count to twenty.")
    period = assessments.period_create(
        actor=world.actor("manager"),
        name="Autumn point",
        assessed_on=timezone.localdate(),
        framework=Framework.objects.get(key="development-matters", setting=None),
    )
    assessments.assessments_record(
        actor=world.actor("manager"),
        period=period,
        child=amy,
        judgements={speaking.pk: Judgement(band=band, judgement="secure", on_track=True)},
    )
    entry(world, "Amy's autumn story", ["amy"], kind="story", draws_on=[tagged.pk])
    entry(
        world,
        "Progress check at two",
        ["amy"],
        kind="check",
        sections={"communication-and-language": "Uses short sentences."},
    )

    export = make_export(
        world, django_capture_on_commit_callbacks, reverse("subject_access_child", args=[amy.pk])
    )
    files = download(world, export)
    assert {"README.txt", "data.json", "journal.pdf"} <= set(files)
    data = json.loads(files["data.json"])
    assert_shape(data, "child")
    assert data["subject"] == {"kind": "child", "id": amy.pk, "name": "Amy Acorn"}
    assert data["setting"] == {"name": "Little Acorns"}
    assert data["child"]["date_of_birth"] == "2022-05-01"
    assert data["child"]["key_person"] == "Senior Person"
    assert data["family"][0]["name"] == "parent_amy Family"
    assert data["consents"]["photos_in_other_journals"]["choice"] == "granted"

    entries = {item["title"]: item for item in data["entries"]}
    # Every entry kept about Amy, whatever its state (staff-only, draft, from home).
    assert entries["Staff note"]["staff_only"] is True
    assert entries["Unfinished draft"]["status"] == "draft"
    assert entries["At the park"]["from"] == "family"
    assert entries["At the park"]["status"] == "pending"
    assert "Climbing frame" not in entries
    # An entry about Amy and Ben: the words, Ben counted, never named (R5).
    tower = entries["Tower of blocks"]
    assert tower["notes"] == "Built together."
    assert tower["about"] == "Amy and 1 other child"
    assert [reply["text"] for reply in tower["replies"]] == ["Amy loved this!"]
    told = entries["Telling a story"]
    assert told["learning"] == [{"area": speaking.area.name, "aspect": speaking.name}]
    assert told["mark"] == {"band": band.name, "judgement": "secure"}
    assert told["next_steps"] == "Retell it with puppets."
    assert entries["Amy's autumn story"]["draws_on"] == [tagged.pk]
    check = entries["Progress check at two"]
    assert check["sections"][0]["text"] == "Uses short sentences."
    assert check["sections"][0]["area"] == "Communication and Language"
    steps = [(step["text"], step["entry_id"]) for step in data["next_steps"]]
    assert steps == [("Retell it with puppets.", tagged.pk), ("Count to twenty.", None)]
    [assessed] = data["assessments"]
    assert (assessed["aspect"], assessed["judgement"], assessed["on_track"]) == (
        speaking.name,
        "Secure",
        True,
    )

    # Photos (R28): Amy's own as stored; Ben covered; the one Ben's family
    # refused left out, and counted.
    alone.refresh_from_db()
    covered.refresh_from_db()
    shared.refresh_from_db()
    bens.refresh_from_db()
    [alone_file] = entries["Painting alone"]["media"]
    assert alone_file["copy"] == "original"
    assert files[alone_file["file"]] == stored(alone.original)
    [covered_file] = entries["Den building"]["media"]
    assert covered_file["copy"] == "covered"
    assert files[covered_file["file"]] == stored(covered.redacted_display)
    assert entries["Sand and water"]["media"] == []
    assert entries["Sand and water"]["media_withheld"] == 1
    media_files = {name: data for name, data in files.items() if name.startswith("media/")}
    assert len(media_files) == 2
    for item, variants in (
        (shared, ("original", "display", "thumbnail")),
        (covered, ("original", "display", "thumbnail")),
        (bens, ("original", "display", "thumbnail")),
    ):
        for variant in variants:
            assert stored(getattr(item, variant)) not in media_files.values(), (item, variant)

    # Nothing anywhere names Ben or carries his words (R5), the PDF included.
    words = readable(files)
    assert "Tower of blocks" in words
    assert "Painting alone" in words
    assert not re.search(r"\bBen\b", words)
    for absent in ("Ben told us all about it.", "QXJ-47", "Climbing frame", "Zed"):
        assert absent not in words
        assert absent.encode() not in all_bytes(files)
    pdf = PdfReader(io.BytesIO(files["journal.pdf"]))
    assert "Staff only" in "\n".join(page.extract_text() for page in pdf.pages)
    assert "photos and videos" in files["README.txt"].decode()


# --- A parent ------------------------------------------------------------------------------


def test_r33_r5_a_parents_export_holds_their_own_words_and_uploads_and_no_other_child(
    world, django_capture_on_commit_callbacks, upload, tmp_path, mailoutbox
):
    amy = world.children["amy"]
    family, manager = world.actor("parent_amy"), world.actor("manager")
    consent(world, "amy", "granted")
    # A reply on an entry about Amy alone: its title and date go in.
    alone = entry(world, "Amy's tea party", ["amy"])
    journal.comment_add(actor=family, observation=alone, child=amy, body="She made us tea too.")
    # One declined, with its reason; one taken down (R38).
    sent = journal.contribution_create(
        actor=family,
        children=[amy],
        title="Baking",
        notes="Cupcakes at home.",
        observed_at=timezone.now() - timedelta(days=1),
    )
    journal.contribution_decline(actor=manager, observation=sent, reason="A photo is needed.")
    removed = journal.comment_add(
        actor=family, observation=alone, child=amy, body="Words staff took down."
    )
    journal.comment_remove(actor=manager, comment=removed, reason="Names a member of staff.")
    # A photo sent from home, with an entry.
    item = upload(family, photo_bytes(tmp_path, 300, 200))
    journal.contribution_create(
        actor=family,
        children=[amy],
        title="Garden",
        notes="Digging.",
        observed_at=timezone.now() - timedelta(days=1),
        media=[item.key],
    )
    # Another sent from home that staff found shows Ben, whose family refuses
    # (R28): listed, but the file stays out.
    consent(world, "ben", "refused")
    with_ben = upload(family, photo_bytes(tmp_path, 310, 210))
    journal.contribution_create(
        actor=family,
        children=[amy],
        title="Playdate",
        notes="In the garden.",
        observed_at=timezone.now() - timedelta(days=1),
        media=[with_ben.key],
    )
    with_ben.refresh_from_db()
    media.tag(
        actor=world.actor("senior"),
        media=with_ben,
        appears=[amy.pk, world.children["ben"].pk],
    )
    token, secret = people.api_token_create(actor=family, name="Phone app", password=PASSWORD)
    people.preferences_update(actor=family, journal_emails="daily")

    member = world.members["parent_amy"]
    export = make_export(
        world,
        django_capture_on_commit_callbacks,
        reverse("subject_access_person", args=[member.pk]),
    )
    assert export.kind == SubjectAccessExport.Kind.PARENT
    files = download(world, export)
    assert "journal.pdf" not in files
    data = json.loads(files["data.json"])
    assert_shape(data, "parent")
    assert data["account"]["email"] == "parent_amy@family.test"
    assert data["account"]["name"] == "parent_amy Family"
    assert [child["first_name"] for child in data["children"]] == ["Amy"]
    assert data["agreements"][0]["consents_to_journal"] is True
    assert data["email_preferences"]["journal_emails"] == "daily"
    assert [key["name"] for key in data["api_keys"]] == ["Phone app"]
    contributions = {c["title"]: c for c in data["contributions"]}
    assert contributions["Baking"]["status"] == "declined"
    assert contributions["Baking"]["reason"] == "A photo is needed."
    assert contributions["At the park"]["about"] == "Amy"
    replies = {reply["text"]: reply for reply in data["replies"]}
    assert replies["She made us tea too."]["entry"]["title"] == "Amy's tea party"
    assert replies["Words staff took down."]["status"] == "removed"
    assert replies["Words staff took down."]["removed_reason"] == "Names a member of staff."
    # The Tower of blocks is about Ben too: neither its title nor its date.
    tower = replies["Amy loved this!"]["entry"]
    assert tower == {
        "described": "An entry about your child and others",
        "title": None,
        "observed_at": None,
    }
    photo, withheld = data["media"]
    item.refresh_from_db()
    assert files[photo["file"]] == stored(item.original)
    assert photo["entry_id"] == contributions["Garden"]["id"]
    assert (withheld["file"], withheld["entry_id"]) == (None, contributions["Playdate"]["id"])
    assert [name for name in files if name.startswith("media/")] == [photo["file"]]
    for variant in ("original", "display", "thumbnail"):
        assert stored(getattr(with_ben, variant)) not in files.values()
    assert "comment.added" in {event["action"] for event in data["activity"]}

    words = readable(files)
    assert not re.search(r"\bBen\b", words)
    for absent in ("Tower of blocks", "Built together.", "Ben told us", secret, token.token_hash):
        assert absent not in words
        assert absent.encode() not in all_bytes(files)
    assert "An entry about your child and others" in files["README.txt"].decode()
    (ready,) = [m for m in mailoutbox if "subject access export is ready" in m.subject]
    assert reverse("subject_access_detail", args=[export.key]) in ready.body


def test_r33_r5_a_parent_with_children_in_two_settings_gets_only_this_settings_records(
    world, django_capture_on_commit_callbacks, zed_parent_at_acorns
):
    """Zed's parent also has Ben at Little Acorns: Acorns' manager gets their
    Acorns records only, nothing of Oak Tree's."""
    oak = world.actor("parent_zed")
    journal.comment_add(
        actor=oak,
        observation=world.observations["zed"],
        child=world.children["zed"],
        body="Oak-only words W7K.",
    )
    people.api_token_create(actor=oak, name="Oak tablet", password=PASSWORD)
    acorns = world.actor("manager")
    journal.comment_add(
        actor=actor_of(zed_parent_at_acorns),
        observation=world.observations["shared"],
        child=world.children["ben"],
        body="Ben at Acorns.",
    )
    export = make_export(
        world,
        django_capture_on_commit_callbacks,
        reverse("subject_access_person", args=[zed_parent_at_acorns.pk]),
    )
    data = json.loads(download(world, export)["data.json"])
    assert_shape(data, "parent")
    assert data["setting"] == {"name": "Little Acorns"}
    assert [child["first_name"] for child in data["children"]] == ["Ben"]
    assert [reply["text"] for reply in data["replies"]] == ["Ben at Acorns."]
    assert data["api_keys"] == []
    text = json.dumps(data)
    for absent in ("Oak", "W7K", "Zed paints"):
        assert absent not in text
    acorns_events = AuditEvent.objects.filter(
        setting_id=acorns.setting_id, actor_id=zed_parent_at_acorns.user_id
    )
    assert len(data["activity"]) == acorns_events.count()
    # Oak Tree's manager cannot reach Acorns' membership, nor this export.
    other = world.client("other_manager")
    url = reverse("subject_access_person", args=[zed_parent_at_acorns.pk])
    assert other.get(url).status_code == 404


# --- A member of staff -----------------------------------------------------------------------


def test_r33_r5_a_staff_export_lists_their_work_by_id_without_childrens_data(
    world, django_capture_on_commit_callbacks
):
    member = world.members["practitioner"]
    people.sign_in_recorded(user=member.user, ip="203.0.113.7")
    people.sign_in_failed(email=member.user.email, ip="198.51.100.9", locked=False)
    reply = journal.comment_add(
        actor=world.actor("practitioner"),
        observation=world.observations["shared"],
        child=world.children["amy"],
        body="Amy stacked eight.",
    )
    export = make_export(
        world,
        django_capture_on_commit_callbacks,
        reverse("subject_access_person", args=[member.pk]),
    )
    assert export.kind == SubjectAccessExport.Kind.STAFF
    files = download(world, export)
    assert set(files) == {"README.txt", "data.json"}
    data = json.loads(files["data.json"])
    assert_shape(data, "staff")
    assert data["membership"]["role"] == "practitioner"
    key_children = sorted([world.children["ben"].pk, world.children["cara"].pk])
    assert data["key_children"] == {"count": 2, "ids": key_children}
    written = {row["id"]: row for row in data["entries"]}
    assert set(written) >= {world.observations[name].pk for name in ("shared", "draft")}
    assert written[world.observations["draft"].pk]["status"] == "draft"
    assert [row["id"] for row in data["replies"]] == [reply.pk]
    signed_in, failed = data["sign_ins"][-2:]
    assert (signed_in["what"], signed_in["address"]) == ("signed in", "203.0.113.7")
    assert failed["address"] is None
    assert "comment.added" in {event["action"] for event in data["activity"]}
    words = readable(files)
    for absent in ("Amy", "Ben", "Cara", "Tower of blocks", "Built together.", "stacked eight"):
        assert absent not in words


# --- Who may ask, and the pages ----------------------------------------------------------------


def test_r33_r12_only_the_settings_managers_ask_and_download(
    world, django_capture_on_commit_callbacks
):
    amy = world.children["amy"]
    child_url = reverse("subject_access_child", args=[amy.pk])
    person_url = reverse("subject_access_person", args=[world.members["parent_amy"].pk])
    for name in ("senior", "practitioner", "parent_amy", "parent_ben"):
        client = world.client(name)
        assert client.get(child_url).status_code == 403
        assert client.post(child_url).status_code == 403
        assert client.post(person_url).status_code == 403
    other = world.client("other_manager")
    assert other.get(child_url).status_code == 404
    assert other.post(child_url).status_code == 404
    assert other.get(person_url).status_code == 404
    assert not SubjectAccessExport.objects.exists()
    export = make_export(world, django_capture_on_commit_callbacks, child_url)
    for url in (
        reverse("subject_access_detail", args=[export.key]),
        reverse("subject_access_download", args=[export.key]),
    ):
        assert other.get(url).status_code == 404
        for name in ("senior", "parent_amy"):
            assert world.client(name).get(url).status_code == 403
    # Zed is Oak Tree's: Acorns' manager gets 404 asking about him.
    zed_url = reverse("subject_access_child", args=[world.children["zed"].pk])
    assert world.client("manager").get(zed_url).status_code == 404


def test_r35_r39_progress_email_download_and_the_activity_log(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    amy = world.children["amy"]
    client = world.client("manager")
    page = client.get(reverse("child_detail", args=[amy.pk])).text
    assert reverse("subject_access_child", args=[amy.pk]) in page
    person = client.get(reverse("person_detail", args=[world.members["parent_amy"].pk])).text
    assert reverse("subject_access_person", args=[world.members["parent_amy"].pk]) in person
    senior_page = world.client("senior").get(reverse("child_detail", args=[amy.pk])).text
    assert reverse("subject_access_child", args=[amy.pk]) not in senior_page

    export = make_export(
        world, django_capture_on_commit_callbacks, reverse("subject_access_child", args=[amy.pk])
    )
    detail = reverse("subject_access_detail", args=[export.key])
    assert "Download the ZIP" in client.get(detail).text
    fragment = client.get(detail, headers={"HX-Request": "true"}).text
    assert 'id="subject-access-progress"' in fragment
    assert "<html" not in fragment
    assert any("subject access export is ready" in m.subject for m in mailoutbox)
    response = client.get(reverse("subject_access_download", args=[export.key]))
    assert response["Content-Type"] == "application/zip"
    assert {"private", "no-store"} <= set(response["Cache-Control"].replace(" ", "").split(","))
    assert "attachment" in response["Content-Disposition"]
    b"".join(response.streaming_content)
    logged = AuditEvent.objects.filter(setting_id=amy.setting_id, action__startswith="subject_")
    assert sorted(logged.values_list("action", "target_id")) == [
        ("subject_access.downloaded", str(amy.pk)),
        ("subject_access.requested", str(amy.pk)),
    ]
    # Still waiting: the page polls; not ready: no download.
    waiting = SubjectAccessExport.objects.create(
        setting_id=amy.setting_id,
        requested_by=world.members["manager"],
        kind="child",
        subject_child=amy,
    )
    fragment = client.get(
        reverse("subject_access_detail", args=[waiting.key]), headers={"HX-Request": "true"}
    ).text
    assert 'hx-trigger="every 2s"' in fragment
    assert client.get(reverse("subject_access_download", args=[waiting.key])).status_code == 404


def test_r33_r34_an_export_of_a_child_in_the_deleted_area_is_no_longer_handed_out(
    world, django_capture_on_commit_callbacks
):
    from footsteps.records import services as records

    amy = world.children["amy"]
    export = make_export(
        world, django_capture_on_commit_callbacks, reverse("subject_access_child", args=[amy.pk])
    )
    records.child_delete(actor=world.actor("manager"), child=amy)
    client = world.client("manager")
    assert client.get(reverse("subject_access_download", args=[export.key])).status_code == 404


@pytest.mark.parametrize("made_before", [1, 4])
def test_r33_the_request_page_runs_a_fixed_number_of_queries(
    world, django_assert_num_queries, made_before
):
    amy = world.children["amy"]
    for _ in range(made_before):
        SubjectAccessExport.objects.create(
            setting_id=amy.setting_id,
            requested_by=world.members["manager"],
            kind="child",
            subject_child=amy,
        )
    client = world.client("manager")
    url = reverse("subject_access_child", args=[amy.pk])
    client.get(url)  # the session's first request loads who they are
    # the session + the setting's versions (who they are is kept) + the child
    # + the exports made before = 4, however many there are
    with django_assert_num_queries(4):
        page = client.get(url)
    assert page.text.count('href="/subject-access/') == made_before


def test_r33_exports_are_removed_after_a_week_with_their_files_and_strays(world):
    amy = world.children["amy"]
    old = SubjectAccessExport.objects.create(
        setting_id=amy.setting_id,
        requested_by=world.members["manager"],
        kind="child",
        subject_child=amy,
        status=SubjectAccessExport.Status.READY,
    )
    old.file = default_storage.save(f"subject-access/{old.key}.zip", ContentFile(b"PK"))
    old.save(update_fields=["file"])
    stray = default_storage.save("subject-access/not-a-row.zip", ContentFile(b"PK"))
    assert expire_subject_access() == 0
    assert default_storage.exists(old.file)
    assert not default_storage.exists(stray)  # its child was purged, taking the row
    assert expire_subject_access(now=timezone.now() + timedelta(days=8)) == 1
    assert not SubjectAccessExport.objects.filter(pk=old.pk).exists()
    assert not default_storage.exists(old.file)
    out = io.StringIO()
    call_command("purge_deleted", stdout=out)  # the daily purge removes them too
    assert "Subject access exports older than a week removed: 0" in out.getvalue()


def test_r33_r18_a_reply_waiting_for_approval_is_in_its_authors_export(
    world, django_capture_on_commit_callbacks
):
    """A reply staff have not approved yet is the parent's words all the same."""
    from footsteps.tenancy.services import setting_update

    setting_update(actor=world.actor("manager"), approve_parent_comments=True)
    pending = journal.comment_add(
        actor=world.actor("parent_amy"),
        observation=world.observations["shared"],
        child=world.children["amy"],
        body="Waiting words.",
    )
    assert pending.status == Comment.Status.PENDING
    export = make_export(
        world,
        django_capture_on_commit_callbacks,
        reverse("subject_access_person", args=[world.members["parent_amy"].pk]),
    )
    data = json.loads(download(world, export)["data.json"])
    statuses = {reply["text"]: reply["status"] for reply in data["replies"]}
    assert statuses["Waiting words."] == "pending"
