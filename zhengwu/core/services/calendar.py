"""工作日历 writes: seeding from the chinese-calendar package, importing a year's schedule, editing single days.

The table holds every day of each known year. A schedule file lists only the departures from the weekly rhythm —
法定节假日 (which may fall on a weekend inside a holiday stretch) and 调休工作日 (a Saturday or Sunday declared a
working day); every other day is derived: Monday–Friday 工作日, Saturday/Sunday 休息日.

Every change replaces the calendar token (see :mod:`zhengwu.core.selectors.calendar`) so that all processes drop
their cached calendar, and after the commit every open case clock is recomputed by a background task.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import CalendarDay, CalendarRevision, CalendarYear, CaseClock
from ..models.calendar import CalendarOrigin, DayKind
from ..models.clock import ClockState
from ..selectors.calendar import WEEKDAY_NAMES, default_kind
from .audit import audit

SOURCES_FILE = Path(__file__).resolve().parent.parent / "rules" / "calendar_sources.json"
MIN_YEAR, MAX_YEAR = 2000, 2100

# chinese-calendar names its holidays in English; the schedule notices use these names.
PACKAGE_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}

# Words accepted in the kind column of an import file.
KIND_WORDS = {
    "法定节假日": DayKind.HOLIDAY,
    "节假日": DayKind.HOLIDAY,
    "放假": DayKind.HOLIDAY,
    "holiday": DayKind.HOLIDAY,
    "调休工作日": DayKind.MAKEUP_WORKDAY,
    "调休上班": DayKind.MAKEUP_WORKDAY,
    "补班": DayKind.MAKEUP_WORKDAY,
    "上班": DayKind.MAKEUP_WORKDAY,
    "makeup": DayKind.MAKEUP_WORKDAY,
}

NAME_MAX_LENGTH = CalendarDay._meta.get_field("name").max_length
SOURCE_MAX_LENGTH = CalendarYear._meta.get_field("source").max_length


@dataclass(frozen=True)
class ScheduleEntry:
    """One row of a year's schedule: a holiday or a makeup working day."""

    date: dt.date
    kind: DayKind
    name: str = ""


@dataclass
class CalendarChange:
    """What a seed or an import did: years created or replaced and days written (new or changed)."""

    years_created: list[int] = field(default_factory=list)
    years_updated: list[int] = field(default_factory=list)
    days_changed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.years_created or self.years_updated or self.days_changed)


# -- sources and package data -----------------------------------------------------------------------------------


def load_calendar_sources(path: Path | str | None = None) -> dict[int, str]:
    """Year → title of the State Council notice, from the rules file shipped with core."""
    data = json.loads(Path(path or SOURCES_FILE).read_text(encoding="utf-8"))
    return {int(year): entry["source"] for year, entry in data["years"].items()}


def package_years() -> list[int]:
    from chinese_calendar import constants

    return sorted({day.year for day in constants.holidays} | {day.year for day in constants.workdays})


def package_schedule(year: int) -> list[ScheduleEntry]:
    """The holidays and makeup working days the chinese-calendar package lists for a year."""
    from chinese_calendar import constants

    entries = [
        ScheduleEntry(day, DayKind.HOLIDAY, PACKAGE_HOLIDAY_NAMES.get(name, name))
        for day, name in constants.holidays.items()
        if day.year == year
    ]
    entries += [
        ScheduleEntry(day, DayKind.MAKEUP_WORKDAY, PACKAGE_HOLIDAY_NAMES.get(name, name))
        for day, name in constants.workdays.items()
        if day.year == year
    ]
    return sorted(entries, key=lambda entry: entry.date)


# -- writing ---------------------------------------------------------------------------------------------------


def _year_rows(year: int, entries: list[ScheduleEntry]) -> dict[dt.date, tuple[str, str]]:
    special = {entry.date: (str(entry.kind), entry.name) for entry in entries}
    rows = {}
    day = dt.date(year, 1, 1)
    while day.year == year:
        rows[day] = special.get(day, (str(default_kind(day)), ""))
        day += dt.timedelta(days=1)
    return rows


