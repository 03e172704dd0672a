"""审计日志 in the Wagtail admin: a read-only list for the audit administrator (安全审计员).

Only users holding ``core.view_auditlog`` see the menu item and the pages; nobody — not even a superuser — gets
add, edit or delete views (the database refuses such writes anyway). The xlsx export is itself audited.
"""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import path
from django.utils import timezone
from django.utils.functional import cached_property
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from ..audit_labels import action_label
from ..models import AuditLog
from ..services.audit import audit, canonical_json

EXPORT_ACTION = "core.auditlog.export"


class AuditLogPermissionPolicy(ModelPermissionPolicy):
    """'view' for holders of ``core.view_auditlog``; every other action refused to everyone."""

    def user_has_permission(self, user, action):
        return action == "view" and user.is_active and user.has_perm("core.view_auditlog")

    def user_has_any_permission(self, user, actions):
        return "view" in actions and self.user_has_permission(user, "view")

    def users_with_any_permission(self, actions):
        if "view" not in actions:
            return get_user_model().objects.none()
        return super().users_with_any_permission(["view"])


register_permission_policy(AuditLog, AuditLogPermissionPolicy(AuditLog))


class AuditLogFilterSet(WagtailFilterSet):
    action = django_filters.CharFilter(
        label="操作",
        method="filter_action",
        help_text="操作代码或其前缀，如 disclosure.request 或 core.auditlog.export",
    )
    # A text box, not a list of every account: a county has thousands, and rendering them cost most of the page.
    actor = django_filters.CharFilter(
        label="操作人",
        method="filter_actor",
        help_text="账号、姓名或操作人编号",
    )
    created_at = django_filters.DateFromToRangeFilter(label="日期", widget=DateRangePickerWidget)

    class Meta:
        model = AuditLog
        fields = []

    def filter_action(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(action=value) | Q(action__startswith=value.rstrip(".") + "."))

    def filter_actor(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        if value.isdigit():
            return queryset.filter(actor_id=int(value))
        accounts = get_user_model().objects.filter(username=value).values("pk")
        return queryset.filter(Q(actor_id__in=accounts) | Q(actor_label__icontains=value))


def _local_naive(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else value


class AuditLogIndexView(IndexView):
    # xlsx only: its cells are typed, so nothing an applicant typed into a case title becomes a spreadsheet formula.
    FORMATS = ("xlsx",)
    any_permission_required = ["view"]
    list_export = [
        "seq",
        "created_at",
        "actor_label",
        "actor_id",
        "action",
        "target_type",
        "target_id",
        "target_label",
        "organization_id_snapshot",
        "ip_address",
        "detail",
        "prev_hash",
        "hash",
    ]
    export_headings = {
        "seq": "序号",
        "created_at": "时间",
        "actor_label": "操作人",
        "actor_id": "操作人编号",
        "action": "操作",
        "target_type": "对象类型",
        "target_id": "对象编号",
        "target_label": "对象",
        "organization_id_snapshot": "机构编号",
        "ip_address": "IP 地址",
        "detail": "详情",
        "prev_hash": "前一条校验值",
        "hash": "校验值",
    }
    custom_field_preprocess = {
        "detail": {"xlsx": canonical_json},
        "created_at": {"xlsx": _local_naive},
    }

    def get_filename(self):
        return f"审计日志-{timezone.localdate():%Y%m%d}"

    @cached_property
    def header_more_buttons(self):
        csv_url = self.csv_export_url
        return [button for button in super().header_more_buttons if getattr(button, "url", None) != csv_url]

    def write_xlsx_response(self, queryset):
        filters = {key: value for key, value in self.request.GET.items() if key not in {"export", "p"}}
        audit(
            actor=self.request.user,
            action=EXPORT_ACTION,
            detail={"format": "xlsx", "rows": queryset.count(), "filters": filters},
            request=self.request,
        )
        return super().write_xlsx_response(queryset)


class AuditLogInspectView(InspectView):
    any_permission_required = ["view"]

    def get_field_label(self, field_name, field):
        if field_name == "actor_id":
            return "操作人编号"
        return super().get_field_label(field_name, field)

    def get_action_display_value(self):
        return f"{action_label(self.object.action)}（{self.object.action}）"

    def get_actor_id_display_value(self):
        # The account may since have been removed (the row keeps its id and label); never dereference it.
        return self.object.actor_id if self.object.actor_id is not None else "—"

    def get_detail_display_value(self):
        return canonical_json(self.object.detail)

    def get_created_at_display_value(self):
        return timezone.localtime(self.object.created_at).strftime("%Y-%m-%d %H:%M:%S.%f")


class AuditLogViewSet(ModelViewSet):
    model = AuditLog
    icon = "history"
    menu_label = "审计日志"
    menu_name = "audit-log"
    menu_order = 9000
    add_to_admin_menu = True
    url_prefix = "audit-log"
    url_namespace = "core_auditlog"
    index_view_class = AuditLogIndexView
    inspect_view_class = AuditLogInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "seq",
        "created_at",
        "actor_label",
        Column("action", label="操作", accessor=lambda log: action_label(log.action)),
        "target_label",
        "ip_address",
    ]
    filterset_class = AuditLogFilterSet
    search_fields = ["action", "actor_label", "target_label", "target_id"]
    search_backend_name = None
    list_per_page = 50
    ordering = ["-seq"]
    inspect_view_fields = [
        "seq",
        "created_at",
        "actor_label",
        "actor_id",
        "action",
        "target_type",
        "target_id",
        "target_label",
        "organization_id_snapshot",
        "ip_address",
        "detail",
        "prev_hash",
        "hash",
    ]

    def get_common_view_kwargs(self, **kwargs):
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        for name in (
            "add_url_name",
            "edit_url_name",
            "delete_url_name",
            "history_url_name",
            "usage_url_name",
        ):
            view_kwargs[name] = None
        return view_kwargs

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]

    def get_permissions_to_register(self):
        return super().get_permissions_to_register().filter(codename="view_auditlog")


audit_log_viewset = AuditLogViewSet("audit_log")


@hooks.register("register_admin_viewset")
def register_audit_log_viewset():
    return audit_log_viewset
