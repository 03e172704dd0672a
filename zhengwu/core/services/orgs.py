"""机构 writes: creating, editing, moving and deactivating organizations, and importing them from a table.

The tree is stored as a materialized path (see :class:`~zhengwu.core.models.Organization`); only this module
writes ``path`` and ``depth``. There is exactly one root, the county government. Organizations are never deleted.

Import (``zhengwu org import`` and the admin upload) reads CSV or xlsx through one parser, validates every row
against the file and the database, and writes nothing unless every row is valid. Rows are matched to existing
organizations by 统一社会信用代码, so importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Concat, Substr
from django.http import HttpRequest
from pypinyin import Style, lazy_pinyin

from ..models import Organization, OrganizationKind
from ..scoping import has_county_wide_access, is_in_scope
from ..validators import (
    DIVISION_LEVEL_COUNTY,
    DIVISION_LEVEL_TOWN,
    validate_credit_code,
    validate_division_code,
    validate_org_code,
)
from .audit import audit

EDITABLE_FIELDS = (
    "name",
    "short_name",
    "kind",
    "code",
    "credit_code",
    "division_code",
    "sort_order",
    "address",
    "phone",
)
TOWN_KINDS = {OrganizationKind.TOWNSHIP, OrganizationKind.SUBDISTRICT}
MAX_DEPTH = 30  # 7 characters per level in a 255-character path


# --- validation shared by the services, the admin forms and the import ------------------------------------------


def normalize_org_values(values: dict[str, Any]) -> dict[str, Any]:
    """Strip text, upper-case the codes, turn an empty credit code into ``None``."""
    result = dict(values)
    for key in ("name", "short_name", "address", "phone", "division_code"):
        if key in result and result[key] is not None:
            result[key] = str(result[key]).strip()
    for key in ("code", "credit_code"):
        if key in result:
            value = (result[key] or "").strip().upper()
            result[key] = value or (None if key == "credit_code" else "")
    return result


def division_level(kind: str) -> str:
    return DIVISION_LEVEL_TOWN if kind in TOWN_KINDS else DIVISION_LEVEL_COUNTY


def field_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    """Errors of the values themselves (format, required), field by field; no database access."""
    errors: dict[str, list[str]] = {}

    def add(name: str, error: ValidationError | str) -> None:
        messages = error.messages if isinstance(error, ValidationError) else [error]
        errors.setdefault(name, []).extend(messages)

    if "name" in values:
        name = values["name"] or ""
        if not name:
            add("name", "请填写机构名称。")
        elif len(name) > 100:
            add("name", f"机构名称不能超过 100 个字（现有 {len(name)} 个）。")
    kind = values.get("kind")
    if "kind" in values and kind not in OrganizationKind.values:
        add("kind", f"未知的机构类型“{kind}”，应为：{'、'.join(OrganizationKind.labels)}。")
    if "code" in values:
        try:
            validate_org_code(values["code"] or "")
        except ValidationError as error:
            add("code", error)
    if values.get("credit_code"):
        try:
            validate_credit_code(values["credit_code"])
        except ValidationError as error:
            add("credit_code", error)
    if values.get("division_code"):
        try:
            validate_division_code(
                values["division_code"],
                level=division_level(kind) if kind in OrganizationKind.values else None,
            )
        except ValidationError as error:
            add("division_code", error)
    if len(values.get("short_name") or "") > 40:
        add("short_name", "简称不能超过 40 个字。")
    return errors


def _nearest_county_division(parent: Organization | None) -> tuple[str, Organization] | None:
    """The 6-digit division code of the nearest ancestor that has one (a town's code must begin with it)."""
    node = parent
    seen = 0
    while node is not None and seen <= MAX_DEPTH:
        if len(node.division_code or "") == 6:
            return node.division_code, node
        node = node.parent
        seen += 1
    return None


def town_division_error(
    *, kind: str, division_code: str, county_code: str | None, county_name: str = ""
) -> str:
    if (
        kind in TOWN_KINDS
        and len(division_code or "") == 12
        and county_code
        and not division_code.startswith(county_code)
    ):
        where = f"“{county_name}”的" if county_name else ""
        return f"乡镇（街道）的行政区划代码“{division_code}”应以所属{where}县级代码 {county_code} 开头。"
    return ""


def validate_organization(
    values: dict[str, Any],
    *,
    parent: Organization | None,
    instance: Organization | None = None,
    parent_changed: bool = True,
) -> dict[str, Any]:
    """Validate a complete set of values for a new or edited organization; return them normalized.

    Raises ``ValidationError`` with a dict of field errors (field names as in the model, ``parent`` included).
    """
    values = normalize_org_values(values)
    errors = field_errors(values)
    code = values.get("code")
    if code and "code" not in errors:
        clash = Organization.objects.filter(code=code).exclude(pk=getattr(instance, "pk", None)).first()
        if clash:
            errors.setdefault("code", []).append(f"编码“{code}”已被“{clash.name}”使用。")
    credit_code = values.get("credit_code")
    if credit_code and "credit_code" not in errors:
        clash = (
            Organization.objects.filter(credit_code=credit_code)
            .exclude(pk=getattr(instance, "pk", None))
            .first()
        )
        if clash:
            errors.setdefault("credit_code", []).append(
                f"统一社会信用代码“{credit_code}”已被“{clash.name}”使用。"
            )
    parent_errors = _parent_errors(parent=parent, instance=instance) if parent_changed else []
    if parent_errors:
        errors.setdefault("parent", []).extend(parent_errors)
    if "division_code" not in errors and values.get("division_code"):
        county = _nearest_county_division(parent)
        message = town_division_error(
            kind=values.get("kind", ""),
            division_code=values["division_code"],
            county_code=county[0] if county else None,
            county_name=county[1].name if county else "",
        )
        if message:
            errors.setdefault("division_code", []).append(message)
    if errors:
        raise ValidationError(errors)
    return values


def _parent_errors(*, parent: Organization | None, instance: Organization | None) -> list[str]:
    if parent is None:
        root = (
            Organization.objects.filter(parent__isnull=True).exclude(pk=getattr(instance, "pk", None)).first()
        )
        if root:
            return [f"系统中已有根机构“{root.name}”，只能有一个根机构；请选择上级机构。"]
        return []
    if instance is not None and instance.pk:
        if parent.pk == instance.pk:
            return ["不能把机构设为自己的上级。"]
        if instance.path and parent.path.startswith(instance.path):
            return [f"不能把机构移到其下级机构“{parent.name}”之下（会形成循环）。"]
    if not parent.is_active:
        return [f"上级机构“{parent.name}”已停用。"]
    if parent.depth + 1 >= MAX_DEPTH:
        return [f"机构层级不能超过 {MAX_DEPTH} 级。"]
    return []


# --- permission checks -----------------------------------------------------------------------------------------


def _require(actor: Any, permission: str, message: str) -> None:
    """``actor`` ``None`` is the system itself (installation, the console, demo data)."""
    if actor is None:
        return
    if not actor.is_active or not actor.has_perm(permission):
        raise PermissionDenied(message)


def _require_scope(actor: Any, org: Organization | None, message: str) -> None:
    if actor is None or has_county_wide_access(actor):
        return
    if org is None or not is_in_scope(org, actor, org_field=""):
        raise PermissionDenied(message)


# --- tree maintenance -------------------------------------------------------------------------------------------


def _segment(pk: int) -> str:
    return f"{pk:06d}/"


def _insert(values: dict[str, Any], parent: Organization | None) -> Organization:
    org = Organization(parent=parent, **values)
    org.save()
    org.path = (parent.path if parent else "") + _segment(org.pk)
    org.depth = parent.depth + 1 if parent else 0
    org.save(update_fields=["path", "depth"])
    return org


def _move_subtree(org: Organization, new_parent: Organization | None) -> None:
    old_path = org.path
    new_path = (new_parent.path if new_parent else "") + _segment(org.pk)
    delta = (new_parent.depth + 1 if new_parent else 0) - org.depth
    org.parent = new_parent
    org.save(update_fields=["parent", "updated_at"])
    Organization.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1), output_field=CharField()),
        depth=F("depth") + delta,
    )
    org.path = new_path
    org.depth += delta


