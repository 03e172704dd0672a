"""The portal's part of each person's 工作台: articles waiting for their review step, their own articles in review
or sent back, and the 网站纠错 of their sites still to answer."""

from __future__ import annotations

from django.urls import reverse
from wagtail import hooks
from wagtail.models import GroupPagePermission, TaskState, WorkflowState

from zhengwu.core.admin.dashboard import HOOK, WorkItem, WorkSection


@hooks.register(HOOK)
def review_work(user) -> WorkSection | None:
    groups = user.groups.all()
    if not (user.is_superuser or GroupPagePermission.objects.filter(group__in=groups).exists()):
        return None
    home = reverse("wagtailadmin_home")
    to_review = TaskState.objects.reviewable_by(user).count()
    mine = WorkflowState.objects.filter(requested_by=user)
    items = [
        WorkItem(
            "待我审核的稿件", to_review, home + "#awaiting-review", level="warning" if to_review else ""
        ),
        WorkItem("我提交的审核中稿件", mine.filter(status=WorkflowState.STATUS_IN_PROGRESS).count(), home),
        WorkItem(
            "退回修改的稿件",
            mine.filter(status=WorkflowState.STATUS_NEEDS_CHANGES).count(),
            home,
            level="warning",
        ),
    ]
    return WorkSection("稿件审核（三审）", items, order=10, note="暂无待审核的稿件。")


@hooks.register(HOOK)
def error_report_work(user) -> WorkSection | None:
    if not user.has_perm("portal.change_errorreport"):
        return None
    from zhengwu.core.scoping import scope_queryset

    from .models import ErrorReport, ErrorReportStatus

    reports = scope_queryset(ErrorReport.objects.all(), user, "organization")
    index = reverse("error_reports:index")
    return WorkSection(
        "网站纠错",
        [
            WorkItem(
                "待答复的网站纠错",
                reports.filter(status=ErrorReportStatus.PENDING).count(),
                f"{index}?status=pending",
                level="warning",
            ),
            WorkItem("已答复", reports.exclude(status=ErrorReportStatus.PENDING).count(), index),
        ],
        order=40,
    )
