"""A 公文 as PDF laid out to GB/T 9704-2012, with WeasyPrint and free CJK faces (mapping in rules/)."""

from __future__ import annotations

import base64
import threading
from dataclasses import dataclass
from html import escape

from .document import DocumentError, OfficialDocument, chinese_date, numbered_headings
from .layout import (
    MM_PER_PT,
    document_mark_size_pt,
    element,
    em_top_in_line_pt,
    face,
    form_rules,
    geometry,
    mm_to_pt,
    size_pt,
)

# The page area is this much taller than 22 lines so that float rounding never pushes the 22nd line over.
SLACK_MM = 0.5

_local = threading.local()


def _family(key: str) -> str:
    names = face(key)["pdf"]
    return ", ".join(f'"{name}"' for name in names) + (", sans-serif" if key == "heiti" else ", serif")


def _weight(key: str) -> int:
    return int(face(key).get("pdf_weight", 400))


def _font(key: str, size: float) -> str:
    return f"font-family: {_family(key)}; font-weight: {_weight(key)}; font-size: {size:.3f}pt;"


def _stylesheet(doc: OfficialDocument) -> str:
    g = geometry()
    pitch = g.line_pitch_pt
    body = g.body_size_pt
    shift_mm = em_top_in_line_pt(pitch, body) * MM_PER_PT  # line box top above the characters' top
    top = g.top_mm - shift_mm
    bottom = g.paper_h_mm - top - g.block_h_mm - SLACK_MM
    page_area_bottom = top + g.block_h_mm + SLACK_MM

    pn = element("page_number")
    pn_size = size_pt(pn["size"])
    pn_pad = mm_to_pt(
        g.paper_h_mm - g.bottom_mm + pn["below_text_block_mm"] - page_area_bottom
    ) - em_top_in_line_pt(pn_size, pn_size)
    pn_outer = pn["outer_indent_chars"] * pn_size
    number_css = (
        f'content: "— " counter(page) " —"; {_font(pn["face"], pn_size)} line-height: {pn_size}pt; '
        f"vertical-align: top; padding-top: {pn_pad:.3f}pt; white-space: nowrap;"
    )

    mark = element("issuer_mark")
    mark_size = document_mark_size_pt(doc)
    # The mark's top edge sits 35 mm below the 版心's top edge.
    head_height = mm_to_pt(g.top_mm + mark["top_below_text_block_mm"] - top) - em_top_in_line_pt(
        mark_size, mark_size
    )

    separator = element("separator")
    # The red line sits 4 mm below the 发文字号's characters: measured from the em box's bottom.
    number_em_bottom = em_top_in_line_pt(pitch, body) + body
    separator_gap = mm_to_pt(separator["below_number_mm"]) - (pitch - number_em_bottom)
    thickness = mm_to_pt(separator["thickness_mm"])
    imprint = element("imprint_rules")
    small = size_pt(element("cc")["size"])
    char = g.char_pitch_pt

    return f"""
@page {{
  size: {g.paper_w_mm}mm {g.paper_h_mm}mm;
  margin: {top:.4f}mm {g.right_mm}mm {bottom:.4f}mm {g.left_mm}mm;
}}
@page :right {{ @bottom-right {{ {number_css} text-align: right; padding-right: {pn_outer}pt; }} }}
@page :left {{ @bottom-left {{ {number_css} text-align: left; padding-left: {pn_outer}pt; }} }}
html, body {{ margin: 0; padding: 0; }}

body {{
  {_font("fangsong", body)} line-height: {pitch:.4f}pt; letter-spacing: {g.letter_spacing_pt:.4f}pt;
  color: #000; orphans: 1; widows: 1; text-align: justify;
}}
p, div, table {{ margin: 0; padding: 0; }}
.head {{ height: {head_height:.3f}pt; }}
.head p {{ text-align: left; }}
.copy-number {{ {_font(element("copy_number")["face"], body)} }}
.secret, .urgency {{ {_font("heiti", body)} }}
.issuer-mark {{
  {_font(mark["face"], mark_size)} line-height: {mark_size:.3f}pt; letter-spacing: 0;
  color: {mark["color"]}; text-align: center; white-space: nowrap;
}}
table.issuer-mark {{ margin: 0 auto; border-collapse: collapse; }}
table.issuer-mark td {{ padding: 0; vertical-align: middle; }}
table.issuer-mark td.names div {{ text-align: left; white-space: nowrap; }}
.number {{ margin-top: {element("number")["blank_lines_above"] * pitch:.4f}pt; text-align: center; }}
.number-row {{ margin-top: {element("number")["blank_lines_above"] * pitch:.4f}pt; width: 100%;
  border-collapse: collapse; }}
.number-row td {{ padding: 0; vertical-align: bottom; }}
.number-row .left {{ text-align: left; padding-left: {char:.4f}pt; }}
.number-row .right {{ text-align: right; padding-right: {char:.4f}pt; }}
.signer-name {{ {_font("kaiti", body)} }}
.separator {{
  margin-top: {separator_gap:.3f}pt; height: 0; border-top: {thickness:.3f}pt solid {separator["color"]};
  width: {g.block_w_mm}mm;
}}
.title {{
  {_font(element("title")["face"], size_pt(element("title")["size"]))} letter-spacing: 0;
  margin-top: {element("title")["blank_lines_above"] * pitch:.4f}pt; text-align: center;
}}
.to {{ margin-top: {element("to")["blank_lines_above"] * pitch:.4f}pt; text-align: left; }}
.body p {{ text-indent: {2 * char:.4f}pt; }}
.h1 {{ {_font(element("heading_1")["face"], body)} }}
.h2 {{ {_font(element("heading_2")["face"], body)} }}
.h3 {{ {_font(element("heading_3")["face"], body)} }}
.h4 {{ {_font(element("heading_4")["face"], body)} }}
.attachments-wrap {{ margin-top: {pitch:.4f}pt; padding-left: {2 * char:.4f}pt; }}
.attachments {{ width: 100%; border-collapse: collapse; }}
.attachments td {{ padding: 0; vertical-align: top; text-align: left; }}
.attachments td.label, .attachments td.seq {{ white-space: nowrap; width: 1px; }}
.signature {{ margin-top: {2 * pitch:.4f}pt; text-align: right; padding-right: {4 * char:.4f}pt; }}
.date {{ display: inline-block; position: relative; letter-spacing: 0; }}
.issuer-name {{
  position: absolute; left: -80mm; width: calc(100% + 160mm); text-align: center; white-space: nowrap;
}}
.note {{ text-indent: {2 * char:.4f}pt; }}
.imprint-spacer {{ height: 0; }}
.imprint {{
  font-size: {small}pt; letter-spacing: 0; width: {g.block_w_mm}mm; border-collapse: collapse;
  border-top: {mm_to_pt(imprint["outer_mm"]):.3f}pt solid #000;
  border-bottom: {mm_to_pt(imprint["outer_mm"]):.3f}pt solid #000; page-break-inside: avoid;
}}
.imprint td {{ padding: 0 {small}pt; {_font("fangsong", small)} }}
.imprint tr.cc td {{ border-bottom: {mm_to_pt(imprint["inner_mm"]):.3f}pt solid #000; text-align: left; }}
.imprint td.printer {{ text-align: left; }}
.imprint td.print-date {{ text-align: right; }}
{_letter_css(doc, top, mark_size) if doc.form == "信函" else ""}
{_minutes_css() if doc.form == "纪要" else ""}
"""


