"""机构改革 in the Wagtail admin: the record of reforms with what still points at a vanished organization, and the
form that previews an act (every object that would move, and where) before it is confirmed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.views import View
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ..models import Organization, OrganizationKind, Reorganization, ReorgKind
from ..selectors.reorg import redirect_figures, vanished_references
from ..services import reorg

PERMISSION = reorg.PERMISSION


def _require(request: HttpRequest) -> None:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


class OrgChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return f"{'　' * obj.depth}{obj.name}（{obj.code}）"


class OrgMultipleChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return f"{'　' * obj.depth}{obj.name}（{obj.code}）"


def _active() -> Any:
    return Organization.objects.filter(is_active=True, ceased_on__isnull=True).order_by("path")


class ReorgForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=ReorgKind.choices)
    organizations = OrgMultipleChoice(
        label="原机构",
        queryset=_active(),
        required=False,
        help_text="合并、并入时选择将撤销的机构（可多选）；拆分、更名、调整隶属关系时选择一个机构。",
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    successor = OrgChoice(
        label="承接的已有机构", queryset=_active(), required=False, help_text="并入时必选。"
    )
    successors = OrgMultipleChoice(
        label="拆分给（已有机构）",
        queryset=_active(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    new_name = forms.CharField(label="新设机构名称", max_length=100, required=False)
    new_code = forms.CharField(label="新设机构编码", max_length=12, required=False)
    new_credit_code = forms.CharField(label="新设机构统一社会信用代码", max_length=18, required=False)
    new_parent = OrgChoice(
        label="新设机构的上级机构", queryset=_active(), required=False, help_text="默认为原机构的上级。"
    )
    new_kind = forms.ChoiceField(label="新设机构类型", choices=OrganizationKind.choices, initial="department")
    split_new = forms.CharField(
        label="拆分新设机构",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="每行一个，写成 名称:编码。",
    )
    placement = forms.CharField(
        label="逐项去向",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="拆分时每行一项，写成 事项=承接机构编码（事项见预览中的方括号）；未写的归第一个承接机构。",
    )
    rename_to = forms.CharField(label="新名称", max_length=100, required=False)
    move_parent = OrgChoice(label="新的上级机构", queryset=_active(), required=False)
    effective_on = forms.DateField(label="生效日期", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="原因", widget=forms.Textarea(attrs={"rows": 2}))
    basis = forms.CharField(label="批准文件", max_length=200, required=False)

    def plan(self) -> reorg.ReorgPlan:
        data = self.cleaned_data
        kind = data["kind"]
        orgs = list(data["organizations"])
        common = dict(effective_on=data["effective_on"], reason=data["reason"], basis=data["basis"])
        if kind in (ReorgKind.MERGE, ReorgKind.ABSORB):
            successor: reorg.Target | None = data["successor"]
            if kind == ReorgKind.MERGE and data["new_name"].strip():
                parent = data["new_parent"] or (orgs[0].parent if orgs else None)
                if parent is None:
                    raise ValidationError("请选择新设机构的上级机构。")
                successor = reorg.NewOrganization(
                    name=data["new_name"],
                    code=data["new_code"],
                    parent=parent,
                    kind=data["new_kind"],
                    credit_code=data["new_credit_code"] or None,
                )
            if successor is None:
                raise ValidationError("请选择承接的已有机构，或填写新设机构的名称和编码。")
            return reorg.plan_merge(
                predecessors=orgs, successor=successor, absorb=kind == ReorgKind.ABSORB, **common
            )
        if len(orgs) != 1:
            raise ValidationError("拆分、更名、调整隶属关系时请只选择一个原机构。")
        org = orgs[0]
        if kind == ReorgKind.SPLIT:
            successors: list[reorg.Target] = list(data["successors"])
            for line in data["split_new"].splitlines():
                if not line.strip():
                    continue
                name, _, code = line.strip().rpartition(":")
                if not name or not code:
                    raise ValidationError(f"拆分新设机构“{line.strip()}”格式不对，应写成 名称:编码。")
                successors.append(reorg.NewOrganization(name=name, code=code, parent=org.parent))
            placement = {}
            for line in data["placement"].splitlines():
                if not line.strip():
                    continue
                ref, sep, code = line.strip().rpartition("=")
                if not sep or not ref or not code:
                    raise ValidationError(f"逐项去向“{line.strip()}”格式不对，应写成 事项=承接机构编码。")
                placement[ref.strip()] = code.strip()
            return reorg.plan_split(predecessor=org, successors=successors, placement=placement, **common)
        if kind == ReorgKind.RENAME:
            return reorg.plan_rename(org=org, name=data["rename_to"], **common)
        if data["move_parent"] is None:
            raise ValidationError("请选择新的上级机构。")
        return reorg.plan_move(org=org, new_parent=data["move_parent"], **common)


class ReorgIndexView(WagtailAdminTemplateMixin, View):
    template_name = "core/reorg/index.html"
    page_title = "机构改革"
    header_icon = "list-ul"

    def get(self, request: HttpRequest) -> HttpResponse:
        _require(request)
        reforms = Reorganization.objects.select_related("organization", "performed_by")[:200]
        return self.render_to_response(
            self.get_context_data(
                reforms=reforms,
                left_behind=vanished_references(),
                redirects=redirect_figures(),
                new_url=reverse("core_reorg_new"),
            )
        )

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": "机构改革"}]


class ReorgNewView(WagtailAdminTemplateMixin, View):
    """GET: the form. POST: preview (nothing written); POST with ``confirm`` and the preview's fingerprint: do it."""

    template_name = "core/reorg/new.html"
    page_title = "新的机构改革"
    header_icon = "list-ul"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("core_reorg_index"), "label": "机构改革"},
            {"url": "", "label": self.page_title},
        ]

    def _render(
        self, request: HttpRequest, form: ReorgForm, plan: Any = None, status: int = 200
    ) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form, plan=plan), status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        _require(request)
        return self._render(request, ReorgForm(initial={"effective_on": reorg.today()}))

    def post(self, request: HttpRequest) -> HttpResponse:
        _require(request)
        form = ReorgForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        try:
            plan = form.plan()
            if request.POST.get("confirm"):
                reform = reorg.execute(
                    plan=plan,
                    actor=request.user,
                    request=request,
                    expected_fingerprint=request.POST.get("fingerprint", ""),
                )
                messages.success(request, f"已完成{reform.get_kind_display()}：{reform.organization.name}。")
                return HttpResponseRedirect(reverse("core_reorg_index"))
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self._render(request, form, status=400)
        return self._render(request, form, plan=plan)


@hooks.register("register_admin_urls")
def register_reorg_urls():
    return [
        path("reorganization/", ReorgIndexView.as_view(), name="core_reorg_index"),
        path("reorganization/new/", ReorgNewView.as_view(), name="core_reorg_new"),
    ]


class ReorgMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return request.user.has_perm(PERMISSION)


@hooks.register("register_settings_menu_item")
def register_reorg_menu_item():
    return ReorgMenuItem(
        "机构改革", reverse("core_reorg_index"), name="reorganization", icon_name="list-ul", order=595
    )
