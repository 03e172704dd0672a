"""The daily backup into dated folders (``ZHENGWU_BACKUP_ROOT``), with retention; off when ``ZHENGWU_BACKUP_AT``
is empty."""

from __future__ import annotations

from datetime import time, timedelta

from django.conf import settings
from django_tasks import task

from zhengwu.core.scheduler import periodic


@task(queue_name="maintenance")
def daily_backup_task() -> dict:
    from ..services.backup import scheduled_backup

    return scheduled_backup()


_at = (getattr(settings, "ZHENGWU_BACKUP_AT", "") or "").strip()
if _at:
    _hour, _minute = (int(part) for part in _at.split(":"))
    periodic(daily_backup_task, every=timedelta(days=1), at=time(_hour, _minute), name="core.daily_backup")
