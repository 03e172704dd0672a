"""The database task worker with a heartbeat: ``zhengwu db_worker`` as django-tasks-db ships it, plus a thread that
keeps this worker's lease alive and, at start-up and at every beat, hands tasks of dead workers back to the queue
(see :mod:`zhengwu.core.services.tasks`)."""

from __future__ import annotations

import logging
import threading

from django.db import DatabaseError, connections
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

logger = logging.getLogger("zhengwu.tasks")


class Heartbeat(threading.Thread):
    def __init__(self, worker_id: str, every: float) -> None:
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.every = every
        self.stopped = threading.Event()

    def run(self) -> None:
        from zhengwu.core.services.tasks import beat, recover_stalled_tasks

        try:
            while not self.stopped.wait(self.every):
                try:
                    beat(self.worker_id)
                    # Any living worker takes over the tasks of a dead one, whether or not a scheduler runs.
                    recover_stalled_tasks()
                except DatabaseError:  # a busy or briefly unreachable database: try again at the next beat
                    logger.warning("后台任务进程心跳写入失败，稍后重试。", exc_info=True)
        finally:
            connections.close_all()

    def stop(self) -> None:
        self.stopped.set()


class Command(DatabaseWorkerCommand):
    help = "后台任务处理进程（数据库任务队列）：定时写入心跳，启动时接管中途停止的进程留下的任务。"

    def handle(self, *args, **options):
        from zhengwu.core.services.tasks import (
            heartbeat_seconds,
            recover_stalled_tasks,
            register_worker,
            unregister_worker,
        )

        worker_id = options["worker_id"]
        register_worker(worker_id)
        recovered = recover_stalled_tasks()
        if recovered and options["verbosity"]:
            self.stdout.write(
                f"已接管中途停止的任务：重新排队 {len(recovered.requeued)} 个，标记失败 {len(recovered.failed)} 个。"
            )
        heartbeat = Heartbeat(worker_id, heartbeat_seconds())
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
            heartbeat.join(timeout=5)
            try:
                unregister_worker(worker_id)
            except DatabaseError:
                pass
