"""The DOCX read back with python-docx: GB/T 9704-2012 page setup, 文档网格, one named style per element."""

from __future__ import annotations

import io
import math

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from zhengwu.oa.services.document import parse_document
from zhengwu.oa.services.render_docx import render_docx

from .fixtures import request_document

STANDARD_FACES = {"仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "宋体"}
# Element → face named by GB/T 9704-2012 (7.2–7.5).
EXPECTED = {
    "公文-份号": "仿宋_GB2312",
    "公文-密级和保密期限": "黑体",
    "公文-紧急程度": "黑体",
    "公文-发文机关标志": "方正小标宋简体",
    "公文-发文字号": "仿宋_GB2312",
    "公文-标题": "方正小标宋简体",
    "公文-主送机关": "仿宋_GB2312",
    "公文-正文": "仿宋_GB2312",
    "公文-一级标题": "黑体",
    "公文-二级标题": "楷体_GB2312",
    "公文-三级标题": "仿宋_GB2312",
    "公文-四级标题": "仿宋_GB2312",
    "公文-附件说明": "仿宋_GB2312",
    "公文-发文机关署名": "仿宋_GB2312",
    "公文-成文日期": "仿宋_GB2312",
    "公文-抄送机关": "仿宋_GB2312",
    "公文-印发机关和印发日期": "仿宋_GB2312",
    "公文-页码": "宋体",
}
SIZES = {"公文-标题": 22, "公文-正文": 16, "公文-一级标题": 16, "公文-抄送机关": 14, "公文-页码": 14}


@pytest.fixture(scope="module")
def document():
    return docx.Document(io.BytesIO(render_docx(parse_document(request_document()))))


def east_asia(style) -> str:
    fonts = style.element.rPr.find(qn("w:rFonts"))
    return fonts.get(qn("w:eastAsia"))


def test_a4_and_margins(document):
    section = document.sections[0]
    assert section.page_width.mm == pytest.approx(210, abs=0.1)
    assert section.page_height.mm == pytest.approx(297, abs=0.1)
    assert section.top_margin.mm == pytest.approx(37, abs=0.1)
    assert section.left_margin.mm == pytest.approx(28, abs=0.1)
    assert section.right_margin.mm == pytest.approx(26, abs=0.1)
    assert section.bottom_margin.mm == pytest.approx(35, abs=0.1)
    width = section.page_width.mm - section.left_margin.mm - section.right_margin.mm
    height = section.page_height.mm - section.top_margin.mm - section.bottom_margin.mm
    assert (width, height) == (pytest.approx(156, abs=0.1), pytest.approx(225, abs=0.1))


def test_document_grid_gives_22_lines_of_28_characters(document):
    section = document.sections[0]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    line_pitch_twips = int(grid.get(qn("w:linePitch")))
    char_space = int(grid.get(qn("w:charSpace")))
    text_height_pt = section.page_height.pt - section.top_margin.pt - section.bottom_margin.pt
    text_width_pt = section.page_width.pt - section.left_margin.pt - section.right_margin.pt
    assert math.floor(text_height_pt * 20 / line_pitch_twips) == 22
    # charSpace: extra pitch in 1/4096 pt over the default font size (3号, 16 pt) of the Normal style.
    normal_size = document.styles["Normal"].font.size.pt
    assert normal_size == 16
    assert math.floor(text_width_pt / (normal_size + char_space / 4096)) == 28


def test_one_named_style_per_element_naming_the_standard_faces(document):
    names = {style.name for style in document.styles}
    for name, face in EXPECTED.items():
        assert name in names, name
        assert east_asia(document.styles[name]) == face, name
    assert east_asia(document.styles["公文-签发人"]) == "楷体_GB2312"  # the signer's name
    for name, size in SIZES.items():
        assert document.styles[name].font.size.pt == size
    assert {east_asia(document.styles[name]) for name in EXPECTED} <= STANDARD_FACES


def test_paragraphs_use_the_styles_and_headings_are_outline_levels(document):
    used = [(p.style.name, p.text) for p in document.paragraphs]
    assert used[:3] == [
        ("公文-份号", "000037"),
        ("公文-密级和保密期限", "秘密★1年"),
        ("公文-紧急程度", "特急"),
    ]
    assert ("公文-发文机关标志", "示范县农业农村局文件") in used
    assert ("公文-一级标题", "一、项目基本情况") in used
    assert ("公文-二级标题", "（一）建设内容和规模") in used
    assert ("公文-三级标题", "1.渠系工程") in used
    assert ("公文-四级标题", "（1）斗渠改造") in used
    assert ("公文-成文日期", "2026年11月30日") in used
    for level, name in enumerate(
        ["公文-一级标题", "公文-二级标题", "公文-三级标题", "公文-四级标题"], start=1
    ):
        outline = document.styles[name].element.pPr.find(qn("w:outlineLvl"))
        assert int(outline.get(qn("w:val"))) == level
    number = next(p for p in document.paragraphs if p.text.startswith("示农发〔2026〕7号"))
    assert number.text.endswith("签发人：周建国")
    assert any(run.style.name == "公文-签发人" and run.text == "周建国" for run in number.runs)


def test_red_mark_and_separator(document):
    mark = document.styles["公文-发文机关标志"]
    assert str(mark.font.color.rgb) == "E60012"
    border = document.styles["公文-发文字号"].element.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert border.get(qn("w:color")) == "E60012"
    assert int(border.get(qn("w:space"))) == round(4 * 72 / 25.4)  # 4 mm below the number, in points


def test_date_four_characters_from_the_right_and_page_numbers_odd_right_even_left(document):
    date = document.styles["公文-成文日期"]
    assert date.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert date.element.pPr.find(qn("w:ind")).get(qn("w:rightChars")) == "400"
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT and even.alignment == WD_ALIGN_PARAGRAPH.LEFT
    for paragraph in (odd, even):
        assert paragraph.style.name == "公文-页码"
        assert paragraph._p.xpath(".//w:instrText")[0].text.strip() == "PAGE"
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")


def test_joint_issuers_in_the_mark():
    data = request_document()
    data.update(
        kind="意见",
        issuers=[
            {"name": "示范县人民政府办公室", "code": "11330000000000000X"},
            {"name": "示范县财政局", "code": ""},
        ],
    )
    document = docx.Document(io.BytesIO(render_docx(parse_document(data))))
    cells = document.tables[0].rows[0].cells
    assert [p.text for p in cells[0].paragraphs] == ["示范县人民政府办公室", "示范县财政局"]
    assert cells[1].text == "文件"
    assert {p.style.name for p in cells[0].paragraphs + cells[1].paragraphs} == {"公文-发文机关标志"}
