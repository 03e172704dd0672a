"""Leases for background tasks: a task whose worker died is run again, up to a limit, then shown as failed.

A worker (``zhengwu db_worker``) beats its :class:`~zhengwu.core.models.WorkerHeartbeat` row every
``ZHENGWU_TASK_HEARTBEAT_SECONDS``. A RUNNING task belongs to the last worker in its ``worker_ids``; when that
worker has not beaten for ``ZHENGWU_TASK_LEASE_SECONDS`` (or never registered), the task is handed back to the
queue — tasks are written to be idempotent (re-rendering a letter, re-indexing a page, re-sending a pending
delivery) — until it has been claimed ``ZHENGWU_TASK_MAX_ATTEMPTS`` times; then it is marked failed with a Chinese
explanation, and an administrator can run it again from the admin (:func:`rerun_task`).

Recovery runs in the scheduler's loop and when a worker starts, so one surviving process is enough.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import WorkerHeartbeat
from .audit import audit

WORKER_LOST_EXCEPTION = "zhengwu.core.services.tasks.WorkerLost"


class WorkerLost(Exception):
    """Recorded as the failure of a task whose worker died too many times while running it."""


def lease_seconds() -> float:
    return float(getattr(settings, "ZHENGWU_TASK_LEASE_SECONDS", 120))


def heartbeat_seconds() -> float:
    default = max(1.0, lease_seconds() / 4)
    return float(getattr(settings, "ZHENGWU_TASK_HEARTBEAT_SECONDS", default))


def max_attempts() -> int:
    return int(getattr(settings, "ZHENGWU_TASK_MAX_ATTEMPTS", 3))


def register_worker(worker_id: str) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": now,
            "beat_at": now,
        },
    )


def beat(worker_id: str) -> None:
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(beat_at=timezone.now())
    if not updated:
        register_worker(worker_id)


def unregister_worker(worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


@dataclass(frozen=True)
class Recovery:
    requeued: list[str]
    failed: list[str]

    def __bool__(self) -> bool:
        return bool(self.requeued or self.failed)


def _stalled(now: datetime) -> list[Any]:
    """RUNNING tasks whose current worker has not beaten within the lease."""
    from django_tasks_db.models import DBTaskResult

    cutoff = now - timedelta(seconds=lease_seconds())
    alive = set(WorkerHeartbeat.objects.filter(beat_at__gte=cutoff).values_list("worker_id", flat=True))
    stalled = []
    for result in DBTaskResult.objects.running().only("id", "worker_ids", "started_at", "task_path"):
        worker = result.worker_ids[-1] if result.worker_ids else None
        if worker in alive:
            continue
        # A worker that claimed the task a moment ago may not have beaten yet: give every claim a full lease.
        if result.started_at is not None and result.started_at > cutoff:
            continue
        stalled.append(result)
    return stalled


def recover_stalled_tasks(*, now: datetime | None = None) -> Recovery:
    """Hand stalled RUNNING tasks back to the queue, or fail them after too many attempts. Each task is changed
    under a row lock and only while still RUNNING under the same worker, so two recovering processes, or a worker
    that comes back to life, never make a task run twice at once by this path."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    requeued: list[str] = []
    failed: list[str] = []
    limit = max_attempts()
    for candidate in _stalled(now):
        with transaction.atomic():
            result = DBTaskResult.objects.select_for_update().filter(pk=candidate.pk).first()
            if result is None or result.status != "RUNNING" or result.worker_ids != candidate.worker_ids:
                continue
            attempts = len(result.worker_ids)
            detail = {"task": result.task_path, "task_id": str(result.pk), "attempts": attempts}
            if attempts >= limit:
                result.status = "FAILED"
                result.finished_at = now
                result.exception_class_path = WORKER_LOST_EXCEPTION
                result.traceback = (
                    f"处理该任务的后台进程已 {attempts} 次在执行中途停止（进程被终止或服务器重启），"
                    f"达到重试上限 {limit} 次，任务未完成。排除原因后可在“后台任务”中重新执行。"
                )
                result.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
                audit(actor=None, action="core.task.failed", detail=detail)
                failed.append(str(result.pk))
            else:
                result.status = "READY"
                result.started_at = None
                result.save(update_fields=["status", "started_at"])
                audit(actor=None, action="core.task.requeued", detail=detail)
                requeued.append(str(result.pk))
    # Rows of workers that stopped long ago only clutter the admin page.
    WorkerHeartbeat.objects.filter(beat_at__lt=now - timedelta(days=1)).delete()
    return Recovery(requeued=requeued, failed=failed)


@transaction.atomic
def rerun_task(*, result_id: str, actor: Any, request: Any = None) -> Any:
    """Enqueue a failed task again with the same arguments (a new queue entry; the failed one stays as the
    record of what happened)."""
    from django_tasks_db.models import DBTaskResult

    result = DBTaskResult.objects.select_for_update().filter(pk=result_id).first()
    if result is None:
        raise ValueError("没有这个后台任务。")
    if result.status != "FAILED":
        raise ValueError("只有失败的任务可以重新执行。")
    from django.utils.module_loading import import_string

    try:
        task = import_string(result.task_path).using(queue_name=result.queue_name, priority=result.priority)
    except ImportError as exc:
        raise ValueError(f"任务 {result.task_path} 已不存在，无法重新执行。") from exc
    args = result.args_kwargs.get("args", [])
    kwargs = result.args_kwargs.get("kwargs", {})
    new_result: dict[str, Any] = {}

    def enqueue() -> None:
        new_result["id"] = task.enqueue(*args, **kwargs).id

    audit(
        actor=actor,
        action="core.task.rerun",
        detail={"task": result.task_path, "task_id": str(result.pk)},
        request=request,
    )
    transaction.on_commit(enqueue)
    return result
