"""Checks on every uploaded file: type by content against an allow-list, size, and a safe storage name.

The type is what the bytes say (``filetype`` signatures), and the file name's extension must agree with it:
an executable renamed ``.pdf`` is refused. Office Open XML files are zip archives, so a zip is accepted as
``.docx``/``.xlsx``/``.pptx`` only when its ``[Content_Types].xml`` declares the matching main part; an OFD file
only when it holds ``OFD.xml``. Text types have no signature: they must decode as UTF-8 or GB18030 and contain no
NUL bytes. Images are opened with Pillow, which also refuses decompression bombs.

Files are stored under a random name in a dated folder with the detected extension; the original name, cleaned of
paths, control characters and excess length, is kept only for display.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import IO, Any, NamedTuple
from xml.etree import ElementTree

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

_SNIFF_BYTES = 8192
_CHUNK = 1024 * 1024
_MAX_CONTENT_TYPES_BYTES = 1024 * 1024

DEFAULT_ALLOWED = ("pdf", "ofd", "doc", "docx", "xls", "xlsx", "wps", "et", "jpg", "png", "txt", "csv")


@dataclass(frozen=True)
class FileKind:
    extension: str
    label: str
    mime: str
    aliases: tuple[str, ...] = ()
    # What ``filetype`` reports for this kind (None: no signature, checked otherwise).
    sniffed: tuple[str, ...] = ()
    container: str = ""  # "ooxml", "ofd", "ole", "zip", "text" or "" (signature alone decides)
    image: bool = False


_OOXML_MAIN = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
_OOXML_MAIN_ALTERNATIVES = {
    # Templates and macro-free variants that Office saves under the same extension.
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml",),
}

KINDS: dict[str, FileKind] = {
    kind.extension: kind
    for kind in (
        FileKind("pdf", "PDF 文档", "application/pdf", sniffed=("pdf",)),
        FileKind("ofd", "OFD 版式文档", "application/ofd", sniffed=("zip",), container="ofd"),
        FileKind("doc", "Word 97-2003 文档", "application/msword", sniffed=("doc",), container="ole"),
        FileKind(
            "xls", "Excel 97-2003 工作簿", "application/vnd.ms-excel", sniffed=("xls",), container="ole"
        ),
        FileKind(
            "ppt",
            "PowerPoint 97-2003 演示文稿",
            "application/vnd.ms-powerpoint",
            sniffed=("ppt",),
            container="ole",
        ),
        FileKind("wps", "WPS 文字文档", "application/vnd.ms-works", container="ole"),
        FileKind("et", "WPS 表格文档", "application/vnd.ms-excel", container="ole"),
        FileKind(
            "docx",
            "Word 文档",
            _OOXML_MAIN["docx"].replace(".main+xml", ""),
            sniffed=("docx", "zip"),
            container="ooxml",
        ),
        FileKind(
            "xlsx",
            "Excel 工作簿",
            _OOXML_MAIN["xlsx"].replace(".main+xml", ""),
            sniffed=("xlsx", "zip"),
            container="ooxml",
        ),
        FileKind(
            "pptx",
            "PowerPoint 演示文稿",
            _OOXML_MAIN["pptx"].replace(".main+xml", ""),
            sniffed=("pptx", "zip"),
            container="ooxml",
        ),
        FileKind("odt", "OpenDocument 文本", "application/vnd.oasis.opendocument.text", sniffed=("odt",)),
        FileKind(
            "ods", "OpenDocument 表格", "application/vnd.oasis.opendocument.spreadsheet", sniffed=("ods",)
        ),
        FileKind("jpg", "JPEG 图片", "image/jpeg", aliases=("jpeg", "jpe"), sniffed=("jpg",), image=True),
        FileKind("png", "PNG 图片", "image/png", sniffed=("png",), image=True),
        FileKind("gif", "GIF 图片", "image/gif", sniffed=("gif",), image=True),
        FileKind("bmp", "BMP 图片", "image/bmp", sniffed=("bmp",), image=True),
        FileKind("tif", "TIFF 图片", "image/tiff", aliases=("tiff",), sniffed=("tif",), image=True),
        FileKind("webp", "WebP 图片", "image/webp", sniffed=("webp",), image=True),
        FileKind("zip", "ZIP 压缩包", "application/zip", sniffed=("zip",), container="zip"),
        FileKind("rar", "RAR 压缩包", "application/vnd.rar", sniffed=("rar",)),
        FileKind("7z", "7z 压缩包", "application/x-7z-compressed", sniffed=("7z",)),
        FileKind("mp3", "MP3 音频", "audio/mpeg", sniffed=("mp3",)),
        FileKind("mp4", "MP4 视频", "video/mp4", sniffed=("mp4", "m4v")),
        FileKind("txt", "文本文件", "text/plain", container="text"),
        FileKind("csv", "CSV 表格", "text/csv", container="text"),
    )
}
_ALIASES = {alias: kind.extension for kind in KINDS.values() for alias in (kind.extension, *kind.aliases)}

_DESCRIBE_SNIFFED = {
    "exe": "Windows 可执行程序",
    "elf": "Linux 可执行程序",
    "dmg": "磁盘映像",
    "sqlite": "数据库文件",
    "swf": "Flash 文件",
    "zip": "ZIP 压缩包",
}

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Binary formats whose signature a text file cannot plausibly start with (weaker ones such as "BM" for BMP can).
_BINARY_MAGIC = (
    b"PK\x03\x04",
    b"%PDF-",
    _OLE_MAGIC,
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"\x7fELF",
    b"Rar!",
    b"7z\xbc\xaf",
)
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")


@dataclass(frozen=True)
class CheckedUpload:
    """What :func:`check_upload` found: the detected kind, the size, the display name and where to store it."""

    file: Any
    kind: str
    mime: str
    size: int
    display_name: str
    storage_name: str
    encoding: str = ""  # text files: "utf-8" or "gb18030"

    @property
    def label(self) -> str:
        return KINDS[self.kind].label


class StorageName(NamedTuple):
    path: str
    display_name: str


def canonical_extension(name: str) -> str:
    """``"报告.JPEG"`` → ``"jpg"``; ``""`` when the name has no extension."""
    base = re.split(r"[/\\]", unicodedata.normalize("NFKC", name or ""))[-1].strip().rstrip(". ")
    stem, dot, ext = base.rpartition(".")
    if not dot or not stem.strip("."):
        return ""
    ext = ext.strip().lower()
    return _ALIASES.get(ext, ext)


def _kinds_text(allowed: Iterable[str]) -> str:
    return "、".join(ext.upper() for ext in allowed)


def _size_text(n: int) -> str:
    """``"50 MB"``, ``"1.5 MB"``, ``"200 KB"``, ``"12 字节"``."""

    def number(value: float) -> str:
        return f"{value:.1f}".rstrip("0").rstrip(".") if value < 10 else f"{value:.0f}"

    if n >= 1024 * 1024:
        return f"{number(n / (1024 * 1024))} MB"
    if n >= 1024:
        return f"{number(n / 1024)} KB"
    return f"{n} 字节"


def _type_error(detail: str, allowed: Iterable[str]) -> ValidationError:
    return ValidationError(
        f"文件类型不允许：{detail}。允许的类型：{_kinds_text(allowed)}。", code="file_type"
    )


def _read_head(fh: IO[bytes]) -> bytes:
    fh.seek(0)
    head = fh.read(_SNIFF_BYTES)
    fh.seek(0)
    return head


def _zip_names_and_types(fh: IO[bytes]) -> tuple[set[str], str | None]:
    """Member names of a zip archive and its ``[Content_Types].xml`` text (None if absent); raises
    ``zipfile.BadZipFile`` for something that is not a readable zip."""
    fh.seek(0)
    try:
        with zipfile.ZipFile(fh) as archive:
            names = set(archive.namelist())
            content_types = None
            if "[Content_Types].xml" in names:
                info = archive.getinfo("[Content_Types].xml")
                if info.file_size > _MAX_CONTENT_TYPES_BYTES:
                    raise zipfile.BadZipFile("[Content_Types].xml too large")
                content_types = archive.read(info).decode("utf-8", errors="replace")
            return names, content_types
    finally:
        fh.seek(0)


def _ooxml_kind(fh: IO[bytes]) -> str | None:
    """``docx``/``xlsx``/``pptx`` when ``[Content_Types].xml`` declares that main part and the part is really in
    the archive; else None."""
    try:
        names, content_types = _zip_names_and_types(fh)
    except (zipfile.BadZipFile, OSError, EOFError):
        return None
    if not content_types:
        return None
    try:
        root = ElementTree.fromstring(content_types)
    except ElementTree.ParseError:
        return None
    parts = {}
    for element in root:
        if element.tag.rsplit("}", 1)[-1] == "Override":
            parts[element.get("ContentType", "")] = element.get("PartName", "").lstrip("/")
    for ext, main in _OOXML_MAIN.items():
        for content_type in (main, *_OOXML_MAIN_ALTERNATIVES[ext]):
            if parts.get(content_type) in names:
                return ext
    return None


def _ooxml_macro_enabled(fh: IO[bytes]) -> bool:
    try:
        _, content_types = _zip_names_and_types(fh)
    except (zipfile.BadZipFile, OSError, EOFError):
        return False
    return bool(content_types) and "macroEnabled" in content_types


def _is_ofd(fh: IO[bytes]) -> bool:
    try:
        names, _ = _zip_names_and_types(fh)
    except (zipfile.BadZipFile, OSError, EOFError):
        return False
    return "OFD.xml" in names


def _is_zip(fh: IO[bytes]) -> bool:
    try:
        _zip_names_and_types(fh)
    except (zipfile.BadZipFile, OSError, EOFError):
        return False
    return True


def _text_encoding(fh: IO[bytes]) -> str | None:
    """The encoding a text file decodes with (UTF-8, else GB18030), or None for binary content."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        fh.seek(0)
        try:
            while chunk := fh.read(_CHUNK):
                if b"\x00" in chunk or _TEXT_CONTROL.search(decoder.decode(chunk)):
                    return None
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        finally:
            fh.seek(0)
        return "utf-8" if encoding == "utf-8-sig" else encoding
    return None


