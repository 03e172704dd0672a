"""公文 in the staff admin: 发文 (drafts and their steps), 收文 (received documents and their handling), the
registers, search and statistics. Each page shows only the actions the person may take now."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from zhengwu.core.models import Organization, Staff
from zhengwu.interaction import forms as f

from .models import (
    KIND_CHOICES,
    HandlingMode,
    IncomingDocument,
    IncomingState,
    OutgoingDocument,
    OutgoingStep,
    SecretLevel,
    Urgency,
)
from .services import workflow as wf

OA_PERMS = (wf.DRAFT, wf.REVIEW, wf.SIGN, wf.HANDLE)


def _orgs():
    return Organization.objects.filter(is_active=True).order_by("path")


class OrgChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class StaffChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_full_name()}（{obj.organization.name if obj.organization else ''}）"


class OneStaff(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_full_name()}（{obj.organization.name if obj.organization else ''}）"


class OneOrg(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class DraftForm(forms.Form):
    organization = OneOrg(label="发文机关（主办）", queryset=Organization.objects.none(), empty_label=None)
    kind = forms.ChoiceField(label="文种", choices=[("", "请选择"), *KIND_CHOICES])
    form = forms.ChoiceField(
        label="格式",
        choices=[
            ("", "按文种（纪要用纪要格式，其余用文件格式）"),
            ("文件", "文件格式"),
            ("信函", "信函格式"),
            ("纪要", "纪要格式"),
        ],
        required=False,
    )
    title = forms.CharField(label="标题", max_length=200, help_text="发文机关名称 + 事由 + 文种。")
    body = forms.CharField(
        label="正文",
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=60000,
        help_text="每段一行；以 # 开头的行为一级标题，## 二级，### 三级，#### 四级（序数“一、（一）1.（1）”自动编排）。",
    )
    attachments = forms.CharField(
        label="附件说明",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="每行一个附件名称，不加标点。",
    )
    to_orgs = OrgChoice(label="主送机关", queryset=Organization.objects.none(), required=False)
    to_outside = forms.CharField(
        label="主送机关（平台外）", max_length=300, required=False, help_text="多个用顿号“、”分隔。"
    )
    cc_orgs = OrgChoice(label="抄送机关", queryset=Organization.objects.none(), required=False)
    cc_outside = forms.CharField(label="抄送机关（平台外）", max_length=300, required=False)
    co_issuers = OrgChoice(label="联合发文机关", queryset=Organization.objects.none(), required=False)
    secret_level = forms.ChoiceField(label="密级", choices=SecretLevel.choices, required=False)
    secret_term = forms.CharField(label="保密期限", max_length=20, required=False)
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, required=False)
    note = forms.CharField(label="附注", max_length=200, required=False, help_text="如联系人和电话。")
    printer = forms.CharField(
        label="印发机关", max_length=100, required=False, help_text="留空时为主办机关。"
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        own = getattr(user, "organization", None)
        self.fields["organization"].queryset = Organization.objects.filter(
            Q(pk=getattr(own, "pk", None)) | Q(oa_profile__office=own)
        ).order_by("path")
        self.fields["organization"].help_text = "以本机关或本办公室代办的机关（如县人民政府）的名义发文。"
        for name in ("to_orgs", "cc_orgs", "co_issuers"):
            self.fields[name].queryset = _orgs()
            self.fields[name].widget.attrs["size"] = 8

    def clean_body(self):
        blocks = wf.body_from_text(self.cleaned_data["body"])
        if not blocks:
            raise ValidationError("正文不能为空。")
        return blocks

    def clean_attachments(self):
        return [line.strip() for line in self.cleaned_data["attachments"].splitlines() if line.strip()]

    def clean(self):
        data = super().clean()
        names = {
            label: [
                n.strip()
                for n in (data.pop(field, "") or "").replace(",", "、").replace("，", "、").split("、")
                if n.strip()
            ]
            for label, field in (("出席", "present"), ("请假", "absent"), ("列席", "attending"))
        }
        data["attendance"] = {k: v for k, v in names.items() if v}
        return data


class EditForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    body = forms.CharField(label="正文", widget=forms.Textarea(attrs={"rows": 14}), max_length=60000)
    note = forms.CharField(label="修改说明", max_length=300, required=False)

    def clean_body(self):
        return wf.body_from_text(self.cleaned_data["body"])


class ReviewersForm(forms.Form):
    reviewers = StaffChoice(label="核稿人", queryset=Staff.objects.none())

    def __init__(self, *args: Any, document: OutgoingDocument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = Staff.objects.filter(is_active=True, organization__isnull=False).select_related(
            "organization"
        )
        self.fields["reviewers"].queryset = Staff.objects.filter(
            pk__in=[
                p.pk
                for p in people
                if p.pk != document.drafter_id
                and p.has_perm(wf.REVIEW)
                and wf._above_or_in(p, document.organization)
            ]
        )


class OpinionForm(forms.Form):
    opinion = forms.CharField(
        label="意见", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SignForm(OpinionForm):
    circled = forms.BooleanField(label="圈阅（同意，不另写意见）", required=False)


class RegisterForm(forms.Form):
    copies = forms.IntegerField(label="印制份数", min_value=1, max_value=100000)


class SealForm(forms.Form):
    seal = forms.ModelChoiceField(label="印章", queryset=None, required=False)

    def __init__(self, *args: Any, document: OutgoingDocument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seal"].queryset = wf.usable_seals(document)


class ReturnForm(forms.Form):
    step = forms.ChoiceField(label="退回到", choices=[])
    reason = forms.CharField(label="退回理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, document: OutgoingDocument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = [(s, OutgoingStep(s).label) for s in wf._earlier_steps(document)]


def _readers_field(incoming: IncomingDocument, required: bool = True) -> StaffChoice:
    people = Staff.objects.filter(
        is_active=True, organization__in=[incoming.organization, wf.office_of(incoming.organization)]
    ).select_related("organization")
    return StaffChoice(label="传阅人员", queryset=people, required=required)


class RouteForm(forms.Form):
    mode = forms.ChoiceField(label="承办方式", choices=HandlingMode.choices, widget=forms.RadioSelect)
    readers = StaffChoice(label="传阅人员（阅知）", queryset=Staff.objects.none(), required=False)
    proposal = forms.CharField(
        label="拟办意见（批办）", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    instructor = OneStaff(label="批示负责人（批办）", queryset=Staff.objects.none(), required=False)

    def __init__(self, *args: Any, incoming: IncomingDocument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["readers"].queryset = _readers_field(incoming).queryset
        people = Staff.objects.filter(is_active=True, organization__isnull=False).select_related(
            "organization"
        )
        self.fields["instructor"].queryset = Staff.objects.filter(
            pk__in=[p.pk for p in people if p.has_perm(wf.SIGN) and wf._above_or_in(p, incoming.organization)]
        )


class InstructForm(forms.Form):
    instruction = forms.CharField(label="批示意见", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    lead_unit = OneOrg(label="主办单位", queryset=Organization.objects.none(), required=False)
    assist_units = OrgChoice(label="协办单位", queryset=Organization.objects.none(), required=False)
    readers = StaffChoice(label="传阅人员", queryset=Staff.objects.none(), required=False)

    def __init__(self, *args: Any, incoming: IncomingDocument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = _orgs()
        self.fields["assist_units"].queryset = _orgs()
        self.fields["readers"].queryset = _readers_field(incoming).queryset


class CirculateForm(forms.Form):
    readers = StaffChoice(label="传阅人员", queryset=Staff.objects.none())

    def __init__(self, *args: Any, incoming: IncomingDocument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["readers"].queryset = _readers_field(incoming).queryset


class ReadForm(forms.Form):
    comment = forms.CharField(label="阅文意见", max_length=500, required=False)


class ReplyForm(forms.Form):
    text = forms.CharField(
        label="办理结果（答复）", max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label="退回理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


# ---------------------------------------------------------------------------------------------------------------


class _OaPage(WagtailAdminTemplateMixin, View):
    header_icon = "doc-full-inverse"

    def _post_action(self, request: HttpRequest, target: Any, which: str, actions, make_form, perform):
        """One posted action (``action`` = its index among those the user has now): the form checked, the service
        called, a refusal shown in Chinese with the input kept (400) and audited, success redirected."""
        try:
            index = int(request.POST.get("action", ""))
            code, _label = actions(request.user, target)[index]
        except (ValueError, IndexError):
            messages.error(request, "该操作已不可用，页面已刷新。")
            return HttpResponseRedirect(request.path)
        form = make_form(code, target, request.POST, prefix=f"a{index}")
        if form.is_valid():
            try:
                done = perform(code, target, form.cleaned_data, request.user)
            except ValidationError as exc:
                f.apply_service_errors(form, exc)
                _refused(request.user, which, target, code, exc.messages)
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or "您没有该操作的权限。")
                _refused(request.user, which, target, code, [str(exc)])
            else:
                messages.success(request, done)
                return HttpResponseRedirect(request.path)
        return self._render(request, bound={index: form}, status=400)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any):
        if not any(request.user.has_perm(p) for p in OA_PERMS) and not request.user.oa_reading.exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _refused(user: Any, which: str, target: Any, code: str, reasons: list[str]) -> None:
    """A refused step (a seal out of validity, a missing co-signature, a 涉密 document outside its scope…) is
    audited with its reason; the service's own transaction has rolled back, so this row is written on its own."""
    from zhengwu.core.services.audit import audit

    organization = getattr(target, "organization", None)
    with transaction.atomic():
        audit(
            actor=user,
            action=f"oa.{which}.refused",
            target=target,
            organization=organization,
            detail={"action": code, "reasons": [str(r) for r in reasons][:5]},
        )


