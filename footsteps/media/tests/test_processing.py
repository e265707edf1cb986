"""footsteps.media.processing on real files: what a phone sends, what an
attacker sends (R30, R31). No database: only files in tmp_path, libvips and
Debian's ffmpeg, which the tests run for real (nothing of ours is mocked)."""

import json
import shutil
import subprocess  # noqa: S404 (ffmpeg and ffprobe, with argument lists)
import time
from pathlib import Path

import pytest
from PIL import Image

from footsteps.media import processing
from footsteps.media.processing import Limits, Refused, ToolsMissing
from footsteps.media.tests import files

BLUE = (20, 90, 200)  # the band drawn across the top of the stored pixels
BACKGROUND = (240, 200, 160)

# Pillow's names for metadata it found in a file (PNG text keys come through as-is).
METADATA_KEYS = {"exif", "xmp", "icc_profile", "comment", "photoshop", "iptc", "Author"}
METADATA_KEYS |= {"XML:com.adobe.xmp", "Raw profile type exif", "Raw profile type xmp"}

PHOTOS = {  # format: (maker, file name)
    "jpeg": (files.jpeg_from_phone, "phone.jpg"),
    "png": (files.png_with_text, "phone.png"),
    "webp": (files.webp_from_phone, "phone.webp"),
    "heic": (files.heic_from_phone, "phone.heic"),
}


