"""The 资源目录 menu and pages of the staff admin."""

from __future__ import annotations

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from . import dashboard  # noqa: F401  (registers the 工作台 section)
from .admin import sharing, views


@hooks.register("register_admin_urls")
def register_catalog_urls():
    return [
        path("catalog/resources/", views.ResourceListView.as_view(), name="catalog_resources"),
        path("catalog/resources/new/", views.ResourceEditView.as_view(), name="catalog_resource_new"),
        path("catalog/resources/<int:pk>/", views.ResourceEditView.as_view(), name="catalog_resource_edit"),
        path("catalog/completeness/", views.CompletenessView.as_view(), name="catalog_completeness"),
        path("catalog/versions/", views.VersionListView.as_view(), name="catalog_versions"),
        path("catalog/classes/", views.ClassListView.as_view(), name="catalog_classes"),
        path("catalog/sharing/", sharing.ShareListView.as_view(), name="catalog_share_list"),
        path("catalog/sharing/new/", sharing.ShareNewView.as_view(), name="catalog_share_new"),
        path("catalog/sharing/<int:pk>/", sharing.ShareDetailView.as_view(), name="catalog_share_detail"),
    ]


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request) -> bool:
        return request.user.has_perm(self.permission)


class CatalogSubmenu(SubmenuMenuItem):
    def is_shown(self, request) -> bool:
        return any(item.is_shown(request) for item in self.menu.menu_items_for_request(request))


MENU = [
    ("目录条目", "catalog_resources", "list-ul", "catalog.view_resource"),
    ("目录完整性", "catalog_completeness", "table", "catalog.view_resource"),
    ("目录版本", "catalog_versions", "date", "catalog.view_catalogversion"),
    ("资源分类", "catalog_classes", "list-ul", "catalog.view_resourceclass"),
    ("共享申请", "catalog_share_list", "resubmit", "catalog.view_sharerequest"),
]


@hooks.register("register_admin_menu_item")
def register_catalog_menu():
    items = [
        PermissionMenuItem(label, reverse(name), name=name, icon_name=icon, order=i * 10, permission=perm)
        for i, (label, name, icon, perm) in enumerate(MENU)
    ]
    return CatalogSubmenu(
        "资源目录", Menu(items=items), name="catalog", icon_name="folder-open-inverse", order=360
    )


@hooks.register("register_admin_urls")
def register_opendata_urls():
    from .admin import opendata_views

    return opendata_views.urlpatterns
