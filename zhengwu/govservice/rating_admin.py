"""好差评 in the staff admin: the ratings of one's scope, and one 差评整改 with the actions the person may take
(the rated unit: 回访核实, 整改报告, 延期, 申诉; the 好差评 office: 审核, 回访, 重办, 办结, 申诉复核, 督办)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views import View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from zhengwu.core.models import CaseReply, DispatchEvent
from zhengwu.core.models.dispatch import AssignmentRole, AssignmentState, DispatchState, ReplyState
from zhengwu.core.scoping import scope_queryset
from zhengwu.core.services import dispatch as engine
from zhengwu.interaction import forms as f

from . import rules
from .models import AppealState, RatingChannel, RatingStatus, Rectification, ServiceRating
from .services import ratings as svc

VIEW_RATINGS = "govservice.view_servicerating"


class VerifyForm(forms.Form):
    note = forms.CharField(
        label="回访核实情况",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="联系评价人的时间、方式，核实的情况。",
    )


class ReportForm(f.ReplyForm):
    text = forms.CharField(
        label="整改情况",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text="整改措施和结果。",
    )


class AppealForm(forms.Form):
    kind = forms.ChoiceField(label="申诉类型", choices=[])
    text = forms.CharField(label="申诉理由和依据", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "请选择")] + [(k, k) for k in svc._rules()["appeal_kinds"]]


class AppealDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="复核结果",
        choices=[("upheld", "申诉成立（差评不计入统计，撤销整改）"), ("refused", "申诉不成立（继续整改）")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="复核意见", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class FollowUpForm(f.CallbackForm):
    note = forms.CharField(label="回访记录（评价人对整改的意见）", max_length=500, required=False)


ACTION_FORMS = {
    "verify": VerifyForm,
    "report": ReportForm,
    "extend": f.ExtensionForm,
    "appeal": AppealForm,
    "review": f.ReviewForm,
    "callback": FollowUpForm,
    "redo": f.ReasonForm,
    "finish": f.EmptyForm,
    "decide_appeal": AppealDecisionForm,
    "urge": f.NoteForm,
}


def _office(user: Any) -> bool:
    return user.has_perm(svc.HANDLE_RATINGS) and user.has_perm(engine.DISPATCH)


def _actions(user: Any, rectification: Rectification) -> list[tuple[str, str, Any]]:
    actions: list[tuple[str, str, Any]] = []
    state = rectification.dispatch_state
    if user.has_perm(engine.HANDLE) and getattr(user, "organization", None) is not None:
        own = user.organization.path
        for assignment in engine.current_assignments(rectification).select_related("organization"):
            if not (user.is_superuser or assignment.organization.path.startswith(own)):
                continue
            if assignment.state == AssignmentState.DISPATCHED:
                actions.append(("verify", "回访核实并签收", assignment))
            elif assignment.state == AssignmentState.SIGNED and state == DispatchState.HANDLING:
                if assignment.role == AssignmentRole.LEAD:
                    actions.append(("report", "报告整改情况", assignment))
                    actions.append(("extend", "申请延期", assignment))
            if assignment.role == AssignmentRole.LEAD and not rectification.appeal_state:
                actions.append(("appeal", "申诉（误评、恶意差评）", assignment))
    if _office(user):
        if rectification.appeal_state == AppealState.PENDING:
            actions.append(("decide_appeal", "申诉复核", None))
        pending = CaseReply.objects.filter(
            content_type=engine._content_type(rectification),
            object_id=rectification.pk,
            state=ReplyState.PENDING,
        ).first()
        if state == DispatchState.REPLIED and pending is not None:
            actions.append(("review", "审核整改情况", pending))
        if state == DispatchState.CALLBACK:
            actions.append(("callback", "回访评价人", None))
            actions.append(("redo", "退回重新整改", None))
            if rectification.visit_count:
                actions.append(("finish", "办结", None))
    if (
        user.has_perm(engine.SUPERVISE)
        and _office(user)
        and rectification.is_dispatch_open
        and engine.overdue_parts(rectification)
    ):
        actions.append(("urge", "督办", None))
    return actions


def _perform(code: str, rectification: Rectification, target: Any, data: dict[str, Any], user: Any) -> str:
    if code == "verify":
        svc.verify(rectification=rectification, note=data["note"], actor=user)
        return "已记录回访核实情况并签收"
    if code == "report":
        svc.report(
            rectification=rectification,
            text=data["text"],
            attachments=data.get("attachments") or [],
            actor=user,
        )
        return "整改情况已报告，待审核"
    if code == "extend":
        engine.request_extension(
            case=rectification, workdays=data["workdays"], reason=data["reason"], actor=user
        )
        return "已申请延期"
    if code == "appeal":
        svc.appeal(rectification=rectification, kind=data["kind"], text=data["text"], actor=user)
        return "已提出申诉，待复核"
    if code == "review":
        accept = data["decision"] == "accept"
        engine.review_reply(reply=target, accept=accept, note=data.get("note") or "", actor=user)
        return "整改情况审核通过，请回访评价人" if accept else "已退回重新整改"
    if code == "callback":
        engine.record_callback(
            case=rectification, rating=data["rating"], note=data.get("note") or "", actor=user
        )
        return "已记录回访"
    if code == "redo":
        engine.redo_case(case=rectification, reason=data["reason"], actor=user)
        return "已退回重新整改"
    if code == "finish":
        engine.finish_case(case=rectification, actor=user)
        return "已办结"
    if code == "decide_appeal":
        svc.decide_appeal(
            rectification=rectification, upheld=data["decision"] == "upheld", note=data["note"], actor=user
        )
        return "复核意见已记录"
    if code == "urge":
        engine.urge_case(case=rectification, note=data.get("note") or "", actor=user)
        return "已督办"
    raise ValidationError("未知的操作。")


class _RatingPage(WagtailAdminTemplateMixin, View):
    header_icon = "pick"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any):
        if not request.user.has_perm(VIEW_RATINGS):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": reverse("govservice_rating_list"), "label": "好差评"}]


def visible_ratings(user: Any):
    return scope_queryset(
        ServiceRating.objects.select_related("version", "organization", "rectification", "application"), user
    )


QUEUES = {
    "bad": ("差评", Q(level__in=rules.bad_rating_levels())),
    "open": ("整改中", Q(rectification__dispatch_state__in=engine.OPEN_DISPATCH_STATES)),
    "appeal": ("申诉待复核", Q(rectification__appeal_state=AppealState.PENDING)),
    "void": ("申诉成立", Q(status=RatingStatus.VOID)),
}


class RatingListView(_RatingPage):
    template_name = "govservice/admin/ratings.html"
    page_title = "好差评"

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = visible_ratings(request.user)
        queue = request.GET.get("queue", "")
        if queue in QUEUES:
            qs = qs.filter(QUEUES[queue][1])
        channel = request.GET.get("channel", "")
        if channel in RatingChannel.values:
            qs = qs.filter(channel=channel)
        q = request.GET.get("q", "").strip()[:40]
        if q:
            qs = qs.filter(
                Q(version__name__icontains=q)
                | Q(rectification__tracking_number__icontains=q)
                | Q(application__tracking_number__icontains=q)
            )
        page = Paginator(qs.order_by("-rated_at", "-pk"), 30).get_page(request.GET.get("page"))
        return self.render_to_response(
            self.get_context_data(
                page_obj=page,
                queues=[(k, v[0]) for k, v in QUEUES.items()],
                queue=queue,
                channels=RatingChannel.choices,
                channel=channel,
                q=q,
            )
        )


class RectificationView(_RatingPage):
    template_name = "govservice/admin/rectification.html"

    def get_page_title(self):
        return f"差评整改 {self.rectification.tracking_number}"

    def _load(self, request: HttpRequest, pk: int) -> None:
        rating = visible_ratings(request.user).filter(rectification__pk=pk).first()
        if rating is None:
            raise Http404("该差评整改不存在或您无权查看。")
        self.rectification = Rectification.objects.select_related(
            "rating__version", "rating__organization"
        ).get(pk=pk)

    def _render(
        self, request: HttpRequest, bound: dict[int, Any] | None = None, status: int = 200
    ) -> HttpResponse:
        rectification = self.rectification
        actions = []
        for index, (code, label, _target) in enumerate(_actions(request.user, rectification)):
            form = (bound or {}).get(index) or ACTION_FORMS[code](prefix=f"a{index}")
            actions.append({"index": index, "code": code, "label": label, "form": form})
        ct = {"content_type": engine._content_type(rectification), "object_id": rectification.pk}
        return self.render_to_response(
            self.get_context_data(
                rectification=rectification,
                rating=rectification.rating,
                actions=actions,
                replies=CaseReply.objects.filter(**ct).select_related("organization").order_by("pk"),
                events=DispatchEvent.objects.filter(**ct).order_by("at", "pk"),
                overdue=engine.overdue_parts(rectification) if rectification.is_dispatch_open else [],
                may_see_rater=_office(request.user) or request.user.has_perm(engine.HANDLE),
            ),
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self._load(request, pk)
        return self._render(request)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self._load(request, pk)
        available = _actions(request.user, self.rectification)
        try:
            index = int(request.POST.get("action", ""))
            code, _label, target = available[index]
        except (ValueError, IndexError):
            messages.error(request, "该操作已不可用，页面已刷新。")
            return HttpResponseRedirect(request.path)
        form = ACTION_FORMS[code](request.POST, request.FILES, prefix=f"a{index}")
        if form.is_valid():
            try:
                done = _perform(code, self.rectification, target, form.cleaned_data, request.user)
            except ValidationError as exc:
                f.apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or "您没有该操作的权限。")
            else:
                messages.success(request, done)
                return HttpResponseRedirect(request.path)
        return self._render(request, bound={index: form}, status=400)
