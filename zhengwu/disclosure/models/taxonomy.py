"""Editable classifications loaded from ``rules/``: 主题分类, 体裁分类 and the 标准目录 areas."""

from django.db import models


class Theme(models.Model):
    """主题分类: 22 top-level classes and their sub-classes (``一级\\二级``)."""

    code = models.CharField("编码", max_length=10, unique=True)
    name = models.CharField("名称", max_length=60)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级分类",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "主题分类"
        verbose_name_plural = "主题分类"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.path_label

    @property
    def path_label(self) -> str:
        """``一级\\二级`` as item pages show it."""
        if self.parent_id is None:
            return self.name
        return f"{self.parent.name}\\{self.name}"


class Genre(models.Model):
    """体裁分类: 政府令, 决定, 公告, 通告 and the other 公文 kinds."""

    code = models.CharField("编码", max_length=10, unique=True)
    name = models.CharField("名称", max_length=30)
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "体裁分类"
        verbose_name_plural = "体裁分类"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class StandardCatalogArea(models.Model):
    """A 试点领域 of the 基层政务公开标准目录 (26 per county)."""

    code = models.CharField("编码", max_length=10, unique=True)
    name = models.CharField("领域名称", max_length=60)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "标准目录领域"
        verbose_name_plural = "标准目录领域"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name