def _locked(org: Organization) -> Organization:
    return Organization.objects.select_for_update().get(pk=org.pk)


# --- services ---------------------------------------------------------------------------------------------------


@transaction.atomic
def create_organization(
    *,
    name: str,
    kind: str,
    code: str,
    credit_code: str | None = None,
    division_code: str = "",
    parent: Organization | None = None,
    actor: Any,
    request: HttpRequest | None = None,
    short_name: str = "",
    sort_order: int = 0,
    address: str = "",
    phone: str = "",
) -> Organization:
    """Create an organization under ``parent`` (``None`` only for the root, the county government)."""
    _require(actor, "core.add_organization", "您没有新增机构的权限。")
    if parent is not None:
        parent = _locked(parent)
        _require_scope(actor, parent, f"“{parent.name}”不在您的机构范围内。")
    elif actor is not None and not has_county_wide_access(actor):
        raise PermissionDenied("只有全县范围的管理员才能建立根机构。")
    values = validate_organization(
        {
            "name": name,
            "kind": kind,
            "code": code,
            "credit_code": credit_code,
            "division_code": division_code,
            "short_name": short_name,
            "sort_order": sort_order,
            "address": address,
            "phone": phone,
        },
        parent=parent,
    )
    org = _insert(values, parent)
    audit(
        actor=actor,
        action="core.org.create",
        target=org,
        organization=org,
        request=request,
        detail={
            "name": org.name,
            "kind": org.kind,
            "code": org.code,
            "parent": parent.pk if parent else None,
        },
    )
    return org


