"""A task for the scheduler tests (tasks must be importable by module path)."""

from django_tasks import task


@task(queue_name="maintenance")
def tick() -> str:
    return "tick"


@task()
def slow_mark(path: str, seconds: float) -> str:
    """Idempotent slow work for the worker-crash tests: note the start, wait, note the end."""
    import time
    from pathlib import Path

    marker = Path(path)
    with marker.open("a", encoding="utf-8") as f:
        f.write("started\n")
    time.sleep(seconds)
    with marker.open("a", encoding="utf-8") as f:
        f.write("done\n")
    return "done"
