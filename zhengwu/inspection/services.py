"""Writes of the inspection app: the site registry, term lists, runs and their findings, probes, rectification.

A run crawls outside any transaction (it takes minutes and touches the network); its results are then recorded in
one transaction: findings are matched to the site's earlier findings by fingerprint, so a problem seen again stays
one row, a problem no longer seen is closed as fixed (its rectification clock stopped), and a fixed problem seen
again is reopened with a new clock.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
from datetime import date, datetime, timedelta
from typing import Any

import httpx
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zhengwu.core.services.audit import audit

from .checks.base import Finding as FoundProblem
from .checks.base import Probe
from .checks.typos import TermMatcher, TermsError, parse_terms_text
from .crawler import normalize_url
from .engine import SiteReport, inspect_site_async
from .models import (
    OPEN_STATUSES,
    AvailabilityProbe,
    Finding,
    FindingStatus,
    InspectedSite,
    InspectionRun,
    RunStatus,
    RunTrigger,
    TermList,
)
from .progress import RunProgress
from .reports import report_from_site
from .rules import RulesError, load_rules

logger = logging.getLogger(__name__)
SITE_FIELDS = {
    "name",
    "url",
    "organization",
    "is_ours",
    "is_active",
    "daily",
    "probe",
    "check_external",
    "max_pages",
    "include_patterns",
    "exclude_patterns",
    "rules_code",
    "notes",
}


def _clean_site_fields(fields: dict[str, Any], *, instance: InspectedSite | None) -> dict[str, Any]:
    unknown = set(fields) - SITE_FIELDS
    if unknown:
        raise ValidationError(f"未知字段：{'、'.join(sorted(unknown))}")
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            raise ValidationError("请填写网站名称。")
    if "url" in fields:
        raw = (fields["url"] or "").strip()
        url = normalize_url(raw if "://" in raw else f"http://{raw}") if raw else None
        if url is None:
            raise ValidationError(f"首页地址格式错误：{raw}")
        duplicate = InspectedSite.objects.filter(url=url)
        if instance is not None:
            duplicate = duplicate.exclude(pk=instance.pk)
        if duplicate.exists():
            raise ValidationError(f"网站 {url} 已经登记。")
        fields["url"] = url
    for key in ("include_patterns", "exclude_patterns"):
        for line in (fields.get(key) or "").splitlines():
            if line.strip():
                try:
                    re.compile(line.strip())
                except re.error as exc:
                    raise ValidationError(f"正则表达式“{line.strip()}”有误：{exc}") from exc
    if "rules_code" in fields:
        try:
            load_rules(fields["rules_code"])
        except RulesError as exc:
            raise ValidationError(str(exc)) from exc
    if "max_pages" in fields and not (1 <= int(fields["max_pages"]) <= 200000):
        raise ValidationError("最多抓取页面数应在 1 到 200000 之间。")
    return fields


@transaction.atomic
def register_site(
    *, actor: Any, name: str, url: str, organization: Any = None, **fields: Any
) -> InspectedSite:
    data = _clean_site_fields(
        {"name": name, "url": url, "organization": organization, **fields}, instance=None
    )
    site = InspectedSite.objects.create(**data)
    audit(
        actor=actor,
        action="inspection.site.register",
        target=site,
        organization=organization,
        detail={"url": site.url, "name": site.name},
    )
    return site


@transaction.atomic
def update_site(*, site: InspectedSite, actor: Any, **fields: Any) -> InspectedSite:
    data = _clean_site_fields(dict(fields), instance=site)
    before = {k: str(getattr(site, k)) for k in data}
    for key, value in data.items():
        setattr(site, key, value)
    site.save()
    audit(
        actor=actor,
        action="inspection.site.update",
        target=site,
        organization=site.organization,
        detail={"before": before, "after": {k: str(getattr(site, k)) for k in data}},
    )
    return site


@transaction.atomic
def save_term_list(
    *, actor: Any, name: str, terms: str, term_list: TermList | None = None, is_active: bool = True
) -> TermList:
    name = (name or "").strip()
    if not name:
        raise ValidationError("请填写词表名称。")
    try:
        parsed = parse_terms_text(terms or "")
    except TermsError as exc:
        raise ValidationError(str(exc)) from exc
    if not parsed:
        raise ValidationError("词表为空：请每行填写一个正确写法。")
    term_list = term_list or TermList()
    term_list.name, term_list.terms, term_list.is_active = name, "\n".join(parsed), is_active
    term_list.save()
    audit(actor=actor, action="inspection.terms.save", target=term_list, detail={"count": len(parsed)})
    return term_list


def county_terms() -> list[str]:
    terms: list[str] = []
    for text in TermList.objects.filter(is_active=True).values_list("terms", flat=True):
        terms.extend(parse_terms_text(text))
    return terms


def site_probes(site: InspectedSite, as_of: date, days: int = 7) -> list[Probe]:
    since = timezone.make_aware(datetime.combine(as_of - timedelta(days=days - 1), datetime.min.time()))
    until = timezone.make_aware(datetime.combine(as_of + timedelta(days=1), datetime.min.time()))
    return [
        Probe(
            at=timezone.localtime(p.probed_at),
            ok=p.ok,
            elapsed=p.elapsed,
            status=p.status_code,
            error=p.error,
        )
        for p in site.probes.filter(probed_at__gte=since, probed_at__lt=until).order_by("probed_at")
    ]


def fingerprint(problem: FoundProblem) -> str:
    return hashlib.sha256(problem.fingerprint_key().encode("utf-8")).hexdigest()


@transaction.atomic
def _start_run(*, site: InspectedSite, actor: Any, as_of: date, trigger: str) -> InspectionRun:
    run = InspectionRun.objects.create(
        site=site,
        trigger=trigger,
        as_of=as_of,
        started_at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
    )
    audit(
        actor=actor,
        action="inspection.run.start",
        target=run,
        organization=site.organization,
        detail={"site": site.url, "as_of": as_of, "trigger": trigger},
    )
    return run


@transaction.atomic
def _fail_run(*, run: InspectionRun, error: str) -> None:
    run.status = RunStatus.FAILED
    run.finished_at = timezone.now()
    run.error = error[:2000]
    run.save(update_fields=["status", "finished_at", "error"])
    audit(
        actor=None,
        action="inspection.run.fail",
        target=run,
        organization=run.site.organization,
        detail={"error": run.error},
    )


RUN_PROGRESS_INTERVAL = 2.0  # seconds between progress writes of a run (one UPDATE each)


def run_inspection(
    *,
    site: InspectedSite,
    actor: Any = None,
    as_of: date | None = None,
    trigger: str = RunTrigger.MANUAL,
    crawl_options: dict[str, Any] | None = None,
) -> InspectionRun:
    """Crawl, check and score ``site``, then record the run and reconcile its findings."""
    as_of = as_of or timezone.localdate()
    run = _start_run(site=site, actor=actor, as_of=as_of, trigger=trigger)
    try:
        rules = load_rules(site.rules_code)
        matcher = TermMatcher.build(county_terms())
        options = {
            "max_pages": site.max_pages,
            "check_external": site.check_external,
            "include": site.patterns("include_patterns"),
            "exclude": site.patterns("exclude_patterns"),
            **(crawl_options or {}),
        }
        report = asyncio.run(
            inspect_site_async(
                site.url,
                as_of=as_of,
                terms=matcher,
                rules=rules,
                crawl_options=options,
                probes=site_probes(site, as_of) or None,
                progress=RunProgress(run.pk),
                progress_interval=RUN_PROGRESS_INTERVAL,
            )
        )
    except Exception as exc:  # a crawl must never leave a run "running" forever
        logger.exception("网站检查失败：%s", site.url)
        _fail_run(run=run, error=f"{exc.__class__.__name__}: {exc}")
        run.refresh_from_db()
        return run
    run.refresh_from_db(fields=["progress"])  # written meanwhile by RunProgress; record_report saves the row
    record_report(run=run, report=report, actor=actor)
    run.refresh_from_db()
    return run


def _rectification_limit(rules_data: dict[str, Any], severity: str) -> dict[str, Any] | None:
    return (rules_data.get("checks", {}).get("rectification") or {}).get(severity)


def _start_rectification_clock(finding: Finding, *, limit: dict[str, Any] | None, actor: Any) -> None:
    if limit is None:
        return
    from zhengwu.core.services.clock import start_clock

    finding.clock = start_clock(
        case=finding,
        limit_value=int(limit["limit_value"]),
        limit_unit=limit["limit_unit"],
        started_at=finding.last_seen_at,
        organization=finding.organization,
        label=f"网站问题整改：{finding.summary}"[:200],
        actor=actor,
    )
    finding.save(update_fields=["clock"])


def _stop_rectification_clock(finding: Finding, *, at: datetime, actor: Any) -> None:
    from zhengwu.core.models.clock import ClockState
    from zhengwu.core.services.clock import stop_clock

    if finding.clock is not None and finding.clock.state != ClockState.STOPPED:
        stop_clock(clock=finding.clock, at=at, actor=actor)


@transaction.atomic
def record_report(*, run: InspectionRun, report: SiteReport, actor: Any = None) -> InspectionRun:
    """Store a finished report on ``run`` and reconcile the site's findings (close fixed, reopen regressions)."""
    site = run.site
    now = timezone.now()
    rules = load_rules(site.rules_code)
    data = report_from_site(report, name=site.name)
    run.status = RunStatus.DONE
    run.finished_at = now
    run.pages_crawled = report.pages_crawled
    run.verdict = report.verdict
    run.score = report.score
    run.deducted = report.result.deducted
    run.findings_count = len(report.findings)
    run.result = {**report.result.as_json(), "findings": data["findings"], "home_url": report.home_url}
    run.stats = report.stats
    run.rules = f"{report.result.rule_code}@{report.result.rule_version}"
    run.save()

    existing = {f.fingerprint: f for f in Finding.objects.select_for_update().filter(site=site)}
    seen: set[str] = set()
    created = reopened = closed = 0
    for problem in report.findings:
        key = fingerprint(problem)
        if key in seen:
            continue
        seen.add(key)
        row = existing.get(key)
        fields = {
            "check_code": problem.check,
            "severity": problem.severity,
            "url": problem.url[:1000],
            "referrer": problem.referrer[:1000],
            "target": problem.target[:1000],
            "summary": problem.summary[:500] or problem.check,
            "evidence": problem.evidence,
            "last_run": run,
            "last_seen_at": now,
        }
        if row is None:
            row = Finding.objects.create(
                site=site,
                first_run=run,
                fingerprint=key,
                first_seen_at=now,
                organization=site.organization,
                **fields,
            )
            _start_rectification_clock(
                row, limit=_rectification_limit(rules.data, problem.severity), actor=actor
            )
            created += 1
            continue
        for name, value in fields.items():
            setattr(row, name, value)
        if row.status == FindingStatus.FIXED:
            row.status = FindingStatus.REOPENED
            row.reopened_count += 1
            row.fixed_at = None
            row.save()
            _start_rectification_clock(
                row, limit=_rectification_limit(rules.data, problem.severity), actor=actor
            )
            reopened += 1
        else:
            row.save()
    # Only a run that reached the homepage can say a problem is gone; an unreachable site proves nothing.
    if report.home_url is not None:
        for key, row in existing.items():
            if key in seen or row.status not in OPEN_STATUSES:
                continue
            row.status = FindingStatus.FIXED
            row.fixed_at = now
            row.last_run = run
            row.save(update_fields=["status", "fixed_at", "last_run"])
            _stop_rectification_clock(row, at=now, actor=actor)
            closed += 1
    audit(
        actor=actor,
        action="inspection.run.record",
        target=run,
        organization=site.organization,
        detail={
            "verdict": run.verdict,
            "score": run.score,
            "findings": run.findings_count,
            "new": created,
            "reopened": reopened,
            "fixed": closed,
            "rules": run.rules,
        },
    )
    if site.organization_id and (created or reopened):
        transaction.on_commit(lambda: _notify_new_findings(run.pk, created, reopened))
    return run


