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
from zhengwu.core.scoping import has_county_wide_access, is_in_scope, scope_queryset
from zhengwu.core.selectors.calendar import get_work_calendar

from . import rules
from .models import ServiceCase
from .services.supervision import FIGURE_KEYS, LABELS, card_at, derive, supervision_figures, write_xlsx

VIEW = "govservice.view_servicecase"
RATES = {"early_rate", "on_time_rate"}
UNIT_COLUMNS = ("accepted", "finished", "early_rate", "on_time_rate", "avg_actual_workdays", "yellow", "red")
OVERDUE_SHOWN = 50
CARD_LABELS = {"yellow": "黄牌", "red": "红牌"}


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
    from .services.alerts import _running_pause

    rows = []
    for case in (
        qs.select_related("version", "organization", "application")
        .prefetch_related("pauses")
        .order_by("legal_due_on")
    ):
        pauses = [(p.start_on, p.end_on) for p in case.pauses.all()]
        application = getattr(case, "application", None)
        if application is not None and case.finished_on is None:
            # A pause still running (特别程序, an uncounted step) is on the case only once it ends; it was running
            # at as-of too when it began by then — the alerts hold back for it, and so does this list.
            running = _running_pause(application)
            if running is not None and running <= as_of:
                pauses.append((running, as_of))
        derived = derive(
            calendar,
            accepted_on=case.accepted_on,
            finished_on=case.finished_on,
            promised_days=case.promised_days,
            legal_days=case.legal_days + case.extension_days,
            pauses=pauses,
            as_of=as_of,
        )
        card = card_at(derived, as_of)
        if not card:
            continue
        rows.append(
            {
                "case": case,
                "promised_due_on": derived.promised_due_on,
                "legal_due_on": derived.legal_due_on,
                "card": CARD_LABELS[card],
                "late": calendar.count(derived.promised_due_on, as_of),
            }
        )
        if len(rows) >= OVERDUE_SHOWN:
            break
    return rows


# -- 网上申报: the unit's list and one application with its actions -----------------------------------------------

HANDLE_VIEW = "govservice.view_application"


class _AppPage(WagtailAdminTemplateMixin, View):
    header_icon = "doc-full"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any):
        if not request.user.has_perm(HANDLE_VIEW):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        from django.urls import reverse

        return [*self.breadcrumbs_items, {"url": reverse("govservice_applications"), "label": "网上申报"}]


class ApplicationListView(_AppPage):
    template_name = "govservice/admin/applications.html"
    page_title = "网上申报"

    def get(self, request: HttpRequest) -> HttpResponse:
        from django.core.paginator import Paginator

        from .models import Application, ApplicationStatus

        qs = scope_queryset(
            Application.objects.select_related("version", "organization", "case", "current_step"),
            request.user,
        )
        status = request.GET.get("status", "")
        if status in ApplicationStatus.values:
            qs = qs.filter(status=status)
        q = request.GET.get("q", "").strip()[:40]
        if q:
            qs = qs.filter(
                Q(tracking_number__icontains=q)
                | Q(applicant_name__icontains=q)
                | Q(version__name__icontains=q)
            )
        page = Paginator(qs.order_by("-received_at", "-pk"), 30).get_page(request.GET.get("page"))
        return self.render_to_response(
            self.get_context_data(
                page_obj=page,
                statuses=ApplicationStatus.choices,
                status=status,
                q=q,
                today=timezone.localdate(),
            )
        )


