"""Reads of the portal."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet, Sum
from wagtail.models import Page, Site

from .models import ColumnPage, ContentPage, HomePage, PageVisitDay, SensitiveTerm

HOME_ITEMS_PER_SECTION = 8


def site_group(*, exclude: Site | None = None) -> list[Site]:
    """Every site of the group, the county portal first, for the 'site group' navigation."""
    sites = Site.objects.select_related("root_page").order_by("-is_default_site", "site_name")
    return [s for s in sites if exclude is None or s.pk != exclude.pk]


def column_items(*, column: ColumnPage) -> QuerySet[ContentPage]:
    """The live items of a column, newest 发布日期 first (aliases pushed from sub-sites included)."""
    return (
        ContentPage.objects.child_of(column)
        .live()
        .public()
        .order_by("-published_at", "-pk")
        .only("id", "title", "url_path", "path", "depth", "published_at", "content_type_id", "alias_of_id")
    )


def home_sections(*, home: HomePage) -> list[tuple[ColumnPage, list[ContentPage]]]:
    """The home page's sections: each top-level column marked for the home page with its latest items."""
    columns = ColumnPage.objects.child_of(home).live().public().filter(show_on_home=True)
    return [(column, list(column_items(column=column)[:HOME_ITEMS_PER_SECTION])) for column in columns]


def visit_totals(*, since, until, site: Site | None = None, column: ColumnPage | None = None) -> int:
    """Views between two dates (inclusive) of a site, of a column and everything under it, or of the group."""
    rows = PageVisitDay.objects.filter(date__gte=since, date__lte=until)
    if site is not None:
        rows = rows.filter(site=site)
    if column is not None:
        rows = rows.filter(path__startswith=column.path)
    return rows.aggregate(total=Sum("views"))["total"] or 0


def top_pages(*, since, until, site: Site | None = None, limit: int = 20) -> list[dict]:
    """The most viewed pages in a period, with their title and URL."""
    rows = PageVisitDay.objects.filter(date__gte=since, date__lte=until)
    if site is not None:
        rows = rows.filter(site=site)
    ranked = list(rows.values("page_id").annotate(total=Sum("views")).order_by("-total", "page_id")[:limit])
    pages = Page.objects.in_bulk([row["page_id"] for row in ranked])
    return [
        {"page": pages[row["page_id"]], "views": row["total"]} for row in ranked if row["page_id"] in pages
    ]


def daily_visits(*, since, until, site: Site | None = None) -> list[tuple]:
    """Views per day in a period (days without views included, as zero)."""
    rows = PageVisitDay.objects.filter(date__gte=since, date__lte=until)
    if site is not None:
        rows = rows.filter(site=site)
    counts = dict(rows.values_list("date").annotate(total=Sum("views")))
    days = (until - since).days + 1
    return [(since + dt.timedelta(days=n), counts.get(since + dt.timedelta(days=n), 0)) for n in range(days)]


def county_sensitive_terms() -> list[str]:
    return list(SensitiveTerm.objects.filter(is_active=True).values_list("term", flat=True))


def site_map(*, site: Site) -> list[dict]:
    """网站地图: the site's columns and topics as a nested tree (one query)."""
    from .models import TopicPage

    root = site.root_page
    pages = (
        Page.objects.descendant_of(root)
        .live()
        .public()
        .type(ColumnPage, TopicPage)
        .filter(depth__lte=root.depth + 3)
        .order_by("path")
    )
    nodes: dict[str, dict] = {}
    tree: list[dict] = []
    for page in pages:
        node = {"page": page, "children": []}
        nodes[page.path] = node
        parent = nodes.get(page.path[: -Page.steplen])
        (parent["children"] if parent else tree).append(node)
    return tree