@transaction.atomic
def update_organization(
    *, org: Organization, actor: Any, request: HttpRequest | None = None, **changes: Any
) -> Organization:
    """Change fields of an organization. ``parent`` moves it (with its subtree); ``is_active`` deactivates or
    reactivates it, under the same rules as :func:`deactivate_organization` / :func:`activate_organization`."""
    unknown = set(changes) - set(EDITABLE_FIELDS) - {"parent", "is_active"}
    if unknown:
        raise TypeError(f"update_organization() got unexpected fields: {', '.join(sorted(unknown))}")
    _require(actor, "core.change_organization", "您没有修改机构的权限。")
    current = _locked(org)
    _require_scope(actor, current, f"“{current.name}”不在您的机构范围内。")

    new_parent = changes.pop("parent", current.parent)
    moving = (new_parent.pk if new_parent else None) != current.parent_id
    if moving:
        if new_parent is not None:
            new_parent = _locked(new_parent)
            _require_scope(actor, new_parent, f"“{new_parent.name}”不在您的机构范围内。")
        elif actor is not None and not has_county_wide_access(actor):
            raise PermissionDenied("只有全县范围的管理员才能调整根机构。")
    is_active = changes.pop("is_active", current.is_active)

    merged = {name: getattr(current, name) for name in EDITABLE_FIELDS}
    merged.update(changes)
    values = validate_organization(merged, parent=new_parent, instance=current, parent_changed=moving)
    diff = {
        name: [getattr(current, name), values[name]]
        for name in EDITABLE_FIELDS
        if getattr(current, name) != values[name]
    }
    if is_active != current.is_active:
        check_activation(current, bool(is_active))
        diff["is_active"] = [current.is_active, bool(is_active)]
    for name in EDITABLE_FIELDS:
        setattr(current, name, values[name])
    current.is_active = bool(is_active)
    if moving:
        diff["parent"] = [current.parent_id, new_parent.pk if new_parent else None]
        _move_subtree(current, new_parent)
    if not diff:
        return current
    current.save()
    audit(
        actor=actor,
        action="core.org.update",
        target=current,
        organization=current,
        request=request,
        detail=diff,
    )
    _refresh(org, current)
    return current


@transaction.atomic
def move_organization(
    *, org: Organization, new_parent: Organization | None, actor: Any, request: HttpRequest | None = None
) -> Organization:
    """Put ``org`` and its whole subtree under ``new_parent``; refuses cycles and a second root."""
    _require(actor, "core.change_organization", "您没有调整机构隶属关系的权限。")
    current = _locked(org)
    _require_scope(actor, current, f"“{current.name}”不在您的机构范围内。")
    if new_parent is not None:
        new_parent = _locked(new_parent)
        _require_scope(actor, new_parent, f"“{new_parent.name}”不在您的机构范围内。")
    elif actor is not None and not has_county_wide_access(actor):
        raise PermissionDenied("只有全县范围的管理员才能调整根机构。")
    if (new_parent.pk if new_parent else None) == current.parent_id:
        return current
    errors = _parent_errors(parent=new_parent, instance=current)
    if errors:
        raise ValidationError({"parent": errors})
    if current.division_code and current.kind in TOWN_KINDS:
        county = _nearest_county_division(new_parent)
        message = town_division_error(
            kind=current.kind,
            division_code=current.division_code,
            county_code=county[0] if county else None,
            county_name=county[1].name if county else "",
        )
        if message:
            raise ValidationError({"parent": [message]})
    old_parent_id = current.parent_id
    moved = Organization.objects.filter(path__startswith=current.path).count()
    _move_subtree(current, new_parent)
    audit(
        actor=actor,
        action="core.org.move",
        target=current,
        organization=current,
        request=request,
        detail={"from": old_parent_id, "to": new_parent.pk if new_parent else None, "subtree_size": moved},
    )
    _refresh(org, current)
    return current


