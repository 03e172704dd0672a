"""网上办事 in each person's 工作台: for a unit's window staff, the online applications waiting for them (those past
the day to tell what to correct, or past the 承诺 due date, marked); for whoever reads 电子监察, the cases being
handled and those past their due dates."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks

from zhengwu.core.admin.dashboard import HOOK, WorkItem, WorkSection
from zhengwu.core.scoping import scope_queryset


@hooks.register(HOOK)
def govservice_work(user) -> WorkSection | None:
    from .models import Application, ApplicationStatus, ServiceCase

    items = []
    today = timezone.localdate()
    if user.has_perm("govservice.handle_application"):
        mine = scope_queryset(Application.objects.all(), user)
        index = reverse("govservice_applications")
        received = mine.filter(status=ApplicationStatus.RECEIVED)
        items += [
            WorkItem("待受理的网上申报", received.count(), f"{index}?status=received"),
            WorkItem(
                "逾期未告知补正（视为已受理）",
                received.filter(notice_due_on__lt=today).count(),
                f"{index}?status=received",
                level="overdue",
            ),
            WorkItem(
                "待申请人补正",
                mine.filter(status=ApplicationStatus.CORRECTION).count(),
                f"{index}?status=correction",
            ),
            WorkItem(
                "办理中的网上申报",
                mine.filter(status__in=[ApplicationStatus.PROCESSING, ApplicationStatus.SUSPENDED]).count(),
                f"{index}?status=processing",
            ),
            WorkItem(
                "待送达的决定",
                mine.filter(status=ApplicationStatus.DECIDED).count(),
                f"{index}?status=decided",
            ),
        ]
    if user.has_perm("govservice.view_servicecase"):
        cases = scope_queryset(ServiceCase.objects.all(), user)
        open_cases = cases.filter(finished_at__isnull=True)
        supervision = reverse("govservice_supervision")
        items += [
            WorkItem("在办的办件", open_cases.count(), supervision),
            WorkItem(
                "超过承诺期限仍在办的办件",
                open_cases.filter(Q(promised_due_on__lt=today)).count(),
                supervision,
                level="overdue",
            ),
        ]
    if user.has_perm("govservice.view_servicerating"):
        items += _rating_items(user)
    if not items:
        return None
    return WorkSection("网上办事", items, order=55, note="暂无待办。")


def _rating_items(user) -> list[WorkItem]:
    """好差评: for the rated unit, 差评 to call back on and to fix; for the office, reports to review, raters to
    call back and appeals to decide."""
    from zhengwu.core.models.dispatch import DispatchState
    from zhengwu.core.services import dispatch as engine

    from .models import AppealState
    from .rating_admin import visible_ratings

    index = reverse("govservice_rating_list")
    mine = visible_ratings(user)
    items = []
    if user.has_perm(engine.HANDLE):
        items.append(
            WorkItem(
                "整改中的差评",
                mine.filter(rectification__dispatch_state=DispatchState.HANDLING).count(),
                f"{index}?queue=open",
            )
        )
    if user.has_perm("govservice.handle_ratings"):
        items += [
            WorkItem(
                "待审核的差评整改",
                mine.filter(rectification__dispatch_state=DispatchState.REPLIED).count(),
                f"{index}?queue=open",
            ),
            WorkItem(
                "待回访评价人",
                mine.filter(rectification__dispatch_state=DispatchState.CALLBACK).count(),
                f"{index}?queue=open",
            ),
            WorkItem(
                "待复核的差评申诉",
                mine.filter(rectification__appeal_state=AppealState.PENDING).count(),
                f"{index}?queue=appeal",
            ),
        ]
    return items
