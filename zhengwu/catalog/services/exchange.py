"""Import and export of the catalogue: the .xlsx counties exchange (columns in the order of ``rules/exchange.json``,
one row per 信息项) and JSON (one exchange record per resource, as :func:`resource_record` writes it).

An import is all-or-nothing: every row is checked, each problem is reported with its row number, and nothing is
written unless the whole file is valid. Columns are recognised by their titles (or the usual variants other
counties use), not by position; a column the rules do not know is kept as extension metadata.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhengwu.core.models import Organization
from zhengwu.core.services.audit import audit
from zhengwu.core.spreadsheets import save_workbook

from .. import rules
from ..models import Resource, ResourceClass, ShareType
from .resources import ItemData, ResourceData, create_resource, normalize, update_resource, validation_errors

SHARE_TYPE_WORDS = {
    "无条件共享": ShareType.UNCONDITIONAL,
    "无条件": ShareType.UNCONDITIONAL,
    "有条件共享": ShareType.CONDITIONAL,
    "有条件": ShareType.CONDITIONAL,
    "不予共享": ShareType.NONE,
    "不予": ShareType.NONE,
    "不共享": ShareType.NONE,
}
YES_WORDS = {"是", "开放", "向社会开放", "无条件开放", "有条件开放", "y", "yes", "true", "1"}
NO_WORDS = {"否", "不开放", "不予开放", "不向社会开放", "n", "no", "false", "0"}
SEGMENT_WIDTHS = {"class_code": 1, "item_code": 2, "subitem_code": 3}
CODE_SPLIT = re.compile(r"[；;，,、\s]+")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
HEADER_SCAN_ROWS = 10


class CatalogImportError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class _Group:
    row: int
    values: dict[str, Any]
    extension: dict[str, str]
    items: list[tuple[int, str, str]] = field(default_factory=list)


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    codes: list[str] = field(default_factory=list)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _header_key(title: str) -> str:
    return re.sub(r"[\s*＊:：]", "", title)


def _title_map() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for column in rules.exchange_columns():
        for title in [column["title"], *column.get("aliases", [])]:
            mapping[_header_key(title)] = column["key"]
    return mapping


def _read_rows(data: bytes) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError, Exception) as error:  # zip, xml errors
        raise CatalogImportError(
            [f"无法读取文件：不是有效的 .xlsx 表格（{type(error).__name__}）。"]
        ) from None
    sheet_name = rules.load("exchange")["sheet_name"]
    sheet = workbook[sheet_name] if sheet_name in workbook.sheetnames else workbook.worksheets[0]
    rows = [(number, list(row)) for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)]
    workbook.close()
    return rows


def _locate_header(rows: list[tuple[int, list[Any]]]) -> tuple[int, dict[int, str], dict[int, str]]:
    """(header row number, column index → key, column index → extension title)."""
    titles = _title_map()
    for number, row in rows[:HEADER_SCAN_ROWS]:
        known = {
            i: titles[_header_key(_cell(v))] for i, v in enumerate(row) if _header_key(_cell(v)) in titles
        }
        if len(set(known.values())) >= 3:
            extra = {i: _cell(v) for i, v in enumerate(row) if i not in known and _cell(v)}
            return number, known, extra
    raise CatalogImportError(
        [f"前 {HEADER_SCAN_ROWS} 行中找不到表头（应含“信息资源名称”“信息项名称”“共享类型”等列）。"]
    )


def _groups(rows: list[tuple[int, list[Any]]], errors: list[str]) -> list[_Group]:
    header_row, columns, extra = _locate_header(rows)
    present = set(columns.values())
    titles = {c["key"]: c["title"] for c in rules.exchange_columns()}
    missing = [
        titles[key] for key in rules.load("exchange")["required_resource_columns"] if key not in present
    ]
    if missing:
        raise CatalogImportError([f"第 {header_row} 行（表头）：缺少列 {'、'.join(missing)}。"])
    groups: list[_Group] = []
    for number, row in rows:
        if number <= header_row:
            continue
        values = {key: _cell(row[i]) if i < len(row) else "" for i, key in columns.items()}
        if not any(values.values()) and not any(_cell(row[i]) for i in extra if i < len(row)):
            continue
        starts = any(values.get(key) for key in ("name", "code", "class_code"))
        if starts:
            group = _Group(
                row=number,
                values=values,
                extension={
                    title: _cell(row[i]) for i, title in extra.items() if i < len(row) and _cell(row[i])
                },
            )
            groups.append(group)
        elif not groups:
            errors.append(f"第 {number} 行：信息项之前没有所属的信息资源（缺少信息资源名称）。")
            continue
        else:
            group = groups[-1]
        if values.get("item_name") or values.get("item_type"):
            group.items.append((number, values.get("item_name", ""), values.get("item_type", "")))
    if not groups and not errors:
        errors.append("表格中没有信息资源。")
    return groups


def _classification(values: dict[str, str]) -> tuple[ResourceClass | None, str]:
    code = ""
    for key in ("class_code", "item_code", "subitem_code", "detail_code"):
        segment = values.get(key, "")
        if not segment:
            break
        if not segment.isdigit():
            return None, f"分类“{segment}”应为数字代码"
        width = SEGMENT_WIDTHS.get(key)
        code += segment.zfill(width) if width else segment
    if not code:
        return None, "缺少信息资源分类（类、项）"
    found = ResourceClass.objects.filter(code=code).first()
    if found is None:
        return None, f"分类码 {code} 不存在（请先在资源分类中添加）"
    return found, ""


def _provider(values: dict[str, str]) -> tuple[Organization | None, str]:
    code = values.get("provider_code", "").upper()
    name = values.get("provider", "")
    by_code = Organization.objects.filter(Q(credit_code=code) | Q(code=code)).first() if code else None
    by_name = Organization.objects.filter(Q(name=name) | Q(short_name=name)).first() if name else None
    if code and by_code is None:
        return None, f"提供方代码“{code}”不是本县机构的统一社会信用代码或编码"
    if by_code and by_name and by_code.pk != by_name.pk:
        return None, f"提供方“{name}”与提供方代码“{code}”不是同一机构"
    if by_code or by_name:
        return by_code or by_name, ""
    if name:
        return None, f"找不到提供方“{name}”"
    return None, "缺少信息资源提供方"


def _date(text: str) -> tuple[dt.date | None, str]:
    if not text:
        return None, ""
    candidate = text.split("T")[0].split(" ")[0]
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(candidate, fmt).date(), ""
        except ValueError:
            continue
    return None, f"发布日期“{text}”无法识别（请写作 2026-01-31）"


def _flatten(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [message for messages in error.message_dict.values() for message in messages]
    return list(error.messages)


def _prepare(group: _Group, known_codes: set[str]) -> tuple[ResourceData | None, list[str]]:
    problems: list[str] = []
    values = group.values
    classification, class_problem = _classification(values)
    provider, provider_problem = _provider(values)
    problems += [p for p in (class_problem, provider_problem) if p]
    share_word = values.get("share_type", "")
    share_type = SHARE_TYPE_WORDS.get(share_word.replace(" ", ""), share_word)
    if not share_word:
        problems.append("缺少共享类型")
    opening = values.get("open_to_public", "").lower()
    open_to_public = True if opening in YES_WORDS else False if (opening in NO_WORDS or not opening) else None
    if open_to_public is None:
        problems.append(f"是否向社会开放“{values.get('open_to_public')}”应填“是”或“否”")
    published_on, message = _date(values.get("published_on", ""))
    if message:
        problems.append(message)
    type_names = rules.data_types()
    seen: dict[str, int] = {}
    item_problems = []
    for row, name, data_type in group.items if group.items and group.items[0][0] else []:
        if not name:
            item_problems.append(f"第 {row} 行：信息项缺少名称")
        elif name in seen:
            item_problems.append(f"第 {row} 行：信息项名称“{name}”与第 {seen[name]} 行重复")
        else:
            seen[name] = row
        if name and data_type not in type_names:
            item_problems.append(f"第 {row} 行：信息项“{name}”的数据类型“{data_type}”无效")
    problems += item_problems
    data = normalize(
        ResourceData(
            classification=classification,
            name=values.get("name", ""),
            provider=provider,
            items=[ItemData(name=name, data_type=data_type) for _row, name, data_type in group.items],
            share_type=share_type,
            summary=values.get("summary", ""),
            resource_format=values.get("resource_format", ""),
            share_condition=values.get("share_condition", ""),
            share_basis=values.get("share_basis", ""),
            share_method=values.get("share_method", ""),
            open_to_public=bool(open_to_public),
            open_condition=values.get("open_condition", ""),
            update_cycle=values.get("update_cycle", ""),
            published_on=published_on,
            related_codes=[c for c in CODE_SPLIT.split(values.get("related_codes", "")) if c],
            extension=group.extension,
        )
    )
    # The services' own checks, so that a bad row reports everything at once; what was reported above already
    # (an unknown class or provider, item rows) is not repeated.
    skip = {
        "classification": bool(class_problem),
        "provider": bool(provider_problem),
        "items": bool(item_problems),
    }
    for key, messages in validation_errors(data, known_codes=known_codes).items():
        if key == "share_type" and not share_word:
            continue
        if not skip.get(key):
            problems += messages
    return (None, problems) if problems else (data, [])


def _row_message(row: int, problem: str, unit: str = "行") -> str:
    problem = problem.rstrip("。")
    return f"{problem}。" if problem.startswith("第 ") else f"第 {row} {unit}：{problem}。"


def _row_of(message: str) -> int:
    match = re.match(r"第 (\d+) [行条]", message)
    return int(match.group(1)) if match else 0


def import_xlsx(*, data: bytes, actor: Any = None, request: Any = None) -> ImportSummary:
    """Import an exchange spreadsheet. Rows whose 信息资源代码 exists update that entry (within the actor's scope);
    other rows create entries (with the code given, when it fits the classification, else a generated one)."""
    errors: list[str] = []
    groups = _groups(_read_rows(data), errors)
    return _import(groups, errors, actor=actor, request=request, unit="行", fmt="xlsx")


def _json_groups(data: bytes, errors: list[str]) -> list[_Group]:
    """The records of a JSON export (``{"resources": [...]}`` or a bare list), numbered from 1."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        raise CatalogImportError([f"文件不是有效的 JSON（{error}）。"]) from None
    records = document.get("resources") if isinstance(document, dict) else document
    if not isinstance(records, list):
        raise CatalogImportError(["JSON 文件应为目录导出的格式：含 resources 列表。"])
    groups = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            errors.append(f"第 {number} 条：应为一个对象。")
            continue
        classification = record.get("classification") or {}
        sharing = record.get("sharing") or {}
        opening = record.get("opening") or {}
        values = {key: _cell(classification.get(key)) for key in SEGMENT_WIDTHS | {"detail_code": 0}}
        values.update(
            {
                key: _cell(record.get(key))
                for key in (
                    "name",
                    "code",
                    "provider",
                    "provider_code",
                    "summary",
                    "update_cycle",
                    "published_on",
                )
            }
        )
        values.update(
            resource_format=_cell(record.get("format")),
            share_type=_cell(sharing.get("type")),
            share_condition=_cell(sharing.get("condition")),
            share_basis=_cell(sharing.get("basis")),
            share_method=_cell(sharing.get("method")),
            open_to_public="是" if opening.get("open") else "否",
            open_condition=_cell(opening.get("condition")),
            related_codes="；".join(_cell(c) for c in record.get("related_codes") or []),
        )
        items = [
            (0, _cell(item.get("name")), _cell(item.get("data_type")))
            for item in record.get("items") or []
            if isinstance(item, dict)
        ]
        extension = record.get("extension") or {}
        groups.append(
            _Group(
                row=number,
                values=values,
                extension={str(k): _cell(v) for k, v in extension.items()},
                items=items,
            )
        )
    if not groups and not errors:
        errors.append("文件中没有信息资源。")
    return groups


def import_json(*, data: bytes, actor: Any = None, request: Any = None) -> ImportSummary:
    """Import a JSON export (another county's or this one's): the same checks and the same all-or-nothing rule,
    problems named by record number."""
    errors: list[str] = []
    groups = _json_groups(data, errors)
    return _import(groups, errors, actor=actor, request=request, unit="条", fmt="json")


def _import(
    groups: list[_Group], errors: list[str], *, actor: Any, request: Any, unit: str, fmt: str
) -> ImportSummary:
    codes_in_file: dict[str, int] = {}
    for group in groups:
        code = group.values.get("code", "")
        if code and code in codes_in_file:
            errors.append(
                f"第 {group.row} {unit}：信息资源代码“{code}”与第 {codes_in_file[code]} {unit}重复。"
            )
        elif code:
            codes_in_file[code] = group.row
    summary = ImportSummary()
    with transaction.atomic():
        for group in groups:
            prepared, problems = _prepare(group, set(codes_in_file))
            if problems:
                errors.extend(_row_message(group.row, p, unit) for p in problems)
                continue
            code = group.values.get("code", "")
            existing = Resource.objects.filter(code=code).first() if code else None
            try:
                with transaction.atomic():
                    if existing is not None:
                        resource = update_resource(
                            actor=actor, resource=existing, data=prepared, known_codes=set(codes_in_file)
                        )
                        summary.updated += 1
                    else:
                        resource = create_resource(
                            actor=actor, data=prepared, code=code, known_codes=set(codes_in_file)
                        )
                        summary.created += 1
                    summary.codes.append(resource.code)
            except ValidationError as error:
                errors.extend(_row_message(group.row, message, unit) for message in _flatten(error))
        if errors:
            raise CatalogImportError(sorted(errors, key=_row_of))
        audit(
            actor=actor,
            action="catalog.import",
            request=request,
            detail={"format": fmt, "created": summary.created, "updated": summary.updated},
        )
    return summary


# --- export ---------------------------------------------------------------------------------------------------


def _record_cells(record: dict[str, Any]) -> dict[str, Any]:
    classification = record["classification"]
    sharing = record["sharing"]
    return {
        "class_code": classification.get("class_code", ""),
        "item_code": classification.get("item_code", ""),
        "subitem_code": classification.get("subitem_code", ""),
        "detail_code": classification.get("detail_code", ""),
        "name": record["name"],
        "code": record["code"],
        "provider": record["provider"],
        "provider_code": record["provider_code"],
        "summary": record["summary"],
        "resource_format": record["format"],
        "share_type": ShareType(sharing["type"]).label,
        "share_condition": sharing["condition"],
        "share_basis": sharing["basis"],
        "share_method": sharing["method"],
        "open_to_public": "是" if record["opening"]["open"] else "否",
        "open_condition": record["opening"]["condition"],
        "update_cycle": record["update_cycle"],
        "published_on": record["published_on"] or "",
        "related_codes": "；".join(record["related_codes"]),
    }


def write_xlsx(records: list[dict[str, Any]], target: str | IO[bytes]) -> None:
    """The exchange spreadsheet: the columns of ``rules/exchange.json`` in order, then one column per extension
    field used; a resource's first row carries its metadata and first 信息项, further rows only their 信息项."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    columns = rules.exchange_columns()
    extension_titles: list[str] = []
    for record in records:
        for key in record.get("extension") or {}:
            if key not in extension_titles:
                extension_titles.append(key)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = rules.load("exchange")["sheet_name"]
    sheet.append([column["title"] for column in columns] + extension_titles)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for record in records:
        cells = _record_cells(record)
        items = record["items"] or [{"name": "", "data_type": ""}]
        for index, item in enumerate(items):
            row = []
            for column in columns:
                key = column["key"]
                if key == "item_name":
                    row.append(item["name"])
                elif key == "item_type":
                    row.append(item["data_type"])
                else:
                    row.append(cells[key] if index == 0 else "")
            row += [str(record["extension"].get(t, "")) if index == 0 else "" for t in extension_titles]
            sheet.append(row)
    save_workbook(workbook, target)


def export_document(records: list[dict[str, Any]], *, version: Any = None) -> dict[str, Any]:
    return {
        "catalogue": "政务信息资源目录",
        "version": version.number if version is not None else None,
        "published_at": version.published_at.isoformat() if version is not None else None,
        "exported_at": timezone.now().isoformat(),
        "count": len(records),
        "resources": records,
    }


def record_export(*, actor: Any, fmt: str, count: int, version: Any = None, request: Any = None) -> None:
    audit(
        actor=actor,
        action="catalog.export",
        target=version,
        request=request,
        detail={"format": fmt, "count": count},
    )
