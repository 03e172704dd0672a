"""GB/T 9704-2012 page geometry derived from the rules file, shared by the PDF and DOCX writers."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from .document import layout_rules

MM_PER_PT = 25.4 / 72


def mm_to_pt(value: float) -> float:
    return value / MM_PER_PT


@dataclass(frozen=True)
class Geometry:
    paper_w_mm: float
    paper_h_mm: float
    top_mm: float
    left_mm: float
    right_mm: float
    bottom_mm: float
    block_w_mm: float
    block_h_mm: float
    lines: int
    chars: int
    body_size_pt: float

    @property
    def line_pitch_pt(self) -> float:
        """22 lines fill the 225 mm 版心: ≈ 28.99 pt per line."""
        return mm_to_pt(self.block_h_mm) / self.lines

    @property
    def char_pitch_pt(self) -> float:
        """28 characters fill the 156 mm line: ≈ 15.79 pt per character (3号 is 16 pt, so spacing is tightened)."""
        return mm_to_pt(self.block_w_mm) / self.chars

    @property
    def letter_spacing_pt(self) -> float:
        """Negative spacing, as Word's 文档网格 tightens 3号 to the grid.

        The last character of a line carries no spacing, so 27 pitches plus one full character must fit the line;
        three hundredths of a point less absorb the PDF writer's rounding of the spacing (it writes the advances
        in thousandths of an em). 29 characters never fit.
        """
        pitch = (mm_to_pt(self.block_w_mm) - self.body_size_pt) / (self.chars - 1) - 0.03
        return pitch - self.body_size_pt


def size_pt(name: str) -> float:
    return float(layout_rules()["sizes_pt"][name])


@cache
def geometry() -> Geometry:
    rules = layout_rules()
    paper, margins, block, grid = (
        rules["paper_mm"],
        rules["margins_mm"],
        rules["text_block_mm"],
        rules["grid"],
    )
    return Geometry(
        paper_w_mm=paper["width"],
        paper_h_mm=paper["height"],
        top_mm=margins["top"],
        left_mm=margins["left"],
        right_mm=margins["right"],
        bottom_mm=margins["bottom"],
        block_w_mm=block["width"],
        block_h_mm=block["height"],
        lines=grid["lines"],
        chars=grid["chars"],
        body_size_pt=size_pt(rules["elements"]["body"]["size"]),
    )


def em_top_in_line_pt(line_height_pt: float, font_size_pt: float) -> float:
    """Distance from a CSS line box's top to the top of the ideographic em box in that line.

    The line's content area is ascender + descender (hhea); half the leading goes above it, and the baseline sits
    one ascender below the content top; the em box's top is ``ideographic_top`` above the baseline.
    """
    metrics = layout_rules()["pdf_font_metrics"]
    content = (metrics["ascender"] + metrics["descender"]) * font_size_pt
    baseline = (line_height_pt - content) / 2 + metrics["ascender"] * font_size_pt
    return baseline - metrics["ideographic_top"] * font_size_pt


def face(key: str) -> dict:
    return layout_rules()["faces"][key]


def element(key: str) -> dict:
    return layout_rules()["elements"][key]


def mark_size_pt(issuer_names: list[str]) -> float:
    """发文机关标志 size: the rules' maximum, smaller when the mark would not fit the 156 mm line.

    One issuer: name + “文件” on one line. Joint issuers (GB/T 9704-2012 7.2.5): the names stacked, 主办 first,
    “文件” to their right, centred on them; the longest name plus “文件” must fit.
    """
    g = geometry()
    longest = max(len(name) for name in issuer_names) + 2
    return min(float(element("issuer_mark")["max_size_pt"]), mm_to_pt(g.block_w_mm) / longest - 0.5)


def form_rules(form: str) -> dict:
    """The rules of a special format (GB/T 9704-2012 chapter 10): 信函 or 纪要."""
    return layout_rules()["forms"][form]


def document_mark_size_pt(doc) -> float:
    """The mark's size for a document: joint 文件 marks as :func:`mark_size_pt`; 信函 and 纪要 marks are one line."""
    if doc.form == "文件":
        return mark_size_pt([issuer.name for issuer in doc.issuers])
    g = geometry()
    return min(
        float(element("issuer_mark")["max_size_pt"]), mm_to_pt(g.block_w_mm) / len(doc.issuer_mark) - 0.5
    )
