"""The 年度报告's figures (国办公开办函〔2021〕30号): tables 二, 三 and 四 from the data, the narrative sections from
staff, and the checks that must pass before it is published.

Counting rules for table 三, per applicant column, for organization subtree *O* and year *Y*:

- 一 本年新收: requests received in *Y*;
- 二 上年结转: received before *Y* and not answered before *Y*;
- 三 办理结果: answered in *Y*, one row per outcome; （七）总计 is their sum;
- 四 结转下年度: received by the end of *Y* and not answered by then.

Each of the four figures comes from its own query, so the printed identity 一 + 二 = 三（七） + 四 is a real check on
the data: it fails exactly when some request's dates contradict each other (an answer dated before receipt, a reply
without outcome), and the failure names the column. Table 四 counts the 行政复议 / 行政诉讼 cases filed in *Y*, each
with its result as known at the end of *Y* (尚未审结 if concluded later).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from zhengwu.core.models import Organization

from ..models import (
    AnnualReport,
    DisclosureItem,
    DisclosureRequest,
    FeeNotice,
    ItemStatus,
    RequestState,
    ReviewCase,
    ReviewResult,
)
from ..rules import outcomes, report_rules, table3_columns

TEXT_KEY = "正文"


@dataclass
class ReportData:
    organization: Organization
    year: int
    include_descendants: bool
    title: str
    texts: dict[str, str]  # section code → narrative
    table2: dict[str, dict[str, dict[str, float | int]]]  # block code → row code → column code → value
    table3: dict[str, dict[str, int]]  # row key → column code → count
    table4: dict[str, dict[str, int]]  # group code → result code → count
    fees: dict[str, float | int]
    problems: list[str] = field(default_factory=list)
    report: AnnualReport | None = None

    @property
    def balanced(self) -> bool:
        return not self.problems


def _requests(organization: Organization, include_descendants: bool) -> QuerySet[DisclosureRequest]:
    if include_descendants:
        return DisclosureRequest.objects.filter(organization__path__startswith=organization.path)
    return DisclosureRequest.objects.filter(organization=organization)


def _by_kind(qs: QuerySet) -> dict[str, int]:
    return dict(qs.values_list("applicant_kind").annotate(n=Count("pk")).order_by())


def _row(counts: dict[str, int]) -> dict[str, int]:
    row = {code: counts.get(code, 0) for code, _, _ in table3_columns() if code != "total"}
    row["total"] = sum(row.values())
    return row


def table3_counts(
    *, organization: Organization, year: int, include_descendants: bool = True
) -> dict[str, dict[str, int]]:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    base = _requests(organization, include_descendants)
    table: dict[str, dict[str, int]] = {
        "new": _row(_by_kind(base.filter(received_on__gte=start, received_on__lte=end))),
        "carried_in": _row(
            _by_kind(
                base.filter(received_on__lt=start).filter(
                    Q(replied_on__isnull=True) | Q(replied_on__gte=start)
                )
            )
        ),
    }
    results: dict[str, dict[str, int]] = defaultdict(dict)
    for kind, outcome, n in (
        base.filter(replied_on__gte=start, replied_on__lte=end)
        .values_list("applicant_kind", "outcome")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        results[outcome][kind] = n
    total: dict[str, int] = defaultdict(int)
    for outcome in outcomes():
        row = _row(results.pop(outcome.code, {}))
        table[outcome.code] = row
        for code, value in row.items():
            total[code] += value
    # Answers whose outcome is not a table 三 row (only possible in corrupted data) still count in （七）总计 for
    # nothing: they make the identity fail, which is what should happen.
    table["results_total"] = dict(total)
    table["carried_out"] = _row(
        _by_kind(base.filter(received_on__lte=end).filter(Q(replied_on__isnull=True) | Q(replied_on__gt=end)))
    )
    return table


def identity_problems(table3: dict[str, dict[str, int]]) -> list[str]:
    """Per column: 一 + 二 must equal 三（七） + 四. One message per failing column, naming it."""
    rows = report_rules()["table3"]["rows"]
    problems = []
    for code, label, parent in table3_columns():
        left = table3["new"][code] + table3["carried_in"][code]
        right = table3["results_total"][code] + table3["carried_out"][code]
        if left != right:
            column = f"{parent}·{label}" if parent else label
            problems.append(
                f"表三“{column}”列不平衡：{rows['new']}（{table3['new'][code]}）+ {rows['carried_in']}"
                f"（{table3['carried_in'][code]}）= {left}，而（七）总计（{table3['results_total'][code]}）+ "
                f"{rows['carried_out']}（{table3['carried_out'][code]}）= {right}。"
            )
    return problems


def _items(organization: Organization, include_descendants: bool) -> QuerySet[DisclosureItem]:
    qs = DisclosureItem.objects.exclude(status=ItemStatus.DRAFT)
    if include_descendants:
        return qs.filter(organization__path__startswith=organization.path)
    return qs.filter(organization=organization)


def _reports(organization: Organization, year: int, include_descendants: bool) -> QuerySet[AnnualReport]:
    qs = AnnualReport.objects.filter(year=year)
    if include_descendants:
        return qs.filter(organization__path__startswith=organization.path)
    return qs.filter(organization=organization)


def table2_values(
    *, organization: Organization, year: int, include_descendants: bool = True
) -> dict[str, Any]:
    """规章 / 行政规范性文件 制发, 废止, 现行有效 from the catalogue; the other rows from the figures staff entered
    (summed over the organizations covered)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    items = _items(organization, include_descendants).exclude(status=ItemStatus.WITHDRAWN)
    figures: dict[str, Decimal] = defaultdict(Decimal)
    for values in _reports(organization, year, include_descendants).values_list("figures", flat=True):
        for key, value in (values or {}).items():
            try:
                figures[key] += Decimal(str(value))
            except ArithmeticError:
                continue
    result: dict[str, Any] = {}
    for block in report_rules()["table2"]["blocks"]:
        rows: dict[str, dict[str, float | int]] = {}
        for row in block["rows"]:
            if row["source"] == "items":
                kind = items.filter(table2_kind=row["code"])
                rows[row["code"]] = {
                    "issued": kind.filter(written_on__gte=start, written_on__lte=end).count(),
                    "repealed": kind.filter(
                        validity="repealed", validity_changed_on__gte=start, validity_changed_on__lte=end
                    ).count(),
                    "in_force": kind.filter(written_on__lte=end)
                    .exclude(Q(validity__in=("repealed", "expired")) & Q(validity_changed_on__lte=end))
                    .count(),
                }
            else:
                column = block["columns"][0]
                value = figures.get(row["code"], Decimal(0))
                rows[row["code"]] = {
                    column["code"]: float(round(value, 4)) if column.get("decimal") else int(value)
                }
        result[block["code"]] = rows
    return result


