"""站内搜索: the index of published pages, the log of searches, staff-chosen recommendations and hidden terms.

:class:`SearchEntry` holds one row per live, public, searchable page: what results show (title, summary, plain
text, date) and, in the ``*_terms`` columns, the same text cut into words by jieba (space-separated). The
full-text index is built over those columns by the database's own means (see ``zhengwu.portal.search.backends``):

- SQLite: an FTS5 table ``portal_search_fts`` (tokenizer unicode61) with this table as its external content
  (rowid = ``sort_key``), kept in step by triggers. Django rebuilds a SQLite table when a later migration alters
  it, which drops the triggers: such a migration must call ``zhengwu.portal.search.backends.install_index``.
- PostgreSQL: a ``search_vector`` tsvector column on this table with a GIN index, written by the search backend.

Rows are written only by ``zhengwu.portal.search.services``; deleting a page deletes its row.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

KEYWORD_SEPARATORS = re.compile(r"[\s,，、;；]+")


class SearchEntry(models.Model):
    page = models.OneToOneField(
        "wagtailcore.Page",
        verbose_name="页面",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="search_entry",
    )
    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name="网站", on_delete=models.CASCADE, related_name="+"
    )
    column = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name="栏目",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField("类型", max_length=30)
    is_alias = models.BooleanField("同步推送的副本", default=False)
    title = models.CharField("标题", max_length=255)
    summary = models.TextField("摘要", blank=True)
    body_text = models.TextField("正文文本", blank=True)
    keywords = models.CharField("关键词", max_length=255, blank=True)
    document_number = models.CharField("文号", max_length=60, blank=True)
    source = models.CharField("来源", max_length=100, blank=True)
    published_at = models.DateTimeField("发布日期")
    # Publication time in seconds × 10⁹ + page id: unique, and ordered as the results are by date. SQLite's
    # full-text index uses it as its rowid, so "newest first" and date ranges are read straight off the index.
    sort_key = models.BigIntegerField(unique=True)
    # Filter tokens (site, kind, every enclosing column, original vs pushed copy) for the SQLite index.
    facet_terms = models.TextField(blank=True)
    title_terms = models.TextField(blank=True)
    meta_terms = models.TextField(blank=True)  # keywords, 发文机关, source (the 文号 goes with the title)
    summary_terms = models.TextField(blank=True)
    body_terms = models.TextField(blank=True)
    indexed_at = models.DateTimeField("索引时间", default=timezone.now)

    class Meta:
        verbose_name = "搜索索引条目"
        verbose_name_plural = "搜索索引条目"
        indexes = [
            models.Index(fields=["site", "published_at"], name="portal_search_site_date"),
            models.Index(fields=["column", "published_at"], name="portal_search_column_date"),
            models.Index(fields=["published_at"], name="portal_search_date"),
            # Newest-first reads with a kind filter (PostgreSQL reads broad matches in date order).
            models.Index(fields=["site", "kind", "published_at"], name="portal_search_site_kind_date"),
            models.Index(fields=["kind", "published_at"], name="portal_search_kind_date"),
        ]

    def __str__(self) -> str:
        return self.title


class SearchQueryLog(models.Model):
    """One search as a visitor ran it (first results page only). No address is kept: ``client_key`` is a keyed
    hash of the address and the day, enough to count distinct searchers for the hot list and nothing more."""

    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name="网站", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    query = models.CharField("搜索词", max_length=50)
    whole_group = models.BooleanField("搜索全部网站", default=False)
    result_count = models.PositiveIntegerField("结果数")
    client_key = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField("搜索时间", default=timezone.now)

    class Meta:
        verbose_name = "搜索记录"
        verbose_name_plural = "搜索记录"
        indexes = [
            models.Index(fields=["site", "created_at"], name="portal_searchlog_site_time"),
            models.Index(fields=["created_at"], name="portal_searchlog_time"),
            models.Index(fields=["query"], name="portal_searchlog_query"),
        ]

    def __str__(self) -> str:
        return self.query


def parse_keywords(text: str) -> list[str]:
    """Keywords as staff typed them (separated by spaces, commas or 、), normalized as search queries are."""
    from zhengwu.portal.search.segment import normalize

    seen: dict[str, None] = {}
    for word in KEYWORD_SEPARATORS.split(normalize(text)):
        if word:
            seen[word] = None
    return list(seen)


class SearchRecommendation(models.Model):
    """推荐结果: shown above the results whenever the query contains one of the keywords."""

    keywords = models.CharField(
        "触发关键词",
        max_length=200,
        help_text="多个关键词用空格、逗号或顿号分隔；搜索词包含其中任一关键词时显示本推荐。",
    )
    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name="适用网站",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="留空则在站群所有网站的搜索中显示（仅全县权限的工作人员可以设置）。",
    )
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name="推荐页面",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="本站群内的页面；与“外部链接”二选一。",
    )
    url = models.URLField("外部链接", blank=True, help_text="站群以外的页面，如办事大厅的事项地址。")
    title = models.CharField("显示标题", max_length=100, blank=True, help_text="留空则使用推荐页面的标题。")
    description = models.CharField("说明", max_length=200, blank=True)
    sort_order = models.IntegerField("排序", default=0, help_text="数字小的排在前面。")
    is_active = models.BooleanField("启用", default=True)
    starts_on = models.DateField("开始日期", null=True, blank=True)
    ends_on = models.DateField("结束日期", null=True, blank=True)
    created_at = models.DateTimeField("添加时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "推荐结果"
        verbose_name_plural = "推荐结果"
        ordering = ["sort_order", "-updated_at"]

    def __str__(self) -> str:
        return self.display_title or self.keywords

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        return self.page.title if self.page_id and self.page else ""

    def keyword_list(self) -> list[str]:
        return parse_keywords(self.keywords)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if not self.keyword_list():
            errors["keywords"] = "请填写至少一个触发关键词。"
        elif any(len(word) > 50 for word in self.keyword_list()):
            errors["keywords"] = "每个关键词不能超过 50 个字。"
        if bool(self.page_id) == bool(self.url):
            errors["page"] = "请选择一个推荐页面，或填写一个外部链接（二者只能选一）。"
        if self.url and not self.title:
            errors["title"] = "推荐外部链接时必须填写显示标题。"
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "结束日期不能早于开始日期。"
        if errors:
            raise ValidationError(errors)


class HiddenSearchTerm(models.Model):
    """A search term kept off the public hot list (不雅、无意义或被刷的词)."""

    query = models.CharField("搜索词", max_length=50)
    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name="网站",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="留空则在所有网站的热门搜索中隐藏。",
    )
    created_by = models.ForeignKey(
        "core.Staff", verbose_name="操作人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("隐藏时间", default=timezone.now)

    class Meta:
        verbose_name = "隐藏的热门搜索词"
        verbose_name_plural = "隐藏的热门搜索词"
        constraints = [
            models.UniqueConstraint(fields=["query", "site"], name="portal_hiddenterm_unique"),
            models.UniqueConstraint(
                fields=["query"], condition=models.Q(site__isnull=True), name="portal_hiddenterm_unique_all"
            ),
        ]

    def __str__(self) -> str:
        return self.query


class SearchSynonym(models.Model):
    """同义词与简称: words that find each other in the site search (社保 / 社会保险 / 社会保障). Seeded from
    ``zhengwu/portal/search/rules/synonyms.json`` by ``zhengwu setup``; staff with county-wide access edit them."""

    words = models.CharField(
        "词语",
        max_length=300,
        help_text="一组互为同义的词（简称、全称、俗称），用空格、逗号或顿号分隔，至少两个，如“社保、社会保险、社会保障”。",
    )
    note = models.CharField("说明", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)
    from_rules = models.BooleanField("来自预置词表", default=False, editable=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "同义词与简称"
        verbose_name_plural = "同义词与简称"
        ordering = ["words"]

    def __str__(self) -> str:
        return "、".join(self.word_list())

    def word_list(self) -> list[str]:
        return parse_keywords(self.words)

    def clean(self) -> None:
        super().clean()
        words = self.word_list()
        if len(words) < 2:
            raise ValidationError({"words": "请填写至少两个互为同义的词。"})
        if any(len(word) > 30 for word in words):
            raise ValidationError({"words": "每个词不能超过 30 个字。"})
        self.words = "、".join(words)
