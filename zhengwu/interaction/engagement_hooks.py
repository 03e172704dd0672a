"""The 互动交流 menu of the staff admin: 在线访谈, 意见征集, 调查问卷 and their working pages."""

from __future__ import annotations

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from .admin import engagement


@hooks.register("register_admin_urls")
def register_engagement_urls():
    return [
        path(
            "engagement/interviews/<int:pk>/console/",
            engagement.InterviewConsoleView.as_view(),
            name="engagement_interview_console",
        ),
        path(
            "engagement/consultations/<int:pk>/manage/",
            engagement.ConsultationManageView.as_view(),
            name="engagement_consultation_manage",
        ),
        path(
            "engagement/surveys/<int:pk>/manage/",
            engagement.SurveyManageView.as_view(),
            name="engagement_survey_manage",
        ),
        path(
            "engagement/surveys/<int:pk>/results.xlsx",
            engagement.SurveyExportView.as_view(),
            name="engagement_survey_export",
        ),
    ]


@hooks.register("register_admin_viewset")
def register_engagement_viewsets():
    return [engagement.interview_viewset, engagement.consultation_viewset, engagement.survey_viewset]


class _PermissionItem(MenuItem):
    def __init__(self, *args, permissions: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.permissions = permissions

    def is_shown(self, request) -> bool:
        return any(request.user.has_perm(p) for p in self.permissions)


class _Submenu(SubmenuMenuItem):
    def is_shown(self, request) -> bool:
        return any(item.is_shown(request) for item in self.menu.menu_items_for_request(request))


MENU = [
    (
        "在线访谈",
        "engagement_interviews_admin:index",
        "user",
        ("interaction.host_interview", "interaction.change_interview"),
    ),
    (
        "意见征集",
        "engagement_consultations_admin:index",
        "doc-full",
        ("interaction.moderate_consultation", "interaction.change_consultation"),
    ),
    (
        "调查问卷",
        "engagement_surveys_admin:index",
        "form",
        ("interaction.moderate_survey", "interaction.change_survey"),
    ),
]


@hooks.register("register_admin_menu_item")
def register_engagement_menu():
    items = [
        _PermissionItem(
            label, reverse(name), name=name.replace(":", "_"), icon_name=icon, order=i * 10, permissions=perms
        )
        for i, (label, name, icon, perms) in enumerate(MENU)
    ]
    return _Submenu("互动交流", Menu(items=items), name="engagement", icon_name="group", order=330)
