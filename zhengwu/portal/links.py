"""Absolute addresses of pages, as the visitor reached the site.

A page of a site on the host name the request came to gets the scheme, host and port of the request itself (the
server may answer on another port than the one in its site record, e.g. ``PORT=8100 ./zw demo`` or behind a
proxy); a page of another site of the group gets that site's root URL from its record.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest
from django.http.request import split_domain_port
from wagtail.models import Page


def absolute_page_url(page: Page, request: HttpRequest | None) -> str:
    # get_url_parts reads the site root paths Wagtail keeps in the cache: no query per page, none for the site.
    parts = page.get_url_parts(request)
    if parts is None:
        return ""
    _site_id, root_url, page_path = parts
    if request is None:
        return f"{root_url}{page_path}"
    request_host, _port = split_domain_port(request.get_host())
    if (urlsplit(root_url).hostname or "").lower() == request_host.strip("[]"):
        return request.build_absolute_uri(page_path)
    return f"{root_url}{page_path}"


def absolute_address(value: str, request: HttpRequest | None) -> str:
    """A path on this site (``/xxgk/ysqgk/``) as an absolute address; anything else unchanged."""
    if request is not None and value.startswith("/") and not value.startswith("//"):
        return request.build_absolute_uri(value)
    return value
