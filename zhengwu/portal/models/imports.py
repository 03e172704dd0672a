"""改版迁移: what a site import brought over from an old site, keyed on the old URL so that a second run updates
instead of duplicating, and so that the old path keeps answering (a Wagtail redirect per imported page)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ImportedKind(models.TextChoices):
    COLUMN = "column", "栏目"
    ARTICLE = "article", "文章"
    POLICY = "policy", "政策文件"
    INTERPRETATION = "interpretation", "政策解读"
    MESSAGE = "message", "留言"
    GUIDE = "guide", "办事指南"
    SINGLE = "single", "单页"


class ImportedPage(models.Model):
    """One page of the old site and the portal page it became."""

    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name="目标网站", on_delete=models.CASCADE, related_name="imported_pages"
    )
    old_url = models.CharField("原网址", max_length=800)
    kind = models.CharField("类型", max_length=20, choices=ImportedKind.choices)
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name="新页面",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    redirect = models.ForeignKey(
        "wagtailredirects.Redirect",
        verbose_name="跳转",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField("标题", max_length=255, blank=True)
    column_url = models.CharField("所属栏目原网址", max_length=800, blank=True)
    published = models.DateField("发布日期", null=True, blank=True, help_text="原网站上读不到日期时为空。")
    document_number = models.CharField("文号", max_length=60, blank=True)
    written_on = models.DateField("成文日期", null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    hits = models.PositiveIntegerField("跳转次数", default=0)
    last_hit_at = models.DateTimeField("最近跳转时间", null=True, blank=True)
    imported_at = models.DateTimeField("首次导入时间", default=timezone.now)
    updated_at = models.DateTimeField("最近更新时间", default=timezone.now)

    class Meta:
        verbose_name = "导入的页面"
        verbose_name_plural = "导入的页面"
        constraints = [
            models.UniqueConstraint(fields=["site", "old_url"], name="portal_imported_page_unique")
        ]

    def __str__(self) -> str:
        return self.old_url


class ImportedAsset(models.Model):
    """An image or attachment of the old site, stored once per old URL."""

    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name="目标网站", on_delete=models.CASCADE, related_name="imported_assets"
    )
    old_url = models.CharField("原网址", max_length=800)
    document = models.ForeignKey(
        "wagtaildocs.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sha256 = models.CharField(max_length=64, blank=True)
    imported_at = models.DateTimeField("导入时间", default=timezone.now)

    class Meta:
        verbose_name = "导入的附件"
        verbose_name_plural = "导入的附件"
        constraints = [
            models.UniqueConstraint(fields=["site", "old_url"], name="portal_imported_asset_unique")
        ]

    def __str__(self) -> str:
        return self.old_url


class SiteImportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    FINISHED = "finished", "已完成"
    FAILED = "failed", "失败"


class SiteImportRun(models.Model):
    """One run of an import (from the command line or the admin), with its progress and report."""

    start_url = models.CharField("原网站地址", max_length=800)
    hostname = models.CharField("目标主机名", max_length=255)
    organization = models.ForeignKey(
        "core.Organization", verbose_name="主办单位", null=True, blank=True, on_delete=models.SET_NULL
    )
    site = models.ForeignKey(
        "wagtailcore.Site", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    as_of = models.DateField("判断日期", null=True, blank=True)
    dry_run = models.BooleanField("仅预览", default=False)
    status = models.CharField(
        "状态", max_length=10, choices=SiteImportStatus.choices, default=SiteImportStatus.QUEUED
    )
    stage = models.CharField("阶段", max_length=40, blank=True)
    done = models.PositiveIntegerField("已处理", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    report = models.JSONField("报告", default=dict, blank=True)
    error = models.TextField("错误", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "网站迁移"
        verbose_name_plural = "网站迁移"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.start_url} → {self.hostname}"
