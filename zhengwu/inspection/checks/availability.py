"""availability: the veto rule “站点无法访问” — monitored for a week, at least 20 probes a day, a probe fails when
the homepage does not open within 15 s, veto at ≥ 5 % failures. Probes come from the scheduled probe task (stored
in the database). Without a week of probes, the inspection's own fetch of the homepage is the only probe: if it
fails the finding says so and that monitoring is incomplete."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from ..crawler import REASON_LABELS
from .base import Check, Finding, Probe, SiteData, register


def evaluate_probes(probes: list[Probe], *, as_of, rule: dict) -> dict:
    """Failure rate and coverage over the ``monitor_days`` days ending on ``as_of`` (inclusive)."""
    days = int(rule["monitor_days"])
    per_day = int(rule["probes_per_day"])
    timeout = float(rule["probe_timeout_seconds"])
    first_day = as_of - timedelta(days=days - 1)
    by_day: dict = defaultdict(lambda: [0, 0])
    failures = []
    for probe in probes:
        day = probe.at.date()
        if not (first_day <= day <= as_of):
            continue
        failed = (not probe.ok) or (probe.elapsed is not None and probe.elapsed > timeout)
        by_day[day][0] += 1
        if failed:
            by_day[day][1] += 1
            failures.append(probe)
    total = sum(v[0] for v in by_day.values())
    failed_total = sum(v[1] for v in by_day.values())
    complete = len(by_day) >= days and all(
        by_day[first_day + timedelta(days=i)][0] >= per_day for i in range(days)
    )
    return {
        "probes": total,
        "failures": failed_total,
        "failure_rate": round(failed_total / total, 4) if total else 0.0,
        "days_covered": len(by_day),
        "monitoring_complete": complete,
        "from": first_day.isoformat(),
        "to": as_of.isoformat(),
        "failed_examples": [
            {
                "at": p.at.isoformat(timespec="seconds"),
                "error": p.error or (f"HTTP {p.status}" if p.status else ""),
                "elapsed": p.elapsed,
            }
            for p in failures[:10]
        ],
    }


@register
class AvailabilityCheck(Check):
    code = "availability"
    label = "站点无法访问"
    description = "首页在监测期内打不开或超过15秒才打开的比例达到5%。"

    def finish(self, site: SiteData) -> Iterable[Finding]:
        rule = self.ctx.rules.checks["availability"]
        threshold = float(rule["failure_rate"])
        if self.ctx.probes:
            stats = evaluate_probes(self.ctx.probes, as_of=self.ctx.as_of, rule=rule)
            if stats["probes"] and stats["failure_rate"] >= threshold:
                scope = (
                    "" if stats["monitoring_complete"] else "（监测尚未满1周或每日不足20次，待补足后复核）"
                )
                return [
                    Finding(
                        check=self.code,
                        url=site.start_url,
                        evidence={
                            **stats,
                            "inspection_blocked": False,
                            "summary": f"{stats['from']} 至 {stats['to']} 共探测 {stats['probes']} 次，失败 "
                            f"{stats['failures']} 次，失败率 {stats['failure_rate']:.1%}{scope}",
                            "key": "probes",
                        },
                    )
                ]
            if stats["monitoring_complete"] or site.home_url:
                return []
        resolved = site.crawl.resolve(site.start_url)
        timeout = float(rule["probe_timeout_seconds"])
        fetch = site.crawl.fetches.get(site.start_url)
        slow = fetch is not None and fetch.elapsed > timeout
        if site.home_url is not None and not slow:
            return []
        if resolved is None:
            reason_label, detail = "未能访问", ""
        elif resolved.broken:
            reason_label = REASON_LABELS.get(resolved.reason or "", "服务器返回错误状态")
            if resolved.status:
                reason_label += f"（HTTP {resolved.status}）"
            detail = resolved.detail[:300]
        else:
            reason_label, detail = f"首页打开用时 {fetch.elapsed:.1f} 秒，超过 {timeout:.0f} 秒", ""
        return [
            Finding(
                check=self.code,
                url=site.start_url,
                evidence={
                    "summary": f"检查时首页无法正常打开：{reason_label}（单次探测，未满1周监测）",
                    "reason_label": reason_label,
                    "detail": detail,
                    "probes": 1,
                    "failures": 1,
                    "failure_rate": 1.0,
                    "monitoring_complete": False,
                    "inspection_blocked": site.home_url is None,
                    "key": "inspection",
                },
            )
        ]
