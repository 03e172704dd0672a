"""网站检查 in each person's 工作台: the problems of their sites to fix, and rectifications waiting to be checked."""

from __future__ import annotations

from django.urls import reverse
from wagtail import hooks

from zhengwu.core.admin.dashboard import HOOK, WorkItem, WorkSection


@hooks.register(HOOK)
def finding_work(user) -> WorkSection | None:
    if not user.has_perm("inspection.view_finding"):
        return None
    from zhengwu.core.scoping import scope_queryset

    from .models import Finding, FindingStatus, InspectedSite
    from .views import FINDING_SCOPE, SITE_SCOPE

    findings = scope_queryset(Finding.objects.all(), user, FINDING_SCOPE)
    index = reverse("inspection:finding_index")
    return WorkSection(
        "网站检查",
        [
            WorkItem(
                "待整改问题",
                findings.filter(status__in=[FindingStatus.OPEN, FindingStatus.REOPENED]).count(),
                index,
                level="warning",
            ),
            WorkItem(
                "整改中（待复查核验）",
                findings.filter(status=FindingStatus.RECTIFYING).count(),
                f"{index}?status=rectifying",
            ),
            WorkItem(
                "受检网站",
                scope_queryset(InspectedSite.objects.filter(is_active=True), user, SITE_SCOPE).count(),
                reverse("inspection:site_index"),
            ),
        ],
        order=30,
    )