def _outgoing_actions(user: Any, d: OutgoingDocument) -> list[tuple[str, str]]:
    actions: list[tuple[str, str]] = []
    step = d.step
    actors = {p.pk for p in wf.current_actors(d)} if step != OutgoingStep.ISSUED else set()
    mine = user.pk in actors
    if step == OutgoingStep.DRAFT and mine:
        actions.append(("submit", "送核稿"))
    elif step == OutgoingStep.REVIEW and mine:
        actions.append(("approve", "核稿通过"))
    elif step == OutgoingStep.COUNTERSIGN and mine:
        actions.append(("countersign", "会签"))
    elif step == OutgoingStep.SIGN and mine:
        actions.append(("sign", "签发"))
    elif step == OutgoingStep.RECHECK and mine:
        actions.append(("recheck", "复核"))
    elif step == OutgoingStep.REGISTER and mine:
        actions.append(("register", "登记（编发文字号）"))
    elif step == OutgoingStep.SEAL and mine:
        actions.append(("seal", "用印"))
    elif step == OutgoingStep.DISTRIBUTE and mine:
        actions.append(("distribute", "核发"))
    if mine and step not in (OutgoingStep.DRAFT, OutgoingStep.ISSUED):
        actions.append(("return", "退回"))
    return actions


def _outgoing_form(code: str, d: OutgoingDocument, data=None, prefix: str = ""):
    kwargs: dict[str, Any] = {"prefix": prefix}
    if code == "submit":
        return ReviewersForm(data, document=d, **kwargs)
    if code in ("approve", "countersign", "recheck"):
        return OpinionForm(data, **kwargs)
    if code == "sign":
        return SignForm(data, **kwargs)
    if code == "register":
        return RegisterForm(data, **kwargs)
    if code == "seal":
        return SealForm(data, document=d, **kwargs)
    if code == "return":
        return ReturnForm(data, document=d, **kwargs)
    return f.EmptyForm(data, **kwargs)


