"""Captcha challenges for public forms: characters that cannot be mistaken for each other (no 0/O, 1/I/L)."""

from __future__ import annotations

import secrets

from django.conf import settings

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def challenge() -> tuple[str, str]:
    text = "".join(secrets.choice(ALPHABET) for _ in range(getattr(settings, "CAPTCHA_LENGTH", 4)))
    return text, text.lower()
