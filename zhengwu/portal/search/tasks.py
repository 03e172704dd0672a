"""Background work of the site search (Django Tasks API): thin wrappers around :mod:`.services`."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from zhengwu.core.scheduler import periodic


@task()
def sync_pages_task(page_ids: list[int]) -> dict[str, int]:
    """Index or unindex these pages as they are now (after publish, unpublish or an alias update)."""
    from .services import sync_pages

    result = sync_pages(page_ids=page_ids)
    return {"indexed": result.indexed, "removed": result.removed}


@task()
def sync_subtree_task(page_id: int) -> dict[str, int]:
    """Re-examine a page and its descendants (after a move or a change of view restrictions)."""
    from .services import sync_subtree

    result = sync_subtree(page_id=page_id)
    return {"indexed": result.indexed, "removed": result.removed}


@task()
def sync_site_task(site_id: int) -> dict[str, int]:
    from .services import sync_site

    result = sync_site(site_id=site_id)
    return {"indexed": result.indexed, "removed": result.removed}


@task(queue_name="maintenance")
def search_maintenance_task() -> dict[str, int]:
    """Nightly: fix entries that disagree with the pages, merge the index, drop old search log rows."""
    from .services import optimize_index, prune_query_log, reconcile_index

    result = reconcile_index()
    optimize_index()
    pruned = prune_query_log()
    return {"indexed": result.indexed, "removed": result.removed, "pruned_log_rows": pruned}


periodic(search_maintenance_task, every=dt.timedelta(days=1), at=dt.time(3, 20))