def _perform_outgoing(code: str, d: OutgoingDocument, data: dict, user: Any) -> str:
    if code == "submit":
        wf.submit_for_review(document=d, actor=user, reviewers=data["reviewers"])
        return "已送核稿"
    if code == "approve":
        wf.approve_review(document=d, actor=user, opinion=data.get("opinion") or "")
        return "已核稿"
    if code == "countersign":
        wf.countersign(document=d, actor=user, opinion=data.get("opinion") or "")
        return "已会签"
    if code == "sign":
        wf.sign(
            document=d, actor=user, opinion=data.get("opinion") or "", circled=data.get("circled") or False
        )
        return "已签发"
    if code == "recheck":
        wf.recheck(document=d, actor=user, opinion=data.get("opinion") or "")
        return "已复核"
    if code == "register":
        number = wf.register(document=d, actor=user, copies=data["copies"])
        return f"已登记，发文字号 {number}"
    if code == "seal":
        wf.apply_seal(document=d, actor=user, seal=data.get("seal"))
        return "已用印"
    if code == "distribute":
        rows = wf.distribute(document=d, actor=user)
        return f"已核发至 {len(rows)} 个机关"
    if code == "return":
        wf.return_to(document=d, actor=user, step=data["step"], reason=data["reason"])
        return "已退回"
    raise ValidationError("未知的操作。")


