"""Reads of the portal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum, Value, Window
from django.db.models.functions import Coalesce, RowNumber, Substr
from wagtail.models import Page, Site

from .models import ColumnPage, ContentPage, HomePage, PageVisitDay, SensitiveTerm

HOME_ITEMS_PER_SECTION = 8
# What a list of items shows (title, date, link): the rest of a page's fields stay unread.
ITEM_FIELDS = ("id", "title", "url_path", "path", "depth", "published_at", "content_type_id", "alias_of_id")


def site_group(*, exclude: Site | None = None) -> list[Site]:
    """Every site of the group, the county portal first, for the 'site group' navigation: the sites whose root is a
    portal home page (not a placeholder site left by the installation, which serves nothing of the group)."""
    sites = (
        Site.objects.filter(root_page__in=HomePage.objects.values("pk"))
        .select_related("root_page")
        .order_by("-is_default_site", "site_name")
    )
    return [s for s in sites if exclude is None or s.pk != exclude.pk]


def private_pages_q(request=None) -> Q:
    """The pages in a private section (restricted themselves or below a restricted page), as one filter.

    One query reads the view restrictions; the filter then serves every list of a request (kept on the request
    when one is given: the page's lists and the header navigation share it), instead of each ``.public()``
    reading them again.
    """
    private = getattr(request, "_zhengwu_private_q", None)
    if private is None:
        private = Page.objects.all().private_q()
        if request is not None:
            request._zhengwu_private_q = private
    return private


def column_items(*, column: ColumnPage, private: Q | None = None) -> QuerySet[ContentPage]:
    """The live items of a column, newest 发布日期 first (aliases pushed from sub-sites included)."""
    items = ContentPage.objects.child_of(column).live()
    items = items.public() if private is None else items.exclude(private)
    return items.order_by("-published_at", "-pk").only(*ITEM_FIELDS)


def public_columns(*, parent: Page, private: Q) -> QuerySet[ColumnPage]:
    """The live, public columns directly under a home page or a topic, in tree order."""
    return ColumnPage.objects.child_of(parent).live().exclude(private)


def menu_pages(*, home: Page, private: Q) -> QuerySet[Page]:
    """The live, public pages directly under a site's home marked 「在菜单中显示」, in tree order (one query), each
    with ``menu_column_kind``: the 栏目类型 of a column ("" for another page)."""
    kind = ColumnPage.objects.filter(pk=OuterRef("pk")).values("column_kind")[:1]
    return (
        Page.objects.child_of(home)
        .filter(show_in_menus=True)
        .live()
        .exclude(private)
        .only("id", "title", "path", "depth", "url_path", "slug")
        .annotate(menu_column_kind=Coalesce(Subquery(kind), Value("")))
        .order_by("path")
    )


def latest_items(*, columns: Sequence[ColumnPage], limit: int, private: Q) -> dict[int, list[ContentPage]]:
    """The newest ``limit`` live, public items of each column (by column pk), in one query for all the columns.

    Items are ranked inside their column (the parent's path, a prefix of theirs) by a window function; only the
    first ``limit`` of each column are read.
    """
    if not columns:
        return {}
    steplen = Page.steplen
    in_columns = Q()
    for column in columns:
        in_columns |= Q(path__startswith=column.path, depth=column.depth + 1)
    parent_path = Substr("path", 1, (F("depth") - Value(1)) * Value(steplen))
    ranked = (
        ContentPage.objects.filter(in_columns)
        .live()
        .exclude(private)
        .only(*ITEM_FIELDS)
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[parent_path], order_by=[F("published_at").desc(), F("pk").desc()]
            )
        )
        .filter(rank__lte=limit)
        .order_by("-published_at", "-pk")
    )
    by_path: dict[str, list[ContentPage]] = {column.path: [] for column in columns}
    for item in ranked:
        by_path[item.path[:-steplen]].append(item)
    return {column.pk: by_path[column.path] for column in columns}


def home_sections(*, home: HomePage, request=None) -> list[tuple[ColumnPage, list[ContentPage]]]:
    """The home page's sections: each top-level column marked for the home page with its latest items.

    Three queries however many columns: the view restrictions, the columns, their items.
    """
    private = private_pages_q(request)
    columns = list(public_columns(parent=home, private=private).filter(show_on_home=True))
    items = latest_items(columns=columns, limit=HOME_ITEMS_PER_SECTION, private=private)
    return [(column, items[column.pk]) for column in columns]


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


PICTURE_NEWS_ITEMS = 4


def picture_news(*, home: Page, request=None, limit: int = PICTURE_NEWS_ITEMS) -> list:
    """图片新闻 on a home page: the newest live, public articles of the site that have a picture."""
    from .models import ArticlePage

    return list(
        ArticlePage.objects.descendant_of(home)
        .live()
        .exclude(private_pages_q(request))
        .filter(cover__isnull=False)
        .select_related("cover")
        .order_by("-published_at", "-pk")
        .only("id", "title", "url_path", "path", "depth", "published_at", "cover")[:limit]
    )


def home_topics(*, home: Page, request=None) -> list:
    """专题专栏 of a site: its live, public topics directly under the home page, in tree order."""
    from .models import TopicPage

    return list(
        TopicPage.objects.child_of(home).live().exclude(private_pages_q(request)).select_related("banner")
    )