def check_activation(org: Organization, active: bool) -> None:
    """Raise ``ValidationError`` if ``org`` may not be (re)activated or deactivated now."""
    if active:
        if org.ceased_on:
            raise ValidationError(
                {
                    "is_active": [
                        f"“{org.name}”已于{org.ceased_on.year}年{org.ceased_on.month}月{org.ceased_on.day}日"
                        "因机构改革撤销，不能重新启用；如需恢复职能，请设立新机构。"
                    ]
                }
            )
        if org.parent is not None and not org.parent.is_active:
            raise ValidationError({"is_active": [f"上级机构“{org.parent.name}”已停用，请先启用上级机构。"]})
        return
    children = Organization.objects.filter(parent=org, is_active=True).count()
    if children:
        raise ValidationError(
            {"is_active": [f"“{org.name}”还有 {children} 个启用的下级机构，请先停用或移走下级机构。"]}
        )
    staff = org.staff.filter(is_active=True).count()
    if staff:
        raise ValidationError(
            {"is_active": [f"“{org.name}”还有 {staff} 名启用的工作人员，请先调整其所属机构或停用其账号。"]}
        )


@transaction.atomic
def deactivate_organization(
    *, org: Organization, actor: Any, request: HttpRequest | None = None
) -> Organization:
    """停用: refused while the organization still has active sub-organizations or active staff."""
    return update_organization(org=org, actor=actor, request=request, is_active=False)


@transaction.atomic
def activate_organization(
    *, org: Organization, actor: Any, request: HttpRequest | None = None
) -> Organization:
    return update_organization(org=org, actor=actor, request=request, is_active=True)


def _refresh(stale: Organization, fresh: Organization) -> None:
    """Let the caller's instance reflect what was written."""
    if stale is fresh:
        return
    for name in (*EDITABLE_FIELDS, "parent_id", "path", "depth", "is_active", "updated_at"):
        setattr(stale, name, getattr(fresh, name))
    if "parent" in stale._state.fields_cache:
        del stale._state.fields_cache["parent"]


# --- import -----------------------------------------------------------------------------------------------------

# Accepted column headers (English names from the file format, and the Chinese headings people type).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "名称", "机构名称", "单位名称"),
    "kind": ("kind", "类型", "机构类型"),
    "credit_code": ("credit_code", "统一社会信用代码", "信用代码"),
    "division_code": ("division_code", "行政区划代码", "区划代码"),
    "parent": ("parent", "上级机构", "上级统一社会信用代码", "上级机构统一社会信用代码"),
    "code": ("code", "编码", "机构编码"),
}
REQUIRED_COLUMNS = ("name", "kind", "credit_code", "division_code", "parent")
COLUMN_LABELS = {
    "name": "名称",
    "kind": "类型",
    "credit_code": "统一社会信用代码",
    "division_code": "行政区划代码",
    "parent": "上级机构",
    "code": "编码",
}
KIND_BY_WORD = {label: value for value, label in OrganizationKind.choices} | {
    value: value for value in OrganizationKind.values
}
MAX_IMPORT_ROWS = 20000
XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class RowError:
    """One problem in an import file. ``row`` is the row number as a spreadsheet shows it (the header is row 1);
    ``None`` for problems of the whole file."""

    row: int | None
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" if self.row else "文件"
        column = f"【{self.column}】" if self.column else ""
        value = f"“{self.value}”" if self.value else ""
        return f"{where}{column}{value}：{self.message}"


class OrgImportError(Exception):
    """The file was refused; nothing was written. ``errors`` lists every problem found."""

    def __init__(self, errors: list[RowError]):
        self.errors = sorted(errors, key=lambda e: (e.row or 0, e.column))
        super().__init__("\n".join(str(error) for error in self.errors))