def _revision_changes(revisions: list) -> list:
    """Each revision with the lines it removed and added against the one before (the 核稿 changes, as 修订)."""
    import difflib

    previous = None
    for revision in revisions:
        lines = [revision.title, *wf.body_as_text(revision.body).splitlines()]
        revision.removed, revision.added = [], []
        if previous is not None:
            for line in difflib.ndiff(previous, lines):
                if line.startswith("- "):
                    revision.removed.append(line[2:])
                elif line.startswith("+ "):
                    revision.added.append(line[2:])
        previous = lines
    return revisions


OUT_QUEUES = {"todo": "待我办理", "mine": "我起草的", "issued": "已核发"}


class OutgoingListView(_OaPage):
    template_name = "oa/admin/outgoing_list.html"
    page_title = "发文"

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = wf.visible_outgoing(request.user)
        queue = request.GET.get("queue", "")
        if queue == "mine":
            qs = qs.filter(drafter=request.user)
        elif queue == "issued":
            qs = qs.filter(step=OutgoingStep.ISSUED)
        q = request.GET.get("q", "").strip()[:60]
        if q:
            qs = wf.search(qs, q)
        rows = list(qs.order_by("-created_at", "-pk")[:2000])
        if queue == "todo":
            rows = [d for d in rows if d.step != OutgoingStep.ISSUED and request.user in wf.current_actors(d)]
        page = Paginator(rows, 30).get_page(request.GET.get("page"))
        return self.render_to_response(
            self.get_context_data(
                page_obj=page,
                queues=list(OUT_QUEUES.items()),
                queue=queue,
                q=q,
                may_draft=request.user.has_perm(wf.DRAFT),
            )
        )


class DraftCreateView(_OaPage):
    template_name = "oa/admin/draft_form.html"
    page_title = "起草公文"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(wf.DRAFT):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        form = DraftForm(user=request.user, initial={"organization": request.user.organization})
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = DraftForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                document = wf.create_draft(actor=request.user, **data)
            except ValidationError as exc:
                f.apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "草稿已保存")
                return HttpResponseRedirect(reverse("oa_outgoing", args=[document.pk]))
        return self.render_to_response(self.get_context_data(form=form), status=400)


