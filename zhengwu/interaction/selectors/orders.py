"""Reading work orders: the workbench lists (org-scoped), the caller's recent cases, pending intake."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from zhengwu.core.models.clock import ClockState
from zhengwu.core.models.dispatch import AssignmentState
from zhengwu.core.scoping import scope_queryset

from ..models import Outcome, WorkOrder

ORG_FIELD = ("assignments__organization",)


def orders_for(user: Any) -> QuerySet[WorkOrder]:
    """The work orders a staff member may see: all for the hotline and the county office; for a unit, the orders
    dispatched to it (or to a unit below it)."""
    return scope_queryset(WorkOrder.objects.all(), user, ORG_FIELD)


def workbench(
    user: Any,
    *,
    state: str = "",
    status: str = "",
    queue: str = "",
    query: str = "",
    at: dt.datetime | None = None,
) -> QuerySet[WorkOrder]:
    at = at or timezone.now()
    qs = orders_for(user).select_related("category", "lead_unit", "handle_clock")
    if state:
        qs = qs.filter(dispatch_state=state)
    if status == "overdue":
        qs = qs.filter(handle_clock__state=ClockState.RUNNING, handle_clock__due_at__lt=at)
    elif status == "warning":
        qs = qs.filter(
            handle_clock__state=ClockState.RUNNING,
            handle_clock__due_at__gte=at,
            handle_clock__warn_at__lte=at,
        )
    elif status == "normal":
        qs = qs.filter(handle_clock__state=ClockState.RUNNING, handle_clock__warn_at__gt=at)
    if queue == "unsigned":
        org = getattr(user, "organization", None)
        condition = Q(assignments__state=AssignmentState.DISPATCHED)
        if org is not None and not user.has_perm("core.dispatch_cases"):
            condition &= Q(assignments__organization__path__startswith=org.path)
        qs = qs.filter(pk__in=WorkOrder.objects.filter(condition).values("pk"))
    elif queue == "intake":
        qs = qs.filter(outcome=Outcome.PENDING)
    if query:
        query = query.strip()[:50]
        qs = qs.filter(Q(tracking_number__iexact=query) | Q(external_id=query) | Q(content__icontains=query))
    return qs.order_by("-received_at", "-pk")


def recent_for_phone(phone: str, user: Any, *, limit: int = 5) -> list[WorkOrder]:
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if len(digits) < 5:
        return []
    return list(
        orders_for(user)
        .filter(caller_phone=digits)
        .select_related("category", "lead_unit")
        .order_by("-received_at")[:limit]
    )


def pending_intake() -> QuerySet[WorkOrder]:
    return (
        WorkOrder.objects.filter(outcome=Outcome.PENDING).select_related("category").order_by("received_at")
    )
