"""An article's body on an old site: found by the usual content containers of county CMSs (or by text density),
cleaned with nh3 (Ammonia) to the tags an editor's rich text uses (no scripts, no iframes, no inline styles, no
classes; tables kept), with every link and image made absolute against the page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

import nh3
from selectolax.lexbor import LexborHTMLParser

from zhengwu.inspection.dates import parse_date

# Content containers of the common county CMSs (TRS, 大汉, 开普云, PHP CMSs, hand-written pages), most specific first.
CONTENT_SELECTORS = (
    "#zoom",
    ".TRS_Editor",
    "#UCAP-CONTENT",
    ".article-content",
    ".art_con",
    ".bt_content",
    ".wzcon",
    "#content",
    ".content",
    "article",
    ".article",
)
ALLOWED_TAGS = {
    "p", "br", "div", "span", "strong", "b", "em", "i", "u", "a", "img", "table", "thead", "tbody", "tfoot",
    "tr", "th", "td", "caption", "colgroup", "col", "ul", "ol", "li", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "sub", "sup", "hr", "pre",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "col": {"span"},
}
# Elements dropped together with their content (nh3 keeps the text of other removed tags).
DROPPED_WITH_CONTENT = {
    "script",
    "style",
    "iframe",
    "noscript",
    "template",
    "object",
    "embed",
    "form",
    "select",
}

DOCUMENT_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{1,12}\s*(?:〔|\[|【|（|\()\s*(?:19|20)\d{2}\s*(?:〕|\]|】|）|\))\s*\d{1,4}\s*号"
)
_WRITTEN_ON = re.compile(r"成文(?:日期|时间)\s*[:：]?\s*([^\n]{6,16})")
_ISSUER = re.compile(r"(?:发文机关|发文单位|发布机构)\s*[:：]\s*([^\s　]{2,40})")
_SOURCE = re.compile(r"(?:信息来源|文章来源|稿件来源|来源)\s*[:：]\s*([^\s　|]{2,40})")
_EMPTY_BLOCK = re.compile(r"<(p|div|span)>(?:\s|&nbsp;|<br>)*</\1>")


@dataclass
class Body:
    html: str = ""  # cleaned, with absolute URLs
    text: str = ""
    images: list[tuple[str, str]] = field(default_factory=list)  # (url, alt)
    links: list[tuple[str, str]] = field(default_factory=list)  # (url, text)


def _container(tree: LexborHTMLParser):
    for selector in CONTENT_SELECTORS:
        node = tree.css_first(selector)
        if node is not None and (node.text(strip=True) or node.css_first("img,table")):
            return node
    # Text density: the block whose own paragraphs hold the most text.
    best, best_len = None, 0
    for node in tree.css("div, td, section"):
        size = sum(len(child.text(strip=True)) for child in node.iter() if child.tag in ("p", "table", "br"))
        if size > best_len:
            best, best_len = node, size
    return best or tree.body


def clean_html(fragment: str, base: str) -> str:
    def absolute(element: str, attribute: str, value: str) -> str | None:
        if attribute in ("href", "src"):
            value = value.strip()
            if value.lower().startswith(("javascript:", "data:", "vbscript:")):
                return None
            return urljoin(base, value)
        if attribute in ("width", "height", "colspan", "rowspan", "span") and not value.strip().isdigit():
            return None
        return value

    cleaned = nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=absolute,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    )
    return _EMPTY_BLOCK.sub("", cleaned).strip()


def extract_body(html: str, url: str) -> Body:
    tree = LexborHTMLParser(html)
    node = _container(tree)
    if node is None:
        return Body()
    body = Body(html=clean_html(node.html or "", url))
    cleaned = LexborHTMLParser(body.html)
    root = cleaned.body
    body.text = root.text(separator="\n", strip=True) if root is not None else ""
    for img in cleaned.css("img"):
        if img.attributes.get("src"):
            body.images.append((img.attributes["src"] or "", img.attributes.get("alt") or ""))
    for a in cleaned.css("a"):
        if a.attributes.get("href"):
            body.links.append((a.attributes["href"] or "", a.text(strip=True)))
    return body


def title_of(html: str, meta: dict[str, str], fallback: str) -> str:
    title = meta.get("articletitle", "").strip()
    if title:
        return title
    tree = LexborHTMLParser(html)
    for selector in ("h1", ".article h2", ".title", "h2"):
        node = tree.css_first(selector)
        if node is not None:
            text = " ".join(node.text().split())
            if 2 <= len(text) <= 200:
                return text
    return fallback


def document_number(text: str) -> str:
    match = DOCUMENT_NUMBER.search(text[:3000])
    return re.sub(r"\s+", "", match.group(0))[:60] if match else ""


def written_on(text: str):
    match = _WRITTEN_ON.search(text[:5000])
    return parse_date(match.group(1)) if match else None


def issuer(text: str) -> str:
    match = _ISSUER.search(text[:5000])
    return match.group(1)[:100] if match else ""


def source(text: str, meta: dict[str, str]) -> str:
    value = meta.get("contentsource", "").strip()
    if value:
        return value[:100]
    match = _SOURCE.search(text[:5000])
    return match.group(1)[:100] if match else ""