def table4_counts(
    *, organization: Organization, year: int, include_descendants: bool = True
) -> dict[str, dict[str, int]]:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    qs = ReviewCase.objects.filter(filed_on__gte=start, filed_on__lte=end)
    if include_descendants:
        qs = qs.filter(organization__path__startswith=organization.path)
    else:
        qs = qs.filter(organization=organization)
    counts: dict[str, dict[str, int]] = {
        group["code"]: {column["code"]: 0 for column in report_rules()["table4"]["result_columns"]}
        for group in report_rules()["table4"]["groups"]
    }
    for kind, result, concluded_on in qs.values_list("kind", "result", "concluded_on"):
        if result != ReviewResult.PENDING and concluded_on and concluded_on > end:
            result = ReviewResult.PENDING  # as known at the end of the year
        counts[kind][result] += 1
        counts[kind]["total"] += 1
    return counts


def fee_summary(*, organization: Organization, year: int, include_descendants: bool = True) -> dict[str, Any]:
    qs = FeeNotice.objects.filter(notified_on__year=year)
    if include_descendants:
        qs = qs.filter(request__organization__path__startswith=organization.path)
    else:
        qs = qs.filter(request__organization=organization)
    totals = qs.aggregate(n=Count("pk"), amount=Sum("amount"), paid=Sum("paid_amount"))
    return {
        "notices": totals["n"],
        "amount": float(round(totals["amount"] or Decimal(0), 2)),
        "paid": float(round(totals["paid"] or Decimal(0), 2)),
    }


