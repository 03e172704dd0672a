"""年度报告 in the staff admin: the narrative sections and figures, a preview with every problem that blocks
publication, publication and the files; 行政复议 / 行政诉讼 cases for table 四."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone

from zhengwu.core.models import Organization
from zhengwu.core.scoping import get_object_in_scope_or_404, scope_queryset

from ..documents import report_layout
from ..forms import DATE_WIDGET, apply_service_errors
from ..models import AnnualReport, PublishState, ReviewCase, ReviewKind, ReviewResult
from ..selectors.reports import (
    annual_report_data,
    deadline_summary,
    report_bodies,
    report_json,
    report_standings,
    report_years,
)
from ..services.reports import (
    FIGURE_ROWS,
    record_review_case,
    request_publication,
    save_report,
    statutory_deadline,
)
from .base import AdminPage, file_response, require

VIEW = "disclosure.view_annualreport"
CHANGE = "disclosure.change_annualreport"
PUBLISH = "disclosure.publish_annualreport"


class ReportForm(forms.Form):
    overview = forms.CharField(label="一、总体情况", widget=forms.Textarea(attrs={"rows": 8}), required=False)
    problems = forms.CharField(
        label="五、存在的主要问题及改进情况", widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    other_matters = forms.CharField(
        label="六、其他需要报告的事项", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, (label, is_decimal) in FIGURE_ROWS.items():
            field_class = forms.DecimalField if is_decimal else forms.IntegerField
            extra = {"decimal_places": 4} if is_decimal else {}
            self.fields[f"figure_{code}"] = field_class(
                label=f"{label}（{'本年收费金额，万元' if is_decimal else '本年处理决定数量'}）",
                min_value=0,
                required=False,
                **extra,
            )


FILTERS = [
    ("", "全部"),
    ("unpublished", "未发布"),
    ("late", "逾期（逾期发布或逾期未发布）"),
    ("published", "已发布"),
]


def _year(value: str, default: int) -> int:
    return int(value) if value.isdigit() and int(value) in report_years() else default


class ReportListView(AdminPage):
    template_name = "disclosure/admin/report_list.html"
    page_title = "政府信息公开工作年度报告"
    permission = VIEW
    crumbs = [("", "年度报告")]

    def get(self, request: HttpRequest) -> HttpResponse:
        year = _year(request.GET.get("year", ""), timezone.localdate().year - 1)
        shown = request.GET.get("show", "")
        orgs = scope_queryset(report_bodies(year), request.user, org_field="").order_by("path")
        standings = [
            row
            for row in report_standings(organizations=orgs, year=year)
            if row.deadline is not None or row.report is not None
        ]
        counts = {
            "total": len(standings),
            "on_time": sum(1 for row in standings if row.published and not row.late),
            "published_late": sum(1 for row in standings if row.published and row.late),
            "unpublished": sum(1 for row in standings if not row.published),
            "overdue_unpublished": sum(1 for row in standings if not row.published and row.late),
        }
        keep = {
            "unpublished": lambda row: not row.published,
            "late": lambda row: row.late,
            "published": lambda row: row.published,
        }.get(shown)
        rows = [row for row in standings if keep is None or keep(row)]
        return self.render_to_response(
            self.get_context_data(
                rows=rows,
                year=year,
                years=report_years(),
                shown=shown if keep is not None else "",
                filters=FILTERS,
                counts=counts,
                rule=deadline_summary(year),
            )
        )


class ReportEditView(AdminPage):
    template_name = "disclosure/admin/report_edit.html"
    permission = VIEW

    def get_page_title(self):
        return f"{self.org.name}{self.year}年政府信息公开工作年度报告"

    def get_crumbs(self):
        return [(reverse("disclosure_admin_reports"), "年度报告"), ("", f"{self.org.name} {self.year}年")]

    def _load(self, request: HttpRequest, org_id: int, year: int) -> None:
        self.org = get_object_in_scope_or_404(
            Organization.objects.all(), request.user, pk=org_id, org_field=""
        )
        self.year = year
        self.report = AnnualReport.objects.filter(organization=self.org, year=year).first()

    def _render(self, request: HttpRequest, form: ReportForm) -> HttpResponse:
        data = annual_report_data(organization=self.org, year=self.year)
        standing = report_standings(
            organizations=Organization.objects.filter(pk=self.org.pk), year=self.year
        )[0]
        return self.render_to_response(
            self.get_context_data(
                form=form,
                report=self.report,
                standing=standing,
                problems=data.problems,
                layout=report_layout(report_json(data)),
                deadline=statutory_deadline(self.org, self.year)[0],
                publishing=bool(
                    self.report and self.report.publish_state in (PublishState.QUEUED, PublishState.RUNNING)
                ),
                can_change=request.user.has_perm(CHANGE),
                can_publish=request.user.has_perm(PUBLISH),
            )
        )

    def get(self, request: HttpRequest, org_id: int, year: int) -> HttpResponse:
        self._load(request, org_id, year)
        initial: dict[str, Any] = {}
        if self.report:
            initial = {
                "overview": self.report.overview,
                "problems": self.report.problems,
                "other_matters": self.report.other_matters,
                **{f"figure_{k}": v for k, v in (self.report.figures or {}).items()},
            }
        return self._render(request, ReportForm(initial=initial))

    def post(self, request: HttpRequest, org_id: int, year: int) -> HttpResponse:
        self._load(request, org_id, year)
        if request.POST.get("action") == "publish":
            require(request, PUBLISH)
            try:
                request_publication(
                    organization=self.org, year=year, actor=request.user, http_request=request
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(
                    request, "已开始发布：统计数据并生成 Word 和 PDF 文件需要一些时间，进度见下方。"
                )
            return HttpResponseRedirect(request.path)
        require(request, CHANGE)
        form = ReportForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                self.report = save_report(
                    organization=self.org,
                    year=year,
                    overview=data["overview"],
                    problems=data["problems"],
                    other_matters=data["other_matters"],
                    figures={code: data.get(f"figure_{code}") for code in FIGURE_ROWS},
                    actor=request.user,
                    http_request=request,
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, "已保存。")
                return HttpResponseRedirect(request.path)
        return self._render(request, form)


def report_progress(request: HttpRequest, org_id: int, year: int) -> JsonResponse:
    """The publication's progress, read by the report page every few seconds while a publication runs."""
    require(request, VIEW)
    org = get_object_in_scope_or_404(Organization.objects.all(), request.user, pk=org_id, org_field="")
    report = AnnualReport.objects.filter(organization=org, year=year).first()
    if report is None:
        return JsonResponse({"state": "idle", "progress": 0, "step": "", "error": ""})
    return JsonResponse(
        {
            "state": report.publish_state,
            "label": report.get_publish_state_display(),
            "progress": report.publish_progress,
            "step": report.publish_step,
            "error": report.publish_error,
            "published": report.status == "published",
        }
    )


