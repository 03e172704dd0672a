"""Background work of the hotline: thin wrappers around services."""

from __future__ import annotations

from datetime import time, timedelta

from django_tasks import task

from zhengwu.core.scheduler import periodic


@task(queue_name="default")
def dispatch_warnings() -> int:
    """预警 reminders of every kind of case on the dispatch engine."""
    from zhengwu.core.services.dispatch import send_warnings

    return send_warnings()


@task(queue_name="maintenance")
def knowledge_expiry() -> int:
    """Tell owner units about their 知识库 entries that expired."""
    from .services.knowledge import notify_expired

    return notify_expired()


periodic(dispatch_warnings, every=timedelta(minutes=15), name="dispatch.warnings")
periodic(knowledge_expiry, every=timedelta(days=1), at=time(8, 0), name="hotline.knowledge_expiry")