class ApplicationDetailView(_AppPage):
    template_name = "govservice/admin/application.html"

    def _application(self, request: HttpRequest, pk: int):
        from django.http import Http404

        from .models import Application

        application = (
            scope_queryset(
                Application.objects.select_related("version", "organization", "case", "current_step"),
                request.user,
            )
            .filter(pk=pk)
            .first()
        )
        if application is None:
            raise Http404("找不到该申报，或您无权查看。")
        return application

    def get(
        self, request: HttpRequest, pk: int, errors: list[str] | None = None, typed: dict | None = None
    ) -> HttpResponse:
        from .services import applications as svc

        application = self._application(request, pk)
        self.page_title = f"网上申报 {application.tracking_number}"
        settings_ = rules.extension_rules()
        return self.render_to_response(
            self.get_context_data(
                application=application,
                files=application.files.order_by("round", "pk"),
                events=application.events.order_by("at", "pk"),
                materials=[m.name for m in application.version.materials.all()],
                notice_overdue=svc.notice_overdue(application),
                step_due=svc.step_due(application),
                suspension_reasons=settings_["suspension_reasons"],
                delivery_methods=settings_["delivery_methods"],
                can_handle=request.user.has_perm(svc.HANDLE),
                can_extend=request.user.has_perm(svc.APPROVE_EXTENSION),
                errors=errors or [],
                typed=typed or {},
            ),
            status=400 if errors else 200,
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from django.contrib import messages
        from django.http import HttpResponseRedirect

        from .services import applications as svc

        application = self._application(request, pk)
        action = request.POST.get("action", "")
        post = request.POST
        actions = {
            "accept": (lambda: svc.accept(application=application, actor=request.user), "已受理。"),
            "reject": (
                lambda: svc.reject(
                    application=application, actor=request.user, reason=post.get("reason", "")
                ),
                "已不予受理。",
            ),
            "correction": (
                lambda: svc.request_correction(
                    application=application,
                    actor=request.user,
                    materials=post.getlist("materials"),
                    note=post.get("note", ""),
                ),
                "已一次性告知补正。",
            ),
            "step": (
                lambda: svc.complete_step(
                    application=application, actor=request.user, note=post.get("note", "")
                ),
                "本环节已完成。",
            ),
            "suspend": (
                lambda: svc.suspend(
                    application=application,
                    actor=request.user,
                    kind=post.get("kind", ""),
                    reason=post.get("reason", ""),
                ),
                "已进入特别程序，办理期限暂停计算。",
            ),
            "resume": (
                lambda: svc.resume(application=application, actor=request.user),
                "特别程序结束，恢复计算期限。",
            ),
            "extend": (
                lambda: svc.extend(
                    application=application, actor=request.user, reason=post.get("reason", "")
                ),
                "已批准延长审批期限。",
            ),
            "decide": (
                lambda: svc.decide(
                    application=application,
                    actor=request.user,
                    grant=post.get("grant") == "1",
                    reason=post.get("reason", ""),
                ),
                "已作出决定。",
            ),
            "deliver": (
                lambda: svc.deliver(
                    application=application, actor=request.user, method=post.get("method", "")
                ),
                "已送达，办结。",
            ),
        }
        if action not in actions:
            return self.get(request, pk, errors=["请选择要执行的操作。"])
        run, done = actions[action]
        try:
            run()
        except PermissionDenied as exc:
            return self.get(
                request,
                pk,
                errors=[str(exc) or "您没有执行此操作的权限。"],
                typed={"action": action, **post.dict()},
            )
        except ValidationError as exc:
            return self.get(request, pk, errors=exc.messages, typed={"action": action, **post.dict()})
        messages.success(request, done)
        from django.urls import reverse

        return HttpResponseRedirect(reverse("govservice_application", args=[pk]))


class ApplicationFileView(_AppPage):
    def get(self, request: HttpRequest, pk: int, file_id: int):
        from django.http import FileResponse, Http404

        from .models import ApplicationFile

        stored = (
            ApplicationFile.objects.select_related("application")
            .filter(pk=file_id, application_id=pk)
            .first()
        )
        if stored is None or not is_in_scope(stored.application, request.user):
            raise Http404("找不到该文件，或您无权查看。")
        return FileResponse(stored.file.open("rb"), as_attachment=True, filename=stored.display_name)
