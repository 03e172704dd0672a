"""Loading the versioned indicator rule file (``rules/<code>.json``) — pure Python, no database needed.

The file carries the thresholds the checks read and the veto/deduction items the scorer applies, each with its
source and how sure we are of it (C / C2 / U, see ``note`` in the file). A county's variant is a copy of the file
with other numbers, selected by code; the installed rule set can also be stored in the database (see models).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

RULES_DIR = Path(__file__).resolve().parent / "rules"
DEFAULT_RULES = "gbmh-2019-19"


class RulesError(ValueError):
    pass


@dataclass(frozen=True)
class ColumnKind:
    kind: str
    label: str
    keywords: tuple[str, ...]
    stale_days: int | None
    stale_months: int | None
    confirmed: str
    source: str


@dataclass(frozen=True)
class RuleSet:
    code: str
    version: str
    name: str
    source: str
    data: dict[str, Any]

    @property
    def checks(self) -> dict[str, Any]:
        return self.data["checks"]

    @property
    def scoring(self) -> dict[str, Any]:
        return self.data["scoring"]

    def column_kinds(self) -> list[ColumnKind]:
        return [
            ColumnKind(
                k["kind"],
                k["label"],
                tuple(k.get("keywords", [])),
                k.get("stale_days"),
                k.get("stale_months"),
                k.get("confirmed", "U"),
                k.get("source", ""),
            )
            for k in self.checks["columns"]["kinds"]
        ]

    def column_kind_for(self, name: str) -> ColumnKind:
        """Infer a column's kind from its name: the longest matching keyword wins (通知公告 before 通知).
        Memoized per rule set: every article page asks for its column's kind."""
        memo = self.__dict__.setdefault("_kind_memo", {})
        kind = memo.get(name)
        if kind is None:
            if len(memo) > 10000:
                memo.clear()
            kind = memo[name] = self._column_kind_for(name)
        return kind

    def _column_kind_for(self, name: str) -> ColumnKind:
        best: tuple[int, ColumnKind] | None = None
        fallback = None
        for kind in self.column_kinds():
            if not kind.keywords:
                fallback = kind
            for word in kind.keywords:
                if word in name and (best is None or len(word) > best[0]):
                    best = (len(word), kind)
        if best is not None:
            return best[1]
        if fallback is None:
            raise RulesError("规则文件缺少“其他栏目”类型。")
        return fallback

    def compiled(self, section: str) -> list[tuple[dict[str, Any], list[re.Pattern[str]]]]:
        return _compile(self.code, self.version, section, json.dumps(self.checks[section]["elements"]))


@lru_cache(maxsize=32)
def _compile(
    code: str, version: str, section: str, elements_json: str
) -> list[tuple[dict[str, Any], list[re.Pattern[str]]]]:
    return [(el, [re.compile(p) for p in el.get("patterns", [])]) for el in json.loads(elements_json)]


def validate(data: dict[str, Any]) -> None:
    for key in ("code", "version", "name", "checks", "scoring"):
        if key not in data:
            raise RulesError(f"规则文件缺少“{key}”。")
    scoring = data["scoring"]
    for section in ("vetoes", "deductions"):
        for item in scoring.get(section, []):
            for key in ("code", "name", "checks", "confirmed", "source"):
                if key not in item:
                    raise RulesError(f"规则“{item.get('code', '?')}”缺少“{key}”。")
            if item["confirmed"] not in ("C", "C2", "U"):
                raise RulesError(f"规则“{item['code']}”的 confirmed 只能是 C、C2 或 U。")
    for section in ("footer", "guide"):
        for el in data["checks"][section]["elements"]:
            for pattern in el.get("patterns", []):
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise RulesError(f"规则“{el['label']}”的正则表达式有误：{exc}") from exc


def rules_from_dict(data: dict[str, Any]) -> RuleSet:
    validate(data)
    return RuleSet(data["code"], str(data["version"]), data["name"], data.get("source", ""), data)


@lru_cache(maxsize=8)
def load_rules(code: str = DEFAULT_RULES) -> RuleSet:
    path = RULES_DIR / f"{code}.json"
    if not re.fullmatch(r"[a-z0-9\-]+", code) or not path.exists():
        raise RulesError(f"找不到检查规则“{code}”。")
    with path.open(encoding="utf-8") as fh:
        return rules_from_dict(json.load(fh))
