"""Liveness of the background task workers.

The database task queue marks a task RUNNING when a worker claims it and never looks at it again: a worker killed
mid-task (``kill -9``, a power cut, the OOM killer) leaves the task RUNNING forever. Each worker therefore beats a
row here while it lives; a RUNNING task whose worker stopped beating is handed back to the queue (or failed after
too many attempts) by :func:`zhengwu.core.services.tasks.recover_stalled_tasks`.
"""

from django.db import models


class WorkerHeartbeat(models.Model):
    worker_id = models.CharField("进程标识", max_length=64, primary_key=True)
    hostname = models.CharField("主机", max_length=255, blank=True)
    pid = models.PositiveIntegerField("进程号", null=True)
    started_at = models.DateTimeField("启动时间")
    beat_at = models.DateTimeField("最近心跳", db_index=True)

    class Meta:
        verbose_name = "后台任务进程"
        verbose_name_plural = "后台任务进程"
        permissions = [("rerun_task", "可重新执行失败的后台任务")]

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid} ({self.worker_id})"
