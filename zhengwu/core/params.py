"""Query parameters of public pages, checked before they reach the database.

A value out of range is refused with a 400 that says which parameter, what it accepts and what came: never a 500
(a 20-digit number overflows the database's integer), never a silent clamp (the visitor would see results for
something they did not ask for).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import BadRequest
from django.http import HttpRequest

# Primary keys fit PostgreSQL's integer (the smallest integer key any table here uses).
MAX_ID = 2**31 - 1
FIRST_YEAR = 1949


class ParameterError(BadRequest):
    """A query parameter out of its range; the message is shown to the visitor."""


def _shown(raw: str) -> str:
    return raw if len(raw) <= 30 else raw[:30] + "…"


def int_param(request: HttpRequest, name: str, *, label: str, minimum: int, maximum: int) -> int | None:
    """The integer in ``request.GET[name]``, ``None`` when absent or empty; :class:`ParameterError` otherwise."""
    raw = request.GET.get(name, "").strip()
    if raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12 or not minimum <= int(raw) <= maximum:
        raise ParameterError(
            f"参数“{name}”（{label}）应为 {minimum} 到 {maximum} 之间的整数，收到“{_shown(raw)}”。"
        )
    return int(raw)


def id_param(request: HttpRequest, name: str, *, label: str) -> int | None:
    return int_param(request, name, label=label, minimum=1, maximum=MAX_ID)


def year_param(request: HttpRequest, name: str = "year", *, label: str = "年份") -> int | None:
    return int_param(request, name, label=label, minimum=FIRST_YEAR, maximum=dt.date.today().year + 1)