def data_problems(*, organization: Organization, year: int, include_descendants: bool = True) -> list[str]:
    """Open inconsistencies that make the year's figures wrong even when they balance."""
    problems = []
    end = dt.date(year, 12, 31)
    unconfirmed = (
        _requests(organization, include_descendants)
        .filter(state=RequestState.SUBMITTED, submitted_at__date__lte=end)
        .count()
    )
    if unconfirmed:
        problems.append(
            f"有{unconfirmed}件{year}年及以前提交的网上申请尚未与申请人确认收到日期，无法计入表三，请先确认收到。"
        )
    return problems


def annual_report_data(
    *, organization: Organization, year: int, include_descendants: bool = True
) -> ReportData:
    """Everything the report shows, with the problems that block publication."""
    report = AnnualReport.objects.filter(organization=organization, year=year).first()
    table3 = table3_counts(organization=organization, year=year, include_descendants=include_descendants)
    problems = data_problems(organization=organization, year=year, include_descendants=include_descendants)
    problems += identity_problems(table3)
    return ReportData(
        organization=organization,
        year=year,
        include_descendants=include_descendants,
        title=report_rules()["title"].format(organization=organization.name, year=year),
        texts={
            "overview": report.overview if report else "",
            "problems": report.problems if report else "",
            "other": report.other_matters if report else "",
        },
        table2=table2_values(organization=organization, year=year, include_descendants=include_descendants),
        table3=table3,
        table4=table4_counts(organization=organization, year=year, include_descendants=include_descendants),
        fees=fee_summary(organization=organization, year=year, include_descendants=include_descendants),
        problems=problems,
        report=report,
    )


# -- the report as labels ----------------------------------------------------------------------------------------


def _table3_cells(row: dict[str, int]) -> dict[str, Any]:
    cells: dict[str, Any] = {}
    for column in report_rules()["table3"]["columns"]:
        children = column.get("children")
        if children:
            cells[column["label"]] = {child["label"]: row[child["code"]] for child in children}
        else:
            cells[column["label"]] = row[column["code"]]
    return cells


def report_json(data: ReportData) -> dict[str, Any]:
    """The report as nested objects keyed by the exact labels of the format (the JSON output and the model of
    every other rendering)."""
    rules = report_rules()
    labels = {section["code"]: section["label"] for section in rules["sections"]}
    table2 = {}
    for block in rules["table2"]["blocks"]:
        table2[block["label"]] = {
            row["label"]: {
                column["label"]: data.table2[block["code"]][row["code"]][column["code"]]
                for column in block["columns"]
            }
            for row in block["rows"]
        }
    t3 = rules["table3"]
    results: dict[str, Any] = {}
    for group in t3["outcome_groups"]:
        subs = group.get("outcomes")
        if not subs:
            results[group["label"]] = _table3_cells(data.table3[group["code"]])
        else:
            results[group["label"]] = {sub["label"]: _table3_cells(data.table3[sub["code"]]) for sub in subs}
    results[t3["total_row"]] = _table3_cells(data.table3["results_total"])
    table3 = {
        t3["rows"]["new"]: _table3_cells(data.table3["new"]),
        t3["rows"]["carried_in"]: _table3_cells(data.table3["carried_in"]),
        t3["rows"]["results"]: results,
        t3["rows"]["carried_out"]: _table3_cells(data.table3["carried_out"]),
    }
    t4 = rules["table4"]
    table4: dict[str, Any] = {}
    for group in t4["groups"]:
        cells = {
            column["label"]: data.table4[group["code"]][column["code"]] for column in t4["result_columns"]
        }
        if group.get("sub_label"):
            table4.setdefault(group["label"], {})[group["sub_label"]] = cells
        else:
            table4[group["label"]] = cells
    fee_labels = rules["fee_summary"]
    return {
        "标题": data.title,
        labels["overview"]: {TEXT_KEY: data.texts["overview"]},
        labels["proactive"]: table2,
        labels["requests"]: table3,
        labels["reviews"]: table4,
        labels["problems"]: {TEXT_KEY: data.texts["problems"]},
        labels["other"]: {
            TEXT_KEY: data.texts["other"],
            fee_labels["label"]: {
                column["label"]: data.fees[column["code"]] for column in fee_labels["columns"]
            },
        },
    }