def _letter_css(doc: OfficialDocument, top_mm: float, mark_size: float) -> str:
    """信函 (GB/T 9704-2012 10.1): the first page starts higher so that the mark's top is 30 mm from the paper's
    top edge; red double rules 170 mm long centred on the 版心; no page number on the first page."""
    g = geometry()
    spec = form_rules("信函")
    pitch, body = g.line_pitch_pt, g.body_size_pt
    first_top = spec["mark_top_from_page_mm"] - em_top_in_line_pt(mark_size, mark_size) * MM_PER_PT
    mark_em_bottom = em_top_in_line_pt(mark_size, mark_size) + mark_size
    rule_gap = mm_to_pt(spec["rule_below_mark_mm"]) - (mark_size - mark_em_bottom)
    # The elements under the first rule: the first one's characters 7/8 of a 3号 character's height below it.
    under = spec["below_rule_em_fraction"] * body - em_top_in_line_pt(pitch, body)
    rule_height = spec["rule_thick_mm"] + spec["rule_gap_mm"] + spec["rule_thin_mm"]
    # The bottom rule's centre 20 mm above the paper's bottom edge, placed from the first page area's top.
    bottom_top = g.paper_h_mm - spec["bottom_rule_from_page_bottom_mm"] - rule_height / 2 - first_top
    offset = (spec["rule_length_mm"] - g.block_w_mm) / 2
    return f"""
@page :first {{ margin-top: {first_top:.4f}mm; @bottom-right {{ content: none; }} @bottom-left {{ content: none; }} }}
.double-rule {{ width: {spec["rule_length_mm"]}mm; margin-left: {-offset:.3f}mm; }}
.double-rule div {{ background: {spec["color"]}; }}
.double-rule .thick {{ height: {spec["rule_thick_mm"]}mm; }}
.double-rule .thin {{ height: {spec["rule_thin_mm"]}mm; }}
.double-rule .gap {{ height: {spec["rule_gap_mm"]}mm; background: none; }}
.double-rule.top {{ margin-top: {rule_gap:.3f}pt; }}
.double-rule.bottom {{ position: absolute; top: {bottom_top:.3f}mm; left: {-offset:.3f}mm; margin: 0;
  height: {rule_height:.3f}mm; }}
.double-rule.bottom div {{ position: absolute; left: 0; width: 100%; }}
.double-rule.bottom .thin {{ top: 0; }}
.double-rule.bottom .thick {{ top: {spec["rule_thin_mm"] + spec["rule_gap_mm"]:.3f}mm; }}
.letter-head {{ margin-top: {under:.3f}pt; width: 100%; border-collapse: collapse; }}
.letter-head td {{ padding: 0; vertical-align: top; }}
.letter-head td.left {{ text-align: left; }}
.letter-head td.right {{ text-align: right; white-space: nowrap; }}
.letter .title {{ margin-top: {spec["title_blank_lines_above"] * pitch:.4f}pt; }}
.imprint.letter {{ border: none; }}
.imprint.letter tr.cc td {{ border: none; }}
"""


