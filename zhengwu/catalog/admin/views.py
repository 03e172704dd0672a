"""The 资源目录 pages of the staff admin: the catalogue by 资源属性, sharing type and provider; an entry's edit
page with its review actions; completeness per department; published versions. Views parse and render; the
services decide."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views import View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from zhengwu.core.models import Organization
from zhengwu.core.scoping import get_object_in_scope_or_404, scope_queryset

from ..forms import ResourceForm, apply_service_errors
from ..models import CatalogVersion, Resource, ResourceAttribute, ResourceClass, ResourceStatus, ShareType
from ..selectors import resources as read
from ..services import resources as svc
from ..services.rules import add_class

VIEW = "catalog.view_resource"


class CatalogPage(WagtailAdminTemplateMixin, View):
    header_icon = "folder-open-inverse"
    permission = VIEW
    crumbs: list[tuple[str, str]] = []

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any):
        if self.permission and not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("catalog_resources"), "label": "政务信息资源目录"},
            *({"url": url, "label": label} for url, label in self.get_crumbs()),
        ]

    def get_crumbs(self):
        return self.crumbs


def _providers(user) -> Any:
    return scope_queryset(Organization.objects.filter(is_active=True), user, org_field="").order_by("path")


class ResourceListView(CatalogPage):
    template_name = "catalog/admin/resource_list.html"
    page_title = "政务信息资源目录"

    def get(self, request: HttpRequest) -> HttpResponse:
        base = read.visible_resources(request.user)
        params = request.GET
        provider_id = params.get("provider", "")
        filters = {
            "attribute": params.get("attribute", ""),
            "class_code": params.get("class", "").strip()[:20],
            "share_type": params.get("share", ""),
            "provider_id": int(provider_id) if provider_id.isdigit() else None,
            "status": params.get("status", ""),
            "needs_review": True if params.get("review") == "1" else None,
            "q": params.get("q", "").strip()[:50],
        }
        qs = read.filter_resources(base, **filters).order_by("code")
        page = Paginator(qs, 30).get_page(params.get("page"))
        return self.render_to_response(
            self.get_context_data(
                page_obj=page,
                total=qs.count(),
                filters=filters,
                by_class=read.counts_by_classification(base),
                by_share=read.counts_by_share_type(base),
                by_provider=read.counts_by_provider(base),
                attributes=ResourceAttribute.choices,
                share_types=ShareType.choices,
                statuses=ResourceStatus.choices,
                can_add=request.user.has_perm("catalog.add_resource"),
                query=params.urlencode(),
            )
        )


class ResourceEditView(CatalogPage):
    template_name = "catalog/admin/resource_form.html"

    def get_page_title(self):
        return f"目录条目 {self.entry.code}" if self.entry else "新增目录条目"

    def get_crumbs(self):
        return [("", self.get_page_title())]

    def _load(self, request: HttpRequest, pk: int | None) -> None:
        self.entry = None
        if pk is not None:
            self.entry = get_object_in_scope_or_404(
                Resource.objects.select_related("provider", "classification"),
                request.user,
                org_field="provider",
                pk=pk,
            )
        elif not request.user.has_perm("catalog.add_resource"):
            raise PermissionDenied

    def _render(self, request: HttpRequest, form: ResourceForm, status: int = 200) -> HttpResponse:
        user = request.user
        context = self.get_context_data(
            form=form,
            entry=self.entry,
            can_change=user.has_perm("catalog.change_resource"),
            can_review=user.has_perm("catalog.review_resource"),
            missing=read.missing_fields(self.entry) if self.entry else [],
            due=read.update_due_on(self.entry) if self.entry else None,
            overdue=read.is_overdue(self.entry) if self.entry else False,
        )
        response = self.render_to_response(context)
        response.status_code = status
        return response

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        self._load(request, pk)
        initial = (
            ResourceForm.initial_for(self.entry) if self.entry else {"provider": request.user.organization_id}
        )
        return self._render(request, ResourceForm(initial=initial, providers=_providers(request.user)))

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        self._load(request, pk)
        action = request.POST.get("action", "save")
        if self.entry is not None and action != "save":
            return self._act(request, action)
        form = ResourceForm(request.POST, providers=_providers(request.user))
        if form.is_valid():
            try:
                if self.entry is None:
                    entry = svc.create_resource(
                        actor=request.user, data=form.resource_data(), request=request
                    )
                else:
                    entry = svc.update_resource(
                        actor=request.user, resource=self.entry, data=form.resource_data(), request=request
                    )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, f"已保存“{entry.name}”（{entry.code}）。")
                return HttpResponseRedirect(reverse("catalog_resource_edit", args=[entry.pk]))
        return self._render(request, form, status=400)

    def _act(self, request: HttpRequest, action: str) -> HttpResponse:
        entry = self.entry
        comment = request.POST.get("comment", "")
        try:
            if action == "submit":
                svc.submit_resource(actor=request.user, resource=entry, request=request)
                done = "已报送审核。"
            elif action in ("approve", "return"):
                svc.review_resource(
                    actor=request.user,
                    resource=entry,
                    approve=action == "approve",
                    comment=comment,
                    request=request,
                )
                done = "已审核通过。" if action == "approve" else "已退回。"
            elif action == "withdraw":
                svc.withdraw_resource(actor=request.user, resource=entry, reason=comment, request=request)
                done = "已撤销。"
            else:
                raise ValidationError("未知的操作。")
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, done)
        return HttpResponseRedirect(reverse("catalog_resource_edit", args=[entry.pk]))


class CompletenessView(CatalogPage):
    """Completeness per department; the county office also marks a department's entries 待复核 here when its
    functions change outside a 机构改革 (a new 三定 plan)."""

    template_name = "catalog/admin/completeness.html"
    page_title = "目录完整性"
    crumbs = [("", "目录完整性")]

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request)

    def _render(self, request: HttpRequest, *, status: int = 200, typed: dict | None = None) -> HttpResponse:
        can_flag = request.user.has_perm("catalog.review_resource")
        response = self.render_to_response(
            self.get_context_data(
                rows=read.completeness_by_department(user=request.user),
                today=read.today_in_china(),
                fields=list(read.COMPLETENESS_FIELDS.values()),
                can_flag=can_flag,
                organizations=_providers(request.user) if can_flag else [],
                typed=typed or {},
            )
        )
        response.status_code = status
        return response

    def post(self, request: HttpRequest) -> HttpResponse:
        org_id = request.POST.get("organization", "")
        reason = request.POST.get("reason", "")
        organization = _providers(request.user).filter(pk=int(org_id)).first() if org_id.isdigit() else None
        try:
            if organization is None:
                raise ValidationError("请选择职能发生变化的单位。")
            count = svc.flag_entries_for_review(organization=organization, reason=reason, actor=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return self._render(request, status=400, typed={"organization": org_id, "reason": reason})
        messages.success(request, f"已将{organization.name}的 {count} 个目录条目标记为待复核。")
        return HttpResponseRedirect(reverse("catalog_completeness"))


class VersionListView(CatalogPage):
    template_name = "catalog/admin/versions.html"
    page_title = "目录版本"
    permission = "catalog.view_catalogversion"
    crumbs = [("", "目录版本")]

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_to_response(
            self.get_context_data(
                versions=CatalogVersion.objects.order_by("-number")[:50],
                can_publish=request.user.has_perm("catalog.publish_catalog"),
                approved=Resource.objects.filter(approved_snapshot__isnull=False)
                .exclude(status=ResourceStatus.WITHDRAWN)
                .count(),
            )
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            version = svc.publish_version(
                actor=request.user, note=request.POST.get("note", ""), request=request
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"已发布第 {version.number} 版目录，共 {version.entry_count} 条。")
        return HttpResponseRedirect(reverse("catalog_versions"))


class ClassListView(CatalogPage):
    """The classification tree; the county office adds 部门信息资源的项 and the 目 and 细目 of every class."""

    template_name = "catalog/admin/classes.html"
    page_title = "资源分类"
    permission = "catalog.view_resourceclass"
    crumbs = [("", "资源分类")]

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request)

    def _render(self, request: HttpRequest, *, status: int = 200, typed: dict | None = None) -> HttpResponse:
        response = self.render_to_response(
            self.get_context_data(
                classes=ResourceClass.objects.order_by("code"),
                parents=ResourceClass.objects.filter(level__lt=4, is_active=True).order_by("code"),
                can_add=request.user.has_perm("catalog.add_resourceclass"),
                typed=typed or {},
            )
        )
        response.status_code = status
        return response

    def post(self, request: HttpRequest) -> HttpResponse:
        typed = {key: request.POST.get(key, "") for key in ("parent", "segment", "name")}
        parent = (
            ResourceClass.objects.filter(pk=int(typed["parent"])).first()
            if typed["parent"].isdigit()
            else None
        )
        try:
            if parent is None:
                raise ValidationError("请选择上级分类。")
            created = add_class(
                parent=parent, segment=typed["segment"], name=typed["name"], actor=request.user
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return self._render(request, status=400, typed=typed)
        messages.success(request, f"已添加分类 {created.code} {created.name}。")
        return HttpResponseRedirect(reverse("catalog_classes"))
