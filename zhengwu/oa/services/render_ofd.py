"""A 公文 as OFD (GB/T 33190-2016), from the same page layout as the PDF.

Each laid-out text run becomes a ``TextObject`` (positions in mm, per-character ``DeltaX`` from the face's advance
widths plus the grid's letter spacing), the red separator a ``PathObject``. Fonts are referred to by the standard
face names, as the DOCX does; an OFD reader without them substitutes. Not yet drawn: the 版记's rules. Written with lxml and zipfile.
"""

from __future__ import annotations

import io
import subprocess
import uuid
import zipfile
from functools import cache

from lxml import etree

from .document import OfficialDocument
from .layout import MM_PER_PT, element, face, layout_rules
from .render_pdf import has_class, iter_boxes, layout

OFD_NS = "http://www.ofdspec.org/2016"
NSMAP = {"ofd": OFD_NS}
PX_TO_MM = 0.75 * MM_PER_PT  # WeasyPrint lays out in CSS px


def _q(tag: str) -> str:
    return f"{{{OFD_NS}}}{tag}"


def _num(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") or "0"


@cache
def _font_program(family: str, bold: bool):
    """The installed font file fontconfig picks for this family, opened with fontTools (None when absent)."""
    from fontTools.ttLib import TTFont

    pattern = f"{family}:weight={'bold' if bold else 'regular'}"
    try:
        result = subprocess.run(
            ["fc-match", "-f", "%{family}\t%{file}\t%{index}", pattern],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    found_families, path, index = result.stdout.split("\t")
    if family.lower() not in found_families.lower():
        return None
    return TTFont(path, fontNumber=int(index or 0), lazy=True)


def _advances(
    text: str, families: tuple[str, ...], bold: bool, size_mm: float, spacing_mm: float
) -> list[float]:
    program = next((p for p in (_font_program(f, bold) for f in families) if p is not None), None)
    if program is None:
        return [size_mm + spacing_mm] * len(text)
    cmap, metrics = program.getBestCmap(), program["hmtx"].metrics
    em = program["head"].unitsPerEm
    out = []
    for char in text:
        glyph = cmap.get(ord(char))
        width = metrics[glyph][0] / em if glyph in metrics else 1.0
        out.append(width * size_mm + spacing_mm)
    return out


def _standard_face(families: tuple[str, ...]) -> str:
    """The standard face whose PDF list this run's font-family came from (仿宋_GB2312 when none matches)."""
    for spec in layout_rules()["faces"].values():
        if isinstance(spec, dict) and tuple(spec["pdf"]) == tuple(families[: len(spec["pdf"])]):
            return spec["standard"]
    return face("fangsong")["standard"]


def _rgb(color) -> str:
    channels = color.to("srgb").coordinates
    return " ".join(str(round(max(0.0, min(1.0, channel)) * 255)) for channel in channels[:3])


def _line(layer, next_id, x: float, y: float, width: float, thickness: float, color: str) -> None:
    path = etree.SubElement(
        layer,
        _q("PathObject"),
        ID=str(next_id()),
        Boundary=" ".join(_num(v) for v in (x, y, width, thickness)),
        LineWidth=_num(thickness),
        Stroke="true",
        Fill="false",
    )
    etree.SubElement(path, _q("StrokeColor"), Value=color)
    middle = _num(thickness / 2)
    etree.SubElement(path, _q("AbbreviatedData")).text = f"M 0 {middle} L {_num(width)} {middle}"


def _page_content(page, fonts: dict[str, int], next_id) -> bytes:
    from weasyprint.formatting_structure import boxes

    root = etree.Element(_q("Page"), nsmap=NSMAP)
    content = etree.SubElement(root, _q("Content"))
    layer = etree.SubElement(content, _q("Layer"), ID=str(next_id()))
    for box in iter_boxes(page._page_box):
        if isinstance(box, boxes.TextBox) and box.text.strip():
            style = box.style
            families = tuple(style["font_family"])
            size_mm = style["font_size"] * PX_TO_MM
            spacing = style["letter_spacing"]
            spacing_mm = 0.0 if spacing == "normal" else float(spacing) * PX_TO_MM
            bold = int(style["font_weight"]) >= 600
            advances = _advances(box.text, families, bold, size_mm, spacing_mm)
            name = _standard_face(families)
            if name not in fonts:
                fonts[name] = next_id()
            font_id = fonts[name]
            x, y = box.position_x * PX_TO_MM, box.position_y * PX_TO_MM
            width, height = max(box.width * PX_TO_MM, sum(advances)), box.height * PX_TO_MM
            text = etree.SubElement(
                layer,
                _q("TextObject"),
                ID=str(next_id()),
                Boundary=" ".join(_num(v) for v in (x, y, width, height)),
                Font=str(font_id),
                Size=_num(size_mm),
            )
            etree.SubElement(text, _q("FillColor"), Value=_rgb(style["color"]))
            code = etree.SubElement(
                text,
                _q("TextCode"),
                X="0",
                Y=_num(box.baseline * PX_TO_MM),
                DeltaX=" ".join(_num(v) for v in advances[:-1]),
            )
            if len(advances) < 2:
                del code.attrib["DeltaX"]
            code.text = box.text
        elif (has_class(box, "thick") or has_class(box, "thin")) and isinstance(box, boxes.BlockBox):
            # A 信函 double rule's line (GB/T 9704-2012 10.1): a red stroke as thick as the box is tall.
            x, y = box.position_x * PX_TO_MM, box.border_box_y() * PX_TO_MM
            width, thickness = box.border_width() * PX_TO_MM, box.border_height() * PX_TO_MM
            _line(layer, next_id, x, y, width, thickness, _rgb(box.style["background_color"]))
        elif has_class(box, "separator") and isinstance(box, boxes.BlockBox):
            spec = element("separator")
            x, y = box.position_x * PX_TO_MM, box.border_box_y() * PX_TO_MM
            width = spec["width_mm"]
            thickness = spec["thickness_mm"]
            path = etree.SubElement(
                layer,
                _q("PathObject"),
                ID=str(next_id()),
                Boundary=" ".join(_num(v) for v in (x, y, width, thickness)),
                LineWidth=_num(thickness),
                Stroke="true",
                Fill="false",
            )
            red = spec["color"].lstrip("#")
            etree.SubElement(
                path, _q("StrokeColor"), Value=" ".join(str(int(red[i : i + 2], 16)) for i in (0, 2, 4))
            )
            middle = _num(thickness / 2)
            etree.SubElement(path, _q("AbbreviatedData")).text = f"M 0 {middle} L {_num(width)} {middle}"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def render_ofd(doc: OfficialDocument) -> bytes:
    rendered = layout(doc)
    last = [0]

    def next_id() -> int:
        last[0] += 1
        return last[0]

    fonts: dict[str, int] = {}
    pages = [_page_content(page, fonts, next_id) for page in rendered.pages]
    g = layout_rules()["paper_mm"]

    ofd = etree.Element(_q("OFD"), nsmap=NSMAP, Version="1.0", DocType="OFD")
    body = etree.SubElement(ofd, _q("DocBody"))
    info = etree.SubElement(body, _q("DocInfo"))
    etree.SubElement(info, _q("DocID")).text = uuid.uuid4().hex
    etree.SubElement(info, _q("Title")).text = doc.title
    etree.SubElement(info, _q("Author")).text = doc.issuers[0].name
    etree.SubElement(info, _q("CreationDate")).text = doc.date.isoformat()
    etree.SubElement(body, _q("DocRoot")).text = "Doc_0/Document.xml"

    res = etree.Element(_q("Res"), nsmap=NSMAP, BaseLoc="Res")
    font_list = etree.SubElement(res, _q("Fonts"))
    for name, font_id in fonts.items():
        etree.SubElement(font_list, _q("Font"), ID=str(font_id), FontName=name, FamilyName=name)

    document = etree.Element(_q("Document"), nsmap=NSMAP)
    common = etree.SubElement(document, _q("CommonData"))
    max_id = etree.SubElement(common, _q("MaxUnitID"))
    area = etree.SubElement(common, _q("PageArea"))
    etree.SubElement(area, _q("PhysicalBox")).text = f"0 0 {g['width']} {g['height']}"
    etree.SubElement(common, _q("PublicRes")).text = "PublicRes.xml"
    page_list = etree.SubElement(document, _q("Pages"))
    for index in range(len(pages)):
        etree.SubElement(page_list, _q("Page"), ID=str(next_id()), BaseLoc=f"Pages/Page_{index}/Content.xml")
    max_id.text = str(last[0])

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("OFD.xml", etree.tostring(ofd, xml_declaration=True, encoding="UTF-8"))
        archive.writestr(
            "Doc_0/Document.xml", etree.tostring(document, xml_declaration=True, encoding="UTF-8")
        )
        archive.writestr("Doc_0/PublicRes.xml", etree.tostring(res, xml_declaration=True, encoding="UTF-8"))
        for index, content in enumerate(pages):
            archive.writestr(f"Doc_0/Pages/Page_{index}/Content.xml", content)
    return buffer.getvalue()
