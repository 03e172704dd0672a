"""The data files of ``rules/``: item types, themes (服务对象, 主题) — each with its source."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

RULES_DIR = Path(__file__).resolve().parent / "rules"


@cache
def _load(name: str) -> dict:
    return json.loads((RULES_DIR / name).read_text(encoding="utf-8"))


def item_types() -> list[str]:
    return [t for category in _load("item_types.json")["categories"] for t in category["types"]]


def item_type_categories() -> list[dict]:
    return _load("item_types.json")["categories"]


def audiences() -> dict[str, str]:
    return {a["code"]: a["name"] for a in _load("themes.json")["audiences"]}


def life_events() -> list[dict]:
    return _load("themes.json")["life_events"]


def life_event_names() -> dict[str, str]:
    return {e["code"]: e["name"] for e in life_events()}


def import_columns() -> list[dict]:
    return _load("import_columns.json")["columns"]


def header_scan_rows() -> int:
    return int(_load("import_columns.json")["header_scan_rows"])


def supervision() -> dict:
    return _load("supervision.json")


def application_fields(item_code: str) -> list[dict]:
    """The fields of the online application form of one item (data: ``rules/application_forms.json``)."""
    forms = _load("application_forms.json")
    return forms["items"].get(item_code, forms["default"])


def extension_rules() -> dict:
    return _load("applications.json")


def ratings() -> dict:
    return _load("ratings.json")


def rating_level_label(value: int) -> str:
    return next((lv["label"] for lv in ratings()["levels"] if lv["value"] == value), str(value))


def bad_rating_levels() -> list[int]:
    """The levels that make a rating a 差评."""
    return list(ratings()["bad_levels"])
