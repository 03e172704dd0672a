"""Background work of the case clock: recompute open clocks after the work calendar changed."""

from __future__ import annotations

from django_tasks import task


@task()
def recompute_open_clocks_task() -> int:
    """Recompute every running or paused clock against the current calendar; return how many rows changed."""
    from ..services.clock import recompute_open_clocks

    return recompute_open_clocks()
