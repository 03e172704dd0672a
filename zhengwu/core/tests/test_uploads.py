"""Upload checks with real files made here: PDF and PNG by Pillow, DOCX by python-docx, XLSX by openpyxl,
executables renamed, text in two encodings, archives dressed up as Office documents."""

from __future__ import annotations

import io
import re
import zipfile

import docx
import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from zhengwu.core.services.uploads import (
    MAX_DISPLAY_NAME,
    check_upload,
    clean_display_name,
    safe_storage_name,
)

STORAGE_PATH = re.compile(r"uploads/\d{4}/\d{2}/\d{2}/[0-9a-f]{32}\.(\w+)")


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def image_bytes(fmt: str, size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_heading("政府信息公开申请表", level=1)
    document.add_paragraph("申请人：张三")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["事项", "时限"])
    workbook.active.append(["依申请公开", 20])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, replace: dict[str, bytes | None]) -> bytes:
    """Copy a zip archive, replacing (or, with None, dropping) some members."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename in replace:
                if replace[info.filename] is not None:
                    target.writestr(info.filename, replace[info.filename])
            else:
                target.writestr(info, source.read(info))
    return out.getvalue()


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 100
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 44
    + b"\x80\x00\x00\x00"
    + b"PE\x00\x00" * 10
)


def refused(name: str, content: bytes, **kwargs) -> str:
    with pytest.raises(ValidationError) as exc:
        check_upload(upload(name, content), **kwargs)
    return exc.value.messages[0]


# ---------------------------------------------------------------------------------------------------------------
# Accepted
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "kind", "mime"),
    [
        ("申请表.pdf", lambda: image_bytes("PDF"), "pdf", "application/pdf"),
        (
            "申请表.docx",
            docx_bytes,
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "统计表.XLSX",
            xlsx_bytes,
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("身份证.png", lambda: image_bytes("PNG"), "png", "image/png"),
        ("现场照片.jpeg", lambda: image_bytes("JPEG"), "jpg", "image/jpeg"),
    ],
)
def test_real_files_are_accepted(name, make, kind, mime):
    content = make()
    checked = check_upload(upload(name, content))
    assert (checked.kind, checked.mime, checked.size) == (kind, mime, len(content))
    assert checked.display_name == name
    match = STORAGE_PATH.fullmatch(checked.storage_name)
    assert match and match.group(1) == kind
    assert checked.file.read() == content  # left readable from the start


def test_text_files_in_utf8_and_gb18030():
    text = "事项名称,办理时限\n依申请公开,20个工作日\nBMI,体重\n"
    utf8 = check_upload(upload("事项.csv", "\ufeff".join(["", text]).encode("utf-8")))
    gbk = check_upload(upload("事项.csv", text.encode("gb18030")))
    assert (utf8.kind, utf8.encoding) == ("csv", "utf-8")
    assert (gbk.kind, gbk.encoding) == ("csv", "gb18030")
    # A CSV may well begin with letters that happen to be another format's short signature ("BM" is BMP's).
    assert check_upload(upload("体检.csv", "BMI,体重\n22.5,60\n".encode())).kind == "csv"
    assert check_upload(upload("说明.txt", "办理说明\r\n第一条\t内容\n".encode("gb18030"))).kind == "txt"


def test_ofd_when_allowed():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "OFD.xml",
            '<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"/>',
        )
        archive.writestr("Doc_0/Document.xml", "<ofd:Document/>")
    assert check_upload(upload("红头文件.ofd", out.getvalue())).kind == "ofd"
    assert "文件类型不允许" in refused("红头文件.ofd", docx_bytes())


# ---------------------------------------------------------------------------------------------------------------
# Refused
# ---------------------------------------------------------------------------------------------------------------


def test_executables_renamed_are_refused():
    message = refused("会议纪要.pdf", EXE)
    assert message.startswith("文件类型不允许：文件内容为Windows 可执行程序，与扩展名 .pdf 不符")
    assert "允许的类型：PDF、OFD、DOC、DOCX" in message
    assert refused("照片.png", ELF).startswith(
        "文件类型不允许：文件内容为Linux 可执行程序，与扩展名 .png 不符"
    )
    assert refused("数据.csv", EXE).startswith("文件类型不允许：")
    assert refused("数据.txt", ELF).startswith("文件类型不允许：")


def test_extension_must_be_allowed_and_present():
    assert refused("setup.exe", EXE).startswith("文件类型不允许：.exe。允许的类型：")
    assert refused("申请表", image_bytes("PDF")).startswith("文件类型不允许：文件名没有扩展名")
    assert (
        refused("照片.png", image_bytes("PNG"), allowed=("pdf",)) == "文件类型不允许：.png。允许的类型：PDF。"
    )


def test_empty_file_is_refused():
    assert refused("空文件.pdf", b"") == "文件为空：请重新选择要上传的文件。"


def test_content_and_extension_must_agree():
    assert "文件内容为Word 文档（.docx），与扩展名 .xlsx 不符" in refused("统计表.xlsx", docx_bytes())
    assert "文件内容为JPEG 图片（.jpg），与扩展名 .png 不符" in refused("照片.png", image_bytes("JPEG"))
    assert "与扩展名 .pdf 不符" in refused("申请表.pdf", image_bytes("PNG"))
    assert "与扩展名 .doc 不符" in refused("旧文档.doc", image_bytes("PDF"))


def test_zip_dressed_as_office_document_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")  # looks like Word to a signature sniffer
        archive.writestr("payload.exe", EXE)
    assert "缺少 Office 文档结构的 ZIP 压缩包" in refused("申请表.docx", out.getvalue())
    # Content types declaring a main part that is not in the archive do not count either.
    without_main = rezip(docx_bytes(), {"word/document.xml": None})
    assert "与扩展名 .docx 不符" in refused("申请表.docx", without_main)


def test_macro_enabled_document_is_refused():
    data = docx_bytes()
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml").decode()
    macro = types.replace(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "application/vnd.ms-word.document.macroEnabled.main+xml",
    )
    assert macro != types
    message = refused("申请表.docx", rezip(data, {"[Content_Types].xml": macro.encode()}))
    assert "启用宏的 Office 文档" in message


def test_broken_image_is_refused():
    truncated = image_bytes("PNG")[:60]
    assert "已损坏或无法打开的图片" in refused("照片.png", truncated)


def test_binary_or_foreign_text_is_refused():
    assert "不是 UTF-8 或 GB18030 编码的文本" in refused("数据.csv", b"a,b\n1,\x002\n")
    assert "不是 UTF-8 或 GB18030 编码的文本" in refused("数据.txt", bytes(range(1, 32)) * 4)
    assert "不是 UTF-8 或 GB18030 编码的文本" in refused("数据.csv", b"\xff\xfe\xfd\x80\x80")
    assert "文件内容为PDF 文档（.pdf），与扩展名 .txt 不符" in refused("说明.txt", image_bytes("PDF"))


def test_size_limits(settings):
    settings.ZHENGWU_UPLOAD_MAX_BYTES = 1024 * 1024
    big = b"a,b\n" * (1536 * 1024 // 4)
    assert refused("大表.csv", big) == "文件过大：最大 1 MB，该文件 1.5 MB。"
    # A form may only lower the limit.
    assert refused("表.csv", b"a,b\n" * 1000, max_bytes=2048) == "文件过大：最大 2 KB，该文件 3.9 KB。"
    assert refused("大表.csv", big, max_bytes=10 * 1024 * 1024).startswith("文件过大：最大 1 MB")
    assert check_upload(upload("小表.csv", b"a,b\n" * 1000), max_bytes=8192).size == 4000


def test_unknown_kind_in_allow_list_is_a_programming_error():
    with pytest.raises(ValueError, match="未知的文件类型"):
        check_upload(upload("a.pdf", image_bytes("PDF")), allowed=("pdf", "exe"))


# ---------------------------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("original", "kind", "shown"),
    [
        ("../../etc/passwd", "pdf", "passwd.pdf"),
        ("C:\\Users\\张三\\Desktop\\申请表.docx", "docx", "申请表.docx"),
        ("报告\x00\x1f\u202egpj.exe.pdf", "pdf", "报告gpj.exe.pdf"),
        ("现场照片.JPEG", "jpg", "现场照片.JPEG"),
        ("木马.exe", "pdf", "木马.exe.pdf"),
        ("无扩展名", "pdf", "无扩展名.pdf"),
        ("...", "pdf", "未命名文件.pdf"),
        ('a<b>c:"d"|e?f*.pdf', "pdf", "a_b_c__d__e_f_.pdf"),
        ("  多余   空格\t与换行\n.pdf  ", "pdf", "多余 空格 与换行.pdf"),
        ("ｆｕｌｌ.pdf", "pdf", "ｆｕｌｌ.pdf"),
    ],
)
def test_display_names_are_cleaned(original, kind, shown):
    assert clean_display_name(original, kind) == shown


def test_long_names_are_shortened_keeping_the_extension():
    shown = clean_display_name("关于" + "很长的" * 200 + "通知.docx", "docx")
    assert len(shown) == MAX_DISPLAY_NAME and shown.endswith("….docx") and shown.startswith("关于很长的")


def test_storage_names_are_random_dated_and_safe(settings, tmp_path):
    first = safe_storage_name("../../../../etc/cron.d/x.pdf", "pdf")
    second = safe_storage_name("../../../../etc/cron.d/x.pdf", "pdf")
    assert STORAGE_PATH.fullmatch(first.path) and STORAGE_PATH.fullmatch(second.path)
    assert first.path != second.path and ".." not in first.path
    assert first.display_name == "x.pdf"
    assert safe_storage_name("a.jpeg", "jpeg").path.endswith(".jpg")
    assert safe_storage_name("a.pdf", "pdf", folder="../attachments/").path.startswith("attachments/")
    with pytest.raises(ValueError):
        safe_storage_name("a.pdf", "p/../df")
    # The name works with Django's storage and the bytes come back as written.
    storage = FileSystemStorage(location=tmp_path)
    content = image_bytes("PDF")
    checked = check_upload(upload("../申请表.pdf", content))
    saved = storage.save(checked.storage_name, checked.file)
    assert saved == checked.storage_name
    with storage.open(saved, "rb") as fh:
        assert fh.read() == content
    assert (tmp_path / saved).resolve().is_relative_to(tmp_path.resolve())
