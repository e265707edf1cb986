"""Turning what a device sent into files safe to keep and show (R30, R31).

Files are known by their content, never by name or declared type. Photos go
through libvips (pyvips): it reads large photos in strips, so a 48 MP photo
never sits whole in memory, and it shrinks JPEGs while decoding them. Each
photo becomes three files, all re-encoded with no metadata at all (GPS, device
serials, owner names, embedded thumbnails, comments): the full size, a display
size and a thumbnail. Videos go through Debian's ffmpeg: H.264/AAC MP4 with no
metadata, and a poster frame as a thumbnail.

This module knows files on the local disk only; footsteps.media.services moves
them to and from storage.
"""

import contextlib
import json
import shutil
import subprocess  # noqa: S404 (ffmpeg and ffprobe, with argument lists)
from dataclasses import dataclass, field
from pathlib import Path

try:
    import pyvips
except OSError:  # libvips is not installed: photos wait (ToolsMissing)
    pyvips = None

DISPLAY_SIZE = 1600
THUMBNAIL_SIZE = 400
PRINT_QUALITY = 85
VIDEO_HEIGHT = 720
FFMPEG_SECONDS = 15 * 60

PHOTO_FORMATS = {"jpeg": "JPEG", "png": "PNG", "heif": "HEIC", "webp": "WebP"}
VIDEO_FORMATS = {"mp4": "MP4", "mov": "MOV"}
ACCEPTED = "JPEG, PNG, HEIC, WebP photos or MP4, MOV videos"

# ISO base media brands (the `ftyp` box): HEIF stills, and videos.
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif"}
_QUICKTIME_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}


class Refused(Exception):  # noqa: N818 (a decision, not a fault)
    """The file is not one we take, or breaks a limit: `str()` says why, in
    words for the person who sent it."""


class ToolsMissing(Exception):  # noqa: N818
    """A system package this file needs is not installed (named in `str()`)."""


@dataclass
class Limits:
    max_megapixels: int = 50
    max_video_seconds: int = 180


@dataclass
class Result:
    kind: str  # "photo" or "video"
    width: int
    height: int
    duration: float | None = None
    # variant -> (path, content type): "original", "display", "thumbnail", "video"
    files: dict[str, tuple[Path, str]] = field(default_factory=dict)


def sniff(path: Path) -> tuple[str, str]:
    """(kind, format) from the first bytes of the file, or Refused."""
    with open(path, "rb") as file:
        head = file.read(64)
    if head.startswith(b"\xff\xd8\xff"):
        return "photo", "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "photo", "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "photo", "webp"
    if head[4:8] == b"ftyp":
        size = int.from_bytes(head[:4], "big")
        brands = {head[8:12]} | {head[i : i + 4] for i in range(16, min(size, 64), 4)}
        if head[8:12] in _HEIF_BRANDS or (brands & _HEIF_BRANDS and b"isom" not in brands):
            return "photo", "heif"
        return "video", "mov" if head[8:12] == b"qt  " else "mp4"
    if head[4:8] in _QUICKTIME_ATOMS:
        return "video", "mov"
    raise Refused(f"is not a photo or video we can take ({ACCEPTED}).")


def process(path: Path, out: Path, limits: Limits) -> Result:
    """Check and convert the file at `path`, writing results into the folder
    `out`. Refused for files we do not take; nothing is left in `out` then."""
    kind, _format = sniff(path)
    try:
        if kind == "photo":
            return process_photo(path, out, limits)
        return process_video(path, out, limits)
    except (Refused, ToolsMissing):
        for leftover in out.iterdir():
            leftover.unlink()
        raise


# --- Photos --------------------------------------------------------------------


def _require_vips() -> None:
    if pyvips is None:
        raise ToolsMissing("libvips (Debian package libvips42)")


def without_metadata(image):
    """A copy of the image carrying no metadata at all: libvips' `strip` keeps
    some (EXIF in WebP), so every field is removed by name."""
    image = image.copy()
    for name in image.get_fields():
        if _is_metadata(name):
            image.remove(name)
    return image


def _is_metadata(name: str) -> bool:
    return (
        name.startswith(("exif", "xmp", "iptc", "icc", "orientation", "gainmap"))
        or name in {"jpeg-thumbnail-data", "heif-primary", "png-comment"}
        or "comment" in name
    )


def has_metadata(path: Path) -> bool:
    """Whether a file carries anything besides a photo's pixels (always true
    of a file that is not a photo we read): what keeps it from being stored
    as it is."""
    if pyvips is None:
        return True
    try:
        if sniff(path)[0] != "photo":
            return True
        image = pyvips.Image.new_from_file(str(path), fail=True)
    except (Refused, pyvips.Error):
        return True
    return any(_is_metadata(name) for name in image.get_fields())