def _image_ok(fh: IO[bytes]) -> bool:
    from PIL import Image

    fh.seek(0)
    try:
        with Image.open(fh) as image:
            image.verify()
        return True
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return False
    except Exception:  # Pillow raises many classes for broken files; all mean "not a usable image"
        return False
    finally:
        fh.seek(0)


def _detect(fh: IO[bytes], claimed: FileKind) -> tuple[bool, str]:
    """Whether the content is what ``claimed`` says; when not, a description of what it is."""
    head = _read_head(fh)
    guess = filetype.guess(head)
    sniffed = guess.extension if guess else None

    if claimed.container == "text":
        # Decoding is checked afterwards; here only refuse what is plainly another format.
        if head.startswith(_BINARY_MAGIC) or (head.startswith(b"MZ") and b"\x00" in head[:64]):
            return False, _describe(sniffed)
        return True, ""
    if claimed.container == "ooxml":
        actual = _ooxml_kind(fh)
        if actual == claimed.extension:
            return True, ""
        if actual:
            return False, f"{KINDS[actual].label}（.{actual}）"
        if _ooxml_macro_enabled(fh):
            return False, "启用宏的 Office 文档"
        if sniffed in {"zip", "docx", "xlsx", "pptx"}:
            return False, "缺少 Office 文档结构的 ZIP 压缩包"
        return False, _describe(sniffed)
    if claimed.container == "ofd":
        if sniffed == "zip" and _is_ofd(fh):
            return True, ""
        return False, _describe(sniffed)
    if claimed.container == "ole":
        # Word/Excel/WPS 97-2003 formats share the OLE2 compound-file container; filetype tells some apart.
        if not head.startswith(_OLE_MAGIC):
            return False, _describe(sniffed)
        if (
            sniffed in {"doc", "xls", "ppt"}
            and sniffed not in claimed.sniffed
            and claimed.extension not in {"wps", "et"}
        ):
            return False, f"{KINDS[sniffed].label}（.{sniffed}）"
        return True, ""
    if claimed.container == "zip":
        if sniffed in {"zip", "docx", "xlsx", "pptx", "odt", "ods", "epub"} and _is_zip(fh):
            return True, ""
        return False, _describe(sniffed)
    if sniffed in claimed.sniffed:
        if claimed.image and not _image_ok(fh):
            return False, "已损坏或无法打开的图片"
        return True, ""
    return False, _describe(sniffed)