class OutgoingView(_OaPage):
    template_name = "oa/admin/outgoing.html"

    def get_page_title(self):
        return f"发文：{self.document.title}"

    def _load(self, request: HttpRequest, pk: int) -> None:
        document = wf.visible_outgoing(request.user).filter(pk=pk).first()
        if document is None:
            raise Http404("该公文不存在或您无权查看。")
        self.document = document

    def _render(self, request: HttpRequest, bound: dict | None = None, edit_form=None, status: int = 200):
        d = self.document
        actions = []
        for index, (code, label) in enumerate(_outgoing_actions(request.user, d)):
            form = (bound or {}).get(index) or _outgoing_form(code, d, prefix=f"a{index}")
            actions.append({"index": index, "code": code, "label": label, "form": form})
        may_edit = (d.step == OutgoingStep.DRAFT and request.user.pk == d.drafter_id) or (
            d.step == OutgoingStep.REVIEW and request.user in wf.pending_reviewers(d)
        )
        if may_edit and edit_form is None:
            edit_form = EditForm(initial={"title": d.title, "body": wf.body_as_text(d.body)}, prefix="edit")
        return self.render_to_response(
            self.get_context_data(
                document=d,
                actions=actions,
                edit_form=edit_form if may_edit else None,
                events=d.events.select_related("actor", "organization"),
                revisions=_revision_changes(list(d.revisions.select_related("author"))),
                countersigns=d.countersigns.select_related("organization", "signed_by"),
                receipts=d.deliveries.select_related("organization", "received_by").order_by(
                    "copy_type", "pk"
                ),
                waiting=[p.get_full_name() for p in wf.current_actors(d)]
                if d.step != OutgoingStep.ISSUED
                else [],
                to_names="、".join(
                    [o.name for o in d.to_orgs.all()] + ([d.to_outside] if d.to_outside else [])
                ),
                cc_names="、".join(
                    [o.name for o in d.cc_orgs.all()] + ([d.cc_outside] if d.cc_outside else [])
                ),
                co_names="、".join(o.name for o in d.co_issuers.all()),
                may_export=d.step == OutgoingStep.ISSUED
                and not d.secret_level
                and bool(d.to_outside.strip() or d.cc_outside.strip())
                and request.user.has_perm(wf.HANDLE)
                and wf._in(request.user, d.organization),
            ),
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self._load(request, pk)
        return self._render(request)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self._load(request, pk)
        if request.POST.get("action") == "edit":
            form = EditForm(request.POST, prefix="edit")
            if form.is_valid():
                try:
                    wf.edit_draft(document=self.document, actor=request.user, **form.cleaned_data)
                except ValidationError as exc:
                    f.apply_service_errors(form, exc)
                except PermissionDenied as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, "修改已保存为新稿次")
                    return HttpResponseRedirect(request.path)
            return self._render(request, edit_form=form, status=400)
        return self._post_action(
            request, self.document, "outgoing", _outgoing_actions, _outgoing_form, _perform_outgoing
        )


