"""The 信函 format (GB/T 9704-2012 10.1) measured in the PDF, read back from the DOCX and the OFD."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from lxml import etree

from zhengwu.oa.services.document import DocumentError, parse_document
from zhengwu.oa.services.render_docx import STYLES, render_docx
from zhengwu.oa.services.render_ofd import render_ofd
from zhengwu.oa.services.render_pdf import render_pdf

from .fixtures import letter_document, variant
from .pdfprobe import pt_to_mm, read_pdf

BLOCK_LEFT, BLOCK_RIGHT = 28.0, 184.0
PAGE_NUMBER = "— {} —"


def text_of(line) -> str:
    return "".join(run.text for run in line)


def red(rect) -> bool:
    return rect.color[0] > 0.8 and rect.color[1] < 0.2 and rect.color[2] < 0.2


@pytest.fixture(scope="module")
def pages():
    return read_pdf(render_pdf(parse_document(letter_document())))


def test_form_field_accepted_and_checked():
    assert parse_document(letter_document()).form == "信函"
    assert parse_document(variant()).form == "文件"
    with pytest.raises(DocumentError) as caught:
        parse_document(variant(form="公函"))
    assert caught.value.field == "form" and "公函" in str(caught.value)
    with pytest.raises(DocumentError) as caught:
        parse_document(variant(form="纪要"))
    assert caught.value.field == "form"


def test_mark_is_30_mm_from_the_paper_top(pages):
    mark = pages[0].lines()[0]
    assert text_of(mark) == "示范县农业农村局"
    assert pt_to_mm(mark[0].em_top) == pytest.approx(30, abs=1.0)
    # The mark's red is checked in the OFD: the PDF probe reads text runs without their fill colour.


def test_two_red_double_rules_170_mm_centred(pages):
    rects = sorted((r for r in pages[0].rects if red(r)), key=lambda r: r.y)
    assert len(rects) == 4
    centre = (BLOCK_LEFT + BLOCK_RIGHT) / 2
    for rect in rects:
        assert pt_to_mm(rect.width) == pytest.approx(170, abs=0.1)
        assert pt_to_mm(rect.x) + pt_to_mm(rect.width) / 2 == pytest.approx(centre, abs=1.0)
    top_thick, top_thin, bottom_thin, bottom_thick = rects
    # Thick over thin at the top, thin over thick at the bottom.
    assert top_thick.height > top_thin.height and bottom_thick.height > bottom_thin.height
    mark = pages[0].lines()[0]
    assert pt_to_mm(top_thick.y) - pt_to_mm(mark[0].em_top + mark[0].size) == pytest.approx(4, abs=0.5)
    middle = (pt_to_mm(bottom_thin.y) + pt_to_mm(bottom_thick.y + bottom_thick.height)) / 2
    assert 297 - middle == pytest.approx(20, abs=1.0)
    assert not any(red(r) for page in pages[1:] for r in page.rects)


def test_number_on_the_right_under_the_rule_no_signer(pages):
    first = pages[0]
    line = next(line for line in first.lines() if "示农发〔2026〕7号" in text_of(line))
    assert pt_to_mm(line[-1].right) == pytest.approx(BLOCK_RIGHT, abs=0.3)
    assert text_of(line).startswith("000037")
    assert pt_to_mm(line[0].x) == pytest.approx(BLOCK_LEFT, abs=0.1)
    thin = sorted((r for r in first.rects if red(r)), key=lambda r: r.y)[1]
    gap = pt_to_mm(line[0].em_top) - pt_to_mm(thin.y + thin.height)
    assert gap == pytest.approx(16 * 7 / 8 / 72 * 25.4, abs=0.3)  # 7/8 of a 3号 character's height
    assert not any("签发人" in text_of(line) for page in pages for line in page.lines())


def test_no_page_number_on_the_first_page(pages):
    texts = [[text_of(line) for line in page.lines()] for page in pages]
    assert not any(t.startswith("— ") for t in texts[0])
    for index, page_texts in enumerate(texts[1:], start=2):
        assert PAGE_NUMBER.format(index) in page_texts


def test_imprint_has_no_printer_and_no_rules(pages):
    texts = [text_of(line) for line in pages[-1].lines()]
    assert "抄送：县发展和改革局，县财政局。" in texts
    assert not any("印发" in t for t in texts)
    assert not any(r for r in pages[-1].rects if not red(r))


def test_docx_first_page_header_and_footer():
    document = docx.Document(io.BytesIO(render_docx(parse_document(letter_document()))))
    section = document.sections[0]
    assert section.different_first_page_header_footer
    assert section.header_distance.mm == pytest.approx(30, abs=0.1)
    assert (section.page_width.mm, section.top_margin.mm, section.left_margin.mm) == (
        pytest.approx(210, abs=0.1),
        pytest.approx(37, abs=0.1),
        pytest.approx(28, abs=0.1),
    )
    header = section.first_page_header.paragraphs
    assert header[0].text == "示范县农业农村局" and header[0].style.name == STYLES["issuer_mark"]
    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
    top = header[1]._p.find("w:pPr/w:pBdr/w:top", ns)
    assert (
        header[1].style.name == STYLES["letter_rule"] and top.get(f"{{{ns['w']}}}val") == "thickThinSmallGap"
    )
    footer = section.first_page_footer.paragraphs[0]
    assert footer._p.find("w:pPr/w:pBdr/w:bottom", ns).get(f"{{{ns['w']}}}val") == "thinThickSmallGap"
    assert "PAGE" not in etree.tostring(section.first_page_footer._element, encoding="unicode")
    styles = [p.style.name for p in document.paragraphs]
    assert styles[0] == STYLES["letter_number"] and document.paragraphs[0].text.endswith("示农发〔2026〕7号")
    assert STYLES["issuer_signature"] in styles and STYLES["printer"] not in styles


def test_ofd_draws_four_rules_and_the_red_mark():
    archive = zipfile.ZipFile(io.BytesIO(render_ofd(parse_document(letter_document()))))
    page = etree.fromstring(archive.read("Doc_0/Pages/Page_0/Content.xml"))
    paths = page.findall(".//{*}PathObject")
    assert len(paths) == 4
    assert all(float(p.get("Boundary").split()[2]) == pytest.approx(170) for p in paths)
    mark = next(t for t in page.iter("{*}TextObject") if t.findtext("{*}TextCode") == "示范县农业农村局")
    assert mark.find("{*}FillColor").get("Value") == "230 0 18"
