"""Compare an inspection report with what was planted in a corpus site: per check, found / missed / false."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .build import CorpusSite


def _rel(value: str, base: str) -> str:
    return value[len(base) :] or "/" if base and value.startswith(base) else value


def finding_key(finding: dict[str, Any], base: str) -> str:
    """The value that identifies a finding of each check, as ``Planted.key`` writes it (site paths relative)."""
    check = finding["check"]
    evidence = finding.get("evidence") or {}
    url, target = _rel(finding.get("url", ""), base), _rel(finding.get("target", ""), base)
    if check == "broken_link":
        return target
    if check in ("column_stale", "column_empty"):
        return str(evidence.get("column", url))
    if check == "serious_typo":
        return str(evidence.get("wrong", ""))
    if check == "interpretation_one_way":
        return f"{url}|{target}"
    if check == "meta_missing":
        return target
    return url


@dataclass
class CheckScore:
    planted: int = 0
    found: int = 0
    false: int = 0
    missed_keys: list[str] = field(default_factory=list)
    false_keys: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float | None:
        return self.found / self.planted if self.planted else None

    @property
    def precision(self) -> float | None:
        total = self.found + self.false
        return self.found / total if total else None

    def add(self, other: CheckScore) -> None:
        self.planted += other.planted
        self.found += other.found
        self.false += other.false
        self.missed_keys += other.missed_keys
        self.false_keys += other.false_keys


def score_site(
    site: CorpusSite, findings: Iterable[dict[str, Any]], base: str | None = None
) -> dict[str, CheckScore]:
    base = site.base if base is None else base
    planted: dict[str, set[str]] = {}
    side: dict[str, set[str]] = {}
    for p in site.planted:
        (side if p.side else planted).setdefault(p.check, set()).add(p.key)
    scores: dict[str, CheckScore] = {check: CheckScore(planted=len(keys)) for check, keys in planted.items()}
    hit: dict[str, set[str]] = {}
    for finding in findings:
        check = finding["check"]
        key = finding_key(finding, base)
        score = scores.setdefault(check, CheckScore())
        if key in planted.get(check, ()):
            if key not in hit.setdefault(check, set()):
                hit[check].add(key)
                score.found += 1
        elif key in side.get(check, ()):
            continue
        else:
            score.false += 1
            score.false_keys.append(
                f"{site.name}: {key} ({finding.get('evidence', {}).get('summary', '')[:80]})"
            )
    for check, keys in planted.items():
        scores[check].missed_keys += [f"{site.name}: {k}" for k in sorted(keys - hit.get(check, set()))]
    return scores


def score_table(per_site: Iterable[dict[str, CheckScore]]) -> dict[str, CheckScore]:
    total: dict[str, CheckScore] = {}
    for scores in per_site:
        for check, score in scores.items():
            total.setdefault(check, CheckScore()).add(score)
    return dict(sorted(total.items()))
