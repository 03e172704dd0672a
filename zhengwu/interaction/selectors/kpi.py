"""12345 KPIs for any period, overall and per unit, counted per unit and KPI class over the work-order table.

Definitions (the cases counted are those received in the period, Asia/Shanghai dates; their later events count
whenever they happened):

- ``contacts``: all cases; ``daily_mean``: contacts ÷ calendar days of the period (2 decimals);
- ``orders``: cases with outcome 派单; ``direct_answer_rate``: 直接答复 ÷ (直接答复 + 派单);
- ``signed_on_time_rate``: current (not returned) lead assignments signed within the 签收 limit ÷ current lead
  assignments (never-signed ones stay in the denominator);
- ``finished``: orders with ``finished_at``; ``finish_rate``: finished ÷ orders;
- ``on_time_rate``: finished orders whose ``finished_at`` is not after the 办理 due moment ÷ finished;
- ``visit_rate``: finished orders with at least one callback ÷ finished;
- ``satisfaction_rate``: orders whose last callback is 满意 or 基本满意 ÷ orders with at least one callback.

Rates are fractions rounded to 4 decimals; a zero denominator gives ``None``. Per unit: the same figures for the
cases whose current lead is that unit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count

from zhengwu.core.models import Organization
from zhengwu.core.services.clock import start_of_day

from ..models import KpiBit, WorkOrder

FIGURES = (
    "contacts",
    "daily_mean",
    "orders",
    "finished",
    "direct_answer_rate",
    "signed_on_time_rate",
    "finish_rate",
    "on_time_rate",
    "visit_rate",
    "satisfaction_rate",
)

# The rows are counted per current lead unit and ``kpi_class`` (the bits ``KpiBit`` of what the figures read, kept by
# the database from the row's own columns), then each figure adds up the classes that satisfy its definition. Both
# columns are in the ``hotline_kpi_covering`` index, so PostgreSQL answers from the index alone. Counting
# ``received_at`` (never NULL) counts rows.
AGGREGATES = (
    "contacts",
    "orders",
    "direct",
    "leads",
    "signed_on_time",
    "finished",
    "finished_on_time",
    "finished_visited",
    "visited",
    "satisfied",
)


def _classify(lead_unit_id: int | None, kpi_class: int) -> dict[str, bool]:
    """Which counts the cases of one unit and class belong to (the definitions in the module docstring)."""
    order = bool(kpi_class & KpiBit.ORDER)
    finished = order and bool(kpi_class & KpiBit.FINISHED)
    visited = order and bool(kpi_class & KpiBit.VISITED)
    lead = order and lead_unit_id is not None
    return {
        "contacts": True,
        "orders": order,
        "direct": bool(kpi_class & KpiBit.DIRECT),
        "leads": lead,
        "signed_on_time": lead and bool(kpi_class & KpiBit.SIGNED_ON_TIME),
        "finished": finished,
        "finished_on_time": finished and bool(kpi_class & KpiBit.FINISHED_ON_TIME),
        "finished_visited": finished and visited,
        "visited": visited,
        "satisfied": visited and bool(kpi_class & KpiBit.SATISFIED),
    }


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start of the first day, start of the day after the last), Asia/Shanghai."""
    return start_of_day(start), start_of_day(end + dt.timedelta(days=1))


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def figures(counts: dict[str, int], days: int) -> dict[str, Any]:
    return {
        "contacts": counts["contacts"],
        "daily_mean": round(counts["contacts"] / days, 2) if days else None,
        "orders": counts["orders"],
        "finished": counts["finished"],
        "direct_answer_rate": _rate(counts["direct"], counts["direct"] + counts["orders"]),
        "signed_on_time_rate": _rate(counts["signed_on_time"], counts["leads"]),
        "finish_rate": _rate(counts["finished"], counts["orders"]),
        "on_time_rate": _rate(counts["finished_on_time"], counts["finished"]),
        "visit_rate": _rate(counts["finished_visited"], counts["finished"]),
        "satisfaction_rate": _rate(counts["satisfied"], counts["visited"]),
    }


