"""年度报告 writes: the narrative sections and figures staff enter, publication (refused while the tables do not
balance or data is inconsistent), and the reminders before the statutory dates (条例第四十九条)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from zhengwu.core.models import Organization, OrganizationKind
from zhengwu.core.services.audit import audit
from zhengwu.core.services.notifications import notify
from zhengwu.portal.cache import purge_sites_after_commit

from ..models import (
    AnnualReport,
    DisclosureRequest,
    DisclosureSettings,
    ReportStatus,
    ReviewCase,
    ReviewKind,
    ReviewResult,
)
from ..rules import report_rules
from ..selectors.reports import annual_report_data, report_json

FIGURE_ROWS = {
    row["code"]: (row["label"], bool(block["columns"][0].get("decimal")))
    for block in report_rules()["table2"]["blocks"]
    for row in block["rows"]
    if row["source"] == "figures"
}


class ReportNotBalanced(ValidationError):
    """The report cannot be produced: the messages name each failing column or open inconsistency."""


def _clean_figures(figures: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    errors = []
    for code, value in (figures or {}).items():
        if code not in FIGURE_ROWS:
            errors.append(f"未知的统计项：{code}")
            continue
        label, is_decimal = FIGURE_ROWS[code]
        if value in (None, ""):
            continue
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            errors.append(f"“{label}”应为数字。")
            continue
        if number < 0:
            errors.append(f"“{label}”不能为负数。")
        elif not is_decimal and number != number.to_integral_value():
            errors.append(f"“{label}”应为整数。")
        else:
            cleaned[code] = str(round(number, 4)) if is_decimal else int(number)
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def save_report(
    *,
    organization: Organization,
    year: int,
    overview: str,
    problems: str,
    other_matters: str,
    figures: dict[str, Any],
    actor: Any,
) -> AnnualReport:
    """Save the staff-written sections and the figures from other systems. A published report stays on the portal
    as published (its snapshot) until it is published again."""
    if not 2008 <= year <= timezone.localdate().year:
        raise ValidationError(f"年度 {year} 无效。")
    report, created = AnnualReport.objects.select_for_update().get_or_create(
        organization=organization, year=year
    )
    report.overview = (overview or "").strip()
    report.problems = (problems or "").strip()
    report.other_matters = (other_matters or "").strip()
    report.figures = _clean_figures(figures)
    report.save()
    audit(
        actor=actor,
        action="disclosure.report.save",
        target=report,
        organization=organization,
        detail={"year": year, "created": created, "figures": report.figures},
    )
    return report


def build_report(
    *, organization: Organization, year: int, include_descendants: bool = True
) -> dict[str, Any]:
    """The report as label-keyed JSON, or :class:`ReportNotBalanced` naming every failing column and problem."""
    data = annual_report_data(organization=organization, year=year, include_descendants=include_descendants)
    if data.problems:
        raise ReportNotBalanced(data.problems)
    return report_json(data)


@transaction.atomic
def publish_report(*, organization: Organization, year: int, actor: Any) -> AnnualReport:
    """Freeze the report as it stands (JSON snapshot, .docx and PDF); refused while anything is inconsistent."""
    from ..documents import report_docx, report_pdf

    report, _ = AnnualReport.objects.select_for_update().get_or_create(organization=organization, year=year)
    content = build_report(organization=organization, year=year)
    stem = f"{organization.code}-{year}-annual-report"
    for name in ("docx", "pdf"):
        if getattr(report, name):
            getattr(report, name).delete(save=False)
    report.docx.save(f"{stem}.docx", ContentFile(report_docx(content)), save=False)
    report.pdf.save(f"{stem}.pdf", ContentFile(report_pdf(content)), save=False)
    report.snapshot = content
    report.status = ReportStatus.PUBLISHED
    report.published_at = timezone.now()
    report.published_by = actor if getattr(actor, "pk", None) else None
    report.save()
    audit(
        actor=actor,
        action="disclosure.report.publish",
        target=report,
        organization=organization,
        detail={"year": year, "docx": report.docx.name, "pdf": report.pdf.name},
    )
    purge_sites_after_commit()
    return report


def statutory_deadline(organization: Organization, year: int) -> tuple[dt.date, str]:
    """When the report on ``year`` must be public: departments by 1月31日, governments by 3月31日 of the next year."""
    deadlines = report_rules()["deadlines"]
    spec = deadlines["government" if organization.kind == OrganizationKind.GOVERNMENT else "department"]
    return dt.date(year + 1, spec["month"], spec["day"]), spec["source"]


def send_report_reminders(*, today: dt.date | None = None) -> int:
    """Remind the disclosure staff of each organization without a published report for last year, on the
    configured days before its statutory date; returns how many organizations were reminded."""
    from ..selectors.requests import request_handlers

    if not DisclosureSettings.load().report_reminders:
        return 0
    today = today or timezone.localdate()
    year = today.year - 1
    days_before = set(report_rules()["deadlines"]["reminder_days"])
    published = set(
        AnnualReport.objects.filter(year=year, status=ReportStatus.PUBLISHED).values_list(
            "organization_id", flat=True
        )
    )
    reminded = 0
    for org in Organization.objects.filter(is_active=True).exclude(pk__in=published):
        deadline, source = statutory_deadline(org, year)
        left = (deadline - today).days
        if left not in days_before:
            continue
        recipients = request_handlers(org)
        if not recipients:
            continue
        with transaction.atomic():
            notify(
                recipients=recipients,
                title=f"请于{deadline.month}月{deadline.day}日前公布{year}年政府信息公开工作年度报告",
                body=f"依据{source}，{org.name}应于{deadline:%Y年%m月%d日}前公布{year}年政府信息公开工作年度报告，"
                f"距截止还有{left}天。",
                link="/admin/disclosure/reports/",
                category="disclosure",
            )
            audit(
                actor=None,
                action="disclosure.report.remind",
                organization=org,
                detail={"year": year, "left": left},
            )
        reminded += 1
    return reminded


@transaction.atomic
def record_review_case(
    *,
    organization: Organization,
    kind: str,
    filed_on: dt.date,
    result: str,
    actor: Any,
    case_number: str = "",
    concluded_on: dt.date | None = None,
    request_number: str = "",
) -> ReviewCase:
    """Record a 行政复议 or 行政诉讼 about disclosure work (table 四 counts them by the year filed)."""
    if kind not in ReviewKind.values:
        raise ValidationError({"kind": ["请选择类型。"]})
    if result not in ReviewResult.values:
        raise ValidationError({"result": ["请选择结果。"]})
    if filed_on > timezone.localdate():
        raise ValidationError({"filed_on": ["立案日期不能晚于今天。"]})
    if result == ReviewResult.PENDING and concluded_on:
        raise ValidationError({"concluded_on": ["尚未审结的案件不填写审结日期。"]})
    if result != ReviewResult.PENDING and not concluded_on:
        raise ValidationError({"concluded_on": ["已审结的案件须填写审结日期。"]})
    if concluded_on and concluded_on < filed_on:
        raise ValidationError({"concluded_on": ["审结日期不能早于立案日期。"]})
    related = None
    if request_number:
        related = DisclosureRequest.objects.filter(tracking_number=request_number.strip().upper()).first()
        if related is None:
            raise ValidationError({"request_number": [f"找不到受理编号为“{request_number}”的申请。"]})
    case = ReviewCase.objects.create(
        organization=organization,
        request=related,
        kind=kind,
        case_number=(case_number or "").strip(),
        filed_on=filed_on,
        result=result,
        concluded_on=concluded_on,
    )
    audit(
        actor=actor,
        action="disclosure.review_case.record",
        target=case,
        organization=organization,
        detail={"kind": kind, "result": result, "filed_on": filed_on},
    )
    return case
