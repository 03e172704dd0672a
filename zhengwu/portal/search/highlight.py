"""Highlighting of query words in titles and snippets (<mark>), on the original text: the index holds segmented
text, the page shows what the editor wrote. Everything outside the marks is escaped."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SNIPPET_LENGTH = 150
LEAD_IN = 30
_WHITESPACE = re.compile(r"\s+")


def pattern(words: Iterable[str]) -> re.Pattern | None:
    """One alternation of the words, longest first, so that 政务公开 is marked whole rather than as 政务 + 公开."""
    unique = sorted({w for w in words if w}, key=lambda w: (-len(w), w))
    if not unique:
        return None
    return re.compile("|".join(re.escape(w) for w in unique), re.IGNORECASE)


def highlight(text: str, compiled: re.Pattern | None) -> SafeString:
    if not text:
        return mark_safe("")
    if compiled is None:
        return mark_safe(escape(text))
    out, last = [], 0
    for match in compiled.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


def snippet(text: str, compiled: re.Pattern | None, length: int = SNIPPET_LENGTH) -> SafeString:
    """About ``length`` characters of ``text`` around the first match (the start when nothing matches)."""
    flat = _WHITESPACE.sub(" ", text or "").strip()
    if not flat:
        return mark_safe("")
    match = compiled.search(flat) if compiled is not None else None
    start = max(0, match.start() - LEAD_IN) if match else 0
    end = min(len(flat), start + length)
    start = max(0, min(start, end - length))
    piece = flat[start:end]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(flat) else ""
    return mark_safe(prefix + highlight(piece, compiled) + suffix)