@dataclass
class OrgTable:
    """Rows of an import file: ``rows`` are ``(row_number, {column: text})``; ``headers`` map our column names
    to the heading as written in the file (for error messages)."""

    headers: dict[str, str]
    rows: list[tuple[int, dict[str, str]]]
    format: str = "csv"
    imprecise: set[tuple[int, str]] = field(default_factory=set)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    organizations: list[Organization] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


class _Imprecise:
    """A number of 16 or more digits read from a numeric spreadsheet cell: Excel kept only 15 of them."""

    def __init__(self, value: float):
        self.value = value


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, _Imprecise):
        return f"{value.value:.0f}"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def _table_from_rows(rows: Iterable[tuple[int, list[Any]]], *, fmt: str) -> OrgTable:
    iterator = iter(rows)
    header_row = None
    for number, cells in iterator:
        if any(_cell_text(cell) for cell in cells):
            header_row = (number, [_cell_text(cell) for cell in cells])
            break
    if header_row is None:
        raise OrgImportError(
            [RowError(None, "", "", "文件是空的：第一行应为列名（name, kind, credit_code, …）。")]
        )
    header_number, header_cells = header_row
    alias_to_column = {
        alias.lower(): column for column, aliases in COLUMN_ALIASES.items() for alias in aliases
    }
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    errors: list[RowError] = []
    for index, heading in enumerate(header_cells):
        column = alias_to_column.get(heading.strip().lower().lstrip("\ufeff"))
        if column is None:
            continue  # extra columns (备注 …) are ignored
        if column in positions:
            errors.append(RowError(header_number, heading, heading, f"列“{COLUMN_LABELS[column]}”重复出现。"))
            continue
        positions[column] = index
        headers[column] = heading
    missing = [column for column in REQUIRED_COLUMNS if column not in positions]
    if missing:
        wanted = "、".join(f"{column}（{COLUMN_LABELS[column]}）" for column in missing)
        errors.append(RowError(header_number, "", "", f"缺少必需的列：{wanted}。"))
    if errors:
        raise OrgImportError(errors)
    table = OrgTable(headers=headers, rows=[], format=fmt)
    for number, cells in iterator:
        texts = [_cell_text(cell) for cell in cells]
        if not any(texts):
            continue
        record = {column: (texts[index] if index < len(texts) else "") for column, index in positions.items()}
        for column, index in positions.items():
            if index < len(cells) and isinstance(cells[index], _Imprecise):
                table.imprecise.add((number, column))
        table.rows.append((number, record))
        if len(table.rows) > MAX_IMPORT_ROWS:
            raise OrgImportError([RowError(None, "", "", f"文件超过 {MAX_IMPORT_ROWS} 行，请分批导入。")])
    return table


def read_org_csv(data: bytes) -> OrgTable:
    """CSV in UTF-8, with or without a byte-order mark."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OrgImportError(
            [
                RowError(
                    None,
                    "",
                    "",
                    "文件不是 UTF-8 编码（可能是 GBK）：请在 Excel 中“另存为 CSV UTF-8”后再导入。",
                )
            ]
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        records = [(index, row) for index, row in enumerate(reader, start=1)]
    except csv.Error as error:
        raise OrgImportError([RowError(None, "", "", f"CSV 格式错误：{error}")]) from None
    return _table_from_rows(records, fmt="csv")


def read_org_xlsx(data: bytes) -> OrgTable:
    """The first worksheet of an .xlsx workbook."""
    from openpyxl import load_workbook

    if not data.startswith(XLSX_MAGIC):
        raise OrgImportError([RowError(None, "", "", "文件不是 Excel（.xlsx）格式。")])
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors for damaged files
        raise OrgImportError(
            [RowError(None, "", "", "无法读取该 Excel 文件，文件可能已损坏或不是 .xlsx 格式。")]
        ) from None
    try:
        sheet = workbook.worksheets[0]
        records = []
        for index, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = list(row)
            for position, cell in enumerate(cells):
                # Excel stores numbers as doubles: an 18-digit code typed into a number cell kept 15 digits.
                if isinstance(cell, float) and abs(cell) >= 1e15:
                    cells[position] = _Imprecise(float(cell))
            records.append((index, cells))
    finally:
        workbook.close()
    return _table_from_rows(records, fmt="xlsx")


def read_org_table(data: bytes, *, filename: str = "") -> OrgTable:
    """Read an import file, choosing the format by its content (an .xlsx file is a zip archive)."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".xls":
        raise OrgImportError(
            [RowError(None, "", filename, "不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后再导入。")]
        )
    if data.startswith(XLSX_MAGIC) or suffix == ".xlsx":
        return read_org_xlsx(data)
    if suffix in ("", ".csv", ".txt"):
        return read_org_csv(data)
    raise OrgImportError([RowError(None, "", filename, "只支持 .csv（UTF-8）和 .xlsx 文件。")])


