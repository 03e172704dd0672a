"""资源目录 in each person's 工作台: for the county office, entries to review and 异议 to settle; for a department,
sharing requests to answer (those past their limit marked), entries returned or due for 复核."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from wagtail import hooks

from zhengwu.core.admin.dashboard import HOOK, WorkItem, WorkSection


@hooks.register(HOOK)
def catalog_work(user) -> WorkSection | None:
    if not user.has_perm("catalog.view_resource"):
        return None
    from .models import ResourceStatus, ShareRequestStatus
    from .selectors import resources as read
    from .selectors import sharing

    entries = read.visible_resources(user)
    index = reverse("catalog_resources")
    shares = reverse("catalog_share_list")
    items = []
    if user.has_perm("catalog.review_resource"):
        items.append(
            WorkItem(
                "待审核的目录条目",
                entries.filter(status=ResourceStatus.SUBMITTED).count(),
                f"{index}?status=submitted",
            )
        )
    if user.has_perm("catalog.resolve_sharerequest"):
        items.append(
            WorkItem("待处理的共享异议", sharing.disputed_requests(user).count(), f"{shares}?box=disputed")
        )
    if user.has_perm("catalog.change_sharerequest"):
        pending = sharing.received_requests(user).filter(status=ShareRequestStatus.PENDING)
        items.append(WorkItem("待答复的共享申请", pending.count(), f"{shares}?box=received&status=pending"))
        items.append(
            WorkItem(
                "超期未答复的共享申请",
                pending.filter(clock__due_at__lt=timezone.now()).count(),
                f"{shares}?box=received&status=pending",
                level="overdue",
            )
        )
    if user.has_perm("catalog.change_resource"):
        items.append(
            WorkItem(
                "被退回的目录条目",
                entries.filter(status=ResourceStatus.RETURNED).count(),
                f"{index}?status=returned",
            )
        )
        items.append(
            WorkItem(
                "待复核的目录条目",
                entries.filter(needs_review=True).count(),
                f"{index}?review=1",
                level="warning",
            )
        )
    return WorkSection("资源目录", items, order=60, note="暂无待办。")
