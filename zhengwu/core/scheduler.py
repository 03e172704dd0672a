"""Periodic background work (scheduled publishing, daily inspections, availability probes, reminders).

Apps register a Django task with :func:`periodic`; the ``zhengwu scheduler`` process (started by ``zhengwu serve``,
one per installation) enqueues each task when it falls due. When it last ran is read back from the database task
queue itself, so a restart neither skips nor repeats a run. The Tasks API has no scheduler of its own; with a
Celery backend, the same registry can be fed to beat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    task: Any  # a django_tasks Task
    every: timedelta
    at: time | None = None  # for daily and longer periods: the local time of day to run

    def next_due(self, last_run: datetime | None, now: datetime) -> datetime:
        if last_run is None:
            if self.at is None:
                return now
            return self._at_on_or_before(now)
        if self.at is None:
            return last_run + self.every
        return self._at_on_or_before(timezone.localtime(last_run) + self.every)

    def _at_on_or_before(self, moment: datetime) -> datetime:
        local = timezone.localtime(moment)
        candidate = local.replace(hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0)
        if candidate > local:
            candidate -= timedelta(days=1)
        return candidate


_periodic: dict[str, PeriodicTask] = {}


def periodic(task: Any, *, every: timedelta, at: time | None = None, name: str | None = None) -> PeriodicTask:
    entry = PeriodicTask(name=name or task.module_path, task=task, every=every, at=at)
    _periodic[entry.name] = entry
    return entry


def periodic_tasks() -> list[PeriodicTask]:
    return sorted(_periodic.values(), key=lambda p: p.name)


def last_enqueued(entry: PeriodicTask) -> datetime | None:
    from django_tasks_db.models import DBTaskResult

    row = (
        DBTaskResult.objects.filter(task_path=entry.task.module_path)
        .order_by("-enqueued_at")
        .values_list("enqueued_at", flat=True)
        .first()
    )
    return row


def run_due(*, now: datetime | None = None) -> list[str]:
    """Enqueue every periodic task that is due; return their names."""
    now = now or timezone.now()
    started = []
    for entry in periodic_tasks():
        last = last_enqueued(entry)
        if last is None or entry.next_due(last, now) <= now:
            entry.task.enqueue()
            started.append(entry.name)
    return started
