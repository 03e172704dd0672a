"""Background tasks survive a worker that dies mid-task; ``zhengwu serve`` restarts its worker and stops cleanly."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from zhengwu.core.models import AuditLog, WorkerHeartbeat
from zhengwu.core.services.tasks import WORKER_LOST_EXCEPTION, beat, recover_stalled_tasks, rerun_task

TICK = "zhengwu.core.tests.sample_tasks.tick"


def _running(*, worker_ids, started_ago=600):
    return DBTaskResult.objects.create(
        task_path=TICK,
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        queue_name="maintenance",
        run_after=timezone.now(),
        status="RUNNING",
        started_at=timezone.now() - timedelta(seconds=started_ago),
        worker_ids=worker_ids,
    )


@pytest.mark.django_db
def test_task_of_a_dead_worker_is_requeued_then_failed_after_the_limit(settings):
    settings.ZHENGWU_TASK_LEASE_SECONDS = 60
    settings.ZHENGWU_TASK_MAX_ATTEMPTS = 3
    result = _running(worker_ids=["w1"])
    recovery = recover_stalled_tasks()
    result.refresh_from_db()
    assert recovery.requeued == [str(result.pk)] and result.status == "READY" and result.started_at is None
    # Claimed twice more by workers that died too: the third death is the last.
    DBTaskResult.objects.filter(pk=result.pk).update(
        status="RUNNING", worker_ids=["w1", "w2", "w3"], started_at=timezone.now() - timedelta(hours=1)
    )
    recovery = recover_stalled_tasks()
    result.refresh_from_db()
    assert recovery.failed == [str(result.pk)]
    assert result.status == "FAILED" and result.exception_class_path == WORKER_LOST_EXCEPTION
    assert "重试上限" in result.traceback
    actions = list(
        AuditLog.objects.filter(action__startswith="core.task.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["core.task.requeued", "core.task.failed"]


@pytest.mark.django_db
def test_a_live_worker_and_a_fresh_claim_keep_their_task(settings):
    settings.ZHENGWU_TASK_LEASE_SECONDS = 60
    beat("alive")
    busy = _running(worker_ids=["alive"], started_ago=3600)
    fresh = _running(worker_ids=["not-yet-beating"], started_ago=5)
    stale_beat = _running(worker_ids=["gone"])
    WorkerHeartbeat.objects.create(
        worker_id="gone", started_at=timezone.now(), beat_at=timezone.now() - timedelta(seconds=61)
    )
    recovery = recover_stalled_tasks()
    assert recovery.requeued == [str(stale_beat.pk)] and recovery.failed == []
    for kept in (busy, fresh):
        kept.refresh_from_db()
        assert kept.status == "RUNNING"


@pytest.mark.django_db
def test_failed_task_is_run_again_from_the_admin(admin_client, django_capture_on_commit_callbacks, settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "maintenance"]}
    }
    failed = _running(worker_ids=["a", "b", "c"])
    DBTaskResult.objects.filter(pk=failed.pk).update(
        status="FAILED", exception_class_path=WORKER_LOST_EXCEPTION, traceback="处理进程中途停止"
    )
    earlier = set(DBTaskResult.objects.values_list("pk", flat=True))
    page = admin_client.get(reverse("core_tasks_index"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "失败的任务" in html and "处理进程多次中途停止" in html and "重新执行" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("core_tasks_rerun", args=[failed.pk]))
    assert response.status_code == 302
    assert AuditLog.objects.filter(action="core.task.rerun").count() == 1
    # (Wagtail may queue its own reference-index task on the way; only ours is looked at.)
    again = DBTaskResult.objects.exclude(pk__in=earlier).get(task_path=TICK)
    assert (again.task_path, again.status, again.queue_name) == (TICK, "READY", "maintenance")
    with pytest.raises(ValueError, match="只有失败的任务"):
        rerun_task(result_id=str(_running(worker_ids=["x"]).pk), actor=None)


@pytest.mark.django_db
def test_task_page_is_refused_without_permission(client, make_staff):
    user = make_staff("plain")
    client.force_login(user)
    assert client.get(reverse("core_tasks_index")).status_code in (302, 403)


# ---------------------------------------------------------------------------------------------------------------
# Real processes: a worker killed with SIGKILL mid-task, and the serve supervisor
# ---------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """A migrated SQLite data directory of its own, shared by the process tests of this module."""
    data_dir = tmp_path_factory.mktemp("tasks-data")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "ZHENGWU_TASKS_BACKEND")
    }
    env.update(
        ZHENGWU_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="zhengwu.settings.dev",
        ZHENGWU_TASK_LEASE_SECONDS="3",
        ZHENGWU_TASK_HEARTBEAT_SECONDS="0.5",
        PYTHONUNBUFFERED="1",
    )
    subprocess.run(
        [sys.executable, "-m", "zhengwu", "migrate", "--noinput", "-v", "0"], env=env, check=True, timeout=600
    )
    return data_dir, env


def _zhengwu(env, *args, **kwargs):
    return subprocess.Popen([sys.executable, "-m", "zhengwu", *args], env=env, **kwargs)


def _status(db: Path, task_id: str) -> str | None:
    with sqlite3.connect(db, timeout=20) as conn:
        row = conn.execute(
            "SELECT status FROM django_tasks_database_dbtaskresult WHERE replace(id, '-', '') = ?",
            (task_id.replace("-", ""),),
        ).fetchone()
    return row[0] if row else None


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_task_finishes_after_its_worker_is_killed(scratch, tmp_path):
    data_dir, env = scratch
    marker = tmp_path / "marker.txt"
    enqueue = subprocess.run(
        [
            sys.executable,
            "-m",
            "zhengwu",
            "shell",
            "-c",
            "from zhengwu.core.tests.sample_tasks import slow_mark; "
            f"print(slow_mark.enqueue({str(marker)!r}, 4).id)",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    task_id = enqueue.stdout.strip().splitlines()[-1]
    worker_args = ("db_worker", "--queue-name", "*", "--interval", "0.2", "--no-reload", "--no-startup-delay")
    first = _zhengwu(env, *worker_args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(lambda: marker.exists() and "started" in marker.read_text(), 120, "the task to start")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    db = data_dir / "zhengwu.sqlite3"
    assert _status(db, task_id) == "RUNNING"  # what the queue alone would keep forever
    second = _zhengwu(env, *worker_args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(lambda: _status(db, task_id) == "SUCCESSFUL", 120, "the task to finish on the second worker")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=20)
    assert marker.read_text().splitlines() == ["started", "started", "done"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it has exited all the same.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_serve_restarts_a_dead_worker_and_stops_its_helpers_on_sigterm(scratch, tmp_path):
    _data_dir, env = scratch
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        serve = _zhengwu(env, "serve", "--port", str(_free_port()), stdout=out, stderr=subprocess.STDOUT)
    pids = re.compile(r"(后台任务处理进程|定时任务调度进程)(?:已启动|已重新启动)（进程号 (\d+)）")
    try:
        started = _wait(lambda: dict(pids.findall(log.read_text())) or None, 120, "the helpers to start")
        _wait(lambda: len(dict(pids.findall(log.read_text()))) == 2, 60, "both helpers")
        started = dict(pids.findall(log.read_text()))
        worker, scheduler = int(started["后台任务处理进程"]), int(started["定时任务调度进程"])
        os.kill(worker, signal.SIGKILL)
        restarted = _wait(
            lambda: re.findall(r"后台任务处理进程已重新启动（进程号 (\d+)）", log.read_text()),
            60,
            "a new worker",
        )
        new_worker = int(restarted[-1])
        assert new_worker != worker and _alive(new_worker)
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=30)
    finally:
        if serve.poll() is None:
            serve.kill()
    _wait(lambda: not _alive(new_worker) and not _alive(scheduler), 15, "the helpers to stop")


def test_serve_runs_without_debug_pages_but_serves_static_files(scratch):
    """`zhengwu serve` (and so `./zw demo`) shows what a county sees: no URLconf listing, no traceback; static files
    are still served by the development server."""
    import urllib.error
    import urllib.request

    _data_dir, env = scratch
    env = {key: value for key, value in env.items() if key != "ZHENGWU_DEBUG"}
    # The cache table (made by `zhengwu setup`, which the demo runs first): the error pages look up the site.
    subprocess.run([sys.executable, "-m", "zhengwu", "createcachetable"], env=env, check=True, timeout=120)
    port = _free_port()
    serve = _zhengwu(
        env, "serve", "--port", str(port), "--no-worker", stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"

    def get(path):
        try:
            with urllib.request.urlopen(base + path, timeout=10) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")
        except OSError:
            return None

    try:
        status, body = _wait(lambda: get("/no-such-page-anywhere/"), 120, "the server to answer")
        assert status == 404
        assert "URLconf" not in body and "Traceback" not in body and "DEBUG = True" not in body
        status, body = get("/static/wagtailadmin/css/core.css")
        assert status == 200 and len(body) > 1000
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=30)