def _notify_new_findings(run_id: int, created: int, reopened: int) -> None:
    from zhengwu.core.models import Staff
    from zhengwu.core.services.notifications import EMAIL, INBOX, notify

    run = InspectionRun.objects.select_related("site").get(pk=run_id)
    recipients = list(Staff.objects.filter(organization_id=run.site.organization_id, is_active=True))
    if not recipients:
        return
    try:
        notify(
            recipients=recipients,
            title=f"网站检查发现问题：{run.site.name}",
            body=f"{run.as_of:%Y-%m-%d} 检查结论：{run.verdict}；新发现问题 {created} 个，复发 {reopened} 个，请按时整改。",
            link=f"/admin/inspection/findings/?site={run.site_id}",
            category="inspection",
            channels=(INBOX, EMAIL),
        )
    except Exception:  # a notification failure must not undo a recorded run
        logger.exception("网站检查通知发送失败：run %s", run_id)


@transaction.atomic
def submit_rectification(*, finding: Finding, actor: Any, note: str) -> Finding:
    """整改: the organization reports what it did; re-inspection decides whether the problem is gone."""
    note = (note or "").strip()
    if not note:
        raise ValidationError("请填写整改说明。")
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if finding.status not in OPEN_STATUSES:
        raise ValidationError("该问题已整改完成，无需再次提交。")
    org = getattr(actor, "organization", None)
    if finding.organization_id and org is not None and not getattr(actor, "is_superuser", False):
        if not (org.pk == finding.organization_id or finding.organization.is_descendant_of(org)):
            raise ValidationError("只能提交本单位（含下级单位）的整改情况。")
    finding.status = FindingStatus.RECTIFYING
    finding.rectification_note = note[:4000]
    finding.save(update_fields=["status", "rectification_note"])
    audit(
        actor=actor,
        action="inspection.finding.rectify",
        target=finding,
        organization=finding.organization,
        detail={"note": finding.rectification_note},
    )
    return finding


