"""A 公文 as DOCX: the GB/T 9704-2012 page setup and 文档网格, and one named style per format element and heading
level naming the standard faces (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312), so an office can keep editing."""

from __future__ import annotations

import io
import math

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from .document import OfficialDocument, chinese_date, numbered_headings
from .layout import document_mark_size_pt, element, face, form_rules, geometry, mm_to_pt, size_pt

# Style names, one per format element (《党政机关公文处理工作条例》第九条) and heading level.
STYLES = {
    "copy_number": "公文-份号",
    "secret": "公文-密级和保密期限",
    "urgency": "公文-紧急程度",
    "issuer_mark": "公文-发文机关标志",
    "number": "公文-发文字号",
    "title": "公文-标题",
    "to": "公文-主送机关",
    "body": "公文-正文",
    "heading_1": "公文-一级标题",
    "heading_2": "公文-二级标题",
    "heading_3": "公文-三级标题",
    "heading_4": "公文-四级标题",
    "attachments": "公文-附件说明",
    "issuer_signature": "公文-发文机关署名",
    "date": "公文-成文日期",
    "note": "公文-附注",
    "cc": "公文-抄送机关",
    "printer": "公文-印发机关和印发日期",
    "page_number": "公文-页码",
    # 信函 (GB/T 9704-2012 10.1) and 纪要 (10.3)
    "letter_rule": "公文-信函红色双线",
    "letter_number": "公文-信函发文字号",
    "minutes_number": "公文-纪要期号",
    "attendance": "公文-出席请假列席",
}
SIGNER_STYLE = "公文-签发人"  # character style: “签发人：” 仿宋, the names 楷体
ATTENDANCE_LABEL_STYLE = "公文-出席标注"  # character style: “出席：” 黑体


def grid_values() -> tuple[int, int]:
    """(w:linePitch in twips, w:charSpace in 1/4096 pt) for 22 × 28 on the 156 × 225 mm 版心.

    Both are rounded down: Word fits floor(225 mm / linePitch) lines and floor(156 mm / pitch) characters, so
    rounding up would leave 21 lines or 27 characters.
    """
    g = geometry()
    line_pitch = math.floor(g.line_pitch_pt * 20)
    char_space = math.floor((g.char_pitch_pt - g.body_size_pt) * 4096)
    return line_pitch, char_space


def _set_faces(rpr_owner, face_key: str) -> None:
    name = face(face_key)["standard"]
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _border(ppr, side: str, size_eighths: int, color: str, space_pt: int = 0, kind: str = "single") -> None:
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), kind)
    edge.set(qn("w:sz"), str(size_eighths))
    edge.set(qn("w:space"), str(space_pt))
    edge.set(qn("w:color"), color.lstrip("#"))
    borders.append(edge)


def _chars_indent(ppr, attr: str, chars: float) -> None:
    ind = ppr.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        ppr.append(ind)
    ind.set(qn(attr), str(round(chars * 100)))


def _no_grid_snap(ppr) -> None:
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    ppr.append(snap)


def _outline(ppr, level: int) -> None:
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), str(level))
    ppr.append(outline)


