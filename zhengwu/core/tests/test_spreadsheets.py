"""Exports never carry a live formula: every workbook the platform writes goes through save_workbook."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook, load_workbook

from zhengwu.core.spreadsheets import csv_safe, is_formula_like, save_workbook

TYPED = ["=1+2", "+86 139", "-3+4", "@SUM(A1:A3)", "\t=cmd", "\r=cmd", "正常标题", "a=b", ""]


def test_formula_like_cells_are_saved_as_quoted_text_and_read_back_as_typed():
    book = Workbook()
    book.active.append([*TYPED, -5, 3.5, None])
    buffer = io.BytesIO()
    save_workbook(book, buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as package:
        assert b"<f>" not in package.read("xl/worksheets/sheet1.xml")
    row = next(load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows())
    values = [cell.value for cell in row]
    assert values[:9] == [*TYPED[:8], None]  # an empty string is no value in xlsx
    assert values[9:11] == [-5, 3.5]  # numbers stay numbers
    for cell in row[:6]:
        assert cell.data_type == "s" and cell.quotePrefix, cell.value
    for cell in row[6:8]:
        assert not cell.quotePrefix, cell.value


def test_csv_cells_get_an_apostrophe():
    assert [csv_safe(value) for value in ("=1", "-2", "标题", 7)] == ["'=1", "'-2", "标题", 7]
    assert not is_formula_like(-1) and is_formula_like("@x")


def test_every_workbook_in_the_code_is_saved_through_save_workbook():
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts or path.name == "spreadsheets.py":
            continue
        text = path.read_text(encoding="utf-8")
        if "Workbook(" not in text:
            continue
        saved_directly = re.findall(r"\b(?:wb|book|workbook|sheet)\.save\(", text)
        if saved_directly or "save_workbook(" not in text:
            offenders.append(str(path.relative_to(root)))
    assert not offenders, "这些文件直接保存工作簿，未经公式中和：" + "、".join(offenders)
