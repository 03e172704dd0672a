"""Our OFD opened by an independent reader: ofdkit (PyPI, Apache-2.0, its own OFD parser written against GB/T 33190)
reads the text back out of the package for the 文件, 信函 and 纪要 formats."""

from __future__ import annotations

import re

import pytest

from zhengwu.oa.services.document import parse_document
from zhengwu.oa.services.render_ofd import render_ofd

from .fixtures import SENTENCES, letter_document, minutes_document, request_document

ofdkit = pytest.importorskip("ofdkit")


@pytest.mark.parametrize(
    "data",
    [request_document(), letter_document(), minutes_document()],
    ids=["文件", "信函", "纪要"],
)
def test_independent_reader_reads_title_and_first_sentence(data):
    content = render_ofd(parse_document(data))
    with ofdkit.open(content) as document:
        assert len(document.pages) >= 2
        text = document.text()
        info = document.info if not callable(getattr(document, "info", None)) else document.info()
    flat = re.sub(r"\s+", "", re.sub(r"— \d+ —", "", text))  # lines and pages run on
    assert data["title"] in flat
    assert SENTENCES[0] in flat
    assert data["issuers"][0]["name"] in flat
    assert "示农发〔2026〕7号" in flat or "第12期" in flat
    assert data["title"] in str(info)