def _describe(sniffed: str | None) -> str:
    if sniffed is None:
        return "无法识别的文件内容"
    if sniffed in _DESCRIBE_SNIFFED:
        return _DESCRIBE_SNIFFED[sniffed]
    canonical = _ALIASES.get(sniffed, sniffed)
    if canonical in KINDS:
        return f"{KINDS[canonical].label}（.{canonical}）"
    return f"{sniffed.upper()} 文件"


def upload_limit(max_bytes: int | None = None) -> int:
    """The effective size limit: the caller's, never above ``settings.ZHENGWU_UPLOAD_MAX_BYTES``."""
    ceiling = int(settings.ZHENGWU_UPLOAD_MAX_BYTES)
    return min(ceiling, int(max_bytes)) if max_bytes else ceiling


def check_upload(
    uploaded_file: Any,
    *,
    allowed: Iterable[str] = DEFAULT_ALLOWED,
    max_bytes: int | None = None,
) -> CheckedUpload:
    """Check one uploaded file (a Django ``UploadedFile`` or any object with ``name``, ``size`` and a binary
    file interface). Raises ``ValidationError`` with a Chinese message; returns a :class:`CheckedUpload`."""
    allowed_kinds = []
    for ext in allowed:
        canonical = _ALIASES.get(ext.lower().lstrip("."), ext.lower().lstrip("."))
        if canonical not in KINDS:
            raise ValueError(f"未知的文件类型：{ext}")
        if canonical not in allowed_kinds:
            allowed_kinds.append(canonical)

    name = getattr(uploaded_file, "name", "") or ""
    size = getattr(uploaded_file, "size", None)
    if size is None:
        uploaded_file.seek(0, 2)
        size = uploaded_file.tell()
        uploaded_file.seek(0)
    limit = upload_limit(max_bytes)
    if size > limit:
        raise ValidationError(
            f"文件过大：最大 {_size_text(limit)}，该文件 {_size_text(size)}。", code="file_size"
        )
    if size == 0:
        raise ValidationError("文件为空：请重新选择要上传的文件。", code="empty")

    ext = canonical_extension(name)
    if not ext:
        raise _type_error("文件名没有扩展名", allowed_kinds)
    if ext not in allowed_kinds:
        raise _type_error(f".{ext}", allowed_kinds)

    claimed = KINDS[ext]
    ok, actual = _detect(uploaded_file, claimed)
    if not ok:
        raise _type_error(f"文件内容为{actual}，与扩展名 .{ext} 不符", allowed_kinds)
    encoding = ""
    if claimed.container == "text":
        found = _text_encoding(uploaded_file)
        if found is None:
            raise _type_error(
                f"文件内容不是 UTF-8 或 GB18030 编码的文本，与扩展名 .{ext} 不符", allowed_kinds
            )
        encoding = found

    storage = safe_storage_name(name, ext)
    uploaded_file.seek(0)
    return CheckedUpload(
        file=uploaded_file,
        kind=ext,
        mime=claimed.mime,
        size=size,
        display_name=storage.display_name,
        storage_name=storage.path,
        encoding=encoding,
    )


