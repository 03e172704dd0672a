"""A worker renders hundreds of 告知书 PDFs in one process: its memory must not grow with each document."""

from __future__ import annotations

import os

import pytest

from zhengwu.disclosure.documents import _pdf

HTML = (
    "<html><body style='font-family: \"Noto Serif CJK SC\", serif'>"
    + "<p>依申请公开政府信息告知书：示范县人民政府办公室于2026年9月29日收到您的申请。</p>" * 30
    + "</body></html>"
)


def resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="需要 Linux 的 /proc")
def test_rendering_many_pdfs_does_not_grow_memory():
    for _ in range(3):  # fonts and caches loaded once
        assert _pdf(HTML).startswith(b"%PDF")
    before = resident_mb()
    for _ in range(15):
        _pdf(HTML)
    grown = resident_mb() - before
    # A font configuration made per document kept about 10 MB a document (150 MB here).
    assert grown < 40, f"渲染 15 份 PDF 后内存增长 {grown:.0f} MB"
