"""依申请公开 in each person's 工作台: requests to confirm, in hand, and on the clock in 预警 or 超期."""

from __future__ import annotations

from django.urls import reverse
from wagtail import hooks

from zhengwu.core.admin.dashboard import HOOK, WorkItem, WorkSection


@hooks.register(HOOK)
def request_work(user) -> WorkSection | None:
    if not user.has_perm("disclosure.view_disclosurerequest"):
        return None
    from .models import RequestState
    from .models.requests import OPEN_STATES
    from .selectors.requests import requests_for, visible_requests

    visible = visible_requests(user)
    index = reverse("disclosure_admin_requests")
    return WorkSection(
        "依申请公开",
        [
            WorkItem(
                "待确认收到的网上申请",
                visible.filter(state=RequestState.SUBMITTED).count(),
                f"{index}?state=submitted",
            ),
            WorkItem("办理中", visible.filter(state__in=OPEN_STATES).count(), index),
            WorkItem(
                "预警", requests_for(user, status="warning").count(), f"{index}?status=warning", "warning"
            ),
            WorkItem(
                "超期", requests_for(user, status="overdue").count(), f"{index}?status=overdue", "overdue"
            ),
        ],
        order=20,
    )
