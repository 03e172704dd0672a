"""Writes of the site search: the index (kept in step with what is published), the search log, recommendations
and hidden hot terms.

Indexing is a reconciliation: :func:`sync_pages` looks at the pages' current state (live, public, inside a site,
of a searchable type) and writes, rewrites or removes their entries accordingly, so the same call serves publish,
unpublish, move and permission changes, and running it twice or late does no harm. Index rows are derived data
and are not audited one by one; a full rebuild is. Searches by the public are logged for the hot list and the
zero-result report, not in the audit log (they change nothing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from wagtail.models import Page, Site

from zhengwu.core.scoping import has_county_wide_access
from zhengwu.core.services.audit import audit

from ..models import (
    ColumnPage,
    HiddenSearchTerm,
    SearchEntry,
    SearchQueryLog,
    SearchRecommendation,
    SearchSynonym,
)
from . import registry
from .backends import ORIGINAL_FACET, facet_token, get_backend, sort_key
from .segment import index_terms, normalize

BATCH_SIZE = 500
MAX_QUERY_LENGTH = 50
LOG_RETENTION_DAYS = 730


@dataclass(frozen=True)
class SyncResult:
    indexed: int = 0
    removed: int = 0

    def __add__(self, other: SyncResult) -> SyncResult:
        return SyncResult(self.indexed + other.indexed, self.removed + other.removed)


# ---------------------------------------------------------------------------------------------------------------
# The index
# ---------------------------------------------------------------------------------------------------------------


def _terms(*texts: str) -> str:
    return " ".join(term for text in texts if text for term in index_terms(text))


def _chunks(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    chunk: list[int] = []
    for page_id in ids:
        chunk.append(page_id)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _Placement:
    """Which site and column a page belongs to, for a batch of pages, in two queries."""

    def __init__(self) -> None:
        self.sites = sorted(
            (
                (site.root_page.path, not site.is_default_site, site.pk)
                for site in Site.objects.select_related("root_page").only(
                    "pk", "is_default_site", "root_page__path"
                )
            ),
            key=lambda item: (-len(item[0]), item[1], item[2]),
        )

    def site_id(self, page: Page) -> int | None:
        for root_path, _not_default, site_id in self.sites:
            if page.path.startswith(root_path):
                return site_id
        return None

    @staticmethod
    def columns(pages: list[Page]) -> dict[str, int]:
        steplen = Page.steplen
        ancestor_paths = {p.path[: steplen * depth] for p in pages for depth in range(1, p.depth)}
        if not ancestor_paths:
            return {}
        return dict(ColumnPage.objects.filter(path__in=ancestor_paths).values_list("path", "pk"))

    @staticmethod
    def column_ids(page: Page, columns: dict[str, int]) -> list[int]:
        """The columns enclosing the page, nearest first."""
        steplen = Page.steplen
        found = (columns.get(page.path[: steplen * depth]) for depth in range(page.depth - 1, 0, -1))
        return [column_id for column_id in found if column_id]


def _entry(
    page: Page, document: registry.SearchDocument, *, site_id: int, column_ids: list[int]
) -> SearchEntry:
    published_at = document.published_at or page.first_published_at or timezone.now()
    is_alias = page.alias_of_id is not None
    facets = [
        facet_token("s", site_id),
        facet_token("k", document.kind),
        *(facet_token("c", column_id) for column_id in column_ids),
    ]
    if not is_alias:
        facets.append(ORIGINAL_FACET)
    return SearchEntry(
        page_id=page.pk,
        site_id=site_id,
        column_id=column_ids[0] if column_ids else None,
        kind=document.kind[:30],
        is_alias=is_alias,
        title=document.title[:255],
        summary=document.summary,
        body_text=document.body,
        keywords=document.keywords[:255],
        document_number=document.document_number[:60],
        source=document.source[:100],
        published_at=published_at,
        sort_key=sort_key(published_at, page.pk),
        facet_terms=" ".join(facets),
        # A 文号 identifies its document as its title does.
        title_terms=_terms(document.title, document.document_number),
        meta_terms=_terms(" ".join(part for part in (document.keywords, document.source) if part)),
        summary_terms=_terms(document.summary),
        body_terms=_terms(document.body),
        indexed_at=timezone.now(),
    )


UPDATE_FIELDS = [
    "site",
    "column",
    "kind",
    "is_alias",
    "title",
    "summary",
    "body_text",
    "keywords",
    "document_number",
    "source",
    "published_at",
    "sort_key",
    "facet_terms",
    "title_terms",
    "meta_terms",
    "summary_terms",
    "body_terms",
    "indexed_at",
]


@transaction.atomic
def _sync_batch(page_ids: list[int], placement: _Placement) -> SyncResult:
    candidates = list(
        Page.objects.filter(pk__in=page_ids).type(*registry.searchable_models()).live().public().specific()
    )
    columns = placement.columns(candidates)
    entries = []
    for page in candidates:
        site_id = placement.site_id(page)
        searchable = registry.searchable_for(type(page))
        if site_id is None or searchable is None:
            continue
        document = searchable.describe(page)
        if document is None:
            continue
        entries.append(
            _entry(page, document, site_id=site_id, column_ids=placement.column_ids(page, columns))
        )
    kept = {entry.page_id for entry in entries}
    removed, _ = SearchEntry.objects.filter(page_id__in=[pk for pk in page_ids if pk not in kept]).delete()
    if entries:
        SearchEntry.objects.bulk_create(
            entries, update_conflicts=True, unique_fields=["page"], update_fields=UPDATE_FIELDS
        )
        get_backend().entries_written(sorted(kept))
    return SyncResult(indexed=len(entries), removed=removed)


def sync_pages(*, page_ids: Iterable[int], batch_size: int = BATCH_SIZE) -> SyncResult:
    """Bring the entries of these pages in line with the pages as they are now: index what is live, public,
    inside a site and of a searchable type; remove the rest. Each batch is one transaction."""
    placement = _Placement()
    result = SyncResult()
    for chunk in _chunks(dict.fromkeys(page_ids), batch_size):
        result += _sync_batch(chunk, placement)
    return result


def sync_subtree(*, page_id: int) -> SyncResult:
    """Re-examine a page and everything below it (after a move, or a change of view restrictions)."""
    page = Page.objects.filter(pk=page_id).only("path", "depth").first()
    if page is None:
        return SyncResult()
    ids = Page.objects.filter(path__startswith=page.path).values_list("pk", flat=True)
    return sync_pages(page_ids=list(ids))


def sync_site(*, site_id: int) -> SyncResult:
    """Re-examine the pages of a site and the entries filed under it (after its root page changed)."""
    ids = set(SearchEntry.objects.filter(site_id=site_id).values_list("page_id", flat=True))
    site = Site.objects.filter(pk=site_id).select_related("root_page").first()
    if site is not None:
        ids |= set(Page.objects.filter(path__startswith=site.root_page.path).values_list("pk", flat=True))
    return sync_pages(page_ids=sorted(ids))


def indexable_page_ids() -> set[int]:
    """Every page that should have an entry, as far as one query can tell (site membership is checked later)."""
    models = registry.searchable_models()
    return set(Page.objects.type(*models).live().public().values_list("pk", flat=True)) if models else set()


def reconcile_index() -> SyncResult:
    """Find and fix entries that disagree with the pages (a page published by a path that sent no signal, an
    entry older than the page's last publication, an entry whose page is no longer live)."""
    indexable = indexable_page_ids()
    stored = set(SearchEntry.objects.values_list("page_id", flat=True))
    stale = set(
        SearchEntry.objects.filter(page__last_published_at__gt=F("indexed_at")).values_list(
            "page_id", flat=True
        )
    )
    return sync_pages(page_ids=sorted((indexable - stored) | (stored - indexable) | stale))


def rebuild_index(*, actor: Any = None) -> SyncResult:
    """Re-segment and rewrite every entry (after the dictionary changed), then rebuild the full-text index."""
    get_backend().rebuild()
    ids = indexable_page_ids() | set(SearchEntry.objects.values_list("page_id", flat=True))
    result = sync_pages(page_ids=sorted(ids))
    with transaction.atomic():
        get_backend().optimize()
        audit(
            actor=actor,
            action="portal.search.rebuild",
            detail={"indexed": result.indexed, "removed": result.removed},
        )
    return result


def optimize_index() -> None:
    get_backend().optimize()


# ---------------------------------------------------------------------------------------------------------------
# The search log
# ---------------------------------------------------------------------------------------------------------------


def client_key(*, ip: str | None) -> str:
    """A keyed hash of the visitor's network address, the same on every day: the hot list counts distinct
    addresses over its whole period, so one visitor changing browsers (User-Agent) or coming back on other days
    stays one searcher. An IPv6 visitor is their /64 network (one household or phone has a whole /64). The address
    cannot be read back; the log is pruned after ``LOG_RETENTION_DAYS``."""
    return salted_hmac("zhengwu.portal.search.client", _network(ip)).hexdigest()[:16]


def _network(ip: str | None) -> str:
    import ipaddress

    if not ip:
        return "-"
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return "-"
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def record_query(
    *, site: Site | None, query: str, whole_group: bool, result_count: int, client: str = ""
) -> SearchQueryLog | None:
    """Log one search (the query normalized as it is matched); nothing for an empty query."""
    text = normalize(query).strip()[:MAX_QUERY_LENGTH]
    if not text:
        return None
    return SearchQueryLog.objects.create(
        site=site,
        query=text,
        whole_group=whole_group,
        result_count=max(0, result_count),
        client_key=client[:16],
    )


def prune_query_log(*, days: int = LOG_RETENTION_DAYS) -> int:
    deleted, _ = SearchQueryLog.objects.filter(
        created_at__lt=timezone.now() - dt.timedelta(days=days)
    ).delete()
    return deleted


# ---------------------------------------------------------------------------------------------------------------
# Staff: recommendations and hidden hot terms
# ---------------------------------------------------------------------------------------------------------------


def _site_organization(site: Site | None):
    if site is None:
        return None
    return getattr(site.root_page.specific, "organization", None)


def _check_site_scope(*, actor: Any, site: Site | None) -> None:
    from zhengwu.core.scoping import is_in_scope

    if has_county_wide_access(actor):
        return
    if site is None:
        raise PermissionDenied("只有具有全县权限的工作人员可以设置适用于全部网站的内容。")
    organization = _site_organization(site)
    if organization is None or not is_in_scope(organization, actor, org_field=""):
        raise PermissionDenied("您不能管理该网站的站内搜索。")


RECOMMENDATION_FIELDS = (
    "keywords",
    "site",
    "page",
    "url",
    "title",
    "description",
    "sort_order",
    "is_active",
    "starts_on",
    "ends_on",
)


@transaction.atomic
def save_recommendation(
    *, recommendation: SearchRecommendation, actor: Any, request: Any = None
) -> SearchRecommendation:
    """Create or update a 推荐结果 (the caller has set its fields); checks scope, validates, audits."""
    _check_site_scope(actor=actor, site=recommendation.site)
    if recommendation.pk:
        previous = SearchRecommendation.objects.select_for_update().get(pk=recommendation.pk)
        _check_site_scope(actor=actor, site=previous.site)
    recommendation.keywords = "、".join(recommendation.keyword_list())
    recommendation.full_clean()
    if recommendation.page_id:
        page = recommendation.page
        if not page.live:
            raise ValidationError({"page": "只能推荐已发布的页面。"})
    creating = recommendation.pk is None
    recommendation.save()
    audit(
        actor=actor,
        action="portal.search.recommendation.create" if creating else "portal.search.recommendation.update",
        target=recommendation,
        organization=_site_organization(recommendation.site),
        request=request,
        detail={
            "keywords": recommendation.keywords,
            "site": recommendation.site.site_name if recommendation.site else "全部网站",
            "page": recommendation.page_id,
            "url": recommendation.url,
        },
    )
    return recommendation


@transaction.atomic
def delete_recommendation(*, recommendation: SearchRecommendation, actor: Any, request: Any = None) -> None:
    _check_site_scope(actor=actor, site=recommendation.site)
    audit(
        actor=actor,
        action="portal.search.recommendation.delete",
        target=recommendation,
        organization=_site_organization(recommendation.site),
        request=request,
        detail={"keywords": recommendation.keywords},
    )
    recommendation.delete()


@transaction.atomic
def hide_hot_query(*, query: str, site: Site | None, actor: Any, request: Any = None) -> HiddenSearchTerm:
    """Keep a term off the public hot list of ``site`` (``None``: of every site)."""
    _check_site_scope(actor=actor, site=site)
    text = normalize(query).strip()[:MAX_QUERY_LENGTH]
    if not text:
        raise ValidationError("搜索词不能为空。")
    hidden, _created = HiddenSearchTerm.objects.get_or_create(
        query=text, site=site, defaults={"created_by": actor if getattr(actor, "pk", None) else None}
    )
    audit(
        actor=actor,
        action="portal.search.hot_query.hide",
        target=hidden,
        organization=_site_organization(site),
        request=request,
        detail={"query": text, "site": site.site_name if site else "全部网站"},
    )
    from .selectors import forget_hot_queries

    transaction.on_commit(forget_hot_queries)
    return hidden


@transaction.atomic
def unhide_hot_query(*, hidden: HiddenSearchTerm, actor: Any, request: Any = None) -> None:
    _check_site_scope(actor=actor, site=hidden.site)
    audit(
        actor=actor,
        action="portal.search.hot_query.unhide",
        target=hidden,
        organization=_site_organization(hidden.site),
        request=request,
        detail={"query": hidden.query},
    )
    hidden.delete()
    from .selectors import forget_hot_queries

    transaction.on_commit(forget_hot_queries)


# ---------------------------------------------------------------------------------------------------------------
# Staff: the synonym and abbreviation dictionary (one for the whole group of sites)
# ---------------------------------------------------------------------------------------------------------------


def _check_county_wide(actor: Any) -> None:
    if not has_county_wide_access(actor):
        raise PermissionDenied("同义词与简称适用于站群所有网站，只有具有全县权限的工作人员可以修改。")


@transaction.atomic
def save_synonym(*, synonym: SearchSynonym, actor: Any, request: Any = None) -> SearchSynonym:
    """Create or update a group of synonyms (the caller has set its fields); validates, audits, and makes every
    process read the dictionary again."""
    from . import synonyms

    _check_county_wide(actor)
    synonym.full_clean()
    creating = synonym.pk is None
    synonym.save()
    audit(
        actor=actor,
        action="portal.search.synonym.create" if creating else "portal.search.synonym.update",
        target=synonym,
        request=request,
        detail={"words": synonym.words, "is_active": synonym.is_active},
    )
    transaction.on_commit(synonyms.changed)
    return synonym


@transaction.atomic
def delete_synonym(*, synonym: SearchSynonym, actor: Any, request: Any = None) -> None:
    from . import synonyms

    _check_county_wide(actor)
    audit(
        actor=actor,
        action="portal.search.synonym.delete",
        target=synonym,
        request=request,
        detail={"words": synonym.words},
    )
    synonym.delete()
    transaction.on_commit(synonyms.changed)


def scoped_sites(user: Any) -> list[Site]:
    """The sites whose search a staff member manages: every site with county-wide access, else the sites whose
    home page belongs to their organization subtree."""
    from zhengwu.core.scoping import scope_queryset

    sites = Site.objects.select_related("root_page").order_by("-is_default_site", "site_name")
    if has_county_wide_access(user):
        return list(sites)
    return list(scope_queryset(sites, user, org_field="root_page__homepage__organization"))


def site_filter(user: Any, field: str = "site") -> Q:
    """A Q limiting rows with a ``site`` to the user's sites (rows for every site only with county-wide access)."""
    if has_county_wide_access(user):
        return Q()
    return Q(**{f"{field}__in": [site.pk for site in scoped_sites(user)]})
