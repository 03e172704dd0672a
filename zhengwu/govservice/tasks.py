"""Background work of 网上办事: thin wrappers around services."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from zhengwu.core.scheduler import periodic


@task(queue_name="maintenance")
def supervision_alerts() -> int:
    """预警, 黄牌 and 红牌 of the applications being handled (each level once per application)."""
    from .services.alerts import send_supervision_alerts

    return send_supervision_alerts()


periodic(supervision_alerts, every=timedelta(minutes=30), name="govservice.supervision_alerts")