def _add_styles(document, doc: OfficialDocument) -> None:
    g = geometry()
    styles = document.styles
    normal = styles["Normal"]
    normal.font.size = Pt(g.body_size_pt)
    _set_faces(normal.element, "fangsong")
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)

    def paragraph_style(key: str, face_key: str | None = None, size: float | None = None):
        spec = element(key) if face_key is None or size is None else {}
        style = styles.add_style(STYLES[key], WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.quick_style = True
        _set_faces(style.element, face_key or spec["face"])
        style.font.size = Pt(size or size_pt(spec["size"]))
        style.paragraph_format.space_before = Pt(0)
        style.paragraph_format.space_after = Pt(0)
        return style

    for key in ("copy_number", "secret", "urgency"):
        paragraph_style(key)

    mark = element("issuer_mark")
    mark_size = document_mark_size_pt(doc)
    style = paragraph_style("issuer_mark", size=mark_size)
    style.font.color.rgb = RGBColor.from_string(mark["color"].lstrip("#"))
    style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _no_grid_snap(style.element.get_or_add_pPr())

    style = paragraph_style("number")
    style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    style.paragraph_format.space_before = Pt(element("number")["blank_lines_above"] * g.line_pitch_pt)
    separator = element("separator")
    _border(
        style.element.get_or_add_pPr(),
        "bottom",
        round(mm_to_pt(separator["thickness_mm"]) * 8),
        separator["color"],
        round(mm_to_pt(separator["below_number_mm"])),
    )

    signer = styles.add_style(SIGNER_STYLE, WD_STYLE_TYPE.CHARACTER)
    _set_faces(signer.element, element("signer")["name_face"])

    style = paragraph_style("title")
    style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    style.paragraph_format.space_before = Pt(element("title")["blank_lines_above"] * g.line_pitch_pt)
    _outline(style.element.get_or_add_pPr(), 0)

    style = paragraph_style("to")
    style.paragraph_format.space_before = Pt(element("to")["blank_lines_above"] * g.line_pitch_pt)

    for key, level in (
        ("body", None),
        ("heading_1", 1),
        ("heading_2", 2),
        ("heading_3", 3),
        ("heading_4", 4),
    ):
        style = paragraph_style(key)
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        style.paragraph_format.first_line_indent = Pt(2 * g.char_pitch_pt)
        ppr = style.element.get_or_add_pPr()
        _chars_indent(ppr, "w:firstLineChars", element("body")["indent_chars"])
        if level:
            _outline(ppr, level)

    style = paragraph_style("attachments")
    style.paragraph_format.space_before = Pt(element("attachments")["blank_lines_above"] * g.line_pitch_pt)
    style.paragraph_format.left_indent = Pt(2 * g.char_pitch_pt)

    style = paragraph_style("issuer_signature")
    style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    style.paragraph_format.space_before = Pt(
        element("issuer_signature")["blank_lines_above"] * g.line_pitch_pt
    )

    style = paragraph_style("date")
    style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    style.paragraph_format.right_indent = Pt(element("date")["right_indent_chars"] * g.char_pitch_pt)
    _chars_indent(style.element.get_or_add_pPr(), "w:rightChars", element("date")["right_indent_chars"])

    style = paragraph_style("note")
    style.paragraph_format.first_line_indent = Pt(2 * g.char_pitch_pt)

    for key in ("cc", "printer"):
        style = paragraph_style(key)
        small = size_pt(element(key)["size"])
        style.paragraph_format.left_indent = Pt(small)
        style.paragraph_format.right_indent = Pt(small)

    style = paragraph_style("page_number")
    _no_grid_snap(style.element.get_or_add_pPr())

    if doc.form == "信函":
        spec = form_rules("信函")
        offset = Mm((spec["rule_length_mm"] - g.block_w_mm) / 2)
        style = paragraph_style("letter_rule", face_key="fangsong", size=g.body_size_pt)
        style.paragraph_format.left_indent = -offset
        style.paragraph_format.right_indent = -offset
        style.paragraph_format.line_spacing = Pt(2)
        _no_grid_snap(style.element.get_or_add_pPr())
        style = paragraph_style("letter_number", face_key="fangsong", size=g.body_size_pt)
        style.paragraph_format.space_before = Pt(spec["below_rule_em_fraction"] * g.body_size_pt)
        style.paragraph_format.tab_stops.add_tab_stop(Mm(g.block_w_mm), WD_TAB_ALIGNMENT.RIGHT)
    if doc.form == "纪要":
        spec = form_rules("纪要")
        style = paragraph_style("minutes_number", face_key="fangsong", size=g.body_size_pt)
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        style.paragraph_format.space_before = Pt(element("number")["blank_lines_above"] * g.line_pitch_pt)
        style = paragraph_style("attendance", face_key=spec["attendance_face"], size=g.body_size_pt)
        label = 3 * g.char_pitch_pt  # “出席：”
        style.paragraph_format.left_indent = Pt(spec["attendance_indent_chars"] * g.char_pitch_pt + label)
        style.paragraph_format.first_line_indent = Pt(-label)
        label_style = styles.add_style(ATTENDANCE_LABEL_STYLE, WD_STYLE_TYPE.CHARACTER)
        _set_faces(label_style.element, spec["attendance_label_face"])


def _page_setup(document) -> None:
    g = geometry()
    section = document.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width = Mm(g.paper_w_mm)
    section.page_height = Mm(g.paper_h_mm)
    section.top_margin = Mm(g.top_mm)
    section.bottom_margin = Mm(g.bottom_mm)
    section.left_margin = Mm(g.left_mm)
    section.right_margin = Mm(g.right_mm)
    # The page number's line begins 7 mm below the 版心; Word measures the footer from the paper's bottom edge.
    pn = element("page_number")
    pn_line_mm = size_pt(pn["size"]) * 1.3 * 25.4 / 72
    section.footer_distance = Mm(g.bottom_mm - pn["below_text_block_mm"] - pn_line_mm)
    section.header_distance = Mm(15)

    line_pitch, char_space = grid_values()
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(line_pitch))
    grid.set(qn("w:charSpace"), str(char_space))


