"""Background work of 共享申请: thin wrappers around services."""

from __future__ import annotations

from datetime import time, timedelta

from django_tasks import task

from zhengwu.core.scheduler import periodic


@task(queue_name="maintenance")
def expire_share_grants() -> int:
    """Close the grants whose 授权截止日期 has passed (uses check the date themselves in between)."""
    from .services.sharing import expire_grants

    return expire_grants()


periodic(expire_share_grants, every=timedelta(days=1), at=time(0, 30), name="catalog.share_grant_expiry")
