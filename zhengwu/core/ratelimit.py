"""Rate limits shared by every worker process, counted atomically.

A limit is a number of events per fixed window of seconds for one key (a client address, a phone number, a
tracking number) in one scope. Two stores, both atomic under any number of concurrent requests and processes:

- Redis (when the default cache is Redis): ``INCR``, which Redis runs one at a time;
- the database otherwise: a :class:`~zhengwu.core.models.RateCounter` row per key and window, incremented with one
  ``UPDATE … SET count = count + 1`` (the row lock serializes concurrent increments on PostgreSQL; SQLite
  serializes writers). Django's database cache is not used: its ``incr`` is a read followed by a write, and it culls
  entries when full, which would forget counts.

``hit`` counts every event (failed captchas, failed look-ups); ``consume`` counts an event only while the key is
under its limit (accepted submissions, SMS codes sent) and ``release`` gives one back when the work it admitted
did not happen after all.

The limits themselves are settings (``ZHENGWU_PUBLIC_FORM_LIMITS``), read through :func:`form_limit`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F

from .client_address import client_ip, client_subject  # noqa: F401  (re-exported: one way to read the address)

DEFAULT_FORM_LIMITS: dict[str, Any] = {
    # Accepted submissions per client address and per phone number: (count, window seconds).
    "submissions_per_ip": (30, 3600),
    "submissions_per_phone": (5, 86400),
    # Wrong or expired image captchas per address: counted apart and more leniently, so that a whole office behind
    # one NAT address is not locked out by its own typing mistakes. The SMS route stays open meanwhile.
    "captcha_failures_per_ip": (60, 3600),
    # SMS verification codes: per phone (a pause between two codes, and per hour) and per address.
    "sms_interval_per_phone": (1, 60),
    "sms_per_phone": (5, 3600),
    "sms_per_ip": (20, 3600),
    # A code is good for this many seconds and this many wrong tries.
    "sms_code_seconds": 600,
    "sms_code_attempts": 5,
}


@dataclass(frozen=True)
class Limit:
    count: int
    window: int  # seconds

    @classmethod
    def of(cls, value: Any) -> Limit:
        if isinstance(value, Limit):
            return value
        count, window = value
        return cls(int(count), max(1, int(window)))


def form_limits(scope: str = "") -> dict[str, Any]:
    """The limits of one public form: the defaults, then ``ZHENGWU_PUBLIC_FORM_LIMITS["default"]``, then the
    entries for ``scope`` (``ZHENGWU_PUBLIC_FORM_LIMITS["disclosure_apply"]`` …)."""
    configured = getattr(settings, "ZHENGWU_PUBLIC_FORM_LIMITS", {}) or {}
    merged = dict(DEFAULT_FORM_LIMITS)
    merged.update(configured.get("default", {}))
    if scope:
        merged.update(configured.get(scope, {}))
    return merged


def form_limit(scope: str, name: str) -> Limit:
    return Limit.of(form_limits(scope)[name])


# -- stores ------------------------------------------------------------------------------------------------------


def _store() -> str:
    choice = str(getattr(settings, "ZHENGWU_RATELIMIT_STORE", "auto") or "auto")
    if choice != "auto":
        return choice
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    return "cache" if backend.endswith("RedisCache") else "database"


def _window(limit: Limit, now: float) -> tuple[int, float]:
    number = int(now // limit.window)
    return number, (number + 1) * limit.window


def _key(scope: str, key: str | None, limit: Limit, number: int) -> str:
    return f"zw:rl:{scope}:{key or 'unknown'}:{limit.window}:{number}"[:250]


def seconds_left(limit: Limit, *, now: float | None = None) -> int:
    """Seconds until the current window of ``limit`` ends."""
    now = time.time() if now is None else now
    return max(1, math.ceil(_window(limit, now)[1] - now))


class _DatabaseStore:
    @staticmethod
    def _create(key: str, ends: float, count: int) -> bool:
        from .models import RateCounter

        try:
            with transaction.atomic():
                RateCounter.objects.create(key=key, count=count, expires_at=datetime.fromtimestamp(ends, UTC))
        except IntegrityError:  # another request created it first; it holds the row until it commits
            return False
        return True

    def hit(self, key: str, ends: float) -> int:
        from .models import RateCounter

        rows = RateCounter.objects.filter(key=key)
        with transaction.atomic():
            if not rows.update(count=F("count") + 1):
                if self._create(key, ends, 1):
                    return 1
                rows.update(count=F("count") + 1)
            # The row stays locked by our update until the commit: this reads our own increment.
            return rows.values_list("count", flat=True).get()

    def consume(self, key: str, ends: float, limit: int) -> int:
        from .models import RateCounter

        if limit < 1:
            return 0
        rows = RateCounter.objects.filter(key=key)
        with transaction.atomic():
            if not rows.filter(count__lt=limit).update(count=F("count") + 1):
                if rows.exists():
                    return 0
                if self._create(key, ends, 1):
                    return 1
                if not rows.filter(count__lt=limit).update(count=F("count") + 1):
                    return 0
            return rows.values_list("count", flat=True).get()

    def release(self, key: str) -> None:
        from .models import RateCounter

        RateCounter.objects.filter(key=key, count__gt=0).update(count=F("count") - 1)

    def peek(self, key: str) -> int:
        from .models import RateCounter

        return RateCounter.objects.filter(key=key).values_list("count", flat=True).first() or 0


class _CacheStore:
    @staticmethod
    def _incr(key: str, ends: float, delta: int = 1) -> int:
        timeout = max(1, math.ceil(ends - time.time()))
        cache.add(key, 0, timeout)
        try:
            return cache.incr(key, delta)
        except ValueError:  # expired between add() and incr(): a new window
            cache.add(key, 0, timeout)
            return cache.incr(key, delta)

    def hit(self, key: str, ends: float) -> int:
        return self._incr(key, ends)

    def consume(self, key: str, ends: float, limit: int) -> int:
        # Each admitted event holds one of the values 1..limit; an increment past the limit is given back. While
        # given back, concurrent callers may see a value past the limit and be refused too: never admitted twice.
        count = self._incr(key, ends)
        if count <= limit:
            return count
        self.release(key)
        return 0

    def release(self, key: str) -> None:
        try:
            cache.decr(key)
        except ValueError:
            pass

    def peek(self, key: str) -> int:
        return int(cache.get(key, 0) or 0)


def _backend() -> _DatabaseStore | _CacheStore:
    return _CacheStore() if _store() == "cache" else _DatabaseStore()


# -- the interface -----------------------------------------------------------------------------------------------


def hit(*, scope: str, key: str | None, limit: Limit) -> int:
    """Count one event; return how many events ``key`` has in the current window, this one included."""
    number, ends = _window(limit, time.time())
    return _backend().hit(_key(scope, key, limit, number), ends)


def peek(*, scope: str, key: str | None, limit: Limit) -> int:
    """How many events ``key`` has in the current window (nothing is counted)."""
    number, _ = _window(limit, time.time())
    return _backend().peek(_key(scope, key, limit, number))


def is_over(*, scope: str, key: str | None, limit: Limit) -> bool:
    """Whether ``key`` has used up ``limit`` in the current window (nothing is counted)."""
    return peek(scope=scope, key=key, limit=limit) >= limit.count


def consume(*, scope: str, key: str | None, limit: Limit) -> int:
    """Count one event only if ``key`` is under ``limit``. Returns the event's place in the window (1 …
    ``limit.count``) when admitted, 0 when refused. Atomic: however many requests arrive at once, at most
    ``limit.count`` are admitted per window."""
    number, ends = _window(limit, time.time())
    return _backend().consume(_key(scope, key, limit, number), ends, limit.count)


def release(*, scope: str, key: str | None, limit: Limit) -> None:
    """Give back one event admitted by :func:`consume` in the current window."""
    number, _ = _window(limit, time.time())
    _backend().release(_key(scope, key, limit, number))


def over_limit(*, scope: str, key: str | None, limit: int, window_seconds: int) -> bool:
    """Count one event for ``key`` in ``scope``; True when more than ``limit`` events fell in the current window."""
    return hit(scope=scope, key=key, limit=Limit(limit, window_seconds)) > limit


def limit_message(window_seconds: int, *, what: str = "提交") -> str:
    minutes = max(1, math.ceil(window_seconds / 60))
    return f"{what}过于频繁，请 {minutes} 分钟后再试。"


def delete_expired_counters() -> int:
    """Remove database counters whose window has ended (a periodic task runs this)."""
    from django.utils import timezone

    from .models import RateCounter

    deleted, _ = RateCounter.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted
