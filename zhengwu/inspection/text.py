"""Charset detection for Chinese pages: the HTTP header, a BOM, the page's own <meta>, then UTF-8, then GB18030 — except that bytes which are valid UTF-8 are read as UTF-8 whatever the label says.

GBK and GB2312 are read as GB18030, their superset, so a page that declares GB2312 but uses a GBK-only character
still decodes. A declaration that does not fit the bytes (common on old CMSs) loses to the encoding that does.
"""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([a-zA-Z0-9_\-]+)", re.IGNORECASE)
_GB_FAMILY = {"gbk", "gb2312", "gb_2312", "gb_2312-80", "x-gbk", "gb18030", "cp936", "euc-cn", "hz-gb-2312"}

_SAMPLE = 256 * 1024  # charset judged on this much of the body
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_SINGLE_BYTE = {"latin-1", "iso8859-1", "cp1252", "ascii", "iso8859-15"}


def _canonical(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().lower()
    if name in _GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _fits(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def detect_encoding(body: bytes, content_type: str = "") -> str:
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    declared: list[str] = []
    match = _HEADER_CHARSET.search(content_type or "")
    if match:
        declared.append(match.group(1).decode() if isinstance(match.group(1), bytes) else match.group(1))
    meta = _META_CHARSET.search(body[:4096])
    if meta:
        declared.append(meta.group(1).decode("ascii", "ignore"))
    # A truncated body may end inside a multi-byte character: judge on a prefix cut at a safe point.
    sample = body[:_SAMPLE]
    candidates = [c for c in (_canonical(d) for d in declared) if c]
    if not sample.isascii() and (_fits(sample, "utf-8") or _fits(sample[:-3], "utf-8")):
        # Valid multi-byte UTF-8 almost never happens by accident in GBK text, so the bytes outvote a label.
        return "utf-8"
    if not sample.isascii():
        # Servers that default to ISO-8859-1 mislabel nearly every Chinese page; a Western single-byte label
        # "fits" any bytes, so it only wins when nothing Chinese does.
        candidates = [c for c in candidates if c not in _SINGLE_BYTE] + [
            c for c in candidates if c in _SINGLE_BYTE
        ]
        if candidates and candidates[0] in _SINGLE_BYTE:
            candidates = []
    for candidate in candidates:
        if _fits(sample, candidate) or _fits(sample[:-3], candidate):
            return candidate
    if _fits(sample, "utf-8") or _fits(sample[:-3], "utf-8"):
        return "utf-8"
    if _fits(sample, "gb18030") or _fits(sample[:-3], "gb18030"):
        return "gb18030"
    return candidates[0] if candidates else "utf-8"


def decode_html(body: bytes, content_type: str = "") -> tuple[str, str]:
    # Most pages are UTF-8: one strict decode settles it, as detect_encoding would (valid non-ASCII UTF-8 outvotes
    # any label), without decoding the sample a second time.
    if not body.startswith(_BOMS):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if not body[:_SAMPLE].isascii():
                return text, "utf-8"
    encoding = detect_encoding(body, content_type)
    return body.decode(encoding, errors="replace"), encoding
