"""Which column each old page belongs to, and the slug and site-relative path it gets.

Columns are the old site's list pages, one per pager (``column_key``), named after their column name and nested as
their breadcrumb shows, in the order the old home page links them. An item belongs to the column whose list shows
it; an item no list shows (linked from the home page only) goes to the column its breadcrumb or metadata names."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from pypinyin import Style, lazy_pinyin

from zhengwu.inspection.kinds import ARTICLE, GUIDE, HOME, INTERPRETATION, LIST, MESSAGE, POLICY
from zhengwu.inspection.rules import RuleSet

from .crawl import OldPage, OldSite

KIND_OF = {
    ARTICLE: "article",
    POLICY: "policy",
    INTERPRETATION: "interpretation",
    MESSAGE: "message",
    GUIDE: "guide",
}  # anything else that is not a list or the home page is a single page
FALLBACK_COLUMN = "其他信息"
_PAGE_SUFFIX = re.compile(r"\s*[（(]?\s*第\s*\d+\s*页\s*[）)]?\s*$")
_SLUG_CHARS = re.compile(r"[^a-z0-9]+")
# The inspector's column kinds, as the portal's column types.
COLUMN_KINDS = {"news", "notice", "policy", "interpretation", "interaction"}


@dataclass
class PlannedColumn:
    key: str  # the old URL of the pager's first page, or "name:<name>" for a column no list page shows
    name: str
    parent_key: str | None
    order: int
    column_kind: str
    old_urls: list[str] = field(default_factory=list)  # every pager page
    slug: str = ""
    path: str = ""


@dataclass
class PlannedItem:
    page: OldPage
    kind: str  # the report's kind
    column_key: str
    slug: str = ""
    path: str = ""
    listed_date: object = None  # the date the column list showed for it


@dataclass
class Plan:
    columns: dict[str, PlannedColumn]
    items: dict[str, PlannedItem]  # by old URL
    column_order: list[str]


def slugify(text: str, fallback: str) -> str:
    initials = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore")).lower()
    slug = _SLUG_CHARS.sub("-", initials).strip("-")
    return slug[:40] or fallback


def url_slug(url: str) -> str:
    parts = urlsplit(url)
    stem = parts.path.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if stem in ("", "index", "default", "show", "content", "detail", "view", "art", "article"):
        stem = f"{stem}-{parts.query}" if parts.query else (stem or "page")
    elif parts.query:
        stem = f"{stem}-{parts.query}"
    slug = _SLUG_CHARS.sub("-", stem.lower()).strip("-")[:60]
    return slug or hashlib.sha1(url.encode()).hexdigest()[:10]


def _unique(slug: str, taken: set[str]) -> str:
    candidate, n = slug, 2
    while candidate in taken:
        candidate = f"{slug}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


def make_plan(site: OldSite, rules: RuleSet, existing: dict[str, tuple[str, str]] | None = None) -> Plan:
    """``existing``: old URL → (slug, path) of pages a previous run created, kept as they are."""
    existing = existing or {}
    home_links = site.home.links if site.home else []
    nav_rank = {url: n for n, url in reversed(list(enumerate(home_links)))}
    columns: dict[str, PlannedColumn] = {}
    by_name: dict[str, str] = {}
    lists = sorted((p for p in site.pages.values() if p.kind == LIST), key=lambda p: p.order)

    def kind_for(name: str) -> str:
        kind = rules.column_kind_for(name).kind if name else "other"
        return kind if kind in COLUMN_KINDS else "other"

    def ensure_named(name: str, parent_key: str | None) -> str:
        key = by_name.get(name)
        if key is None:
            key = f"name:{name}"
            columns[key] = PlannedColumn(key, name, parent_key, 10_000 + len(columns), kind_for(name))
            by_name[name] = key
        return key

    for page in lists:
        key = page.column_key or page.url
        column = columns.get(key)
        if column is None:
            name = _PAGE_SUFFIX.sub("", page.column_name or page.title).strip() or FALLBACK_COLUMN
            parent_key = None
            parents = [c for c in page.crumbs if c != name]
            for parent_name in parents[:-1] if page.crumbs and page.crumbs[-1] == name else parents:
                parent_key = ensure_named(parent_name, parent_key)
            rank = min((nav_rank[u] for u in (key, page.url) if u in nav_rank), default=10_000 + page.order)
            column = columns[key] = PlannedColumn(key, name, parent_key, rank, kind_for(name))
            by_name.setdefault(name, key)
        column.old_urls.append(page.url)
        column.old_urls.extend(page.aliases)

    items: dict[str, PlannedItem] = {}
    for key, column in list(columns.items()):
        for list_url in column.old_urls:
            page = site.pages.get(list_url)
            for row_url, row_date in page.rows if page else []:
                target = site.pages.get(row_url)
                if target is None or target.kind in (LIST, HOME) or target.url in items:
                    continue
                items[target.url] = PlannedItem(
                    target, KIND_OF.get(target.kind, "single"), key, listed_date=row_date
                )

    def by_own_name(page: OldPage) -> str:
        name = page.column_name or (page.crumbs[-1] if page.crumbs else "") or FALLBACK_COLUMN
        return by_name.get(name) or ensure_named(name, None)

    rest = sorted(
        (p for p in site.pages.values() if p.kind not in (LIST, HOME) and p.url not in items),
        key=lambda p: p.order,
    )
    # Single pages first (a column's own page, such as 机构职能 or a 办事指南 index), then the items no list shows:
    # they go to the column of the first page (not the home page) that links them, else to the column they name.
    for page in rest:
        # A column's own page (办事指南 titled like its column, with no date of its own) is a single page too.
        own_page = page.published is None and page.title and page.title == page.column_name
        if KIND_OF.get(page.kind) is None or own_page:
            key = by_own_name(page)
            if columns[key].column_kind == "other" and not columns[key].old_urls:
                columns[key].column_kind = "overview"
            items[page.url] = PlannedItem(page, "single", key)
    referrer: dict[str, str] = {}
    for page in sorted(site.pages.values(), key=lambda p: p.order):
        if page.kind == HOME:
            continue
        own = items.get(page.url)
        key = own.column_key if own is not None and own.kind == "single" else None
        if page.kind == LIST:
            key = page.column_key or page.url
        if key is None:
            continue
        for link in page.links:
            referrer.setdefault(link, key)
    for page in rest:
        if page.url in items:
            continue
        key = referrer.get(page.url) or next((referrer[a] for a in page.aliases if a in referrer), None)
        items[page.url] = PlannedItem(page, KIND_OF[page.kind], key or by_own_name(page))

    # Guide-only columns are 服务 columns, message columns 互动.
    for key, column in columns.items():
        kinds = {item.kind for item in items.values() if item.column_key == key}
        if "guide" in kinds and kinds <= {"guide", "single"}:
            column.column_kind = "service"
        elif kinds == {"message"}:
            column.column_kind = "interaction"

    order = sorted(columns, key=lambda k: (columns[k].order, k))
    # Slugs and paths: parents before children.
    taken: dict[str, set[str]] = {}
    for slug, path in existing.values():
        taken.setdefault(path[: -len(slug) - 1], set()).add(slug)
    done: set[str] = set()

    def place(key: str) -> None:
        if key in done:
            return
        column = columns[key]
        parent_path = "/"
        if column.parent_key:
            place(column.parent_key)
            parent_path = columns[column.parent_key].path
        first_url = column.old_urls[0] if column.old_urls else key
        if first_url in existing:
            column.slug, column.path = existing[first_url]
            taken.setdefault(parent_path, set()).add(column.slug)
        else:
            column.slug = _unique(slugify(column.name, "lanmu"), taken.setdefault(parent_path, set()))
            column.path = f"{parent_path}{column.slug}/"
        done.add(key)

    for key in order:
        place(key)
    for item in sorted(items.values(), key=lambda i: i.page.order):
        column = columns[item.column_key]
        siblings = taken.setdefault(column.path, set())
        if item.page.url in existing:
            item.slug, item.path = existing[item.page.url]
            siblings.add(item.slug)
        else:
            item.slug = _unique(url_slug(item.page.url), siblings)
            item.path = f"{column.path}{item.slug}/"
    return Plan(columns=columns, items=items, column_order=order)
