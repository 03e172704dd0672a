"""机构管理 in the Wagtail admin: the tree as an indented list, create/edit through the org services, and the
import of an organization table (.xlsx or CSV). Everything is scoped to the staff member's organization subtree;
organizations are deactivated, never deleted."""

from __future__ import annotations

import io

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.generic import FormView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.log_actions import log
from wagtail.permissions import register_permission_policy

from ..forms import OrganizationEditForm, OrganizationForm, OrganizationImportForm, ServiceFormMixin
from ..models import Organization
from ..scoping import OrgScopedPermissionPolicy, OrgScopedViewSetMixin
from ..selectors.orgs import tree_order, with_staff_counts
from ..services.orgs import (
    COLUMN_LABELS,
    OrgImportError,
    create_organization,
    import_organizations_from_file,
    update_organization,
)


class OrganizationPermissionPolicy(OrgScopedPermissionPolicy):
    """Model permissions within the user's subtree; deletion refused to everyone (deactivate instead)."""

    def user_has_permission(self, user, action):
        if action == "delete":
            return False
        return super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        actions = [action for action in actions if action != "delete"]
        if not actions:
            return get_user_model().objects.none()
        return super().users_with_any_permission(actions)


register_permission_policy(Organization, OrganizationPermissionPolicy(Organization, org_field=""))


class TreeTitleColumn(TitleColumn):
    cell_template_name = "core/orgs/tree_title_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["level"] = getattr(instance, "tree_level", 0)
        context["inactive"] = not instance.is_active
        return context


class OrganizationIndexView(generic.IndexView):
    page_title = "机构管理"
    add_item_label = "新增机构"
    search_box_placeholder = "搜索名称、编码或统一社会信用代码"
    search_fields = ["name", "short_name", "code", "credit_code", "division_code"]
    list_filter = ["kind", "is_active"]
    paginate_by = 1000  # the tree is shown whole; a county has a few hundred organizations

    @cached_property
    def columns(self):
        return [
            self._get_title_column("name", column_class=TreeTitleColumn),
            Column("kind", label="类型", accessor="get_kind_display"),
            Column("code", label="编码"),
            Column("credit_code", label="统一社会信用代码"),
            Column("division_code", label="行政区划代码"),
            Column("active_staff_count", label="在岗人员"),
            Column("status", label="状态", accessor=lambda org: "启用" if org.is_active else "已停用"),
        ]

    def get_base_queryset(self):
        return with_staff_counts(super().get_base_queryset())

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.is_searching or self.is_filtering:
            return queryset.order_by("path")
        nodes = tree_order(queryset)
        for node in nodes:
            node.organization.tree_level = node.level
        return [node.organization for node in nodes]

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.user_has_permission("add") and self.user_has_permission("change"):
            buttons.append(
                HeaderButton("导入", url=reverse("organization:import"), icon_name="upload", priority=20)
            )
        return buttons


class OrganizationCreateView(ServiceFormMixin, generic.CreateView):
    page_title = "新增机构"
    success_message = "已新增机构“%(object)s”。"

    def save_instance(self):
        values = self.form.service_values()
        org = create_organization(actor=self.request.user, request=self.request, **values)
        log(instance=org, action="wagtail.create", user=self.request.user)
        return org


class OrganizationEditView(ServiceFormMixin, generic.EditView):
    success_message = "已保存机构“%(object)s”。"
    error_message = "机构未能保存，请检查标出的错误。"

    def save_instance(self):
        values = self.form.service_values()
        org = update_organization(org=self.object, actor=self.request.user, request=self.request, **values)
        log(instance=org, action="wagtail.edit", user=self.request.user)
        return org


class OrganizationImportView(WagtailAdminTemplateMixin, FormView):
    """Upload an organization table; on any error show every problem (row, column, value) and import nothing."""

    template_name = "core/orgs/import.html"
    form_class = OrganizationImportForm
    page_title = "导入机构"
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not (user.has_perm("core.add_organization") and user.has_perm("core.change_organization")):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("organization:index"), "label": "机构管理"},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["template_url"] = reverse("organization:import_template")
        context["columns"] = COLUMN_LABELS
        return context

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            result = import_organizations_from_file(
                data=upload.read(), filename=upload.name, actor=self.request.user, request=self.request
            )
        except OrgImportError as error:
            messages.error(self.request, f"导入失败：发现 {len(error.errors)} 处错误，没有导入任何数据。")
            return self.render_to_response(self.get_context_data(form=form, import_errors=error.errors))
        except PermissionDenied as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"导入完成：共 {result.total} 个机构，新增 {result.created} 个，更新 {result.updated} 个，"
            f"未变化 {result.unchanged} 个。",
        )
        return redirect("organization:index")


def import_template_view(request):
    """An empty import workbook: the header row on the first sheet, the column explanations on the second."""
    if not request.user.has_perm("core.add_organization"):
        raise PermissionDenied
    from openpyxl import Workbook

    from zhengwu.core.spreadsheets import save_workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "机构"
    sheet.append(["name", "kind", "credit_code", "division_code", "parent", "code"])
    for column in "ABCDEF":
        sheet.column_dimensions[column].width = 24
        # Codes must stay text: Excel would keep only 15 digits of an 18-digit number.
        for row in range(1, 1001):
            sheet[f"{column}{row}"].number_format = "@"
    notes = workbook.create_sheet("说明")
    notes.append(["列名", "含义", "要求"])
    notes.append(["name", "名称", "必填，如：示范县发展和改革委员会"])
    notes.append(["kind", "类型", "必填：人民政府、部门、乡镇、街道、事业单位"])
    notes.append(
        ["credit_code", "统一社会信用代码", "必填，18 位；导入时据此识别机构，重复导入会更新而不会重复新增"]
    )
    notes.append(
        ["division_code", "行政区划代码", "县级 6 位；乡镇、街道 12 位，须以所属县级代码开头；可留空"]
    )
    notes.append(
        ["parent", "上级机构", "上级机构的统一社会信用代码；根机构（县人民政府）留空；行的先后顺序不限"]
    )
    notes.append(["code", "编码", "可选，2–12 位大写字母或数字；留空时按名称拼音首字母自动生成"])
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 18
    notes.column_dimensions["C"].width = 80
    buffer = io.BytesIO()
    save_workbook(workbook, buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E6%9C%BA%E6%9E%84%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response


class OrganizationViewSet(OrgScopedViewSetMixin, ModelViewSet):
    model = Organization
    scope_org_field = ""
    icon = "list-ul"
    menu_label = "机构管理"
    menu_name = "organizations"
    menu_order = 590
    add_to_settings_menu = True
    inspect_view_enabled = True
    copy_view_enabled = False
    sort_order_field = None
    index_view_class = OrganizationIndexView
    add_view_class = OrganizationCreateView
    edit_view_class = OrganizationEditView
    inspect_view_fields = [
        "name",
        "short_name",
        "kind",
        "parent",
        "code",
        "credit_code",
        "division_code",
        "address",
        "phone",
        "is_active",
        "ceased_on",
    ]

    def get_form_class(self, for_update=False):
        return OrganizationEditForm if for_update else OrganizationForm

    @property
    def import_view(self):
        return OrganizationImportView.as_view()

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("import/", self.import_view, name="import"),
            path("import/template/", import_template_view, name="import_template"),
        ]


@hooks.register("register_admin_viewset")
def register_organization_viewset():
    return OrganizationViewSet("organization", url_prefix="organizations")