@dataclass
class _Row:
    number: int
    raw: dict[str, str]
    name: str = ""
    kind: str = ""
    credit_code: str = ""
    division_code: str = ""
    parent_code: str = ""
    code: str = ""
    existing: Organization | None = None


def _pinyin_initials(text: str) -> str:
    letters = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER)).upper()
    return re.sub(r"[^A-Z0-9]", "", letters)


def derive_org_code(name: str, *, taken: set[str], region_prefix: str = "", fallback: str = "") -> str:
    """A short code from the pinyin initials of the name (示范县发展和改革委员会 → FZHGGWYH), made unique by a
    numeric suffix. Deterministic: the same name and the same set of taken codes give the same code."""
    base_name = name[len(region_prefix) :] if region_prefix and name.startswith(region_prefix) else name
    base = _pinyin_initials(base_name) or _pinyin_initials(name)
    if len(base) < 2:
        base = base + re.sub(r"[^A-Z0-9]", "", fallback.upper())[-6:]
    if len(base) < 2:
        base = "ORG"
    base = base[:12]
    candidate = base
    suffix = 2
    while candidate in taken:
        tail = str(suffix)
        candidate = base[: 12 - len(tail)] + tail
        suffix += 1
    return candidate


def _region_prefix(root_name: str) -> str:
    for ending in ("人民政府", "政府"):
        if root_name.endswith(ending) and len(root_name) > len(ending):
            return root_name[: -len(ending)]
    return ""