def _cases(start: dt.date, end: dt.date, unit: Organization | None):
    low, high = period_bounds(start, end)
    qs = WorkOrder.objects.filter(received_at__gte=low, received_at__lt=high)
    return qs if unit is None else qs.filter(lead_unit=unit)


def _counts_by_unit(
    start: dt.date, end: dt.date, unit: Organization | None
) -> dict[int | None, dict[str, int]]:
    """One pass over the period's rows: the counts per current lead unit (cases without one under ``None``)."""
    rows = (
        _cases(start, end, unit)
        .values_list("lead_unit_id", "kpi_class")
        .annotate(n=Count("received_at"))
        .order_by()
    )
    groups: dict[int | None, dict[str, int]] = {}
    for lead_unit_id, kpi_class, n in rows:
        counts = groups.setdefault(lead_unit_id, dict.fromkeys(AGGREGATES, 0))
        for name, member in _classify(lead_unit_id, kpi_class).items():
            if member:
                counts[name] += n
    return groups


def _add(into: dict[int | None, dict[str, int]], groups: dict[int | None, dict[str, int]]) -> None:
    for key, counts in groups.items():
        total = into.setdefault(key, dict.fromkeys(AGGREGATES, 0))
        for name in AGGREGATES:
            total[name] += counts[name]


def _report(start: dt.date, end: dt.date, groups: dict[int | None, dict[str, int]]) -> dict[str, Any]:
    # Every figure is a count, so the overall figures are the sums of the groups.
    days = (end - start).days + 1
    totals = {name: sum(counts[name] for counts in groups.values()) for name in AGGREGATES}
    orgs = Organization.objects.filter(pk__in=[key for key in groups if key is not None]).only(
        "pk", "credit_code", "name", "path"
    )
    units = [
        {"unit": org.credit_code or org.name, "name": org.name, **figures(groups[org.pk], days)}
        for org in sorted(orgs, key=lambda o: o.path)
    ]
    return {"from": start.isoformat(), "to": end.isoformat(), **figures(totals, days), "units": units}


def _months(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The period cut at calendar-month boundaries: [(first day, last day), ...]."""
    spans = []
    first = start
    while first <= end:
        next_month = (first.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        last = min(next_month - dt.timedelta(days=1), end)
        spans.append((first, last))
        first = next_month
    return spans


def _check(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ValueError("结束日期不能早于开始日期。")


def hotline_kpi(*, start: dt.date, end: dt.date, unit: Organization | None = None) -> dict[str, Any]:
    """The KPI figures of the period, overall (or of one unit's cases) and per unit (by credit code)."""
    _check(start, end)
    return _report(start, end, _counts_by_unit(start, end, unit))


def _trend_row(
    first: dt.date, last: dt.date, groups: dict[int | None, dict[str, int]]
) -> dict[str, Any] | None:
    totals = {name: sum(counts[name] for counts in groups.values()) for name in AGGREGATES}
    if not totals["contacts"]:
        return None  # a month without cases has no point on the charts
    return {"month": first.strftime("%Y-%m"), **figures(totals, (last - first).days + 1)}


def hotline_trend(*, start: dt.date, end: dt.date, unit: Organization | None = None) -> list[dict[str, Any]]:
    """Figures per calendar month of the period (the KPI page's trend charts)."""
    rows = (
        _trend_row(first, last, _counts_by_unit(first, last, unit)) for first, last in _months(start, end)
    )
    return [row for row in rows if row is not None]


def hotline_kpi_and_trend(
    *, start: dt.date, end: dt.date, unit: Organization | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``hotline_kpi`` and ``hotline_trend`` together in one pass over the period's rows (the KPI page).

    One query per calendar month, counting per unit; the period's counts are the sums of its months' counts (the
    months cut the period into disjoint ranges of ``received_at``), so every figure equals ``hotline_kpi``'s.
    """
    _check(start, end)
    total: dict[int | None, dict[str, int]] = {}
    trend = []
    for first, last in _months(start, end):
        groups = _counts_by_unit(first, last, unit)
        _add(total, groups)
        row = _trend_row(first, last, groups)
        if row is not None:
            trend.append(row)
    return _report(start, end, total), trend