def report_file(request: HttpRequest, pk: int, fmt: str):
    require(request, VIEW)
    report = get_object_in_scope_or_404(
        AnnualReport.objects.select_related("organization"), request.user, pk=pk
    )
    return file_response(report.docx if fmt == "docx" else report.pdf, f"{report}.{fmt}")


class ReviewCaseForm(forms.Form):
    organization = forms.ModelChoiceField(label="被申请人/被告", queryset=Organization.objects.none())
    kind = forms.ChoiceField(label="类型", choices=ReviewKind.choices)
    case_number = forms.CharField(label="案号", max_length=100, required=False)
    filed_on = forms.DateField(label="立案日期", widget=DATE_WIDGET)
    result = forms.ChoiceField(label="结果", choices=ReviewResult.choices)
    concluded_on = forms.DateField(label="审结日期", widget=DATE_WIDGET, required=False)
    request_number = forms.CharField(label="相关申请受理编号", max_length=30, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = scope_queryset(
            Organization.objects.filter(is_active=True), user, org_field=""
        ).order_by("path")


class ReviewCaseView(AdminPage):
    template_name = "disclosure/admin/review_cases.html"
    page_title = "行政复议、行政诉讼"
    permission = "disclosure.view_reviewcase"
    crumbs = [("", "行政复议、行政诉讼")]

    def _render(self, request: HttpRequest, form: ReviewCaseForm) -> HttpResponse:
        cases = scope_queryset(ReviewCase.objects.select_related("organization", "request"), request.user)
        return self.render_to_response(
            self.get_context_data(
                cases=cases[:200], form=form, can_add=request.user.has_perm("disclosure.add_reviewcase")
            )
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, ReviewCaseForm(user=request.user))

    def post(self, request: HttpRequest) -> HttpResponse:
        require(request, "disclosure.add_reviewcase")
        form = ReviewCaseForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                record_review_case(actor=request.user, http_request=request, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, "已登记。")
                return HttpResponseRedirect(request.path)
        return self._render(request, form)
