"""Rule files of the catalogue (each with its source): classification codes, metadata value lists, the column
order of the exchanged spreadsheet, roles."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

RULES_DIR = Path(__file__).resolve().parent


def rules_path(name: str) -> Path:
    return RULES_DIR / f"{name}.json"


@cache
def load(name: str) -> dict[str, Any]:
    return json.loads(rules_path(name).read_text(encoding="utf-8"))


def formats() -> list[str]:
    return list(load("metadata")["formats"])


def share_methods() -> list[str]:
    return list(load("metadata")["share_methods"])


def update_cycles() -> dict[str, int | None]:
    """更新周期 name → the number of days after which an entry's data counts as overdue (None: never)."""
    return {row["name"]: row["days"] for row in load("metadata")["update_cycles"]}


def data_types() -> dict[str, str]:
    """Accepted spellings of a 数据类型 (name or one-letter code) → the name stored."""
    mapping: dict[str, str] = {}
    for row in load("metadata")["data_types"]:
        mapping[row["name"]] = row["name"]
        mapping[row["code"]] = row["name"]
        mapping[row["code"].lower()] = row["name"]
    return mapping


def core_fields() -> list[dict[str, str]]:
    return list(load("metadata")["core_fields"])


def review_days_after_function_change() -> int:
    return int(load("metadata")["review_days_after_function_change"])


def exchange_columns() -> list[dict[str, Any]]:
    return list(load("exchange")["columns"])
