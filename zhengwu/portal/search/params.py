"""Reading the search page's query string. Nothing a visitor types is refused with an error page: a value that
cannot be used is set aside and a note in Chinese says so, and the search runs with what is left."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.http import QueryDict
from django.utils import timezone
from wagtail.models import Site

from zhengwu.core.chinese import to_simplified

from ..models import ColumnPage
from . import registry
from .backends import SearchFilters
from .selectors import column_scope

MAX_QUERY_LENGTH = 50
MAX_SHOWN_VALUE = 20  # characters of a bad value quoted back in a note
SORTS = {"relevance": "相关度", "date": "发布日期"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SPACE = re.compile(r"\s+")


def clean_query(raw: str) -> str:
    """The query as it is searched and shown back: control characters removed, spaces collapsed, Traditional
    characters converted to Simplified (the index holds the Simplified text that the 繁体 pages are made from)."""
    return to_simplified(_SPACE.sub(" ", _CONTROL.sub(" ", raw or "")).strip())


def _shown(value: str) -> str:
    value = _CONTROL.sub("", value)
    return value if len(value) <= MAX_SHOWN_VALUE else value[:MAX_SHOWN_VALUE] + "…"


def _int(raw: str, *, digits: int = 12) -> int | None:
    """A plain ASCII number (str.isdigit() also accepts characters int() refuses, such as ²)."""
    return int(raw) if re.fullmatch(rf"[0-9]{{1,{digits}}}", raw) else None


def _parse_date(raw: str) -> dt.date | None:
    try:
        value = dt.date.fromisoformat(raw.strip().replace("/", "-"))
    except ValueError:
        return None
    return value if 1949 <= value.year <= 2100 else None


@dataclass
class SearchRequest:
    query: str = ""
    scope: str = ""  # "" this site, "all" the whole group
    site: Site | None = None  # the site searched; None for the whole group
    column: ColumnPage | None = None
    column_ids: tuple[int, ...] = ()
    kind: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = "relevance"
    page: int = 1
    notes: list[str] = field(default_factory=list)

    @property
    def filters(self) -> SearchFilters:
        tz = timezone.get_current_timezone()
        since = dt.datetime.combine(self.date_from, dt.time.min, tzinfo=tz) if self.date_from else None
        before = (
            dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
            if self.date_to
            else None
        )
        return SearchFilters(
            site_id=self.site.pk if self.site else None,
            column_ids=self.column_ids,
            kind=self.kind,
            since=since,
            before=before,
        )

    @property
    def has_filters(self) -> bool:
        return bool(self.column_ids or self.kind or self.date_from or self.date_to)

    @property
    def querystring_without_filters(self) -> str:
        return self.querystring(column="", kind="", **{"from": "", "to": ""})

    @property
    def querystring_all_sites(self) -> str:
        return self.querystring(site="all", column="")

    def querystring(self, **changes) -> str:
        """The query string of this search (only the values in use), with ``changes`` applied."""
        values = {
            "q": self.query,
            "site": self.scope,
            "column": str(self.column_ids[0]) if self.column_ids else "",
            "kind": self.kind,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "sort": "" if self.sort == "relevance" else self.sort,
            "page": "",
        }
        values.update({key: str(value) for key, value in changes.items()})
        return urlencode({key: value for key, value in values.items() if value})


def truncate_at_word(query: str, limit: int) -> str:
    """At most ``limit`` characters of ``query``, cut between words (jieba's): half a word would match nothing."""
    from .segment import tokenizer

    kept = ""
    for token in tokenizer().cut(query, HMM=False):
        if len(kept) + len(token) > limit:
            break
        kept += token
    return (kept or query[:limit]).rstrip()


def parse_search_request(data: QueryDict, *, current_site: Site) -> SearchRequest:
    request = SearchRequest(site=current_site)
    notes = request.notes

    query = clean_query(data.get("q", ""))
    if len(query) > MAX_QUERY_LENGTH:
        query = truncate_at_word(query, MAX_QUERY_LENGTH)
        notes.append(f"搜索词超过 {MAX_QUERY_LENGTH} 个字，已只按前 {len(query)} 个字搜索。")
    request.query = query

    scope = data.get("site", "").strip()
    if scope == "all":
        request.scope, request.site = "all", None
    elif scope and scope != "current":
        site_id = _int(scope)
        if site_id == current_site.pk:
            pass
        elif site_id is not None and (other := Site.objects.filter(pk=site_id).first()) is not None:
            request.scope, request.site = str(other.pk), other
        else:
            notes.append(f"搜索范围“{_shown(scope)}”无效，已在本站内搜索。")

    column = data.get("column", "").strip()
    if column:
        if request.site is None:
            notes.append("搜索全部网站时不能按栏目筛选，已忽略所选栏目。")
        elif (column_id := _int(column)) is None or (
            ids := column_scope(column_id=column_id, site=request.site)
        ) is None:
            notes.append(f"栏目“{_shown(column)}”不存在，已忽略栏目筛选。")
        else:
            request.column_ids = ids
            request.column = ColumnPage.objects.filter(pk=ids[0]).first()

    kind = data.get("kind", "").strip()
    if kind:
        if kind in dict(registry.kind_choices()):
            request.kind = kind
        else:
            notes.append(f"信息类型“{_shown(kind)}”无效，已忽略类型筛选。")

    for name, label in (("from", "起始日期"), ("to", "结束日期")):
        raw = data.get(name, "").strip()
        if not raw:
            continue
        value = _parse_date(raw)
        if value is None:
            notes.append(f"{label}“{_shown(raw)}”不是有效日期（格式如 2025-01-31），已忽略。")
        elif name == "from":
            request.date_from = value
        else:
            request.date_to = value
    if request.date_from and request.date_to and request.date_from > request.date_to:
        request.date_from, request.date_to = request.date_to, request.date_from
        notes.append("起始日期晚于结束日期，已将两者对调。")

    sort = data.get("sort", "").strip()
    if sort in SORTS:
        request.sort = sort
    elif sort:
        notes.append(f"排序方式“{_shown(sort)}”无效，已按相关度排序。")

    page = data.get("page", "").strip()
    if page:
        number = _int(page, digits=5)
        if number:
            request.page = number
        else:
            notes.append(f"页码“{_shown(page)}”无效，已显示第 1 页。")
    return request
