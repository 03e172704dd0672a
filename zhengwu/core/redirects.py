"""Old site hosts of ceased organizations answer 301 to the successor's site (机构改革 merges sites).

The table is small (one row per old host) and read on every request, so the host → target map is cached for a
minute in the shared cache and for a few seconds in each process, and dropped after any change
(:func:`invalidate_host_redirects`; other processes see a change within ``PROCESS_SECONDS``)."""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.utils import timezone

CACHE_KEY = "zhengwu:core:host-redirects:v1"
CACHE_SECONDS = 60


# Each process also keeps the table for a few seconds, so that a page view costs no cache round trip for it.
PROCESS_SECONDS = 5
_process_copy: tuple[float, dict[str, tuple[int, str]]] | None = None


def _load() -> dict[str, tuple[int, str]]:
    global _process_copy
    from .models import HostRedirect

    now = time.monotonic()
    if _process_copy is not None and _process_copy[0] > now:
        return _process_copy[1]
    table = cache.get(CACHE_KEY)
    if table is None:
        table = {
            row.old_hostname.lower(): (row.pk, row.target_site.root_url.rstrip("/") + row.path_prefix)
            for row in HostRedirect.objects.select_related("target_site")
        }
        cache.set(CACHE_KEY, table, CACHE_SECONDS)
    _process_copy = (now + PROCESS_SECONDS, table)
    return table


def _forget() -> None:
    global _process_copy
    _process_copy = None
    cache.delete(CACHE_KEY)


def invalidate_host_redirects() -> None:
    # Now for this process, and again after the commit, in case another worker reloaded the old rows meanwhile.
    _forget()
    transaction.on_commit(_forget)


def redirect_target(host: str, full_path: str) -> tuple[int, str] | None:
    """(row id, new URL) for a request to ``host`` + ``full_path``, or None when the host is not an old one."""
    entry = _load().get(host.split(":")[0].lower())
    if entry is None:
        return None
    pk, base = entry
    return pk, base.rstrip("/") + full_path if full_path != "/" else base


class HostRedirectMiddleware:
    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        try:
            host = request.get_host()
        except DisallowedHost:
            return self.get_response(request)
        target = redirect_target(host, request.get_full_path())
        if target is None:
            return self.get_response(request)
        from .models import HostRedirect

        pk, url = target
        HostRedirect.objects.filter(pk=pk).update(hits=F("hits") + 1, last_hit_at=timezone.now())
        return HttpResponsePermanentRedirect(url)
