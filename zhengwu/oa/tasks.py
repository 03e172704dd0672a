"""Background work of 公文: thin wrappers around services."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from zhengwu.core.scheduler import periodic


@task(queue_name="maintenance")
def urge_overdue_documents() -> int:
    """催办 the urgent received documents past their 办理时限 (each at most once a day)."""
    from .services.workflow import urge_overdue

    return urge_overdue()


periodic(urge_overdue_documents, every=timedelta(hours=1), name="oa.urge_overdue")
