"""The hotline's rule files: time limits, referral texts, the classification tree."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

RULES_DIR = Path(__file__).resolve().parent


def rules_path(name: str) -> Path:
    return RULES_DIR / f"{name}.json"


@lru_cache(maxsize=8)
def load(name: str) -> dict[str, Any]:
    return json.loads(rules_path(name).read_text(encoding="utf-8"))


def referrals() -> dict[str, dict[str, str]]:
    return {item["code"]: item for item in load("hotline")["referrals"]}
