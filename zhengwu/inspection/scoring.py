"""Scoring per 国办秘函〔2019〕19号 from the rule file: veto items first (any hit → 不合格, no score), then deductions
from 100 (below ``pass_score`` → 不合格). Each finding's severity is set from the item it falls under."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .checks.base import Finding, Severity
from .rules import RuleSet

PASS = "合格"
FAIL = "不合格"


@dataclass
class ScoreResult:
    verdict: str
    score: float | None
    deducted: float
    vetoes: list[dict[str, Any]] = field(default_factory=list)
    deductions: list[dict[str, Any]] = field(default_factory=list)
    rule_code: str = ""
    rule_version: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "score": self.score,
            "deducted": self.deducted,
            "vetoes": self.vetoes,
            "deductions": self.deductions,
            "rules": f"{self.rule_code}@{self.rule_version}",
        }


def matches(finding: Finding, item: dict[str, Any]) -> bool:
    if finding.check not in item["checks"]:
        return False
    for key, expected in (item.get("where") or {}).items():
        value = finding.evidence.get(key)
        if isinstance(expected, list):
            if value not in expected:
                return False
        elif value != expected:
            return False
    return True


def score_findings(findings: list[Finding], rules: RuleSet) -> ScoreResult:
    scoring = rules.scoring
    for finding in findings:
        finding.severity = Severity.NOTICE
    deductions = []
    total = 0.0
    for item in scoring.get("deductions", []):
        hits = [f for f in findings if matches(f, item)]
        if not hits:
            continue
        each = float(item.get("points_each", 0))
        points = each * len(hits)
        if item.get("max_points") is not None:
            points = min(points, float(item["max_points"]))
        points = round(points, 2)
        if points > 0:
            for f in hits:
                f.severity = Severity.DEDUCTION
        total += points
        deductions.append(
            {
                "code": item["code"],
                "name": item["name"],
                "count": len(hits),
                "points": points,
                "category": item.get("category", ""),
                "confirmed": item["confirmed"],
                "source": item["source"],
            }
        )
    vetoes = []
    for item in scoring.get("vetoes", []):
        hits = [f for f in findings if matches(f, item)]
        if len(hits) >= int(item.get("min_count", 1)):
            for f in hits:
                f.severity = Severity.VETO
            vetoes.append(
                {
                    "code": item["code"],
                    "name": item["name"],
                    "count": len(hits),
                    "min_count": item.get("min_count", 1),
                    "confirmed": item["confirmed"],
                    "source": item["source"],
                }
            )
    total = round(total, 2)
    if vetoes:
        return ScoreResult(FAIL, None, total, vetoes, deductions, rules.code, rules.version)
    score = round(max(0.0, float(scoring["full_score"]) - total), 2)
    verdict = PASS if score >= float(scoring["pass_score"]) else FAIL
    return ScoreResult(verdict, score, total, vetoes, deductions, rules.code, rules.version)