class OutgoingFileView(_OaPage):
    """The document laid out as PDF, DOCX or OFD (the sealed OFD once sealed)."""

    def get(self, request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
        document = wf.visible_outgoing(request.user).filter(pk=pk).first()
        if document is None:
            raise Http404("该公文不存在或您无权查看。")
        return _file_response(document, fmt)


# ---------------------------------------------------------------------------------------------------------------


def _incoming_actions(user: Any, i: IncomingDocument) -> list[tuple[str, str]]:
    actions: list[tuple[str, str]] = []
    office = user.has_perm(wf.HANDLE) and wf._in(user, i.organization)
    state = i.state
    if office:
        if state == IncomingState.DELIVERED:
            actions.append(("receive", "签收"))
        elif state == IncomingState.RECEIVED:
            actions += [("register", "登记"), ("return", "初审退回")]
        elif state == IncomingState.REGISTERED:
            actions += [("route", "承办（阅知或批办）"), ("return", "初审退回")]
        elif state == IncomingState.HANDLING:
            actions += [("circulate", "传阅"), ("urge", "催办")]
        elif state == IncomingState.PROPOSED:
            actions.append(("urge", "催办"))
        if state in (IncomingState.DONE, IncomingState.RETURNED):
            actions.append(("archive", "归档"))
    if state == IncomingState.PROPOSED and i.instructor_id == user.pk and user.has_perm(wf.SIGN):
        actions.append(("instruct", "批示"))
    if i.circulations.filter(reader=user, read_at__isnull=True).exists():
        actions.append(("read", "阅毕"))
    if (
        state == IncomingState.HANDLING
        and user.has_perm(wf.HANDLE)
        and (office or (i.lead_unit and wf._in(user, i.lead_unit)))
    ):
        actions.append(("reply", "答复并办结"))
    return actions


def _incoming_form(code: str, i: IncomingDocument, data=None, prefix: str = ""):
    kwargs: dict[str, Any] = {"prefix": prefix}
    forms_by_code = {
        "return": lambda: ReasonForm(data, **kwargs),
        "route": lambda: RouteForm(data, incoming=i, **kwargs),
        "instruct": lambda: InstructForm(data, incoming=i, **kwargs),
        "circulate": lambda: CirculateForm(data, incoming=i, **kwargs),
        "read": lambda: ReadForm(data, **kwargs),
        "urge": lambda: f.NoteForm(data, **kwargs),
        "reply": lambda: ReplyForm(data, **kwargs),
    }
    return forms_by_code.get(code, lambda: f.EmptyForm(data, **kwargs))()


def _perform_incoming(code: str, i: IncomingDocument, data: dict, user: Any) -> str:
    if code == "receive":
        wf.receive(incoming=i, actor=user)
        return "已签收"
    if code == "register":
        return f"已登记，收文编号 {wf.register_incoming(incoming=i, actor=user)}"
    if code == "return":
        wf.return_incoming(incoming=i, actor=user, reason=data["reason"])
        return "已退回来文机关"
    if code == "route":
        wf.route(
            incoming=i,
            actor=user,
            mode=data["mode"],
            readers=data.get("readers") or [],
            proposal=data.get("proposal") or "",
            instructor=data.get("instructor"),
        )
        return "已分办"
    if code == "instruct":
        wf.instruct(
            incoming=i,
            actor=user,
            instruction=data["instruction"],
            lead_unit=data.get("lead_unit"),
            assist_units=data.get("assist_units") or [],
            readers=data.get("readers") or [],
        )
        return "已批示"
    if code == "circulate":
        return f"已送 {wf.circulate(incoming=i, actor=user, readers=data['readers'])} 人传阅"
    if code == "read":
        wf.mark_read(incoming=i, actor=user, comment=data.get("comment") or "")
        return "已阅"
    if code == "urge":
        wf.urge(incoming=i, actor=user, note=data.get("note") or "")
        return "已催办"
    if code == "reply":
        wf.reply(incoming=i, actor=user, text=data["text"])
        return "已答复并办结"
    if code == "archive":
        wf.archive(incoming=i, actor=user)
        return "已归档"
    raise ValidationError("未知的操作。")


class ExternalForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    sender_name = forms.CharField(label="来文机关", max_length=100)
    source_number = forms.CharField(
        label="来文字号", max_length=40, required=False, help_text="如“皖政办〔2026〕8号”。"
    )
    kind = forms.ChoiceField(label="文种", choices=[("", "请选择"), *KIND_CHOICES])
    secret_level = forms.ChoiceField(label="密级", choices=SecretLevel.choices, required=False)
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, required=False)
    file = forms.FileField(label="来文文件（PDF、OFD 或 DOCX）")


