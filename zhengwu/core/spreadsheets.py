"""Spreadsheets the platform writes: every export goes through :func:`save_workbook`.

A cell whose text begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before one) is what a
spreadsheet program may run as a formula. A title typed by staff or a citizen must never become one: such cells are
stored as text with Excel's quote prefix, so the program shows exactly what was typed and evaluates nothing.
"""

from __future__ import annotations

from typing import IO

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def neutralise_workbook(workbook) -> int:
    """Turn every formula-like text cell into plain text; returns how many cells were changed."""
    changed = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if is_formula_like(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
                    changed += 1
    return changed


def save_workbook(workbook, target: str | IO[bytes]) -> None:
    """Save ``workbook`` to a path or binary stream with no cell a spreadsheet program would evaluate."""
    neutralise_workbook(workbook)
    workbook.save(target)


def csv_safe(value: object) -> object:
    """The same protection for CSV files, which have no cell types: a leading apostrophe keeps the text inert."""
    return "'" + value if is_formula_like(value) else value
