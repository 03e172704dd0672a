"""``zhengwu oa render FILE.json --format pdf|docx --out PATH``: files written, bad input named in Chinese."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile

import docx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .fixtures import variant
from .pdfprobe import read_pdf


def write(tmp_path, data, name="doc.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def render(path, fmt, out):
    call_command("oa", "render", str(path), "--format", fmt, "--out", str(out), stdout=io.StringIO())


def test_renders_pdf_and_docx(tmp_path):
    source = write(tmp_path, variant(kind="通知", signers=None))
    render(source, "pdf", tmp_path / "out.pdf")
    render(source, "docx", tmp_path / "out.docx")
    render(source, "ofd", tmp_path / "out.ofd")
    with zipfile.ZipFile(tmp_path / "out.ofd") as ofd:
        assert "OFD.xml" in ofd.namelist()
        assert "示农发〔2026〕7号" in ofd.read("Doc_0/Pages/Page_0/Content.xml").decode("utf-8")
    pages = read_pdf((tmp_path / "out.pdf").read_bytes())
    assert "示农发〔2026〕7号" in "".join(run.text for run in pages[0].runs)
    assert zipfile.is_zipfile(tmp_path / "out.docx")
    text = [p.text for p in docx.Document(str(tmp_path / "out.docx")).paragraphs]
    assert "示范县农业农村局关于申请实施灌区节水改造项目的请示" in text


@pytest.mark.parametrize(
    ("changes", "field", "kept"),
    [
        ({"title": ""}, "title", None),
        ({"kind": "简报"}, "kind", "简报"),
        ({"signers": []}, "signers", "请示"),
        ({"number": {"code": "示农发", "year": 26, "serial": 7}}, "number.year", "26"),
        ({"number": {"code": "示农发", "year": 2026, "serial": 0}}, "number.serial", "0"),
        ({"number": {"code": "示农〔发", "year": 2026, "serial": 3}}, "number.code", "示农〔发"),
        ({"date": "2026年11月30日"}, "date", "2026年11月30日"),
        ({"urgency": "平急"}, "urgency", "平急"),
        ({"secret": {"level": "内部", "term": "1年"}}, "secret.level", "内部"),
        ({"copy_number": "1234567"}, "copy_number", "1234567"),
        ({"body": [{"type": "heading", "level": 5, "text": "第五层"}]}, "body[0].level", "5"),
        ({"body": [{"type": "table", "text": "表"}]}, "body[0].type", "table"),
        ({"issuers": []}, "issuers", None),
        ({"body": [{"type": "heading", "level": 1, "text": "一、总体要求"}]}, "body[0].text", "一、总体要求"),
        (
            {"body": [{"type": "heading", "level": 2, "text": "（二）工作措施"}]},
            "body[0].text",
            "（二）工作措施",
        ),
    ],
)
def test_bad_input_names_the_field(tmp_path, changes, field, kept):
    source = write(tmp_path, variant(**changes))
    out = tmp_path / "out.pdf"
    with pytest.raises(CommandError) as caught:
        render(source, "pdf", out)
    message = str(caught.value)
    assert f"“{field}”" in message
    if kept:
        assert kept in message
    assert not out.exists()


def test_seal_is_refused_when_the_seal_platform_is_not_configured(tmp_path, settings):
    settings.ZHENGWU_OA_SIGNER = "http"
    settings.ZHENGWU_OA_SIGNER_URL = ""
    source = write(tmp_path, variant(seal=True))
    out = tmp_path / "out.pdf"
    with pytest.raises(CommandError, match="未配置签章服务地址"):
        render(source, "pdf", out)
    assert not out.exists()


def test_bad_format_and_bad_json(tmp_path):
    source = write(tmp_path, variant())
    with pytest.raises(CommandError, match=r"“--format”.*“xps”"):
        render(source, "xps", tmp_path / "out.xps")
    broken = tmp_path / "broken.json"
    broken.write_text('{"kind": "通知",\n  "title": }', encoding="utf-8")
    with pytest.raises(CommandError, match="第 2 行"):
        render(broken, "pdf", tmp_path / "out.pdf")
    with pytest.raises(CommandError, match="找不到公文文件"):
        render(tmp_path / "missing.json", "pdf", tmp_path / "out.pdf")


def test_console_command_exits_non_zero_with_the_chinese_message(tmp_path):
    source = write(tmp_path, variant(signers=None))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "zhengwu.settings.test"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "zhengwu",
            "oa",
            "render",
            str(source),
            "--format",
            "docx",
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode != 0
    assert "字段“signers”：上行文（请示）必须标注签发人。" in result.stderr
