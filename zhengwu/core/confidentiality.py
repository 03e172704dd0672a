"""保密审查: the scan that runs before anything is published (disclosure.md §6, “谁公开谁审查、谁发布谁负责”).

It looks for secrecy marks (绝密/机密/秘密 with ★ and a period), 18-digit 居民身份证号 with a valid GB 11643 check
digit and birth date, mainland mobile numbers, bank card numbers passing the Luhn check, and sensitive terms from
the rule file (and the county's own list). Each hit carries what was found and where, so a reviewer can judge it;
a hit blocks publication until someone allowed to override it gives a written reason.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.utils.html import strip_tags

RULES_FILE = Path(__file__).with_name("rules") / "confidentiality.json"

_SECRECY = re.compile(
    r"(绝密|机密|秘密)\s*[★☆*＊]\s*(?:(\d+|[一二三四五六七八九十]+)\s*(?:年|个月|月)|长期)?"
)
_ID = re.compile(r"(?<![0-9A-Za-z])(\d{17}[0-9Xx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")
_CARD = re.compile(r"(?<!\d)(\d{16,19})(?!\d)")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


@dataclass(frozen=True)
class Hit:
    kind: str
    label: str
    text: str
    start: int

    def masked(self) -> str:
        """What to show in lists and logs: personal numbers are masked even in a warning."""
        if self.kind in ("id_number", "mobile", "bank_card") and len(self.text) > 7:
            return self.text[:3] + "*" * (len(self.text) - 7) + self.text[-4:]
        return self.text


def id_number_is_valid(number: str) -> bool:
    """GB 11643-1999: the 18th character is a MOD 11-2 check; digits 7–14 are a real birth date."""
    if not re.fullmatch(r"\d{17}[0-9Xx]", number):
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != number[17].upper():
        return False
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return dt.date(1900, 1, 1) <= born <= dt.date.today()


def luhn_is_valid(number: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


@lru_cache(maxsize=1)
def rule_terms() -> tuple[str, ...]:
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    return tuple(term for group in data["term_groups"] for term in group["terms"])


def scan(text: str, *, extra_terms: tuple[str, ...] | list[str] = ()) -> list[Hit]:
    """All hits in ``text`` (HTML is reduced to its text first), in order of position."""
    plain = strip_tags(text or "")
    hits: list[Hit] = []
    for match in _SECRECY.finditer(plain):
        hits.append(Hit("secrecy_mark", "密级标志", match.group(0), match.start()))
    id_spans = []
    for match in _ID.finditer(plain):
        if id_number_is_valid(match.group(1)):
            hits.append(Hit("id_number", "居民身份证号", match.group(1), match.start(1)))
            id_spans.append(match.span(1))
    for match in _MOBILE.finditer(plain):
        hits.append(Hit("mobile", "手机号码", match.group(1), match.start(1)))
    for match in _CARD.finditer(plain):
        inside_id = any(a <= match.start(1) < b for a, b in id_spans)
        if not inside_id and luhn_is_valid(match.group(1)):
            hits.append(Hit("bank_card", "银行卡号", match.group(1), match.start(1)))
    for term in (*rule_terms(), *extra_terms):
        term = term.strip()
        if not term:
            continue
        start = plain.find(term)
        while start != -1:
            hits.append(Hit("sensitive_term", "敏感词", term, start))
            start = plain.find(term, start + len(term))
    return sorted(hits, key=lambda h: (h.start, h.kind))


def describe(hits: list[Hit]) -> str:
    """One Chinese sentence listing the hits, personal numbers masked."""
    return "；".join(f"{hit.label}“{hit.masked()}”" for hit in hits)
