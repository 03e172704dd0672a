"""Import of the 事项清单 from .xlsx: one row per item, columns recognised by their titles (``rules/import_columns.json``).

All-or-nothing: every row is checked, each problem reported as “第 N 行：…”, and nothing is written unless the whole
file is valid. A row whose 事项编码 exists changes that item (a new version when anything changed); elements the
sheet has no column for keep their current value, and an item still lacking them (设定依据, 办理时间) is left for its
department to complete — the summary counts them.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from zhengwu.core.models import Organization
from zhengwu.core.services.audit import audit

from .. import rules
from ..models import CaseKind, ServiceItem
from .items import (
    ItemData,
    MaterialData,
    create_item,
    data_from_version,
    normalize,
    update_item,
    validation_errors,
)

CASE_KIND_WORDS = {
    "即办件": CaseKind.INSTANT,
    "即办": CaseKind.INSTANT,
    "承诺件": CaseKind.PROMISED,
    "承诺": CaseKind.PROMISED,
}
YES = {"是", "收费", "y", "yes", "1", "true"}
NO = {"否", "不收费", "免费", "n", "no", "0", "false"}
MATERIAL_LINE = re.compile(r"^\s*(?:\d+\s*[.、．)）]|[（(]\d+[)）]|[•·\-])\s*")
PENDING_ELEMENTS = frozenset({"basis", "hours"})


class ItemImportError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ImportSummary:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    incomplete: list[str] = field(default_factory=list)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value).strip()


def _header_key(title: str) -> str:
    title = re.sub(
        r"[（(][^）)]*[）)]", "", title
    )  # “实施机关（统一社会信用代码）”, “法定办结时限（工作日）”
    return re.sub(r"[\s*＊:：]", "", title)


def _read_rows(data: bytes) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # zip and xml errors of a file that is not a workbook
        raise ItemImportError([f"无法读取文件：不是有效的 .xlsx 表格（{type(error).__name__}）。"]) from None
    sheet = workbook.worksheets[0]
    rows = [(number, list(row)) for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)]
    workbook.close()
    return rows


def _locate_header(rows: list[tuple[int, list[Any]]]) -> tuple[int, dict[int, str]]:
    titles: dict[str, str] = {}
    for column in rules.import_columns():
        for title in [column["title"], *column["aliases"]]:
            titles[_header_key(title)] = column["key"]
    scan = rules.header_scan_rows()
    for number, row in rows[:scan]:
        known = {
            i: titles[_header_key(_cell(v))] for i, v in enumerate(row) if _header_key(_cell(v)) in titles
        }
        if len(set(known.values())) >= 3:
            return number, known
    raise ItemImportError([f"前 {scan} 行中找不到表头（应含“事项编码”“事项名称”“事项类型”等列）。"])


def _integer(text: str, label: str, problems: list[str]) -> int | None:
    text = re.sub(r"\s*(个)?工作日$", "", text)
    if not text:
        problems.append(f"{label}为空（应为整数，即办件填 0）")
        return None
    if not re.fullmatch(r"\d{1,4}", text):
        problems.append(f"{label}“{text}”不是整数")
        return None
    return int(text)


def _materials(text: str) -> list[MaterialData]:
    lines = [MATERIAL_LINE.sub("", line).strip() for line in re.split(r"[\r\n]+", text)]
    return [MaterialData(name=line) for line in lines if line]


def _flatten(errors: dict[str, list[str]]) -> list[str]:
    return [message for messages in errors.values() for message in messages]


def _row_data(values: dict[str, str], orgs: dict[str, Organization], problems: list[str]) -> ItemData | None:
    credit = values["organization"].upper()
    organization = orgs.get(credit)
    if not credit:
        problems.append("实施机关为空（应填统一社会信用代码）")
    elif organization is None:
        problems.append(f"实施机关统一社会信用代码“{credit}”不是本县在用机构")
    legal = _integer(values["legal_limit_days"], "法定办结时限", problems)
    promised = _integer(values["promised_limit_days"], "承诺办结时限", problems)
    visits = _integer(values["onsite_visits"], "到现场次数", problems)
    case_kind = CASE_KIND_WORDS.get(values["case_kind"])
    if case_kind is None:
        problems.append(f"办件类型“{values['case_kind']}”应为即办件或承诺件")
    charge_word = values["charges"].lower()
    if charge_word not in YES | NO:
        problems.append(f"是否收费“{values['charges']}”应为是或否")
    code = values["code"]
    existing = (
        ServiceItem.objects.filter(code=code).select_related("current_version").first() if code else None
    )
    if existing is not None and existing.current_version is not None:
        data = data_from_version(existing.current_version)
    else:
        data = ItemData(
            code=code,
            organization=organization,
            name="",
            item_type="",
            competent_department=organization.name if organization else "",
            basis="",
            legal_limit_days=None,
            promised_limit_days=None,
            case_kind=CaseKind.PROMISED,
            onsite_visits=None,
            conditions="",
            place="",
            hours="",
            consult_phone="",
        )
    data.code = code
    data.organization = organization
    data.name = values["name"]
    data.item_type = values["item_type"]
    data.legal_limit_days, data.promised_limit_days, data.onsite_visits = legal, promised, visits
    data.case_kind = case_kind or ""
    data.charges = charge_word in YES
    data.conditions, data.place, data.consult_phone = (
        values["conditions"],
        values["place"],
        values["consult_phone"],
    )
    data.materials = _keep_attachments(_materials(values["materials"]), data.materials)
    for key in ("basis", "competent_department", "hours", "complaint_phone", "fee_standard", "fee_basis"):
        if values.get(key):
            setattr(data, key, values[key])
    data.note = "导入事项清单"
    return data


def _keep_attachments(new: list[MaterialData], old: list[MaterialData]) -> list[MaterialData]:
    """A material the sheet still lists keeps its blank form, sample and details."""
    by_name = {m.name: m for m in old}
    return [by_name.get(m.name, m) for m in new]


def parse(data: bytes) -> list[tuple[int, ItemData]]:
    """The rows of the sheet as item data; raises :class:`ItemImportError` listing every bad row."""
    rows = _read_rows(data)
    header_row, columns = _locate_header(rows)
    present = set(columns.values())
    missing = [c["title"] for c in rules.import_columns() if c["required"] and c["key"] not in present]
    if missing:
        raise ItemImportError([f"第 {header_row} 行（表头）：缺少列 {'、'.join(missing)}。"])
    orgs = {
        o.credit_code.upper(): o for o in Organization.objects.filter(is_active=True).exclude(credit_code="")
    }
    errors: list[str] = []
    parsed: list[tuple[int, ItemData]] = []
    seen_codes: dict[str, int] = {}
    for number, row in rows:
        if number <= header_row:
            continue
        values = {key: _cell(row[i]) if i < len(row) else "" for i, key in columns.items()}
        if not any(values.values()):
            continue
        problems: list[str] = []
        item_data = normalize(_row_data(values, orgs, problems))
        code = item_data.code
        if code and code in seen_codes:
            problems.append(f"事项编码“{code}”与第 {seen_codes[code]} 行重复")
        elif code:
            seen_codes[code] = number
        existing = ServiceItem.objects.filter(code=code).first() if code else None
        if item_data.organization is not None and None not in (
            item_data.legal_limit_days,
            item_data.promised_limit_days,
            item_data.onsite_visits,
        ):
            problems.extend(_flatten(validation_errors(item_data, item=existing, pending=PENDING_ELEMENTS)))
        if problems:
            errors.append(f"第 {number} 行：" + "；".join(p.rstrip("。") for p in problems) + "。")
        else:
            parsed.append((number, item_data))
    if errors:
        raise ItemImportError(errors)
    if not parsed:
        raise ItemImportError(["表中没有事项行。"])
    return parsed


def import_xlsx(*, data: bytes, actor: Any = None) -> ImportSummary:
    parsed = parse(data)
    summary = ImportSummary()
    with transaction.atomic():
        for number, item_data in parsed:
            item = ServiceItem.objects.filter(code=item_data.code).first()
            try:
                if item is None:
                    item = create_item(actor=actor, data=item_data, pending=PENDING_ELEMENTS)
                    summary.created += 1
                else:
                    before = item.current_version_id
                    item = update_item(actor=actor, item=item, data=item_data, pending=PENDING_ELEMENTS)
                    if item.current_version_id != before:
                        summary.changed += 1
                    else:
                        summary.unchanged += 1
            except ValidationError as error:
                raise ItemImportError([f"第 {number} 行：" + "；".join(error.messages)]) from None
            version = item.current_version
            if not (version.basis and version.hours):
                summary.incomplete.append(item.code)
        audit(
            actor=actor,
            action="govservice.item.import",
            detail={"created": summary.created, "changed": summary.changed, "unchanged": summary.unchanged},
        )
    return summary
