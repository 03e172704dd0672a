"""Reading case clocks: the live status of one clock, status as a query annotation, 预警/超期 counts.

Status at a moment *t* (see :mod:`zhengwu.core.services.clock` for how due and warning moments are computed):
stopped → 按期办结 / 超期办结 as recorded; running → 超期 when *t* > ``due_at``, 预警 when *t* >= ``warn_at``, else
正常; paused → 超期 when ``paused_remaining < 0``, 预警 when ``paused_remaining <= warn_before``, else 正常.
The Python function and the SQL annotation implement the same rule, so a list filtered in the database and a
badge computed on a page agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Case, Count, F, Q, Value, When
from django.utils import timezone

from ..models import CaseClock, Organization
from ..models.clock import ClockState, ClockStatus, LimitUnit
from .calendar import get_work_calendar

OPEN_STATES = (ClockState.RUNNING, ClockState.PAUSED)


def clock_status(clock: CaseClock, *, at: dt.datetime | None = None) -> ClockStatus:
    """The status of ``clock`` at ``at`` (default now)."""
    at = at or timezone.now()
    if clock.state == ClockState.STOPPED:
        return ClockStatus(clock.final_status)
    if clock.state == ClockState.PAUSED:
        remaining = clock.paused_remaining or 0
        if remaining < 0:
            return ClockStatus.OVERDUE
        if remaining <= clock.warn_before:
            return ClockStatus.WARNING
        return ClockStatus.NORMAL
    if clock.due_at is not None and at > clock.due_at:
        return ClockStatus.OVERDUE
    if clock.warn_at is not None and at >= clock.warn_at:
        return ClockStatus.WARNING
    return ClockStatus.NORMAL


def status_expression(at: dt.datetime) -> Case:
    """The same rule as :func:`clock_status`, as a database expression."""
    return Case(
        When(state=ClockState.STOPPED, then=F("final_status")),
        When(state=ClockState.PAUSED, paused_remaining__lt=0, then=Value(ClockStatus.OVERDUE)),
        When(
            state=ClockState.PAUSED, paused_remaining__lte=F("warn_before"), then=Value(ClockStatus.WARNING)
        ),
        When(state=ClockState.PAUSED, then=Value(ClockStatus.NORMAL)),
        When(due_at__lt=at, then=Value(ClockStatus.OVERDUE)),
        When(warn_at__lte=at, then=Value(ClockStatus.WARNING)),
        default=Value(ClockStatus.NORMAL),
        output_field=models.CharField(),
    )


def with_live_status(
    queryset: models.QuerySet | None = None, *, at: dt.datetime | None = None
) -> models.QuerySet:
    """Annotate clocks with ``live_status`` (a :class:`ClockStatus` value) at ``at`` (default now)."""
    queryset = CaseClock.objects.all() if queryset is None else queryset
    return queryset.annotate(live_status=status_expression(at or timezone.now()))


@dataclass(frozen=True)
class ClockOverview:
    """What a page shows about a clock: status, due and warning moments, what is left, and the explanation."""

    status: ClockStatus
    state: ClockState
    due_at: dt.datetime | None
    warn_at: dt.datetime | None
    remaining: float | None
    remaining_text: str
    unit: LimitUnit
    explanation: str
    uses_fallback_calendar: bool


def remaining_at(clock: CaseClock, *, at: dt.datetime | None = None) -> float | None:
    """Units left after ``at`` (for day units: after the day of ``at``); negative once overdue; None if stopped."""
    at = at or timezone.now()
    if clock.state == ClockState.STOPPED:
        return None
    if clock.state == ClockState.PAUSED:
        return clock.paused_remaining
    if clock.due_at is None:
        return None
    if clock.limit_unit == LimitUnit.HOURS:
        return round((clock.due_at - at).total_seconds() / 3600, 2)
    today = timezone.localtime(at).date()
    due_date = timezone.localtime(clock.due_at).date()
    if clock.limit_unit == LimitUnit.CALENDAR_DAYS:
        return (due_date - today).days
    return get_work_calendar().workdays_between(today, due_date).count


def clock_overview(clock: CaseClock, *, at: dt.datetime | None = None) -> ClockOverview:
    at = at or timezone.now()
    status = clock_status(clock, at=at)
    remaining = remaining_at(clock, at=at)
    unit = LimitUnit(clock.limit_unit)
    if remaining is None:
        text = status.label
    else:
        amount = int(remaining) if float(remaining).is_integer() else round(remaining, 2)
        if amount < 0:
            text = f"已超期{-amount}{unit.label}"
        elif clock.state == ClockState.PAUSED:
            text = f"暂停计时，尚余{amount}{unit.label}"
        elif unit == LimitUnit.HOURS:
            text = f"剩余{amount}{unit.label}"
        else:
            text = f"剩余{amount}{unit.label}（不含当日）"
    return ClockOverview(
        status=status,
        state=ClockState(clock.state),
        due_at=clock.due_at,
        warn_at=clock.warn_at,
        remaining=remaining,
        remaining_text=text,
        unit=unit,
        explanation=clock.explanation,
        uses_fallback_calendar=clock.uses_fallback_calendar,
    )


def clocks_for_case(case: models.Model) -> models.QuerySet:
    """The clocks started for one case, newest first."""
    return CaseClock.objects.filter(
        content_type=ContentType.objects.get_for_model(case), object_id=str(case.pk)
    ).order_by("-started_at", "-pk")


def current_clock_for_case(case: models.Model) -> CaseClock | None:
    return clocks_for_case(case).first()


@dataclass(frozen=True)
class AlertCounts:
    warning: int = 0
    overdue: int = 0
    open: int = 0


def _alert_aggregates(at: dt.datetime) -> dict[str, Count]:
    running = Q(state=ClockState.RUNNING)
    paused = Q(state=ClockState.PAUSED)
    overdue = (running & Q(due_at__lt=at)) | (paused & Q(paused_remaining__lt=0))
    warning = (running & Q(due_at__gte=at, warn_at__lte=at)) | (
        paused & Q(paused_remaining__gte=0, paused_remaining__lte=F("warn_before"))
    )
    return {
        "warning": Count("pk", filter=warning),
        "overdue": Count("pk", filter=overdue),
        "open": Count("pk"),
    }


def clock_alert_counts(
    *,
    at: dt.datetime | None = None,
    organization: Organization | None = None,
    include_descendants: bool = True,
    queryset: models.QuerySet | None = None,
) -> AlertCounts:
    """预警 and 超期 open clocks, for one organization (and its subtree) or for all."""
    at = at or timezone.now()
    queryset = (CaseClock.objects.all() if queryset is None else queryset).filter(state__in=OPEN_STATES)
    if organization is not None:
        if include_descendants:
            queryset = queryset.filter(organization__path__startswith=organization.path)
        else:
            queryset = queryset.filter(organization=organization)
    return AlertCounts(**queryset.aggregate(**_alert_aggregates(at)))


def clock_alert_counts_by_organization(
    *, at: dt.datetime | None = None, queryset: models.QuerySet | None = None
) -> dict[int | None, AlertCounts]:
    """预警 and 超期 open clocks per handling organization (``None`` for clocks without one), in one query."""
    at = at or timezone.now()
    queryset = (CaseClock.objects.all() if queryset is None else queryset).filter(state__in=OPEN_STATES)
    rows = queryset.values("organization_id").annotate(**_alert_aggregates(at)).order_by()
    return {
        row["organization_id"]: AlertCounts(warning=row["warning"], overdue=row["overdue"], open=row["open"])
        for row in rows
    }
