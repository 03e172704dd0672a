"""年度报告 writes: the narrative sections and figures staff enter, publication (refused while the tables do not
balance or data is inconsistent), and the reminders before the statutory dates (条例第四十九条)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from zhengwu.core.models import Organization
from zhengwu.core.services.audit import audit, client_ip
from zhengwu.core.services.notifications import notify
from zhengwu.portal.cache import purge_sites_after_commit

from ..models import (
    AnnualReport,
    DisclosureRequest,
    DisclosureSettings,
    PublishState,
    ReportStatus,
    ReviewCase,
    ReviewKind,
    ReviewResult,
)
from ..rules import report_rules
from ..selectors.reports import annual_report_data, report_bodies, report_deadline, report_json

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
    http_request: Any = None,
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
        request=http_request,
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


def _no_progress(percent: int, step: str) -> None:
    pass


def publish_report(
    *,
    organization: Organization,
    year: int,
    actor: Any,
    http_request: Any = None,
    progress: Callable[[int, str], None] = _no_progress,
) -> AnnualReport:
    """Freeze the report as it stands (JSON snapshot, .docx and PDF); refused while anything is inconsistent.

    The tables and documents are computed first, outside any transaction (seconds for a county government's
    report), reporting ``progress``; the report is then saved and published in one short transaction."""
    from ..documents import report_docx, report_pdf

    progress(5, "统计表二、表三、表四的数据")
    content = build_report(organization=organization, year=year)
    progress(35, "生成 Word 文件")
    docx = report_docx(content)
    progress(60, "生成 PDF 文件")
    pdf = report_pdf(content)
    progress(90, "保存并发布")
    with transaction.atomic():
        report, _ = AnnualReport.objects.select_for_update().get_or_create(
            organization=organization, year=year
        )
        stem = f"{organization.code}-{year}-annual-report"
        for name in ("docx", "pdf"):
            if getattr(report, name):
                getattr(report, name).delete(save=False)
        report.docx.save(f"{stem}.docx", ContentFile(docx), save=False)
        report.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        report.snapshot = content
        report.status = ReportStatus.PUBLISHED
        report.published_at = timezone.now()
        report.first_published_at = report.first_published_at or report.published_at
        report.published_by = actor if getattr(actor, "pk", None) else None
        report.publish_state = PublishState.IDLE
        report.publish_progress = 100
        report.publish_step = "已发布"
        report.publish_error = ""
        report.save()
        deadline = report_deadline(organization, year)
        audit(
            actor=actor,
            action="disclosure.report.publish",
            target=report,
            organization=organization,
            detail={
                "year": year,
                "docx": report.docx.name,
                "pdf": report.pdf.name,
                "late": bool(deadline and timezone.localtime(report.first_published_at).date() > deadline.on),
            },
            request=http_request,
        )
        purge_sites_after_commit()
    return report


# Publication as a background task: asked for in the admin, run by the worker, its progress on the report row.
STALE_AFTER = dt.timedelta(minutes=30)


@transaction.atomic
def request_publication(
    *, organization: Organization, year: int, actor: Any, http_request: Any = None
) -> AnnualReport:
    """Queue the publication of the report (the worker runs :func:`run_publication`); refused while one is
    already queued or running, unless that one has been silent for half an hour (its worker died)."""
    report, _ = AnnualReport.objects.select_for_update().get_or_create(organization=organization, year=year)
    busy = report.publish_state in (PublishState.QUEUED, PublishState.RUNNING)
    if busy and timezone.now() - report.updated_at < STALE_AFTER:
        raise ValidationError("该年度报告正在发布，请等待完成。")
    report.publish_state = PublishState.QUEUED
    report.publish_progress = 0
    report.publish_step = "等待后台任务开始"
    report.publish_error = ""
    report.publish_requested_at = timezone.now()
    report.publish_requested_by = actor if getattr(actor, "pk", None) else None
    report.publish_requested_ip = client_ip(http_request)
    report.save()
    audit(
        actor=actor,
        action="disclosure.report.publish_request",
        target=report,
        organization=organization,
        detail={"year": year},
        request=http_request,
    )
    transaction.on_commit(lambda: _enqueue_publication(report.pk))
    return report


def _enqueue_publication(report_id: int) -> None:
    from ..tasks import publish_annual_report

    publish_annual_report.enqueue(report_id)


def _set_progress(report_id: int, **values: Any) -> None:
    # Its own short write, committed at once, so that the admin page sees it while the work goes on.
    AnnualReport.objects.filter(pk=report_id).update(updated_at=timezone.now(), **values)


class _RequesterAddress:
    """The address the publication was asked from, for the audit row the worker writes on the requester's
    behalf (the worker has no HTTP request of its own)."""

    def __init__(self, ip: str | None) -> None:
        self.META = {"REMOTE_ADDR": ip or ""}


def run_publication(*, report_id: int) -> AnnualReport | None:
    """The worker's part: compute and publish, writing the progress as it goes; a failure is kept on the row
    with its reasons, and the report can be published again."""
    report = (
        AnnualReport.objects.select_related("organization", "publish_requested_by")
        .filter(pk=report_id)
        .first()
    )
    if report is None or report.publish_state not in (PublishState.QUEUED, PublishState.RUNNING):
        return report
    _set_progress(report.pk, publish_state=PublishState.RUNNING, publish_progress=1, publish_step="开始发布")

    def progress(percent: int, step: str) -> None:
        _set_progress(report.pk, publish_progress=percent, publish_step=step)

    try:
        return publish_report(
            organization=report.organization,
            year=report.year,
            actor=report.publish_requested_by,
            http_request=_RequesterAddress(report.publish_requested_ip),
            progress=progress,
        )
    except ValidationError as exc:
        _set_progress(
            report.pk,
            publish_state=PublishState.FAILED,
            publish_step="发布失败",
            publish_error="\n".join(exc.messages),
        )
    except Exception as exc:
        _set_progress(
            report.pk,
            publish_state=PublishState.FAILED,
            publish_step="发布失败",
            publish_error=f"生成文件时出错：{type(exc).__name__}: {exc}"[:2000],
        )
        raise
    return AnnualReport.objects.get(pk=report.pk)


def statutory_deadline(organization: Organization, year: int) -> tuple[dt.date, str]:
    """When the report on ``year`` must be public: departments by 1月31日, governments by 3月31日 of the next year
    (a body the rules do not bind is given the departments' date)."""
    deadline = report_deadline(organization, year)
    if deadline is None:
        spec = report_rules()["deadlines"]["department"]
        return dt.date(year + 1, spec["month"], spec["day"]), spec["source"]
    return deadline.on, deadline.source


def send_report_reminders(*, today: dt.date | None = None) -> int:
    """Remind the disclosure staff of each organization without a published report for last year, on the
    configured days before its statutory date; returns how many organizations were reminded."""
    from ..selectors.routing import request_handlers, route_for

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
    for org in report_bodies(year).exclude(pk__in=published):
        if report_deadline(org, year) is None:
            continue
        deadline, source = statutory_deadline(org, year)
        left = (deadline - today).days
        if left not in days_before:
            continue
        recipients = request_handlers(route_for(org).office or org)
        if not recipients and org.ceased_on:
            # A body merged away has no staff left: its successors' disclosure staff write its last report.
            for successor in Organization.objects.filter(predecessor_links__predecessor=org, is_active=True):
                recipients += request_handlers(route_for(successor).office or successor)
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
    http_request: Any = None,
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
        request=http_request,
    )
    return case
