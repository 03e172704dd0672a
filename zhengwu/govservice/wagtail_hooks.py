"""The 电子监察 page of the staff admin."""

from __future__ import annotations

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .admin_views import (
    HANDLE_VIEW,
    VIEW,
    ApplicationDetailView,
    ApplicationFileView,
    ApplicationListView,
    SupervisionView,
)
from .rating_admin import VIEW_RATINGS, RatingListView, RectificationView


@hooks.register("register_admin_urls")
def register_govservice_urls():
    return [
        path("govservice/supervision/", SupervisionView.as_view(), name="govservice_supervision"),
        path("govservice/applications/", ApplicationListView.as_view(), name="govservice_applications"),
        path(
            "govservice/applications/<int:pk>/",
            ApplicationDetailView.as_view(),
            name="govservice_application",
        ),
        path("govservice/ratings/", RatingListView.as_view(), name="govservice_rating_list"),
        path(
            "govservice/rectifications/<int:pk>/",
            RectificationView.as_view(),
            name="govservice_rectification",
        ),
        path(
            "govservice/applications/<int:pk>/files/<int:file_id>/",
            ApplicationFileView.as_view(),
            name="govservice_application_file",
        ),
    ]


class SupervisionMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.has_perm(VIEW)


@hooks.register("register_admin_menu_item")
def register_supervision_menu_item():
    return SupervisionMenuItem(
        "电子监察",
        reverse("govservice_supervision"),
        name="govservice-supervision",
        icon_name="warning",
        order=460,
    )


class ApplicationsMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.has_perm(HANDLE_VIEW)


@hooks.register("register_admin_menu_item")
def register_applications_menu_item():
    return ApplicationsMenuItem(
        "网上申报",
        reverse("govservice_applications"),
        name="govservice-applications",
        icon_name="doc-full",
        order=455,
    )


class RatingsMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.has_perm(VIEW_RATINGS)


@hooks.register("register_admin_menu_item")
def register_ratings_menu_item():
    return RatingsMenuItem(
        "好差评",
        reverse("govservice_rating_list"),
        name="govservice-ratings",
        icon_name="pick",
        order=465,
    )
