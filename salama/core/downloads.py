"""The response for a decrypted file, the same from a page and from the API."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header


def private_file_response(
    body: bytes, content_type: str, filename: str | None = None
) -> HttpResponse:
    """Decrypted bytes for one reader: never stored by a cache, never sniffed into another type;
    with a `filename` the browser saves it instead of showing it."""
    response = HttpResponse(body, content_type=content_type)
    if filename is not None:
        response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
