"""The 纪要 format (GB/T 9704-2012 10.3) measured in the PDF, read back from the DOCX and the OFD."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from lxml import etree

from zhengwu.oa.services.document import DocumentError, parse_document
from zhengwu.oa.services.render_docx import ATTENDANCE_LABEL_STYLE, STYLES, render_docx
from zhengwu.oa.services.render_ofd import render_ofd
from zhengwu.oa.services.render_pdf import SealImage, render_pdf

from .fixtures import minutes_document, variant
from .pdfprobe import pt_to_mm, read_pdf


def text_of(line) -> str:
    return "".join(run.text for run in line)


@pytest.fixture(scope="module")
def pdf():
    return render_pdf(parse_document(minutes_document()))


def test_kind_defaults_to_the_minutes_form_and_refuses_a_seal():
    doc = parse_document(minutes_document())
    assert doc.form == "纪要" and doc.display_number == "第12期"
    assert doc.attendance[0][0] == "出席" and [label for label, _ in doc.attendance] == [
        "出席",
        "请假",
        "列席",
    ]
    with pytest.raises(DocumentError) as caught:
        parse_document({**minutes_document(), "seal": True})
    assert caught.value.field == "seal"
    with pytest.raises(DocumentError) as caught:
        parse_document(variant(attendance={"出席": ["甲"]}))
    assert caught.value.field == "attendance"
    with pytest.raises(DocumentError):
        render_pdf(doc, seal=SealImage(b"\x89PNG"))


def test_mark_ends_with_minutes_and_is_red():
    archive = zipfile.ZipFile(io.BytesIO(render_ofd(parse_document(minutes_document()))))
    page = etree.fromstring(archive.read("Doc_0/Pages/Page_0/Content.xml"))
    mark = next(t for t in page.iter("{*}TextObject") if t.findtext("{*}TextCode").endswith("纪要"))
    assert mark.findtext("{*}TextCode") == "示范县农业农村局纪要"
    assert mark.find("{*}FillColor").get("Value") == "230 0 18"


def test_pdf_head_number_date_and_red_line(pdf):
    first = read_pdf(pdf)[0]
    texts = [text_of(line) for line in first.lines()]
    assert texts[0] == "示范县农业农村局纪要"
    assert pt_to_mm(first.lines()[0][0].em_top) == pytest.approx(37 + 35, abs=1.0)
    assert texts[1] == "第12期"
    row = first.lines()[2]
    assert text_of(row) == "示范县农业农村局2026年11月30日"
    red = [r for r in first.rects if r.color[0] > 0.8 and r.color[1] < 0.2]
    assert len(red) == 1 and pt_to_mm(red[0].width) == pytest.approx(156, abs=0.1)
    assert red[0].y > row[0].em_top


def test_pdf_attendance_labels_no_signature_no_seal(pdf):
    pages = read_pdf(pdf)
    lines = [line for page in pages for line in page.lines()]
    labels = {}
    for line in lines:
        if text_of(line)[:3] in ("出席：", "请假：", "列席："):
            labels[text_of(line)[:2]] = line
    assert list(labels) == ["出席", "请假", "列席"]
    for line in labels.values():
        assert "Sans" in line[0].font  # 黑体 substitute
        assert pt_to_mm(line[0].x) == pytest.approx(28 + 2 * 156 / 28, abs=0.3)
        assert "Sans" not in line[1].font  # names in 仿宋
    texts = [text_of(line) for line in lines]
    # The date appears only in the 版头 and the 版记, never as a 成文日期 under the body.
    assert sum("2026年11月30日" in t for t in texts) == 1
    assert b"/Subtype /Image" not in pdf and b"/Subtype/Image" not in pdf


def test_docx_styles_and_page_setup():
    document = docx.Document(io.BytesIO(render_docx(parse_document(minutes_document()))))
    section = document.sections[0]
    assert (section.top_margin.mm, section.left_margin.mm) == (
        pytest.approx(37, abs=0.1),
        pytest.approx(28, abs=0.1),
    )
    paragraphs = document.paragraphs
    assert paragraphs[0].style.name == STYLES["issuer_mark"] and paragraphs[0].text == "示范县农业农村局纪要"
    assert paragraphs[1].style.name == STYLES["minutes_number"] and paragraphs[1].text == "第12期"
    attendance = [p for p in paragraphs if p.style.name == STYLES["attendance"]]
    assert [p.runs[0].text for p in attendance] == ["出席：", "请假：", "列席："]
    assert all(p.runs[0].style.name == ATTENDANCE_LABEL_STYLE for p in attendance)
    names = {p.style.name for p in paragraphs}
    assert STYLES["issuer_signature"] not in names and STYLES["date"] not in names
    assert not document.inline_shapes