def _minutes_css() -> str:
    """纪要 (GB/T 9704-2012 10.3): 期号 centred, then the issuing office and the date on one line over the red line;
    出席/请假/列席 labels in 黑体, names in 仿宋, wrapped names aligned after the colon."""
    g = geometry()
    spec = form_rules("纪要")
    char = g.char_pitch_pt
    indent = spec["attendance_indent_chars"] * char
    label = 3 * char  # “出席：”
    return f"""
.minutes .number-row {{ margin-top: 0; }}
.attendance-wrap {{ margin-top: {spec["attendance_blank_lines_above"] * g.line_pitch_pt:.4f}pt; }}
.attendance {{ padding-left: {indent + label:.4f}pt; text-indent: {-label:.4f}pt; text-align: left; }}
.attendance .label {{ {_font(spec["attendance_label_face"], g.body_size_pt)} }}
"""


@dataclass(frozen=True)
class SealImage:
    """A seal's picture to press over the 发文机关署名 and 成文日期 (its centre a little above the date)."""

    png: bytes
    width_mm: float = 42.0
    height_mm: float = 42.0
    above_date_mm: float = 4.0

    def html(self) -> str:
        source = "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")
        return (
            f'<img class="seal" alt="" src="{source}" style="position: absolute; '
            f"left: calc(50% - {self.width_mm / 2:.3f}mm); "
            f"top: calc(50% - {self.height_mm / 2 + self.above_date_mm:.3f}mm); "
            f'width: {self.width_mm:.3f}mm; height: {self.height_mm:.3f}mm;">'
        )


