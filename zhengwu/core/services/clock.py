"""办理时限: the one clock every case runs against — start, pause, resume, extend, stop, recompute.

Semantics
---------
- **Units.** A limit is N working days (``workdays``), N calendar days (``days``) or N hours (``hours``).
- **Start.** ``started_at`` is the legal moment of receipt. For day units the day of receipt is not counted;
  counting starts the next day, and the due moment is the end of the due date (23:59:59, Asia/Shanghai). For hours
  the limit is elapsed clock time from ``started_at`` to the exact due moment.
- **Working days** come from :func:`zhengwu.core.selectors.calendar.get_work_calendar`: Monday–Friday minus
  法定节假日 plus 调休工作日. A date in a year whose schedule is not imported is counted Monday–Friday; the clock
  then has ``uses_fallback_calendar`` set and its explanation warns that the due date may move once the year is
  imported.
- **Pauses** (补正, 征求第三方意见, awaiting a fee…). Only one pause may be open at a time. A pause from day *s* to
  day *e* excludes the counted days after *s* up to and including *e* (day *s* itself still counts). With mode
  ``continue`` the days counted before the pause are kept; with mode ``restart`` (补正: "the reply period restarts
  from receipt of the corrected application") counting starts afresh from the resume day, which is itself not
  counted. For hours, the exact paused time is excluded. While paused, ``due_at`` and ``warn_at`` are unknown (null)
  and ``paused_remaining`` holds what is left, in the clock's unit (negative when the limit had already run out).
- **Extensions** (延期) add to the limit in the clock's unit, with approver and reason on record.
  ``ClockPolicy.max_extensions`` and ``max_extension_value`` (0 = no cap) are enforced for clocks started from a
  policy.
- **Warning.** ``warn_at`` is the start of the day ``warn_before`` units before the due date (for hours:
  ``warn_before`` hours before the due moment).
- **Status** at a moment *t*: a stopped clock is 按期办结 when ``finished_at <= due_at`` else 超期办结; a running
  clock is 超期 when *t* > ``due_at``, 预警 when *t* >= ``warn_at``, else 正常; a paused clock is 超期 when
  ``paused_remaining < 0``, 预警 when ``paused_remaining <= warn_before``, else 正常.
- **Explanation.** Every change stores a plain-Chinese account of how the due date was reached: receipt date,
  limit and its basis, extensions, pauses, holidays skipped and 调休 days counted, the schedules used and any
  fallback warning. Every change writes an audit row.
- **Recomputation.** When the calendar changes, :func:`recompute_open_clocks` recomputes every running or paused
  clock in Python with one in-memory calendar and writes only the rows whose results changed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models.functions import Cast
from django.utils import timezone

from ..models import CaseClock, ClockExtension, ClockPause, ClockPolicy
from ..models.calendar import DayKind
from ..models.clock import ClockState, ClockStatus, LimitUnit, PauseMode
from ..selectors.calendar import WEEKDAY_NAMES, WorkCalendar, get_work_calendar
from .audit import audit

SHANGHAI = ZoneInfo("Asia/Shanghai")
END_OF_DAY = dt.time(23, 59, 59, 999999)
OPEN_STATES = (ClockState.RUNNING, ClockState.PAUSED)
UNIT_LABELS = dict(LimitUnit.choices)
# Plain strings: compared once or more per clock in the recompute loop.
WORKDAYS, CALENDAR_DAYS, HOURS = (
    LimitUnit.WORKDAYS.value,
    LimitUnit.CALENDAR_DAYS.value,
    LimitUnit.HOURS.value,
)
RESTART = PauseMode.RESTART.value


# -- time helpers ------------------------------------------------------------------------------------------------


def as_aware(value: dt.datetime | dt.date) -> dt.datetime:
    """An aware datetime; a naive one is read as Beijing time, a bare date as its midnight."""
    if not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time(), tzinfo=SHANGHAI)
    if timezone.is_naive(value):
        return value.replace(tzinfo=SHANGHAI)
    return value


def local_date(value: dt.datetime) -> dt.date:
    return value.astimezone(SHANGHAI).date()


def end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, END_OF_DAY, tzinfo=SHANGHAI)


def start_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=SHANGHAI)


@lru_cache(maxsize=4096)
def format_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日（{WEEKDAY_NAMES[day.weekday()]}）"


def format_moment(value: dt.datetime) -> str:
    local = value.astimezone(SHANGHAI)
    return f"{local.year}年{local.month}月{local.day}日 {local.hour:02d}:{local.minute:02d}"


def _short(day: dt.date, year: int) -> str:
    return f"{day.month}月{day.day}日" if day.year == year else f"{day.year}年{day.month}月{day.day}日"


def format_amount(value: float | int, unit: str) -> str:
    if not isinstance(value, int):
        value = int(value) if float(value).is_integer() else round(float(value), 2)
    return f"{value}{UNIT_LABELS[unit]}"


# -- the computation ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PauseSpan:
    started_at: dt.datetime
    ended_at: dt.datetime | None
    mode: str
    reason: str


@dataclass(frozen=True)
class ExtensionSpan:
    value: int
    reason: str
    approver: str
    granted_at: dt.datetime


@dataclass(frozen=True)
class ClockInputs:
    started_at: dt.datetime
    limit_value: int
    limit_unit: str
    warn_before: int
    pauses: tuple[PauseSpan, ...] = ()
    extensions: tuple[ExtensionSpan, ...] = ()
    basis: str = ""  # the policy's name and source, for the explanation
    finished_at: dt.datetime | None = None


@dataclass(frozen=True)
class ClockComputation:
    due_at: dt.datetime | None
    warn_at: dt.datetime | None
    paused_remaining: float | None
    uses_fallback: bool
    explanation: str


class ClockEngine:
    """Computes clocks against one calendar snapshot, memoizing the calendar details of each counted stretch."""

    def __init__(self, calendar: WorkCalendar | None = None) -> None:
        self.calendar = calendar or get_work_calendar()
        self._details: dict[tuple[dt.date, dt.date, int], str] = {}
        self._year_lines: dict[tuple[int, int], tuple[list[str], bool]] = {}

    # Unit arithmetic on "points": dates for day units, datetimes for hours. Whether a fallback year was used is
    # decided once per clock from the years counted (see _calendar_lines), not per step.
    def _point(self, unit: str, moment: dt.datetime) -> Any:
        return moment if unit == HOURS else local_date(moment)

    def _count(self, unit: str, a: Any, b: Any) -> float:
        if unit == WORKDAYS:
            return self.calendar.count(a, b)
        if unit == CALENDAR_DAYS:
            return (b - a).days
        return (b - a).total_seconds() / 3600

    def _add(self, unit: str, a: Any, n: float) -> Any:
        if unit == WORKDAYS:
            return self.calendar.shift(a, int(n))
        if unit == CALENDAR_DAYS:
            return a + dt.timedelta(days=int(n))
        return a + dt.timedelta(hours=n)

    def compute(self, inputs: ClockInputs) -> ClockComputation:
        unit = inputs.limit_unit
        total = inputs.limit_value + sum(ext.value for ext in inputs.extensions)
        receipt = self._point(unit, inputs.started_at)
        lines = [self._receipt_line(inputs)]
        limit_line = f"时限：{format_amount(inputs.limit_value, unit)}"
        if inputs.basis:
            limit_line += f"（{inputs.basis}）"
        lines.append(limit_line + "。")
        # Pauses and extensions are told in the order they happened.
        events: list[tuple[dt.datetime, str]] = [
            (
                ext.granted_at,
                f"延期：{format_moment(ext.granted_at)}经{ext.approver}批准延长{format_amount(ext.value, unit)}，"
                f"理由：{ext.reason.strip().rstrip('。.；;，,、 ')}。",
            )
            for ext in inputs.extensions
        ]

        # Counted stretches: (anchor, end) with units counted in (anchor, end]; end None = open-ended.
        segments: list[tuple[Any, Any]] = []
        anchor = receipt
        open_pause: PauseSpan | None = None
        for pause in inputs.pauses:
            start = max(self._point(unit, pause.started_at), anchor)
            segments.append((anchor, start))
            if pause.ended_at is None:
                open_pause = pause
                events.append(
                    (
                        pause.started_at,
                        f"暂停：{format_moment(pause.started_at)}起因“{pause.reason}”暂停计时，尚未恢复；"
                        "截止时间待恢复计时后确定。",
                    )
                )
                break
            end = max(self._point(unit, pause.ended_at), start)
            if pause.mode == RESTART:
                counted = sum(self._count(unit, a, b) for a, b in segments)
                segments = []
                events.append(
                    (
                        pause.started_at,
                        f"暂停：{format_moment(pause.started_at)}因“{pause.reason}”暂停计时，"
                        f"{format_moment(pause.ended_at)}恢复；恢复后重新计时，此前已计的"
                        f"{format_amount(counted, unit)}不再计入，自恢复{'时' if unit == HOURS else '之日次日'}起"
                        "重新计算。",
                    )
                )
            else:
                events.append(
                    (
                        pause.started_at,
                        f"暂停：{format_moment(pause.started_at)}因“{pause.reason}”暂停计时，"
                        f"{format_moment(pause.ended_at)}恢复；暂停期间不计入，恢复后继续计时。",
                    )
                )
            anchor = end

        if len(events) > 1:
            events.sort(key=lambda event: event[0])
        lines.extend(text for _, text in events)
        if inputs.extensions:
            lines.append(f"延期后时限合计{format_amount(total, unit)}。")

        due_at = warn_at = None
        paused_remaining = None
        if open_pause is not None:
            used = sum(self._count(unit, a, b) for a, b in segments)
            paused_remaining = float(round(total - used, 2))
            last_counted = segments[-1][1] if segments else receipt
            if paused_remaining >= 0:
                lines.append(f"暂停时尚余{format_amount(paused_remaining, unit)}。")
            else:
                lines.append(f"暂停时已超过时限{format_amount(-paused_remaining, unit)}。")
        else:
            segments.append((anchor, None))
            used = 0.0
            due_point = None
            for index, (a, b) in enumerate(segments):
                if b is not None:
                    n = self._count(unit, a, b)
                    if used + n < total:
                        used += n
                        continue
                due_point = self._add(unit, a, total - used)
                segments[index] = (a, due_point)
                del segments[index + 1 :]
                break
            last_counted = due_point
            if unit == HOURS:
                due_at = due_point
                warn_at = due_point - dt.timedelta(hours=inputs.warn_before)
            else:
                due_at = end_of_day(due_point)
                warn_at = start_of_day(self._add(unit, due_point, -inputs.warn_before))

        uses_fallback = False
        if unit == WORKDAYS:
            detail, uses_fallback = self._calendar_lines(segments, receipt, last_counted)
            lines.extend(detail)
        elif unit == CALENDAR_DAYS:
            lines.append("按自然日计算，休息日和法定节假日均计入。")
        if due_at is not None:
            if unit == HOURS:
                lines.append(f"截止时间：{format_moment(due_at)}。")
                lines.append(f"预警时间：{format_moment(warn_at)}起（截止前{inputs.warn_before}小时）。")
            else:
                lines.append(f"截止时间：{format_date(local_date(due_at))}23:59:59。")
                lines.append(
                    f"预警时间：{format_date(local_date(warn_at))}起"
                    f"（截止前{format_amount(inputs.warn_before, unit)}）。"
                )
        if inputs.finished_at is not None and due_at is not None:
            on_time = inputs.finished_at <= due_at
            lines.append(
                f"办结时间：{format_moment(inputs.finished_at)}，{'按期办结' if on_time else '超期办结'}。"
            )
        return ClockComputation(
            due_at=due_at,
            warn_at=warn_at,
            paused_remaining=paused_remaining,
            uses_fallback=uses_fallback,
            explanation="\n".join(lines),
        )

    def _receipt_line(self, inputs: ClockInputs) -> str:
        if inputs.limit_unit == HOURS:
            return f"起算时间：{format_moment(inputs.started_at)}，按实际经过的小时计算。"
        return f"收到日期：{format_date(local_date(inputs.started_at))}，当日不计入，自次日起计算。"

    def _calendar_lines(self, segments: list[tuple[Any, Any]], receipt: dt.date, last: dt.date | None):
        """Holidays skipped and 调休 days counted inside the counted stretches, the schedules used, any fallback."""
        parts: list[str] = []
        for a, b in segments:
            if b is None or b <= a:
                continue
            key = (a, b, receipt.year)
            text = self._details.get(key)
            if text is None:
                text = self._details[key] = self._special_text(a, b, receipt.year)
            if text:
                parts.append(text)
        first = receipt + dt.timedelta(days=1)
        end = last if last is not None and last >= first else first
        span = (first.year, end.year)
        if span not in self._year_lines:
            self._year_lines[span] = self._schedule_lines(*span)
        sources, uses_fallback = self._year_lines[span]
        return [
            f"计算期间：{'；'.join(parts)}。" if parts else "计算期间无法定节假日和调休工作日。",
            *sources,
        ], uses_fallback

    def _schedule_lines(self, first_year: int, last_year: int) -> tuple[list[str], bool]:
        """The schedules (notices) used for the years counted, and a warning for years not imported."""
        years = range(first_year, last_year + 1)
        known = [year for year in years if self.calendar.is_known_year(year)]
        unknown = [year for year in years if not self.calendar.is_known_year(year)]
        lines = []
        if known:
            lines.append(
                "工作日历依据："
                + "；".join(f"{year}年：{self.calendar.source_of(year)}" for year in known)
                + "。"
            )
        if unknown:
            names = "、".join(f"{year}年" for year in unknown)
            lines.append(
                f"注意：{names}的节假日安排尚未导入，计算时暂按周一至周五为工作日推算，导入后截止时间可能变化。"
            )
        return lines, bool(unknown)

    def _special_text(self, a: dt.date, b: dt.date, year: int) -> str:
        days = self.calendar.special_days(a + dt.timedelta(days=1), b)
        parts: list[str] = []
        index = 0
        while index < len(days):
            day = days[index]
            if day.kind == DayKind.HOLIDAY:
                end = index
                while (
                    end + 1 < len(days)
                    and days[end + 1].kind == DayKind.HOLIDAY
                    and days[end + 1].name == day.name
                    and (days[end + 1].date - days[end].date).days == 1
                ):
                    end += 1
                span = _short(day.date, year)
                if end > index:
                    span += f"至{_short(days[end].date, year)}"
                name = day.name if day.name.endswith("放假") else f"{day.name}放假"
                parts.append(f"{span}{name}，不计入")
                index = end + 1
                continue
            weekday = WEEKDAY_NAMES[day.date.weekday()]
            if day.kind == DayKind.MAKEUP_WORKDAY:
                parts.append(f"{_short(day.date, year)}（{weekday}）为调休工作日，计入")
            index += 1
        return "；".join(parts)


# -- loading inputs from the database ----------------------------------------------------------------------------


def _basis(policy: ClockPolicy | None) -> str:
    if policy is None:
        return ""
    return f"依据：{policy.name}，{policy.source}" if policy.source else f"依据：{policy.name}"


def _inputs_for(clock: CaseClock) -> ClockInputs:
    pauses = tuple(
        PauseSpan(p.started_at, p.ended_at, p.mode, p.reason)
        for p in clock.pauses.order_by("started_at", "pk")
    )
    extensions = tuple(
        ExtensionSpan(e.value, e.reason, str(e.approver), e.granted_at)
        for e in clock.extensions.select_related("approver").order_by("granted_at", "pk")
    )
    return ClockInputs(
        started_at=clock.started_at,
        limit_value=clock.limit_value,
        limit_unit=clock.limit_unit,
        warn_before=clock.warn_before,
        pauses=pauses,
        extensions=extensions,
        basis=_basis(clock.policy),
        finished_at=clock.finished_at if clock.state == ClockState.STOPPED else None,
    )


def _apply(clock: CaseClock, result: ClockComputation) -> None:
    clock.due_at = result.due_at
    clock.warn_at = result.warn_at
    clock.paused_remaining = result.paused_remaining
    clock.uses_fallback_calendar = result.uses_fallback
    clock.explanation = result.explanation


def _recompute(clock: CaseClock) -> ClockComputation:
    result = ClockEngine().compute(_inputs_for(clock))
    _apply(clock, result)
    return result


def _lock(clock: CaseClock) -> CaseClock:
    locked = (
        CaseClock.objects.select_for_update(of=("self",)).select_related("policy").filter(pk=clock.pk).first()
    )
    if locked is None:
        raise ValidationError("该办理时限不存在或已被删除。")
    return locked


def _sync(target: CaseClock, source: CaseClock) -> CaseClock:
    """Copy the saved state onto the caller's instance, so that both references agree."""
    if target is not source:
        for field in CaseClock._meta.concrete_fields:
            setattr(target, field.attname, getattr(source, field.attname))
    return source


