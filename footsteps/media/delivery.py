"""Handing a file's bytes to a browser once the policy has said yes (R31).

Never a public or lasting address: from local disk Django streams the file
(with HTTP ranges, for seeking in videos) or hands it to nginx with
X-Accel-Redirect to an internal location; from S3 the browser is sent to a
signed URL that expires in minutes. Nothing is kept by browsers or proxies."""

import re
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
PIECE = 256 * 1024


def _private(response, content_type: str, disposition: str):
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    # Opened on its own, a file can run nothing and reach nothing.
    response["Content-Security-Policy"] = "default-src 'none'; media-src 'self'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Content-Disposition"] = disposition
    if content_type:
        response["Content-Type"] = content_type
    return response


def _disposition(filename: str, download: bool) -> str:
    kind = "attachment" if download else "inline"
    return f"{kind}; filename*=UTF-8''{quote(filename)}"


def serve(request, name: str, content_type: str, filename: str, *, download: bool = False):
    disposition = _disposition(filename, download)
    if settings.S3_BUCKET:
        url = default_storage.url(
            name,
            parameters={
                "ResponseContentDisposition": disposition,
                "ResponseContentType": content_type,
                "ResponseCacheControl": "private, no-store",
            },
            expire=settings.MEDIA_URL_SECONDS,
        )
        return _private(HttpResponseRedirect(url), "", disposition)
    if settings.MEDIA_DELIVERY == "accel":
        response = HttpResponse()
        response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_PREFIX + name
        return _private(response, content_type, disposition)
    return _stream(request, name, content_type, disposition)


def _stream(request, name: str, content_type: str, disposition: str):
    size = default_storage.size(name)
    start, end, status = 0, size - 1, 200
    asked = _RANGE.match(request.headers.get("Range", "").strip())
    if asked and size:
        first, last = asked.groups()
        if first:
            start, end = int(first), min(int(last), size - 1) if last else size - 1
        elif last:
            start = max(size - int(last), 0)
        if start > end or start >= size:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return _private(response, "", disposition)
        status = 206
    length = end - start + 1

    def pieces():
        with default_storage.open(name, "rb") as file:
            file.seek(start)
            left = length
            while left > 0:
                data = file.read(min(PIECE, left))
                if not data:
                    return
                left -= len(data)
                yield data

    response = StreamingHttpResponse(pieces(), status=status)
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return _private(response, content_type, disposition)
