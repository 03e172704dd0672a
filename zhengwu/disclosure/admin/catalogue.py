"""主动公开 in the staff admin: items (create, edit, publish with 保密审查, withdraw), late items (Art. 26), the
公开指南, the 标准目录 and its coverage."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from zhengwu.core.models import Organization
from zhengwu.core.scoping import get_object_in_scope_or_404, scope_queryset

from ..forms import DATE_WIDGET, apply_service_errors
from ..models import (
    DisclosureGuide,
    DisclosureItem,
    Genre,
    ItemStatus,
    StandardCatalogArea,
    StandardCatalogEntry,
    Theme,
)
from ..rules import load, simple_choices
from ..selectors import catalogue as selectors
from ..services import catalogue as services
from ..services.catalogue import GUIDE_FIELDS
from .base import AdminPage, require

VIEW = "disclosure.view_disclosureitem"
ADD = "disclosure.add_disclosureitem"
CHANGE = "disclosure.change_disclosureitem"


def _orgs(user: Any):
    return scope_queryset(Organization.objects.filter(is_active=True), user, org_field="").order_by("path")


class ThemeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Theme) -> str:
        return obj.path_label


class ItemForm(forms.Form):
    organization = forms.ModelChoiceField(label="发布机构", queryset=Organization.objects.none())
    index_number = forms.CharField(
        label="索引号",
        max_length=80,
        required=False,
        help_text="留空自动生成；从原有目录迁移的信息可填写原索引号（不得与已发放的索引号重复）。",
    )
    title = forms.CharField(label="名称", max_length=300)
    summary = forms.CharField(label="内容概述", widget=forms.Textarea(attrs={"rows": 3}))
    body = forms.CharField(label="正文", widget=forms.Textarea(attrs={"rows": 8}), required=False)
    theme = ThemeChoiceField(label="主题分类", queryset=Theme.objects.none())
    genre = forms.ModelChoiceField(label="体裁分类", queryset=Genre.objects.none())
    issuing_authority = forms.CharField(label="发文机关", max_length=100, required=False)
    written_on = forms.DateField(label="成文日期", widget=DATE_WIDGET)
    document_number = forms.CharField(label="文号", max_length=80, required=False)
    validity = forms.ChoiceField(label="有效性", choices=simple_choices("catalogue", "validity"))
    validity_changed_on = forms.DateField(label="失效/废止日期", widget=DATE_WIDGET, required=False)
    five_publics = forms.ChoiceField(
        label="政务五公开", choices=[("", "—"), *simple_choices("catalogue", "five_publics")], required=False
    )
    keywords = forms.CharField(label="主题词", max_length=200, required=False)
    table2_kind = forms.ChoiceField(
        label="年度报告统计类别",
        choices=[("", "不计入"), *simple_choices("catalogue", "table2_kinds")],
        required=False,
    )
    standard_entries = forms.ModelMultipleChoiceField(
        label="标准目录事项", queryset=StandardCatalogEntry.objects.none(), required=False
    )
    attachment = forms.FileField(label="添加附件", required=False)

    def __init__(self, *args: Any, user: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = _orgs(user)
        self.fields["theme"].queryset = Theme.objects.filter(
            parent__isnull=False, is_active=True
        ).select_related("parent")
        self.fields["genre"].queryset = Genre.objects.filter(is_active=True)
        self.fields["standard_entries"].queryset = scope_queryset(
            StandardCatalogEntry.objects.select_related("area"), user
        )
        if editing:
            self.fields["organization"].disabled = True
            self.fields["index_number"].disabled = True

    def item_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data.get(name) for name in services.ITEM_FIELDS}


class ItemListView(AdminPage):
    template_name = "disclosure/admin/item_list.html"
    page_title = "主动公开目录"
    permission = VIEW
    crumbs = [("", "主动公开目录")]

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = scope_queryset(
            DisclosureItem.objects.select_related("organization", "theme__parent", "genre"), request.user
        )
        status = request.GET.get("status", "")
        if status in ItemStatus.values:
            qs = qs.filter(status=status)
        query = request.GET.get("q", "").strip()[:50]
        if query:
            qs = qs.filter(title__icontains=query) | qs.filter(index_number__icontains=query)
        page = Paginator(qs.order_by("-created_at"), 30).get_page(request.GET.get("page"))
        return self.render_to_response(
            self.get_context_data(
                page_obj=page,
                statuses=ItemStatus.choices,
                selected={"status": status, "q": query},
                can_add=request.user.has_perm(ADD),
            )
        )


class ItemEditView(AdminPage):
    template_name = "disclosure/admin/item_form.html"
    permission = VIEW

    def get_page_title(self):
        return self.item.title if self.item else "新建主动公开信息"

    def get_crumbs(self):
        return [(reverse("disclosure_admin_items"), "主动公开目录"), ("", self.get_page_title())]

    def _load(self, request: HttpRequest, pk: int | None) -> None:
        self.item = None
        if pk is not None:
            self.item = get_object_in_scope_or_404(DisclosureItem.objects.all(), request.user, pk=pk)

    def _initial(self) -> dict[str, Any]:
        if self.item is None:
            return {"written_on": timezone.localdate(), "validity": "valid"}
        values = {name: getattr(self.item, name) for name in services.ITEM_FIELDS}
        values.update(
            organization=self.item.organization,
            index_number=self.item.index_number,
            standard_entries=list(self.item.standard_entries.all()),
        )
        return values

    def _render(
        self, request: HttpRequest, form: ItemForm, publish_form: forms.Form | None = None
    ) -> HttpResponse:
        return self.render_to_response(
            self.get_context_data(
                form=form,
                item=self.item,
                publish_form=publish_form or PublishForm(initial={"published_on": timezone.localdate()}),
                can_change=request.user.has_perm(CHANGE),
            )
        )

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        self._load(request, pk)
        require(request, CHANGE if self.item else ADD)
        form = ItemForm(initial=self._initial(), user=request.user, editing=self.item is not None)
        return self._render(request, form)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        self._load(request, pk)
        require(request, CHANGE if self.item else ADD)
        if request.POST.get("action") in ("publish", "withdraw") and self.item is not None:
            return self._status_action(request)
        form = ItemForm(
            request.POST,
            request.FILES,
            initial=self._initial(),
            user=request.user,
            editing=self.item is not None,
        )
        if form.is_valid():
            try:
                if self.item is None:
                    self.item = services.create_item(
                        organization=form.cleaned_data["organization"],
                        actor=request.user,
                        http_request=request,
                        index_number=form.cleaned_data.get("index_number") or "",
                        standard_entries=list(form.cleaned_data["standard_entries"]),
                        **form.item_fields(),
                    )
                else:
                    services.update_item(
                        item=self.item,
                        actor=request.user,
                        http_request=request,
                        standard_entries=list(form.cleaned_data["standard_entries"]),
                        **form.item_fields(),
                    )
                if form.cleaned_data.get("attachment"):
                    services.add_attachment(
                        item=self.item,
                        uploaded_file=form.cleaned_data["attachment"],
                        actor=request.user,
                        http_request=request,
                    )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, f"已保存，索引号 {self.item.index_number}。")
                return HttpResponseRedirect(reverse("disclosure_admin_item", args=[self.item.pk]))
        return self._render(request, form)

    def _status_action(self, request: HttpRequest) -> HttpResponse:
        form = PublishForm(request.POST)
        if form.is_valid():
            try:
                if request.POST["action"] == "publish":
                    item = services.publish_item(
                        item=self.item,
                        actor=request.user,
                        http_request=request,
                        published_on=form.cleaned_data["published_on"],
                        override_reason=form.cleaned_data.get("override_reason", ""),
                    )
                    note = f"，超过主动公开时限{item.delay_workdays - 20}个工作日" if item.is_late else ""
                    messages.success(request, f"已公开{note}。")
                else:
                    services.withdraw_item(
                        item=self.item,
                        reason=form.cleaned_data.get("reason", ""),
                        actor=request.user,
                        http_request=request,
                    )
                    messages.success(request, "已撤回。")
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                return HttpResponseRedirect(request.path)
        return self._render(request, ItemForm(initial=self._initial(), user=request.user, editing=True), form)


class PublishForm(forms.Form):
    published_on = forms.DateField(label="发布日期", widget=DATE_WIDGET, required=False)
    override_reason = forms.CharField(
        label="保密审查说明",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="保密审查有提示、经审核确需发布时填写理由（须有相应权限）。",
    )
    reason = forms.CharField(label="撤回理由", required=False)


class LateItemsView(AdminPage):
    template_name = "disclosure/admin/late_items.html"
    page_title = "超时公开的信息"
    permission = VIEW
    crumbs = [("", "超时公开")]

    def get(self, request: HttpRequest) -> HttpResponse:
        org = None
        if request.GET.get("org", "").isdigit():
            org = _orgs(request.user).filter(pk=int(request.GET["org"])).first()
        items = Paginator(selectors.late_items(request.user, organization=org), 50).get_page(
            request.GET.get("page")
        )
        return self.render_to_response(
            self.get_context_data(
                items=items, summary=selectors.late_counts_by_organization(request.user), org=org
            )
        )


class GuideForm(forms.ModelForm):
    class Meta:
        model = DisclosureGuide
        fields = GUIDE_FIELDS


class GuideEditView(AdminPage):
    template_name = "disclosure/admin/guide_form.html"
    permission = "disclosure.change_disclosureguide"

    def get_page_title(self):
        return f"{self.org.name}政府信息公开指南"

    def get_crumbs(self):
        return [("", "公开指南"), ("", self.org.name)]

    def _load(self, request: HttpRequest, org_id: int | None) -> None:
        if org_id is None and request.GET.get("org", "").isdigit():
            org_id = int(request.GET["org"])
        org_id = org_id or request.user.organization_id
        # An account of no organization (the installation superuser) opens on the first one it sees.
        if org_id is None:
            first = _orgs(request.user).first()
            org_id = first.pk if first is not None else None
        self.org = get_object_in_scope_or_404(
            Organization.objects.all(), request.user, pk=org_id, org_field=""
        )
        self.guide = DisclosureGuide.objects.filter(organization=self.org).first()

    def get(self, request: HttpRequest, org_id: int | None = None) -> HttpResponse:
        self._load(request, org_id)
        form = GuideForm(instance=self.guide)
        return self.render_to_response(
            self.get_context_data(form=form, guide=self.guide, org=self.org, orgs=_orgs(request.user))
        )

    def post(self, request: HttpRequest, org_id: int | None = None) -> HttpResponse:
        self._load(request, org_id)
        form = GuideForm(request.POST, instance=self.guide)
        if form.is_valid():
            try:
                services.save_guide(
                    organization=self.org,
                    actor=request.user,
                    http_request=request,
                    **{name: form.cleaned_data[name] for name in GUIDE_FIELDS},
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, "公开指南已更新。")
                return HttpResponseRedirect(request.path)
        return self.render_to_response(
            self.get_context_data(form=form, guide=self.guide, org=self.org, orgs=_orgs(request.user))
        )


class EntryForm(forms.Form):
    area = forms.ModelChoiceField(label="试点领域", queryset=StandardCatalogArea.objects.all())
    organization = forms.ModelChoiceField(label="责任机构", queryset=Organization.objects.none())
    serial = forms.IntegerField(label="序号", min_value=1)
    level1 = forms.CharField(label="公开事项（一级事项）", max_length=100)
    level2 = forms.CharField(label="公开事项（二级事项）", max_length=100, required=False)
    content = forms.CharField(label="公开内容（要素）", widget=forms.Textarea(attrs={"rows": 3}))
    basis = forms.CharField(label="公开依据", widget=forms.Textarea(attrs={"rows": 2}))
    time_limit_text = forms.CharField(
        label="公开时限", max_length=200, initial=load("catalogue")["default_time_limit"]["text"]
    )
    time_limit_workdays = forms.IntegerField(
        label="公开时限（工作日）",
        min_value=1,
        required=False,
        initial=load("catalogue")["default_time_limit"]["workdays"],
    )
    subject = forms.CharField(label="公开主体", max_length=200)
    channels = forms.MultipleChoiceField(
        label="公开渠道和载体",
        choices=[(c, c) for c in load("catalogue")["channels"]],
        widget=forms.CheckboxSelectMultiple,
    )
    audience = forms.ChoiceField(label="公开对象", choices=simple_choices("catalogue", "audiences"))
    mode = forms.ChoiceField(label="公开方式", choices=simple_choices("catalogue", "modes"))
    levels = forms.MultipleChoiceField(
        label="公开层级", choices=simple_choices("catalogue", "levels"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = _orgs(user)


class StandardCatalogView(AdminPage):
    template_name = "disclosure/admin/standard.html"
    page_title = "基层政务公开标准目录"
    permission = "disclosure.view_standardcatalogentry"
    crumbs = [("", "标准目录")]

    def _render(self, request: HttpRequest, form: EntryForm) -> HttpResponse:
        entries = scope_queryset(
            StandardCatalogEntry.objects.select_related("area", "organization"), request.user
        )
        return self.render_to_response(
            self.get_context_data(
                entries=entries.order_by("area__sort_order", "serial"),
                form=form,
                can_add=request.user.has_perm("disclosure.add_standardcatalogentry"),
            )
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, EntryForm(user=request.user))

    def post(self, request: HttpRequest) -> HttpResponse:
        require(request, "disclosure.add_standardcatalogentry")
        form = EntryForm(request.POST, user=request.user)
        if form.is_valid():
            data = dict(form.cleaned_data)
            area, org = data.pop("area"), data.pop("organization")
            try:
                services.save_standard_entry(
                    area=area, organization=org, actor=request.user, http_request=request, **data
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, "已添加标准目录事项。")
                return HttpResponseRedirect(request.path)
        return self._render(request, form)


class CoverageView(AdminPage):
    template_name = "disclosure/admin/coverage.html"
    page_title = "标准目录覆盖情况"
    permission = "disclosure.view_standardcatalogentry"
    crumbs = [("", "标准目录覆盖情况")]

    def get(self, request: HttpRequest) -> HttpResponse:
        only_gaps = request.GET.get("gaps") == "1"
        rows = selectors.coverage(request.user, only_gaps=only_gaps)
        return self.render_to_response(
            self.get_context_data(rows=rows, only_gaps=only_gaps, gaps=sum(1 for row in rows if row.is_gap))
        )