def _snapshot(clock: CaseClock) -> dict[str, Any]:
    return {
        "state": clock.state,
        "due_at": clock.due_at,
        "paused_remaining": clock.paused_remaining,
        "uses_fallback_calendar": clock.uses_fallback_calendar,
    }


def _check_moment(clock: CaseClock, at: dt.datetime, what: str) -> dt.datetime:
    at = as_aware(at)
    if at < clock.started_at:
        raise ValidationError(f"{what}不能早于起算时间（{format_moment(clock.started_at)}）。")
    return at


# -- services ----------------------------------------------------------------------------------------------------


@transaction.atomic
def start_clock(
    *,
    case: models.Model | None = None,
    policy: ClockPolicy | str | None = None,
    limit_value: int | None = None,
    limit_unit: str | None = None,
    started_at: dt.datetime | dt.date,
    organization: Any = None,
    label: str = "",
    actor: Any = None,
    warn_before: int | None = None,
) -> CaseClock:
    """Start a clock from a policy (object or code) or from an explicit limit, and compute its due date."""
    if isinstance(policy, str):
        code = policy
        policy = ClockPolicy.objects.filter(code=code).first()
        if policy is None:
            raise ValidationError(f"时限规则“{code}”不存在，请先加载时限规则。")
    if policy is not None and (limit_value is not None or limit_unit is not None):
        raise ValidationError("已指定时限规则时不能再指定时限数值和单位。")
    if policy is None and (limit_value is None or limit_unit is None):
        raise ValidationError("请指定时限规则，或同时指定时限数值和单位。")
    if policy is not None:
        limit_value, limit_unit = policy.limit_value, policy.limit_unit
        if warn_before is None:
            warn_before = policy.warn_before
    if limit_unit not in LimitUnit.values:
        raise ValidationError(f"时限单位“{limit_unit}”无效，应为工作日、自然日或小时。")
    if not isinstance(limit_value, int) or isinstance(limit_value, bool) or limit_value <= 0:
        raise ValidationError("时限必须是正整数。")
    if warn_before is None:
        warn_before = min(CaseClock._meta.get_field("warn_before").default, limit_value - 1)
    if not isinstance(warn_before, int) or warn_before < 0:
        raise ValidationError("提前预警必须是非负整数。")
    label = (label or (str(case) if case is not None else "")).strip()[:200]
    clock = CaseClock(
        policy=policy,
        case_label=label,
        organization=organization,
        started_at=as_aware(started_at),
        limit_value=limit_value,
        limit_unit=limit_unit,
        warn_before=warn_before,
        state=ClockState.RUNNING,
    )
    if case is not None:
        if case.pk is None:
            raise ValidationError("请先保存事项再启动办理时限。")
        clock.content_type = ContentType.objects.get_for_model(case)
        clock.object_id = str(case.pk)
    _apply(
        clock,
        ClockEngine().compute(
            ClockInputs(clock.started_at, limit_value, limit_unit, warn_before, basis=_basis(policy))
        ),
    )
    clock.save()
    audit(
        actor=actor,
        action="core.clock.start",
        target=clock,
        organization=organization,
        detail={
            "limit": limit_value,
            "unit": limit_unit,
            "policy": policy.code if policy else "",
            "started_at": clock.started_at,
            "due_at": clock.due_at,
        },
    )
    return clock


