"""The PDF measured against GB/T 9704-2012: positions read back out of the written file."""

from __future__ import annotations

import itertools
import re

import pytest

from zhengwu.oa.services.document import layout_rules, parse_document
from zhengwu.oa.services.render_pdf import render_pdf

from .fixtures import request_document, variant
from .pdfprobe import pt_to_mm, read_pdf

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
BLOCK_TOP, BLOCK_LEFT, BLOCK_RIGHT, BLOCK_BOTTOM = 37.0, 28.0, 184.0, 262.0  # GB/T 9704-2012 5.2.1
CHAR_MM = 156 / 28
PAGE_NUMBER = re.compile(r"^— (\d+) —$")


@pytest.fixture(scope="module")
def pages():
    return read_pdf(render_pdf(parse_document(request_document())))


def text_of(line) -> str:
    return "".join(run.text for run in line)


def body_lines(page):
    """Lines inside the 版心 (the page number sits below it)."""
    return [line for line in page.lines() if pt_to_mm(line[0].em_top) < BLOCK_BOTTOM]


def test_every_page_is_a4(pages):
    assert len(pages) >= 3
    for page in pages:
        assert pt_to_mm(page.width) == pytest.approx(210, abs=0.1)
        assert pt_to_mm(page.height) == pytest.approx(297, abs=0.1)


def test_full_continuation_page_starts_at_37_and_28_mm(pages):
    page = pages[1]
    lines = body_lines(page)
    first = lines[0]
    for run in first:
        assert pt_to_mm(run.em_top) == pytest.approx(BLOCK_TOP, abs=1.0), text_of(first)
    left = min(pt_to_mm(line[0].x) for line in lines)
    assert left == pytest.approx(BLOCK_LEFT, abs=1.0)
    assert all(pt_to_mm(line[0].x) >= BLOCK_LEFT - 0.05 for line in lines)


def test_full_page_has_22_body_lines(pages):
    page = pages[1]
    lines = body_lines(page)
    assert len(lines) == 22, [text_of(line)[:8] for line in lines]
    tops = [pt_to_mm(line[0].em_top) for line in lines]
    pitches = [b - a for a, b in itertools.pairwise(tops)]
    assert all(p == pytest.approx(225 / 22, abs=0.05) for p in pitches)
    assert tops[-1] + 16 / 72 * 25.4 <= BLOCK_BOTTOM


def test_full_body_line_holds_28_characters_inside_156_mm(pages):
    full = [
        line
        for page in pages[1:]
        for line in body_lines(page)
        if len(CJK.findall(text_of(line))) == len(text_of(line)) == 28
    ]
    assert full, "no line of 28 Chinese characters found"
    for line in full:
        assert pt_to_mm(line[0].x) >= BLOCK_LEFT - 0.05
        assert pt_to_mm(line[-1].right) <= BLOCK_RIGHT + 0.05
        assert pt_to_mm(line[-1].right) - pt_to_mm(line[0].x) == pytest.approx(156, abs=0.5)
    # No line of Chinese text holds a 29th character.
    assert not any(len(CJK.findall(text_of(line))) > 28 for page in pages for line in body_lines(page))


def test_red_separator_is_156_mm_wide_and_4_mm_below_the_number(pages):
    first = pages[0]
    red = [
        rect for rect in first.rects if rect.color[0] > 0.8 and rect.color[1] < 0.2 and rect.color[2] < 0.2
    ]
    assert len(red) == 1
    line = red[0]
    assert pt_to_mm(line.width) == pytest.approx(156, abs=0.1)
    assert pt_to_mm(line.x) == pytest.approx(BLOCK_LEFT, abs=0.1)
    number = next(line for line in first.lines() if "示农发〔2026〕7号" in text_of(line))
    run = next(run for run in number if "示农发" in run.text)
    em_bottom = run.em_top + run.size
    assert pt_to_mm(line.y - em_bottom) == pytest.approx(4, abs=0.5)


