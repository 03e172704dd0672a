"""Reads of the inspection app: registry with last runs, history and trend, the problem list, report data."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from .models import OPEN_STATUSES, Finding, InspectedSite, InspectionRun


def sites_with_last_run() -> QuerySet[InspectedSite]:
    last = InspectionRun.objects.filter(site=OuterRef("pk")).order_by("-started_at", "-pk")
    return (
        InspectedSite.objects.select_related("organization")
        .annotate(
            last_run_id=Subquery(last.values("pk")[:1]),
            last_run_at=Subquery(last.values("started_at")[:1]),
            last_verdict=Subquery(last.values("verdict")[:1]),
            last_score=Subquery(last.values("score")[:1]),
            last_status=Subquery(last.values("status")[:1]),
            open_findings=Count("findings", filter=Q(findings__status__in=OPEN_STATUSES), distinct=True),
        )
        .order_by("name", "pk")
    )


def site_history(site: InspectedSite, *, limit: int = 30) -> list[dict[str, Any]]:
    """Runs of a site, newest first, with the change in score against the previous run (the trend)."""
    runs = list(site.runs.order_by("-started_at", "-pk")[: limit + 1])
    history = []
    for index, run in enumerate(runs[:limit]):
        previous = runs[index + 1] if index + 1 < len(runs) else None
        change = None
        if previous is not None and run.score is not None and previous.score is not None:
            change = float(run.score - previous.score)
        history.append({"run": run, "change": change})
    return history


def findings_list(
    *,
    site: InspectedSite | None = None,
    status: str | None = None,
    check: str | None = None,
    organization: Any = None,
    open_only: bool = False,
) -> QuerySet[Finding]:
    qs = Finding.objects.select_related("site", "organization", "clock")
    if site is not None:
        qs = qs.filter(site=site)
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if check:
        qs = qs.filter(check_code=check)
    if organization is not None:
        qs = qs.filter(Q(organization=organization) | Q(organization__path__startswith=organization.path))
    return qs.order_by("site__name", "status", "-last_seen_at", "pk")


def run_report(run: InspectionRun) -> dict[str, Any]:
    """The report dictionary of a stored run, for the renderers in ``reports``."""
    result = run.result or {}
    return {
        "name": run.site.name,
        "url": run.site.url,
        "as_of": run.as_of.isoformat(),
        "verdict": run.verdict or "—",
        "score": float(run.score) if run.score is not None else None,
        "pages_crawled": run.pages_crawled,
        "findings": result.get("findings", []),
        "vetoes": result.get("vetoes", []),
        "deductions": result.get("deductions", []),
        "deducted": float(run.deducted),
        "rules": run.rules,
    }


def latest_reports(site_ids: list[int] | None = None) -> list[dict[str, Any]]:
    sites = InspectedSite.objects.all() if site_ids is None else InspectedSite.objects.filter(pk__in=site_ids)
    reports = []
    for site in sites.order_by("name"):
        run = site.runs.filter(status="done").order_by("-started_at", "-pk").first()
        if run is not None:
            reports.append(run_report(run))
    return reports
