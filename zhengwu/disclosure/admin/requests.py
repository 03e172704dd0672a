"""依申请公开 in the staff admin: the list (scoped, by state and 预警/超期), intake, a request with its clock and
actions, 预警/超期 per organization, and the 告知书 files."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from zhengwu.core.models import Organization
from zhengwu.core.models.clock import ClockStatus
from zhengwu.core.scoping import get_object_in_scope_or_404, scope_queryset
from zhengwu.core.services.audit import audit

from .. import forms as f
from ..models import DisclosureRequest, NoticeLetter, RequestState
from ..selectors.requests import REQUEST_SCOPE, alerts_by_organization, request_status, requests_for
from ..selectors.routing import routing_problems
from ..services import requests as svc
from .base import AdminPage, file_response, mask, require

VIEW = "disclosure.view_disclosurerequest"
CHANGE = "disclosure.change_disclosurerequest"
ADD = "disclosure.add_disclosurerequest"
PERSONAL = "disclosure.view_applicant_data"


class RequestListView(AdminPage):
    template_name = "disclosure/admin/request_list.html"
    page_title = "依申请公开"
    permission = VIEW
    crumbs = [("", "依申请公开")]

    def get(self, request: HttpRequest) -> HttpResponse:
        state = request.GET.get("state", "")
        status = request.GET.get("status", "")
        org = None
        if request.GET.get("org", "").isdigit():
            org = (
                scope_queryset(Organization.objects.all(), request.user, org_field="")
                .filter(pk=int(request.GET["org"]))
                .first()
            )
        qs = requests_for(
            request.user,
            state=state if state in RequestState.values else "",
            status=status if status in ClockStatus.values else "",
            organization=org,
            query=request.GET.get("q", "")[:50],
        )
        page = Paginator(qs, 30).get_page(request.GET.get("page"))
        rows = [(item, request_status(item)) for item in page]
        return self.render_to_response(
            self.get_context_data(
                page_obj=page,
                rows=rows,
                states=RequestState.choices,
                statuses=[(s, ClockStatus(s).label) for s in ("normal", "warning", "overdue")],
                selected={"state": state, "status": status, "q": request.GET.get("q", ""), "org": org},
                can_add=request.user.has_perm(ADD),
            )
        )


def _scoped_organizations(user: Any):
    return scope_queryset(Organization.objects.filter(is_active=True), user, org_field="").order_by("path")


class RequestCreateView(AdminPage):
    template_name = "disclosure/admin/request_form.html"
    page_title = "登记政府信息公开申请"
    permission = ADD

    def get_crumbs(self):
        return [(reverse("disclosure_admin_requests"), "依申请公开"), ("", "登记")]

    def get(self, request: HttpRequest) -> HttpResponse:
        form = f.IntakeForm(
            organizations=_scoped_organizations(request.user), initial={"received_on": timezone.localdate()}
        )
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = f.IntakeForm(request.POST, organizations=_scoped_organizations(request.user))
        if form.is_valid():
            try:
                issued = svc.register_request(
                    organization=form.cleaned_data["organization"],
                    application=form.application(),
                    channel=form.cleaned_data["channel"],
                    received_on=form.cleaned_data["received_on"],
                    submitted_on=form.cleaned_data.get("submitted_on"),
                    actor=request.user,
                    http_request=request,
                )
            except ValidationError as exc:
                f.apply_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"已登记，受理编号 {issued.request.tracking_number}，查询码 {issued.query_code}"
                    "（查询码只显示这一次，请告知申请人）。",
                )
                return HttpResponseRedirect(reverse("disclosure_admin_request", args=[issued.request.pk]))
        return self.render_to_response(self.get_context_data(form=form))


ACTIONS: dict[str, tuple[type, str]] = {
    "confirm": (f.ConfirmReceiptForm, "确认收到"),
    "correction": (f.CorrectionForm, "告知补正"),
    "corrected": (f.DayForm, "收到补正"),
    "consult": (f.ConsultationForm, "征求意见"),
    "consulted": (f.EndConsultationForm, "结束征求意见"),
    "extend": (f.ExtensionForm, "延期答复"),
    "fee": (f.FeeForm, "发出收费通知"),
    "paid": (f.PaymentForm, "登记缴费"),
    "reply": (f.ReplyForm, "答复"),
}

AVAILABLE = {
    RequestState.SUBMITTED: ["confirm"],
    RequestState.PROCESSING: ["reply", "correction", "consult", "extend", "fee"],
    RequestState.CORRECTION: ["corrected", "reply", "extend"],
    RequestState.CONSULTATION: ["consulted", "extend"],
    RequestState.AWAITING_FEE: ["paid", "reply", "extend"],
    RequestState.REPLIED: [],
}


def _perform(action: str, case: DisclosureRequest, data: dict[str, Any], http_request: HttpRequest) -> None:
    """Run one action; the audit rows record who did it and from which address."""
    user = http_request.user
    on = data.get("on")
    common = {"request": case, "http_request": http_request}
    if action == "confirm":
        svc.confirm_receipt(**common, received_on=on, actor=user, note=data.get("note", ""))
    elif action == "correction":
        svc.request_correction(**common, on=on, text=data["text"], deadline=data.get("deadline"), actor=user)
    elif action == "corrected":
        svc.receive_correction(**common, on=on, actor=user)
    elif action == "consult":
        svc.start_consultation(**common, kind=data["kind"], parties=data["parties"], on=on, actor=user)
    elif action == "consulted":
        svc.end_consultation(**common, on=on, opinion=data.get("opinion", ""), actor=user)
    elif action == "extend":
        svc.extend_request(**common, days=data["days"], reason=data["reason"], approver=user, on=on)
    elif action == "fee":
        svc.notify_fee(**common, method=data["method"], pages=data.get("pages"), on=on, actor=user)
    elif action == "paid":
        svc.record_fee_payment(**common, on=on, amount=data["amount"], actor=user)
    elif action == "reply":
        svc.reply_request(**common, outcome=data["outcome"], text=data.get("text", ""), actor=user)


class RequestDetailView(AdminPage):
    template_name = "disclosure/admin/request_detail.html"
    permission = VIEW

    def get_page_title(self):
        return f"政府信息公开申请 {self.case.tracking_number}"

    def get_crumbs(self):
        return [(reverse("disclosure_admin_requests"), "依申请公开"), ("", self.case.tracking_number)]

    def _load(self, request: HttpRequest, pk: int) -> None:
        self.case = get_object_in_scope_or_404(
            DisclosureRequest.objects.select_related("organization", "handling_office", "reply_clock"),
            request.user,
            pk=pk,
            org_field=REQUEST_SCOPE,
        )

    def _render(self, request: HttpRequest, forms: dict[str, Any] | None = None) -> HttpResponse:
        case = self.case
        today = timezone.localdate()
        can_change = request.user.has_perm(CHANGE)
        actions = []
        for name in AVAILABLE[RequestState(case.state)] if can_change else []:
            if name == "extend" and not request.user.has_perm(svc.APPROVE_EXTENSION):
                continue
            form_class, label = ACTIONS[name]
            form = (forms or {}).get(name) or form_class(initial={"on": today}, prefix=name)
            actions.append({"name": name, "label": label, "form": form})
        show_personal = request.user.has_perm(PERSONAL)
        if show_personal and case.id_number:
            audit(
                actor=request.user,
                action="disclosure.request.view_personal_data",
                target=case,
                organization=case.organization,
                request=request,
            )
        return self.render_to_response(
            self.get_context_data(
                case=case,
                status=request_status(case),
                events=case.events.select_related("actor"),
                consultations=case.consultations.all(),
                fee=getattr(case, "fee_notice", None),
                letters=case.letters.all(),
                actions=actions,
                id_number=case.id_number if show_personal else mask(case.id_number),
                phone=case.phone if show_personal else mask(case.phone, 3, 2),
                show_personal=show_personal,
            )
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self._load(request, pk)
        return self._render(request)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        require(request, CHANGE)
        self._load(request, pk)
        action = request.POST.get("action", "")
        if action not in AVAILABLE[RequestState(self.case.state)]:
            messages.error(request, "该操作不适用于当前办理状态，请刷新页面后重试。")
            return HttpResponseRedirect(request.path)
        if action == "extend" and not request.user.has_perm(svc.APPROVE_EXTENSION):
            raise PermissionDenied
        form_class, label = ACTIONS[action]
        form = form_class(request.POST, prefix=action)
        if form.is_valid():
            try:
                _perform(action, self.case, form.cleaned_data, request)
            except ValidationError as exc:
                f.apply_service_errors(form, exc)
            else:
                messages.success(request, f"已{label}。")
                return HttpResponseRedirect(request.path)
        return self._render(request, {action: form})


class AlertsView(AdminPage):
    template_name = "disclosure/admin/alerts.html"
    page_title = "依申请公开预警和超期"
    permission = VIEW
    crumbs = [("", "预警和超期")]

    def get(self, request: HttpRequest) -> HttpResponse:
        rows = alerts_by_organization(request.user)
        totals = {
            "open": sum(r.open for r in rows),
            "warning": sum(r.warning for r in rows),
            "overdue": sum(r.overdue for r in rows),
            "unconfirmed": sum(r.unconfirmed for r in rows),
        }
        problems = routing_problems() if request.user.has_perm("disclosure.view_requestroute") else []
        return self.render_to_response(
            self.get_context_data(rows=rows, totals=totals, routing_problems=problems)
        )


def letter_file(request: HttpRequest, pk: int, fmt: str):
    require(request, VIEW)
    letter = get_object_in_scope_or_404(
        NoticeLetter.objects.select_related("request"),
        request.user,
        pk=pk,
        org_field=("request__organization", "request__handling_office"),
    )
    field = letter.docx if fmt == "docx" else letter.pdf
    return file_response(
        field, f"{letter.request.tracking_number}-{letter.title}.{'docx' if fmt == 'docx' else 'pdf'}"
    )
