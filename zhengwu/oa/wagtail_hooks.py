"""公文 in the staff admin: 发文, 收文, registers and figures."""

from __future__ import annotations

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .admin_views import (
    OA_PERMS,
    DraftCreateView,
    ExternalCreateView,
    IncomingFileView,
    IncomingListView,
    IncomingView,
    OutgoingFileView,
    OutgoingListView,
    OutgoingView,
    OutsidePackageView,
    RegisterBookView,
    StatisticsView,
)


@hooks.register("register_admin_urls")
def register_oa_urls():
    return [
        path("oa/outgoing/", OutgoingListView.as_view(), name="oa_outgoing_list"),
        path("oa/outgoing/new/", DraftCreateView.as_view(), name="oa_draft"),
        path("oa/outgoing/<int:pk>/", OutgoingView.as_view(), name="oa_outgoing"),
        path("oa/outgoing/<int:pk>/file.<str:fmt>", OutgoingFileView.as_view(), name="oa_outgoing_file"),
        path("oa/outgoing/<int:pk>/package.zip", OutsidePackageView.as_view(), name="oa_outside_package"),
        path("oa/incoming/", IncomingListView.as_view(), name="oa_incoming_list"),
        path("oa/incoming/new/", ExternalCreateView.as_view(), name="oa_external"),
        path("oa/incoming/<int:pk>/", IncomingView.as_view(), name="oa_incoming"),
        path("oa/incoming/<int:pk>/file.<str:fmt>", IncomingFileView.as_view(), name="oa_incoming_file"),
        path("oa/registers/<str:which>.xlsx", RegisterBookView.as_view(), name="oa_register"),
        path("oa/statistics/", StatisticsView.as_view(), name="oa_statistics"),
    ]


class OaMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return any(request.user.has_perm(p) for p in OA_PERMS)


@hooks.register("register_admin_menu_item")
def register_outgoing_menu_item():
    return OaMenuItem(
        "发文", reverse("oa_outgoing_list"), name="oa-outgoing", icon_name="doc-full-inverse", order=470
    )


@hooks.register("register_admin_menu_item")
def register_incoming_menu_item():
    return OaMenuItem(
        "收文", reverse("oa_incoming_list"), name="oa-incoming", icon_name="download", order=471
    )


@hooks.register("register_admin_viewset")
def register_oa_settings():
    from .admin_registry import OaSettingsGroup

    return OaSettingsGroup()
