"""工作日历: answers about working days, read from the calendar table through a per-process cache.

Counting follows the way Chinese administrative deadlines are computed: the day something happens is not counted,
counting starts the next day. ``add_workdays(start, n)`` is the n-th working day strictly after ``start``;
``workdays_between(a, b)`` is the number of working days in ``(a, b]``, so that
``add_workdays(a, workdays_between(a, b)) <= b``.

Only the days of a year in :class:`CalendarYear` are authoritative. Outside them Monday–Friday are working days, and
every answer that touched such a day carries ``uses_fallback=True`` so that the caller can warn.

The calendar is built once per process into sorted ordinal arrays (bisect, no per-day loops or queries) and
rebuilt when the token of :class:`CalendarRevision` differs from the one it was built from — one primary-key read
per :func:`get_work_calendar` call, so a change committed by any worker is seen by all of them.
"""

from __future__ import annotations

import datetime as dt
import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Count, Q

from ..models import CalendarDay, CalendarRevision, CalendarYear, CaseClock
from ..models.calendar import DayKind
from ..models.clock import ClockState

WEEKDAY_NAMES = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")

# Kind codes in the compact per-day array.
_WORKDAY, _WEEKEND, _HOLIDAY, _MAKEUP = 0, 1, 2, 3
_KIND_CODES = {
    DayKind.WORKDAY: _WORKDAY,
    DayKind.WEEKEND: _WEEKEND,
    DayKind.HOLIDAY: _HOLIDAY,
    DayKind.MAKEUP_WORKDAY: _MAKEUP,
}
_CODE_KINDS = {code: kind for kind, code in _KIND_CODES.items()}


