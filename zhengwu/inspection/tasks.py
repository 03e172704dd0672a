"""Background work of the inspection app (Django Tasks API), thin wrappers around services.

Registered with the core scheduler: every registered site is inspected once a day, and probed for availability
every hour on the hour plus at half past (48 probes a day, above the rule's 20).
"""

from __future__ import annotations

from datetime import time, timedelta

from django_tasks import task


@task()
def inspect_site_task(site_id: int, trigger: str = "scheduled") -> int | None:
    from .models import InspectedSite
    from .services import run_inspection

    site = InspectedSite.objects.filter(pk=site_id, is_active=True).first()
    if site is None:
        return None
    return run_inspection(site=site, trigger=trigger).pk


@task()
def inspect_all_sites() -> int:
    from .models import InspectedSite

    ids = list(InspectedSite.objects.filter(is_active=True, daily=True).values_list("pk", flat=True))
    for site_id in ids:
        inspect_site_task.enqueue(site_id)
    return len(ids)


@task()
def probe_all_sites() -> int:
    from .models import InspectedSite
    from .services import probe_site

    count = 0
    for site in InspectedSite.objects.filter(is_active=True, probe=True):
        probe_site(site=site)
        count += 1
    return count


def _register_periodic() -> None:
    try:
        from zhengwu.core.scheduler import periodic
    except ImportError:  # an installation without the scheduler runs these from cron via the commands
        return
    periodic(inspect_all_sites, every=timedelta(days=1), at=time(2, 0), name="inspection.daily")
    periodic(probe_all_sites, every=timedelta(minutes=30), name="inspection.probes")


_register_periodic()
