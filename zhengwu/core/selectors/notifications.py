"""Reads of the inbox and of delivery records."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ..models import Delivery, Notification


def inbox(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    """``user``'s own inbox, newest first."""
    if user is None or not getattr(user, "pk", None):
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient=user, in_inbox=True)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-pk")


def unread_count(user: Any) -> int:
    return inbox(user, unread_only=True).count()


def inbox_message(user: Any, pk: int) -> Notification | None:
    """One of ``user``'s own messages, or ``None`` (also for other people's messages)."""
    return inbox(user).filter(pk=pk).first()


def deliveries_for(notification: Notification) -> QuerySet[Delivery]:
    return notification.deliveries.order_by("pk")


def failed_deliveries() -> QuerySet[Delivery]:
    """Deliveries given up after the last attempt, newest first — for the people who keep the gateways running."""
    return (
        Delivery.objects.filter(status="failed")
        .select_related("notification")
        .order_by("-last_attempt_at", "-pk")
    )
