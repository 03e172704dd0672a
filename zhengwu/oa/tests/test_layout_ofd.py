"""The OFD (GB/T 33190-2016) read back with lxml: structure, page box, text, the red line, and positions that
agree with the PDF laid out from the same model."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from lxml import etree

from zhengwu.oa.services.document import parse_document
from zhengwu.oa.services.render_ofd import render_ofd
from zhengwu.oa.services.render_pdf import render_pdf

from .fixtures import request_document
from .pdfprobe import pt_to_mm, read_pdf

NS = {"ofd": "http://www.ofdspec.org/2016"}


@pytest.fixture(scope="module")
def archive():
    return zipfile.ZipFile(io.BytesIO(render_ofd(parse_document(request_document()))))


def xml(archive, name):
    return etree.fromstring(archive.read(name))


def page_files(archive):
    document = xml(archive, "Doc_0/Document.xml")
    return ["Doc_0/" + page.get("BaseLoc") for page in document.findall("ofd:Pages/ofd:Page", NS)]


def test_structure_and_a4_page_box(archive):
    root = xml(archive, "OFD.xml")
    assert root.tag == "{http://www.ofdspec.org/2016}OFD"
    assert root.findtext("ofd:DocBody/ofd:DocRoot", namespaces=NS) == "Doc_0/Document.xml"
    document = xml(archive, "Doc_0/Document.xml")
    assert document.findtext("ofd:CommonData/ofd:PageArea/ofd:PhysicalBox", namespaces=NS) == "0 0 210 297"
    files = page_files(archive)
    assert len(files) >= 3 and all(name in archive.namelist() for name in files)
    ids = [
        int(node.get("ID"))
        for name in ["Doc_0/PublicRes.xml", "Doc_0/Document.xml", *files]
        for node in xml(archive, name).iter()
        if node.get("ID")
    ]
    assert len(ids) == len(set(ids))
    assert int(document.findtext("ofd:CommonData/ofd:MaxUnitID", namespaces=NS)) == max(ids)
    fonts = {font.get("FontName") for font in xml(archive, "Doc_0/PublicRes.xml").iter("{*}Font")}
    assert {"仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312"} <= fonts


def test_text_reads_back(archive):
    text = "".join(
        code.text for name in page_files(archive) for code in xml(archive, name).iter("{*}TextCode")
    )
    numbers = re.findall(r"— (\d+) —", text)
    assert numbers == [str(n) for n in range(1, len(page_files(archive)) + 1)]
    text = re.sub(r"— \d+ —", "", text)  # paragraphs run on across the page numbers
    data = request_document()
    assert data["title"] in text
    for block in data["body"]:
        assert block["text"] in text


def test_red_line_and_positions_agree_with_the_pdf(archive):
    first = xml(archive, page_files(archive)[0])
    paths = first.findall(".//ofd:PathObject", NS)
    assert len(paths) == 1
    x, _, width, _ = (float(v) for v in paths[0].get("Boundary").split())
    assert (x, width) == (pytest.approx(28, abs=0.1), pytest.approx(156, abs=0.1))
    assert paths[0].find("ofd:StrokeColor", NS).get("Value") == "230 0 18"

    pdf_pages = read_pdf(render_pdf(parse_document(request_document())))
    second = xml(archive, page_files(archive)[1])
    objects = second.findall(".//ofd:TextObject", NS)
    for obj in objects[:5]:
        bx, by, _, _ = (float(v) for v in obj.get("Boundary").split())
        code = obj.find("ofd:TextCode", NS)
        baseline = by + float(code.get("Y"))
        run = next(r for r in pdf_pages[1].runs if r.text == code.text)
        assert baseline == pytest.approx(pt_to_mm(run.baseline), abs=0.1)
        assert bx == pytest.approx(pt_to_mm(run.x), abs=0.1)
        deltas = [float(v) for v in code.get("DeltaX", "").split()]
        assert sum(deltas) == pytest.approx(pt_to_mm(sum(run.advances[:-1])), abs=0.3)
