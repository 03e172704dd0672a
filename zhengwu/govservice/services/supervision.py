"""电子监察 figures: due dates and cards of 办件, the figures of a period as a county reports them, and the import of
cases from an old system.

Clock semantics are the core case clock's (:mod:`zhengwu.core.services.clock`): a limit of N working days ends at
the end of the N-th working day strictly after the acceptance date (0 days: the end of the acceptance date); a
pause from day s to day e excludes the counted days after s up to and including e, moving both due dates; the
working days a case took are those of (acceptance date, finish date], paused ones excluded. Dates are Asia/Shanghai
dates. Working days come from the one work calendar (:func:`~zhengwu.core.selectors.calendar.get_work_calendar`),
so a year whose schedule is not imported is counted Monday–Friday and the figures say so.

Figures of a period count the cases accepted in it. Events after ``as_of`` are ignored: a case finished later is
open at it, a pause that begins later did not happen, one still running at it ends there. Each case counts once,
under its highest card, judged at its finish or, if open, at the end of ``as_of``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F, Q, Sum

from zhengwu.core.selectors.calendar import WorkCalendar, get_work_calendar
from zhengwu.core.services.audit import audit
from zhengwu.core.services.clock import SHANGHAI

from .. import rules
from ..models import CasePause, CaseSource, Decision, ItemVersion, ServiceCase, ServiceItem

DECISION_WORDS = {"准予": Decision.GRANTED, "不予": Decision.REFUSED}
FIGURE_KEYS = (
    "accepted",
    "finished",
    "open",
    "early",
    "early_rate",
    "on_time",
    "on_time_rate",
    "avg_actual_workdays",
    "avg_promised_workdays",
    "avg_legal_workdays",
    "yellow",
    "red",
)
LABELS = {
    "accepted": "受理件数",
    "finished": "办结件数",
    "open": "在办件数",
    "early": "提前办结件数",
    "early_rate": "提前办结率",
    "on_time": "按时办结件数",
    "on_time_rate": "按时办结率",
    "avg_actual_workdays": "平均办结时间（工作日）",
    "avg_promised_workdays": "承诺平均时限（工作日）",
    "avg_legal_workdays": "法定平均时限（工作日）",
    "yellow": "黄牌件数",
    "red": "红牌件数",
}


# -- one case ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Derived:
    promised_due_on: dt.date
    legal_due_on: dt.date
    paused_workdays: int
    actual_workdays: int | None
    last_pause_end: dt.date | None
    uses_fallback: bool


def derive(
    calendar: WorkCalendar,
    *,
    accepted_on: dt.date,
    finished_on: dt.date | None,
    promised_days: int,
    legal_days: int,
    pauses: Iterable[tuple[dt.date, dt.date]] = (),
    as_of: dt.date | None = None,
) -> Derived:
    """Due dates and working days of one case; with ``as_of``, as they stood at the end of that day."""
    spans = sorted(pauses)
    if as_of is not None:
        spans = [(s, min(e, as_of)) for s, e in spans if s < as_of]
        if finished_on is not None and finished_on > as_of:
            finished_on = None

    def due(limit: int) -> dt.date:
        day = calendar.shift(accepted_on, limit)
        for start, end in spans:
            if start < day:
                day = calendar.shift(day, calendar.count(start, end))
        return day

    promised_due, legal_due = due(promised_days), due(legal_days)
    actual = paused = None
    if finished_on is not None:
        paused = sum(calendar.count(s, min(e, finished_on)) for s, e in spans if s < finished_on)
        actual = calendar.count(accepted_on, finished_on) - paused
    else:
        paused = sum(calendar.count(s, e) for s, e in spans)
    last = max(
        [promised_due, legal_due, finished_on or accepted_on, *(e for _s, e in spans)],
    )
    return Derived(
        promised_due_on=promised_due,
        legal_due_on=legal_due,
        paused_workdays=paused,
        actual_workdays=actual,
        last_pause_end=max((e for _s, e in spans), default=None),
        uses_fallback=calendar.touches_unknown(accepted_on, last),
    )


def card_at(derived: Derived, day: dt.date, *, fee_on_free_item: bool = False) -> str:
    """The card a case has earned at the end of ``day`` (its finish date, or the day it is judged open):
    ``"red"`` past the 法定 due date or for a fee on a free item, ``"yellow"`` past the 承诺 one, else ``""``."""
    if day > derived.legal_due_on or fee_on_free_item:
        return "red"
    if day > derived.promised_due_on:
        return "yellow"
    return ""


def _apply(case: ServiceCase, derived: Derived, token: str) -> None:
    case.promised_due_on = derived.promised_due_on
    case.legal_due_on = derived.legal_due_on
    case.paused_workdays = derived.paused_workdays
    case.actual_workdays = derived.actual_workdays
    case.last_pause_end = derived.last_pause_end
    case.uses_fallback_calendar = derived.uses_fallback
    case.calendar_token = token


DERIVED_FIELDS = [
    "promised_due_on",
    "legal_due_on",
    "paused_workdays",
    "actual_workdays",
    "last_pause_end",
    "uses_fallback_calendar",
    "calendar_token",
]


def refresh_cases(queryset, calendar: WorkCalendar, *, batch_size: int = 5000) -> int:
    """Compute again the stored figures of the cases in ``queryset`` (after the calendar changed)."""
    changed = 0
    pks = list(queryset.values_list("pk", flat=True))
    for offset in range(0, len(pks), batch_size):
        chunk = list(
            ServiceCase.objects.filter(pk__in=pks[offset : offset + batch_size]).prefetch_related("pauses")
        )
        for case in chunk:
            _apply(
                case,
                derive(
                    calendar,
                    accepted_on=case.accepted_on,
                    finished_on=case.finished_on,
                    promised_days=case.promised_days,
                    legal_days=case.legal_days + case.extension_days,
                    pauses=[(p.start_on, p.end_on) for p in case.pauses.all()],
                ),
                calendar.token,
            )
        ServiceCase.objects.bulk_update(chunk, DERIVED_FIELDS)
        changed += len(chunk)
    return changed


# -- figures of a period ----------------------------------------------------------------------------------------


class FiguresError(ValueError):
    """Bad parameters of a figures query; the message is for the user."""


def _round(value: float | None, places: int) -> float | None:
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP))


@dataclass
class _Tally:
    accepted: int = 0
    finished: int = 0
    early: int = 0
    yellow: int = 0
    red: int = 0
    on_time: int = 0
    actual: int = 0
    promised: int = 0
    legal: int = 0
    fallback: int = 0

    def add(self, other: _Tally) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def figures(self) -> dict[str, Any]:
        finished = self.finished
        return {
            "accepted": self.accepted,
            "finished": finished,
            "open": self.accepted - finished,
            "early": self.early,
            "early_rate": _round(self.early / finished, 4) if finished else None,
            "on_time": self.on_time,
            "on_time_rate": _round(self.on_time / finished, 4) if finished else None,
            "avg_actual_workdays": _round(self.actual / finished, 2) if finished else None,
            "avg_promised_workdays": _round(self.promised / finished, 2) if finished else None,
            "avg_legal_workdays": _round(self.legal / finished, 2) if finished else None,
            "yellow": self.yellow,
            "red": self.red,
        }


def _aggregate(queryset, as_of: dt.date, token: str) -> tuple[dict[int, _Tally], int]:
    """One grouped query: tallies per item over cases whose stored figures hold at ``as_of``, and how many of
    them were computed under a calendar other than ``token``."""
    done = Q(finished_on__lte=as_of)
    still_open = Q(finished_on__isnull=True) | Q(finished_on__gt=as_of)
    red = (
        (done & Q(finished_on__gt=F("legal_due_on")))
        | (still_open & Q(legal_due_on__lt=as_of))
        | Q(fee_on_free_item=True)
    )
    yellow_any = (done & Q(finished_on__gt=F("promised_due_on"))) | (
        still_open & Q(promised_due_on__lt=as_of)
    )
    rows = queryset.values("item_id").annotate(
        accepted=Count("pk"),
        finished=Count("pk", filter=done),
        early=Count("pk", filter=done & Q(finished_on__lt=F("promised_due_on"))),
        red=Count("pk", filter=red),
        yellow=Count("pk", filter=yellow_any & ~red),
        on_time=Count("pk", filter=done & ~yellow_any & ~red),
        actual=Sum("actual_workdays", filter=done),
        promised=Sum("promised_days", filter=done),
        legal=Sum("legal_days", filter=done),
        fallback=Count("pk", filter=Q(uses_fallback_calendar=True)),
        stale=Count("pk", filter=~Q(calendar_token=token)),
    )
    tallies, stale = {}, 0
    for row in rows:
        item = row.pop("item_id")
        stale += row.pop("stale")
        tallies[item] = _Tally(**{key: value or 0 for key, value in row.items()})
    return tallies, stale


def _tally_one(case: ServiceCase, calendar: WorkCalendar, as_of: dt.date) -> _Tally:
    """A case whose stored figures do not hold at ``as_of`` (a pause reaching past it), counted in Python."""
    derived = derive(
        calendar,
        accepted_on=case.accepted_on,
        finished_on=case.finished_on,
        promised_days=case.promised_days,
        legal_days=case.legal_days + case.extension_days,
        pauses=[(p.start_on, p.end_on) for p in case.pauses.all()],
        as_of=as_of,
    )
    done = case.finished_on is not None and case.finished_on <= as_of
    moment = case.finished_on if done else as_of
    card = card_at(derived, moment, fee_on_free_item=case.fee_on_free_item)
    red, yellow = card == "red", card == "yellow"
    return _Tally(
        accepted=1,
        finished=int(done),
        early=int(done and case.finished_on < derived.promised_due_on),
        yellow=int(yellow),
        red=int(red),
        on_time=int(done and not red and not yellow),
        actual=derived.actual_workdays or 0 if done else 0,
        promised=case.promised_days if done else 0,
        legal=case.legal_days if done else 0,
        fallback=int(derived.uses_fallback),
    )


def _grade(figures: dict[str, Any]) -> str:
    if not figures["finished"]:
        return ""
    for row in rules.supervision()["grading"]["grades"]:
        if figures["on_time_rate"] >= row["min_on_time_rate"] and (
            row["max_red"] is None or figures["red"] <= row["max_red"]
        ):
            return row["grade"]
    return ""


def supervision_figures(
    *,
    date_from: dt.date,
    date_to: dt.date,
    as_of: dt.date | None = None,
    organizations: Iterable[Any] | None = None,
) -> dict[str, Any]:
    """The 电子监察 figures of the cases accepted from ``date_from`` to ``date_to`` (inclusive), as at ``as_of``."""
    from django.utils import timezone

    if date_from > date_to:
        raise FiguresError(f"起始日期 {date_from} 晚于截止日期 {date_to}。")
    as_of = as_of or timezone.localdate()
    calendar = get_work_calendar()
    scope = ServiceCase.objects.filter(accepted_on__gte=date_from, accepted_on__lte=min(date_to, as_of))
    if organizations is not None:
        scope = scope.filter(organization__in=list(organizations))
    irregular = Q(last_pause_end__gt=as_of)
    # One grouped query; it also counts rows computed under another calendar (after an imported or edited
    # schedule), which are then computed again and the query repeated.
    tallies, stale = _aggregate(scope.exclude(irregular), as_of, calendar.token)
    if stale:
        with transaction.atomic():
            refresh_cases(scope.exclude(calendar_token=calendar.token), calendar)
        tallies, stale = _aggregate(scope.exclude(irregular), as_of, calendar.token)
    for case in scope.filter(irregular).prefetch_related("pauses"):
        tallies.setdefault(case.item_id, _Tally()).add(_tally_one(case, calendar, as_of))

    items = {
        item.pk: item
        for item in ServiceItem.objects.filter(pk__in=tallies).select_related(
            "organization", "current_version"
        )
    }
    total = _Tally()
    per_unit: dict[int, _Tally] = defaultdict(_Tally)
    item_rows = []
    for pk, tally in sorted(tallies.items(), key=lambda pair: items[pair[0]].code):
        item = items[pk]
        total.add(tally)
        per_unit[item.organization_id].add(tally)
        item_rows.append(
            {
                "code": item.code,
                "name": item.current_version.name if item.current_version_id else "",
                "unit": item.organization.credit_code,
                **tally.figures(),
            }
        )
    units = {org.pk: org for org in {item.organization for item in items.values()}}
    unit_rows = []
    for pk, tally in sorted(per_unit.items(), key=lambda pair: units[pair[0]].path):
        figures = tally.figures()
        unit_rows.append(
            {"unit": units[pk].credit_code, "name": units[pk].name, **figures, "grade": _grade(figures)}
        )
    figures = total.figures()
    result = {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "as_of": as_of.isoformat(),
        **figures,
        "items_supervised": _items_supervised(organizations),
        "uses_fallback_calendar": bool(total.fallback),
        "calendar_note": _calendar_note(calendar, date_from, as_of) if total.fallback else "",
        "units": unit_rows,
        "items": item_rows,
    }
    result["summary"] = summary(result)
    return result


def _items_supervised(organizations) -> int:
    items = ServiceItem.objects.filter(is_active=True)
    if organizations is not None:
        items = items.filter(organization__in=list(organizations))
    return items.count()


def _calendar_note(calendar: WorkCalendar, first: dt.date, last: dt.date) -> str:
    years = "、".join(f"{year} 年" for year in calendar.unknown_years(first, last + dt.timedelta(days=400)))
    return f"{years}的节假日安排尚未导入，相关办件的期限按周一至周五推算，导入后数字可能变化。"


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{_round(rate * 100, 2):g}%"


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def summary(figures: dict[str, Any]) -> str:
    """The paragraph a county work report writes, from the same figures."""
    text = (
        f"{figures['items_supervised']}项行政审批事项纳入电子监察系统。"
        f"{figures['from']}至{figures['to']}，各单位共受理审批事项{figures['accepted']}件，"
        f"办结{figures['finished']}件，提前办结{figures['early']}件，提前办结率为{_percent(figures['early_rate'])}"
    )
    actual = figures["avg_actual_workdays"]
    if actual is not None:
        promised, legal = figures["avg_promised_workdays"], figures["avg_legal_workdays"]
        text += (
            f"，平均办结时间为{_days(actual)}个工作日，"
            f"比承诺平均{_days(promised)}个工作日{_shorter(promised, actual)}，"
            f"比法定平均{_days(legal)}个工作日{_shorter(legal, actual)}"
        )
    text += f"。亮黄牌{figures['yellow']}件，红牌{figures['red']}件。"
    if figures.get("calendar_note"):
        text += figures["calendar_note"]
    return text


def _shorter(limit: float, actual: float) -> str:
    gap = _round(limit - actual, 2)
    if gap >= 0:
        return f"缩短{gap:g}个工作日"
    return f"超出{-gap:g}个工作日"


def write_xlsx(figures: dict[str, Any], target: Any) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from zhengwu.core.spreadsheets import save_workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "汇总"
    sheet.append(["统计期间", f"{figures['from']} 至 {figures['to']}"])
    sheet.append(["统计截至", figures["as_of"]])
    sheet.append(["纳入电子监察的事项数", figures["items_supervised"]])
    for key in FIGURE_KEYS:
        sheet.append([LABELS[key], figures[key]])
    sheet.append(["说明", figures["summary"]])
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 60
    for title, rows, first in (
        ("单位", figures["units"], [("unit", "统一社会信用代码"), ("name", "单位名称")]),
        ("事项", figures["items"], [("code", "事项编码"), ("name", "事项名称"), ("unit", "实施机关代码")]),
    ):
        page = book.create_sheet(title)
        columns = [*first, *((key, LABELS[key]) for key in FIGURE_KEYS)]
        if title == "单位":
            columns.append(("grade", "考评等次"))
        page.append([label for _key, label in columns])
        for cell in page[1]:
            cell.font = Font(bold=True)
        for row in rows:
            page.append([row[key] for key, _label in columns])
    save_workbook(book, target)


# -- import of cases from an old system -------------------------------------------------------------------------


class CaseImportError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class CaseImportSummary:
    created: int = 0
    replaced: int = 0
    warnings: list[str] = field(default_factory=list)


def _moment(value: Any, what: str) -> dt.datetime:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what}应为日期时间，如 2026-03-02T09:30:00+08:00")
    text = value.strip().replace("Z", "+00:00")
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{what}“{value}”不是有效的日期时间（如 2026-03-02T09:30:00+08:00）") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment


def _day(value: Any, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"{what}“{value}”不是有效的日期（YYYY-MM-DD）") from None


@dataclass
class _Record:
    line: int
    number: str
    item: ServiceItem
    accepted_at: dt.datetime
    finished_at: dt.datetime | None
    pauses: list[tuple[dt.date, dt.date, str]]
    decision: str
    fee_charged: bool


def _parse(line_no: int, text: str, items: dict[str, ServiceItem], reasons: set[str]) -> _Record:
    try:
        record = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"不是有效的 JSON（第 {error.colno} 列：{error.msg}）") from None
    if not isinstance(record, dict):
        raise ValueError("每行应为一个 JSON 对象")
    unknown = sorted(
        set(record) - {"id", "item_code", "accepted_at", "finished_at", "pauses", "decision", "fee_charged"}
    )
    if unknown:
        raise ValueError(f"不认识的字段：{'、'.join(unknown)}")
    number = record.get("id")
    if isinstance(number, int) and not isinstance(number, bool):
        number = str(number)
    if not isinstance(number, str) or not number.strip() or len(number.strip()) > 64:
        raise ValueError("缺少办件编号 id（不超过 64 个字符）")
    code = record.get("item_code")
    item = items.get(str(code).strip()) if code is not None else None
    if item is None:
        raise ValueError(f"事项编码“{code}”不在事项清单中" if code else "缺少事项编码 item_code")
    accepted = _moment(record.get("accepted_at"), "受理时间 accepted_at ")
    finished = record.get("finished_at")
    finished = None if finished is None else _moment(finished, "办结时间 finished_at ")
    if finished is not None and finished < accepted:
        raise ValueError("办结时间早于受理时间")
    accepted_on = accepted.astimezone(SHANGHAI).date()
    finished_on = finished.astimezone(SHANGHAI).date() if finished else None
    pauses = []
    raw_pauses = record.get("pauses") or []
    if not isinstance(raw_pauses, list):
        raise ValueError("pauses 应为列表")
    for index, pause in enumerate(raw_pauses, start=1):
        if not isinstance(pause, dict):
            raise ValueError(f"第 {index} 个暂停应为对象")
        start = _day(pause.get("from"), f"第 {index} 个暂停的开始日期")
        end = _day(pause.get("to"), f"第 {index} 个暂停的结束日期")
        reason = str(pause.get("reason") or "").strip()
        if end < start:
            raise ValueError(f"第 {index} 个暂停的结束日期早于开始日期")
        if start < accepted_on:
            raise ValueError(f"第 {index} 个暂停开始于受理日期 {accepted_on} 之前")
        if finished_on is not None and end > finished_on:
            raise ValueError(f"第 {index} 个暂停结束于办结日期 {finished_on} 之后")
        if not reason:
            raise ValueError(f"第 {index} 个暂停缺少事由")
        if reason not in reasons:
            raise ValueError(
                f"第 {index} 个暂停的事由“{reason}”不在可选范围内（{'、'.join(sorted(reasons))}）"
            )
        pauses.append((start, end, reason))
    pauses.sort()
    for (s1, e1, _r1), (s2, _e2, _r2) in itertools.pairwise(pauses):
        if s2 < e1:
            raise ValueError(f"暂停 {s1}—{e1} 与下一个暂停（自 {s2}）重叠")
    decision = record.get("decision")
    if decision is not None and decision not in DECISION_WORDS:
        raise ValueError(f"决定“{decision}”应为“准予”“不予”或 null")
    if decision is not None and finished is None:
        raise ValueError("未办结的办件不应有决定")
    fee = record.get("fee_charged", False)
    if not isinstance(fee, bool):
        raise ValueError("fee_charged 应为 true 或 false")
    return _Record(
        line_no, number.strip(), item, accepted, finished, pauses, DECISION_WORDS.get(decision, ""), fee
    )


def _version_at(
    item: ServiceItem, moment: dt.datetime, versions: dict[int, list[ItemVersion]]
) -> ItemVersion:
    """The version in force when the case was accepted: the newest created by then, else the first one."""
    chain = versions[item.pk]
    earlier = [version for version in chain if version.created_at <= moment]
    return earlier[-1] if earlier else chain[0]


def import_cases(*, data: bytes, actor: Any = None, batch_size: int = 2000) -> CaseImportSummary:
    """Load cases from a JSON Lines file; nothing is written unless every line is valid. A case whose id was
    imported before is replaced by the file's record."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CaseImportError(["文件不是 UTF-8 编码的 JSON Lines 文本。"]) from None
    items = {item.code: item for item in ServiceItem.objects.select_related("organization")}
    if actor is not None and not actor.has_perm("govservice.add_servicecase"):
        raise PermissionDenied("您没有导入办件的权限。")
    reasons = set(rules.supervision()["pause_reasons"])
    errors: list[str] = []
    records: list[_Record] = []
    seen: dict[str, int] = {}
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = _parse(line_no, line, items, reasons)
        except ValueError as error:
            errors.append(f"第 {line_no} 行：{error}。")
            continue
        if record.number in seen:
            errors.append(f"第 {line_no} 行：办件编号“{record.number}”与第 {seen[record.number]} 行重复。")
            continue
        seen[record.number] = line_no
        if actor is not None and not _may_import_for(actor, record.item):
            errors.append(f"第 {line_no} 行：事项“{record.item.code}”不属于您的机构，不能导入其办件。")
            continue
        records.append(record)
    if not records and not errors:
        errors.append("文件中没有办件。")
    if errors:
        raise CaseImportError(errors)

    calendar = get_work_calendar()
    versions: dict[int, list[ItemVersion]] = defaultdict(list)
    for version in ItemVersion.objects.filter(item__in={r.item.pk for r in records}).order_by("number"):
        versions[version.item_id].append(version)
    summary_ = CaseImportSummary()
    with transaction.atomic():
        existing = set()
        numbers = [record.number for record in records]
        for offset in range(0, len(numbers), 5000):
            existing.update(
                ServiceCase.objects.filter(number__in=numbers[offset : offset + 5000]).values_list(
                    "number", flat=True
                )
            )
        if existing:
            doomed = list(existing)
            for offset in range(0, len(doomed), 5000):
                ServiceCase.objects.filter(number__in=doomed[offset : offset + 5000]).delete()
        cases_written: list[ServiceCase] = []
        for offset in range(0, len(records), batch_size):
            chunk = records[offset : offset + batch_size]
            cases = [_case_of(record, calendar, versions) for record in chunk]
            created = ServiceCase.objects.bulk_create(cases)
            cases_written.extend(created)
            CasePause.objects.bulk_create(
                CasePause(case=case, start_on=start, end_on=end, reason=reason)
                for case, record in zip(created, chunk, strict=True)
                for start, end, reason in record.pauses
            )
        summary_.replaced = len(existing)
        summary_.created = len(records) - len(existing)
        audit(
            actor=actor,
            action="govservice.case.import",
            detail={"created": summary_.created, "replaced": summary_.replaced},
        )
        fallback = sum(case.uses_fallback_calendar for case in cases_written)
    if fallback:
        summary_.warnings.append(
            f"{fallback} 件办件的期限跨越尚未导入节假日安排的年份，暂按周一至周五推算；导入该年安排后自动重算。"
        )
    return summary_