def _page_number(paragraph) -> None:
    paragraph.add_run("— ")
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            node = OxmlElement("w:fldChar")
            node.set(qn("w:fldCharType"), kind)
        elif text.strip() == "PAGE":
            node = OxmlElement("w:instrText")
            node.set(qn("xml:space"), "preserve")
            node.text = text
        else:
            node = OxmlElement("w:t")
            node.text = text
        run._r.append(node)
    paragraph.add_run(" —")


def _footers(document) -> None:
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    pn = element("page_number")
    outer = Pt(pn["outer_indent_chars"] * size_pt(pn["size"]))
    odd = section.footer.paragraphs[0]
    odd.style = document.styles[STYLES["page_number"]]
    odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    odd.paragraph_format.right_indent = outer
    _page_number(odd)
    even = section.even_page_footer.paragraphs[0]
    even.style = document.styles[STYLES["page_number"]]
    even.alignment = WD_ALIGN_PARAGRAPH.LEFT
    even.paragraph_format.left_indent = outer
    _page_number(even)


def _imprint(document, doc: OfficialDocument) -> None:
    """版记: 抄送机关 and 印发机关和印发日期 between rules the width of the 版心."""
    imprint = element("imprint_rules")
    outer, inner = round(mm_to_pt(imprint["outer_mm"]) * 8), round(mm_to_pt(imprint["inner_mm"]) * 8)
    rows = []
    if doc.cc:
        rows.append(("cc", f"抄送：{'，'.join(doc.cc)}。"))
    letter = doc.form == "信函"  # 10.1: no 印发机关和印发日期 and no rules in a 信函's 版记
    if doc.printer and not letter:
        rows.append(("printer", doc.printer))
    g = geometry()
    for index, (key, text) in enumerate(rows):
        paragraph = document.add_paragraph(style=STYLES[key])
        ppr = paragraph._p.get_or_add_pPr()
        if letter:
            paragraph.add_run(text)
            continue
        if index == 0:
            _border(ppr, "top", outer, "#000000", 1)
        _border(ppr, "bottom", outer if index == len(rows) - 1 else inner, "#000000", 1)
        paragraph.add_run(text)
        if key == "printer" and doc.print_date:
            small = size_pt(element("printer")["size"])
            stop = Mm(g.block_w_mm) - Pt(2 * small)
            paragraph.paragraph_format.tab_stops.add_tab_stop(stop, WD_TAB_ALIGNMENT.RIGHT)
            paragraph.add_run(f"\t{chinese_date(doc.print_date)}印发")


def _float_seal(paragraph, seal, date_text: str) -> None:
    """The seal's picture floating behind the text, its centre over the 成文日期 and a little above it.

    python-docx adds pictures inline; the inline drawing is rewritten as an anchor placed from the 版心's left edge
    (the date is right-aligned with a right indent, so its centre is computed from its width) and from the date
    paragraph's top.
    """
    from docx.oxml import parse_xml

    g = geometry()
    char_mm = g.block_w_mm / g.chars
    ems = sum(0.5 if ch.isascii() else 1.0 for ch in date_text)
    indent_mm = element("date")["right_indent_chars"] * char_mm
    centre_x = g.block_w_mm - indent_mm - ems * char_mm / 2
    centre_y = g.block_h_mm / g.lines / 2 - seal.above_date_mm
    run = paragraph.add_run()
    inline = run.add_picture(io.BytesIO(seal.png), width=Mm(seal.width_mm), height=Mm(seal.height_mm))._inline
    emu = 36000  # EMU per mm
    left = round((centre_x - seal.width_mm / 2) * emu)
    top = round((centre_y - seal.height_mm / 2) * emu)
    extent = inline.extent
    anchor = parse_xml(
        '<wp:anchor xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        'distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="251659264" behindDoc="1" '
        'locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
        f'<wp:positionH relativeFrom="margin"><wp:posOffset>{left}</wp:posOffset></wp:positionH>'
        f'<wp:positionV relativeFrom="paragraph"><wp:posOffset>{top}</wp:posOffset></wp:positionV>'
        f'<wp:extent cx="{extent.cx}" cy="{extent.cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        "<wp:wrapNone/></wp:anchor>"
    )
    for child in list(inline):
        if child.tag in (qn("wp:docPr"), qn("wp:cNvGraphicFramePr"), qn("a:graphic")):
            anchor.append(child)
    inline.getparent().replace(inline, anchor)