class ExternalCreateView(_OaPage):
    """Registering a document received off the platform (by post, by another system): its file is checked."""

    template_name = "oa/admin/draft_form.html"
    page_title = "平台外来文登记"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(wf.HANDLE):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=ExternalForm(), multipart=True))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ExternalForm(request.POST, request.FILES)
        if form.is_valid():
            data = dict(form.cleaned_data)
            upload = data.pop("file")
            try:
                incoming = wf.register_external(actor=request.user, upload=upload, **data)
            except ValidationError as exc:
                f.apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"已登记，收文编号 {incoming.number}")
                return HttpResponseRedirect(reverse("oa_incoming", args=[incoming.pk]))
        return self.render_to_response(self.get_context_data(form=form, multipart=True), status=400)


IN_QUEUES = {"todo": "待我办理", "read": "待我阅", "overdue": "超过办理时限"}


class IncomingListView(_OaPage):
    template_name = "oa/admin/incoming_list.html"
    page_title = "收文"

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = wf.visible_incoming(request.user)
        queue = request.GET.get("queue", "")
        state = request.GET.get("state", "")
        if state in IncomingState.values:
            qs = qs.filter(state=state)
        if queue == "read":
            qs = qs.filter(circulations__reader=request.user, circulations__read_at__isnull=True)
        elif queue == "overdue":
            qs = qs.filter(
                state__in=[IncomingState.HANDLING, IncomingState.PROPOSED], due_at__lt=timezone.now()
            )
        q = request.GET.get("q", "").strip()[:60]
        if q:
            qs = qs.filter(
                Q(source__in=wf.search(OutgoingDocument.objects.all(), q))
                | Q(title__icontains=q)
                | Q(source_number__icontains=q)
                | Q(sender_name__icontains=q)
            )
        rows = list(qs.order_by("-delivered_at", "-pk")[:2000])
        if queue == "todo":
            rows = [i for i in rows if _incoming_actions(request.user, i)]
        page = Paginator(rows, 30).get_page(request.GET.get("page"))
        return self.render_to_response(
            self.get_context_data(
                page_obj=page,
                queues=list(IN_QUEUES.items()),
                queue=queue,
                states=IncomingState.choices,
                state=state,
                q=q,
                may_register=request.user.has_perm(wf.HANDLE),
                handled=Organization.objects.filter(
                    Q(pk=getattr(request.user.organization, "pk", None))
                    | Q(oa_profile__office=request.user.organization)
                ).order_by("path")
                if request.user.has_perm(wf.HANDLE) and request.user.organization
                else [],
            )
        )


