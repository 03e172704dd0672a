"""The rule files of ``rules/`` read once per process: labels, outcomes, applicant kinds, channels, fee brackets.

Every legal label (the annual report's titles, rows and columns, the outcome categories) and every number of
disclosure.md lives in those files with its source; code looks them up here and never spells them out.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

RULES_DIR = Path(__file__).resolve().parent / "rules"


@cache
def load(name: str) -> dict[str, Any]:
    """The parsed rule file ``rules/<name>.json``."""
    return json.loads((RULES_DIR / f"{name}.json").read_text(encoding="utf-8"))


def rules_path(name: str) -> Path:
    return RULES_DIR / f"{name}.json"


_NUMBERED = re.compile(r"^\d+\.")


# -- outcomes (table 三 rows) ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One reply outcome: a row of table 三 under 三、本年度办理结果."""

    code: str
    label: str  # the row's own label, e.g. "4.保护第三方合法权益" or "（一）予以公开"
    group_code: str
    group_label: str
    letter: str  # the 告知书 template used for this outcome
    aliases: tuple[str, ...] = ()

    @property
    def full_label(self) -> str:
        """The label used in imports and exports: ``（三）不予公开/4.保护第三方合法权益``."""
        return self.label if self.label == self.group_label else f"{self.group_label}/{self.label}"

    @property
    def short_label(self) -> str:
        if self.label == self.group_label:
            return self.label
        return self.group_label + "·" + _NUMBERED.sub("", self.label)


@lru_cache(maxsize=1)
def outcomes() -> tuple[Outcome, ...]:
    table = load("annual_report")["table3"]
    result: list[Outcome] = []
    for group in table["outcome_groups"]:
        subs = group.get("outcomes")
        if not subs:
            result.append(
                Outcome(group["code"], group["label"], group["code"], group["label"], group["letter"])
            )
            continue
        for sub in subs:
            result.append(
                Outcome(
                    sub["code"],
                    sub["label"],
                    group["code"],
                    group["label"],
                    group["letter"],
                    tuple(sub.get("aliases", ())),
                )
            )
    return tuple(result)


def outcome_choices() -> list[tuple[str, str]]:
    return [(outcome.code, outcome.full_label) for outcome in outcomes()]


def outcome_by_code(code: str) -> Outcome | None:
    return {outcome.code: outcome for outcome in outcomes()}.get(code)


def _label_key(text: str) -> str:
    # Lenient: full-width/half-width forms, spaces, the separator between group and row, and 、/， variants.
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"\s+", "", text)
    text = text.replace("，", ",").replace("、", ",").replace("／", "/").replace("·", "/")
    return text


@lru_cache(maxsize=1)
def _outcome_label_index() -> dict[str, Outcome]:
    index: dict[str, Outcome] = {}
    for outcome in outcomes():
        names = [outcome.full_label, outcome.code]
        names += [f"{outcome.group_label}/{alias}" for alias in outcome.aliases]
        if outcome.label != outcome.group_label:
            names.append(outcome.group_label + outcome.label)
        for name in names:
            index[_label_key(name)] = outcome
    return index


def outcome_from_label(text: str) -> Outcome | None:
    """The outcome named by ``text``: the table 三 label (``（三）不予公开/4.保护第三方合法权益``), with lenient
    spacing, width and punctuation, or the outcome code."""
    return _outcome_label_index().get(_label_key(text))


# -- applicant kinds (table 三 columns) --------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicantKind:
    code: str
    label: str
    legal_person: bool


@lru_cache(maxsize=1)
def applicant_kinds() -> tuple[ApplicantKind, ...]:
    return tuple(
        ApplicantKind(item["code"], item["label"], item["legal_person"])
        for item in load("requests")["applicant_kinds"]
    )


def applicant_kind_choices() -> list[tuple[str, str]]:
    return [(kind.code, kind.label) for kind in applicant_kinds()]


def applicant_kind_from_label(text: str) -> ApplicantKind | None:
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
    for kind in applicant_kinds():
        if key in (kind.label, kind.code):
            return kind
    return None


def applicant_kind_label(code: str) -> str:
    return dict(applicant_kind_choices()).get(code, code)


# -- channels (Art. 31) ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Channel:
    code: str
    label: str
    needs_confirmation: bool
    rule: str
    source: str


@lru_cache(maxsize=1)
def channels() -> dict[str, Channel]:
    return {
        item["code"]: Channel(
            item["code"], item["label"], item["needs_confirmation"], item["rule"], item["source"]
        )
        for item in load("requests")["channels"]
    }


def channel_choices() -> list[tuple[str, str]]:
    return [(code, channel.label) for code, channel in channels().items()]


def simple_choices(file: str, key: str) -> list[tuple[str, str]]:
    """``(code, label)`` pairs of a list of ``{"code", "label"}`` objects in a rule file."""
    return [(item["code"], item["label"]) for item in load(file)[key]]


def id_type_choices() -> list[tuple[str, str]]:
    data = load("requests")["id_types"]
    return [(item["code"], item["label"]) for group in data.values() for item in group]


def consultation_kinds() -> dict[str, dict[str, Any]]:
    return {item["code"]: item for item in load("requests")["consultation_kinds"]}


# -- report ------------------------------------------------------------------------------------------------------


def report_rules() -> dict[str, Any]:
    return load("annual_report")


def section_labels() -> dict[str, str]:
    return {section["code"]: section["label"] for section in report_rules()["sections"]}


def table3_columns() -> list[tuple[str, str, str | None]]:
    """Leaf columns of table 三 in order: ``(code, label, parent label or None)``; the 总计 column last."""
    leaves: list[tuple[str, str, str | None]] = []
    for column in report_rules()["table3"]["columns"]:
        children = column.get("children")
        if children:
            leaves += [(child["code"], child["label"], column["label"]) for child in children]
        else:
            leaves.append((column["code"], column["label"], None))
    return leaves
