"""Uploaded files under ``MEDIA_URL`` when no web server answers for them (the demo, development, a small install
without nginx): never executable in the site's origin, whatever an upload contains.

Every response carries ``X-Content-Type-Options: nosniff`` and a sandboxing Content-Security-Policy; anything but
a raster image is a download (``Content-Disposition: attachment``). Documents are not served from here at all:
Wagtail's ``/documents/`` view checks their collection's privacy first. The nginx template sets the same headers.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.static import serve

USER_FILE_CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


def user_file_headers(response: HttpResponse) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = USER_FILE_CSP
    content_type = (response.get("Content-Type") or "").split(";")[0].strip().lower()
    if content_type not in INLINE_TYPES:
        response["Content-Disposition"] = "attachment"
    return response


def serve_media(request: HttpRequest, path: str) -> HttpResponse:
    if path.startswith("documents/"):
        raise Http404
    return user_file_headers(serve(request, path, document_root=settings.MEDIA_ROOT))
