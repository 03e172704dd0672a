"""Background work of the portal."""

from datetime import timedelta

from django.core.management import call_command
from django_tasks import task

from zhengwu.core.scheduler import periodic


@task(queue_name="maintenance")
def publish_scheduled_pages() -> None:
    """定时发布: publish pages whose go-live time has come and unpublish expired ones (Wagtail's command); each
    publication still passes the 保密审查 guard of the page models."""
    call_command("publish_scheduled")


periodic(publish_scheduled_pages, every=timedelta(minutes=1), name="portal.publish_scheduled")
