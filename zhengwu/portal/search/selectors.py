"""Reads of the site search: results, hot queries, recommendations, the staff reports."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.safestring import SafeString
from wagtail.models import Page, Site

from ..models import ColumnPage, HiddenSearchTerm, SearchEntry, SearchQueryLog, SearchRecommendation
from . import highlight, registry
from .backends import COUNT_LIMIT, MatchCount, SearchFilters, get_backend
from .expand import parse_expanded
from .segment import QueryTerm, normalize, select_terms

PER_PAGE = 10
ENTRY_DISPLAY_FIELDS = (
    "page_id",
    "site_id",
    "column_id",
    "kind",
    "title",
    "summary",
    "body_text",
    "document_number",
    "published_at",
)
HOT_DAYS = 30
HOT_LIMIT = 10
HOT_CACHE_SECONDS = 600
_HOT_GENERATION_KEY = "zw:search:hot:generation"


@dataclass
class ResultItem:
    entry: SearchEntry
    page: Page | None
    title_html: SafeString
    snippet_html: SafeString
    column_title: str
    kind_label: str
    site_name: str


@dataclass
class SearchResults:
    terms: list[QueryTerm]
    total: int
    page: int
    num_pages: int
    items: list[ResultItem] = field(default_factory=list)
    page_clamped: bool = False  # the requested page was past the last one
    total_kind: str = "exact"  # "at_least": more than ``total`` (counting stopped); "about": an estimate
    ranked_window: int = 0  # relevance ranked only this many newest matches (0: all of them)
    left_out: list[str] = field(default_factory=list)  # words of the query not matched (stop words, too many)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def first_index(self) -> int:
        return (self.page - 1) * PER_PAGE + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.page * PER_PAGE, self.total)


def highlight_words(terms: list[QueryTerm]) -> list[str]:
    return [word for term in terms for word in term.highlights]


def _drop_own_pieces(term: QueryTerm) -> QueryTerm:
    """The term without the piece-by-piece alternatives of its own word (its synonyms stay)."""
    own = term.own_count()
    keep = [0, *range(own, len(term.alternatives))]
    return replace(
        term,
        alternatives=tuple(term.alternatives[i] for i in keep),
        modes=tuple(term.mode(i) for i in keep),
        own=1 if own < len(term.alternatives) else 0,
    )


def _without_needless_alternatives(terms: list[QueryTerm], backend) -> list[QueryTerm]:
    """Drop the piece-by-piece alternative of words that are themselves frequent index terms."""
    words = [term.alternatives[0][0] for term in terms if term.own_count() > 1]
    frequent = backend.frequent(words) if words else set()
    return [
        _drop_own_pieces(term) if term.own_count() > 1 and term.alternatives[0][0] in frequent else term
        for term in terms
    ]


def query_terms(query: str, backend) -> tuple[list[QueryTerm], list[QueryTerm]]:
    """The terms a query is matched by (with synonyms and pinyin readings), and the words left out."""
    terms, left_out = select_terms(parse_expanded(query))
    return _without_needless_alternatives(terms, backend) if terms else [], left_out


def search(
    *, query: str, filters: SearchFilters, sort: str = "relevance", page: int = 1, per_page: int = PER_PAGE
) -> SearchResults:
    """One page of results for ``query`` (as the visitor typed it; segmented here) under ``filters``.

    A page number past the last page gives the last page (``page_clamped``); a query with nothing searchable in
    it (only punctuation) gives no results without asking the database. Broad queries are bounded: the count
    stops at ``COUNT_LIMIT`` (or is estimated), and relevance ranks the newest ``rank_window`` matches of the
    backend when there are more.
    """
    backend = get_backend()
    terms, left_out = query_terms(query, backend)
    if not terms:
        return SearchResults(terms=[], total=0, page=1, num_pages=1)
    count = backend.count(terms=terms, filters=filters)
    window = backend.rank_window if sort != "date" and count.value > backend.rank_window else 0
    reachable = min(count.value, window or COUNT_LIMIT)
    num_pages = max(1, math.ceil(reachable / per_page))
    clamped = page > num_pages
    page = min(max(1, page), num_pages)
    offset = (page - 1) * per_page
    hits = backend.search(terms=terms, filters=filters, sort=sort, offset=offset, limit=per_page, count=count)
    if count.kind == "about" and len(hits) < per_page:
        # The estimate was too high: the last page shows where the matches really end.
        count = MatchCount(offset + len(hits))
        num_pages = page
    ids = [hit.page_id for hit in hits]
    # One query for what a result shows: the entry, the page (for its URL) and the column's title.
    entries = (
        SearchEntry.objects.filter(page_id__in=ids)
        .select_related("page", "column")
        .only(
            *ENTRY_DISPLAY_FIELDS,
            "page__id",
            "page__url_path",
            "page__path",
            "page__depth",
            "page__title",
            "page__locale_id",
            "column__title",
        )
        .in_bulk()
    )
    site_names = dict(Site.objects.values_list("pk", "site_name")) if filters.site_id is None else {}
    compiled = highlight.pattern(highlight_words(terms))
    items = []
    for page_id in ids:
        entry = entries.get(page_id)
        if entry is None:  # removed between the two queries
            continue
        items.append(
            ResultItem(
                entry=entry,
                page=entry.page,
                title_html=highlight.highlight(entry.title, compiled),
                snippet_html=highlight.snippet(entry.body_text or entry.summary, compiled),
                column_title=entry.column.title if entry.column_id and entry.column else "",
                kind_label=registry.kind_label(entry.kind),
                site_name=site_names.get(entry.site_id, ""),
            )
        )
    return SearchResults(
        terms=terms,
        total=count.value,
        total_kind=count.kind,
        page=page,
        num_pages=num_pages,
        items=items,
        page_clamped=clamped,
        ranked_window=window,
        left_out=[term.text for term in left_out],
    )


# ---------------------------------------------------------------------------------------------------------------
# Filters offered on the search page
# ---------------------------------------------------------------------------------------------------------------


def site_columns(*, site: Site) -> list[tuple[int, str, int]]:
    """The live columns of a site as (id, title indented by level, level), in tree order, for the column filter."""
    root = site.root_page
    rows = ColumnPage.objects.descendant_of(root).live().order_by("path").values_list("pk", "title", "depth")
    return [
        (pk, "　" * (depth - root.depth - 1) + title, depth - root.depth - 1) for pk, title, depth in rows
    ]


def column_scope(*, column_id: int, site: Site) -> tuple[int, ...] | None:
    """The ids of a column of ``site`` and of the columns below it; ``None`` when it is not a column there."""
    column = ColumnPage.objects.descendant_of(site.root_page).live().filter(pk=column_id).first()
    if column is None:
        return None
    below = ColumnPage.objects.descendant_of(column).values_list("pk", flat=True)
    return (column.pk, *below)


def group_sites() -> list[Site]:
    from ..selectors import site_group

    return site_group()


# ---------------------------------------------------------------------------------------------------------------
# Hot queries and recommendations
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HotQuery:
    query: str
    searchers: int
    searches: int


def _hot_generation() -> int:
    return cache.get_or_set(_HOT_GENERATION_KEY, 1, None)


def forget_hot_queries() -> None:
    """Drop cached hot lists (after a term was hidden or shown again)."""
    try:
        cache.incr(_HOT_GENERATION_KEY)
    except ValueError:
        cache.set(_HOT_GENERATION_KEY, 2, None)


HOT_TERMS_FILE = Path(__file__).resolve().parent / "rules" / "hot_terms.json"


@lru_cache(maxsize=1)
def _hot_rules() -> tuple[tuple[str, ...], tuple[re.Pattern, ...]]:
    data = json.loads(HOT_TERMS_FILE.read_text(encoding="utf-8"))
    words = [word for category in data["categories"] for word in category["words"]]
    patterns = tuple(re.compile(item["regex"]) for item in data["patterns"])
    return tuple(normalize(word).lower() for word in words), patterns


def blocked_hot_term(query: str) -> str:
    """Why ``query`` may not be shown on the public hot list (a category or pattern name), or ``""``."""
    words, patterns = _hot_rules()
    text = normalize(query).lower()
    local = tuple(
        normalize(w).lower() for w in getattr(settings, "ZHENGWU_SEARCH_HOT_BLOCKED_WORDS", ()) or ()
    )
    for word in (*words, *local):
        if word and word in text:
            return "敏感词"
    for pattern in patterns:
        if pattern.search(text) or pattern.search(query):
            return "个人信息或联系方式"
    return ""


def hot_queries(
    *, site: Site | None, days: int = HOT_DAYS, limit: int = HOT_LIMIT, now: dt.datetime | None = None
) -> list[HotQuery]:
    """The most searched terms on ``site`` (every site: ``None``) in the last ``days`` days, counted by distinct
    searchers, among searches that found something. A term needs ``ZHENGWU_SEARCH_HOT_MIN_SEARCHERS`` (3)
    different searchers to be shown, so that one visitor cannot put text of their choosing on the public page;
    staff can hide terms. Cached for ten minutes."""
    minimum = int(getattr(settings, "ZHENGWU_SEARCH_HOT_MIN_SEARCHERS", 3))
    key = f"zw:search:hot:{_hot_generation()}:{site.pk if site else 'all'}:{days}:{limit}:{minimum}"
    if now is None:
        cached = cache.get(key)
        if cached is not None:
            return cached
    since = (now or timezone.now()) - dt.timedelta(days=days)
    logs = SearchQueryLog.objects.filter(created_at__gte=since, result_count__gt=0)
    hidden = HiddenSearchTerm.objects.filter(site__isnull=True)
    if site is not None:
        logs = logs.filter(site=site)
        hidden = HiddenSearchTerm.objects.filter(Q(site__isnull=True) | Q(site=site))
    rows = (
        logs.exclude(query__in=hidden.values("query"))
        .values("query")
        .annotate(searchers=Count("client_key", distinct=True), searches=Count("pk"))
        .filter(searchers__gte=minimum)
        .order_by("-searchers", "-searches", "query")[: limit * 5]
    )
    result = [
        HotQuery(row["query"], row["searchers"], row["searches"])
        for row in rows
        if not blocked_hot_term(row["query"])
    ][:limit]
    if now is None:
        cache.set(key, result, HOT_CACHE_SECONDS)
    return result


def recommendations_for(
    *, query: str, site: Site | None, today: dt.date | None = None, limit: int = 5
) -> list[SearchRecommendation]:
    """The active recommendations of ``site`` (and of every site) with a keyword contained in the query."""
    text = normalize(query)
    if not text.strip():
        return []
    today = today or timezone.localdate()
    candidates = (
        SearchRecommendation.objects.filter(is_active=True)
        .filter(Q(site__isnull=True) | Q(site=site) if site is not None else Q(site__isnull=True))
        .filter(Q(starts_on__isnull=True) | Q(starts_on__lte=today))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("page")
        .order_by("sort_order", "-updated_at")
    )
    chosen = []
    for recommendation in candidates:
        if recommendation.page_id and not recommendation.page.live:
            continue
        if any(keyword in text for keyword in recommendation.keyword_list()):
            chosen.append(recommendation)
            if len(chosen) >= limit:
                break
    return chosen


# ---------------------------------------------------------------------------------------------------------------
# Staff reports
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryReportRow:
    query: str
    site_id: int | None
    site_name: str
    searches: int
    searchers: int
    last_searched: dt.datetime
    hidden: bool = False
    has_recommendation: bool = False


def _report(
    *, site_ids: list[int] | None, days: int, zero_results: bool, limit: int, now: dt.datetime | None
) -> list[QueryReportRow]:
    since = (now or timezone.now()) - dt.timedelta(days=days)
    logs = SearchQueryLog.objects.filter(created_at__gte=since)
    logs = logs.filter(result_count=0) if zero_results else logs.filter(result_count__gt=0)
    if site_ids is not None:
        logs = logs.filter(site_id__in=site_ids)
    rows = (
        logs.values("query", "site_id")
        .annotate(searches=Count("pk"), searchers=Count("client_key", distinct=True), last=Max("created_at"))
        .order_by("-searches", "-last")[:limit]
    )
    site_names = dict(Site.objects.values_list("pk", "site_name"))
    hidden = set(HiddenSearchTerm.objects.values_list("query", "site_id"))
    recommendations = list(
        SearchRecommendation.objects.filter(is_active=True).values_list("keywords", "site_id")
    )
    out = []
    for row in rows:
        keywords_hit = any(
            (rec_site is None or rec_site == row["site_id"])
            and any(keyword in row["query"] for keyword in SearchRecommendation(keywords=kw).keyword_list())
            for kw, rec_site in recommendations
        )
        out.append(
            QueryReportRow(
                query=row["query"],
                site_id=row["site_id"],
                site_name=site_names.get(row["site_id"], "—"),
                searches=row["searches"],
                searchers=row["searchers"],
                last_searched=row["last"],
                hidden=(row["query"], None) in hidden or (row["query"], row["site_id"]) in hidden,
                has_recommendation=keywords_hit,
            )
        )
    return out


def zero_result_queries(
    *, site_ids: list[int] | None, days: int = 30, limit: int = 200, now: dt.datetime | None = None
) -> list[QueryReportRow]:
    """Queries that found nothing, most frequent first, per site (``site_ids`` None: every site)."""
    return _report(site_ids=site_ids, days=days, zero_results=True, limit=limit, now=now)


def query_statistics(
    *, site_ids: list[int] | None, days: int = 30, limit: int = 200, now: dt.datetime | None = None
) -> list[QueryReportRow]:
    """Queries that found something, most frequent first, with whether each is hidden from the hot list."""
    return _report(site_ids=site_ids, days=days, zero_results=False, limit=limit, now=now)


def hidden_terms(*, site_ids: list[int] | None) -> list[HiddenSearchTerm]:
    rows = HiddenSearchTerm.objects.select_related("site", "created_by").order_by("-created_at")
    if site_ids is not None:
        rows = rows.filter(site_id__in=site_ids)
    return list(rows)


def index_statistics() -> dict[str, int]:
    return {"entries": SearchEntry.objects.count()}