@transaction.atomic
def pause_clock(
    *,
    clock: CaseClock,
    reason_code: str,
    reason: str,
    mode: str = PauseMode.CONTINUE,
    at: dt.datetime,
    actor: Any,
) -> CaseClock:
    """Stop the clock running (补正, third-party consultation, awaiting a fee…) until :func:`resume_clock`."""
    locked = _lock(clock)
    if locked.state == ClockState.PAUSED:
        raise ValidationError("该时限已处于暂停计时状态，请先恢复计时再暂停。")
    if locked.state == ClockState.STOPPED:
        raise ValidationError("该事项已办结，不能暂停计时。")
    if mode not in PauseMode.values:
        raise ValidationError("恢复方式无效，应为“恢复后继续计时”或“恢复后重新计时”。")
    reason_code, reason = (reason_code or "").strip(), (reason or "").strip()
    if not reason_code or not reason:
        raise ValidationError("请填写暂停类型和暂停原因。")
    if len(reason_code) > ClockPause._meta.get_field("reason_code").max_length:
        raise ValidationError("暂停类型编码不能超过40个字符。")
    if len(reason) > ClockPause._meta.get_field("reason").max_length:
        raise ValidationError("暂停原因不能超过200个字。")
    at = _check_moment(locked, at, "暂停时间")
    last_end = locked.pauses.aggregate(last=models.Max("ended_at"))["last"]
    if last_end is not None and at < last_end:
        raise ValidationError(f"暂停时间不能早于上一次恢复计时的时间（{format_moment(last_end)}）。")
    before = _snapshot(locked)
    pause = ClockPause.objects.create(
        clock=locked, reason_code=reason_code, reason=reason, mode=mode, started_at=at, actor=actor
    )
    locked.state = ClockState.PAUSED
    _recompute(locked)
    locked.save()
    audit(
        actor=actor,
        action="core.clock.pause",
        target=locked,
        organization=locked.organization,
        detail={
            "pause": pause.pk,
            "reason_code": reason_code,
            "reason": reason,
            "mode": mode,
            "at": at,
            "before": before,
            "after": _snapshot(locked),
        },
    )
    return _sync(clock, locked)


