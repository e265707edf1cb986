"""Covering children in a photo (R28): regions are chosen in the browser, as
fractions of the picture, suggested by a face detector that ships inside its
package (OpenCV's Haar cascades: nothing downloaded at run time); the server
paints them solid on the copy other children's journals get. Solid, not
blurred: a blur can be undone, and a child's face must not be."""

import json
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from footsteps.media import processing

MAX_REGIONS = 30
COVER = [96, 96, 96]  # mid grey


class Box(NamedTuple):
    x: float
    y: float
    w: float
    h: float


def parse_regions(raw) -> list[Box]:
    """Regions from the browser (JSON text or a list of {x, y, w, h} fractions),
    clipped to the picture; a clear message for anything else."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw or "[]")
        except ValueError as error:
            raise ValidationError({"regions": "The covered areas could not be read."}) from error
    if not isinstance(raw, list) or len(raw) > MAX_REGIONS:
        raise ValidationError({"regions": f"Cover at most {MAX_REGIONS} areas."})
    boxes = []
    for item in raw:
        try:
            x, y, w, h = (float(item[name]) for name in ("x", "y", "w", "h"))
        except (KeyError, TypeError, ValueError) as error:
            raise ValidationError({"regions": "The covered areas could not be read."}) from error
        x, y = min(max(x, 0.0), 1.0), min(max(y, 0.0), 1.0)
        w, h = min(max(w, 0.0), 1.0 - x), min(max(h, 0.0), 1.0 - y)
        if w > 0.005 and h > 0.005:
            boxes.append(Box(round(x, 4), round(y, 4), round(w, 4), round(h, 4)))
    return boxes


def _load(name: str):
    with default_storage.open(name, "rb") as file:
        return processing.pyvips.Image.new_from_buffer(file.read(), "")


def make_copies(media, boxes: list[Box]) -> tuple[bytes, bytes, bytes]:
    """The covered display size and thumbnail (WebP) and print copy (JPEG),
    with no metadata, made from the display size: the full size never leaves
    the child's own journal."""
    image = _load(media.display)
    if image.hasalpha():
        image = image.flatten()
    image = image.copy_memory()
    for box in boxes:
        # A margin, so an edge of a face is not left showing.
        left = max(int((box.x - box.w * 0.08) * image.width), 0)
        top = max(int((box.y - box.h * 0.08) * image.height), 0)
        right = min(int((box.x + box.w * 1.08) * image.width) + 1, image.width)
        bottom = min(int((box.y + box.h * 1.08) * image.height) + 1, image.height)
        image = image.draw_rect(
            COVER[: image.bands], left, top, right - left, bottom - top, fill=True
        )
    display = processing.webp_without_metadata(image.webpsave_buffer(strip=True, Q=82))
    small = image.thumbnail_image(processing.THUMBNAIL_SIZE, height=processing.THUMBNAIL_SIZE)
    thumbnail = processing.webp_without_metadata(small.webpsave_buffer(strip=True, Q=82))
    printed = processing.without_metadata(image).jpegsave_buffer(
        strip=True, Q=processing.PRINT_QUALITY
    )
    return display, thumbnail, printed


def suggest_faces(media) -> list[Box]:
    """Likely faces in a photo's display size, as regions to cover."""
    try:
        import cv2
        import numpy
    except ImportError:
        return []
    with default_storage.open(media.display, "rb") as file:
        data = numpy.frombuffer(file.read(), dtype=numpy.uint8)
    picture = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
    if picture is None:
        return []
    height, width = picture.shape
    found = []
    for cascade in ("haarcascade_frontalface_default.xml", "haarcascade_profileface.xml"):
        detector = cv2.CascadeClassifier(cv2.data.haarcascades + cascade)
        faces = detector.detectMultiScale(
            cv2.equalizeHist(picture), scaleFactor=1.1, minNeighbors=5, minSize=(24, 24)
        )
        found += [Box(x / width, y / height, w / width, h / height) for x, y, w, h in faces]
    return parse_regions([box._asdict() for box in _without_overlaps(found)])


def _without_overlaps(boxes: list[Box]) -> list[Box]:
    kept: list[Box] = []
    for box in sorted(boxes, key=lambda b: -b.w * b.h):
        cx, cy = box.x + box.w / 2, box.y + box.h / 2
        if not any(k.x <= cx <= k.x + k.w and k.y <= cy <= k.y + k.h for k in kept):
            kept.append(box)
    return kept
