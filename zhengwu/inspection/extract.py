"""HTML → the facts the checks need, with selectolax (lexbor). Pure functions; no Django.

Works on pages from any CMS: list rows are found by shape (rows that carry a link and a date, grouped by their
parent), the column name from the ``ColumnName`` meta tag, the breadcrumb (当前位置) or the title.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from selectolax.lexbor import LexborHTMLParser

from .dates import MONTH_DAY_PATTERN, date_line, dates_in, labelled_date, meta_date, parse_date, url_date
from .urls import Link, normalize_url

_WS = re.compile(r"[ \t\r\f\v\u3000\xa0]+")
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
PAGER_TEXTS = {"下一页", "上一页", "尾页", "末页", "下页", "上页", "后页", "前页"}
_PAGER_COUNT = re.compile(r"共\s*\d+\s*页|第\s*\d+\s*/\s*\d+\s*页")
_PAGE_SUFFIX = re.compile(r"\s*[（(]?\s*第\s*\d+\s*页\s*[）)]?\s*$")
# An info line under an article title: 来源 / 信息来源 / 文章来源 / 作者 … with a colon.
_SOURCE_LINE = re.compile(r"(?:来源|信息来源|文章来源|稿件来源|发布机构|供稿)\s*[:：]|供稿\s*$", re.MULTILINE)


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
    partial_rows: int = 0  # list rows showing a month and day without a year ([11-08])
    has_pager: bool = False
    has_source_line: bool = False
    has_form: bool = False  # a form to fill in (a mailbox, an application): content even without text
    # The dates linked rows show beside their links, counted: a column with one or two items is not a list, but
    # its rows' dates are still not the page's own date line.
    row_dates: Counter = field(default_factory=Counter)
    meta_pub_date: date | None = None
    line_pub_date: date | None = None
    label_pub_date: date | None = None
    url_pub_date: date | None = None

    @property
    def visible_date(self) -> date | None:
        """The publication date the page shows a reader (meta tag, labelled info line or a date line under the
        title); a date in the URL is not shown and does not count."""
        return self.meta_pub_date or self.label_pub_date or self.line_pub_date

    @property
    def pub_date(self) -> date | None:
        return self.visible_date or self.url_pub_date

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
            return _PAGE_SUFFIX.sub("", first)
        return ""

    @property
    def is_list(self) -> bool:
        """A page of items: at least three rows, two of them dated (a full or a month-day date), or a page of a
        pager with at least one dated row."""
        dated = len(self.rows) + self.partial_rows
        total = len(self.rows) + len(self.undated_rows)
        return (total >= 3 and dated >= 2) or (self.has_pager and dated >= 1)


def _clean(text: str) -> str:
    """Runs of spaces to one space, and each line trimmed, with blank lines dropped (one split beats a second
    regular-expression pass over the whole text)."""
    return "\n".join([line for line in (part.strip() for part in _WS.sub(" ", text).split("\n")) if line])


def _squash(text: str) -> str:
    """Whitespace-collapsed single-line text (anchor and row text): str.split is several times faster than re."""
    return " ".join(text.split())


# The 党政机关网站标识 and 纠错 marks as the attributes of the raw HTML show them. Matched on the lower-cased HTML,
# and only in the stretch between a keyword and the last ">" before it: a match holds no ">", so it cannot start
# earlier, and scanning the whole page with these patterns costs more than parsing it.
_CONAC_KEYS = ("conac", "_span_jiucuo")
_CONAC = re.compile(r"""(?:href|src|id)\s*=\s*["']?[^"'>\s]*(?:conac|_span_jiucuo)""")
_JIUCUO_KEYS = ("jiucuo", "zfwzgl")
_JIUCUO = re.compile(r"""(?:href|src|onclick)\s*=\s*["']?[^"'>]*(?:jiucuo|zfwzgl)""")
_FOOTER_START = re.compile(
    r"""<(?:footer|div|table|section)\b[^>]*(?:class|id)\s*=\s*["']?[^"'>]*(?:foot|bottom|copyright)""",
    re.IGNORECASE,
)
_TAGS = re.compile(r"<[^>]+>")


def _tag_ids(*names: str) -> dict[str, int]:
    """lexbor's numeric tag ids: comparing them is several times cheaper than reading ``node.tag``."""
    probe = LexborHTMLParser("")
    return {name: probe.create_node(name).tag_id for name in names}


_ID = _tag_ids(
    "a",
    "area",
    "img",
    "iframe",
    "frame",
    "link",
    "script",
    "embed",
    "li",
    "tr",
    "dd",
    "p",
    "title",
    "meta",
    "base",
)
_A, _AREA, _IMG, _LINK, _TITLE, _BASE = (_ID[t] for t in ("a", "area", "img", "link", "title", "base"))
_HREF_TAGS = frozenset((_A, _AREA, _LINK))
_LINK_TAGS = frozenset(_ID[t] for t in ("a", "area", "img", "iframe", "frame", "link", "script", "embed"))
_ROW_TAGS = frozenset((_ID["li"], _ID["tr"], _ID["dd"], _ID["p"]))
_HEAD_TAGS = frozenset((_ID["title"], _ID["meta"], _ID["base"]))
_TAG_NAMES = {tag_id: name for name, tag_id in _ID.items()}


def _attribute_hint(low_html: str, keys: tuple[str, ...], pattern: re.Pattern[str]) -> bool:
    for key in keys:
        at = low_html.find(key)
        while at != -1:
            end = at + len(key)
            if pattern.search(low_html, low_html.rfind(">", 0, at) + 1, end):
                return True
            at = low_html.find(key, at + 1)
    return False


def parse_page(html: str, url: str) -> ParsedPage:
    """Parse once with lexbor and walk the tree once for its links; page furniture (footer, marks) is read from
    the text and the raw HTML, which costs far less than more selector passes over the tree."""
    tree = LexborHTMLParser(html)
    page = ParsedPage(url=url)
    base = url
    head = tree.head
    if head is not None:
        for node in head.traverse():
            tag_id = node.tag_id
            if tag_id not in _HEAD_TAGS:
                continue
            attrs = node.attributes
            if tag_id == _TITLE:
                if not page.title:
                    page.title = _clean(node.text())
            elif tag_id == _BASE:
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
    links = page.links
    # One walk over the elements in document order (what a selector list would return, at a quarter of its cost).
    for node in tree.root.traverse():
        tag_id = node.tag_id
        if tag_id not in _LINK_TAGS:
            continue
        attrs = node.attributes
        if tag_id in _HREF_TAGS:
            raw = attrs.get("href")
            if tag_id == _LINK:
                rel = (attrs.get("rel") or "").lower()
                if "stylesheet" not in rel and "icon" not in rel:
                    continue
        else:
            raw = attrs.get("src")
        if not raw:
            continue
        target = normalize_url(raw, base)
        if target is None:
            continue
        tag = _TAG_NAMES[tag_id]
        if tag_id == _A or tag_id == _AREA:
            text = _squash(node.text()) or attrs.get("title") or ""
            if not text:
                img = next((n for n in node.traverse() if n.tag_id == _IMG), None)
                if img is not None:
                    img_attrs = img.attributes
                    text = img_attrs.get("alt") or img_attrs.get("title") or ""
            if tag_id == _A and text:
                # The nearest list row (li, tr, dd) holding this anchor, for the item lists.
                parent = node.parent
                for _ in range(4):
                    if parent is None or parent.tag_id in _ROW_TAGS:
                        break
                    parent = parent.parent
                if parent is not None and parent.tag_id in _ROW_TAGS:
                    entry = rows.get(parent.mem_id)
                    if entry is None:
                        rows[parent.mem_id] = [parent, [(text, target, attrs.get("title") or "")]]
                    else:
                        entry[1].append((text, target, attrs.get("title") or ""))
        elif tag_id == _IMG:
            text = attrs.get("alt") or attrs.get("title") or ""
        else:
            text = ""
        text = (text or "").strip()[:120]
        if text in PAGER_TEXTS:
            page.has_pager = True
        index = seen.get(target)
        if index is not None:
            if not links[index].text and text:
                links[index].text = text
            continue
        seen[target] = len(links)
        links.append(Link(target, text, tag))

    low_html = html.lower()
    page.has_form = "<textarea" in low_html or ("<form" in low_html and "<input" in low_html)
    hints = []
    if _attribute_hint(low_html, _CONAC_KEYS, _CONAC):
        hints.append("conac")
    if _attribute_hint(low_html, _JIUCUO_KEYS, _JIUCUO):
        hints.append("jiucuo")
    page.footer_html_hints = " ".join(hints)
    if not page.has_pager and _PAGER_COUNT.search(html) is not None:
        page.has_pager = True  # the last page of a pager has no 下一页 link, but says 共3页

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
    head_text = page.text[:20000]
    page.label_pub_date = labelled_date(head_text)
    if page.label_pub_date is None and page.meta_pub_date is None:
        page.line_pub_date = date_line(head_text, skip=page.row_dates)
    page.has_source_line = _SOURCE_LINE.search(head_text) is not None
    page.url_pub_date = url_date(url)
    return page


_row_dates: dict[tuple[str, str], date | None] = {}
_NO_DATE = object()


def _row_date(rest: str, title_attr: str) -> date | None:
    """The date of a list row (memoized: menus and related-item lists repeat on every page)."""
    key = (rest, title_attr)
    when = _row_dates.get(key, _NO_DATE)
    if when is _NO_DATE:
        when = parse_date(rest) or parse_date(title_attr)
        if len(_row_dates) > 100_000:
            _row_dates.clear()
        _row_dates[key] = when
    return when  # type: ignore[return-value]


def _longest_text(anchor: tuple[str, str, str]) -> int:
    return len(anchor[0])


def _extract_rows(rows: dict[int, list], page: ParsedPage) -> None:
    """Rows (li, tr, dd) with one to three anchors, grouped by their parent; a group where most rows carry a date
    outside the link text is an item list."""
    groups: dict[int, list[tuple[str, str, date | None, bool]]] = {}
    for node, anchors in rows.values():
        if len(anchors) > 3:
            continue
        text, target, title_attr = anchors[0] if len(anchors) == 1 else max(anchors, key=_longest_text)
        if text.lower() in MORE_TEXTS:
            continue
        row_text = _squash(node.text(separator=" "))
        if len(row_text) > 400:
            continue
        rest = row_text.replace(text, " ", 1)
        when = _row_date(rest, title_attr)
        if when is not None:
            page.row_dates.update(dates_in(rest) or [when])  # a row may show two (来信 and 答复)
        partial = when is None and MONTH_DAY_PATTERN.search(rest) is not None
        parent = node.parent
        key = parent.mem_id if parent is not None else 0
        group = groups.get(key)
        if group is None:
            groups[key] = [(target, text, when, partial)]
        else:
            group.append((target, text, when, partial))
    for group in groups.values():
        dated = sum(1 for _, _, when, partial in group if when is not None or partial)
        if (dated >= 2 and dated * 2 >= len(group)) or (dated == 1 and len(group) == 1 and page.has_pager):
            for target, text, when, partial in group:
                (page.rows if when is not None else page.undated_rows).append(
                    ListRow(target, text[:120], when)
                )
                page.partial_rows += int(partial)
