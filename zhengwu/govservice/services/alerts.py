"""电子监察 alerts on the applications being handled: 预警 a working day before the 承诺 due date (data), 黄牌 once
it has passed, 红牌 once the 法定 due date has passed — to the unit's window staff, and for cards also to the
supervising office (the holders of ``govservice.manage_all_items``). Each level is sent once per application: the
level reached is written in the same transaction as the messages, so a worker killed half-way sends them on the
next run, and a run repeated sends nothing twice."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from zhengwu.core.models import Staff
from zhengwu.core.selectors.calendar import get_work_calendar
from zhengwu.core.services.audit import audit
from zhengwu.core.services.clock import format_date
from zhengwu.core.services.notifications import notify

from .. import rules
from ..models import Application, ApplicationStatus
from .supervision import card_at, derive

LEVELS = {"": 0, "warning": 1, "yellow": 2, "red": 3}
LABELS = {"warning": "预警", "yellow": "黄牌", "red": "红牌"}
SUPERVISE = "govservice.manage_all_items"
HANDLE = "govservice.handle_application"
WATCHED = (ApplicationStatus.PROCESSING, ApplicationStatus.SUSPENDED, ApplicationStatus.DECIDED)


def level_at(application: Application, day: dt.date) -> tuple[str, dt.date, dt.date]:
    """The card an open application has earned at the end of ``day``, with its due dates then."""
    case = application.case
    calendar = get_work_calendar()
    pauses = [(p.start_on, p.end_on) for p in case.pauses.all()]
    running = _running_pause(application)
    if running is not None and running <= day:
        pauses.append((running, day))  # not recorded on the case until it ends
    derived = derive(
        calendar,
        accepted_on=case.accepted_on,
        finished_on=None,
        promised_days=case.promised_days,
        legal_days=case.legal_days + case.extension_days,
        pauses=pauses,
        as_of=day,
    )
    before = rules.supervision()["warning"]["before_promised_due_workdays"]
    warn_from = calendar.shift(derived.promised_due_on, -before) if before else derived.promised_due_on
    level = card_at(derived, day)
    if not level and day >= warn_from and case.promised_days > 0:
        level = "warning"
    return level, derived.promised_due_on, derived.legal_due_on


def _running_pause(application: Application) -> dt.date | None:
    """The first day of the pause the application is in now: 特别程序, or a step not counted in the limits."""
    from .applications import _local_day, _step_paused

    if application.status == ApplicationStatus.SUSPENDED:
        started = (
            application.events.filter(kind="suspended")
            .order_by("-at", "-pk")
            .values_list("at", flat=True)
            .first()
        )
        return _local_day(started) if started else None
    if _step_paused(application.current_step) and application.step_started_at:
        return _local_day(application.step_started_at)
    return None


def _people(application: Application, level: str) -> list[Staff]:
    staff = [
        user
        for user in Staff.objects.filter(organization=application.organization, is_active=True)
        if user.has_perm(HANDLE)
    ]
    if level in ("yellow", "red"):
        staff += [
            user
            for user in Staff.objects.filter(is_active=True).exclude(pk__in=[s.pk for s in staff])
            if user.has_perm(SUPERVISE) and not user.is_superuser
        ]
    return staff


def send_supervision_alerts(*, at: dt.datetime | None = None) -> int:
    """Send what is due now; returns how many applications got a new alert."""
    day = timezone.localdate(at) if at else timezone.localdate()
    sent = 0
    candidates = Application.objects.filter(status__in=WATCHED, case__isnull=False).exclude(alert_level="red")
    for pk in candidates.values_list("pk", flat=True):
        with transaction.atomic():
            application = (
                Application.objects.select_for_update(of=("self",))
                .select_related("case", "version", "organization", "current_step")
                .get(pk=pk)
            )
            if application.status not in WATCHED:
                continue
            level, promised_due, legal_due = level_at(application, day)
            if LEVELS[level] <= LEVELS[application.alert_level]:
                continue
            label = LABELS[level]
            if level == "warning":
                text = f"承诺办结期限为 {format_date(promised_due)}，请抓紧办理。"
            elif level == "yellow":
                text = f"已超过承诺办结期限（{format_date(promised_due)}）仍未办结，法定办结期限为 {format_date(legal_due)}。"
            else:
                text = f"已超过法定办结期限（{format_date(legal_due)}）仍未办结。"
            recipients = _people(application, level)
            if recipients:
                notify(
                    recipients=recipients,
                    title=f"电子监察{label}：{application.version.name}（{application.tracking_number}）",
                    body=text,
                    link=f"/admin/govservice/applications/{application.pk}/",
                    category="govservice-supervision",
                )
            application.alert_level = level
            application.save(update_fields=["alert_level", "updated_at"])
            audit(
                actor=None,
                action="govservice.application.alert",
                target=application,
                organization=application.organization,
                detail={"number": application.tracking_number, "level": label, "recipients": len(recipients)},
            )
            sent += 1
    return sent
