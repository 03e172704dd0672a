"""Per-key rate limits in the shared cache (the database cache by default, Redis when configured), so that every
worker process counts against the same limit."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The visitor's address. Behind our nginx (``ZHENGWU_TRUST_X_REAL_IP``) it arrives in X-Real-IP, which nginx
    overwrites; otherwise that header could be forged, so only the socket address counts."""
    candidates = [request.META.get("REMOTE_ADDR", "")]
    if getattr(settings, "ZHENGWU_TRUST_X_REAL_IP", False):
        candidates.insert(0, request.META.get("HTTP_X_REAL_IP", ""))
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate.strip()))
        except ValueError:
            continue
    return None


def over_limit(*, scope: str, key: str | None, limit: int, window_seconds: int) -> bool:
    """Count one event for ``key`` in ``scope``; True when more than ``limit`` events fell in the current window."""
    cache_key = f"zw:rl:{scope}:{key or 'unknown'}"
    if cache.add(cache_key, 1, window_seconds):
        return 1 > limit
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.add(cache_key, 1, window_seconds)
        count = 1
    return count > limit


def limit_message(window_seconds: int) -> str:
    minutes = max(1, round(window_seconds / 60))
    return f"提交过于频繁，请 {minutes} 分钟后再试。"
