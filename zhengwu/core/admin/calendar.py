"""工作日历 in the Wagtail admin: the list of years, one year's days, a day's change, a year's import."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.views import View
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ..models.calendar import DayKind
from ..selectors import calendar as calendar_selectors
from ..services.calendar import import_calendar_file, set_calendar_day

VIEW_PERMISSION = "core.view_calendarday"
CHANGE_PERMISSION = "core.change_calendarday"
MAX_UPLOAD_BYTES = 1024 * 1024


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


class CalendarImportForm(forms.Form):
    year = forms.IntegerField(label="年份", min_value=2000, max_value=2100)
    source = forms.CharField(
        label="依据",
        max_length=300,
        help_text="国务院办公厅发布该年度节假日安排的通知名称，如“国务院办公厅关于2027年部分节假日安排的通知”。",
    )
    file = forms.FileField(
        label="节假日安排文件",
        help_text="CSV（UTF-8 或 GBK 编码）或 Excel（.xlsx）文件，每行依次为：日期、类型（法定节假日 或 调休工作日）、"
        "名称；第一行可以是表头。未列出的日期按周一至周五上班、周六周日休息推算。",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError("文件不能超过 1 MB。")
        return upload


class CalendarDayForm(forms.Form):
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(
        label="类型",
        choices=[
            (DayKind.HOLIDAY, "法定节假日"),
            (DayKind.MAKEUP_WORKDAY, "调休工作日"),
            ("normal", "恢复正常（周一至周五上班，周六周日休息）"),
        ],
    )
    name = forms.CharField(
        label="名称", max_length=40, required=False, help_text="如“国庆节”；恢复正常时不填。"
    )


class CalendarIndexView(WagtailAdminTemplateMixin, View):
    template_name = "core/calendar/index.html"
    page_title = "工作日历"
    header_icon = "date"

    def get(self, request: HttpRequest) -> HttpResponse:
        _require(request, VIEW_PERMISSION)
        today = timezone.localdate()
        context = self.get_context_data(
            years=calendar_selectors.calendar_year_summaries(),
            missing_years=calendar_selectors.missing_calendar_years(today=today),
            fallback_clocks=calendar_selectors.fallback_clock_count(),
            can_change=request.user.has_perm(CHANGE_PERMISSION),
        )
        return self.render_to_response(context)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": "工作日历"}]


class CalendarYearView(WagtailAdminTemplateMixin, View):
    template_name = "core/calendar/year.html"
    header_icon = "date"

    def get_page_title(self):
        return f"{self.kwargs['year']}年工作日历"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("core_calendar_index"), "label": "工作日历"},
            {"url": "", "label": f"{self.kwargs['year']}年"},
        ]

    def get(self, request: HttpRequest, year: int, form: CalendarDayForm | None = None) -> HttpResponse:
        _require(request, VIEW_PERMISSION)
        calendar = calendar_selectors.get_work_calendar()
        known = calendar.is_known_year(year)
        context = self.get_context_data(
            year=year,
            known=known,
            source=calendar.source_of(year),
            months=calendar_selectors.calendar_months(year),
            special_days=calendar_selectors.special_days_of_year(year),
            can_change=request.user.has_perm(CHANGE_PERMISSION),
            form=form or CalendarDayForm(initial={"date": dt.date(year, 1, 1)}),
            previous_year=year - 1,
            next_year=year + 1,
        )
        return self.render_to_response(context)

    def post(self, request: HttpRequest, year: int) -> HttpResponse:
        _require(request, CHANGE_PERMISSION)
        form = CalendarDayForm(request.POST)
        if form.is_valid():
            day = form.cleaned_data["date"]
            kind = form.cleaned_data["kind"]
            if kind == "normal":
                kind = calendar_selectors.default_kind(day)
            try:
                set_calendar_day(day=day, kind=kind, name=form.cleaned_data["name"], actor=request.user)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                label = calendar_selectors.get_work_calendar().day_kind(day).label
                messages.success(request, f"已将{day:%Y年%m月%d日}设为{label}。")
                return HttpResponseRedirect(reverse("core_calendar_year", args=[day.year]))
        return self.get(request, year, form=form)


class CalendarImportView(WagtailAdminTemplateMixin, View):
    template_name = "core/calendar/import.html"
    page_title = "导入节假日安排"
    header_icon = "upload"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("core_calendar_index"), "label": "工作日历"},
            {"url": "", "label": "导入"},
        ]

    def get(self, request: HttpRequest) -> HttpResponse:
        _require(request, CHANGE_PERMISSION)
        next_year = timezone.localdate().year + 1
        form = CalendarImportForm(initial={"year": next_year})
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request: HttpRequest) -> HttpResponse:
        _require(request, CHANGE_PERMISSION)
        form = CalendarImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            year = form.cleaned_data["year"]
            try:
                result = import_calendar_file(
                    year=year,
                    source=form.cleaned_data["source"],
                    content=upload.read(),
                    filename=upload.name,
                    actor=request.user,
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                verb = "导入" if result.years_created else "更新"
                messages.success(
                    request,
                    f"已{verb}{year}年节假日安排，写入 {result.days_changed} 天；进行中的办理时限将据此重新计算。",
                )
                return HttpResponseRedirect(reverse("core_calendar_year", args=[year]))
        return self.render_to_response(self.get_context_data(form=form))


@hooks.register("register_admin_urls")
def register_calendar_urls():
    return [
        path("calendar/", CalendarIndexView.as_view(), name="core_calendar_index"),
        path("calendar/import/", CalendarImportView.as_view(), name="core_calendar_import"),
        path("calendar/<int:year>/", CalendarYearView.as_view(), name="core_calendar_year"),
    ]


class CalendarMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return request.user.has_perm(VIEW_PERMISSION)


@hooks.register("register_settings_menu_item")
def register_calendar_menu_item():
    return CalendarMenuItem(
        "工作日历", reverse("core_calendar_index"), name="calendar", icon_name="date", order=600
    )
