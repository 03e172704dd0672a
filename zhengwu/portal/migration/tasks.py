"""Site imports started from the admin run in the background (Django Tasks), reporting progress on their run row."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="default")
def site_import_task(run_id: int) -> str:
    from .services import execute_run

    return execute_run(run_id=run_id).status
