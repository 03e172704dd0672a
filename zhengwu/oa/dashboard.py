"""公文 in each person's 工作台: drafts waiting for them at their step, documents to sign for, to instruct, to read,
and urgent ones past their 办理时限."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks

from zhengwu.core.admin.dashboard import HOOK, WorkItem, WorkSection


@hooks.register(HOOK)
def oa_work(user) -> WorkSection | None:
    from .models import Circulation, IncomingState, OutgoingStep
    from .services import workflow as wf

    perms = (wf.DRAFT, wf.REVIEW, wf.SIGN, wf.HANDLE)
    if not any(user.has_perm(p) for p in perms):
        return None
    items = []
    outgoing = reverse("oa_outgoing_list")
    incoming = reverse("oa_incoming_list")
    mine = wf.visible_outgoing(user)
    if user.has_perm(wf.DRAFT):
        items.append(
            WorkItem(
                "我起草的待送核稿公文",
                mine.filter(drafter=user, step=OutgoingStep.DRAFT).count(),
                f"{outgoing}?queue=mine",
            )
        )
    if user.has_perm(wf.REVIEW):
        reviewing = [
            d
            for d in mine.filter(step=OutgoingStep.REVIEW, reviewers=user)
            if user in wf.pending_reviewers(d)
        ]
        items.append(WorkItem("待我核稿的公文", len(reviewing), f"{outgoing}?queue=todo"))
    if user.has_perm(wf.SIGN):
        signing = [
            d
            for d in mine.filter(step__in=[OutgoingStep.SIGN, OutgoingStep.COUNTERSIGN])
            if user in wf.current_actors(d)
        ]
        items.append(WorkItem("待我签发、会签的公文", len(signing), f"{outgoing}?queue=todo"))
        items.append(
            WorkItem(
                "待我批示的收文",
                wf.visible_incoming(user).filter(state=IncomingState.PROPOSED, instructor=user).count(),
                f"{incoming}?queue=todo",
            )
        )
    if user.has_perm(wf.HANDLE) and getattr(user, "organization", None) is not None:
        office = mine.filter(
            Q(organization=user.organization) | Q(organization__oa_profile__office=user.organization),
            step__in=[
                OutgoingStep.RECHECK,
                OutgoingStep.REGISTER,
                OutgoingStep.SEAL,
                OutgoingStep.DISTRIBUTE,
            ],
        )
        items.append(WorkItem("待复核、登记、用印、核发的公文", office.count(), f"{outgoing}?queue=todo"))
        received = wf.visible_incoming(user).filter(
            Q(organization=user.organization) | Q(organization__oa_profile__office=user.organization)
        )
        items.append(
            WorkItem(
                "待签收的来文",
                received.filter(state=IncomingState.DELIVERED).count(),
                f"{incoming}?state=delivered",
            )
        )
        items.append(
            WorkItem(
                "待登记、分办的收文",
                received.filter(state__in=[IncomingState.RECEIVED, IncomingState.REGISTERED]).count(),
                f"{incoming}?queue=todo",
            )
        )
        items.append(
            WorkItem(
                "超过办理时限的紧急收文",
                received.filter(
                    state__in=[IncomingState.HANDLING, IncomingState.PROPOSED], due_at__lt=timezone.now()
                ).count(),
                f"{incoming}?queue=overdue",
                level="overdue",
            )
        )
    unread = Circulation.objects.filter(reader=user, read_at__isnull=True).count()
    if unread:
        items.append(WorkItem("待我阅的传阅件", unread, f"{incoming}?queue=read"))
    return WorkSection("公文", items)
