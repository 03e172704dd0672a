"""The 政府信息公开 menu and pages of the staff admin."""

from __future__ import annotations

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from . import dashboard  # noqa: F401  (work items on the admin home page)
from .admin import catalogue, reports, requests, routing, taxonomy  # noqa: F401  (taxonomy registers its viewsets)


@hooks.register("register_admin_urls")
def register_disclosure_urls():
    return [
        path("disclosure/requests/", requests.RequestListView.as_view(), name="disclosure_admin_requests"),
        path(
            "disclosure/requests/new/",
            requests.RequestCreateView.as_view(),
            name="disclosure_admin_request_new",
        ),
        path(
            "disclosure/requests/<int:pk>/",
            requests.RequestDetailView.as_view(),
            name="disclosure_admin_request",
        ),
        path("disclosure/alerts/", requests.AlertsView.as_view(), name="disclosure_admin_alerts"),
        path("disclosure/routing/", routing.RoutingListView.as_view(), name="disclosure_admin_routing"),
        path(
            "disclosure/routing/<int:org_id>/",
            routing.RoutingEditView.as_view(),
            name="disclosure_admin_routing_edit",
        ),
        path("disclosure/letters/<int:pk>.<str:fmt>", requests.letter_file, name="disclosure_admin_letter"),
        path("disclosure/items/", catalogue.ItemListView.as_view(), name="disclosure_admin_items"),
        path("disclosure/items/new/", catalogue.ItemEditView.as_view(), name="disclosure_admin_item_new"),
        path("disclosure/items/<int:pk>/", catalogue.ItemEditView.as_view(), name="disclosure_admin_item"),
        path("disclosure/items/late/", catalogue.LateItemsView.as_view(), name="disclosure_admin_items_late"),
        path("disclosure/guides/", catalogue.GuideEditView.as_view(), name="disclosure_admin_guides"),
        path(
            "disclosure/guides/<int:org_id>/",
            catalogue.GuideEditView.as_view(),
            name="disclosure_admin_guide",
        ),
        path(
            "disclosure/standard/", catalogue.StandardCatalogView.as_view(), name="disclosure_admin_standard"
        ),
        path(
            "disclosure/standard/coverage/",
            catalogue.CoverageView.as_view(),
            name="disclosure_admin_coverage",
        ),
        path("disclosure/reports/", reports.ReportListView.as_view(), name="disclosure_admin_reports"),
        path(
            "disclosure/reports/<int:org_id>/<int:year>/",
            reports.ReportEditView.as_view(),
            name="disclosure_admin_report",
        ),
        path(
            "disclosure/reports/<int:org_id>/<int:year>/progress.json",
            reports.report_progress,
            name="disclosure_admin_report_progress",
        ),
        path(
            "disclosure/reports/file/<int:pk>.<str:fmt>",
            reports.report_file,
            name="disclosure_admin_report_file",
        ),
        path(
            "disclosure/review-cases/", reports.ReviewCaseView.as_view(), name="disclosure_admin_review_cases"
        ),
    ]


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request) -> bool:
        return request.user.has_perm(self.permission)


class DisclosureSubmenu(SubmenuMenuItem):
    def is_shown(self, request) -> bool:
        return any(item.is_shown(request) for item in self.menu.menu_items_for_request(request))


MENU = [
    ("依申请公开", "disclosure_admin_requests", "doc-full", "disclosure.view_disclosurerequest"),
    ("预警和超期", "disclosure_admin_alerts", "warning", "disclosure.view_disclosurerequest"),
    ("依申请公开办理机构", "disclosure_admin_routing", "site", "disclosure.view_requestroute"),
    ("主动公开目录", "disclosure_admin_items", "list-ul", "disclosure.view_disclosureitem"),
    ("超时公开", "disclosure_admin_items_late", "time", "disclosure.view_disclosureitem"),
    ("公开指南", "disclosure_admin_guides", "help", "disclosure.change_disclosureguide"),
    ("标准目录", "disclosure_admin_standard", "table", "disclosure.view_standardcatalogentry"),
    ("标准目录覆盖情况", "disclosure_admin_coverage", "tasks", "disclosure.view_standardcatalogentry"),
    ("年度报告", "disclosure_admin_reports", "date", "disclosure.view_annualreport"),
    (
        "行政复议、行政诉讼",
        "disclosure_admin_review_cases",
        "folder-open-inverse",
        "disclosure.view_reviewcase",
    ),
]


@hooks.register("register_admin_menu_item")
def register_disclosure_menu():
    items = [
        PermissionMenuItem(label, reverse(name), name=name, icon_name=icon, order=index * 10, permission=perm)
        for index, (label, name, icon, perm) in enumerate(MENU)
    ]
    return DisclosureSubmenu(
        "政府信息公开", Menu(items=items), name="disclosure", icon_name="doc-full", order=300
    )
