"""Documents: 告知书 and the 年度报告 as .docx (python-docx) and PDF (WeasyPrint with a CJK font), and the report
docx read back into the same nested structure as its JSON.

公文 fonts (方正小标宋简体, 仿宋_GB2312) are named in the .docx, where the offices' Word or WPS has them; the PDF is
laid out by WeasyPrint with free substitutes (Noto Serif/Sans CJK from Debian's fonts-noto-cjk).
"""

from __future__ import annotations

import io
import threading
from typing import Any

from django.template.loader import render_to_string
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from .rules import report_rules, table3_columns

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
TABLE_FONT = "宋体"


# -- docx helpers ------------------------------------------------------------------------------------------------


def _set_font(run_or_style: Any, name: str, size: float | None = None, bold: bool | None = None) -> None:
    font = run_or_style.font
    font.name = name
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    element = run_or_style.element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def _new_document() -> Document:
    document = Document()
    section = document.sections[0]
    # GB/T 9704 公文 page: A4, margins 37 / 35 / 28 / 26 mm.
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = document.styles["Normal"]
    _set_font(normal, BODY_FONT, 16)
    normal.paragraph_format.line_spacing = Pt(28)
    normal.paragraph_format.space_after = Pt(0)
    return document


def _paragraph(
    document: Document, text: str, *, indent: bool = True, align=None, font=None, size=None, bold=None
):
    paragraph = document.add_paragraph()
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(32)
    if align is not None:
        paragraph.alignment = align
    run = paragraph.add_run(text)
    if font or size or bold is not None:
        _set_font(run, font or BODY_FONT, size, bold)
    return paragraph