def test_page_numbers_outside_the_block_odd_right_even_left(pages):
    one_char = 14 / 72 * 25.4  # 4号
    for index, page in enumerate(pages, start=1):
        numbers = [line for line in page.lines() if PAGE_NUMBER.match(text_of(line))]
        assert len(numbers) == 1
        line = numbers[0]
        assert int(PAGE_NUMBER.match(text_of(line)).group(1)) == index
        assert line[0].size == pytest.approx(14, abs=0.01)
        assert pt_to_mm(line[0].em_top) == pytest.approx(BLOCK_BOTTOM + 7, abs=1.0)
        if index % 2:
            assert pt_to_mm(line[-1].right) == pytest.approx(BLOCK_RIGHT - one_char, abs=0.5)
        else:
            assert pt_to_mm(line[0].x) == pytest.approx(BLOCK_LEFT + one_char, abs=0.5)


def test_front_block_copy_number_secret_and_urgency_then_mark(pages):
    lines = pages[0].lines()
    texts = [text_of(line) for line in lines]
    assert texts[:3] == ["000037", "秘密★1年", "特急"]
    for line in lines[:3]:
        assert pt_to_mm(line[0].x) == pytest.approx(BLOCK_LEFT, abs=0.1)
    assert "Sans" in lines[1][0].font and "Sans" in lines[2][0].font  # 黑体 substitute
    mark = lines[3]
    assert text_of(mark) == "示范县农业农村局文件"
    assert pt_to_mm(mark[0].em_top) == pytest.approx(BLOCK_TOP + 35, abs=1.0)


def test_upward_number_left_and_signer_right(pages):
    line = next(line for line in pages[0].lines() if "签发人" in text_of(line))
    assert text_of(line).startswith("示农发〔2026〕7号")
    assert pt_to_mm(line[0].x) == pytest.approx(BLOCK_LEFT + CHAR_MM, abs=0.5)
    assert pt_to_mm(line[-1].right) == pytest.approx(BLOCK_RIGHT - CHAR_MM, abs=0.5)
    assert text_of(line).endswith("签发人：周建国")


def test_title_headings_and_date(pages):
    every = [line for page in pages for line in page.lines()]
    title = next(line for line in every if text_of(line).startswith("示范县农业农村局关于"))
    assert title[0].size == pytest.approx(22, abs=0.01)
    headings = {
        "一、项目基本情况": "Sans",
        "（一）建设内容和规模": None,
        "1.渠系工程": None,
        "（1）斗渠改造": None,
        "二、资金筹措和管护机制": "Sans",
    }
    for text, family in headings.items():
        line = next(line for line in every if text_of(line) == text)
        assert line[0].size == pytest.approx(16, abs=0.01)
        assert pt_to_mm(line[0].x) == pytest.approx(BLOCK_LEFT + 2 * CHAR_MM, abs=0.2)
        if family:
            assert family in line[0].font
    date = next(line for line in every if text_of(line) == "2026年11月30日")
    assert pt_to_mm(date[-1].right) == pytest.approx(BLOCK_RIGHT - 4 * CHAR_MM, abs=0.5)
    signature = next(line for line in every if text_of(line) == "示范县农业农村局")
    centre = (pt_to_mm(signature[0].x) + pt_to_mm(signature[-1].right)) / 2
    assert centre == pytest.approx((pt_to_mm(date[0].x) + pt_to_mm(date[-1].right)) / 2, abs=0.5)


def test_imprint_ends_on_the_last_line_of_the_last_page(pages):
    last = pages[-1]
    lines = body_lines(last)
    assert text_of(lines[-2]) == "抄送：县发展和改革局，县财政局。"
    printed = lines[-1]
    assert text_of(printed) == "示范县农业农村局办公室2026年12月1日印发"
    assert printed[0].size == pytest.approx(14, abs=0.01)
    assert pt_to_mm(printed[-1].right) == pytest.approx(BLOCK_RIGHT - 14 / 72 * 25.4, abs=0.5)
    assert BLOCK_BOTTOM - 12 < pt_to_mm(printed[0].em_top) < BLOCK_BOTTOM


