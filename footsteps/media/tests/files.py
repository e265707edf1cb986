"""Files as devices send them, made for the tests: photos carrying what phones
write (GPS position, device serial, owner name, XMP, an embedded thumbnail,
an orientation), and hostile files."""

import io
import shutil
import subprocess  # noqa: S404
import zipfile
from pathlib import Path

from PIL import Image, ImageDraw

# What a phone writes that must never survive (searched for in every stored file).
SECRETS = (b"SN-8842-SECRET", b"Jane Owner", b"Footsteps-XMP-Secret", b"GPS-Secret-Tag")
GPS_LATITUDE = (51.0, 30.0, 12.34)


def _picture(width: int, height: int) -> Image.Image:
    image = Image.new("RGB", (width, height), (240, 200, 160))
    draw = ImageDraw.Draw(image)
    # An arrow pointing up in the stored pixels, so orientation can be checked.
    draw.rectangle((0, 0, width, height // 3), fill=(20, 90, 200))
    draw.ellipse((width // 3, height // 3, 2 * width // 3, 2 * height // 3), fill=(230, 60, 40))
    return image


def phone_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 15"  # Model
    exif[0x0112] = orientation
    exif[0x013B] = "Jane Owner"  # Artist
    exif[0x8298] = "Jane Owner"  # Copyright
    exif[0x0131] = "GPS-Secret-Tag"  # Software
    sub = exif.get_ifd(0x8769)
    sub[0xA431] = "SN-8842-SECRET"  # BodySerialNumber
    sub[0xA430] = "Jane Owner"  # CameraOwnerName
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = GPS_LATITUDE
    gps[3] = "W"
    gps[4] = (0.0, 7.0, 39.0)
    return exif


XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" '
    b'dc:creator="Footsteps-XMP-Secret"/></rdf:RDF></x:xmpmeta>'
)


def jpeg_from_phone(path: Path, width: int = 1200, height: int = 900, orientation: int = 6) -> Path:
    """A JPEG as a phone writes it, stored sideways with an orientation tag."""
    _picture(width, height).save(
        path, "JPEG", quality=90, exif=phone_exif(orientation), xmp=XMP, comment=b"Jane Owner"
    )
    return path


def png_with_text(path: Path, width: int = 640, height: int = 480) -> Path:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "Jane Owner")
    info.add_text("XML:com.adobe.xmp", XMP.decode())
    _picture(width, height).save(path, "PNG", pnginfo=info, exif=phone_exif())
    return path


def webp_from_phone(path: Path, width: int = 800, height: int = 600) -> Path:
    _picture(width, height).save(path, "WEBP", exif=phone_exif(), xmp=XMP, quality=80)
    return path


def heic_from_phone(path: Path, width: int = 640, height: int = 480) -> Path:
    """A HEIC as an iPhone writes it (libvips with libheif makes it)."""
    import pyvips

    jpeg = jpeg_from_phone(path.with_suffix(".src.jpg"), width, height, orientation=1)
    pyvips.Image.new_from_file(str(jpeg)).heifsave(str(path), compression="hevc", Q=60)
    return path


def video(path: Path, seconds: float = 2, *, rotate: bool = False, size: str = "320x240") -> Path:
    """A short MP4 or MOV (by suffix) with sound, a GPS location and a device name."""
    command = [shutil.which("ffmpeg") or "ffmpeg", "-v", "error", "-y"]
    command += ["-f", "lavfi", "-i", f"testsrc=size={size}:rate=15:duration={seconds}"]
    command += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    command += ["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest"]
    command += ["-metadata", "location=+51.5012-000.1390/", "-metadata", "title=Jane Owner"]
    command += ["-metadata", "comment=SN-8842-SECRET"]
    if rotate:
        command += ["-metadata:s:v", "rotate=90"]
    subprocess.run([*command, str(path)], check=True, capture_output=True)  # noqa: S603
    return path


def bomb_png(path: Path, side: int = 40_000) -> Path:
    """A tiny PNG claiming `side`×`side` pixels: decompression bomb."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    row = b"\x00" + b"\x00" * side  # grey, one byte a pixel
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )
    return path


def truncated_jpeg(path: Path) -> Path:
    whole = jpeg_from_phone(path.with_suffix(".whole.jpg"), 800, 600).read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    return path


def broken_exif_jpeg(path: Path) -> Path:
    """A JPEG whose EXIF block lies about its length and offsets."""
    buffer = io.BytesIO()
    _picture(200, 150).save(buffer, "JPEG")
    data = buffer.getvalue()
    exif = b"Exif\x00\x00MM\x00\x2a\x00\x00\xff\xff\xff\xf0" + b"\xff" * 40
    segment = b"\xff\xe1" + (len(exif) + 2).to_bytes(2, "big") + exif
    path.write_bytes(data[:2] + segment + data[2:])
    return path


def html_as_jpg(path: Path) -> Path:
    path.write_bytes(b"<!doctype html><script>alert(document.cookie)</script>")
    return path


def svg_as_jpg(path: Path) -> Path:
    path.write_bytes(
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)'
        b"</script></svg>"
    )
    return path


def zip_file(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("photo.jpg", b"not really")
    return path


def broken_video(path: Path) -> Path:
    """Begins as an MP4 does, then nothing a decoder can read."""
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x13\x37" * 5000)
    return path