def _write_year(year: int, entries: list[ScheduleEntry]) -> int:
    """Make the stored days of ``year`` match ``entries``; return how many days were written (created or changed)."""
    wanted = _year_rows(year, entries)
    stored = {obj.date: obj for obj in CalendarDay.objects.filter(date__year=year)}
    updates, creates = [], []
    for day, (kind, name) in wanted.items():
        obj = stored.get(day)
        if obj is None:
            creates.append(CalendarDay(date=day, kind=kind, name=name))
        elif (obj.kind, obj.name) != (kind, name):
            obj.kind, obj.name = kind, name
            updates.append(obj)
    CalendarDay.objects.bulk_update(updates, ["kind", "name"], batch_size=500)
    CalendarDay.objects.bulk_create(creates, batch_size=500)
    return len(updates) + len(creates)


def _touch_revision() -> None:
    CalendarRevision.objects.update_or_create(
        pk=1, defaults={"token": uuid.uuid4().hex, "changed_at": timezone.now()}
    )


def _calendar_changed() -> None:
    """Invalidate every process's cached calendar and recompute open clocks once the change is committed."""
    _touch_revision()
    if CaseClock.objects.filter(state__in=[ClockState.RUNNING, ClockState.PAUSED]).exists():
        from ..tasks.clock import recompute_open_clocks_task

        transaction.on_commit(recompute_open_clocks_task.enqueue)


@transaction.atomic
def seed_calendar_from_package(*, actor: Any = None, record_audit: bool = True) -> CalendarChange:
    """Create the years the chinese-calendar package covers and the table lacks; refresh unedited package years.

    Idempotent: a second run changes nothing. Years an administrator imported or edited are never overwritten.
    """
    sources = load_calendar_sources()
    existing = {item.year: item for item in CalendarYear.objects.all()}
    result = CalendarChange()
    for year in package_years():
        source = sources.get(year, f"国务院办公厅关于{year}年部分节假日安排的通知")
        item = existing.get(year)
        if item is not None and item.origin != CalendarOrigin.PACKAGE:
            continue
        changed_days = _write_year(year, package_schedule(year))
        if item is None:
            CalendarYear.objects.create(year=year, source=source, origin=CalendarOrigin.PACKAGE)
            result.years_created.append(year)
        elif changed_days or item.source != source:
            item.source = source
            item.save(update_fields=["source", "imported_at"])
            result.years_updated.append(year)
        result.days_changed += changed_days
    if result.changed or not CalendarRevision.objects.filter(pk=1).exists():
        _calendar_changed()
    if result.changed and record_audit:
        audit(
            actor=actor,
            action="core.calendar.seed",
            detail={"created": result.years_created, "updated": result.years_updated},
        )
    return result


def _check_year_and_source(year: int, source: str) -> list[str]:
    errors = []
    if not MIN_YEAR <= year <= MAX_YEAR:
        errors.append(f"年份 {year} 不在 {MIN_YEAR}—{MAX_YEAR} 之间。")
    if not source.strip():
        errors.append("请填写依据（国务院办公厅发布该年度节假日安排的通知名称）。")
    elif len(source.strip()) > SOURCE_MAX_LENGTH:
        errors.append(f"依据不能超过 {SOURCE_MAX_LENGTH} 个字。")
    return errors