@transaction.atomic
def assign_finding(*, finding: Finding, organization: Any, actor: Any) -> Finding:
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    before = finding.organization_id
    finding.organization = organization
    finding.save(update_fields=["organization"])
    if finding.clock is not None:
        finding.clock.organization = organization
        finding.clock.save(update_fields=["organization"])
    audit(
        actor=actor,
        action="inspection.finding.assign",
        target=finding,
        organization=organization,
        detail={"from": before, "to": getattr(organization, "pk", None)},
    )
    return finding


def probe_site(*, site: InspectedSite, transport: httpx.BaseTransport | None = None) -> AvailabilityProbe:
    """One availability probe: GET the homepage; a failure is an error, an HTTP error or more than 15 s."""
    rule = load_rules(site.rules_code).checks["availability"]
    limit = float(rule["probe_timeout_seconds"])
    started = time.perf_counter()
    status, error = None, ""
    try:
        with httpx.Client(
            timeout=limit,
            follow_redirects=True,
            transport=transport,
            trust_env=False,
            headers={"User-Agent": "Mozilla/5.0 (compatible; zhengwu-inspector/1.0)"},
        ) as client:
            response = client.get(site.url)
            status = response.status_code
    except httpx.TimeoutException:
        error = f"超过 {limit:.0f} 秒未打开"
    except httpx.HTTPError as exc:
        error = f"无法访问：{exc.__class__.__name__}"
    elapsed = time.perf_counter() - started
    ok = not error and status is not None and status < 400 and elapsed <= limit
    if status is not None and status >= 400:
        error = f"HTTP {status}"
    return _record_probe(site=site, ok=ok, status=status, elapsed=elapsed, error=error)


@transaction.atomic
def _record_probe(
    *, site: InspectedSite, ok: bool, status: int | None, elapsed: float, error: str
) -> AvailabilityProbe:
    # Probes are frequent machine measurements: they are the audit trail themselves, so no audit row each.
    return AvailabilityProbe.objects.create(
        site=site,
        probed_at=timezone.now(),
        ok=ok,
        status_code=status,
        elapsed=round(elapsed, 3),
        error=error[:300],
    )


def record_cli_reports(*, reports: list[SiteReport], actor: Any = None) -> int:
    """``zhengwu inspect --save``: store reports of registered sites as runs; unregistered URLs are skipped."""
    saved = 0
    for report in reports:
        site = InspectedSite.objects.filter(url=report.url).first()
        if site is None:
            continue
        run = _start_run(site=site, actor=actor, as_of=report.as_of, trigger=RunTrigger.CLI)
        record_report(run=run, report=report, actor=actor)
        saved += 1
    return saved
