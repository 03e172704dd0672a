"""政务信息资源目录: classification tree, entries (信息资源) with their 信息项, code sequences and published versions.

The 13 core metadata fields of the 1272号 guide are columns of :class:`Resource` (the 信息项 are rows of
:class:`DataItem`); extension metadata is a JSON mapping. Every write goes through :mod:`..services.resources`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ResourceAttribute(models.TextChoices):
    BASIC = "basic", "基础信息资源"
    THEME = "theme", "主题信息资源"
    DEPARTMENT = "department", "部门信息资源"


class ShareType(models.TextChoices):
    UNCONDITIONAL = "unconditional", "无条件共享"
    CONDITIONAL = "conditional", "有条件共享"
    NONE = "none", "不予共享"


class ResourceStatus(models.TextChoices):
    DRAFT = "draft", "编制中"
    SUBMITTED = "submitted", "待审核"
    APPROVED = "approved", "已审核"
    RETURNED = "returned", "已退回"
    WITHDRAWN = "withdrawn", "已撤销"


LEVEL_LABELS = {1: "类", 2: "项", 3: "目", 4: "细目"}


class ResourceClass(models.Model):
    """A node of the classification: 类 (1 digit), 项 (2), 目 (3), 细目 (variable). ``code`` is the full
    分类码 of the node (the parent's code followed by its own segment)."""

    code = models.CharField("分类码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级分类",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.PositiveSmallIntegerField("层级", choices=list(LEVEL_LABELS.items()))
    attribute = models.CharField("资源属性", max_length=12, choices=ResourceAttribute.choices)
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "资源分类"
        verbose_name_plural = "资源分类"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def segment(self) -> str:
        return self.code[len(self.parent.code) :] if self.parent_id else self.code

    def lineage(self) -> list[ResourceClass]:
        """类 → 项 → 目 → 细目 down to this node."""
        chain: list[ResourceClass] = []
        node: ResourceClass | None = self
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))


class CodeSequence(models.Model):
    """The last 顺序码 issued under one 分类码; taken under a row lock inside the saving transaction, so codes
    are neither skipped nor reused."""

    classification_code = models.CharField(max_length=20, unique=True)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "资源代码序列"
        verbose_name_plural = "资源代码序列"

    def __str__(self) -> str:
        return f"{self.classification_code}：{self.last_value}"


class Resource(models.Model):
    """One 政务信息资源 of the county catalogue."""

    classification = models.ForeignKey(
        ResourceClass, verbose_name="信息资源分类", on_delete=models.PROTECT, related_name="resources"
    )
    name = models.CharField("信息资源名称", max_length=200)
    code = models.CharField("信息资源代码", max_length=40, unique=True)
    sequence = models.PositiveIntegerField("顺序码")
    provider = models.ForeignKey(
        "core.Organization", verbose_name="信息资源提供方", on_delete=models.PROTECT, related_name="+"
    )
    provider_code = models.CharField("信息资源提供方代码", max_length=18)
    summary = models.TextField("信息资源摘要", blank=True)
    resource_format = models.CharField("信息资源格式", max_length=40, blank=True)
    share_type = models.CharField("共享类型", max_length=16, choices=ShareType.choices)
    share_condition = models.TextField("共享条件", blank=True)
    share_basis = models.TextField("不予共享依据", blank=True)
    share_method = models.CharField("共享方式", max_length=40, blank=True)
    open_to_public = models.BooleanField("是否向社会开放", default=False)
    open_condition = models.TextField("开放条件", blank=True)
    update_cycle = models.CharField("更新周期", max_length=20, blank=True)
    published_on = models.DateField("发布日期", null=True, blank=True)
    related_codes = models.JSONField("关联资源代码", default=list, blank=True)
    extension = models.JSONField("扩展元数据", default=dict, blank=True)
    data_updated_on = models.DateField("数据最近更新日期", null=True, blank=True)

    status = models.CharField(
        "状态", max_length=12, choices=ResourceStatus.choices, default=ResourceStatus.DRAFT
    )
    review_comment = models.TextField("审核意见", blank=True)
    # The content the county office last approved: what a published version shows while the department edits.
    approved_snapshot = models.JSONField(null=True, blank=True, editable=False)
    approved_at = models.DateTimeField("审核通过时间", null=True, blank=True)
    needs_review = models.BooleanField("待复核", default=False)
    review_reason = models.CharField("复核原因", max_length=300, blank=True)
    review_due_on = models.DateField("复核期限", null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "信息资源"
        verbose_name_plural = "信息资源"
        ordering = ["code"]
        permissions = [
            ("review_resource", "审核目录条目"),
            ("publish_catalog", "发布目录版本"),
        ]
        indexes = [
            models.Index(fields=["provider", "status"]),
            models.Index(fields=["share_type"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DataItem(models.Model):
    """信息项: one field of a resource, with its data type."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField("序号")
    name = models.CharField("信息项名称", max_length=100)
    data_type = models.CharField("数据类型", max_length=20)
    length = models.PositiveIntegerField("长度", null=True, blank=True)

    class Meta:
        verbose_name = "信息项"
        verbose_name_plural = "信息项"
        ordering = ["resource", "position"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "name"], name="catalog_item_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.data_type}）"


class CatalogVersion(models.Model):
    """A published catalogue: an immutable snapshot of every approved entry at the moment of publication."""

    number = models.PositiveIntegerField("版本号", unique=True)
    published_at = models.DateTimeField("发布时间")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField("发布说明", max_length=300, blank=True)
    entry_count = models.PositiveIntegerField("条目数")
    entries = models.JSONField("目录内容", editable=False)
    content_hash = models.CharField("内容摘要", max_length=64, editable=False)

    class Meta:
        verbose_name = "目录版本"
        verbose_name_plural = "目录版本"
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"第 {self.number} 版（{self.entry_count} 条）"
