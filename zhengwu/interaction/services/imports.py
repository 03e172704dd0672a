"""History import of 12345 work orders from an old system: one JSON object per line (see the README's format).

The whole file is checked first; any bad line rejects the file with every problem listed by line number, and
nothing is written. A valid file is written in one transaction. For each order the current lead assignment is the
lead that was not returned; the 签收 due moment of every assignment runs from its ``dispatched_at`` and the 办理
due moment of the order from the current lead's ``dispatched_at`` plus the approved extensions, both computed by
the core clock engine with the limits in force (``DispatchLimit`` → ``ClockPolicy``), and stored with whether the
order was signed and finished on time. Categories not yet in the tree are added to it, marked as imported.
Imported orders carry no live clocks: their clock columns are the record.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zhengwu.core.models import Assignment, Callback, ClockPolicy, ExtensionRequest, Organization
from zhengwu.core.models.dispatch import (
    AssignmentRole,
    AssignmentState,
    DispatchStage,
    DispatchState,
    ExtensionState,
    Rating,
)
from zhengwu.core.selectors.calendar import get_work_calendar
from zhengwu.core.services.audit import audit
from zhengwu.core.services.bulk import insert_rows
from zhengwu.core.services.clock import ClockEngine, ClockInputs, ExtensionSpan, local_date
from zhengwu.core.services.dispatch import resolve_limit
from zhengwu.core.services.numbering import issue_tracking_numbers, tracking_prefix

from ..models import Category, Channel, Origin, Outcome, RequestKind, Urgency, WorkOrder
from .categories import ensure_category_path, split_path
from .intake import DEFAULT_PREFIX, MAX_CONTENT, TRACKING_KIND

MAX_ERRORS = 500
KEYS = {
    "id",
    "received_at",
    "channel",
    "kind",
    "urgency",
    "category",
    "caller_name",
    "caller_phone",
    "content",
    "outcome",
    "assignments",
    "extensions",
    "replied_at",
    "finished_at",
    "visits",
}
REQUIRED = {"id", "received_at", "channel", "kind", "urgency", "category", "content", "outcome"}
ROLES = {"主办": AssignmentRole.LEAD.value, "协办": AssignmentRole.ASSIST.value}
OUTCOMES = {Outcome.DIRECT.value, Outcome.DISPATCH.value, Outcome.INVALID.value}
# Plain strings, computed once: enum lookups per line were a large share of a million-line import.
CHOICES = {
    "channel": tuple(Channel.values),
    "kind": tuple(RequestKind.values),
    "urgency": tuple(Urgency.values),
}
RATINGS = frozenset(Rating.values)
DISPATCH, LEAD = Outcome.DISPATCH.value, AssignmentRole.LEAD.value
STATES = {name: member.value for name, member in AssignmentState.__members__.items()}
CASE_STATES = {name: member.value for name, member in DispatchState.__members__.items()}
SIGN, HANDLE = DispatchStage.SIGN.value, DispatchStage.HANDLE.value


@lru_cache(maxsize=4096)
def _path(text: str) -> str:
    return "/".join(split_path(text))


class OrderImportError(ValidationError):
    """The file was rejected; ``line_errors`` holds ``(line number, message)`` pairs, in file order."""

    def __init__(self, line_errors: list[tuple[int, str]], total_lines: int):
        self.line_errors = line_errors
        self.total_lines = total_lines
        shown = [f"第{line}行：{message}" for line, message in line_errors[:MAX_ERRORS]]
        if len(line_errors) > MAX_ERRORS:
            shown.append(f"……另有 {len(line_errors) - MAX_ERRORS} 处错误未列出。")
        super().__init__(shown)


@dataclass
class ImportSummary:
    created: int
    orders: int
    finished: int
    categories_added: int


@dataclass
class _Assignment:
    unit: Organization
    role: str
    dispatched_at: dt.datetime
    signed_at: dt.datetime | None
    returned_at: dt.datetime | None
    return_reason: str


@dataclass
class _Row:
    line: int
    data: dict[str, Any]
    received_at: dt.datetime
    assignments: list[_Assignment] = field(default_factory=list)
    extensions: list[tuple[int, dt.datetime]] = field(default_factory=list)
    visits: list[tuple[dt.datetime, str]] = field(default_factory=list)
    replied_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    tracking_number: str = ""

    @property
    def lead(self) -> _Assignment | None:
        for assignment in self.assignments:
            if assignment.role == LEAD and assignment.returned_at is None:
                return assignment
        return None


def _moment(value: Any, what: str, *, nullable: bool = False) -> dt.datetime | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{what}应为带时区的 ISO 8601 时间，如“2026-03-02T09:15:00+08:00”")
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{what}“{value}”不是有效的 ISO 8601 时间") from None
    if moment.tzinfo is None:
        raise ValueError(f"{what}“{value}”缺少时区（如 +08:00）")
    return moment


def _text(data: dict[str, Any], key: str, *, limit: int, required: bool = False) -> str:
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{key} 应为字符串")
    value = value.strip()
    if required and not value:
        raise ValueError(f"缺少 {key}")
    if len(value) > limit:
        raise ValueError(f"{key} 超过 {limit} 个字符")
    return value


def _parse_line(number: int, text: str, units: dict[str, Organization]) -> _Row:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"不是有效的 JSON（{exc.msg}，第{exc.colno}列）") from None
    if not isinstance(data, dict):
        raise ValueError("每行应为一个 JSON 对象")
    missing = sorted(REQUIRED - set(data))
    if missing:
        raise ValueError(f"缺少字段：{'、'.join(missing)}")
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise ValueError(f"无法识别的字段：{'、'.join(unknown)}")
    problems: list[str] = []
    legacy_id = data["id"]
    if not isinstance(legacy_id, str | int) or isinstance(legacy_id, bool) or not str(legacy_id).strip():
        problems.append("id 应为非空字符串")
    elif len(str(legacy_id)) > 64:
        problems.append("id 超过 64 个字符")
    received = None
    try:
        received = _moment(data["received_at"], "received_at")
    except ValueError as exc:
        problems.append(str(exc))
    for key, allowed in CHOICES.items():
        if data[key] not in allowed:
            problems.append(f"{key}“{data[key]}”无效，应为{'、'.join(allowed)}之一")
    if data["outcome"] not in OUTCOMES:
        problems.append(f"outcome“{data['outcome']}”无效，应为直接答复、派单或无效")
    if not isinstance(data["category"], str):
        problems.append("category 应为用“/”分隔的分类路径")
    else:
        try:
            _path(data["category"])
        except ValidationError as exc:
            problems.append(exc.messages[0])
    for key, limit, required in (
        ("caller_name", 60, False),
        ("caller_phone", 30, False),
        ("content", MAX_CONTENT, True),
    ):
        try:
            _text(data, key, limit=limit, required=required)
        except ValueError as exc:
            problems.append(str(exc))
    if problems or received is None:
        raise ValueError("；".join(problems))
    row = _Row(line=number, data=data, received_at=received)

    assignments = data.get("assignments") or []
    if not isinstance(assignments, list):
        raise ValueError("assignments 应为列表")
    if assignments and data["outcome"] != Outcome.DISPATCH:
        problems.append(f"outcome 为“{data['outcome']}”的工单不应有派单记录")
    for index, item in enumerate(assignments, start=1):
        where = f"assignments 第{index}项"
        if not isinstance(item, dict):
            problems.append(f"{where}应为对象")
            continue
        extra = sorted(
            set(item) - {"unit", "role", "dispatched_at", "signed_at", "returned_at", "return_reason"}
        )
        if extra:
            problems.append(f"{where}有无法识别的字段：{'、'.join(extra)}")
            continue
        unit = units.get(str(item.get("unit") or "").strip().upper())
        if unit is None:
            problems.append(f"{where}的单位“{item.get('unit')}”不存在（请先用 zhengwu org import 导入机构）")
        role = ROLES.get(item.get("role"))
        if role is None:
            problems.append(f"{where}的 role 应为“主办”或“协办”")
        try:
            dispatched = _moment(item.get("dispatched_at"), f"{where}的 dispatched_at")
            signed = _moment(item.get("signed_at"), f"{where}的 signed_at", nullable=True)
            returned = _moment(item.get("returned_at"), f"{where}的 returned_at", nullable=True)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        reason = item.get("return_reason") or ""
        if not isinstance(reason, str):
            problems.append(f"{where}的 return_reason 应为字符串")
            continue
        if dispatched < received:
            problems.append(f"{where}的派单时间早于受理时间")
        if signed is not None and signed < dispatched:
            problems.append(f"{where}的签收时间早于派单时间")
        if returned is not None and returned < dispatched:
            problems.append(f"{where}的退单时间早于派单时间")
        if returned is not None and not reason.strip():
            problems.append(f"{where}已退单，缺少 return_reason")
        if returned is None and reason.strip():
            problems.append(f"{where}没有 returned_at，却有 return_reason")
        if unit is not None and role is not None:
            row.assignments.append(
                _Assignment(unit, role, dispatched, signed, returned, reason.strip()[:500])
            )
    leads = [a for a in row.assignments if a.role == LEAD and a.returned_at is None]
    if len(leads) > 1:
        problems.append("有多个未退单的主办单位（当前主办单位只能有一个）")

    extensions = data.get("extensions") or []
    if not isinstance(extensions, list):
        problems.append("extensions 应为列表")
        extensions = []
    for index, item in enumerate(extensions, start=1):
        where = f"extensions 第{index}项"
        days = item.get("working_days") if isinstance(item, dict) else None
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 60:
            problems.append(f"{where}的 working_days 应为 1 至 60 的整数")
            continue
        try:
            approved = _moment(item.get("approved_at"), f"{where}的 approved_at")
        except ValueError as exc:
            problems.append(str(exc))
            continue
        if not leads:
            problems.append(f"{where}：没有未退单的主办单位，不能有延期")
        elif approved < leads[0].dispatched_at:
            problems.append(f"{where}的批准时间早于主办单位的派单时间")
        row.extensions.append((days, approved))

    try:
        row.replied_at = _moment(data.get("replied_at"), "replied_at", nullable=True)
        row.finished_at = _moment(data.get("finished_at"), "finished_at", nullable=True)
    except ValueError as exc:
        problems.append(str(exc))
    for moment, key in ((row.replied_at, "replied_at"), (row.finished_at, "finished_at")):
        if moment is not None and moment < received:
            problems.append(f"{key} 早于受理时间")
    if data["outcome"] == Outcome.DISPATCH and row.finished_at is not None and not leads:
        problems.append("已办结的派单工单须有一个未退单的主办单位")

    visits = data.get("visits") or []
    if not isinstance(visits, list):
        problems.append("visits 应为列表")
        visits = []
    for index, item in enumerate(visits, start=1):
        where = f"visits 第{index}项"
        if not isinstance(item, dict) or item.get("rating") not in RATINGS:
            problems.append(f"{where}的 rating 应为满意、基本满意或不满意")
            continue
        try:
            at = _moment(item.get("at"), f"{where}的 at")
        except ValueError as exc:
            problems.append(str(exc))
            continue
        row.visits.append((at, item["rating"]))
    if row.visits and data["outcome"] != Outcome.DISPATCH:
        problems.append("只有派单工单可以有回访记录")
    row.visits.sort(key=lambda visit: visit[0])
    if problems:
        raise ValueError("；".join(problems))
    return row


def check_lines(lines: Iterable[str]) -> list[_Row]:
    units = {
        o.credit_code: o for o in Organization.objects.exclude(credit_code__isnull=True) if o.credit_code
    }
    rows: list[_Row] = []
    errors: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    total = 0
    for number, text in enumerate(lines, start=1):
        total = number
        if not text.strip():
            continue
        try:
            row = _parse_line(number, text, units)
        except ValueError as exc:
            errors.append((number, str(exc)))
            continue
        legacy = str(row.data["id"]).strip()
        if legacy in seen:
            errors.append((number, f"id“{legacy}”与第{seen[legacy]}行重复"))
            continue
        seen[legacy] = number
        rows.append(row)
    if seen:
        existing = set()
        ids = list(seen)
        for index in range(0, len(ids), 5000):
            existing.update(
                WorkOrder.objects.filter(external_id__in=ids[index : index + 5000]).values_list(
                    "external_id", flat=True
                )
            )
        for legacy in sorted(existing, key=seen.get):
            errors.append((seen[legacy], f"id“{legacy}”已导入过"))
    if not rows and not errors:
        errors.append((0, "文件中没有工单"))
    if errors:
        errors.sort(key=lambda item: item[0])
        raise OrderImportError(errors, total)
    return rows


class _Limits:
    """签收 and 办理 rules per (urgency, kind), resolved once."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str, str], ClockPolicy] = {}

    def policy(self, stage: str, urgency: str, kind: str) -> ClockPolicy:
        key = (stage, urgency, kind)
        if key not in self._cache:
            self._cache[key] = resolve_limit("hotline", stage, urgency, kind)
        return self._cache[key]


