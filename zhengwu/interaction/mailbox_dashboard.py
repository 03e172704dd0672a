"""领导信箱 in each person's 工作台: for the mailbox office, letters to screen, to assign, replies to review and
release, and letters past their reply limit; for a department, the letters assigned to it still to be answered."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks

from zhengwu.core.admin.dashboard import HOOK, WorkItem, WorkSection


@hooks.register(HOOK)
def letter_work(user) -> WorkSection | None:
    if not user.has_perm("interaction.view_letter"):
        return None
    from zhengwu.core.models.dispatch import DispatchState

    from .models import Screening
    from .selectors.mailbox import visible_letters

    letters = visible_letters(user)
    index = reverse("mailbox_letters")
    overdue = letters.filter(released_at__isnull=True, reply_due_at__lt=timezone.now()).exclude(
        Q(screening=Screening.REFUSED) | Q(dispatch_state=DispatchState.FINISHED)
    )
    if user.has_perm("interaction.handle_letters"):
        items = [
            WorkItem(
                "待审查来信", letters.filter(screening=Screening.PENDING).count(), f"{index}?queue=screening"
            ),
            WorkItem(
                "待交办来信",
                letters.filter(screening=Screening.VALID, dispatch_state=DispatchState.PENDING).count(),
                f"{index}?queue=assign",
            ),
            WorkItem(
                "待审核发布的答复",
                letters.filter(dispatch_state=DispatchState.REPLIED).count(),
                f"{index}?queue=review",
            ),
        ]
    else:
        items = [
            WorkItem(
                "待答复来信",
                letters.filter(
                    screening=Screening.VALID,
                    dispatch_state__in=[DispatchState.PENDING, DispatchState.HANDLING],
                ).count(),
                f"{index}?queue=handling",
            )
        ]
    items.append(WorkItem("超期未答复来信", overdue.count(), f"{index}?overdue=1", level="overdue"))
    return WorkSection("领导信箱", items, order=45, note="暂无待办来信。")
