"""12345 in the staff admin: the operator console (a call taken in one screen, with keyboard shortcuts and a draft
kept on the server), the workbench (org-scoped queues with clocks), a work order with its clocks at each step and
the actions of the viewer's role, the 知识库, the KPIs and the Open311 keys."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views import View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from zhengwu.core.models import Organization, ReplyAttachment
from zhengwu.core.models.clock import ClockStatus
from zhengwu.core.models.dispatch import (
    AssignmentRole,
    AssignmentState,
    DispatchState,
)
from zhengwu.core.scoping import get_object_in_scope_or_404, is_in_scope, scope_queryset
from zhengwu.core.selectors import dispatch as read
from zhengwu.core.services import dispatch as engine
from zhengwu.core.services.audit import audit

from .. import forms as f
from ..masking import mask_name, mask_phone
from ..models import CallDraft, Category, Outcome, WorkOrder
from ..rules import referrals
from ..selectors.orders import ORG_FIELD, orders_for, pending_intake, recent_for_phone, workbench
from ..services import intake
from ..services.knowledge import search_knowledge

VIEW = "interaction.view_workorder"
TAKE = "interaction.take_calls"


def require(request: HttpRequest, *permissions: str) -> None:
    if not all(request.user.has_perm(p) for p in permissions):
        raise PermissionDenied


class HotlinePage(WagtailAdminTemplateMixin, View):
    header_icon = "mail"
    permission = VIEW
    crumbs: list[tuple[str, str]] = []

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any):
        if self.permission:
            require(request, self.permission)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": "", "label": "12345热线"},
            *({"url": url, "label": label} for url, label in self.get_crumbs()),
        ]

    def get_crumbs(self):
        return self.crumbs


# -- the console -------------------------------------------------------------------------------------------------


def _call_from(form: f.ConsoleForm) -> intake.Call:
    data = form.cleaned_data
    return intake.Call(
        channel=data.get("channel") or "",
        kind=data.get("kind") or "",
        urgency=data.get("urgency") or "",
        category=data.get("category"),
        caller_name=data.get("caller_name") or "",
        caller_phone=data.get("caller_phone") or "",
        location=data.get("location") or "",
        content=data.get("content") or "",
    )


class ConsoleView(HotlinePage):
    """受理台: one screen for a call. Alt+D 直接答复, Alt+P 派单, Alt+W 无效, Alt+K 知识库, Alt+1…5 use a hit."""

    template_name = "interaction/admin/console.html"
    page_title = "受理台"
    permission = TAKE
    crumbs = [("", "受理台")]

    def _order(self, request: HttpRequest) -> WorkOrder | None:
        pk = request.POST.get("order") or request.GET.get("order") or ""
        if not str(pk).isdigit():
            return None
        return WorkOrder.objects.filter(pk=int(pk), outcome=Outcome.PENDING).first()

    def get(self, request: HttpRequest) -> HttpResponse:
        initial: dict[str, Any] = {}
        draft = CallDraft.objects.filter(operator=request.user).first()
        order = self._order(request)
        restored = False
        if order is not None:
            initial = {
                "channel": order.channel,
                "caller_name": order.caller_name,
                "caller_phone": order.caller_phone,
                "kind": order.kind,
                "urgency": order.urgency,
                "category": order.category_id,
                "location": order.location,
                "content": order.content,
                "order": order.pk,
            }
        elif draft is not None and draft.data:
            initial = {
                k: v for k, v in draft.data.items() if k not in ("started_at",) and v not in ("", None)
            }
            restored = True
        form = f.ConsoleForm(initial=initial)
        return self._render(request, form, restored=restored, order=order)

    def _render(self, request, form, *, restored=False, order=None, status=200):
        response = self.render_to_response(
            self.get_context_data(
                form=form,
                restored=restored,
                order=order,
                pending=pending_intake()[:20],
                referral_texts={code: item["text"] for code, item in referrals().items()},
                catalog=_catalog_map(),
            )
        )
        response.status_code = status
        return response

    def post(self, request: HttpRequest) -> HttpResponse:
        form = f.ConsoleForm(request.POST)
        action = request.POST.get("action", "")
        order = self._order(request)
        if not form.is_valid():
            return self._render(request, form, order=order, status=400)
        data = form.cleaned_data
        try:
            call = _call_from(form)
            if action == "direct":
                done = intake.answer_directly(
                    call=call,
                    answer=data.get("answer") or "",
                    actor=request.user,
                    knowledge_entry=data.get("knowledge_entry"),
                    referral=data.get("referral") or "",
                    order=order,
                )
                message = "已直接答复"
            elif action == "dispatch":
                if data.get("unit") is None:
                    raise ValidationError({"unit": "请选择主办单位。"})
                done = intake.dispatch_order(
                    call=call,
                    unit=data["unit"],
                    actor=request.user,
                    assisting_units=list(data.get("assisting_units") or []),
                    outside_catalog_reason=data.get("outside_catalog_reason") or "",
                    instructions=data.get("instructions") or "",
                    order=order,
                )
                message = f"已派单给{done.lead_unit.name}"
            elif action == "invalid":
                done = intake.record_invalid(
                    call=call, reason=data.get("invalid_reason") or "", actor=request.user, order=order
                )
                message = "已记为无效"
            else:
                raise ValidationError("请选择直接答复、派单或无效。")
        except ValidationError as exc:
            f.apply_service_errors(form, exc)
            return self._render(request, form, order=order, status=400)
        messages.success(request, f"{message}，工单编号 {done.tracking_number}。")
        return HttpResponseRedirect(reverse("hotline_console"))


def _catalog_map() -> dict[str, Any]:
    """Category id → proposed lead unit and the units of its 派单目录 (for the console's unit proposal)."""
    result = {}
    for category in Category.objects.filter(is_active=True).prefetch_related("catalog_units"):
        units = [u.pk for u in category.catalog_units.all()]
        result[str(category.pk)] = {"lead": category.lead_unit_id, "units": units}
    return result


def console_draft(request: HttpRequest) -> JsonResponse:
    require(request, TAKE)
    if request.method != "POST":
        raise Http404
    if request.POST.get("discard"):
        intake.discard_draft(operator=request.user)
        return JsonResponse({"saved": False})
    draft = intake.save_draft(operator=request.user, data=request.POST.dict())
    return JsonResponse({"saved": True, "at": timezone.localtime(draft.updated_at).strftime("%H:%M:%S")})


def console_knowledge(request: HttpRequest) -> JsonResponse:
    require(request, TAKE)
    category = None
    if request.GET.get("category", "").isdigit():
        category = Category.objects.filter(pk=int(request.GET["category"])).first()
    hits = search_knowledge(request.GET.get("q", "")[:200], category=category, limit=5)
    return JsonResponse(
        {
            "hits": [
                {
                    "id": hit.entry.pk,
                    "title": hit.entry.title,
                    "answer": hit.entry.answer,
                    "category": hit.entry.category.path,
                    "owner": hit.entry.owner_unit.name,
                    "valid_until": hit.entry.valid_until.isoformat() if hit.entry.valid_until else "",
                    "matched": list(hit.matched),
                }
                for hit in hits
            ]
        }
    )


def console_history(request: HttpRequest) -> JsonResponse:
    require(request, TAKE)
    rows = recent_for_phone(request.GET.get("phone", ""), request.user)
    return JsonResponse(
        {
            "orders": [
                {
                    "number": o.tracking_number,
                    "url": reverse("hotline_order", args=[o.pk]),
                    "received": timezone.localtime(o.received_at).strftime("%Y-%m-%d %H:%M"),
                    "category": o.category.path if o.category else "",
                    "summary": o.summary,
                    "state": o.get_outcome_display()
                    if o.outcome != Outcome.DISPATCH
                    else o.get_dispatch_state_display(),
                    "unit": o.lead_unit.name if o.lead_unit else "",
                }
                for o in rows
            ]
        }
    )


# -- the workbench -----------------------------------------------------------------------------------------------

STATUS_CSS = {
    ClockStatus.NORMAL: "normal",
    ClockStatus.WARNING: "warning",
    ClockStatus.OVERDUE: "overdue",
    ClockStatus.DONE_ON_TIME: "done",
    ClockStatus.DONE_LATE: "late",
}


def _status(order: WorkOrder) -> dict[str, Any] | None:
    status = read.handle_status(order)
    if status is None:
        return None
    return {"label": ClockStatus(status).label, "css": STATUS_CSS[ClockStatus(status)]}


class OrderListView(HotlinePage):
    template_name = "interaction/admin/order_list.html"
    page_title = "12345工单"
    crumbs = [("", "工单")]

    def get(self, request: HttpRequest) -> HttpResponse:
        state = request.GET.get("state", "")
        status = request.GET.get("status", "")
        queue = request.GET.get("queue", "")
        qs = workbench(
            request.user,
            state=state if state in DispatchState.values else "",
            status=status if status in ("normal", "warning", "overdue") else "",
            queue=queue if queue in ("unsigned", "intake") else "",
            query=request.GET.get("q", ""),
        )
        page = Paginator(qs, 30).get_page(request.GET.get("page"))
        rows = [(order, _status(order), mask_phone(order.caller_phone)) for order in page]
        return self.render_to_response(
            self.get_context_data(
                page_obj=page,
                rows=rows,
                states=DispatchState.choices,
                selected={"state": state, "status": status, "queue": queue, "q": request.GET.get("q", "")},
            )
        )


# -- a work order ------------------------------------------------------------------------------------------------


def _is_member(user: Any, organization: Organization) -> bool:
    own = getattr(user, "organization", None)
    return user.is_superuser or (own is not None and organization.path.startswith(own.path))


def _available(order: WorkOrder, user: Any) -> list[tuple[str, str, Any]]:
    """(action, label, target) the viewer may take now."""
    actions: list[tuple[str, str, Any]] = []
    state = order.dispatch_state
    if user.has_perm(engine.HANDLE):
        for assignment in read.assignments(order).filter(
            state__in=[AssignmentState.DISPATCHED, AssignmentState.SIGNED]
        ):
            if not _is_member(user, assignment.organization):
                continue
            suffix = f"（{assignment.organization.name}，{assignment.get_role_display()}）"
            if assignment.state == AssignmentState.DISPATCHED:
                actions.append(("sign", "签收" + suffix, assignment))
            if assignment.role == AssignmentRole.LEAD and state != DispatchState.HANDLING:
                continue
            actions.append(("return", "退单" + suffix, assignment))
            if assignment.state == AssignmentState.SIGNED:
                actions.append(
                    (
                        "reply",
                        ("答复" if assignment.role == AssignmentRole.LEAD else "协办意见") + suffix,
                        assignment,
                    )
                )
                if assignment.role == AssignmentRole.LEAD and read.pending_extension(order) is None:
                    actions.append(("extend", "申请延期" + suffix, assignment))
    if user.has_perm(engine.DISPATCH):
        if state in (DispatchState.PENDING, DispatchState.HANDLING) and order.outcome == Outcome.DISPATCH:
            actions.append(("dispatch", "派单（主办或协办）", None))
        pending = read.pending_reply(order)
        if pending is not None and state == DispatchState.REPLIED:
            actions.append(("review", "审核答复", pending))
        if state in (DispatchState.CALLBACK, DispatchState.FINISHED):
            actions.append(("callback", "回访", None))
        if state == DispatchState.CALLBACK:
            actions.append(("redo", "退回重办", None))
            actions.append(("finish", "办结", None))
        if order.is_dispatch_open and order.outcome == Outcome.DISPATCH:
            actions.append(("merge", "并单", None))
    if user.has_perm(engine.SUPERVISE):
        for assignment in read.assignments(order).filter(state=AssignmentState.RETURN_REQUESTED):
            actions.append(("decide_return", f"退单审核（{assignment.organization.name}）", assignment))
        for assignment in read.assignments(order).filter(
            state__in=[AssignmentState.DISPATCHED, AssignmentState.SIGNED]
        ):
            actions.append(("redispatch", f"改派（{assignment.organization.name}）", assignment))
        extension = read.pending_extension(order)
        if extension is not None:
            actions.append(("decide_extension", f"延期审批（{extension.workdays}个工作日）", extension))
        if order.is_dispatch_open and engine.overdue_parts(order):
            actions.append(("urge", "督办", None))
    return actions


FORMS = {
    "sign": f.EmptyForm,
    "return": f.ReasonForm,
    "reply": f.ReplyForm,
    "extend": f.ExtensionForm,
    "dispatch": f.DispatchForm,
    "review": f.ReviewForm,
    "callback": f.CallbackForm,
    "redo": f.ReasonForm,
    "finish": f.EmptyForm,
    "merge": f.MergeForm,
    "decide_return": f.DecisionForm,
    "redispatch": f.RedispatchForm,
    "decide_extension": f.DecisionForm,
    "urge": f.NoteForm,
}


def _perform(action: str, order: WorkOrder, target: Any, data: dict[str, Any], user: Any, files: Any) -> str:
    if action == "sign":
        engine.sign_assignment(assignment=target, actor=user)
        return "已签收"
    if action == "return":
        engine.request_return(assignment=target, reason=data["reason"], actor=user)
        return "已提交退单申请，待热线审核"
    if action == "reply":
        engine.reply_case(
            assignment=target, text=data["text"], actor=user, attachments=data.get("attachments") or []
        )
        return "已答复，待热线审核" if target.role == AssignmentRole.LEAD else "已提交协办意见"
    if action == "extend":
        engine.request_extension(case=order, workdays=data["workdays"], reason=data["reason"], actor=user)
        return "已提交延期申请"
    if action == "dispatch":
        engine.dispatch_case(
            case=order,
            unit=data["unit"],
            role=data["role"],
            actor=user,
            catalog_units=order.category.catalog() if order.category else None,
            outside_catalog_reason=data.get("outside_catalog_reason") or "",
            instructions=data.get("instructions") or "",
        )
        return "已派单"
    if action == "review":
        engine.review_reply(
            reply=target, accept=data["decision"] == "accept", note=data.get("note") or "", actor=user
        )
        return "答复审核通过" if data["decision"] == "accept" else "已退回重办"
    if action == "callback":
        engine.record_callback(case=order, rating=data["rating"], note=data.get("note") or "", actor=user)
        return "已记录回访"
    if action == "redo":
        engine.redo_case(case=order, reason=data["reason"], actor=user)
        return "已退回重办"
    if action == "finish":
        engine.finish_case(case=order, actor=user)
        return "已办结"
    if action == "merge":
        into = orders_for(user).filter(tracking_number=data["into"].strip().upper()).first()
        if into is None:
            raise ValidationError({"into": "找不到该工单编号。"})
        engine.merge_case(case=order, into=into, reason=data["reason"], actor=user)
        return f"已并入 {into.tracking_number}"
    if action == "decide_return":
        engine.decide_return(
            assignment=target, approve=data["decision"] == "approve", note=data.get("note") or "", actor=user
        )
        return "已审核退单"
    if action == "redispatch":
        engine.redispatch(
            assignment=target,
            unit=data["unit"],
            reason=data["reason"],
            actor=user,
            catalog_units=order.category.catalog() if order.category else None,
            outside_catalog_reason=data.get("outside_catalog_reason") or "",
        )
        return "已改派"
    if action == "decide_extension":
        engine.decide_extension(
            extension=target, approve=data["decision"] == "approve", note=data.get("note") or "", actor=user
        )
        return "已审批延期"
    if action == "urge":
        engine.urge_case(case=order, note=data.get("note") or "", actor=user)
        return "已督办"
    raise ValidationError("未知的操作。")


class OrderDetailView(HotlinePage):
    template_name = "interaction/admin/order_detail.html"

    def get_page_title(self):
        return f"12345工单 {self.order.tracking_number}"

    def get_crumbs(self):
        return [(reverse("hotline_orders"), "工单"), ("", self.order.tracking_number)]

    def _load(self, request: HttpRequest, pk: int) -> None:
        self.order = get_object_in_scope_or_404(
            WorkOrder.objects.select_related(
                "category", "lead_unit", "handle_clock", "operator", "knowledge_entry"
            ),
            request.user,
            pk=pk,
            org_field=ORG_FIELD,
        )

    def _render(
        self, request: HttpRequest, bound: dict[str, Any] | None = None, status: int = 200
    ) -> HttpResponse:
        order = self.order
        actions = []
        for index, (name, label, target) in enumerate(_available(order, request.user)):
            key = f"{name}-{getattr(target, 'pk', 0)}"
            form = (bound or {}).get(key) or FORMS[name](prefix=key)
            actions.append(
                {
                    "name": name,
                    "label": label,
                    "key": key,
                    "target": getattr(target, "pk", ""),
                    "form": form,
                    "index": index,
                    "multipart": name == "reply",
                }
            )
        if order.caller_phone or order.caller_name:
            audit(actor=request.user, action="interaction.hotline.view_caller", target=order, request=request)
        response = self.render_to_response(
            self.get_context_data(
                order=order,
                status=_status(order),
                clocks=read.case_clocks(order),
                assignments=read.assignments(order),
                replies=read.replies(order),
                extensions=read.extensions(order),
                callbacks=read.callbacks(order),
                events=read.timeline(order),
                actions=actions,
                referral=referrals().get(order.referral),
            )
        )
        response.status_code = status
        return response

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self._load(request, pk)
        return self._render(request)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self._load(request, pk)
        name = request.POST.get("action", "")
        target_pk = request.POST.get("target", "")
        available = {
            (n, str(getattr(t, "pk", ""))): (n, t) for n, _label, t in _available(self.order, request.user)
        }
        if (name, target_pk) not in available:
            messages.error(request, "该操作不适用于当前办理状态或您的角色，请刷新页面后重试。")
            return HttpResponseRedirect(request.path)
        _, target = available[(name, target_pk)]
        key = f"{name}-{target_pk or 0}"
        form = FORMS[name](request.POST, request.FILES, prefix=key)
        if form.is_valid():
            try:
                message = _perform(name, self.order, target, form.cleaned_data, request.user, request.FILES)
            except ValidationError as exc:
                f.apply_service_errors(form, exc)
            else:
                messages.success(request, message + "。")
                return HttpResponseRedirect(request.path)
        return self._render(request, {key: form}, status=400)


def reply_attachment(request: HttpRequest, pk: int) -> FileResponse:
    require(request, VIEW)
    attachment = get_object_or_404(ReplyAttachment.objects.select_related("reply"), pk=pk)
    order = attachment.reply.case
    if not isinstance(order, WorkOrder) or not is_in_scope(order, request.user, ORG_FIELD):
        raise Http404
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


def order_json(request: HttpRequest, pk: int) -> JsonResponse:
    """A work order's clocks as the workbench polls them (keeps the page's badges current)."""
    require(request, VIEW)
    order = get_object_in_scope_or_404(WorkOrder.objects.all(), request.user, pk=pk, org_field=ORG_FIELD)
    return JsonResponse(
        {
            "number": order.tracking_number,
            "state": order.get_dispatch_state_display(),
            "clocks": [
                {
                    "stage": c.stage,
                    "who": c.who,
                    "status": c.overview.status.label,
                    "remaining": c.overview.remaining_text,
                }
                for c in read.case_clocks(order)
            ],
            "caller": mask_name(order.caller_name),
        },
        json_dumps_params={"ensure_ascii": False},
    )


def scoped_units(user: Any):
    return scope_queryset(Organization.objects.filter(is_active=True), user, org_field="").order_by("path")