def _open(path: Path, **options):
    try:
        return pyvips.Image.new_from_file(str(path), fail=True, **options)
    except pyvips.Error as error:
        raise Refused("could not be read as a photo: it may be damaged or incomplete.") from error


def process_photo(path: Path, out: Path, limits: Limits) -> Result:
    _require_vips()
    if sniff(path)[1] == "jpeg":
        _check_exif(path)
    header = _open(path)  # the header only: pixels are decoded later, in strips
    if header.width * header.height > limits.max_megapixels * 1_000_000:
        raise Refused(
            f"is {header.width * header.height / 1e6:.0f} megapixels; this setting takes "
            f"photos up to {limits.max_megapixels}."
        )
    rotated = header.get_typeof("orientation") and header.get("orientation") in (5, 6, 7, 8)
    loader = header.get("vips-loader") if header.get_typeof("vips-loader") else ""
    keep_png = loader.startswith("png")
    original = out / ("original.png" if keep_png else "original.jpg")
    try:
        # Sequential access streams the pixels unless a quarter turn needs them all.
        full = _open(path, access="random" if rotated else "sequential").autorot()
        full = without_metadata(_srgb(full))
        if keep_png:
            full.pngsave(str(original), strip=True, compression=6)
        else:
            # No optimize_coding: it keeps every coefficient of the picture for a
            # second pass (290 MB at 48 MP); without it the photo streams (85 MB).
            if full.hasalpha():
                full = full.flatten(background=[255, 255, 255])
            full.jpegsave(str(original), strip=True, Q=90)
        display = out / "display.webp"
        thumbnail = out / "thumbnail.webp"
        printed = out / "print.jpg"
        # thumbnail() shrinks while decoding (JPEG) and applies the orientation;
        # the small size is made from the display size, in memory.
        shown = pyvips.Image.thumbnail(
            f"{path}[fail=true]", DISPLAY_SIZE, height=DISPLAY_SIZE, size="down"
        )
        shown = without_metadata(_srgb(shown)).copy_memory()
        _save_webp(shown, display)
        save_print_copy(shown, printed)
        photo_from_image(shown, thumbnail, THUMBNAIL_SIZE)
    except pyvips.Error as error:
        raise Refused("could not be read as a photo: it may be damaged or incomplete.") from error
    width, height = (header.height, header.width) if rotated else (header.width, header.height)
    return Result(
        kind="photo",
        width=width,
        height=height,
        files={
            "original": (original, "image/png" if keep_png else "image/jpeg"),
            "display": (display, "image/webp"),
            "thumbnail": (thumbnail, "image/webp"),
            "print_copy": (printed, "image/jpeg"),
        },
    )


def _srgb(image):
    if image.interpretation not in ("srgb", "b-w"):
        with contextlib.suppress(pyvips.Error):  # kept as it is if it cannot be
            image = image.colourspace("srgb")
    if image.format != "uchar":
        image = image.cast("uchar") if image.interpretation == "srgb" else image
    return image


def save_print_copy(image, target: Path) -> None:
    """The display size as a JPEG with no metadata, for PDFs (made from the
    image already decoded: about 7 ms a photo)."""
    if image.hasalpha():
        image = image.flatten(background=[255, 255, 255])
    without_metadata(image).jpegsave(str(target), strip=True, Q=PRINT_QUALITY)


def photo_from_image(image, target: Path, size: int | None = None) -> None:
    """Save an image libvips holds as WebP, with no metadata."""
    if size:
        image = image.thumbnail_image(size, height=size, size="down")
    _save_webp(without_metadata(image), target)


def _save_webp(image, target: Path) -> None:
    # libvips 8.14 writes an EXIF chunk (resolution) even with strip: the
    # container is rewritten without EXIF, XMP and ICC chunks.
    target.write_bytes(webp_without_metadata(image.webpsave_buffer(strip=True, Q=82, effort=2)))


def webp_without_metadata(data: bytes) -> bytes:
    chunks, at = [], 12
    while at + 8 <= len(data):
        kind, size = data[at : at + 4], int.from_bytes(data[at + 4 : at + 8], "little")
        whole = data[at : at + 8 + size + (size & 1)]
        if kind == b"VP8X":
            flags = whole[8] & ~(0x20 | 0x08 | 0x04)  # ICC, EXIF, XMP
            whole = whole[:8] + bytes([flags]) + whole[9:]
        if kind not in (b"EXIF", b"XMP ", b"ICCP"):
            chunks.append(whole)
        at += 8 + size + (size & 1)
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + len(body).to_bytes(4, "little") + body


