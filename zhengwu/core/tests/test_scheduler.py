from datetime import time, timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from zhengwu.core import scheduler
from zhengwu.core.tests.sample_tasks import tick

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "maintenance"]}}


@pytest.fixture
def registered(monkeypatch):
    monkeypatch.setattr(scheduler, "_periodic", {})
    return scheduler.periodic(tick, every=timedelta(hours=1), name="tick")


@pytest.mark.django_db
def test_periodic_task_is_enqueued_once_per_period(registered, settings):
    settings.TASKS = DB_TASKS
    now = timezone.now()
    assert scheduler.run_due(now=now) == ["tick"]
    assert DBTaskResult.objects.filter(task_path=tick.module_path).count() == 1
    # A second scheduler pass in the same period (or a restarted scheduler) does not enqueue it again.
    assert scheduler.run_due(now=now + timedelta(minutes=59)) == []
    assert scheduler.run_due(now=timezone.now() + timedelta(hours=1, seconds=1)) == ["tick"]
    assert DBTaskResult.objects.filter(task_path=tick.module_path).count() == 2


def test_daily_task_runs_at_its_local_time():
    entry = scheduler.PeriodicTask(name="daily", task=tick, every=timedelta(days=1), at=time(2, 0))
    tz = timezone.get_current_timezone()
    last = timezone.datetime(2026, 11, 20, 2, 0, 5, tzinfo=tz)
    due = entry.next_due(last, timezone.datetime(2026, 11, 21, 1, 0, tzinfo=tz))
    assert due == timezone.datetime(2026, 11, 21, 2, 0, tzinfo=tz)
    # Started by hand in the afternoon: the next run is still the next 02:00, not 24 hours later.
    last = timezone.datetime(2026, 11, 20, 15, 30, tzinfo=tz)
    assert entry.next_due(last, last) == timezone.datetime(2026, 11, 21, 2, 0, tzinfo=tz)
