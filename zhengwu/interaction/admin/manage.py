"""知识库, KPIs and Open311 keys in the staff admin."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from zhengwu.core.scoping import is_in_scope

from .. import forms as f
from ..models import KnowledgeEntry, Open311Key
from ..selectors.kpi import FIGURES, hotline_kpi, hotline_kpi_and_trend
from ..services.knowledge import save_entry
from ..services.open311 import deactivate_key, issue_key
from .hotline import HotlinePage, scoped_units

KPI = "interaction.view_hotline_kpi"
KEYS = "interaction.manage_open311_keys"

LABELS = {
    "contacts": "受理量",
    "daily_mean": "日均受理",
    "orders": "派单量",
    "finished": "办结量",
    "direct_answer_rate": "直接答复率",
    "signed_on_time_rate": "按时签收率",
    "finish_rate": "办结率",
    "on_time_rate": "按期办结率",
    "visit_rate": "回访率",
    "satisfaction_rate": "满意率",
}
RATES = {name for name in FIGURES if name.endswith("_rate")}


class KnowledgeListView(HotlinePage):
    template_name = "interaction/admin/knowledge_list.html"
    page_title = "知识库"
    permission = "interaction.view_knowledgeentry"
    crumbs = [("", "知识库")]

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        qs = KnowledgeEntry.objects.select_related("category", "owner_unit").order_by(
            "category__path", "title"
        )
        q = request.GET.get("q", "").strip()[:50]
        if q:
            qs = qs.filter(Q(title__icontains=q) | Q(answer__icontains=q) | Q(keywords__icontains=q))
        expired = request.GET.get("expired") == "1"
        if expired:
            qs = qs.filter(valid_until__lt=today, is_active=True)
        page = Paginator(qs, 30).get_page(request.GET.get("page"))
        return self.render_to_response(
            self.get_context_data(
                page_obj=page,
                today=today,
                q=q,
                expired=expired,
                can_add=request.user.has_perm("interaction.add_knowledgeentry"),
            )
        )


class KnowledgeEditView(HotlinePage):
    template_name = "interaction/admin/knowledge_form.html"
    permission = "interaction.change_knowledgeentry"

    def get_page_title(self):
        return "编辑知识" if self.entry else "新增知识"

    def get_crumbs(self):
        return [(reverse("hotline_knowledge"), "知识库"), ("", self.get_page_title())]

    def _load(self, request: HttpRequest, pk: int | None) -> None:
        self.entry = None
        if pk is not None:
            self.entry = get_object_or_404(KnowledgeEntry, pk=pk)
            if not is_in_scope(self.entry.owner_unit, request.user, org_field=""):
                raise PermissionDenied

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        self._load(request, pk)
        initial: dict[str, Any] = {
            "valid_from": timezone.localdate(),
            "owner_unit": request.user.organization_id,
        }
        if self.entry:
            initial = {name: getattr(self.entry, name) for name in f.KnowledgeForm.base_fields}
        form = f.KnowledgeForm(initial=initial, units=scoped_units(request.user))
        return self.render_to_response(self.get_context_data(form=form, entry=self.entry))

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        self._load(request, pk)
        form = f.KnowledgeForm(request.POST, units=scoped_units(request.user))
        if form.is_valid():
            try:
                entry = save_entry(actor=request.user, entry=self.entry, **form.cleaned_data)
            except ValidationError as exc:
                f.apply_service_errors(form, exc)
            else:
                messages.success(request, f"已保存“{entry.title}”。")
                return HttpResponseRedirect(reverse("hotline_knowledge"))
        response = self.render_to_response(self.get_context_data(form=form, entry=self.entry))
        response.status_code = 400
        return response


# -- KPIs --------------------------------------------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[f.KpiForm, dt.date, dt.date, Any]:
    today = timezone.localdate()
    data = request.GET if "start" in request.GET else None
    form = f.KpiForm(data, initial={"start": today.replace(month=1, day=1), "end": today})
    if data is not None and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"], form.cleaned_data.get("unit")
    return form, today.replace(month=1, day=1), today, None


def _chart(trend: list[dict[str, Any]], key: str, *, rate: bool = False) -> dict[str, Any]:
    values = [row[key] or 0 for row in trend]
    peak = max(values or [0]) or 1
    bars = []
    width = 36
    for index, (row, value) in enumerate(zip(trend, values, strict=True)):
        height = round(140 * value / (1 if rate else peak))
        bars.append(
            {
                "x": 30 + index * width,
                "y": 160 - height,
                "height": height,
                "label": row["month"][2:],
                "value": f"{value:.1%}" if rate else str(value),
            }
        )
    return {"bars": bars, "width": 40 + width * len(bars), "title": LABELS[key]}


def _display(value: Any, name: str) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.2f}%" if name in RATES else str(value)


class KpiView(HotlinePage):
    template_name = "interaction/admin/kpi.html"
    page_title = "热线统计"
    permission = KPI
    crumbs = [("", "统计")]

    def get(self, request: HttpRequest) -> HttpResponse:
        form, start, end, unit = _period(request)
        fmt = request.GET.get("format", "")
        if fmt in ("json", "xlsx"):
            report, trend = hotline_kpi(start=start, end=end, unit=unit), []
        else:
            # The page: the figures and the monthly trend in one pass over the period's rows.
            report, trend = hotline_kpi_and_trend(start=start, end=end, unit=unit)
        if fmt == "json":
            response = HttpResponse(
                json.dumps(report, ensure_ascii=False, indent=2),
                content_type="application/json; charset=utf-8",
            )
            response["Content-Disposition"] = f'attachment; filename="hotline-kpi-{start}-{end}.json"'
            return response
        if fmt == "xlsx":
            response = HttpResponse(
                kpi_xlsx(report),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="hotline-kpi-{start}-{end}.xlsx"'
            return response
        overall = [(LABELS[name], _display(report[name], name)) for name in FIGURES]
        units = [
            {"name": row["name"], "values": [_display(row[name], name) for name in FIGURES]}
            for row in report["units"]
        ]
        query = request.GET.urlencode() or f"start={start}&end={end}"
        return self.render_to_response(
            self.get_context_data(
                form=form,
                overall=overall,
                headers=[LABELS[name] for name in FIGURES],
                units=units,
                charts=[
                    _chart(trend, "contacts"),
                    _chart(trend, "finished"),
                    _chart(trend, "satisfaction_rate", rate=True),
                ],
                trend=trend,
                query=query.replace("&format=json", "").replace("&format=xlsx", ""),
                start=start,
                end=end,
            )
        )


def kpi_xlsx(report: dict[str, Any]) -> bytes:
    """The KPI figures as a workbook: overall, then one row per unit."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from zhengwu.core.spreadsheets import save_workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "热线统计"
    sheet.append([f"12345热线统计（{report['from']} 至 {report['to']}）"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["单位", "统一社会信用代码", *(LABELS[name] for name in FIGURES)])
    sheet.append(["全部", "", *(report[name] for name in FIGURES)])
    for row in report["units"]:
        sheet.append([row["name"], row["unit"], *(row[name] for name in FIGURES)])
    for cells in sheet.iter_rows(min_row=3):
        for cell, name in zip(cells[2:], FIGURES, strict=True):
            if name in RATES:
                cell.number_format = "0.00%"
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["B"].width = 22
    buffer = io.BytesIO()
    save_workbook(book, buffer)
    return buffer.getvalue()


# -- Open311 keys ------------------------------------------------------------------------------------------------


class KeyListView(HotlinePage):
    template_name = "interaction/admin/keys.html"
    page_title = "Open311 接口密钥"
    permission = KEYS
    crumbs = [("", "Open311 接口密钥")]

    def get(self, request: HttpRequest, issued: str = "", form: f.KeyForm | None = None) -> HttpResponse:
        return self.render_to_response(
            self.get_context_data(keys=Open311Key.objects.all(), form=form or f.KeyForm(), issued=issued)
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        if request.POST.get("deactivate", "").isdigit():
            key = get_object_or_404(Open311Key, pk=int(request.POST["deactivate"]))
            deactivate_key(key=key, actor=request.user)
            messages.success(request, f"已停用“{key.name}”的密钥。")
            return HttpResponseRedirect(reverse("hotline_keys"))
        form = f.KeyForm(request.POST)
        if form.is_valid():
            try:
                _key, secret = issue_key(name=form.cleaned_data["name"], actor=request.user)
            except ValidationError as exc:
                f.apply_service_errors(form, exc)
            else:
                return self.get(request, issued=secret)
        return self.get(request, form=form)