def _check_exif(path: Path) -> None:
    """Refuse a JPEG whose EXIF block is damaged: offsets pointing outside it
    are how such files attack readers (its contents are dropped anyway)."""
    with open(path, "rb") as file:
        data = file.read(256 * 1024)
    at = 2
    while at + 4 <= len(data) and data[at] == 0xFF:
        marker, length = data[at + 1], int.from_bytes(data[at + 2 : at + 4], "big")
        if marker == 0xDA:  # start of the picture: no more metadata
            return
        segment = data[at + 4 : at + 2 + length]
        if marker == 0xE1 and segment.startswith(b"Exif\x00\x00"):
            tiff = segment[6:]
            order = {b"II": "little", b"MM": "big"}.get(tiff[:2])
            if order is None or int.from_bytes(tiff[2:4], order) != 42:
                raise Refused("has damaged photo information (EXIF).")
            first = int.from_bytes(tiff[4:8], order)
            if first + 2 > len(tiff):
                raise Refused("has damaged photo information (EXIF).")
            entries = int.from_bytes(tiff[first : first + 2], order)
            if first + 2 + 12 * entries > len(tiff):
                raise Refused("has damaged photo information (EXIF).")
        at += 2 + length


# --- Videos --------------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise ToolsMissing(f"{name} (Debian package ffmpeg)")
    return found


def probe(path: Path) -> dict:
    """What ffprobe reads of the file, or Refused."""
    command = [_tool("ffprobe"), "-v", "error", "-print_format", "json"]
    command += ["-show_format", "-show_streams", str(path)]
    done = subprocess.run(command, capture_output=True, timeout=60, check=False)  # noqa: S603
    if done.returncode != 0:
        raise Refused("could not be read as a video: it may be damaged or incomplete.")
    return json.loads(done.stdout)


def _length(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def process_video(path: Path, out: Path, limits: Limits) -> Result:
    info = probe(path)
    streams = info.get("streams", [])
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    if video is None:
        raise Refused("has no picture we can read.")
    try:
        duration = float(info.get("format", {}).get("duration") or video.get("duration") or 0)
    except ValueError:
        duration = 0.0
    if duration > limits.max_video_seconds:
        raise Refused(
            f"is {_length(duration)} long; this setting takes videos up to "
            f"{_length(limits.max_video_seconds)}."
        )
    result = out / "video.mp4"
    has_audio = any(s.get("codec_type") == "audio" for s in streams)
    command = [_tool("ffmpeg"), "-nostdin", "-v", "error", "-y", "-i", str(path)]
    command += ["-map", "0:v:0"] + (["-map", "0:a:0"] if has_audio else [])
    # No metadata (place, device, dates), chapters or subtitles; faststart puts the
    # index first so playback and seeking start before the whole file arrives.
    command += ["-map_metadata", "-1", "-map_chapters", "-1", "-sn", "-dn"]
    command += ["-vf", f"scale=-2:'min({VIDEO_HEIGHT},ih)':flags=bicubic,format=yuv420p"]
    command += ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23"]
    command += ["-c:a", "aac", "-b:a", "128k", "-ac", "2"] if has_audio else []
    command += ["-movflags", "+faststart", "-metadata:s", "handler_name=", str(result)]
    try:
        done = subprocess.run(command, capture_output=True, timeout=FFMPEG_SECONDS, check=False)  # noqa: S603
    except subprocess.TimeoutExpired as error:
        raise Refused("took too long to convert.") from error
    if done.returncode != 0 or not result.exists() or result.stat().st_size == 0:
        raise Refused("could not be converted: it may be damaged or incomplete.")
    converted = probe(result)
    picture = next(s for s in converted["streams"] if s.get("codec_type") == "video")
    poster = out / "poster.png"
    at = "1" if duration > 2 else "0"
    command = [_tool("ffmpeg"), "-nostdin", "-v", "error", "-y", "-ss", at, "-i", str(result)]
    command += ["-frames:v", "1", "-map_metadata", "-1", str(poster)]
    subprocess.run(command, capture_output=True, timeout=120, check=False)  # noqa: S603
    files = {"video": (result, "video/mp4")}
    if poster.exists() and pyvips is not None:
        thumbnail = out / "thumbnail.webp"
        photo_from_image(pyvips.Image.new_from_file(str(poster)), thumbnail, THUMBNAIL_SIZE)
        display = out / "display.webp"
        frame = pyvips.Image.new_from_file(str(poster)).thumbnail_image(
            DISPLAY_SIZE, height=DISPLAY_SIZE, size="down"
        )
        photo_from_image(frame, display)
        printed = out / "print.jpg"
        save_print_copy(frame, printed)
        files |= {
            "thumbnail": (thumbnail, "image/webp"),
            "display": (display, "image/webp"),
            "print_copy": (printed, "image/jpeg"),
        }
    poster.unlink(missing_ok=True)
    return Result(
        kind="video",
        width=int(picture["width"]),
        height=int(picture["height"]),
        duration=duration,
        files=files,
    )