def _may_import_for(actor: Any, item: ServiceItem) -> bool:
    if actor.has_perm("govservice.manage_all_items"):
        return True
    org = getattr(actor, "organization", None)
    return org is not None and item.organization.path.startswith(org.path)


def _case_of(record: _Record, calendar: WorkCalendar, versions: dict[int, list[ItemVersion]]) -> ServiceCase:
    version = _version_at(record.item, record.accepted_at, versions)
    accepted_on = record.accepted_at.astimezone(SHANGHAI).date()
    finished_on = record.finished_at.astimezone(SHANGHAI).date() if record.finished_at else None
    case = ServiceCase(
        number=record.number,
        source=CaseSource.IMPORTED,
        item=record.item,
        version=version,
        organization=record.item.organization,
        accepted_at=record.accepted_at,
        accepted_on=accepted_on,
        finished_at=record.finished_at,
        finished_on=finished_on,
        decision=record.decision,
        fee_charged=record.fee_charged,
        fee_on_free_item=record.fee_charged and not version.charges,
        promised_days=version.promised_limit_days,
        legal_days=version.legal_limit_days,
    )
    _apply(
        case,
        derive(
            calendar,
            accepted_on=accepted_on,
            finished_on=finished_on,
            promised_days=version.promised_limit_days,
            legal_days=version.legal_limit_days,
            pauses=[(s, e) for s, e, _r in record.pauses],
        ),
        calendar.token,
    )
    return case


__all__ = [
    "CaseImportError",
    "FiguresError",
    "card_at",
    "derive",
    "import_cases",
    "refresh_cases",
    "summary",
    "supervision_figures",
    "write_xlsx",
]
