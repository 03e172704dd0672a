"""Page types of the site group (集约化): every site of the county uses the same types."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from ..admin_forms import ReviewedPageForm

LIST_PAGE_SIZE = 20
REVIEW_PANEL = MultiFieldPanel(
    [FieldPanel("confidentiality_override"), FieldPanel("confidentiality_reason")], heading="保密审查"
)


class ReviewedPublishMixin:
    """Every publication of a portal page passes the 保密审查 scan (see editorial.py)."""

    base_form_class = ReviewedPageForm

    def publish(self, revision, *args, **kwargs):
        from ..editorial import check_publication

        check_publication(revision.as_object())
        return super().publish(revision, *args, **kwargs)


class ColumnKind(models.TextChoices):
    """栏目类型: what inspection freshness rules read to decide how often a column must update."""

    NEWS = "news", "动态要闻"
    NOTICE = "notice", "通知公告"
    POLICY = "policy", "政策文件"
    INTERPRETATION = "interpretation", "政策解读"
    PERSONNEL = "personnel", "人事"
    PLAN = "plan", "规划计划"
    OVERVIEW = "overview", "概况"
    TOPIC = "topic", "专题"
    INTERACTION = "interaction", "互动"
    SERVICE = "service", "服务"
    OTHER = "other", "其他"


class ArticleKind(models.TextChoices):
    NEWS = "news", "新闻"
    NOTICE = "notice", "通知公告"
    VIDEO = "video", "视频新闻"


class Validity(models.TextChoices):
    VALID = "valid", "有效"
    EXPIRED = "expired", "失效"
    REPEALED = "repealed", "废止"


class HomePage(ReviewedPublishMixin, Page):
    """The home page of one site of the group: the county portal or a department/town sub-site."""

    organization = models.ForeignKey(
        "core.Organization",
        verbose_name="主办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="home_pages",
    )
    intro = RichTextField("简介", blank=True)

    content_panels = [*Page.content_panels, FieldPanel("organization"), FieldPanel("intro"), REVIEW_PANEL]
    subpage_types = ["portal.ColumnPage", "portal.TopicPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = "网站首页"
        verbose_name_plural = "网站首页"

    def get_context(self, request, *args, **kwargs):
        from wagtail.models import Site

        from ..selectors import home_sections, home_topics, picture_news, site_group

        context = super().get_context(request, *args, **kwargs)
        # The site this request was routed through (cached on the request), not a fresh lookup by path.
        context["group_sites"] = site_group(exclude=Site.find_for_request(request))
        context["sections"] = home_sections(home=self, request=request)
        context["pictures"] = picture_news(home=self, request=request)
        context["topics"] = home_topics(home=self, request=request)
        return context


class ColumnPage(ReviewedPublishMixin, Page):
    """栏目: lists the items published under it, newest first."""

    column_kind = models.CharField(
        "栏目类型", max_length=20, choices=ColumnKind.choices, default=ColumnKind.NEWS
    )
    description = models.CharField("栏目描述", max_length=200, blank=True)
    keywords = models.CharField("栏目关键词", max_length=200, blank=True)
    show_on_home = models.BooleanField("在首页显示", default=True)

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("column_kind"), FieldPanel("show_on_home")]),
        FieldPanel("description"),
        FieldPanel("keywords"),
        REVIEW_PANEL,
    ]
    parent_page_types = ["portal.HomePage", "portal.ColumnPage", "portal.TopicPage"]
    subpage_types = [
        "portal.ColumnPage",
        "portal.ArticlePage",
        "portal.PolicyDocumentPage",
        "portal.InterpretationPage",
    ]

    class Meta:
        verbose_name = "栏目"
        verbose_name_plural = "栏目"

    def get_context(self, request, *args, **kwargs):
        from ..selectors import column_items, private_pages_q, public_columns

        context = super().get_context(request, *args, **kwargs)
        private = private_pages_q(request)
        paginator = Paginator(column_items(column=self, private=private), LIST_PAGE_SIZE)
        context["items"] = paginator.get_page(request.GET.get("page"))
        context["subcolumns"] = public_columns(parent=self, private=private)
        return context


class ContentPage(ReviewedPublishMixin, Page):
    """What every published item shares: the publication date shown on the page, source and summary."""

    published_at = models.DateTimeField("发布日期", default=timezone.now, db_index=True)
    source = models.CharField("来源", max_length=100, blank=True, help_text="空则显示主办单位。")
    author = models.CharField("作者", max_length=60, blank=True)
    summary = models.CharField("摘要", max_length=300, blank=True)
    keywords = models.CharField("关键词", max_length=200, blank=True)
    body = RichTextField("正文", blank=True)

    search_fields = [
        *Page.search_fields,
        index.SearchField("body"),
        index.SearchField("summary"),
        index.FilterField("published_at"),
    ]
    parent_page_types = ["portal.ColumnPage"]
    subpage_types: list[str] = []
    # A concrete table so that one query lists a column's items of every type by 发布日期.
    is_creatable = False

    class Meta:
        verbose_name = "内容"
        verbose_name_plural = "内容"

    def column(self) -> ColumnPage | None:
        parent = self.get_parent()
        return parent.specific if parent and parent.specific_class is ColumnPage else None


class ArticlePage(ContentPage):
    """文章: 新闻, 通知公告 or 视频新闻; may be a 转载 (repost) with its source shown."""

    kind = models.CharField("类型", max_length=10, choices=ArticleKind.choices, default=ArticleKind.NEWS)
    cover = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="封面图片",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    video = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name="视频文件",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    video_url = models.URLField("视频链接", blank=True)
    is_repost = models.BooleanField("转载", default=False)
    repost_source_name = models.CharField("转载来源", max_length=100, blank=True, help_text="如：中国政府网")
    repost_source_url = models.URLField("原文链接", blank=True)

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("kind"), FieldPanel("published_at")]),
        FieldRowPanel([FieldPanel("source"), FieldPanel("author")]),
        FieldPanel("summary"),
        FieldPanel("keywords"),
        FieldPanel("cover"),
        FieldPanel("body"),
        MultiFieldPanel([FieldPanel("video"), FieldPanel("video_url")], heading="视频新闻"),
        MultiFieldPanel(
            [FieldPanel("is_repost"), FieldPanel("repost_source_name"), FieldPanel("repost_source_url")],
            heading="转载",
        ),
        InlinePanel("attachments", label="附件"),
        REVIEW_PANEL,
    ]

    class Meta:
        verbose_name = "文章"
        verbose_name_plural = "文章"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.is_repost and not self.repost_source_name.strip():
            errors["repost_source_name"] = "转载的文章必须注明来源。"
        if self.is_repost and not self.repost_source_url:
            errors["repost_source_url"] = "转载的文章必须提供原文链接。"
        if self.kind == ArticleKind.VIDEO and not (self.video_id or self.video_url):
            errors["video_url"] = "视频新闻需要上传视频文件或填写视频链接。"
        if errors:
            raise ValidationError(errors)


class PolicyDocumentPage(ContentPage):
    """政策文件 with its 文号, 发文机关, 成文日期 and 有效性; its 政策解读 pages link back to it."""

    document_number = models.CharField("文号", max_length=60, blank=True)
    issuing_authority = models.CharField("发文机关", max_length=100)
    written_on = models.DateField("成文日期")
    validity = models.CharField("有效性", max_length=10, choices=Validity.choices, default=Validity.VALID)
    validity_changed_on = models.DateField("失效/废止日期", null=True, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("document_number"), FieldPanel("issuing_authority")]),
        FieldRowPanel([FieldPanel("written_on"), FieldPanel("published_at")]),
        FieldRowPanel([FieldPanel("validity"), FieldPanel("validity_changed_on")]),
        FieldPanel("source"),
        FieldPanel("summary"),
        FieldPanel("keywords"),
        FieldPanel("body"),
        InlinePanel("attachments", label="附件"),
        REVIEW_PANEL,
    ]
    search_fields = [*ContentPage.search_fields, index.SearchField("document_number")]

    class Meta:
        verbose_name = "政策文件"
        verbose_name_plural = "政策文件"

    def clean(self) -> None:
        super().clean()
        if self.validity != Validity.VALID and not self.validity_changed_on:
            raise ValidationError({"validity_changed_on": "文件失效或废止时必须填写失效/废止日期。"})
        if self.validity == Validity.VALID and self.validity_changed_on:
            raise ValidationError({"validity_changed_on": "有效的文件不应填写失效/废止日期。"})
        if self.written_on and self.published_at and self.written_on > timezone.localdate(self.published_at):
            raise ValidationError({"written_on": "成文日期不能晚于发布日期。"})

    def live_interpretations(self, request=None):
        from ..selectors import private_pages_q

        return (
            InterpretationPage.objects.live()
            .exclude(private_pages_q(request))
            .filter(policy=self)
            .order_by("-published_at")
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["interpretations"] = list(self.live_interpretations(request))
        return context


class InterpretationPage(ContentPage):
    """政策解读: always tied to the policy it explains, so the two pages link to each other."""

    policy = models.ForeignKey(
        PolicyDocumentPage,
        verbose_name="解读的政策文件",
        on_delete=models.PROTECT,
        related_name="interpretations",
    )
    form = models.CharField(
        "解读形式", max_length=20, blank=True, help_text="如：文字解读、图文解读、视频解读、专家解读"
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("policy"),
        FieldRowPanel([FieldPanel("form"), FieldPanel("published_at")]),
        FieldRowPanel([FieldPanel("source"), FieldPanel("author")]),
        FieldPanel("summary"),
        FieldPanel("body"),
        InlinePanel("attachments", label="附件"),
        REVIEW_PANEL,
    ]

    class Meta:
        verbose_name = "政策解读"
        verbose_name_plural = "政策解读"


class TopicPage(ReviewedPublishMixin, Page):
    """专题: a banner, an introduction and its own columns."""

    banner = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="专题横幅",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    intro = RichTextField("专题介绍", blank=True)
    started_on = models.DateField("开始日期", null=True, blank=True)
    ended_on = models.DateField("结束日期", null=True, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("banner"),
        FieldPanel("intro"),
        FieldRowPanel([FieldPanel("started_on"), FieldPanel("ended_on")]),
        REVIEW_PANEL,
    ]
    parent_page_types = ["portal.HomePage", "portal.ColumnPage"]
    subpage_types = ["portal.ColumnPage"]

    class Meta:
        verbose_name = "专题"
        verbose_name_plural = "专题"

    def clean(self) -> None:
        super().clean()
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": "结束日期不能早于开始日期。"})

    def get_context(self, request, *args, **kwargs):
        from ..selectors import HOME_ITEMS_PER_SECTION, latest_items, private_pages_q, public_columns

        context = super().get_context(request, *args, **kwargs)
        # Three queries however many columns: the view restrictions, the columns, their items.
        private = private_pages_q(request)
        columns = list(public_columns(parent=self, private=private))
        items = latest_items(columns=columns, limit=HOME_ITEMS_PER_SECTION, private=private)
        context["topic_columns"] = [(column, items[column.pk]) for column in columns]
        return context


class Attachment(Orderable):
    """附件 of an article, policy or interpretation (one table, keyed by page)."""

    page = ParentalKey(Page, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        "wagtaildocs.Document", verbose_name="文件", on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField("显示名称", max_length=200, blank=True)

    panels = [FieldPanel("document"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        verbose_name = "附件"
        verbose_name_plural = "附件"