# ---------------------------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------------------------

MAX_DISPLAY_NAME = 120
_RESERVED = re.compile(r'[<>:"/\\|?*]')


def clean_display_name(original_name: str, kind: str) -> str:
    """The original name made safe to show and to offer as a download name: no directories, no control or
    bidirectional-override characters, no reserved punctuation, at most 120 characters, ending in the detected
    extension (kept as typed when it is an alias, e.g. ``.jpeg``)."""
    text = unicodedata.normalize("NFC", str(original_name or ""))
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(" " if ch in "\t\n\r" else ch for ch in text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn"})
    text = _RESERVED.sub("_", text)
    text = re.sub(r"\s+", " ", text).strip().strip(".").strip()
    stem, dot, ext = text.rpartition(".")
    if not dot:
        stem, ext = text, ""
    kind = _ALIASES.get(kind.lower(), kind.lower())
    if _ALIASES.get(ext.lower()) != kind:
        # The name claims another type (or none): show the type the content really has.
        stem = text
        ext = kind
    stem = stem.strip().strip(".").strip() or "未命名文件"
    room = MAX_DISPLAY_NAME - len(ext) - 1
    if len(stem) > room:
        stem = stem[: room - 1].rstrip() + "…"
    return f"{stem}.{ext}"


def safe_storage_name(
    original_name: str, kind: str, *, folder: str = "uploads", on: date | None = None
) -> StorageName:
    """A random storage path under ``<folder>/YYYY/MM/DD/`` with the detected extension, and the cleaned
    original name for display. Nothing the uploader typed reaches the path."""
    kind = _ALIASES.get(kind.lower().lstrip("."), kind.lower().lstrip("."))
    if not re.fullmatch(r"[a-z0-9]{1,8}", kind):
        raise ValueError(f"文件类型代码不正确：{kind}")
    folder = "/".join(part for part in re.split(r"[/\\]+", folder) if part not in {"", ".", ".."})
    if not re.fullmatch(r"[A-Za-z0-9_\-/]+", folder):
        raise ValueError(f"存储目录名不正确：{folder}")
    day = on or timezone.localdate()
    path = f"{folder}/{day:%Y/%m/%d}/{uuid.uuid4().hex}.{kind}"
    return StorageName(path=path, display_name=clean_display_name(original_name, kind))
