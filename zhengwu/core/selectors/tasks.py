"""Reads of the background task queue for the admin: workers, what runs, what waits, what failed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from ..models import WorkerHeartbeat
from ..services.tasks import WORKER_LOST_EXCEPTION, lease_seconds

STATUS_LABELS = {"READY": "等待执行", "RUNNING": "执行中", "SUCCESSFUL": "已完成", "FAILED": "失败"}


@dataclass(frozen=True)
class TaskRow:
    id: str
    task_path: str
    queue_name: str
    status: str
    status_label: str
    enqueued_at: Any
    started_at: Any
    finished_at: Any
    attempts: int
    worker_lost: bool
    error: str


@dataclass(frozen=True)
class TaskOverview:
    workers: list[Any]
    live_workers: int
    counts: dict[str, int]
    running: list[TaskRow]
    failed: list[TaskRow]


def _row(result: Any) -> TaskRow:
    error = ""
    if result.status == "FAILED":
        lines = [line for line in (result.traceback or "").strip().splitlines() if line.strip()]
        error = lines[-1][:300] if lines else result.exception_class_path
    return TaskRow(
        id=str(result.pk),
        task_path=result.task_path,
        queue_name=result.queue_name,
        status=result.status,
        status_label=STATUS_LABELS.get(result.status, result.status),
        enqueued_at=result.enqueued_at,
        started_at=result.started_at,
        finished_at=result.finished_at,
        attempts=len(result.worker_ids or []),
        worker_lost=result.exception_class_path == WORKER_LOST_EXCEPTION,
        error=error,
    )


def task_overview(*, limit: int = 50) -> TaskOverview:
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    cutoff = now - timedelta(seconds=lease_seconds())
    workers = list(WorkerHeartbeat.objects.order_by("-beat_at")[:limit])
    for worker in workers:
        worker.alive = worker.beat_at >= cutoff
    counts = {
        row["status"]: row["n"]
        for row in DBTaskResult.objects.values("status").annotate(n=Count("id")).order_by()
    }
    fields = (
        "id",
        "task_path",
        "queue_name",
        "status",
        "enqueued_at",
        "started_at",
        "finished_at",
        "worker_ids",
        "exception_class_path",
        "traceback",
    )
    running = [_row(r) for r in DBTaskResult.objects.running().only(*fields).order_by("started_at")[:limit]]
    failed = [_row(r) for r in DBTaskResult.objects.failed().only(*fields).order_by("-finished_at")[:limit]]
    return TaskOverview(
        workers=workers,
        live_workers=sum(1 for w in workers if w.alive),
        counts={label: counts.get(status, 0) for status, label in STATUS_LABELS.items()},
        running=running,
        failed=failed,
    )
