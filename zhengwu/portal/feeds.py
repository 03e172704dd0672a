"""RSS per column."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.utils.feedgenerator import Rss201rev2Feed
from wagtail.models import Site

from .models import ColumnPage
from .selectors import column_items

FEED_ITEMS = 30


class ColumnFeed(Feed):
    feed_type = Rss201rev2Feed

    def get_object(self, request: HttpRequest, column_id: int) -> ColumnPage:
        site = Site.find_for_request(request)
        column = ColumnPage.objects.live().public().filter(pk=column_id).first()
        if column is None or site is None or not column.path.startswith(site.root_page.path):
            raise Http404("栏目不存在")
        self.request = request
        return column

    def title(self, column: ColumnPage) -> str:
        return f"{column.get_site().site_name} - {column.title}"

    def link(self, column: ColumnPage) -> str:
        return column.url

    def description(self, column: ColumnPage) -> str:
        return column.description or f"{column.title}最新信息"

    def items(self, column: ColumnPage):
        return column_items(column=column).specific()[:FEED_ITEMS]

    def item_title(self, item) -> str:
        return item.title

    def item_description(self, item) -> str:
        return item.summary or ""

    def item_link(self, item) -> str:
        return item.url

    def item_pubdate(self, item):
        return item.published_at