def _html(
    doc: OfficialDocument,
    spacer_pt: float = 0.0,
    imprint_on_new_page: bool = False,
    seal: SealImage | None = None,
) -> str:
    g = geometry()
    parts = ['<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">']
    body_class = {"信函": ' class="letter"', "纪要": ' class="minutes"'}.get(doc.form, "")
    parts.append(
        f"<title>{escape(doc.title)}</title><style>{_stylesheet(doc)}</style></head><body{body_class}>"
    )

    head = []
    if doc.copy_number:
        head.append(f'<p class="copy-number">{escape(doc.copy_number)}</p>')
    if doc.secret_level:
        secret = doc.secret_level + (f"★{doc.secret_term}" if doc.secret_term else "")
        head.append(f'<p class="secret">{escape(secret)}</p>')
    if doc.urgency:
        head.append(f'<p class="urgency">{escape(doc.urgency)}</p>')
    if doc.form == "信函":
        parts.append(_letter_head(doc, head))
    else:
        parts.append(f'<div class="head">{"".join(head)}</div>')
    if doc.form == "信函":
        pass
    elif len(doc.issuers) == 1 or doc.form == "纪要":
        parts.append(f'<div class="issuer-mark">{escape(doc.issuer_mark)}</div>')
    else:
        # Shorter names are spread to the longest one's width (分散对齐); the PDF draws no spacing after the last
        # character, so the spread names end where the longest does.
        longest = max(len(issuer.name) for issuer in doc.issuers)
        size = document_mark_size_pt(doc)
        spreads = [
            (longest - len(issuer.name)) * size / max(1, len(issuer.name) - 1) for issuer in doc.issuers
        ]
        names = "".join(
            f'<div style="letter-spacing: {spread:.3f}pt; margin-right: {-spread:.3f}pt">{escape(issuer.name)}</div>'
            for issuer, spread in zip(doc.issuers, spreads, strict=True)
        )
        parts.append(
            f'<table class="issuer-mark"><tr><td class="names">{names}</td><td class="suffix">文件</td></tr></table>'
        )

    if doc.form == "信函":
        pass
    elif doc.form == "纪要":
        # 期号 centred; the issuing office (左空一字) and the date (右空一字) on the line over the red line.
        parts.append(f'<p class="number number-text">{escape(doc.display_number)}</p>')
        parts.append(
            '<table class="number-row"><tr>'
            f'<td class="left">{escape(doc.issuers[0].name)}</td>'
            f'<td class="right minutes-date">{escape(chinese_date(doc.date))}</td></tr></table>'
        )
        parts.append('<div class="separator"></div>')
    elif doc.is_upward:
        names = "".join(f'<span class="signer-name">{escape(name)}</span>' for name in doc.signers)
        parts.append(
            '<table class="number-row"><tr>'
            f'<td class="left number-text">{escape(doc.number)}</td>'
            f'<td class="right">签发人：{names}</td></tr></table>'
        )
        parts.append('<div class="separator"></div>')
    else:
        parts.append(f'<p class="number number-text">{escape(doc.number)}</p>')
        parts.append('<div class="separator"></div>')
    parts.append(f'<p class="title">{escape(doc.title)}</p>')
    if doc.to:
        parts.append(f'<p class="to">{escape("、".join(doc.to))}：</p>')

    parts.append('<div class="body">')
    for block, prefix in numbered_headings(doc.body):
        css = f"h{block.level}" if block.type == "heading" else "paragraph"
        parts.append(f'<p class="{css}">{escape(prefix + block.text)}</p>')
    parts.append("</div>")

    if doc.attachments:
        rows = []
        many = len(doc.attachments) > 1
        for index, name in enumerate(doc.attachments, start=1):
            label = "附件：" if index == 1 else ""
            seq = f"{index}." if many else ""
            rows.append(
                f'<tr><td class="label">{label}</td><td class="seq">{seq}</td><td>{escape(name)}</td></tr>'
            )
        parts.append(
            f'<div class="attachments-wrap"><table class="attachments">{"".join(rows)}</table></div>'
        )

    if doc.attendance:
        lines = "".join(
            f'<p class="attendance"><span class="label">{escape(label)}：</span>{escape("、".join(names))}</p>'
            for label, names in doc.attendance
        )
        parts.append(f'<div class="attendance-wrap">{lines}</div>')
    if doc.form != "纪要":  # a 纪要 carries no 发文机关署名, seal or 成文日期 under its body
        pitch = g.line_pitch_pt
        issuers = "".join(
            f'<span class="issuer-name" style="top: {-(len(doc.issuers) - i) * pitch:.4f}pt">{escape(issuer.name)}</span>'
            for i, issuer in enumerate(doc.issuers)
        )
        extra_lines = max(0, len(doc.issuers) - 1) * pitch
        parts.append(
            f'<div class="signature" style="margin-top: {2 * pitch + extra_lines:.4f}pt">'
            f'<span class="date">{issuers}{escape(chinese_date(doc.date))}{seal.html() if seal else ""}</span></div>'
        )
    if doc.note:
        parts.append(f'<p class="note">（{escape(doc.note)}）</p>')

    # 信函: the 版记 has no 印发机关和印发日期 and no rules (10.1).
    printer = doc.printer if doc.form != "信函" else ""
    if doc.cc or printer:
        style = "page-break-before: always;" if imprint_on_new_page else f"height: {spacer_pt:.3f}pt;"
        letter = " letter" if doc.form == "信函" else ""
        parts.append(f'<div class="imprint-spacer" style="{style}"></div><table class="imprint{letter}">')
        if doc.cc:
            parts.append(f'<tr class="cc"><td colspan="2">抄送：{escape("，".join(doc.cc))}。</td></tr>')
        if printer:
            printed = f"{chinese_date(doc.print_date)}印发" if doc.print_date else ""
            parts.append(
                f'<tr class="print"><td class="printer">{escape(printer)}</td>'
                f'<td class="print-date">{escape(printed)}</td></tr>'
            )
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)