@transaction.atomic
def resume_clock(*, clock: CaseClock, at: dt.datetime, actor: Any) -> CaseClock:
    """End the open pause; the due date is computed again."""
    locked = _lock(clock)
    pause = locked.pauses.filter(ended_at__isnull=True).first()
    if locked.state != ClockState.PAUSED or pause is None:
        raise ValidationError("该时限未处于暂停计时状态，无需恢复计时。")
    at = as_aware(at)
    if at < pause.started_at:
        raise ValidationError(f"恢复时间不能早于暂停时间（{format_moment(pause.started_at)}）。")
    before = _snapshot(locked)
    pause.ended_at = at
    pause.save(update_fields=["ended_at"])
    locked.state = ClockState.RUNNING
    _recompute(locked)
    locked.save()
    audit(
        actor=actor,
        action="core.clock.resume",
        target=locked,
        organization=locked.organization,
        detail={
            "pause": pause.pk,
            "at": at,
            "mode": pause.mode,
            "before": before,
            "after": _snapshot(locked),
        },
    )
    return _sync(clock, locked)


@transaction.atomic
def extend_clock(*, clock: CaseClock, value: int, reason: str, approver: Any, at: dt.datetime) -> CaseClock:
    """延期: add ``value`` units to the limit, within what the clock's policy allows."""
    locked = _lock(clock)
    if locked.state == ClockState.STOPPED:
        raise ValidationError("该事项已办结，不能延期。")
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValidationError("延期时长必须是正整数。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写延期理由。")
    if len(reason) > ClockExtension._meta.get_field("reason").max_length:
        raise ValidationError("延期理由不能超过300个字。")
    if approver is None or getattr(approver, "pk", None) is None:
        raise ValidationError("延期须记录批准人。")
    at = _check_moment(locked, at, "批准时间")
    policy = locked.policy
    unit = locked.limit_unit
    if policy is not None:
        done = locked.extensions.count()
        basis = f"（{_basis(policy)}）"
        if policy.max_extensions == 0:
            raise ValidationError(f"该类事项不允许延期{basis}。")
        if done >= policy.max_extensions:
            raise ValidationError(f"该类事项最多延期{policy.max_extensions}次{basis}，已延期{done}次。")
        if policy.max_extension_value and value > policy.max_extension_value:
            raise ValidationError(
                f"单次延期不能超过{format_amount(policy.max_extension_value, unit)}{basis}，"
                f"申请延期{format_amount(value, unit)}。"
            )
    before = _snapshot(locked)
    extension = ClockExtension.objects.create(
        clock=locked, value=value, reason=reason, approver=approver, granted_at=at
    )
    _recompute(locked)
    locked.save()
    audit(
        actor=approver,
        action="core.clock.extend",
        target=locked,
        organization=locked.organization,
        detail={
            "extension": extension.pk,
            "value": value,
            "unit": unit,
            "reason": reason,
            "at": at,
            "before": before,
            "after": _snapshot(locked),
        },
    )
    return _sync(clock, locked)


