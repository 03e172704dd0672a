"""Page kinds, inferred from what any CMS shows rather than from one CMS's markup:

- ``home``: the start page of the crawl;
- ``list``: a page of items (rows with links, most of them dated in full or by month and day, or a pager page)
  — a list page is never an article, whatever dates and 来源 words its rows carry;
- ``message``: a citizen's message with its reply (留言时间 / 答复时间, or a 留言/咨询/信件 title or column);
- ``guide``: a service guide (办事指南/服务指南 in its title, column or breadcrumb, or five element labels), never a
  政府信息公开指南 (the rule file's ``not_guide_markers``);
- ``interpretation``: an article in a 解读 column or titled like one;
- ``policy``: an article in a 政策文件 column or titled like a normative document (…的通知/办法/意见, 〔2026〕12号);
- ``article``: any other page with a publication date, or a 来源 info line;
- ``page``: anything else (single-page columns, contact pages, search pages).
"""

from __future__ import annotations

import re

from .extract import ParsedPage
from .rules import RuleSet

HOME, LIST, MESSAGE, GUIDE, INTERPRETATION, POLICY, ARTICLE, PAGE = (
    "home",
    "list",
    "message",
    "guide",
    "interpretation",
    "policy",
    "article",
    "page",
)
ARTICLE_KINDS = frozenset((ARTICLE, POLICY, INTERPRETATION))

INTERPRETATION_TITLE = re.compile(r"《[^》]{2,}》.{0,8}解读|解读《|政策解读|图解|一图读懂|答记者问|解读\s*$")
POLICY_TITLE = re.compile(
    r"(?:关于|印发).{2,}(?:通知|办法|意见|规定|决定|方案|细则|规划|批复|通告)|〔\d{4}〕\s*\d+\s*号|\[\d{4}\]\s*\d+\s*号"
)
MESSAGE_CONTEXT = re.compile(r"留言|咨询|信件|来信|问政|书记信箱|县长信箱|互动交流|网上信访")


class KindRules:
    """What the rule file says about kinds: guide element labels and message labels, compiled once."""

    def __init__(self, rules: RuleSet) -> None:
        interaction = rules.checks["interaction"]
        self.message_label = re.compile("|".join(map(re.escape, interaction["message_label"])))
        self.reply_label = re.compile("|".join(map(re.escape, interaction["reply_label"])))
        self.guide_elements = rules.compiled("guide")
        # 办事指南, 服务指南, 办理指南 in a title, breadcrumb or column name (the rule file's guide title markers).
        self.guide_context = re.compile("|".join(map(re.escape, rules.checks["guide"]["title_markers"])))
        # 政府信息公开指南 and the like: they name application steps and fees but are not service guides.
        not_guide = rules.checks["guide"].get("not_guide_markers") or []
        self.not_guide = re.compile("|".join(map(re.escape, not_guide))) if not_guide else None
        self.rules = rules

    def guide_elements_present(self, text: str) -> int:
        return sum(1 for _, patterns in self.guide_elements if any(p.search(text) for p in patterns))


def infer_kind(page: ParsedPage, *, is_home: bool, kinds: KindRules) -> str:
    if is_home:
        return HOME
    if page.is_list:
        return LIST
    context = f"{page.title} {' '.join(page.breadcrumb)} {page.column_name}"
    head = page.text[:6000]
    has_message_fields = (
        kinds.message_label.search(head) is not None and kinds.reply_label.search(head) is not None
    )
    if has_message_fields or (MESSAGE_CONTEXT.search(context) and kinds.message_label.search(head)):
        return MESSAGE
    not_guide = kinds.not_guide is not None and kinds.not_guide.search(context) is not None
    if not not_guide and (
        kinds.guide_context.search(context) or kinds.guide_elements_present(page.text) >= 5
    ):
        # A guide shows its element labels; a page that only links guides is a list, handled above.
        return GUIDE
    dated = page.visible_date is not None or "articletitle" in page.meta
    if not (dated or page.has_source_line):
        return PAGE
    column_kind = kinds.rules.column_kind_for(page.column_name).kind if page.column_name else ""
    if column_kind == "interpretation" or INTERPRETATION_TITLE.search(page.title):
        return INTERPRETATION
    if column_kind == "policy" or POLICY_TITLE.search(page.title):
        return POLICY
    return ARTICLE


_PAGER_QUERY = re.compile(
    r"(?:^|&)(?:page|pagenum|pageno|pageindex|cur_page|curpage|p|pn|uid|start)=[^&]*", re.IGNORECASE
)
_PAGER_PATH = re.compile(r"_\d{1,4}(\.[a-z]{2,5})$")
_INDEX_PAGE = re.compile(r"/index_\d{1,4}(\.[a-z]{2,5})$")


def column_key(url: str) -> str:
    """The URL of a pager's first page, from any of its pages: ``index_3.html`` → ``index.html``,
    ``?catid=5&page=2`` → ``?catid=5``, ``?uid=…&pageNum=2`` → ``''``, ``news_2.html`` → ``news.html``."""
    path, _, query = url.partition("?")
    if query:
        query = _PAGER_QUERY.sub("", query).strip("&")
    indexed = _INDEX_PAGE.search(path)
    if indexed:
        path = path[: indexed.start()] + "/index" + indexed.group(1)
    else:
        stem_at = path.rfind("/") + 1
        numbered = _PAGER_PATH.search(path, stem_at)
        if numbered:
            head = path[stem_at : numbered.start()]
            # news_2.html → news.html; numbered items (1044.htm, art_123_4567.html, t20261108_1011.html) stay.
            if head and not head[-1].isdigit() and head[-1] != "_":
                path = path[:stem_at] + head + numbered.group(1)
    return path + (f"?{query}" if query else "")