def _to_bytes(document: Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


_weasyprint = threading.local()


def _pdf(html: str) -> bytes:
    """PDF from HTML with WeasyPrint. One font configuration per thread, reused: a new one for every document
    keeps its fonts in memory, and a worker rendering hundreds of letters grows by about 10 MB a letter."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = getattr(_weasyprint, "fonts", None)
    if fonts is None:
        fonts = _weasyprint.fonts = FontConfiguration()
    return HTML(string=html, base_url=".").write_pdf(font_config=fonts)


# -- letters -----------------------------------------------------------------------------------------------------


def letter_docx(content: Any) -> bytes:
    """A 告知书 as .docx: title, number, salutation, body, remedy, signature and date."""
    document = _new_document()
    _paragraph(
        document, content.title, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, font=TITLE_FONT, size=22
    )
    _paragraph(document, content.number, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, content.salutation, indent=False)
    for text in content.paragraphs:
        for line in text.splitlines():
            if line.strip():
                _paragraph(document, line.strip())
    if content.remedy:
        _paragraph(document, content.remedy)
    _paragraph(document, "")
    _paragraph(document, content.signature, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(document, content.date_text, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    return _to_bytes(document)


def letter_html(content: Any) -> str:
    return render_to_string("disclosure/documents/letter.html", {"letter": content})


def letter_pdf(content: Any) -> bytes:
    return _pdf(letter_html(content))


# -- the annual report: one layout for HTML, PDF and docx ---------------------------------------------------------


def _cell(
    text: Any, colspan: int = 1, rowspan: int = 1, header: bool = False, label: bool = False
) -> dict[str, Any]:
    return {"text": _text(text), "colspan": colspan, "rowspan": rowspan, "header": header, "label": label}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if not value.is_integer() else str(int(value))
    return str(value)


def _table2_layout(data: dict[str, Any]) -> dict[str, Any]:
    rules = report_rules()["table2"]
    width = 1 + max(len(block["columns"]) for block in rules["blocks"])
    rows: list[list[dict[str, Any]]] = []
    for block in rules["blocks"]:
        columns = block["columns"]
        # A block with one figure spreads it over the number columns of the widest block.
        span = width - 1 if len(columns) == 1 else 1
        rows.append([_cell(block["label"], width, header=True)])
        rows.append(
            [_cell(rules["content_column"], header=True)]
            + [_cell(column["label"], span, header=True) for column in columns]
        )
        for row in block["rows"]:
            values = data[block["label"]][row["label"]]
            rows.append(
                [
                    _cell(row["label"], label=True),
                    *[_cell(values[column["label"]], span) for column in columns],
                ]
            )
    return {"kind": "table2", "columns": width, "rows": rows}


def _values3(cells: dict[str, Any]) -> list[dict[str, Any]]:
    values = []
    for column in report_rules()["table3"]["columns"]:
        if column.get("children"):
            values += [_cell(cells[column["label"]][child["label"]]) for child in column["children"]]
        else:
            values.append(_cell(cells[column["label"]]))
    return values


def _table3_layout(data: dict[str, Any]) -> dict[str, Any]:
    t3 = report_rules()["table3"]
    leaf_count = len(table3_columns())
    rows: list[list[dict[str, Any]]] = []
    header0 = [_cell(t3["identity_note"], 3, 3, True), _cell(t3["column_header"], leaf_count, 1, True)]
    header1, header2 = [], []
    for column in t3["columns"]:
        children = column.get("children")
        if children:
            header1.append(_cell(column["label"], len(children), 1, True))
            header2 += [_cell(child["label"], header=True) for child in children]
        else:
            header1.append(_cell(column["label"], 1, 2, True))
    rows += [header0, header1, header2]
    rows.append([_cell(t3["rows"]["new"], 3, label=True), *_values3(data[t3["rows"]["new"]])])
    rows.append([_cell(t3["rows"]["carried_in"], 3, label=True), *_values3(data[t3["rows"]["carried_in"]])])
    results = data[t3["rows"]["results"]]
    result_rows = sum(len(group.get("outcomes") or [None]) for group in t3["outcome_groups"]) + 1
    first = True
    for group in t3["outcome_groups"]:
        subs = group.get("outcomes")
        lead = [_cell(t3["rows"]["results"], 1, result_rows, label=True)] if first else []
        first = False
        if not subs:
            rows.append([*lead, _cell(group["label"], 2, label=True), *_values3(results[group["label"]])])
            continue
        for index, sub in enumerate(subs):
            cells = list(lead) if index == 0 else []
            if index == 0:
                cells.append(_cell(group["label"], 1, len(subs), label=True))
            cells.append(_cell(sub["label"], label=True))
            rows.append(cells + _values3(results[group["label"]][sub["label"]]))
    rows.append([_cell(t3["total_row"], 2, label=True), *_values3(results[t3["total_row"]])])
    rows.append([_cell(t3["rows"]["carried_out"], 3, label=True), *_values3(data[t3["rows"]["carried_out"]])])
    # Label columns get most of the width; the seven figures share the rest.
    widths = [10, 14, 20] + [round(56 / leaf_count, 2)] * leaf_count
    return {"kind": "table3", "columns": 3 + leaf_count, "rows": rows, "widths": widths}


def _table4_layout(data: dict[str, Any]) -> dict[str, Any]:
    t4 = report_rules()["table4"]
    results = t4["result_columns"]
    width = len(results) * len(t4["groups"])
    top: list[dict[str, Any]] = []
    middle: list[dict[str, Any]] = []
    bottom: list[dict[str, Any]] = []
    values: list[dict[str, Any]] = []
    seen_top: dict[str, dict[str, Any]] = {}
    for group in t4["groups"]:
        if group["label"] in seen_top:
            seen_top[group["label"]]["colspan"] += len(results)
        else:
            seen_top[group["label"]] = _cell(group["label"], len(results), 1, True)
            top.append(seen_top[group["label"]])
        if group.get("sub_label"):
            middle.append(_cell(group["sub_label"], len(results), 1, True))
            bottom += [_cell(column["label"], header=True) for column in results]
            cells = data[group["label"]][group["sub_label"]]
        else:
            middle += [_cell(column["label"], 1, 2, True) for column in results]
            cells = data[group["label"]]
        values += [_cell(cells[column["label"]]) for column in results]
    return {"kind": "table4", "columns": width, "rows": [top, middle, bottom, values]}


def _fee_layout(label: str, data: dict[str, Any]) -> dict[str, Any]:
    columns = list(data)
    return {
        "kind": "fees",
        "columns": len(columns),
        "rows": [
            [_cell(label, len(columns), 1, True)],
            [_cell(name, header=True) for name in columns],
            [_cell(data[name]) for name in columns],
        ],
    }


def report_layout(report: dict[str, Any]) -> dict[str, Any]:
    """Sections in order, each with its paragraphs and tables laid out as rows of cells with spans."""
    from .selectors.reports import TEXT_KEY

    rules = report_rules()
    fee_label = rules["fee_summary"]["label"]
    sections = []
    for section in rules["sections"]:
        content = report[section["label"]]
        entry: dict[str, Any] = {"label": section["label"], "paragraphs": [], "tables": []}
        if section["kind"] == "text":
            text = content.get(TEXT_KEY, "")
            entry["paragraphs"] = text.split("\n") if text else []
            if fee_label in content:
                entry["tables"].append(_fee_layout(fee_label, content[fee_label]))
        elif section["kind"] == "table2":
            entry["tables"].append(_table2_layout(content))
        elif section["kind"] == "table3":
            entry["tables"].append(_table3_layout(content))
        else:
            entry["tables"].append(_table4_layout(content))
        sections.append(entry)
    return {"title": report["标题"], "sections": sections}


def _place(layout: dict[str, Any]) -> list[tuple[int, int, dict[str, Any]]]:
    """Grid positions of the cells, as an HTML table places them (row spans reserve the cells below)."""
    taken: set[tuple[int, int]] = set()
    placed = []
    for r, row in enumerate(layout["rows"]):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, cell))
            for dr in range(cell["rowspan"]):
                for dc in range(cell["colspan"]):
                    taken.add((r + dr, c + dc))
            c += cell["colspan"]
    return placed


def report_html(report: dict[str, Any], *, standalone: bool = True) -> str:
    """The report as HTML: a complete print document (for the PDF) or a fragment for the portal page."""
    return render_to_string(
        "disclosure/documents/report.html" if standalone else "disclosure/includes/report_body.html",
        {"layout": report_layout(report)},
    )


def report_pdf(report: dict[str, Any]) -> bytes:
    return _pdf(report_html(report))


def _docx_table(document: Document, layout: dict[str, Any]) -> None:
    table = document.add_table(rows=len(layout["rows"]), cols=layout["columns"])
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    # The grid's cells, taken once before any merge: table.cell() recomputes the whole grid on every call.
    width = layout["columns"]
    grid = table._cells
    for r, c, cell in _place(layout):
        target = grid[r * width + c]
        if cell["colspan"] > 1 or cell["rowspan"] > 1:
            target = target.merge(grid[(r + cell["rowspan"] - 1) * width + c + cell["colspan"] - 1])
        target.text = ""
        paragraph = target.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.first_line_indent = None
        paragraph.paragraph_format.line_spacing = 1.0
        run = paragraph.add_run(cell["text"])
        _set_font(run, HEADING_FONT if cell["header"] else TABLE_FONT, 10.5)


def report_docx(report: dict[str, Any]) -> bytes:
    document = _new_document()
    title = document.add_paragraph(style="Title")
    _set_font(title.add_run(report["标题"]), TITLE_FONT, 22)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for section in report_layout(report)["sections"]:
        heading = document.add_heading(level=1)
        _set_font(heading.add_run(section["label"]), HEADING_FONT, 16)
        for text in section["paragraphs"]:
            _paragraph(document, text)
        for table in section["tables"]:
            _docx_table(document, table)
    return _to_bytes(document)


# -- reading a report .docx back ----------------------------------------------------------------------------------


def _number(text: str) -> int | float:
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        return float(text)


def _distinct(cells: list[Any]) -> list[Any]:
    """Merged cells appear once per grid column they cover; keep each cell once, in order."""
    seen: set[int] = set()
    result = []
    for cell in cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            result.append(cell)
    return result


def _read_table2(table: Any) -> dict[str, Any]:
    content_label = report_rules()["table2"]["content_column"]
    result: dict[str, Any] = {}
    block: dict[str, Any] | None = None
    columns: list[str] = []
    for row in table.rows:
        cells = _distinct(row.cells)
        if len(cells) == 1:
            block = result.setdefault(cells[0].text, {})
        elif cells[0].text == content_label:
            columns = [cell.text for cell in cells[1:]]
        elif block is not None:
            block[cells[0].text] = {
                name: _number(cell.text) for name, cell in zip(columns, cells[1:], strict=True)
            }
    return result


def _read_table3(table: Any) -> dict[str, Any]:
    rows = table.rows
    header1, header2 = rows[1].cells, rows[2].cells
    leaves: list[tuple[str, str | None]] = []
    for index in range(3, len(header2)):
        leaf = header2[index]
        parent = header1[index]
        leaves.append((leaf.text, None if parent._tc is leaf._tc else parent.text))
    result: dict[str, Any] = {}
    for row in rows[3:]:
        cells = row.cells
        path = [cell.text for cell in _distinct(cells[:3])]
        values: dict[str, Any] = {}
        for (label, parent), cell in zip(leaves, cells[3:], strict=True):
            if parent is None:
                values[label] = _number(cell.text)
            else:
                values.setdefault(parent, {})[label] = _number(cell.text)
        target = result
        for key in path[:-1]:
            target = target.setdefault(key, {})
        target[path[-1]] = values
    return result


def _read_table4(table: Any) -> dict[str, Any]:
    rows = table.rows
    values = rows[-1].cells
    result: dict[str, Any] = {}
    for index, value in enumerate(values):
        path: list[str] = []
        last = None
        for row in rows[:-1]:
            cell = row.cells[index]
            if cell._tc is not last:
                path.append(cell.text)
                last = cell._tc
        target = result
        for key in path[:-1]:
            target = target.setdefault(key, {})
        target[path[-1]] = _number(value.text)
    return result


def _read_fees(table: Any) -> tuple[str, dict[str, Any]]:
    rows = table.rows
    label = rows[0].cells[0].text
    names = [cell.text for cell in rows[1].cells]
    return label, {name: _number(cell.text) for name, cell in zip(names, rows[2].cells, strict=True)}


def read_report_docx(content: bytes) -> dict[str, Any]:
    """Read a report .docx written by :func:`report_docx` back into the nested label-keyed structure."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    from .selectors.reports import TEXT_KEY

    kinds = {section["label"]: section["kind"] for section in report_rules()["sections"]}
    document = Document(io.BytesIO(content))
    result: dict[str, Any] = {}
    current: str | None = None
    texts: dict[str, list[str]] = {}
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            style = block.style.name if block.style is not None else ""
            if style == "Title":
                result["标题"] = block.text
            elif style.startswith("Heading"):
                current = block.text
                texts[current] = []
                if kinds.get(current) == "text":
                    result[current] = {}
            elif current is not None and kinds.get(current) == "text":
                texts[current].append(block.text)
        elif isinstance(block, Table) and current is not None:
            kind = kinds.get(current)
            if kind == "table2":
                result[current] = _read_table2(block)
            elif kind == "table3":
                result[current] = _read_table3(block)
            elif kind == "table4":
                result[current] = _read_table4(block)
            else:
                label, values = _read_fees(block)
                result[current][label] = values
    for label, lines in texts.items():
        if kinds.get(label) == "text":
            result[label] = {TEXT_KEY: "\n".join(lines), **result[label]}
    return result