@transaction.atomic
def stop_clock(*, clock: CaseClock, at: dt.datetime, actor: Any) -> CaseClock:
    """办结: stop the clock and record whether the case finished on time. An open pause ends at ``at``."""
    locked = _lock(clock)
    if locked.state == ClockState.STOPPED:
        raise ValidationError("该事项已办结，不能重复办结。")
    at = _check_moment(locked, at, "办结时间")
    pause = locked.pauses.filter(ended_at__isnull=True).first()
    if pause is not None:
        if at < pause.started_at:
            raise ValidationError(f"办结时间不能早于暂停时间（{format_moment(pause.started_at)}）。")
        pause.ended_at = at
        pause.save(update_fields=["ended_at"])
    before = _snapshot(locked)
    locked.state = ClockState.STOPPED
    locked.finished_at = at
    _recompute(locked)
    locked.final_status = ClockStatus.DONE_ON_TIME if at <= locked.due_at else ClockStatus.DONE_LATE
    locked.save()
    audit(
        actor=actor,
        action="core.clock.stop",
        target=locked,
        organization=locked.organization,
        detail={"at": at, "final_status": locked.final_status, "before": before, "after": _snapshot(locked)},
    )
    return _sync(clock, locked)


# -- bulk recomputation ------------------------------------------------------------------------------------------