@transaction.atomic
def replace_calendar_year(
    *, year: int, source: str, entries: list[ScheduleEntry], actor: Any, origin: str = CalendarOrigin.IMPORT
) -> CalendarChange:
    """Store a whole year's schedule (replacing what was there) from already validated entries."""
    errors = _check_year_and_source(year, source)
    errors += [message for _, message in _check_entries(year, [(None, entry) for entry in entries])]
    if errors:
        raise ValidationError(errors)
    item = CalendarYear.objects.select_for_update().filter(year=year).first()
    previous_source = item.source if item else ""
    result = CalendarChange(days_changed=_write_year(year, entries))
    if item is None:
        item = CalendarYear.objects.create(year=year, source=source.strip(), origin=origin, updated_by=actor)
        result.years_created.append(year)
    else:
        item.source, item.origin, item.updated_by = source.strip(), origin, actor
        item.save(update_fields=["source", "origin", "updated_by", "imported_at"])
        result.years_updated.append(year)
    _calendar_changed()
    audit(
        actor=actor,
        action="core.calendar.import",
        target=item,
        detail={
            "year": year,
            "source": item.source,
            "previous_source": previous_source,
            "holidays": sum(1 for e in entries if e.kind == DayKind.HOLIDAY),
            "makeup_workdays": sum(1 for e in entries if e.kind == DayKind.MAKEUP_WORKDAY),
            "days_changed": result.days_changed,
        },
    )
    return result


def import_calendar_file(
    *, year: int, source: str, content: bytes, filename: str, actor: Any
) -> CalendarChange:
    """Parse a CSV or xlsx schedule and store it; any bad row rejects the whole file with row-numbered errors."""
    errors = _check_year_and_source(year, source)
    if errors:
        raise ValidationError(errors)
    entries = parse_schedule_file(content=content, filename=filename, year=year)
    return replace_calendar_year(year=year, source=source, entries=entries, actor=actor)


@transaction.atomic
def set_calendar_day(*, day: dt.date, kind: str, name: str = "", actor: Any) -> CalendarDay:
    """Change one day of a known year: make it a holiday, a makeup working day, or back to its weekday default."""
    kind = DayKind(kind) if kind in DayKind.values else None
    if kind is None:
        raise ValidationError("请选择日期类型。")
    item = CalendarYear.objects.select_for_update().filter(year=day.year).first()
    if item is None:
        raise ValidationError(f"{day.year}年的节假日安排尚未导入，请先导入全年安排再修改单日。")
    weekday = WEEKDAY_NAMES[day.weekday()]
    name = name.strip()
    if kind == DayKind.MAKEUP_WORKDAY and day.weekday() < 5:
        raise ValidationError(f"{day:%Y-%m-%d}是{weekday}，调休工作日只能是星期六或星期日。")
    if kind == DayKind.WORKDAY and day.weekday() >= 5:
        raise ValidationError(f"{day:%Y-%m-%d}是{weekday}；周末上班请设为“调休工作日”。")
    if kind == DayKind.WEEKEND and day.weekday() < 5:
        raise ValidationError(f"{day:%Y-%m-%d}是{weekday}；工作日放假请设为“法定节假日”。")
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(f"名称不能超过 {NAME_MAX_LENGTH} 个字。")
    if kind in (DayKind.WORKDAY, DayKind.WEEKEND):
        name = ""
    obj, _ = CalendarDay.objects.get_or_create(date=day, defaults={"kind": default_kind(day)})
    before = {"kind": obj.kind, "name": obj.name}
    if before == {"kind": str(kind), "name": name}:
        return obj
    obj.kind, obj.name = kind, name
    obj.save(update_fields=["kind", "name"])
    item.origin, item.updated_by = CalendarOrigin.EDITED, actor
    item.save(update_fields=["origin", "updated_by", "imported_at"])
    _calendar_changed()
    audit(
        actor=actor,
        action="core.calendar.day.change",
        target=obj,
        detail={"date": day, "before": before, "after": {"kind": str(kind), "name": name}},
    )
    return obj


# -- parsing import files --------------------------------------------------------------------------------------

_DATE_PATTERNS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_HEADER_WORDS = ("日期", "date")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else None
    if isinstance(value, dt.date):
        return value
    text = _cell_text(value).split(" 00:00:00")[0]
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                return None
    return None


