"""Sending e-mail and SMS for :func:`zhengwu.core.services.notifications.notify`, on the ``notifications`` queue."""

from django_tasks import task

from ..services.notifications import run_delivery


@task(queue_name="notifications")
def deliver_notification(delivery_id: int) -> str:
    """Try one delivery; on failure with attempts left the service enqueues the next try. Returns the status."""
    return run_delivery(delivery_id=delivery_id)