def _head(document, doc: OfficialDocument, para) -> None:
    """文件 and 纪要 版头: 份号, 密级, 紧急程度, the mark 35 mm below the 版心's top, the number, the red line."""
    g = geometry()
    head_lines = 0
    if doc.copy_number:
        para("copy_number", doc.copy_number)
        head_lines += 1
    if doc.secret_level:
        para("secret", doc.secret_level + (f"★{doc.secret_term}" if doc.secret_term else ""))
        head_lines += 1
    if doc.urgency:
        para("urgency", doc.urgency)
        head_lines += 1
    mark_space = Pt(
        max(0.0, mm_to_pt(element("issuer_mark")["top_below_text_block_mm"]) - head_lines * g.line_pitch_pt)
    )
    if len(doc.issuers) == 1 or doc.form == "纪要":
        mark = para("issuer_mark", doc.issuer_mark)
        mark.paragraph_format.space_before = mark_space
    else:
        # Joint issuers: the names stacked (主办 first) and “文件” centred to their right, in a borderless table.
        spacer = para("issuer_mark")
        spacer.paragraph_format.space_before = mark_space
        spacer.paragraph_format.line_spacing = Pt(
            1
        )  # exact: the spacer carries only the space above the mark
        table = document.add_table(rows=1, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        names, suffix = table.rows[0].cells
        for index, issuer in enumerate(doc.issuers):
            paragraph = names.paragraphs[0] if index == 0 else names.add_paragraph()
            paragraph.style = document.styles[STYLES["issuer_mark"]]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.DISTRIBUTE
            paragraph.add_run(issuer.name)
        suffix.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
        suffix.paragraphs[0].style = document.styles[STYLES["issuer_mark"]]
        suffix.paragraphs[0].add_run("文件")

    if doc.form == "纪要":
        # 期号 centred; the issuing office and the date on the next line, which carries the red line.
        para("minutes_number", doc.display_number)
        row = para("number", doc.issuers[0].name)
        row.alignment = WD_ALIGN_PARAGRAPH.LEFT
        row.paragraph_format.space_before = Pt(0)
        row.paragraph_format.left_indent = Pt(g.char_pitch_pt)
        row.paragraph_format.tab_stops.add_tab_stop(
            Mm(g.block_w_mm) - Pt(2 * g.char_pitch_pt), WD_TAB_ALIGNMENT.RIGHT
        )
        row.add_run("\t" + chinese_date(doc.date))
        return
    number = para("number", doc.number)
    if doc.is_upward:
        number.alignment = WD_ALIGN_PARAGRAPH.LEFT
        number.paragraph_format.left_indent = Pt(g.char_pitch_pt)
        number.paragraph_format.tab_stops.add_tab_stop(
            Mm(g.block_w_mm) - Pt(2 * g.char_pitch_pt), WD_TAB_ALIGNMENT.RIGHT
        )
        number.add_run("\t签发人：")
        number.add_run("、".join(doc.signers), style=SIGNER_STYLE)


def _letter_head(document, doc: OfficialDocument, para) -> None:
    """信函 版头 in the body: 份号/密级/紧急程度 on the left under the first double rule, the 发文字号 on the right of
    the first of those lines (the mark and the rules sit in the first page's header and footer)."""
    head = [doc.copy_number]
    if doc.secret_level:
        head.append(doc.secret_level + (f"★{doc.secret_term}" if doc.secret_term else ""))
    head.append(doc.urgency)
    head = [text for text in head if text] or [""]
    first = para("letter_number", head[0])
    first.add_run("\t" + doc.number)
    for text in head[1:]:
        paragraph = para("letter_number", text)
        paragraph.paragraph_format.space_before = Pt(0)


def _letter_first_page(document, doc: OfficialDocument) -> None:
    """信函 first page: the mark 30 mm from the paper's top over a thick-over-thin red rule in the header, a
    thin-over-thick rule 20 mm from the paper's bottom in the footer, and no page number (10.1)."""
    spec = form_rules("信函")
    section = document.sections[0]
    section.different_first_page_header_footer = True
    section.header_distance = Mm(spec["mark_top_from_page_mm"])
    size = round(mm_to_pt(spec["rule_thick_mm"] + spec["rule_gap_mm"] + spec["rule_thin_mm"]) * 8)
    header = section.first_page_header
    mark = header.paragraphs[0]
    mark.style = document.styles[STYLES["issuer_mark"]]
    mark.add_run(doc.issuer_mark)
    rule = header.add_paragraph(style=STYLES["letter_rule"])
    _border(rule._p.get_or_add_pPr(), "top", size, spec["color"], 0, kind="thickThinSmallGap")
    mark.paragraph_format.space_after = Mm(spec["rule_below_mark_mm"])
    footer = section.first_page_footer
    bottom = footer.paragraphs[0]
    bottom.style = document.styles[STYLES["letter_rule"]]
    _border(bottom._p.get_or_add_pPr(), "bottom", size, spec["color"], 0, kind="thinThickSmallGap")


def render_docx(doc: OfficialDocument, seal=None) -> bytes:
    """``seal``: a render_pdf.SealImage whose picture floats over the 成文日期 (a picture only, not a signature)."""
    document = Document()
    _page_setup(document)
    _add_styles(document, doc)
    g = geometry()
    # Reuse the template's empty first paragraph when it has one.
    first = document.paragraphs[0] if document.paragraphs else None

    def para(key: str, text: str = ""):
        nonlocal first
        if first is not None:
            paragraph, first = first, None
            paragraph.style = document.styles[STYLES[key]]
        else:
            paragraph = document.add_paragraph(style=STYLES[key])
        if text:
            paragraph.add_run(text)
        return paragraph

    if doc.form == "信函":
        _letter_head(document, doc, para)
    else:
        _head(document, doc, para)

    para("title", doc.title)
    if doc.to:
        para("to", "、".join(doc.to) + "：")
    for block, prefix in numbered_headings(doc.body):
        para("body" if block.type == "paragraph" else f"heading_{block.level}", prefix + block.text)
    for index, name in enumerate(doc.attachments, start=1):
        many = len(doc.attachments) > 1
        label = "附件：" if index == 1 else "\u3000\u3000\u3000"
        paragraph = para("attachments", f"{label}{f'{index}.' if many else ''}{name}")
        if index > 1:
            paragraph.paragraph_format.space_before = Pt(0)
    for index, (label, names) in enumerate(doc.attendance):
        paragraph = para("attendance")
        if index == 0:
            paragraph.paragraph_format.space_before = Pt(
                form_rules("纪要")["attendance_blank_lines_above"] * g.line_pitch_pt
            )
        paragraph.add_run(f"{label}：", style=ATTENDANCE_LABEL_STYLE)
        paragraph.add_run("、".join(names))
    if doc.form != "纪要":  # a 纪要 has no 发文机关署名, seal or 成文日期 under its body (10.3)
        for index, issuer in enumerate(doc.issuers):
            paragraph = para("issuer_signature", issuer.name)
            if index:
                paragraph.paragraph_format.space_before = Pt(0)
        date_paragraph = para("date", chinese_date(doc.date))
        if seal is not None:
            _float_seal(date_paragraph, seal, chinese_date(doc.date))
    if doc.note:
        para("note", f"（{doc.note}）")
    if doc.cc or (doc.printer and doc.form != "信函"):
        _imprint(document, doc)
    _footers(document)
    if doc.form == "信函":
        _letter_first_page(document, doc)

    core = document.core_properties
    core.title = doc.title
    core.author = doc.issuers[0].name
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