def _validate_table(table: OrgTable, *, actor: Any) -> tuple[list[_Row], dict[str, Any]]:
    """Check every row; return the rows in an order where each parent comes before its children."""
    errors: list[RowError] = []
    headers = table.headers

    def error(row: _Row | None, column: str, message: str, value: str | None = None) -> None:
        heading = headers.get(column, COLUMN_LABELS.get(column, column)) if column else ""
        if value is None:
            value = row.raw.get(column, "") if row is not None and column else ""
        errors.append(RowError(row.number if row else None, heading, value, message))

    if not table.rows:
        raise OrgImportError([RowError(None, "", "", "文件中没有数据行。")])

    rows: list[_Row] = []
    for number, raw in table.rows:
        row = _Row(number=number, raw=raw)
        row.name = raw.get("name", "").strip()
        kind_word = raw.get("kind", "").strip()
        row.kind = KIND_BY_WORD.get(kind_word, "")
        row.credit_code = raw.get("credit_code", "").strip().upper()
        row.division_code = raw.get("division_code", "").strip()
        row.parent_code = raw.get("parent", "").strip().upper()
        row.code = raw.get("code", "").strip().upper()
        if not row.name:
            error(row, "name", "请填写机构名称。")
        elif len(row.name) > 100:
            error(row, "name", f"机构名称不能超过 100 个字（现有 {len(row.name)} 个）。")
        if not kind_word:
            error(row, "kind", f"请填写机构类型（{'、'.join(OrganizationKind.labels)}）。")
        elif not row.kind:
            error(row, "kind", f"未知的机构类型，应为：{'、'.join(OrganizationKind.labels)}。")
        if not row.credit_code:
            error(row, "credit_code", "请填写统一社会信用代码（导入时据此识别机构）。")
        elif (number, "credit_code") in table.imprecise:
            error(
                row,
                "credit_code",
                "该单元格是数字格式，Excel 只保留了 15 位有效数字；请把此列设为文本格式后重新填写。",
            )
            row.credit_code = ""
        else:
            try:
                validate_credit_code(row.credit_code)
            except ValidationError as exc:
                error(row, "credit_code", " ".join(exc.messages))
                row.credit_code = ""
        if row.division_code:
            try:
                validate_division_code(
                    row.division_code, level=division_level(row.kind) if row.kind else None
                )
            except ValidationError as exc:
                error(row, "division_code", " ".join(exc.messages))
        if row.code:
            try:
                validate_org_code(row.code)
            except ValidationError as exc:
                error(row, "code", " ".join(exc.messages))
                row.code = ""
        if row.parent_code and row.parent_code == row.credit_code:
            error(row, "parent", "上级机构不能是自己。")
        rows.append(row)

    # Duplicates inside the file.
    first_by_credit: dict[str, _Row] = {}
    first_by_code: dict[str, _Row] = {}
    for row in rows:
        if row.credit_code:
            if row.credit_code in first_by_credit:
                error(row, "credit_code", f"与第 {first_by_credit[row.credit_code].number} 行重复。")
            else:
                first_by_credit[row.credit_code] = row
        if row.code:
            if row.code in first_by_code:
                error(row, "code", f"编码与第 {first_by_code[row.code].number} 行重复。")
            else:
                first_by_code[row.code] = row

    # The database as it stands.
    db_orgs = {org.pk: org for org in Organization.objects.all()}
    db_by_credit = {org.credit_code: org for org in db_orgs.values() if org.credit_code}
    db_by_code = {org.code: org for org in db_orgs.values()}
    db_root = next((org for org in db_orgs.values() if org.parent_id is None), None)
    county_wide = actor is None or has_county_wide_access(actor)

    for row in rows:
        if row.credit_code:
            row.existing = db_by_credit.get(row.credit_code)
            if (
                row.existing is not None
                and not county_wide
                and not is_in_scope(row.existing, actor, org_field="")
            ):
                error(row, "credit_code", f"该代码属于“{row.existing.name}”，不在您的机构范围内，不能修改。")
        if row.code:
            holder = db_by_code.get(row.code)
            if holder is not None and holder is not row.existing:
                error(row, "code", f"编码已被“{holder.name}”使用。")

    # Parents: in the file or in the database.
    file_rows = {
        row.credit_code: row
        for row in rows
        if row.credit_code and first_by_credit.get(row.credit_code) is row
    }
    roots_in_file = [row for row in rows if not row.parent_code]
    for index, row in enumerate(roots_in_file):
        if index > 0:
            error(row, "parent", f"只能有一个根机构（上级为空），第 {roots_in_file[0].number} 行已是根机构。")
        elif db_root is not None and db_root is not row.existing and row.credit_code:
            error(
                row,
                "parent",
                f"系统中已有根机构“{db_root.name}”，只能有一个根机构；请填写上级机构的统一社会信用代码。",
            )
    for row in rows:
        if not row.parent_code or row.parent_code == row.credit_code:
            continue
        if row.parent_code in file_rows:
            continue
        parent = db_by_credit.get(row.parent_code)
        if parent is None:
            error(row, "parent", "上级机构未找到：文件中和系统中都没有这个统一社会信用代码。")
        elif not parent.is_active:
            error(row, "parent", f"上级机构“{parent.name}”已停用。")
        elif not county_wide and not is_in_scope(parent, actor, org_field=""):
            error(row, "parent", f"上级机构“{parent.name}”不在您的机构范围内。")
    if not county_wide:
        for row in roots_in_file:
            error(row, "parent", "只有全县范围的管理员才能导入根机构。")

    if errors:
        raise OrgImportError(errors)

    # Cycles, over the tree as it would be after the import: nodes are ("row", credit code) or ("db", pk).
    def parent_of(node: tuple[str, Any]) -> tuple[str, Any] | None:
        kind, key = node
        if kind == "row":
            row = file_rows[key]
            if not row.parent_code:
                return None
            if row.parent_code in file_rows:
                return ("row", row.parent_code)
            return _as_node(db_by_credit[row.parent_code])
        org = db_orgs[key]
        if org.parent_id is None:
            return None
        return _as_node(db_orgs[org.parent_id])

    def _as_node(org: Organization) -> tuple[str, Any]:
        if org.credit_code and org.credit_code in file_rows:
            return ("row", org.credit_code)
        return ("db", org.pk)

    def label(node: tuple[str, Any]) -> str:
        return file_rows[node[1]].name if node[0] == "row" else db_orgs[node[1]].name

    for row in file_rows.values():
        start = ("row", row.credit_code)
        chain = [start]
        node = parent_of(start)
        while node is not None:
            if node in chain:
                loop = [*chain[chain.index(node) :], node]
                error(row, "parent", "上级关系形成循环：" + " → ".join(label(n) for n in loop) + "。")
                break
            if len(chain) > MAX_DEPTH:
                error(row, "parent", f"机构层级超过 {MAX_DEPTH} 级。")
                break
            chain.append(node)
            node = parent_of(node)
    if errors:
        raise OrgImportError(errors)

    # Towns and streets: their 12-digit code begins with the nearest county-level code above them.
    def county_code_above(row: _Row) -> tuple[str, str] | None:
        node = parent_of(("row", row.credit_code))
        while node is not None:
            if node[0] == "row":
                code = file_rows[node[1]].division_code
            else:
                code = db_orgs[node[1]].division_code
            if len(code or "") == 6:
                return code, label(node)
            node = parent_of(node)
        return None

    for row in file_rows.values():
        if row.kind in TOWN_KINDS and len(row.division_code) == 12:
            county = county_code_above(row)
            message = town_division_error(
                kind=row.kind,
                division_code=row.division_code,
                county_code=county[0] if county else None,
                county_name=county[1] if county else "",
            )
            if message:
                error(row, "division_code", message)
    if errors:
        raise OrgImportError(errors)

    # Parents before children, otherwise in file order.
    ordered: list[_Row] = []
    placed: set[str] = set()

    def place(row: _Row) -> None:
        if row.credit_code in placed:
            return
        if row.parent_code in file_rows:
            place(file_rows[row.parent_code])
        placed.add(row.credit_code)
        ordered.append(row)

    for row in rows:
        place(row)
    context = {"db_by_credit": db_by_credit, "db_by_code": db_by_code, "db_root": db_root}
    return ordered, context