def _letter_head(doc: OfficialDocument, head: list[str]) -> str:
    """信函 版头: the mark, the top double rule (thick over thin), then 份号/密级/紧急程度 on the left and the 发文字号
    on the right under it; the bottom double rule (thin over thick) placed on the first page."""
    thick, gap, thin = '<div class="thick"></div>', '<div class="gap"></div>', '<div class="thin"></div>'
    return (
        f'<div class="issuer-mark">{escape(doc.issuer_mark)}</div>'
        f'<div class="double-rule top">{thick}{gap}{thin}</div>'
        f'<div class="double-rule bottom">{thin}{thick}</div>'
        f'<table class="letter-head"><tr><td class="left">{"".join(head)}</td>'
        f'<td class="right number-text">{escape(doc.number)}</td></tr></table>'
    )


def _font_config():
    from weasyprint.text.fonts import FontConfiguration

    fonts = getattr(_local, "fonts", None)
    if fonts is None:
        fonts = _local.fonts = FontConfiguration()
    return fonts


def _render(html: str):
    from weasyprint import HTML

    fonts = _font_config()
    return HTML(string=html, base_url=".").render(font_config=fonts), fonts


def iter_boxes(box):
    box = getattr(box, "_box", box)  # an absolutely positioned box sits behind a placeholder
    yield box
    for child in getattr(box, "children", ()) or ():
        yield from iter_boxes(child)


def has_class(box, name: str) -> bool:
    element = getattr(box, "element", None)
    if element is None or getattr(box, "element_tag", None) is None:
        return False
    return name in (element.get("class") or "").split()


def layout(doc: OfficialDocument, seal: SealImage | None = None):
    """The laid-out WeasyPrint document: the 版记 pushed down so its last line is the 版心's last line."""
    if seal is not None and doc.form == "纪要":
        raise DocumentError("seal", "纪要格式不署发文机关、不加盖印章。")
    rendered, _ = _render(_html(doc, seal=seal))
    if not (doc.cc or (doc.printer and doc.form != "信函")):
        return rendered
    g = geometry()
    pages = rendered.pages
    found = [
        (index, box)
        for index, page in enumerate(pages)
        for box in iter_boxes(page._page_box)
        if has_class(box, "imprint") and box.element_tag == "table" and type(box).__name__ == "BlockBox"
    ]  # the table wrapper: one box per page the 版记 lands on
    if len(found) != 1 or found[0][0] != len(pages) - 1:
        return _render(_html(doc, imprint_on_new_page=True, seal=seal))[0]
    _, table = found[0]
    page_box = pages[-1]._page_box
    area_bottom_px = page_box.margin_top + mm_to_pt(g.block_h_mm) / 0.75 + mm_to_pt(SLACK_MM) / 0.75
    spare_px = area_bottom_px - (table.position_y + table.margin_height())
    slack_px = mm_to_pt(SLACK_MM) / 0.75
    # One point short of the slack so rounding never pushes the 版记 onto a page of its own.
    spacer_pt = max(0.0, (spare_px - slack_px) * 0.75 - 1.0)
    return _render(_html(doc, spacer_pt=spacer_pt, seal=seal))[0]


def render_pdf(doc: OfficialDocument, seal: SealImage | None = None) -> bytes:
    return layout(doc, seal=seal).write_pdf()
