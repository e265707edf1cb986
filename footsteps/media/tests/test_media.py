"""Photos and videos through the whole stack: services, pages, the API and
storage (R14, R19, R28, R30, R31)."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from footsteps.children import services as children_services
from footsteps.journal import services as journal
from footsteps.journal.models import Observation
from footsteps.media import services as media
from footsteps.media.models import Media
from footsteps.media.tests import files
from footsteps.tenancy.services import setting_update


def yesterday():
    return timezone.now() - timedelta(days=1)


def consent(world, name: str, value: str) -> None:
    children_services.child_set_image_consent(
        actor=world.actor("manager"), child=world.children[name], consent=value
    )


def publish(world, children, *keys, actor="senior", title="In the garden"):
    return journal.observation_create(
        actor=world.actor(actor),
        children=[world.children[name] for name in children],
        title=title,
        observed_at=yesterday(),
        publish=True,
        media=list(keys),
    )


def _not_kept(response) -> bool:
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    return {"private", "no-store"} <= directives and "public" not in directives


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def file_url(item, variant="display", **query):
    url = reverse("media_file", args=[item.key, variant])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def photo(world, upload, small_photo):
    """A processed photo sent by the senior, not yet on an entry."""

    def make(actor="senior"):
        item = upload(world.actor(actor), small_photo)
        assert item.status == Media.Status.READY, item.problem
        return item

    return make


# --- Sending and processing ----------------------------------------------------


def test_a_hostile_file_is_refused_by_name_and_the_entry_and_its_other_photos_are_kept(
    world, upload, small_photo, tmp_path
):
    """R31: a zip renamed .jpg is refused with a message naming it; the entry
    and the good photo beside it are saved."""
    good = upload(world.actor("senior"), small_photo, "garden.jpg")
    bad = upload(world.actor("senior"), files.zip_file(tmp_path / "z").read_bytes(), "holiday.jpg")
    entry = publish(world, ["amy"], good.key, bad.key)

    bad.refresh_from_db()
    assert bad.status == Media.Status.FAILED
    assert bad.problem.startswith("holiday.jpg is not a photo or video we can take")
    assert not bad.original
    assert not hasattr(bad, "upload")
    assert Observation.objects.get(pk=entry.pk).status == "published"
    assert list(entry.media.filter(status="ready")) == [good]
    page = world.client("senior").get(reverse("observation_detail", args=[entry.pk]))
    assert b"holiday.jpg is not a photo or video we can take" in page.content
    assert file_url(good).encode() in page.content


@pytest.mark.parametrize(
    "maker",
    [
        files.bomb_png,
        files.truncated_jpeg,
        files.broken_exif_jpeg,
        files.html_as_jpg,
        files.svg_as_jpg,
        files.broken_video,
    ],
)
def test_every_hostile_file_is_refused_with_a_message(world, upload, tmp_path, maker):
    """R31: decompression bomb, truncated image, broken EXIF, HTML or SVG as .jpg,
    a video ffmpeg cannot read: refused, nothing stored, a reason given."""
    item = upload(world.actor("practitioner"), maker(tmp_path / "f").read_bytes(), "x.jpg")
    assert item.status == Media.Status.FAILED
    assert item.problem.startswith("x.jpg ")
    assert len(item.problem) > 20
    assert not (item.original)
    assert not (item.display)
    assert not (item.thumbnail)
    assert not (item.video)


def test_a_file_over_the_settings_size_limit_is_refused_before_it_is_sent(world):
    setting_update(actor=world.actor("manager"), media_max_mb=1)
    with pytest.raises(Exception, match="big.mov is 3 MB; this setting takes files up to 1 MB"):
        media.upload_start(actor=world.actor("senior"), name="big.mov", size=3 * 1024 * 1024)


def test_a_broken_upload_resumes_where_it_stopped(
    world, small_photo, django_capture_on_commit_callbacks
):
    """R30: pieces sent again, or out of place, change nothing; the client asks
    how much arrived and goes on from there (API, as an app would)."""
    client = world.client("practitioner")
    started = client.post(
        reverse("api:api_upload_start"),
        {"name": "p.jpg", "size": len(small_photo)},
        content_type="application/json",
    )
    assert started.status_code == 201
    key = started.json()["key"]
    url = reverse("api:api_upload_chunk", args=[key])
    first = client.put(
        url + "?offset=0", small_photo[:1000], content_type="application/octet-stream"
    )
    assert first.json()["received"] == 1000
    # The connection broke before the answer arrived: the same piece again.
    again = client.put(
        url + "?offset=0", small_photo[:1000], content_type="application/octet-stream"
    )
    assert again.status_code == 409
    assert again.json()["errors"]["received"] == ["1000"]
    assert client.get(reverse("api:api_upload", args=[key])).json()["received"] == 1000
    with django_capture_on_commit_callbacks(execute=True):
        rest = client.put(
            url + "?offset=1000", small_photo[1000:], content_type="application/octet-stream"
        )
    assert rest.status_code == 200
    done = client.get(reverse("api:api_upload", args=[key])).json()
    assert done["status"] == "ready"
    assert done["kind"] == "photo"
    assert done["thumbnail_url"]
    assert client.get(done["thumbnail_url"])["Content-Type"] == "image/webp"


def test_someone_elses_upload_cannot_be_continued_or_read(world, small_photo):
    item = media.upload_start(actor=world.actor("practitioner"), name="p.jpg", size=10)
    url = reverse("api:api_upload_chunk", args=[item.key])
    other = world.client("senior").put(
        url + "?offset=0", b"0123456789", content_type="application/octet-stream"
    )
    assert other.status_code == 404
    assert Media.objects.get(pk=item.pk).received == 0


def test_a_video_is_transcoded_and_plays_with_range_requests(world, upload, tmp_path):
    """R14, R31: a phone's MOV becomes an H.264 MP4 with a poster; browsers
    seek with HTTP ranges; nothing is cached on the way."""
    item = upload(world.actor("senior"), files.video(tmp_path / "v.mov").read_bytes(), "clip.mov")
    assert item.status == Media.Status.READY, item.problem
    assert item.kind == "video"
    assert item.video.endswith(".mp4")
    assert item.thumbnail
    publish(world, ["amy"], item.key)
    client = world.client("parent_amy")

    whole = client.get(file_url(item, "video"))
    part = client.get(file_url(item, "video"), HTTP_RANGE="bytes=100-199")
    tail = client.get(file_url(item, "video"), HTTP_RANGE="bytes=-50")
    beyond = client.get(file_url(item, "video"), HTTP_RANGE="bytes=999999999-")

    data = body(whole)
    assert whole.status_code == 200
    assert whole["Content-Type"] == "video/mp4"
    assert whole["Accept-Ranges"] == "bytes"
    assert _not_kept(whole)
    assert data[4:8] == b"ftyp"
    assert part.status_code == 206
    assert body(part) == data[100:200]
    assert part["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert body(tail) == data[-50:]
    assert beyond.status_code == 416


def test_without_ffmpeg_a_video_waits_and_the_manager_is_told_what_to_install(
    world, upload, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    """Where a system package is missing the file waits, nothing is lost, and
    once installed it is tried again."""
    data = files.video(tmp_path / "v.mp4").read_bytes()
    monkeypatch.setenv("PATH", str(tmp_path))  # no ffmpeg on it
    item = upload(world.actor("senior"), data, "clip.mp4")
    assert item.status == Media.Status.NEEDS_TOOLS
    assert "ffmpeg" in item.problem
    options = world.client("manager").get(reverse("setting_options"))
    assert b"apt-get install ffmpeg" in options.content
    monkeypatch.undo()

    with django_capture_on_commit_callbacks(execute=True):
        retried = world.client("senior").post(reverse("media_retry", args=[item.key]))
    assert retried.status_code == 302
    item.refresh_from_db()
    assert item.status == Media.Status.READY
    assert item.video


# --- Who may open a file (R5, R31) -------------------------------------------


def test_another_familys_photo_is_404_by_key_and_a_guessed_key_too(world, photo):
    item = photo()
    publish(world, ["amy"], item.key)
    ben = world.client("parent_ben")
    zed_manager = world.client("other_manager")
    guessed = uuid.uuid4()

    assert world.client("parent_amy").get(file_url(item)).status_code == 200
    for client in (ben, zed_manager):
        for url in (
            file_url(item),
            file_url(item, "thumbnail"),
            reverse("media_download", args=[item.key]),
            reverse("api:api_media_file", args=[item.key, "display"]),
            reverse("api:api_media_download", args=[item.key]),
        ):
            assert client.get(url).status_code == 404, url
    assert ben.get(reverse("media_file", args=[guessed, "display"])).status_code == 404
    # Ids are not addresses: only the random key is.
    assert ben.get(f"/media/{item.pk}/display/").status_code == 404


def test_files_are_private_and_cannot_run_anything(world, photo):
    item = photo()
    publish(world, ["amy"], item.key)
    response = world.client("parent_amy").get(file_url(item))
    assert _not_kept(response)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Disposition"].startswith("inline")
    assert world.client("parent_amy").get(file_url(item, "original")).status_code == 404


def test_a_draft_photo_is_its_authors_alone(world, photo):
    item = photo("practitioner")
    journal.observation_create(
        actor=world.actor("practitioner"),
        children=[world.children["amy"]],
        title="Draft",
        observed_at=yesterday(),
        media=[item.key],
    )
    assert world.client("practitioner").get(file_url(item)).status_code == 200
    assert world.client("parent_amy").get(file_url(item)).status_code == 404


def test_with_downloads_off_no_download_route_answers_parents(world, photo):
    """R31: the setting keeps families to viewing: no link, no route; the photo
    still shows inline; staff still save it."""
    item = photo()
    entry = publish(world, ["amy"], item.key)
    detail = reverse("observation_detail", args=[entry.pk])
    amy = world.client("parent_amy")
    assert amy.get(reverse("media_download", args=[item.key])).status_code == 200
    assert b"Save to device" in amy.get(detail).content

    setting_update(actor=world.actor("manager"), parents_may_download=False)

    assert amy.get(reverse("media_download", args=[item.key])).status_code == 404
    assert amy.get(reverse("api:api_media_download", args=[item.key])).status_code == 404
    page = amy.get(detail).content
    assert b"Save to device" not in page
    assert reverse("media_download", args=[item.key]).encode() not in page
    assert amy.get(file_url(item)).status_code == 200
    (listed,) = amy.get(reverse("api:api_observation", args=[entry.pk])).json()["media"]
    assert listed["download_url"] is None
    staff = world.client("senior").get(reverse("media_download", args=[item.key]))
    assert staff.status_code == 200
    assert staff["Content-Disposition"].startswith("attachment")
    agreement = world.client("parent_unaccepted").get(reverse("agreement"))
    assert b"cannot be downloaded" in agreement.content


# --- Photo consent, decided when a journal is read (R28) ---------------------


def test_consent_blocks_publishing_and_says_the_three_ways_out(world, photo):
    """R28: Ben's family has not agreed: a photo showing Ben cannot go in Amy's
    journal. Publishing keeps it a draft and says why and what to do."""
    consent(world, "ben", "refused")
    item = photo()
    client = world.client("senior")
    response = client.post(
        reverse("observation_create"),
        {
            "children": [world.children["amy"].pk, world.children["ben"].pk],
            "title": "Painting",
            "observed_at": yesterday().strftime("%Y-%m-%dT%H:%M"),
            "media": [str(item.key)],
            "publish": "1",
        },
        follow=True,
    )
    entry = Observation.objects.get(title="Painting")
    assert entry.status == "draft"
    page = response.content.decode()
    assert "whose family has not agreed" in page
    assert "leave the photo out of" in page
    assert "cover" in page
    manage = client.get(reverse("media_manage", args=[item.key]))
    assert b"Ben</strong>, whose family has not agreed" in manage.content
    assert world.client("parent_amy").get(file_url(item)).status_code == 404


def test_covering_a_child_unblocks_and_other_journals_get_the_covered_copy(world, photo):
    """R28: Ben covered: Amy's journal gets the covered copy, Ben's own journal
    the original."""
    consent(world, "ben", "not_asked")
    item = photo()
    entry = journal.observation_create(
        actor=world.actor("senior"),
        children=[world.children["amy"], world.children["ben"]],
        title="Painting",
        observed_at=yesterday(),
        media=[item.key],
    )
    redacted = world.client("senior").post(
        reverse("media_redact", args=[item.key]),
        {
            "regions": '[{"x": 0, "y": 0, "w": 0.6, "h": 0.6}]',
            "covered": [world.children["ben"].pk],
        },
    )
    assert redacted.status_code == 302
    journal.observation_update(
        actor=world.actor("senior"), observation=entry, expected_version=entry.version, publish=True
    )
    assert Observation.objects.get(pk=entry.pk).status == "published"

    amy = body(world.client("parent_amy").get(file_url(item)))
    ben = body(world.client("parent_ben").get(file_url(item)))
    staff_amy = body(
        world.client("senior").get(file_url(item, **{"for": world.children["amy"].pk}))
    )
    assert amy != ben
    assert staff_amy == amy
    item.refresh_from_db()
    assert ben == _stored(item.display)
    assert amy == _stored(item.redacted_display)
    api = world.client("parent_amy").get(reverse("api:api_observation", args=[entry.pk])).json()
    assert api["media"][0]["covered"] is True
    assert world.client("parent_amy").get(file_url(item, "original")).status_code == 404


def _stored(name: str) -> bytes:
    from django.core.files.storage import default_storage

    with default_storage.open(name, "rb") as file:
        return file.read()


def test_untagging_or_leaving_out_also_unblocks(world, photo):
    consent(world, "ben", "refused")
    untagged, left = photo(), photo()
    for item in (untagged, left):
        journal.observation_create(
            actor=world.actor("senior"),
            children=[world.children["amy"], world.children["ben"]],
            title="Painting",
            observed_at=yesterday(),
            media=[item.key],
        )
    amy, ben = world.children["amy"].pk, world.children["ben"].pk
    client = world.client("senior")
    client.post(reverse("media_manage", args=[untagged.key]), {"appears": [amy]})
    client.post(
        reverse("media_manage", args=[left.key]), {"appears": [amy, ben], "left_out": [amy]}
    )

    assert world.client("parent_amy").get(file_url(untagged)).status_code == 404  # still a draft
    for item in (untagged, left):
        entry = Observation.objects.get(media=item)
        journal.observation_update(
            actor=world.actor("senior"),
            observation=entry,
            expected_version=entry.version,
            publish=True,
        )
        assert Observation.objects.get(pk=entry.pk).status == "published"
    assert world.client("parent_amy").get(file_url(untagged)).status_code == 200
    assert world.client("parent_amy").get(file_url(left)).status_code == 404  # left out of Amy's
    assert world.client("parent_ben").get(file_url(left)).status_code == 200


def test_consent_withdrawn_later_hides_the_photo_on_the_next_request(world, photo):
    """R28: pages (kept in the cache), the API and the file itself."""
    consent(world, "amy", "granted")
    consent(world, "ben", "granted")
    item = photo()
    entry = publish(world, ["amy", "ben"], item.key)
    amy = world.client("parent_amy")
    thumbnail = file_url(item, "thumbnail")
    assert thumbnail.encode() in amy.get(reverse("feed")).content  # now kept in the cache
    assert amy.get(reverse("api:api_observations")).json()["items"][0]["media"]
    staff_page = world.client("senior").get(
        reverse("child_detail", args=[world.children["amy"].pk])
    )
    assert b"/thumbnail/" in staff_page.content

    consent(world, "ben", "refused")

    assert thumbnail.encode() not in amy.get(reverse("feed")).content
    assert amy.get(thumbnail).status_code == 404
    assert amy.get(reverse("api:api_observation", args=[entry.pk])).json()["media"] == []
    staff_page = world.client("senior").get(
        reverse("child_detail", args=[world.children["amy"].pk])
    )
    assert b"/thumbnail/" not in staff_page.content
    # Ben's own journal keeps it.
    assert world.client("parent_ben").get(thumbnail).status_code == 200


def test_a_parent_sends_a_photo_from_home_and_staff_approve_it(world, photo, upload, small_photo):
    """R19, R30: a family's photo waits for approval with its entry."""
    item = upload(world.actor("parent_amy"), small_photo, "park.jpg")
    response = world.client("parent_amy").post(
        reverse("contribution_create"),
        {
            "children": [world.children["amy"].pk],
            "title": "At the park",
            "notes": "Slide",
            "observed_at": yesterday().strftime("%Y-%m-%dT%H:%M"),
            "media": [str(item.key)],
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.observation.source == "parent"
    queue = world.client("senior").get(reverse("review_queue"))
    assert file_url(item, "thumbnail").encode() in queue.content
    # Sent: the family no longer changes or removes it.
    assert (
        world.client("parent_amy").post(reverse("media_remove", args=[item.key])).status_code == 404
    )


def test_behind_nginx_the_bytes_are_handed_to_the_web_server(world, photo, settings):
    """R31: with MEDIA_DELIVERY=accel Django decides and nginx sends, from an
    internal location no browser can name."""
    settings.MEDIA_DELIVERY = "accel"
    item = photo()
    publish(world, ["amy"], item.key)
    response = world.client("parent_amy").get(file_url(item))
    assert response["X-Accel-Redirect"] == "/protected-media/" + item.display
    assert response.content == b""
    assert world.client("parent_ben").get(file_url(item)).status_code == 404