@transaction.atomic
def import_organizations(
    *, table: OrgTable, actor: Any, source_name: str = "", request: HttpRequest | None = None
) -> ImportResult:
    """Create or update the organizations listed in ``table``; all or nothing.

    Raises :class:`OrgImportError` listing every problem when any row is invalid, and ``PermissionDenied`` when
    the actor may not add or change organizations.
    """
    _require(actor, "core.add_organization", "您没有新增机构的权限。")
    _require(actor, "core.change_organization", "您没有修改机构的权限。")
    # Serialize imports and tree edits: the validation below reads the whole tree.
    list(Organization.objects.select_for_update().filter(parent__isnull=True).values_list("pk", flat=True))
    rows, context = _validate_table(table, actor=actor)
    result = ImportResult()
    taken = set(context["db_by_code"]) | {row.code for row in rows if row.code}
    root_row = next((row for row in rows if not row.parent_code), None)
    root_name = root_row.name if root_row else (context["db_root"].name if context["db_root"] else "")
    region_prefix = _region_prefix(root_name)

    for row in rows:
        # Always read the parent afresh: an earlier row may have moved one of its ancestors.
        parent = Organization.objects.get(credit_code=row.parent_code) if row.parent_code else None
        existing = row.existing
        if existing is None:
            code = row.code or derive_org_code(
                row.name, taken=taken, region_prefix=region_prefix, fallback=row.credit_code
            )
            taken.add(code)
            org = _insert(
                {
                    "name": row.name,
                    "kind": row.kind,
                    "code": code,
                    "credit_code": row.credit_code,
                    "division_code": row.division_code,
                },
                parent,
            )
            result.created += 1
        else:
            org = Organization.objects.select_for_update().get(pk=existing.pk)
            changed = []
            for name, value in (("name", row.name), ("kind", row.kind), ("division_code", row.division_code)):
                if getattr(org, name) != value:
                    setattr(org, name, value)
                    changed.append(name)
            if row.code and org.code != row.code:
                org.code = row.code
                changed.append("code")
            if changed:
                org.save()
            if (parent.pk if parent else None) != org.parent_id:
                _move_subtree(org, parent)
                changed.append("parent")
            if changed:
                result.updated += 1
            else:
                result.unchanged += 1
        result.organizations.append(org)

    root = Organization.objects.filter(parent__isnull=True).first()
    audit(
        actor=actor,
        action="core.org.import",
        target=None,
        organization=root,
        request=request,
        detail={
            "source": source_name,
            "format": table.format,
            "rows": len(rows),
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        },
    )
    return result


def import_organizations_from_file(
    *, data: bytes | BinaryIO, filename: str, actor: Any, request: HttpRequest | None = None
) -> ImportResult:
    """Read and import a CSV or xlsx file (see :func:`read_org_table` and :func:`import_organizations`)."""
    if not isinstance(data, bytes | bytearray):
        data = data.read()
    table = read_org_table(bytes(data), filename=filename)
    return import_organizations(table=table, actor=actor, source_name=Path(filename).name, request=request)