_UTC = dt.UTC


def _db_datetime(value: str | None) -> dt.datetime | None:
    """An aware datetime from a datetime column read as text (SQLite: UTC without offset; PostgreSQL: "+00")."""
    if value is None:
        return None
    if "+" in value[19:] or "-" in value[19:]:
        return dt.datetime.fromisoformat(value)
    return dt.datetime.fromisoformat(value + "+00:00")  # several times faster than .replace(tzinfo=…)


def _raw_rows(queryset: models.QuerySet, *fields: str) -> list[tuple]:
    """``values_list(*fields)`` rows straight from the cursor, datetime columns as text.

    Converting 100,000s of datetimes through the drivers' and Django's converters is most of the cost of a full
    recompute otherwise; ``datetime.fromisoformat`` on the text is several times faster.
    """
    model = queryset.model
    casts = {
        f"{name}_text": Cast(name, models.TextField())
        for name in fields
        if name != "pk" and isinstance(model._meta.get_field(name), models.DateTimeField)
    }
    queryset = queryset.annotate(**casts)
    fields = tuple(f"{name}_text" if f"{name}_text" in casts else name for name in fields)
    sql, params = queryset.values_list(*fields).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _read_open_clocks(pks: list[int] | None) -> tuple[list[tuple], dict[int, list], dict[int, list]]:
    clocks = CaseClock.objects.filter(state__in=OPEN_STATES)
    pauses_qs = ClockPause.objects.filter(clock__state__in=OPEN_STATES)
    extensions_qs = ClockExtension.objects.filter(clock__state__in=OPEN_STATES)
    if pks is not None:
        clocks, pauses_qs, extensions_qs = (
            clocks.filter(pk__in=pks),
            pauses_qs.filter(clock_id__in=pks),
            extensions_qs.filter(clock_id__in=pks),
        )
    # Clocks first: a pause or extension committed after this read comes with a newer updated_at on its clock,
    # which the guarded UPDATE then refuses to overwrite.
    clock_rows = _raw_rows(
        clocks.order_by("pk"),
        "pk",
        "started_at",
        "limit_value",
        "limit_unit",
        "warn_before",
        "policy_id",
        "due_at",
        "warn_at",
        "paused_remaining",
        "explanation",
        "uses_fallback_calendar",
        "updated_at",
    )
    pauses: dict[int, list[PauseSpan]] = defaultdict(list)
    for clock_id, started, ended, mode, reason in _raw_rows(
        pauses_qs.order_by("clock_id", "started_at", "pk"),
        "clock_id",
        "started_at",
        "ended_at",
        "mode",
        "reason",
    ):
        pauses[clock_id].append(PauseSpan(_db_datetime(started), _db_datetime(ended), mode, reason))
    extension_rows = _raw_rows(
        extensions_qs.order_by("clock_id", "granted_at", "pk"),
        "clock_id",
        "value",
        "reason",
        "granted_at",
        "approver_id",
    )
    approvers: dict[int, str] = {}
    if extension_rows:
        from ..models import Staff

        ids = {row[4] for row in extension_rows}
        approvers = {staff.pk: str(staff) for staff in Staff.objects.filter(pk__in=ids)}
    extensions: dict[int, list[ExtensionSpan]] = defaultdict(list)
    for clock_id, value, reason, granted, approver_id in extension_rows:
        extensions[clock_id].append(
            ExtensionSpan(value, reason, approvers.get(approver_id, ""), _db_datetime(granted))
        )
    return clock_rows, pauses, extensions


_WRITE_COLUMNS = ("due_at", "warn_at", "paused_remaining", "explanation", "uses_fallback_calendar")