# -- publication deadlines and who has published -----------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    on: dt.date
    source: str


def report_deadline(organization: Organization, year: int) -> Deadline | None:
    """When the report on ``year`` must be public (条例第四十九条; the dates and which kinds of body they bind are
    data in rules/annual_report.json), or None for a body not required to publish one."""
    deadlines = report_rules()["deadlines"]
    spec_name = deadlines.get("by_kind", {}).get(organization.kind)
    if spec_name not in ("department", "government"):
        return None
    spec = deadlines[spec_name]
    return Deadline(dt.date(year + 1, spec["month"], spec["day"]), spec["source"])


@dataclass(frozen=True)
class ReportStanding:
    """One body's report for one year, as the 年度报告 list shows it."""

    organization: Organization
    year: int
    report: AnnualReport | None
    deadline: Deadline | None
    published_on: dt.date | None
    label: str
    css: str
    late: bool
    published: bool


def _standing(org: Organization, year: int, report: AnnualReport | None, today: dt.date) -> ReportStanding:
    from django.utils import timezone

    deadline = report_deadline(org, year)
    first = report.first_published_at or report.published_at if report is not None else None
    published = report is not None and report.status == "published" and first is not None
    published_on = timezone.localtime(first).date() if published else None
    if published:
        late = deadline is not None and published_on > deadline.on
        label, css = ("逾期发布", "overdue") if late else ("按期发布", "done")
    elif deadline is not None and today > deadline.on:
        late = True
        label, css = "逾期未发布", "overdue"
    else:
        late = False
        label = "草稿" if report is not None else "未编制"
        css = "warning" if deadline is not None and (deadline.on - today).days <= 20 else "normal"
    return ReportStanding(org, year, report, deadline, published_on, label, css, late, published)


def report_standings(
    *, organizations: QuerySet[Organization], year: int, today: dt.date | None = None
) -> list[ReportStanding]:
    """Each body's report for ``year``: published on time, published late (after its deadline), not published
    past the deadline, or not yet due — one query for the reports."""
    from django.utils import timezone

    today = today or timezone.localdate()
    orgs = list(organizations)
    reports = {
        report.organization_id: report
        for report in AnnualReport.objects.filter(year=year, organization__in=[org.pk for org in orgs])
    }
    return [_standing(org, year, reports.get(org.pk), today) for org in orgs]


def report_bodies(year: int) -> QuerySet[Organization]:
    """The bodies that owe a report for ``year``: those in service, and those that ceased by 机构改革 during or
    after that year — a body merged away in March still reports on the year it ceased."""
    return Organization.objects.filter(Q(is_active=True) | Q(ceased_on__gte=dt.date(year, 1, 1)))


def report_years(today: dt.date | None = None) -> list[int]:
    """The years a report can be chosen for: from the first year of the 条例 (2008) to this year, newest first."""
    from django.utils import timezone

    today = today or timezone.localdate()
    return list(range(today.year, 2007, -1))


def deadline_summary(year: int) -> str:
    """The rule in words for the list page, from the rule file: “部门、乡镇（街道）于2026年1月31日前、人民政府于
    2026年3月31日前公布”."""
    deadlines = report_rules()["deadlines"]
    kinds = deadlines.get("by_kind", {})
    names = {"department": "部门", "township": "乡镇", "subdistrict": "街道", "government": "人民政府"}
    parts = []
    for spec_name in ("department", "government"):
        spec = deadlines[spec_name]
        who = [names[kind] for kind, target in kinds.items() if target == spec_name and kind in names]
        label = "、".join(who) if who else names[spec_name]
        parts.append(f"{label}于{year + 1}年{spec['month']}月{spec['day']}日前")
    return "、".join(parts) + "公布"