class _Dues:
    """Due moments from the core clock engine, memoised by what determines them."""

    def __init__(self) -> None:
        self.engine = ClockEngine(get_work_calendar())
        self._cache: dict[tuple, dt.datetime] = {}

    def due(self, policy: ClockPolicy, start: dt.datetime, extensions: tuple[int, ...] = ()) -> dt.datetime:
        point = start if policy.limit_unit == "hours" else local_date(start)
        key = (policy.pk, point, extensions)
        due = self._cache.get(key)
        if due is None:
            spans = tuple(ExtensionSpan(days, "原系统记录的延期", "原系统", start) for days in extensions)
            due = self.engine.compute(
                ClockInputs(
                    start, policy.limit_value, policy.limit_unit, policy.warn_before, extensions=spans
                )
            ).due_at
            self._cache[key] = due
        return due


@transaction.atomic
def _write(rows: list[_Row], *, actor: Any, source: str) -> ImportSummary:
    before = Category.objects.count()
    categories: dict[str, Category] = {c.path: c for c in Category.objects.all()}
    for row in rows:
        path = _path(row.data["category"])
        if path not in categories:
            ensure_category_path(path, imported=True, cache=categories)
    prefix = tracking_prefix(TRACKING_KIND, default=DEFAULT_PREFIX)
    by_day: dict[dt.date, list[_Row]] = defaultdict(list)
    for row in rows:
        by_day[local_date(row.received_at)].append(row)
    numbers = issue_tracking_numbers(prefix=prefix, counts={day: len(group) for day, group in by_day.items()})
    for day, group in by_day.items():
        for row, number in zip(group, numbers[day], strict=True):
            row.tracking_number = number

    limits, dues = _Limits(), _Dues()
    stamp = timezone.now()
    order_rows = []
    for row in rows:
        data = row.data
        lead = row.lead if data["outcome"] == DISPATCH else None
        values: dict[str, Any] = {
            "tracking_number": row.tracking_number,
            "external_id": str(data["id"]).strip(),
            "origin": Origin.IMPORT.value,
            "received_at": row.received_at,
            "channel": data["channel"],
            "kind": data["kind"],
            "urgency": data["urgency"],
            "category_id": categories[_path(data["category"])].pk,
            "caller_name": (data.get("caller_name") or "").strip(),
            "caller_phone": (data.get("caller_phone") or "").strip(),
            "content": data["content"].strip(),
            "outcome": data["outcome"],
            "replied_at": row.replied_at,
            "finished_at": row.finished_at,
            "visit_count": len(row.visits),
            "last_rating": row.visits[-1][1] if row.visits else "",
            "extended_workdays": sum(days for days, _ in row.extensions),
            "updated_at": stamp,
        }
        if data["outcome"] == Outcome.DISPATCH:
            if lead is not None:
                sign_due = dues.due(
                    limits.policy(DispatchStage.SIGN, data["urgency"], data["kind"]), lead.dispatched_at
                )
                handle_due = dues.due(
                    limits.policy(DispatchStage.HANDLE, data["urgency"], data["kind"]),
                    lead.dispatched_at,
                    tuple(days for days, _ in row.extensions),
                )
                values.update(
                    lead_unit_id=lead.unit.pk,
                    lead_dispatched_at=lead.dispatched_at,
                    lead_signed_at=lead.signed_at,
                    lead_signed_on_time=(lead.signed_at <= sign_due) if lead.signed_at else None,
                    handle_due_at=handle_due,
                    finished_on_time=(row.finished_at <= handle_due) if row.finished_at else None,
                )
            if row.finished_at is not None:
                state = CASE_STATES["FINISHED"]
            elif lead is None:
                state = CASE_STATES["PENDING"]
            elif row.replied_at:
                state = CASE_STATES["CALLBACK"]
            else:
                state = CASE_STATES["HANDLING"]
        else:
            state = CASE_STATES["FINISHED"]
            values["finished_at"] = row.finished_at or row.received_at
        values["dispatch_state"] = state
        order_rows.append(values)
    insert_rows(WorkOrder, order_rows)
    ids = dict(
        WorkOrder.objects.filter(origin=Origin.IMPORT, updated_at=stamp).values_list("external_id", "pk")
    )
    content_type = ContentType.objects.get_for_model(WorkOrder)
    assignment_rows = []
    callback_rows = []
    for row in rows:
        order_id = ids[str(row.data["id"]).strip()]
        current_lead = row.lead
        for item in row.assignments:
            sign_due = dues.due(
                limits.policy(SIGN, row.data["urgency"], row.data["kind"]), item.dispatched_at
            )
            if item.returned_at is not None:
                state = STATES["RETURNED"]
            elif row.finished_at is not None:
                state = STATES["CLOSED"]
            elif item.signed_at is not None:
                state = STATES["SIGNED"]
            else:
                state = STATES["DISPATCHED"]
            assignment_rows.append(
                {
                    "content_type_id": content_type.pk,
                    "object_id": order_id,
                    "organization_id": item.unit.pk,
                    "role": item.role,
                    "state": state,
                    "dispatched_at": item.dispatched_at,
                    "sign_due_at": sign_due,
                    "signed_at": item.signed_at,
                    "signed_on_time": (item.signed_at <= sign_due) if item.signed_at else None,
                    "return_reason": item.return_reason,
                    "return_requested_at": item.returned_at,
                    "returned_at": item.returned_at,
                    "created_at": stamp,
                    "_lead": item is current_lead,
                }
            )
        for at, rating in row.visits:
            callback_rows.append(
                {
                    "content_type_id": content_type.pk,
                    "object_id": order_id,
                    "at": at,
                    "rating": rating,
                    "note": "原系统记录",
                }
            )
    lead_rows = {(r["object_id"]) for r in assignment_rows if r.pop("_lead")}
    insert_rows(Assignment, assignment_rows)
    insert_rows(Callback, callback_rows)
    extension_rows = []
    wanted = [row for row in rows if row.extensions]
    if wanted:
        lead_ids = dict(
            Assignment.objects.filter(
                content_type=content_type,
                object_id__in=[ids[str(r.data["id"]).strip()] for r in wanted],
                role=AssignmentRole.LEAD,
                returned_at__isnull=True,
            ).values_list("object_id", "pk")
        )
        for row in wanted:
            order_id = ids[str(row.data["id"]).strip()]
            for days, approved in row.extensions:
                extension_rows.append(
                    {
                        "content_type_id": content_type.pk,
                        "object_id": order_id,
                        "assignment_id": lead_ids[order_id],
                        "workdays": days,
                        "reason": "原系统记录的延期",
                        "requested_at": approved,
                        "state": ExtensionState.APPROVED.value,
                        "decided_at": approved,
                    }
                )
        insert_rows(ExtensionRequest, extension_rows)
    del lead_rows
    summary = ImportSummary(
        created=len(rows),
        orders=sum(1 for r in rows if r.data["outcome"] == Outcome.DISPATCH),
        finished=sum(1 for r in rows if r.data["outcome"] == Outcome.DISPATCH and r.finished_at),
        categories_added=Category.objects.count() - before,
    )
    audit(
        actor=actor,
        action="interaction.hotline.import",
        detail={"source": source, "created": summary.created, "categories_added": summary.categories_added},
    )
    return summary


def import_orders(*, lines: Iterable[str], actor: Any = None, source: str = "") -> ImportSummary:
    """Check the whole file, then write it in one transaction; raise :class:`OrderImportError` otherwise."""
    rows = check_lines(lines)
    return _write(rows, actor=actor, source=source)


def import_orders_file(*, path: Path | str, actor: Any = None) -> ImportSummary:
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig") as handle:
            lines = handle.read().splitlines()
    except OSError as exc:
        raise ValidationError(f"无法读取文件 {path.name}：{exc.strerror}") from exc
    except UnicodeDecodeError:
        raise ValidationError(f"文件 {path.name} 不是 UTF-8 编码。") from None
    return import_orders(lines=lines, actor=actor, source=path.name)