def _weekday_count(ordinal: int) -> int:
    """Monday–Friday days with ordinal in ``[1, ordinal]`` (ordinal 1, 0001-01-01, is a Monday)."""
    return 5 * (ordinal // 7) + min(ordinal % 7, 5)


def _nth_weekday(k: int) -> int:
    """The smallest ordinal whose :func:`_weekday_count` reaches ``k``."""
    weeks, rest = divmod(k, 5)
    return 7 * (weeks - 1) + 5 if rest == 0 else 7 * weeks + rest


def default_kind(day: dt.date) -> DayKind:
    return DayKind.WEEKEND if day.weekday() >= 5 else DayKind.WORKDAY


class WorkdayDate(NamedTuple):
    date: dt.date
    uses_fallback: bool


class WorkdayCount(NamedTuple):
    count: int
    uses_fallback: bool


@dataclass(frozen=True)
class SpecialDay:
    """A day whose kind is not what its weekday would say: a holiday or a makeup working day."""

    date: dt.date
    kind: DayKind
    name: str


class WorkCalendar:
    """An immutable snapshot of the calendar. Obtain it with :func:`get_work_calendar`."""

    def __init__(
        self, *, days: list[tuple[dt.date, str, str]], years: dict[int, str], token: str = ""
    ) -> None:
        self.token = token
        self.years: dict[int, str] = dict(sorted(years.items()))
        self._known = frozenset(self.years)
        if self.years:
            self._lo = dt.date(min(self.years), 1, 1).toordinal()
            self._hi = dt.date(max(self.years), 12, 31).toordinal()
        else:
            self._lo, self._hi = 1, 0
        span = self._hi - self._lo + 1
        # Default every day of the span by its weekday (covers gaps between known years), then apply the table.
        codes = bytearray(_WEEKEND if (self._lo + i - 1) % 7 >= 5 else _WORKDAY for i in range(max(span, 0)))
        names: dict[int, str] = {}
        for day, kind, name in days:
            ordinal = day.toordinal()
            if self._lo <= ordinal <= self._hi and day.year in self._known:
                codes[ordinal - self._lo] = _KIND_CODES[DayKind(kind)]
                if name:
                    names[ordinal] = name
        self._codes = bytes(codes)
        self._workdays = [self._lo + i for i, code in enumerate(self._codes) if code in (_WORKDAY, _MAKEUP)]
        self._special = [
            self._lo + i
            for i, code in enumerate(self._codes)
            if code in (_HOLIDAY, _MAKEUP) or (code == _WORKDAY) != ((self._lo + i - 1) % 7 < 5)
        ]
        self._names = names
        self._base = _weekday_count(self._lo - 1)  # F(lo - 1): Mon–Fri before the table
        self._hi_count = self._base + len(self._workdays)  # F(hi)

    # -- single days ------------------------------------------------------------------------------------------

    def is_known_year(self, year: int) -> bool:
        return year in self._known

    def source_of(self, year: int) -> str:
        return self.years.get(year, "")

    def day_kind(self, day: dt.date) -> DayKind:
        ordinal = day.toordinal()
        if day.year in self._known:
            return _CODE_KINDS[self._codes[ordinal - self._lo]]
        return default_kind(day)

    def day_name(self, day: dt.date) -> str:
        return self._names.get(day.toordinal(), "") if day.year in self._known else ""

    def is_workday(self, day: dt.date) -> bool:
        return self.day_kind(day) in (DayKind.WORKDAY, DayKind.MAKEUP_WORKDAY)

    # -- counting ---------------------------------------------------------------------------------------------

    def _count_to(self, ordinal: int) -> int:
        """F(x): working days up to and including ordinal x, on a scale shared by the table and the fallback."""
        if ordinal < self._lo:
            return _weekday_count(ordinal)
        if ordinal <= self._hi:
            return self._base + bisect_right(self._workdays, ordinal)
        return self._hi_count + _weekday_count(ordinal) - _weekday_count(self._hi)

    def _nth(self, k: int) -> int:
        """The smallest ordinal x with F(x) >= k: the k-th working day on the shared scale."""
        if k <= self._base:
            return _nth_weekday(k)
        if k <= self._hi_count:
            return self._workdays[k - self._base - 1]
        return _nth_weekday(k - self._hi_count + _weekday_count(self._hi))

    def touches_unknown(self, first: dt.date, last: dt.date) -> bool:
        """Whether any day of ``[first, last]`` lies in a year whose schedule is not known."""
        if last < first:
            return False
        return any(year not in self._known for year in range(first.year, last.year + 1))

    def unknown_years(self, first: dt.date, last: dt.date) -> list[int]:
        if last < first:
            return []
        return [year for year in range(first.year, last.year + 1) if year not in self._known]

    def shift(self, start: dt.date, n: int) -> dt.date:
        """:meth:`add_workdays` without the fallback flag, for callers that check the years themselves."""
        return start if n == 0 else dt.date.fromordinal(self._nth(self._count_to(start.toordinal()) + n))

    def count(self, a: dt.date, b: dt.date) -> int:
        """:meth:`workdays_between` without the fallback flag."""
        return self._count_to(b.toordinal()) - self._count_to(a.toordinal())

    def add_workdays(self, start: dt.date, n: int) -> WorkdayDate:
        """The n-th working day strictly after ``start`` (``n == 0`` gives ``start``; negative n counts back)."""
        if n == 0:
            return WorkdayDate(start, False)
        result = dt.date.fromordinal(self._nth(self._count_to(start.toordinal()) + n))
        if n > 0:
            return WorkdayDate(result, self.touches_unknown(start + dt.timedelta(days=1), result))
        return WorkdayDate(result, self.touches_unknown(result, start))

    def workdays_between(self, a: dt.date, b: dt.date) -> WorkdayCount:
        """Working days in ``(a, b]``; negative when ``b < a``."""
        count = self._count_to(b.toordinal()) - self._count_to(a.toordinal())
        first, last = (a + dt.timedelta(days=1), b) if b >= a else (b + dt.timedelta(days=1), a)
        return WorkdayCount(count, self.touches_unknown(first, last))

    def special_days(self, first: dt.date, last: dt.date) -> list[SpecialDay]:
        """Holidays, makeup working days and other departures from Mon–Fri in ``[first, last]``, known years only."""
        lo = bisect_left(self._special, first.toordinal())
        hi = bisect_right(self._special, last.toordinal())
        return [
            SpecialDay(dt.date.fromordinal(o), _CODE_KINDS[self._codes[o - self._lo]], self._names.get(o, ""))
            for o in self._special[lo:hi]
        ]


_lock = threading.Lock()
_cached: WorkCalendar | None = None


def current_calendar_token() -> str:
    return CalendarRevision.objects.filter(pk=1).values_list("token", flat=True).first() or ""


def build_work_calendar(*, token: str | None = None) -> WorkCalendar:
    """Read the whole table into a fresh :class:`WorkCalendar` (a few thousand rows per decade)."""
    if token is None:
        token = current_calendar_token()
    years = dict(CalendarYear.objects.values_list("year", "source"))
    days = list(CalendarDay.objects.order_by("date").values_list("date", "kind", "name"))
    return WorkCalendar(days=days, years=years, token=token)


def get_work_calendar() -> WorkCalendar:
    """The current calendar: the cached snapshot when its token is still the database's, else a rebuilt one."""
    global _cached
    token = current_calendar_token()
    calendar = _cached
    if calendar is not None and calendar.token == token and token:
        return calendar
    calendar = build_work_calendar(token=token)
    with _lock:
        _cached = calendar
    return calendar


# -- admin read models ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarYearSummary:
    year: int
    source: str
    origin_label: str
    imported_at: dt.datetime
    updated_by: str
    holidays: int
    makeup_workdays: int
    days: int


def calendar_year_summaries() -> list[CalendarYearSummary]:
    """Known years, newest first, with their counts of holidays and makeup working days."""
    years = list(CalendarYear.objects.select_related("updated_by").order_by("-year"))
    counts: dict[int, dict[str, int]] = {}
    for row in (
        CalendarDay.objects.values("date__year")
        .annotate(
            days=Count("pk"),
            holidays=Count("pk", filter=Q(kind=DayKind.HOLIDAY)),
            makeup=Count("pk", filter=Q(kind=DayKind.MAKEUP_WORKDAY)),
        )
        .order_by()
    ):
        counts[row["date__year"]] = row
    return [
        CalendarYearSummary(
            year=item.year,
            source=item.source,
            origin_label=item.get_origin_display(),
            imported_at=item.imported_at,
            updated_by=str(item.updated_by) if item.updated_by else "",
            holidays=counts.get(item.year, {}).get("holidays", 0),
            makeup_workdays=counts.get(item.year, {}).get("makeup", 0),
            days=counts.get(item.year, {}).get("days", 0),
        )
        for item in years
    ]


def missing_calendar_years(*, today: dt.date) -> list[int]:
    """Years an administrator should import: gaps among known years, this year and next year when absent.

    Next year matters from the day it can hold a deadline; the State Council publishes its schedule in November.
    """
    known = set(CalendarYear.objects.values_list("year", flat=True))
    wanted = {today.year, today.year + 1}
    if known:
        wanted |= set(range(min(known), max(known) + 1))
    return sorted(wanted - known)


def fallback_clock_count() -> int:
    """Open clocks whose due date was computed with the Monday–Friday fallback."""
    return CaseClock.objects.filter(
        uses_fallback_calendar=True, state__in=[ClockState.RUNNING, ClockState.PAUSED]
    ).count()


@dataclass(frozen=True)
class CalendarMonth:
    year: int
    month: int
    weeks: list[list[tuple[dt.date, DayKind, str] | None]]


def calendar_months(year: int) -> list[CalendarMonth]:
    """Twelve month grids (weeks Monday first) for the admin view of one year."""
    calendar = get_work_calendar()
    months = []
    for month in range(1, 13):
        first = dt.date(year, month, 1)
        next_first = dt.date(year + month // 12, month % 12 + 1, 1)
        cells: list[tuple[dt.date, DayKind, str] | None] = [None] * first.weekday()
        day = first
        while day < next_first:
            cells.append((day, calendar.day_kind(day), calendar.day_name(day)))
            day += dt.timedelta(days=1)
        cells += [None] * (-len(cells) % 7)
        months.append(CalendarMonth(year, month, [cells[i : i + 7] for i in range(0, len(cells), 7)]))
    return months


def special_days_of_year(year: int) -> list[CalendarDay]:
    """The stored holidays and makeup working days of a year, in date order."""
    return list(
        CalendarDay.objects.filter(
            date__year=year, kind__in=[DayKind.HOLIDAY, DayKind.MAKEUP_WORKDAY]
        ).order_by("date")
    )
