"""Background work of the disclosure app: thin wrappers around services."""

from __future__ import annotations

from datetime import time, timedelta

from django_tasks import task

from zhengwu.core.scheduler import periodic


@task(queue_name="default")
def render_notice_letter(letter_id: int) -> None:
    """Write the .docx and PDF of a 告知书 after the action that issued it has committed."""
    from .models import NoticeLetter
    from .services.letters import render_letter

    letter = NoticeLetter.objects.select_related("request__organization").filter(pk=letter_id).first()
    if letter is not None:
        render_letter(letter=letter)


@task(queue_name="default")
def publish_annual_report(report_id: int) -> None:
    """Publish a 年度报告 asked for in the admin: tables, Word and PDF, progress written as it goes."""
    from .services.reports import run_publication

    run_publication(report_id=report_id)


@task(queue_name="maintenance")
def annual_report_reminders() -> None:
    """Remind each organization that has not published last year's report before the statutory date."""
    from .services.reports import send_report_reminders

    send_report_reminders()


periodic(annual_report_reminders, every=timedelta(days=1), at=time(8, 30), name="disclosure.report_reminders")