class IncomingView(_OaPage):
    template_name = "oa/admin/incoming.html"

    def get_page_title(self):
        return f"收文：{self.incoming.title}"

    def _load(self, request: HttpRequest, pk: int) -> None:
        incoming = wf.visible_incoming(request.user).filter(pk=pk).first()
        if incoming is None:
            raise Http404("该收文不存在或您无权查看。")
        self.incoming = incoming

    def _render(self, request: HttpRequest, bound: dict | None = None, status: int = 200):
        i = self.incoming
        actions = []
        for index, (code, label) in enumerate(_incoming_actions(request.user, i)):
            form = (bound or {}).get(index) or _incoming_form(code, i, prefix=f"a{index}")
            actions.append({"index": index, "code": code, "label": label, "form": form})
        return self.render_to_response(
            self.get_context_data(
                incoming=i,
                source=i.source,
                actions=actions,
                circulations=i.circulations.select_related("reader", "sent_by"),
                events=i.events.select_related("actor"),
                assist="、".join(o.name for o in i.assist_units.all()),
            ),
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self._load(request, pk)
        return self._render(request)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self._load(request, pk)
        return self._post_action(
            request, self.incoming, "incoming", _incoming_actions, _incoming_form, _perform_incoming
        )


class IncomingFileView(_OaPage):
    """The received document's file as the sender issued it (sealed OFD, or the laid-out PDF)."""

    def get(self, request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
        incoming = wf.visible_incoming(request.user).filter(pk=pk).first()
        if incoming is None:
            raise Http404("该收文不存在或您无权查看。")
        if incoming.source is not None:
            return _file_response(incoming.source, fmt, incoming.copy_number)
        if fmt != "original" or not incoming.file:
            raise Http404("该收文没有此格式的文件。")
        from urllib.parse import quote

        from django.http import FileResponse

        response = FileResponse(incoming.file.open("rb"), content_type="application/octet-stream")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(incoming.file_name)}"
        return response


def _file_response(document: OutgoingDocument, fmt: str, copy_number: str = "") -> HttpResponse:
    from urllib.parse import quote

    from .services.sealing import layout_of

    name = document.number or f"草稿{document.pk}"
    if fmt == "ofd":
        if document.sealed_file:
            content = bytes(document.sealed_file)
        else:
            from .services.render_ofd import render_ofd

            content = render_ofd(layout_of(document, copy_number=copy_number))
        mime = "application/ofd"
    elif fmt == "pdf" and document.sealed_pdf and not copy_number:
        content, mime = bytes(document.sealed_pdf), "application/pdf"
    elif fmt == "pdf.sig" and document.sealed_pdf_signature:
        content, mime = bytes(document.sealed_pdf_signature), "application/octet-stream"
    elif fmt == "pdf":
        from .services.render_pdf import render_pdf

        content, mime = render_pdf(layout_of(document, copy_number=copy_number)), "application/pdf"
    elif fmt == "docx":
        from .services.render_docx import render_docx

        content = render_docx(layout_of(document, copy_number=copy_number))
        mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        raise Http404("不支持的格式。")
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}.{fmt}"
    return response


class OutsidePackageView(_OaPage):
    """The zip for the 主送/抄送 organizations off the platform (sealed OFD, sealed PDF and its .sig, a note)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        document = wf.visible_outgoing(request.user).filter(pk=pk).first()
        if document is None:
            raise Http404("该公文不存在或您无权查看。")
        try:
            content = wf.export_outside(document=document, actor=request.user)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return HttpResponseRedirect(reverse("oa_outgoing", args=[pk]))
        from urllib.parse import quote

        response = HttpResponse(content, content_type="application/zip")
        name = f"{document.number}（平台外分送）.zip"
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response


class RegisterBookView(_OaPage):
    """发文登记簿 / 收文登记簿 of an organization whose documents the user handles, for a year, as .xlsx."""

    def get(self, request: HttpRequest, which: str) -> HttpResponse:
        if not request.user.has_perm(wf.HANDLE) or getattr(request.user, "organization", None) is None:
            raise PermissionDenied
        if which not in ("outgoing", "incoming"):
            raise Http404
        try:
            year = int(request.GET.get("year") or timezone.localdate().year)
        except ValueError:
            year = timezone.localdate().year
        organization = request.user.organization
        if request.GET.get("org"):
            organization = (
                Organization.objects.filter(pk=request.GET["org"]).first()
                if request.GET["org"].isdigit()
                else None
            )
            if organization is None or not wf._in(request.user, organization):
                raise Http404("您不办理该机构的公文。")
        from urllib.parse import quote

        from .services.registers import write_register

        content = write_register(organization=organization, year=year, which=which)
        name = f"{organization.name}{year}年{'发文' if which == 'outgoing' else '收文'}登记簿.xlsx"
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response


def _stats_year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


class StatisticsView(_OaPage):
    template_name = "oa/admin/statistics.html"
    page_title = "公文统计"

    def get(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm(wf.HANDLE) or getattr(request.user, "organization", None) is None:
            raise PermissionDenied
        from .services.registers import statistics

        year = _stats_year(request)
        return self.render_to_response(
            self.get_context_data(
                year=year,
                figures=statistics(
                    organization=request.user.organization,
                    start=dt.date(year, 1, 1),
                    end=dt.date(year, 12, 31),
                ),
            )
        )