def sniffed_type(path: Path) -> str:
    """The content type of a stored file, from its first bytes only."""
    head = path.read_bytes()[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    return "unknown"


def ffprobe(path: Path) -> dict:
    done = subprocess.run(  # noqa: S603
        [shutil.which("ffprobe") or "ffprobe", "-v", "error", "-print_format", "json"]
        + ["-show_format", "-show_streams", str(path)],
        capture_output=True,
        check=True,
    )
    return json.loads(done.stdout)


def top_level_boxes(path: Path) -> list[bytes]:
    """The ISO media boxes at the top of an MP4, in file order."""
    data, at, boxes = path.read_bytes(), 0, []
    while at + 8 <= len(data):
        size, kind = int.from_bytes(data[at : at + 4], "big"), data[at + 4 : at + 8]
        if size == 1:
            size = int.from_bytes(data[at + 8 : at + 16], "big")
        elif size == 0:
            size = len(data) - at
        boxes.append(kind)
        at += size
    return boxes


def near(pixel, colour, tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


def assert_no_metadata(path: Path) -> None:
    """R30/R31: no byte of what the phone wrote, and nothing Pillow reads as metadata."""
    data = path.read_bytes()
    for secret in files.SECRETS:
        assert secret not in data, f"{path.name} keeps {secret!r}"
    assert b"Exif" not in data, f"{path.name} has an EXIF block"
    assert b"GPS" not in data, f"{path.name} mentions GPS"
    assert b"adobe:ns:meta" not in data, f"{path.name} has XMP"
    with Image.open(path) as image:
        exif = image.getexif()
        assert len(exif) == 0, f"{path.name} has EXIF tags {dict(exif)}"
        assert not exif.get_ifd(0x8825), f"{path.name} has a GPS IFD"
        assert not exif.get_ifd(0x8769), f"{path.name} has an EXIF sub-IFD"
        assert not METADATA_KEYS & set(image.info), f"{path.name} has {sorted(image.info)}"
        assert not any("comment" in key.lower() for key in image.info)


@pytest.fixture
def out(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


# --- Photos: privacy, sizes, types --------------------------------------------


@pytest.mark.parametrize("kind", PHOTOS)
def test_r30_r31_every_stored_photo_file_has_no_metadata(kind, tmp_path, out):
    """R30/R31: whatever the format, no stored file keeps GPS, serials, owner, XMP."""
    make, name = PHOTOS[kind]
    source = make(tmp_path / name)
    for secret in files.SECRETS:  # the source does carry what we look for
        assert secret in source.read_bytes()

    result = processing.process(source, out, Limits())

    assert result.kind == "photo"
    assert set(result.files) == {"original", "display", "thumbnail", "print_copy"}
    for path, _type in result.files.values():
        assert path.parent == out
        assert_no_metadata(path)
    assert sorted(out.iterdir()) == sorted(path for path, _ in result.files.values())


@pytest.mark.parametrize("kind", PHOTOS)
def test_photo_files_have_the_right_sizes_and_content_types(kind, tmp_path, out):
    make, name = PHOTOS[kind]
    result = processing.process(make(tmp_path / name), out, Limits())

    original, original_type = result.files["original"]
    expected_original = "image/png" if kind == "png" else "image/jpeg"
    assert original_type == expected_original == sniffed_type(original)
    for variant, limit in (("display", 1600), ("thumbnail", 400)):
        path, content_type = result.files[variant]
        assert content_type == "image/webp" == sniffed_type(path)
        with Image.open(path) as image:
            assert max(image.size) <= limit
    # The print copy is the display size as JPEG: what a PDF can carry as it is.
    printed, content_type = result.files["print_copy"]
    assert content_type == "image/jpeg" == sniffed_type(printed)
    with Image.open(printed) as image, Image.open(result.files["display"][0]) as shown:
        assert image.size == shown.size
    with Image.open(original) as image:
        assert image.size == (result.width, result.height)
    with Image.open(result.files["thumbnail"][0]) as image:
        assert max(image.size) == min(400, max(result.width, result.height))


def test_a_large_photo_is_shrunk_to_1600_and_400(tmp_path, out):
    source = files.jpeg_from_phone(tmp_path / "big.jpg", 3200, 2400, orientation=1)

    result = processing.process(source, out, Limits())

    assert (result.width, result.height) == (3200, 2400)
    sizes = {}
    for variant, (path, _) in result.files.items():
        with Image.open(path) as image:
            sizes[variant] = image.size
    assert sizes == {
        "original": (3200, 2400),
        "display": (1600, 1200),
        "print_copy": (1600, 1200),
        "thumbnail": (400, 300),
    }


def test_orientation_is_applied_to_every_file(tmp_path, out):
    """Stored 1200x900 with orientation 6 (turn 90° clockwise to show): every
    file is portrait, and the band drawn at the stored top is on the right."""
    source = files.jpeg_from_phone(tmp_path / "sideways.jpg", 1200, 900, orientation=6)
    with Image.open(source) as stored:
        assert stored.size == (1200, 900)
        assert near(stored.getpixel((600, 20)), BLUE)

    result = processing.process(source, out, Limits())

    assert (result.width, result.height) == (900, 1200)
    for variant, (path, _) in result.files.items():
        with Image.open(path) as image:
            image = image.convert("RGB")
            width, height = image.size
            assert width < height, variant
            right = image.getpixel((width - 1 - width // 20, height // 2))
            left = image.getpixel((width // 20, height // 2))
            top = image.getpixel((width // 2, height // 20))
            assert near(right, BLUE), (variant, right)
            assert near(left, BACKGROUND), (variant, left)
            assert not near(top, BLUE), (variant, top)


def test_photos_are_known_by_content_not_by_name(tmp_path, out):
    """A JPEG named .png is taken, and kept, as the JPEG it is."""
    disguised = tmp_path / "photo.png"
    disguised.write_bytes(files.jpeg_from_phone(tmp_path / "real.jpg").read_bytes())

    result = processing.process(disguised, out, Limits())

    assert result.files["original"][1] == "image/jpeg"
    assert sniffed_type(result.files["original"][0]) == "image/jpeg"


@pytest.mark.parametrize(
    ("make", "name", "renamed", "expected"),
    [
        (files.jpeg_from_phone, "photo.jpg", "photo.png", ("photo", "jpeg")),
        (files.png_with_text, "photo.png", "photo.jpg", ("photo", "png")),
        (files.webp_from_phone, "photo.webp", "photo.jpg", ("photo", "webp")),
        (files.heic_from_phone, "photo.heic", "photo.jpg", ("photo", "heif")),
        (files.video, "clip.mp4", "photo.jpg", ("video", "mp4")),
        (files.video, "clip.mov", "clip.mp4", ("video", "mov")),
    ],
)
def test_sniff_reads_the_content_not_the_name(make, name, renamed, expected, tmp_path):
    made = make(tmp_path / name)
    disguised = made.rename(tmp_path / f"upload-{renamed}")

    assert processing.sniff(disguised) == expected


@pytest.mark.parametrize(
    "make", [files.html_as_jpg, files.svg_as_jpg, files.zip_file], ids=["html", "svg", "zip"]
)
def test_sniff_refuses_what_is_not_a_photo_or_video(make, tmp_path):
    with pytest.raises(Refused, match="JPEG, PNG, HEIC, WebP"):
        processing.sniff(make(tmp_path / "photo.jpg"))


# --- Hostile and unacceptable files -------------------------------------------


def empty_file(path: Path) -> Path:
    path.write_bytes(b"")
    return path


HOSTILE = {
    "bomb_png": (files.bomb_png, "bomb.png"),
    "truncated_jpeg": (files.truncated_jpeg, "cut.jpg"),
    "broken_exif_jpeg": (files.broken_exif_jpeg, "exif.jpg"),
    "html_as_jpg": (files.html_as_jpg, "page.jpg"),
    "svg_as_jpg": (files.svg_as_jpg, "drawing.jpg"),
    "zip_file": (files.zip_file, "archive.jpg"),
    "broken_video": (files.broken_video, "clip.mp4"),
    "empty_file": (empty_file, "empty.jpg"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_files_are_refused_and_leave_nothing(name, tmp_path, out):
    make, file_name = HOSTILE[name]
    source = make(tmp_path / file_name)

    started = time.monotonic()
    with pytest.raises(Refused) as refused:
        processing.process(source, out, Limits())
    took = time.monotonic() - started

    message = str(refused.value)
    assert message.strip()
    assert len(message) > 10
    assert "Traceback" not in message
    assert "vips" not in message.lower()
    assert list(out.iterdir()) == []
    # The bomb claims 40,000 x 40,000 pixels: refused from its header, never decoded.
    assert took < 3, f"{name} took {took:.1f} s"


def test_bomb_is_refused_for_its_size(tmp_path, out):
    with pytest.raises(Refused, match="megapixels"):
        processing.process(files.bomb_png(tmp_path / "bomb.png"), out, Limits())


def test_broken_exif_is_refused_for_its_exif(tmp_path, out):
    with pytest.raises(Refused, match="EXIF"):
        processing.process(files.broken_exif_jpeg(tmp_path / "exif.jpg"), out, Limits())


def test_photo_over_the_megapixel_limit_is_refused(tmp_path, out):
    source = files.jpeg_from_phone(tmp_path / "big.jpg", 2000, 2000, orientation=1)

    with pytest.raises(Refused) as refused:
        processing.process(source, out, Limits(max_megapixels=3))

    assert "4 megapixels" in str(refused.value)
    assert "up to 3" in str(refused.value)
    assert list(out.iterdir()) == []
    # The same photo is taken under the default limit.
    assert processing.process(source, out, Limits()).width == 2000


# --- Videos ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["clip.mp4", "clip.mov"])
def test_r30_r31_video_is_h264_aac_mp4_without_metadata(name, tmp_path, out):
    """R30/R31: the location, title and comment the phone wrote are gone."""
    source = files.video(tmp_path / name, seconds=3)
    written = ffprobe(source)["format"]["tags"]
    assert {"location", "title", "comment"} <= set(written)  # the source does carry them

    result = processing.process(source, out, Limits())

    assert result.kind == "video"
    assert (result.width, result.height) == (320, 240)
    assert result.duration == pytest.approx(3, abs=0.2)
    video, content_type = result.files["video"]
    assert content_type == "video/mp4" == sniffed_type(video)
    info = ffprobe(video)
    assert "mp4" in info["format"]["format_name"]
    codecs = {s["codec_type"]: s["codec_name"] for s in info["streams"]}
    assert codecs == {"video": "h264", "audio": "aac"}
    tag_sets = [info["format"].get("tags", {})] + [s.get("tags", {}) for s in info["streams"]]
    for tags in tag_sets:
        keys = {key.lower() for key in tags}
        assert not {key for key in keys if "location" in key or "xyz" in key}, tags
        assert not keys & {"title", "comment", "artist", "author", "creation_time"}, tags
    data = video.read_bytes()
    for secret in files.SECRETS:
        assert secret not in data
    assert b"+51.5012" not in data
    boxes = top_level_boxes(video)
    assert boxes.index(b"moov") < boxes.index(b"mdat"), boxes  # faststart
    for variant, expected in (
        ("thumbnail", "image/webp"),
        ("display", "image/webp"),
        ("print_copy", "image/jpeg"),
    ):
        path, content_type = result.files[variant]
        assert content_type == expected == sniffed_type(path)
        assert_no_metadata(path)
        with Image.open(path) as image:
            assert image.size == (320, 240)


def test_sideways_video_is_turned_upright(tmp_path, out):
    """A phone held upright records landscape pixels with a rotation: the result
    is upright pixels with no rotation left to apply."""
    landscape = files.video(tmp_path / "landscape.mp4", seconds=1)
    sideways = tmp_path / "sideways.mp4"
    # Stream copy: ffmpeg 5.1 writes the rotation tag as a display matrix only then.
    subprocess.run(  # noqa: S603
        [shutil.which("ffmpeg") or "ffmpeg", "-v", "error", "-y", "-i", str(landscape)]
        + ["-c", "copy", "-metadata:s:v:0", "rotate=90", str(sideways)],
        check=True,
        capture_output=True,
    )
    assert "side_data_list" in ffprobe(sideways)["streams"][0]

    result = processing.process(sideways, out, Limits())

    assert (result.width, result.height) == (240, 320)
    picture = ffprobe(result.files["video"][0])["streams"][0]
    assert (picture["width"], picture["height"]) == (240, 320)
    assert "side_data_list" not in picture
    with Image.open(result.files["thumbnail"][0]) as image:
        assert image.size == (240, 320)


def test_large_video_is_brought_down_to_720p(tmp_path, out):
    source = files.video(tmp_path / "big.mp4", seconds=1, size="1280x960")

    result = processing.process(source, out, Limits())

    assert (result.width, result.height) == (960, 720)


def test_video_over_the_time_limit_is_refused(tmp_path, out):
    source = files.video(tmp_path / "long.mp4", seconds=5)

    with pytest.raises(Refused) as refused:
        processing.process(source, out, Limits(max_video_seconds=3))

    assert str(refused.value) == "is 5 s long; this setting takes videos up to 3 s."
    assert list(out.iterdir()) == []


def test_without_ffmpeg_videos_wait_for_the_tool(tmp_path, out, monkeypatch):
    source = files.video(tmp_path / "clip.mp4", seconds=1)
    empty = tmp_path / "no-tools"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))

    with pytest.raises(ToolsMissing, match="ffmpeg"):
        processing.process_video(source, out, Limits())
    with pytest.raises(ToolsMissing, match="ffmpeg"):
        processing.process(source, out, Limits())
    assert list(out.iterdir()) == []
