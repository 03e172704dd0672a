"""The KPI counts each work order's ``kpi_class``, which the database computes from the row's own columns. Its
figures (overall, per unit, per month) equal those counted here row by row from the columns the definitions name:
after an import, and after edits made later through the ORM in every way the application writes a row (a late visit,
a re-opened case, a case finished again late, a lead assignment signed late, an outcome or lead unit changed)."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from zhengwu.interaction.models import KpiBit, Outcome, WorkOrder
from zhengwu.interaction.selectors.kpi import hotline_kpi, hotline_kpi_and_trend, hotline_trend

from .test_import_kpi import make_lines, write

BJ = ZoneInfo("Asia/Shanghai")
SATISFIED = {"满意", "基本满意"}


def _rate(a: int, b: int):
    return round(a / b, 4) if b else None


def _counts(orders: list[WorkOrder]) -> dict:
    c = defaultdict(int)
    for o in orders:
        c["contacts"] += 1
        order = o.outcome == "派单"
        c["direct"] += o.outcome == "直接答复"
        if not order:
            continue
        c["orders"] += 1
        if o.lead_unit_id is not None:
            c["leads"] += 1
            c["signed"] += o.lead_signed_on_time is True
        if o.finished_at is not None:
            c["finished"] += 1
            c["on_time"] += o.finished_on_time is True
            c["finished_visited"] += o.visit_count > 0
        if o.visit_count > 0:
            c["visited"] += 1
            c["satisfied"] += o.last_rating in SATISFIED
    return c


def _figures(orders: list[WorkOrder], days: int) -> dict:
    c = _counts(orders)
    return {
        "contacts": c["contacts"],
        "daily_mean": round(c["contacts"] / days, 2),
        "orders": c["orders"],
        "finished": c["finished"],
        "direct_answer_rate": _rate(c["direct"], c["direct"] + c["orders"]),
        "signed_on_time_rate": _rate(c["signed"], c["leads"]),
        "finish_rate": _rate(c["finished"], c["orders"]),
        "on_time_rate": _rate(c["on_time"], c["finished"]),
        "visit_rate": _rate(c["finished_visited"], c["finished"]),
        "satisfaction_rate": _rate(c["satisfied"], c["visited"]),
    }


def expected(start: dt.date, end: dt.date, unit=None) -> tuple[dict, list[dict]]:
    rows = [
        o
        for o in WorkOrder.objects.select_related("lead_unit")
        if start <= o.received_at.astimezone(BJ).date() <= end and (unit is None or o.lead_unit_id == unit.pk)
    ]
    days = (end - start).days + 1
    by_unit = defaultdict(list)
    for o in rows:
        if o.lead_unit_id is not None:
            by_unit[o.lead_unit].append(o)
    report = {
        "from": start.isoformat(),
        "to": end.isoformat(),
        **_figures(rows, days),
        "units": [
            {"unit": org.credit_code, "name": org.name, **_figures(by_unit[org], days)}
            for org in sorted(by_unit, key=lambda org: org.path)
        ],
    }
    months = defaultdict(list)
    for o in rows:
        months[o.received_at.astimezone(BJ).strftime("%Y-%m")].append(o)
    trend = []
    for month in sorted(months):
        first = max(dt.date.fromisoformat(month + "-01"), start)
        following = (first.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        last = min(following - dt.timedelta(days=1), end)
        trend.append({"month": month, **_figures(months[month], (last - first).days + 1)})
    return report, trend


def bits(o: WorkOrder) -> int:
    value = 0
    value |= KpiBit.ORDER if o.outcome == "派单" else 0
    value |= KpiBit.DIRECT if o.outcome == "直接答复" else 0
    value |= KpiBit.SIGNED_ON_TIME if o.lead_signed_on_time is True else 0
    value |= KpiBit.FINISHED if o.finished_at is not None else 0
    value |= KpiBit.FINISHED_ON_TIME if o.finished_on_time is True else 0
    value |= KpiBit.VISITED if o.visit_count > 0 else 0
    value |= KpiBit.SATISFIED if o.last_rating in SATISFIED else 0
    return value


def edit_afterwards(rng: random.Random, units: list) -> None:
    """Change a good share of the imported cases the way later events do, half by ``save(update_fields=...)`` (as
    the dispatch engine writes), half by ``QuerySet.update`` (bulk changes)."""
    for o in WorkOrder.objects.order_by("pk"):
        if rng.random() < 0.45:
            continue
        what = rng.choice(["late_visit", "reopen", "finish_late", "sign", "outcome", "lead", "late_visit"])
        if what == "late_visit":
            changes = {
                "visit_count": o.visit_count + 1,
                "last_rating": rng.choice(["满意", "基本满意", "不满意"]),
            }
        elif what == "reopen":
            changes = {"finished_at": None, "finished_on_time": None}
        elif what == "finish_late":
            changes = {
                "finished_at": o.received_at + dt.timedelta(days=rng.randrange(1, 40)),
                "finished_on_time": rng.choice([True, False]),
            }
        elif what == "sign":
            changes = {"lead_signed_on_time": rng.choice([True, False, None])}
        elif what == "outcome":
            changes = {
                "outcome": rng.choice([Outcome.DISPATCH, Outcome.DIRECT, Outcome.INVALID, Outcome.PENDING])
            }
        else:
            changes = {"lead_unit": rng.choice([*units, None])}
        if rng.random() < 0.5:
            for name, value in changes.items():
                setattr(o, name, value)
            o.save(update_fields=list(changes))
        else:
            WorkOrder.objects.filter(pk=o.pk).update(**changes)


def check(start: dt.date, end: dt.date, unit=None) -> None:
    want_report, want_trend = expected(start, end, unit)
    assert hotline_kpi(start=start, end=end, unit=unit) == want_report
    assert hotline_trend(start=start, end=end, unit=unit) == want_trend
    assert hotline_kpi_and_trend(start=start, end=end, unit=unit) == (want_report, want_trend)


PERIODS = [
    (dt.date(2025, 9, 1), dt.date(2025, 12, 31)),
    (dt.date(2025, 9, 25), dt.date(2025, 10, 3)),
    (dt.date(2025, 10, 31), dt.date(2025, 10, 31)),
    (dt.date(2025, 10, 1), dt.date(2025, 11, 30)),
]


@pytest.mark.django_db
def test_kpi_from_kpi_class_equals_the_columns_after_import_and_after_later_edits(tmp_path, county):
    orgs = [county[key] for key in ("cgj", "scj", "squad")]
    lines = make_lines([o.credit_code for o in orgs], n=300, seed=20261207)
    call_command("hotline", "import", str(write(tmp_path, lines)), stdout=io.StringIO())
    assert WorkOrder.objects.count() == 300
    for o in WorkOrder.objects.all():
        assert o.kpi_class == bits(o), o.external_id
    for start, end in PERIODS:
        check(start, end)
    check(*PERIODS[0], unit=orgs[0])

    rng = random.Random(11)
    for _round in range(2):
        edit_afterwards(rng, orgs)
        for o in WorkOrder.objects.all():
            assert o.kpi_class == bits(o), o.external_id
        for start, end in PERIODS:
            check(start, end)
        for org in orgs:
            check(*PERIODS[0], unit=org)
    # The edits did reach every figure: some cases re-opened, visited late after being finished, moved unit.
    report = hotline_kpi(start=PERIODS[0][0], end=PERIODS[0][1])
    assert report["orders"] > report["finished"] > 0 and report["satisfaction_rate"] not in (None, 1.0)


@pytest.mark.django_db
def test_kpi_of_an_empty_period_and_a_reversed_one():
    start, end = dt.date(2031, 2, 1), dt.date(2031, 3, 31)
    report, trend = hotline_kpi_and_trend(start=start, end=end)
    assert report["contacts"] == 0 and report["daily_mean"] == 0 and report["units"] == [] and trend == []
    assert report["satisfaction_rate"] is None and hotline_kpi(start=start, end=end) == report
    with pytest.raises(ValueError, match="结束日期不能早于开始日期"):
        hotline_kpi_and_trend(start=end, end=start)
