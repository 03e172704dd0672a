"""HTML → the facts the checks need, with selectolax (lexbor). Pure functions; no Django.

Works on pages from any CMS: list rows are found by shape (rows that carry a link and a date, grouped by their
parent), the column name from the ``ColumnName`` meta tag, the breadcrumb (当前位置) or the title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from selectolax.lexbor import LexborHTMLParser

from .crawler import Link, normalize_url
from .dates import labelled_date, meta_date, parse_date, url_date

_WS = re.compile(r"[ \t\r\f\v\u3000\xa0]+")
_NL = re.compile(r"\s*\n\s*")
_CRUMB_SPLIT = re.compile(r"\s*(?:>>|>|»|＞|→|/|›|\\)\s*")
_CRUMB_LABEL = re.compile(r"(?:当前位置|您的位置|您现在的位置|所在位置|当前页面)\s*[:：]?\s*")
_TITLE_SPLIT = re.compile(r"\s*(?:[-_|—–]|——|－)\s*")
MORE_TEXTS = {
    "更多",
    "更多>>",
    "更多>",
    "more",
    "more>>",
    "查看更多",
    ">>",
    "详细",
    "详情",
    "[更多]",
    "更多+",
    "+",
}
CRUMB_TAILS = {"正文", "详情", "内容", "详细信息", "文章详情", "正文内容", "信息详情"}
_LINK_SELECTOR = "a[href], area[href], img[src], iframe[src], frame[src], link[href], script[src], embed[src]"


@dataclass(slots=True)
class ListRow:
    url: str
    text: str
    date: date | None


@dataclass
class ParsedPage:
    url: str
    title: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    text: str = ""
    footer_text: str = ""
    footer_html_hints: str = ""
    breadcrumb: list[str] = field(default_factory=list)
    rows: list[ListRow] = field(default_factory=list)
    undated_rows: list[ListRow] = field(default_factory=list)
    meta_pub_date: date | None = None
    label_pub_date: date | None = None
    url_pub_date: date | None = None

    @property
    def pub_date(self) -> date | None:
        return self.meta_pub_date or self.label_pub_date or self.url_pub_date

    @property
    def column_name(self) -> str:
        name = self.meta.get("columnname", "").strip()
        if name:
            return name
        for part in reversed(self.breadcrumb):
            if part and part not in CRUMB_TAILS and part != "首页":
                return part
        if self.title:
            first = _TITLE_SPLIT.split(self.title.strip())[0].strip()
            return first
        return ""

    @property
    def is_list(self) -> bool:
        return len(self.rows) + len(self.undated_rows) >= 3 and len(self.rows) >= 2


def _clean(text: str) -> str:
    return _NL.sub("\n", _WS.sub(" ", text)).strip()


def _squash(text: str) -> str:
    """Whitespace-collapsed single-line text (anchor and row text): str.split is several times faster than re."""
    return " ".join(text.split())


_CONAC = re.compile(r"""(?:href|src|id)\s*=\s*["']?[^"'>\s]*(?:conac|_span_jiucuo)""", re.IGNORECASE)
_JIUCUO = re.compile(r"""(?:href|src|onclick)\s*=\s*["']?[^"'>]*(?:jiucuo|zfwzgl)""", re.IGNORECASE)
_FOOTER_START = re.compile(
    r"""<(?:footer|div|table|section)\b[^>]*(?:class|id)\s*=\s*["']?[^"'>]*(?:foot|bottom|copyright)""",
    re.IGNORECASE,
)
_TAGS = re.compile(r"<[^>]+>")
_ROW_TAGS = ("li", "tr", "dd")


def parse_page(html: str, url: str) -> ParsedPage:
    """Parse once with lexbor and walk only what is needed; page furniture (footer, marks) is read from the text
    and the raw HTML, which costs far less than more selector passes over the tree."""
    tree = LexborHTMLParser(html)
    page = ParsedPage(url=url)
    base = url
    head = tree.head
    if head is not None:
        for node in head.css("title, meta, base"):
            tag = node.tag
            attrs = node.attributes
            if tag == "title":
                if not page.title:
                    page.title = _clean(node.text())
            elif tag == "base":
                if attrs.get("href"):
                    base = normalize_url(attrs.get("href") or "", url) or url
            else:
                key = (
                    attrs.get("name")
                    or attrs.get("property")
                    or attrs.get("http-equiv")
                    or attrs.get("itemprop")
                )
                if key and attrs.get("content") is not None:
                    page.meta.setdefault(key.strip().lower(), (attrs.get("content") or "").strip())
    if not page.title:
        title_node = tree.css_first("title")
        if title_node is not None:
            page.title = _clean(title_node.text())

    seen: dict[str, int] = {}
    rows: dict[int, list] = {}
    for node in tree.css(_LINK_SELECTOR):
        tag = node.tag or "a"
        attrs = node.attrs
        if tag == "link":
            rel = (attrs.get("rel") or "").lower()
            if "stylesheet" not in rel and "icon" not in rel:
                continue
            raw = attrs.get("href")
        elif tag in ("a", "area"):
            raw = attrs.get("href")
        else:
            raw = attrs.get("src")
        if not raw:
            continue
        target = normalize_url(raw, base)
        if target is None:
            continue
        if tag in ("a", "area"):
            text = _squash(node.text()) or attrs.get("title") or ""
            if not text:
                img = node.css_first("img")
                if img is not None:
                    text = img.attrs.get("alt") or img.attrs.get("title") or ""
            if tag == "a" and text:
                # The nearest list row (li, tr, dd) holding this anchor, for the item lists.
                parent = node.parent
                for _ in range(4):
                    if parent is None or parent.tag in _ROW_TAGS:
                        break
                    parent = parent.parent
                if parent is not None and parent.tag in _ROW_TAGS:
                    entry = rows.get(parent.mem_id)
                    if entry is None:
                        rows[parent.mem_id] = [parent, [(text, target, attrs.get("title") or "")]]
                    else:
                        entry[1].append((text, target, attrs.get("title") or ""))
        elif tag == "img":
            text = attrs.get("alt") or attrs.get("title") or ""
        else:
            text = ""
        text = (text or "").strip()[:120]
        if target in seen:
            if not page.links[seen[target]].text and text:
                page.links[seen[target]].text = text
            continue
        seen[target] = len(page.links)
        page.links.append(Link(target, text, tag))

    hints = []
    if _CONAC.search(html):
        hints.append("conac")
    if _JIUCUO.search(html):
        hints.append("jiucuo")
    page.footer_html_hints = " ".join(hints)

    _extract_rows(rows, page)

    tree.strip_tags(["script", "style", "noscript", "template", "select", "option"])
    body = tree.body
    page.text = _clean(body.text(separator="\n")) if body is not None else ""

    # Footers sit at the end of the page: look for their container in the last 30 KB only.
    tail_start = max(0, len(html) - 30000)
    footer = _FOOTER_START.search(html, tail_start)
    if footer is not None:
        page.footer_text = _clean(_TAGS.sub(" ", html[footer.start() : footer.start() + 8000]))[:4000]
    else:
        page.footer_text = page.text[-800:]

    match = _CRUMB_LABEL.search(page.text)
    if match:
        crumb_text = page.text[match.end() : match.end() + 160].split("\n", 1)[0]
        page.breadcrumb = [p.strip() for p in _CRUMB_SPLIT.split(crumb_text) if p.strip()][:8]

    page.meta_pub_date = meta_date(page.meta)
    page.label_pub_date = labelled_date(page.text[:20000])
    page.url_pub_date = url_date(url)
    return page


def _extract_rows(rows: dict[int, list], page: ParsedPage) -> None:
    """Rows (li, tr, dd) with one to three anchors, grouped by their parent; a group where most rows carry a date
    outside the link text is an item list."""
    groups: dict[int, list[tuple[ListRow, bool]]] = {}
    for node, anchors in rows.values():
        if len(anchors) > 3:
            continue
        text, target, title_attr = max(anchors, key=lambda a: len(a[0]))
        if text.lower() in MORE_TEXTS:
            continue
        row_text = _squash(node.text(separator=" "))
        if len(row_text) > 400:
            continue
        rest = row_text.replace(text, " ", 1)
        when = parse_date(rest) or parse_date(title_attr)
        parent = node.parent
        key = parent.mem_id if parent is not None else 0
        groups.setdefault(key, []).append((ListRow(target, text[:120], when), when is not None))
    for group in groups.values():
        dated = sum(1 for _, has in group if has)
        if dated >= 2 and dated * 2 >= len(group):
            for row, has in group:
                (page.rows if has else page.undated_rows).append(row)
