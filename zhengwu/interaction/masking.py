"""Caller data as lists, queues, exports and the public API show it: masked. Only the work order's own page shows
it in full (and that view is audited)."""

from __future__ import annotations

import re


def mask_phone(phone: str) -> str:
    digits = phone or ""
    if len(digits) >= 8:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * len(digits)


def mask_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


_NUMBERS = re.compile(r"(?<!\d)(1[3-9]\d{9}|\d{17}[\dXx]|0\d{2,3}-?\d{7,8})(?!\d)")


def mask_numbers(text: str) -> str:
    """Phone and 身份证 numbers inside free text (a published description) with their middle hidden."""
    return _NUMBERS.sub(lambda m: m.group(0)[:3] + "*" * (len(m.group(0)) - 5) + m.group(0)[-2:], text or "")
