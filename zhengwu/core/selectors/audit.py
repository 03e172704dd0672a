"""Reads of the audit log for the audit administrator (安全审计员)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from ..models import AuditLog


def audit_entries(
    *,
    action: str = "",
    actor: Any = None,
    date_from: date | None = None,
    date_to: date | None = None,
    search: str = "",
    target: Any = None,
) -> QuerySet[AuditLog]:
    """Audit rows, newest first. ``action`` matches a code or a dotted prefix (``"disclosure"`` finds
    ``"disclosure.request.extend"``); dates are local calendar days, both ends included."""
    qs = AuditLog.objects.all()
    if action:
        qs = qs.filter(Q(action=action) | Q(action__startswith=action.rstrip(".") + "."))
    if actor is not None:
        qs = qs.filter(actor_id=getattr(actor, "pk", actor))
    if date_from:
        qs = qs.filter(created_at__gte=timezone.make_aware(datetime.combine(date_from, time.min)))
    if date_to:
        qs = qs.filter(created_at__lte=timezone.make_aware(datetime.combine(date_to, time.max)))
    if target is not None:
        qs = qs.filter(target_type=target._meta.label_lower, target_id=str(target.pk))
    if search:
        qs = qs.filter(
            Q(action__icontains=search)
            | Q(actor_label__icontains=search)
            | Q(target_label__icontains=search)
            | Q(target_id=search)
        )
    return qs.order_by("-seq")


def history_of(target: Any) -> QuerySet[AuditLog]:
    """Every audit row about one object, oldest first: the case history a supervisor reads."""
    return AuditLog.objects.filter(target_type=target._meta.label_lower, target_id=str(target.pk)).order_by(
        "seq"
    )


def action_codes() -> list[str]:
    """Distinct action codes present in the log."""
    return list(AuditLog.objects.order_by("action").values_list("action", flat=True).distinct())
