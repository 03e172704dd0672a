"""RSS per column."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.html import strip_tags
from django.utils.text import Truncator
from wagtail.models import Site

from zhengwu.core.params import MAX_ID

from .models import ColumnPage
from .selectors import column_items

FEED_ITEMS = 30
DESCRIPTION_CHARS = 140


class ColumnFeed(Feed):
    feed_type = Rss201rev2Feed

    def get_object(self, request: HttpRequest, column_id: int) -> ColumnPage:
        if not 1 <= column_id <= MAX_ID:  # a 20-digit number would overflow the database's integer
            raise Http404("栏目不存在")
        site = Site.find_for_request(request)
        column = ColumnPage.objects.live().public().filter(pk=column_id).first()
        if column is None or site is None or not column.path.startswith(site.root_page.path):
            raise Http404("栏目不存在")
        self.request = request
        return column

    def title(self, column: ColumnPage) -> str:
        return f"{column.get_site().site_name} - {column.title}"

    # Relative to this site where possible: the feed framework completes them with the request's own host and
    # port, never a port from the site record that the server may not be answering on.
    def link(self, column: ColumnPage) -> str:
        return column.get_url(self.request)

    def description(self, column: ColumnPage) -> str:
        return column.description or f"{column.title}最新信息"

    def items(self, column: ColumnPage):
        return column_items(column=column).specific()[:FEED_ITEMS]

    def item_title(self, item) -> str:
        return item.title

    def item_description(self, item) -> str:
        """The 摘要, or else the opening of the text: a reader shows something for every item."""
        if item.summary:
            return item.summary
        text = " ".join(strip_tags(getattr(item, "body", "") or "").split())
        return Truncator(text).chars(DESCRIPTION_CHARS) or item.title

    def item_link(self, item) -> str:
        return item.get_url(self.request)

    def item_pubdate(self, item):
        return item.published_at