def _write_changes(changed: list[tuple], stamp: dt.datetime, batch_size: int) -> int:
    """Write (due_at, warn_at, paused_remaining, explanation, uses_fallback, id, updated_at as read) rows.

    Each row is written only if its ``updated_at`` is still the one read. PostgreSQL gets one UPDATE … FROM
    unnest(arrays) per batch over a server-side-binding cursor with binary parameters (``%b``: one round trip, no
    quoting or escaping of the explanations in Python); SQLite, in process, an ``executemany`` per batch.
    """
    quote = connection.ops.quote_name
    table = quote(CaseClock._meta.db_table)
    written = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            import psycopg

            assignments = ", ".join(f"{quote(name)} = v.{quote(name)}" for name in _WRITE_COLUMNS)
            sql = (
                f"UPDATE {table} AS c SET {assignments}, {quote('updated_at')} = %b "
                "FROM unnest(%b::timestamptz[], %b::timestamptz[], %b::float8[], %b::text[], %b::bool[], "
                "%b::bigint[], %b::timestamptz[]) "
                f"AS v({', '.join(quote(name) for name in _WRITE_COLUMNS)}, id, seen) "
                f"WHERE c.{quote('id')} = v.id AND c.{quote('updated_at')} = v.seen"
            )
            connection.ensure_connection()
            with psycopg.Cursor(connection.connection) as cursor:
                for index in range(0, len(changed), batch_size):
                    columns = [
                        list(column) for column in zip(*changed[index : index + batch_size], strict=True)
                    ]
                    cursor.execute(sql, [stamp, *columns])
                    written += max(cursor.rowcount, 0)
        else:
            adapt = connection.ops.adapt_datetimefield_value
            adapted: dict[dt.datetime | None, Any] = {None: None}
            for row in changed:
                for moment in row[:2]:
                    if moment not in adapted:
                        adapted[moment] = adapt(moment)
            now = adapt(stamp)
            assignments = ", ".join(f"{quote(name)} = %s" for name in (*_WRITE_COLUMNS, "updated_at"))
            sql = f"UPDATE {table} SET {assignments} WHERE {quote('id')} = %s AND {quote('updated_at')} = %s"
            with connection.cursor() as cursor:
                # SQLite: a larger page cache for this bulk write (default 2 MB); the connection's own is restored.
                cache_size = None
                if connection.vendor == "sqlite":
                    cursor.execute("PRAGMA cache_size")
                    cache_size = cursor.fetchone()[0]
                    cursor.execute("PRAGMA cache_size = -65536")
                for index in range(0, len(changed), batch_size):
                    cursor.executemany(
                        sql,
                        [
                            (adapted[due], adapted[warn], remaining, text, fallback, now, pk, seen)
                            for due, warn, remaining, text, fallback, pk, seen in changed[
                                index : index + batch_size
                            ]
                        ],
                    )
                    written += max(cursor.rowcount, 0)
                if cache_size is not None:
                    cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")
    return written


def _recompute_pass(
    engine: ClockEngine, pks: list[int] | None, batch_size: int
) -> tuple[int, int, list[int]]:
    """One read–compute–write pass; returns (open clocks read, rows written, clocks changed meanwhile)."""
    clock_rows, pauses, extensions = _read_open_clocks(pks)
    policies = {policy.pk: _basis(policy) for policy in ClockPolicy.objects.all()}
    parsed: dict[str | None, dt.datetime | None] = {None: None}
    simple: dict[tuple, ClockComputation] = {}
    changed: list[tuple] = []
    for (
        pk,
        started_raw,
        limit_value,
        unit,
        warn_before,
        policy_id,
        due_raw,
        warn_raw,
        remaining_raw,
        explanation,
        fallback_raw,
        updated_raw,
    ) in clock_rows:
        clock_pauses = pauses.get(pk)
        clock_extensions = extensions.get(pk)
        key = None
        if clock_pauses is None and clock_extensions is None:
            # Clocks without pauses or extensions that share unit, receipt day, limit and policy share everything.
            # The receipt day follows from the stored UTC date and hour (Beijing time is a whole-hour offset), so
            # the text prefix serves as the key and most rows are never parsed.
            key = (
                unit,
                started_raw if unit == HOURS else started_raw[:13],
                limit_value,
                warn_before,
                policy_id,
            )
            result = simple.get(key)
        if key is None or result is None:
            started = _db_datetime(started_raw)
            result = engine.compute(
                ClockInputs(
                    started,
                    limit_value,
                    unit,
                    warn_before,
                    tuple(clock_pauses or ()),
                    tuple(clock_extensions or ()),
                    policies.get(policy_id, ""),
                )
            )
            if key is not None:
                simple[key] = result
        # Stored due and warning moments repeat across clocks: parse each distinct text once.
        for raw in (due_raw, warn_raw):
            if raw not in parsed:
                parsed[raw] = _db_datetime(raw)
        if (
            result.due_at != parsed[due_raw]
            or result.warn_at != parsed[warn_raw]
            or result.explanation != explanation
            or result.uses_fallback != bool(fallback_raw)
            or result.paused_remaining != remaining_raw
        ):
            changed.append(
                (
                    result.due_at,
                    result.warn_at,
                    result.paused_remaining,
                    result.explanation,
                    result.uses_fallback,
                    pk,
                    updated_raw,
                )
            )
    if not changed:
        return len(clock_rows), 0, []
    stamp = timezone.now()
    written = _write_changes(changed, stamp, batch_size)
    missed: list[int] = []
    if written < len(changed):
        ids = [row[5] for row in changed]
        for index in range(0, len(ids), batch_size):
            missed += (
                CaseClock.objects.filter(pk__in=ids[index : index + batch_size])
                .exclude(updated_at=stamp)
                .values_list("pk", flat=True)
            )
    return len(clock_rows), written, missed