def test_a_short_document_without_imprint_or_front_block():
    data = variant(
        kind="通知",
        signers=None,
        secret=None,
        copy_number=None,
        urgency=None,
        cc=None,
        printer=None,
        print_date=None,
        attachments=None,
        body=[{"type": "paragraph", "text": "请各单位于十二月十日前报送年度工作总结。"}],
    )
    pages = read_pdf(render_pdf(parse_document(data)))
    assert len(pages) == 1
    texts = [text_of(line) for line in pages[0].lines()]
    assert texts[0] == "示范县农业农村局文件"
    assert "签发人" not in "".join(texts)
    number = next(line for line in pages[0].lines() if text_of(line) == "示农发〔2026〕7号")
    centre = (pt_to_mm(number[0].x) + pt_to_mm(number[-1].right)) / 2
    assert centre == pytest.approx(BLOCK_LEFT + 78, abs=0.5)


def test_pdf_embeds_the_free_faces_of_the_mapping(pages):
    mapped = {
        name for face in layout_rules()["faces"].values() if isinstance(face, dict) for name in face["pdf"]
    }
    embedded = {run.font for page in pages for run in page.runs}
    assert embedded and embedded <= mapped, embedded


def test_joint_issuers_stack_their_names_with_wenjian_centred_to_the_right():
    data = variant(
        kind="意见",
        signers=None,
        issuers=[
            {"name": "示范县人民政府办公室", "code": "11330000000000000X"},
            {"name": "示范县农业农村局", "code": "11339900MB0000000Q"},
            {"name": "示范县财政局", "code": "11339900MB0000001J"},
        ],
    )
    page = read_pdf(render_pdf(parse_document(data)))[0]
    # “文件” shares the middle name's baseline: set it aside before grouping the names' lines.
    suffix = next(run for run in page.runs if run.text == "文件")
    page.runs.remove(suffix)
    lines = page.lines()
    names = [
        line
        for line in lines
        if text_of(line) in {"示范县人民政府办公室", "示范县农业农村局", "示范县财政局"}
    ]
    assert [text_of(line) for line in names] == ["示范县人民政府办公室", "示范县农业农村局", "示范县财政局"]
    assert pt_to_mm(names[0][0].em_top) == pytest.approx(BLOCK_TOP + 35, abs=1.0)
    # Stacked names share one width (distributed), 主办 first.
    lefts = {round(pt_to_mm(line[0].x), 1) for line in names}
    rights = {round(pt_to_mm(line[-1].right), 1) for line in names}
    assert len(lefts) == 1 and len(rights) == 1
    assert pt_to_mm(suffix.x) >= max(rights) - 0.1
    middle = (names[0][0].em_top + names[-1][0].em_top + names[-1][0].size) / 2
    assert suffix.em_top + suffix.size / 2 == pytest.approx(middle, abs=2.0)
    assert BLOCK_LEFT <= min(lefts) and pt_to_mm(suffix.right) <= BLOCK_RIGHT


@pytest.mark.parametrize("paragraphs", [1, 2, 14])
def test_imprint_goes_to_the_bottom_of_the_last_page_or_to_a_page_of_its_own(paragraphs):
    from .fixtures import long_text

    if paragraphs == 1:
        body = [{"type": "paragraph", "text": "请于十二月十日前报送。"}]
    elif paragraphs == 2:  # the 版记 no longer fits under the date: it goes to a page of its own
        body = [{"type": "paragraph", "text": long_text(0, 2)}]
    else:
        body = [{"type": "paragraph", "text": long_text(i, 2)} for i in range(paragraphs)]
    data = variant(
        kind="通知", signers=None, secret=None, copy_number=None, urgency=None, attachments=None, body=body
    )
    pages = read_pdf(render_pdf(parse_document(data)))
    last = body_lines(pages[-1])
    assert text_of(last[-1]) == "示范县农业农村局办公室2026年12月1日印发"
    assert BLOCK_BOTTOM - 12 < pt_to_mm(last[-1][0].em_top) < BLOCK_BOTTOM
    dates = [i for i, page in enumerate(pages) for line in page.lines() if text_of(line) == "2026年11月30日"]
    assert len(dates) == 1
    if paragraphs == 1:
        assert len(pages) == 1
    elif paragraphs == 2:
        assert len(pages) == 2 and dates == [0]
        assert [text_of(line)[:3] for line in last] == ["抄送：", "示范县"]
    else:
        # Every page keeps its number; the 版记 never splits across pages.
        assert sum(text_of(line).startswith("抄送：") for page in pages for line in page.lines()) == 1
