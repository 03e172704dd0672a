"""电子监察 in the staff admin: the figures of a period for the units the user may see, the monthly trend, the
quarterly grading of units, and the open cases past their due dates (督办)."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views import View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from zhengwu.core.models import Organization
from zhengwu.core.scoping import has_county_wide_access, scope_queryset
from zhengwu.core.selectors.calendar import get_work_calendar

from .models import ServiceCase
from .services.supervision import FIGURE_KEYS, LABELS, derive, supervision_figures, write_xlsx

VIEW = "govservice.view_servicecase"
RATES = {"early_rate", "on_time_rate"}
UNIT_COLUMNS = ("accepted", "finished", "early_rate", "on_time_rate", "avg_actual_workdays", "yellow", "red")
OVERDUE_SHOWN = 50


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


class PeriodForm(forms.Form):
    date_from = forms.DateField(label="受理日期自", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="至", widget=forms.DateInput(attrs={"type": "date"}))
    as_of = forms.DateField(label="统计截至", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            raise ValidationError("截止日期不能早于起始日期。")
        if start and end and (end - start).days > 3660:
            raise ValidationError("统计期间不能超过十年。")
        return data


def _display(value: Any, key: str) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.2f}%" if key in RATES else f"{value:g}" if isinstance(value, float) else str(value)


def _months(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    months = []
    day = start.replace(day=1)
    while day <= end and len(months) < 24:
        following = (day + dt.timedelta(days=32)).replace(day=1)
        months.append((max(day, start), min(following - dt.timedelta(days=1), end)))
        day = following
    return months


class SupervisionView(WagtailAdminTemplateMixin, View):
    template_name = "govservice/admin/supervision.html"
    page_title = "电子监察"
    header_icon = "warning"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any):
        if not request.user.has_perm(VIEW):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": "电子监察"}]

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        initial = {"date_from": quarter_start(today), "date_to": today, "as_of": today}
        form = PeriodForm(request.GET or None, initial=initial)
        period = form.cleaned_data if form.is_bound and form.is_valid() else initial
        organizations = None
        if not has_county_wide_access(request.user):
            organizations = list(scope_queryset(Organization.objects.all(), request.user, org_field=""))
        figures = supervision_figures(
            date_from=period["date_from"],
            date_to=period["date_to"],
            as_of=period["as_of"],
            organizations=organizations,
        )
        stamp = f"{period['date_from']}-{period['date_to']}"
        fmt = request.GET.get("format", "")
        if fmt == "json":
            response = HttpResponse(
                json.dumps(figures, ensure_ascii=False, indent=2),
                content_type="application/json; charset=utf-8",
            )
            response["Content-Disposition"] = f'attachment; filename="supervision-{stamp}.json"'
            return response
        if fmt == "xlsx":
            buffer = io.BytesIO()
            write_xlsx(figures, buffer)
            response = HttpResponse(
                buffer.getvalue(),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="supervision-{stamp}.xlsx"'
            return response
        trend = []
        for first, last in _months(period["date_from"], min(period["date_to"], period["as_of"])):
            month = supervision_figures(
                date_from=first, date_to=last, as_of=period["as_of"], organizations=organizations
            )
            trend.append({"label": f"{first:%Y-%m}", **{k: month[k] for k in ("accepted", "yellow", "red")}})
        peak = max((row["accepted"] for row in trend), default=0) or 1
        for index, row in enumerate(trend):
            row["x"] = 30 + index * 36
            row["height"] = round(140 * row["accepted"] / peak)
            row["y"] = 160 - row["height"]
            row["cards"] = row["yellow"] + row["red"]
            row["card_height"] = round(140 * row["cards"] / peak)
            row["card_y"] = 160 - row["card_height"]
        query = request.GET.copy()
        query.pop("format", None)
        if not query:
            query.update({key: str(value) for key, value in period.items()})
        return self.render_to_response(
            self.get_context_data(
                form=form,
                figures=figures,
                overall=[(LABELS[key], _display(figures[key], key)) for key in FIGURE_KEYS],
                unit_headers=[LABELS[key] for key in UNIT_COLUMNS],
                units=[
                    {
                        "name": row["name"],
                        "grade": row["grade"] or "—",
                        "values": [_display(row[key], key) for key in UNIT_COLUMNS],
                    }
                    for row in figures["units"]
                ],
                trend=trend,
                chart_width=40 + 36 * len(trend),
                overdue=_overdue(period, organizations),
                query=query.urlencode(),
            )
        )


def _overdue(period: dict[str, dt.date], organizations) -> list[dict[str, Any]]:
    """Cases of the period open at ``as_of`` and past a due date then, the latest statutory due date first."""
    as_of = period["as_of"]
    calendar = get_work_calendar()
    qs = ServiceCase.objects.filter(
        accepted_on__gte=period["date_from"], accepted_on__lte=min(period["date_to"], as_of)
    ).filter(Q(finished_on__isnull=True) | Q(finished_on__gt=as_of))
    if organizations is not None:
        qs = qs.filter(organization__in=organizations)
    # Stored due dates count every pause; one reaching past as-of counted less then, so look at those too.
    qs = qs.filter(Q(promised_due_on__lt=as_of) | Q(last_pause_end__gt=as_of))
    rows = []
    for case in (
        qs.select_related("version", "organization").prefetch_related("pauses").order_by("legal_due_on")
    ):
        derived = derive(
            calendar,
            accepted_on=case.accepted_on,
            finished_on=case.finished_on,
            promised_days=case.promised_days,
            legal_days=case.legal_days,
            pauses=[(p.start_on, p.end_on) for p in case.pauses.all()],
            as_of=as_of,
        )
        if as_of <= derived.promised_due_on:
            continue
        rows.append(
            {
                "case": case,
                "promised_due_on": derived.promised_due_on,
                "legal_due_on": derived.legal_due_on,
                "card": "红牌" if as_of > derived.legal_due_on else "黄牌",
                "late": calendar.count(derived.promised_due_on, as_of),
            }
        )
        if len(rows) >= OVERDUE_SHOWN:
            break
    return rows