def recompute_open_clocks(*, batch_size: int = 5000) -> int:
    """Recompute every running or paused clock against the current calendar; return how many rows changed.

    One calendar snapshot; three reads (clocks, pauses, extensions) outside any write transaction; the computation
    in Python, shared between clocks with the same receipt day and limit; then one short transaction writing the
    changed rows only, in bulk. Each row is written only if its ``updated_at`` is still the one read, so a clock
    paused, resumed or extended meanwhile is not overwritten: it is read and computed again (twice at most).
    Stopped clocks keep their recorded outcome.
    """
    engine = ClockEngine(get_work_calendar())
    open_clocks, written, missed = _recompute_pass(engine, None, batch_size)
    for _ in range(2):
        if not missed:
            break
        _, again, missed = _recompute_pass(engine, missed, batch_size)
        written += again
    if written:
        audit(
            actor=None,
            action="core.clock.recompute",
            detail={"open_clocks": open_clocks, "changed": written, "calendar": engine.calendar.token},
        )
    return written


# -- policies as data --------------------------------------------------------------------------------------------

_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_MAX = {name: ClockPolicy._meta.get_field(name).max_length for name in ("code", "name", "source")}
_POLICY_FIELDS = (
    "code",
    "name",
    "limit_value",
    "limit_unit",
    "warn_before",
    "max_extensions",
    "max_extension_value",
    "source",
)


@transaction.atomic
def load_clock_policies(path: Path | str, *, actor: Any = None) -> int:
    """Upsert :class:`ClockPolicy` rows from a JSON rules file; return how many were created or changed.

    The file is a list of policies, or an object with a ``policies`` list; each policy has ``code``, ``name``,
    ``limit_value``, ``limit_unit`` (workdays | days | hours) and optionally ``warn_before``, ``max_extensions``,
    ``max_extension_value`` (0 = no cap) and ``source``. Any invalid entry rejects the whole file.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"无法读取时限规则文件 {path.name}。") from exc
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"时限规则文件 {path.name} 不是有效的 JSON：第{exc.lineno}行 {exc.msg}。"
        ) from exc
    entries = data.get("policies") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise ValidationError(f"时限规则文件 {path.name} 应包含时限规则列表（policies）。")
    errors: list[str] = []
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    defaults = {
        name: ClockPolicy._meta.get_field(name).default
        for name in ("warn_before", "max_extensions", "max_extension_value")
    }
    for number, entry in enumerate(entries, start=1):
        where = f"第{number}条规则"
        if not isinstance(entry, dict):
            errors.append(f"{where}格式错误，应为对象。")
            continue
        unknown = set(entry) - set(_POLICY_FIELDS)
        if unknown:
            errors.append(f"{where}含有无法识别的字段：{'、'.join(sorted(unknown))}。")
            continue
        row = {**defaults, "source": "", **entry}
        code = str(row.get("code") or "").strip()
        if not _SLUG.fullmatch(code) or len(code) > _MAX["code"]:
            errors.append(
                f"{where}编码“{code}”无效，只能使用字母、数字、连字符和下划线，且不超过{_MAX['code']}个字符。"
            )
            continue
        where = f"{where}（{code}）"
        if code in seen:
            errors.append(f"{where}编码重复。")
            continue
        seen.add(code)
        if not str(row.get("name") or "").strip():
            errors.append(f"{where}缺少名称。")
            continue
        if len(str(row["name"]).strip()) > _MAX["name"] or len(str(row["source"])) > _MAX["source"]:
            errors.append(f"{where}名称不能超过{_MAX['name']}个字，依据不能超过{_MAX['source']}个字。")
            continue
        if row.get("limit_unit") not in LimitUnit.values:
            errors.append(f"{where}单位“{row.get('limit_unit')}”无效，应为 workdays、days 或 hours。")
            continue
        bad = [
            name
            for name in ("limit_value", "warn_before", "max_extensions", "max_extension_value")
            if not isinstance(row.get(name), int) or isinstance(row.get(name), bool) or row[name] < 0
        ]
        if bad or row["limit_value"] == 0:
            errors.append(f"{where}时限、提前预警、延期次数和单次最长延期应为非负整数（时限须大于0）。")
            continue
        cleaned.append({**row, "code": code, "name": str(row["name"]).strip(), "source": str(row["source"])})
    if errors:
        raise ValidationError(errors)
    existing = {policy.code: policy for policy in ClockPolicy.objects.filter(code__in=seen)}
    written = []
    for row in cleaned:
        policy = existing.get(row["code"]) or ClockPolicy(code=row["code"])
        values = {name: row[name] for name in _POLICY_FIELDS}
        if policy.pk and all(getattr(policy, name) == value for name, value in values.items()):
            continue
        for name, value in values.items():
            setattr(policy, name, value)
        policy.save()
        written.append(policy.code)
    if written:
        audit(actor=actor, action="core.clock.policies.load", detail={"file": path.name, "policies": written})
    return len(written)
