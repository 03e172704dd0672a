"""``zhengwu mailbox import FILE.jsonl``: letters from an old system, all or nothing.

One JSON object a line::

    {"id", "mailbox": "<code>", "received_at", "kind", "title", "body", "writer_name", "writer_phone",
     "public_consent": bool, "refused_reason": str | null, "unit": "<credit code>" | null,
     "replied_at": ... | null, "finished_at": ... | null, "rating": ... | null}

Every line is checked before anything is written; any error rejects the file with numbered messages (第N行：…).
Imported letters get tracking numbers of their receipt day, their limit from receipt on the core clock, and the
engine's columns (state, lead unit, reply, 办结, rating) so that figures count them like letters handled here.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from zhengwu.core.models import Organization
from zhengwu.core.models.dispatch import DispatchState, Rating
from zhengwu.core.services.audit import audit
from zhengwu.core.services.clock import ClockEngine, as_aware, local_date
from zhengwu.core.services.numbering import issue_tracking_numbers, tracking_prefix

from ..models import Letter, LetterOrigin, Mailbox, Screening
from .mailbox import reply_due

MAX_ERRORS = 50
FIELDS = {
    "id",
    "mailbox",
    "received_at",
    "kind",
    "title",
    "body",
    "writer_name",
    "writer_phone",
    "public_consent",
    "refused_reason",
    "unit",
    "replied_at",
    "finished_at",
    "rating",
}
REQUIRED = ("id", "mailbox", "received_at", "kind", "title", "body", "writer_name", "writer_phone")


class LetterImportError(ValidationError):
    """The file was rejected; ``line_errors`` holds ``(line number, message)`` pairs in file order."""

    def __init__(self, line_errors: list[tuple[int, str]]):
        self.line_errors = line_errors
        shown = [f"第{line}行：{message}" for line, message in line_errors[:MAX_ERRORS]]
        if len(line_errors) > MAX_ERRORS:
            shown.append(f"……另有 {len(line_errors) - MAX_ERRORS} 处错误未列出。")
        super().__init__(shown)


@dataclass
class LetterImportSummary:
    created: int
    refused: int
    replied: int
    finished: int


def _moment(value: Any, what: str) -> dt.datetime:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what}应为日期时间文本，如 2025-03-01T09:30:00+08:00。")
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{what}“{value}”不是有效的日期时间。") from None
    return as_aware(parsed)


def _check(data: Any, mailboxes: dict[str, Mailbox], units: dict[str, Organization], seen: set[str]) -> dict:
    if not isinstance(data, dict):
        raise ValueError("每行应为一个 JSON 对象。")
    unknown = set(data) - FIELDS
    if unknown:
        raise ValueError(f"无法识别的字段：{'、'.join(sorted(unknown))}。")
    missing = [f for f in REQUIRED if data.get(f) in (None, "")]
    if missing:
        raise ValueError(f"缺少字段：{'、'.join(missing)}。")
    ext = str(data["id"]).strip()
    if len(ext) > 64:
        raise ValueError("id 不能超过 64 个字符。")
    if ext in seen:
        raise ValueError(f"id“{ext}”在文件中重复。")
    seen.add(ext)
    mailbox = mailboxes.get(str(data["mailbox"]))
    if mailbox is None:
        raise ValueError(f"信箱代码“{data['mailbox']}”不存在。")
    if data["kind"] not in mailbox.kinds:
        raise ValueError(f"类型“{data['kind']}”不是{mailbox.name}受理的类型（{'、'.join(mailbox.kinds)}）。")
    for field, limit in (("title", 200), ("writer_name", 40), ("writer_phone", 30)):
        if not isinstance(data[field], str) or len(data[field]) > limit:
            raise ValueError(f"{field} 应为不超过 {limit} 个字的文本。")
    if not isinstance(data["body"], str):
        raise ValueError("body 应为文本。")
    consent = data.get("public_consent", False)
    if not isinstance(consent, bool):
        raise ValueError("public_consent 应为 true 或 false。")
    received = _moment(data["received_at"], "received_at")
    refused = data.get("refused_reason")
    if refused is not None and (not isinstance(refused, str) or not refused.strip()):
        raise ValueError("refused_reason 应为不予受理理由的文字或 null。")
    unit = None
    if data.get("unit") is not None:
        unit = units.get(str(data["unit"]).strip().upper())
        if unit is None:
            raise ValueError(f"找不到统一社会信用代码为“{data['unit']}”的单位。")
    replied = _moment(data["replied_at"], "replied_at") if data.get("replied_at") is not None else None
    finished = _moment(data["finished_at"], "finished_at") if data.get("finished_at") is not None else None
    rating = data.get("rating")
    if refused and (unit or replied or finished or rating):
        raise ValueError("不予受理的来信不能有承办单位、答复、办结或评价。")
    if replied and replied < received:
        raise ValueError("replied_at 不能早于 received_at。")
    if replied and unit is None:
        raise ValueError("已答复的来信须有承办单位（unit）。")
    if finished and replied is None:
        raise ValueError("已办结的来信须有答复时间（replied_at）。")
    if finished and finished < replied:
        raise ValueError("finished_at 不能早于 replied_at。")
    if rating is not None and rating not in Rating.values:
        raise ValueError("rating 应为满意、基本满意、不满意或 null。")
    if rating is not None and replied is None:
        raise ValueError("未答复的来信不能有评价。")
    return {
        "external_id": ext,
        "mailbox": mailbox,
        "received_at": received,
        "kind": data["kind"],
        "title": data["title"].strip(),
        "body": data["body"].strip(),
        "writer_name": data["writer_name"].strip(),
        "writer_phone": data["writer_phone"].strip(),
        "public_consent": consent,
        "refused": (refused or "").strip(),
        "unit": unit,
        "replied_at": replied,
        "finished_at": finished,
        "rating": rating or "",
    }


def import_letters(lines: list[str], *, actor: Any = None) -> LetterImportSummary:
    mailboxes = {m.code: m for m in Mailbox.objects.all()}
    units = {o.credit_code: o for o in Organization.objects.exclude(credit_code="")}
    errors: list[tuple[int, str]] = []
    rows: list[dict] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rows.append(_check(json.loads(line), mailboxes, units, seen))
        except json.JSONDecodeError as exc:
            errors.append((number, f"不是有效的 JSON（第{exc.colno}列：{exc.msg}）。"))
        except ValueError as exc:
            errors.append((number, str(exc)))
    existing = set(
        Letter.objects.filter(external_id__in=[r["external_id"] for r in rows]).values_list(
            "external_id", flat=True
        )
    )
    if existing:
        for number, line in enumerate(lines, start=1):
            try:
                ext = str(json.loads(line).get("id", "")).strip()
            except (json.JSONDecodeError, AttributeError):
                continue
            if ext in existing:
                errors.append((number, f"id“{ext}”已导入过。"))
        errors.sort()
    if not rows and not errors:
        errors.append((1, "文件中没有来信。"))
    if errors:
        raise LetterImportError(errors)
    with transaction.atomic():
        counts: dict[dt.date, int] = {}
        for row in rows:
            day = local_date(row["received_at"])
            counts[day] = counts.get(day, 0) + 1
        numbers = issue_tracking_numbers(prefix=tracking_prefix("mailbox", default="XX"), counts=counts)
        clock = ClockEngine()
        letters = []
        for row in rows:
            mailbox, unit = row["mailbox"], row["unit"]
            if row["refused"]:
                screening, state = Screening.REFUSED, DispatchState.PENDING
            elif row["finished_at"]:
                screening, state = Screening.VALID, DispatchState.FINISHED
            elif row["replied_at"]:
                screening, state = Screening.VALID, DispatchState.CALLBACK
            else:
                screening, state = Screening.VALID, DispatchState.HANDLING if unit else DispatchState.PENDING
            due = reply_due(mailbox, row["kind"], row["received_at"], clock=clock)
            letters.append(
                Letter(
                    mailbox=mailbox,
                    tracking_number=numbers[local_date(row["received_at"])].pop(0),
                    external_id=row["external_id"],
                    origin=LetterOrigin.IMPORT,
                    received_at=row["received_at"],
                    kind=row["kind"],
                    title=row["title"],
                    body=row["body"],
                    writer_name=row["writer_name"],
                    writer_phone=row["writer_phone"],
                    public_consent=row["public_consent"],
                    screening=screening,
                    refusal_text=row["refused"],
                    reply_due_at=due,
                    dispatch_state=state,
                    lead_unit=unit,
                    replied_at=row["replied_at"],
                    released_at=row["replied_at"],
                    finished_at=row["finished_at"],
                    finished_on_time=(row["replied_at"] <= due) if row["finished_at"] else None,
                    last_rating=row["rating"],
                    visit_count=1 if row["rating"] else 0,
                    rated_at=row["finished_at"] if row["rating"] else None,
                )
            )
        Letter.objects.bulk_create(letters, batch_size=1000)
        summary = LetterImportSummary(
            created=len(letters),
            refused=sum(1 for r in rows if r["refused"]),
            replied=sum(1 for r in rows if r["replied_at"]),
            finished=sum(1 for r in rows if r["finished_at"]),
        )
        audit(actor=actor, action="interaction.letter.import", detail=summary.__dict__)
    return summary


def import_letters_file(*, path: Path, actor: Any = None) -> LetterImportSummary:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationError(f"无法读取 {path}：{exc.strerror}") from exc
    except UnicodeDecodeError:
        raise ValidationError(f"{path} 不是 UTF-8 编码的文本文件。") from None
    return import_letters(text.splitlines(), actor=actor)
