"""A task for the scheduler tests (tasks must be importable by module path)."""

from django_tasks import task


@task(queue_name="maintenance")
def tick() -> str:
    return "tick"
