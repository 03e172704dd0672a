"""信箱 in the staff admin: the letters a person may see, one letter with its handling, and the figures."""

from __future__ import annotations

import io
import json
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from zhengwu.core.models import Assignment, CaseReply, DispatchEvent, Organization
from zhengwu.core.models.dispatch import AssignmentRole, AssignmentState, DispatchState
from zhengwu.core.services import dispatch as engine

from .. import forms as f
from ..models import Letter, Mailbox, RefusalReason, Screening
from ..selectors.mailbox import FIGURE_FIELDS, mailbox_figures, visible_letters
from ..services import mailbox as svc

EXCEL_LABELS = {
    "received": "收到来信",
    "valid": "有效来信",
    "replied": "已答复",
    "finished": "已办结",
    "in_progress": "正在办理",
    "reply_rate": "回复率",
    "finish_rate": "办结率",
    "on_time_rate": "按时答复率",
    "avg_reply_workdays": "平均答复工作日",
}


def figures_xlsx(report: dict[str, Any], *, title: str) -> bytes:
    """The figures as a workbook: overall, then one row per department."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from zhengwu.core.spreadsheets import save_workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "信箱统计"
    sheet.append([f"{title}统计（{report['from']} 至 {report['to']}，按收信日期）"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["单位", "统一社会信用代码", *(EXCEL_LABELS[name] for name in FIGURE_FIELDS)])
    sheet.append(["全部", "", *(report[name] for name in FIGURE_FIELDS)])
    for row in report["departments"]:
        sheet.append([row["name"], row["unit"], *(row[name] for name in FIGURE_FIELDS)])
    for cells in sheet.iter_rows(min_row=3):
        for cell, name in zip(cells[2:], FIGURE_FIELDS, strict=True):
            if name.endswith("_rate"):
                cell.number_format = "0.00%"
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["B"].width = 22
    buffer = io.BytesIO()
    save_workbook(book, buffer)
    return buffer.getvalue()


VIEW_LETTER = "interaction.view_letter"
KPI = "interaction.view_letter_kpi"


class MailboxAdminPage(WagtailAdminTemplateMixin, View):
    header_icon = "mail"
    permission = VIEW_LETTER
    crumbs: list[tuple[str, str]] = []

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any):
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": "", "label": "领导信箱"},
            *({"url": url, "label": label} for url, label in self.get_crumbs()),
        ]

    def get_crumbs(self):
        return self.crumbs


QUEUES = {
    "screening": ("待审查", {"screening": Screening.PENDING}),
    "assign": ("待交办", {"screening": Screening.VALID, "dispatch_state": DispatchState.PENDING}),
    "handling": ("办理中", {"screening": Screening.VALID, "dispatch_state": DispatchState.HANDLING}),
    "review": ("待审核发布", {"dispatch_state": DispatchState.REPLIED}),
    "released": ("已答复待评价", {"dispatch_state": DispatchState.CALLBACK}),
    "finished": ("已办结", {"dispatch_state": DispatchState.FINISHED}),
    "refused": ("不予受理", {"screening": Screening.REFUSED}),
}


class LetterListView(MailboxAdminPage):
    template_name = "interaction/admin/letter_list.html"
    page_title = "来信"
    crumbs = [("", "来信")]

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = visible_letters(request.user)
        queue = request.GET.get("queue", "")
        if queue in QUEUES:
            qs = qs.filter(**QUEUES[queue][1])
        if request.GET.get("overdue") == "1":
            qs = qs.filter(released_at__isnull=True, reply_due_at__lt=timezone.now()).exclude(
                screening=Screening.REFUSED
            )
        q = request.GET.get("q", "").strip()[:40]
        if q:
            qs = qs.filter(tracking_number__icontains=q) | qs.filter(title__icontains=q)
        page = Paginator(qs.order_by("-received_at", "-pk"), 30).get_page(request.GET.get("p"))
        return self.render_to_response(
            self.get_context_data(
                letters=page,
                queues=[(key, label) for key, (label, _f) in QUEUES.items()],
                queue=queue,
                q=q,
                now=timezone.now(),
            )
        )


class ScreenForm(forms.Form):
    decision = forms.ChoiceField(
        label="审查结果", choices=[("valid", "有效"), ("refuse", "不予受理")], widget=forms.RadioSelect
    )
    reason = forms.ModelChoiceField(
        label="不予受理理由", queryset=RefusalReason.objects.filter(is_active=True), required=False
    )
    note = forms.CharField(label="补充说明（告知来信人）", max_length=300, required=False)


class AssignForm(forms.Form):
    unit = forms.ModelChoiceField(label="承办单位", queryset=Organization.objects.filter(is_active=True))
    instructions = forms.CharField(
        label="交办意见", widget=forms.Textarea(attrs={"rows": 2}), max_length=500, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].label_from_instance = lambda o: o.name


class ReleaseForm(forms.Form):
    publish = forms.BooleanField(label="来信选登（来信人已同意公开）", required=False)
    published_title = forms.CharField(label="公开标题", max_length=200, required=False)
    published_body = forms.CharField(
        label="公开内容",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="请删去身份证号、住址等个人信息；姓名和电话会自动隐去。",
    )


ACTION_FORMS = {
    "screen": ScreenForm,
    "assign": AssignForm,
    "sign": f.EmptyForm,
    "return": f.ReasonForm,
    "reply": f.ReplyForm,
    "extend": f.ExtensionForm,
    "release": ReleaseForm,
    "send_back": f.ReasonForm,
    "finish": f.EmptyForm,
    "urge": f.NoteForm,
}


def _actions(user: Any, letter: Letter) -> list[tuple[str, str, Any]]:
    actions: list[tuple[str, str, Any]] = []
    office = user.has_perm(svc.HANDLE_LETTERS) and (
        user.is_superuser
        or (
            getattr(user, "organization", None) is not None
            and letter.mailbox.organization.path.startswith(user.organization.path)
        )
    )
    if office:
        if letter.screening == Screening.PENDING:
            actions.append(("screen", "审查", None))
        if letter.screening == Screening.VALID and letter.dispatch_state == DispatchState.PENDING:
            actions.append(("assign", "交办", None))
        if letter.dispatch_state == DispatchState.REPLIED and svc.pending_reply(letter) is not None:
            actions.append(("release", "审核通过并发布答复", None))
            actions.append(("send_back", "退回重办", None))
        if letter.dispatch_state == DispatchState.CALLBACK:
            actions.append(("finish", "办结（来信人未评价）", None))
    if user.has_perm(engine.HANDLE) and getattr(user, "organization", None) is not None:
        own = user.organization.path
        for assignment in engine.current_assignments(letter).select_related("organization"):
            if not (user.is_superuser or assignment.organization.path.startswith(own)):
                continue
            if assignment.state == AssignmentState.DISPATCHED:
                actions.append(("sign", f"签收（{assignment.organization.name}）", assignment))
                actions.append(("return", f"退回（{assignment.organization.name}）", assignment))
            elif assignment.state == AssignmentState.SIGNED and (
                assignment.role != AssignmentRole.LEAD or letter.dispatch_state == DispatchState.HANDLING
            ):
                actions.append(("reply", f"答复（{assignment.organization.name}）", assignment))
                if assignment.role == AssignmentRole.LEAD:
                    actions.append(("extend", "申请延期", assignment))
    if user.has_perm(engine.SUPERVISE) and letter.is_dispatch_open and engine.overdue_parts(letter):
        actions.append(("urge", "督办", None))
    return actions


def _perform(action: str, letter: Letter, target: Any, data: dict[str, Any], user: Any) -> str:
    if action == "screen":
        valid = data["decision"] == "valid"
        svc.screen_letter(
            letter=letter, valid=valid, reason=data.get("reason"), note=data.get("note") or "", actor=user
        )
        return "已审查为有效，请交办" if valid else "已不予受理，理由已告知来信人"
    if action == "assign":
        svc.assign_letter(
            letter=letter, unit=data["unit"], instructions=data.get("instructions") or "", actor=user
        )
        return "已交办"
    if action == "sign":
        engine.sign_assignment(assignment=target, actor=user)
        return "已签收"
    if action == "return":
        engine.request_return(assignment=target, reason=data["reason"], actor=user)
        return "已申请退回，待审核"
    if action == "reply":
        engine.reply_case(
            assignment=target, text=data["text"], actor=user, attachments=data.get("attachments") or []
        )
        return "已答复，待信箱办公室审核发布"
    if action == "extend":
        engine.request_extension(case=letter, workdays=data["workdays"], reason=data["reason"], actor=user)
        return "已申请延期"
    if action == "release":
        svc.release_reply(
            letter=letter,
            actor=user,
            publish=bool(data.get("publish")),
            published_title=data.get("published_title") or "",
            published_body=data.get("published_body") or "",
        )
        return "答复已发布，已告知来信人"
    if action == "send_back":
        svc.send_back_reply(letter=letter, note=data["reason"], actor=user)
        return "已退回重办"
    if action == "finish":
        svc.finish_letter(letter=letter, actor=user)
        return "已办结"
    if action == "urge":
        svc.urge_letter(letter=letter, note=data.get("note") or "", actor=user)
        return "已督办"
    raise ValidationError("未知的操作。")


class LetterDetailView(MailboxAdminPage):
    template_name = "interaction/admin/letter_detail.html"

    def get_page_title(self):
        return f"来信 {self.letter.tracking_number}"

    def get_crumbs(self):
        return [(reverse("mailbox_letters"), "来信"), ("", self.letter.tracking_number)]

    def _load(self, request: HttpRequest, pk: int) -> None:
        letter = visible_letters(request.user).filter(pk=pk).first()
        if letter is None:
            raise Http404("来信不存在或您无权查看。")
        self.letter = letter

    def _render(
        self, request: HttpRequest, bound: dict[str, Any] | None = None, status: int = 200
    ) -> HttpResponse:
        letter = self.letter
        actions = []
        for index, (code, label, _target) in enumerate(_actions(request.user, letter)):
            form = (bound or {}).get(index) or ACTION_FORMS[code](prefix=f"a{index}")
            actions.append({"index": index, "code": code, "label": label, "form": form})
        if letter.published_body == "" and letter.public_consent:
            for action in actions:
                if action["code"] == "release" and not action["form"].is_bound:
                    action["form"].initial = {"published_title": letter.title, "published_body": letter.body}
        ct_filter = {"content_type": engine._content_type(letter), "object_id": letter.pk}
        return self.render_to_response(
            self.get_context_data(
                letter=letter,
                actions=actions,
                assignments=Assignment.objects.filter(**ct_filter)
                .select_related("organization")
                .order_by("pk"),
                replies=CaseReply.objects.filter(**ct_filter).select_related("organization").order_by("pk"),
                events=DispatchEvent.objects.filter(**ct_filter).order_by("at", "pk"),
                overdue=engine.overdue_parts(letter) if letter.is_dispatch_open else [],
                may_see_writer=request.user.has_perm(svc.HANDLE_LETTERS),
            ),
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self._load(request, pk)
        return self._render(request)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self._load(request, pk)
        available = _actions(request.user, self.letter)
        try:
            index = int(request.POST.get("action", ""))
            code, _label, target = available[index]
        except (ValueError, IndexError):
            messages.error(request, "该操作已不可用，页面已刷新。")
            return HttpResponseRedirect(request.path)
        form = ACTION_FORMS[code](request.POST, request.FILES, prefix=f"a{index}")
        if form.is_valid():
            try:
                done = _perform(code, self.letter, target, form.cleaned_data, request.user)
            except ValidationError as exc:
                f.apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or "您没有该操作的权限。")
            else:
                messages.success(request, done)
                return HttpResponseRedirect(request.path)
        return self._render(request, bound={index: form}, status=400)


class PeriodForm(forms.Form):
    start = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="结束日期", widget=forms.DateInput(attrs={"type": "date"}))
    mailbox = forms.ModelChoiceField(
        label="信箱", queryset=Mailbox.objects.all(), required=False, empty_label="全部信箱"
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError("结束日期不能早于开始日期。")
        return data


def _display(value: Any, name: str) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.2f}%" if name.endswith("_rate") else str(value)


class FiguresView(MailboxAdminPage):
    template_name = "interaction/admin/letter_figures.html"
    page_title = "信箱统计"
    permission = KPI
    crumbs = [("", "统计")]

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        data = request.GET if "start" in request.GET else None
        form = PeriodForm(data, initial={"start": today.replace(month=1, day=1), "end": today})
        start, end, mailbox = today.replace(month=1, day=1), today, None
        if data is not None and form.is_valid():
            start, end, mailbox = (
                form.cleaned_data["start"],
                form.cleaned_data["end"],
                form.cleaned_data["mailbox"],
            )
        report = mailbox_figures(start=start, end=end, mailbox=mailbox)
        fmt = request.GET.get("format", "")
        name = f"mailbox-{mailbox.code if mailbox else 'all'}-{start}-{end}"
        if fmt == "xlsx":
            response = HttpResponse(
                figures_xlsx(report, title=mailbox.name if mailbox else "全部信箱"),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
            return response
        if fmt == "json":
            response = HttpResponse(
                json.dumps(report, ensure_ascii=False, indent=2),
                content_type="application/json; charset=utf-8",
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.json"'
            return response
        peak = max([row["received"] for row in report["departments"]] or [1]) or 1
        bars = [
            {
                "name": row["name"],
                "received": row["received"],
                "finished": row["finished"],
                "y": 10 + index * 26,
                "width": round(360 * row["received"] / peak),
                "done": round(360 * row["finished"] / peak),
            }
            for index, row in enumerate(report["departments"][:20])
        ]
        query = request.GET.copy()
        query.pop("format", None)
        return self.render_to_response(
            self.get_context_data(
                form=form,
                start=start,
                end=end,
                overall=[(EXCEL_LABELS[n], _display(report[n], n)) for n in FIGURE_FIELDS],
                headers=[EXCEL_LABELS[n] for n in FIGURE_FIELDS],
                units=[
                    {"name": row["name"], "values": [_display(row[n], n) for n in FIGURE_FIELDS]}
                    for row in report["departments"]
                ],
                bars=bars,
                chart_height=20 + 26 * len(bars),
                query=query.urlencode() or f"start={start}&end={end}",
            )
        )