def _read_rows(content: bytes, filename: str) -> list[tuple[int, list[Any]]]:
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        if not zipfile.is_zipfile(io.BytesIO(content)):
            raise ValidationError("文件不是有效的 Excel（.xlsx）文件。")
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for damaged files
            raise ValidationError("无法读取该 Excel 文件，请确认文件未损坏。") from exc
        try:
            sheet = workbook.worksheets[0]
            return [
                (number, list(row)) for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)
            ]
        finally:
            workbook.close()
    if suffix == ".csv":
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationError("无法识别 CSV 文件的编码，请以 UTF-8 或 GBK 编码保存。")
        if "\x00" in text:
            raise ValidationError("CSV 文件中含有无效字符，请确认上传的是文本格式的 CSV 文件。")
        return list(enumerate(csv.reader(io.StringIO(text, newline="")), start=1))
    raise ValidationError("只能导入 CSV（.csv）或 Excel（.xlsx）文件。")


def parse_schedule_file(*, content: bytes, filename: str, year: int) -> list[ScheduleEntry]:
    """Read ``date, kind, name`` rows (an optional header row first); raise one error per bad row, in Chinese."""
    rows = _read_rows(content, filename)
    problems: list[tuple[int, str]] = []
    parsed: list[tuple[int | None, ScheduleEntry]] = []
    first_row = True
    for number, cells in rows:
        values = [cell if isinstance(cell, (dt.date, dt.datetime)) else _cell_text(cell) for cell in cells]
        if not any(values):
            continue
        if first_row:
            first_row = False
            if isinstance(values[0], str) and any(word in values[0].lower() for word in _HEADER_WORDS):
                continue
        if len([v for v in values if v]) < 2 or not values[0]:
            problems.append((number, f"第{number}行：应依次填写“日期、类型、名称”，至少包括日期和类型。"))
            continue
        day = _parse_date(cells[0])
        if day is None:
            problems.append(
                (number, f"第{number}行：日期“{_cell_text(cells[0])}”无效，应写作 {year}-01-01 这样的格式。")
            )
            continue
        kind_text = str(values[1])
        kind = KIND_WORDS.get(kind_text.strip().lower())
        if kind is None:
            problems.append(
                (number, f"第{number}行：类型“{kind_text}”无法识别，应为“法定节假日”或“调休工作日”。")
            )
            continue
        name = str(values[2]).strip() if len(values) > 2 and values[2] else ""
        parsed.append((number, ScheduleEntry(day, kind, name)))
    problems += _check_entries(year, parsed)
    if not problems and not parsed:
        problems.append((0, "文件中没有节假日安排数据。"))
    elif not problems and not any(entry.kind == DayKind.HOLIDAY for _, entry in parsed):
        problems.append((0, "文件中没有任何法定节假日，请确认导入的是全年节假日安排。"))
    if problems:
        raise ValidationError([message for _, message in sorted(problems, key=lambda item: item[0])])
    return [entry for _, entry in parsed]


def _check_entries(year: int, rows: list[tuple[int | None, ScheduleEntry]]) -> list[tuple[int, str]]:
    problems = []
    first_row: dict[dt.date, int | None] = {}
    for number, entry in rows:
        where = f"第{number}行：" if number is not None else ""
        weekday = WEEKDAY_NAMES[entry.date.weekday()]
        message = ""
        if entry.date.year != year:
            message = f"{where}日期 {entry.date:%Y-%m-%d} 不在 {year} 年内。"
        elif entry.kind == DayKind.MAKEUP_WORKDAY and entry.date.weekday() < 5:
            message = f"{where}{entry.date:%Y-%m-%d} 是{weekday}，调休工作日只能是星期六或星期日。"
        elif entry.kind not in (DayKind.HOLIDAY, DayKind.MAKEUP_WORKDAY):
            message = f"{where}类型只能是“法定节假日”或“调休工作日”。"
        elif len(entry.name) > NAME_MAX_LENGTH:
            message = f"{where}名称不能超过 {NAME_MAX_LENGTH} 个字。"
        elif entry.date in first_row:
            earlier = first_row[entry.date]
            also = f"与第{earlier}行重复" if earlier is not None else "重复"
            message = f"{where}日期 {entry.date:%Y-%m-%d} {also}。"
        else:
            first_row[entry.date] = number
        if message:
            problems.append((number or 0, message))
    return problems
