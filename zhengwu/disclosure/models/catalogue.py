"""主动公开: catalogue items with 索引号, their attachments, the 公开指南 and the 标准目录."""

from django.conf import settings
from django.db import models

from ..rules import load, simple_choices


def _catalogue_choices(key: str) -> list[tuple[str, str]]:
    return simple_choices("catalogue", key)


class ItemStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已公开"
    WITHDRAWN = "withdrawn", "已撤回"


class DisclosureItem(models.Model):
    """An item of the 政府信息公开目录 (Art. 12: 索引、名称、内容概述、生成日期)."""

    organization = models.ForeignKey(
        "core.Organization",
        verbose_name="发布机构",
        on_delete=models.PROTECT,
        related_name="disclosure_items",
    )
    index_number = models.CharField("索引号", max_length=80, unique=True)
    index_year = models.PositiveSmallIntegerField("索引号年份")
    index_serial = models.PositiveIntegerField("索引号流水号", null=True, blank=True)
    title = models.CharField("名称", max_length=300)
    summary = models.TextField("内容概述")
    body = models.TextField("正文", blank=True)
    theme = models.ForeignKey(
        "disclosure.Theme", verbose_name="主题分类", on_delete=models.PROTECT, related_name="items"
    )
    genre = models.ForeignKey(
        "disclosure.Genre", verbose_name="体裁分类", on_delete=models.PROTECT, related_name="items"
    )
    issuing_authority = models.CharField(
        "发文机关", max_length=100, blank=True, help_text="与发布机构不同时填写，如联合发文。"
    )
    written_on = models.DateField("成文日期")
    published_on = models.DateField("发布日期", null=True, blank=True)
    status = models.CharField("状态", max_length=12, choices=ItemStatus.choices, default=ItemStatus.DRAFT)
    document_number = models.CharField("文号", max_length=80, blank=True)
    validity = models.CharField(
        "有效性", max_length=10, choices=_catalogue_choices("validity"), default="valid"
    )
    validity_changed_on = models.DateField("失效/废止日期", null=True, blank=True)
    five_publics = models.CharField(
        "政务五公开", max_length=12, choices=_catalogue_choices("five_publics"), blank=True
    )
    keywords = models.CharField("主题词", max_length=200, blank=True)
    table2_kind = models.CharField(
        "年度报告统计类别",
        max_length=12,
        choices=_catalogue_choices("table2_kinds"),
        blank=True,
        help_text="规章或行政规范性文件计入年度报告表二“第二十条第（一）项”的制发、废止和现行有效件数。",
    )
    standard_entries = models.ManyToManyField(
        "disclosure.StandardCatalogEntry", verbose_name="标准目录事项", blank=True, related_name="items"
    )
    # Timeliness (Art. 26), computed when the item is published.
    delay_workdays = models.IntegerField("成文至发布工作日数", null=True, blank=True)
    is_late = models.BooleanField("超时公开", default=False)
    timeliness_note = models.TextField("时效计算说明", blank=True)
    # 保密审查
    review_override_reason = models.CharField("保密审查说明", max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审查人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "主动公开信息"
        verbose_name_plural = "主动公开信息"
        ordering = ["-published_on", "-index_number"]
        indexes = [
            models.Index(fields=["organization", "status", "published_on"]),
            models.Index(fields=["status", "is_late"]),
            models.Index(fields=["table2_kind", "written_on"]),
        ]

    def __str__(self) -> str:
        return self.title


class IndexSequence(models.Model):
    """The last 索引号 serial issued for one organization and year; incremented under a row lock."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "索引号序列"
        verbose_name_plural = "索引号序列"
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="disclosure_unique_index_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}/{self.year}: {self.last_serial}"


class IssuedIndexNumber(models.Model):
    """Every 索引号 ever given out. The row outlives its item, so a number is never issued twice."""

    number = models.CharField("索引号", max_length=80, unique=True)
    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年份")
    serial = models.PositiveIntegerField("流水号", null=True, blank=True)
    item = models.ForeignKey(
        DisclosureItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="index_records"
    )
    issued_at = models.DateTimeField("发放时间", auto_now_add=True)

    class Meta:
        verbose_name = "已发放索引号"
        verbose_name_plural = "已发放索引号"

    def __str__(self) -> str:
        return self.number


class ItemAttachment(models.Model):
    item = models.ForeignKey(DisclosureItem, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("附件", upload_to="disclosure/items/%Y/%m/")
    display_name = models.CharField("附件名称", max_length=200)
    kind = models.CharField("类型", max_length=10)
    size = models.PositiveIntegerField("大小（字节）")
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.display_name


class DisclosureGuide(models.Model):
    """公开指南 of one organization (Art. 12)."""

    organization = models.OneToOneField(
        "core.Organization", verbose_name="机构", on_delete=models.PROTECT, related_name="disclosure_guide"
    )
    classification = models.TextField("信息分类", help_text="本机关政府信息的分类。")
    arrangement = models.TextField("编排体系", help_text="公开目录的编排方式，如按主题、体裁、年度编排。")
    access_methods = models.TextField("获取方式", help_text="主动公开的渠道和依申请公开的提出方式。")
    office_name = models.CharField("政府信息公开工作机构名称", max_length=100)
    office_address = models.CharField("办公地址", max_length=200)
    office_hours = models.CharField("办公时间", max_length=200)
    phone = models.CharField("联系电话", max_length=60)
    fax = models.CharField("传真号码", max_length=60)
    online_contact = models.CharField("互联网联系方式", max_length=200, help_text="电子邮箱或网上申请地址。")
    postal_code = models.CharField("邮政编码", max_length=10, blank=True)
    request_procedure = models.TextField("依申请公开办理程序", blank=True)
    remedies = models.TextField("监督和救济", blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="更新人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "公开指南"
        verbose_name_plural = "公开指南"

    def __str__(self) -> str:
        return f"{self.organization}政府信息公开指南"


def _channel_list() -> list[str]:
    return list(load("catalogue")["channels"])


class StandardCatalogEntry(models.Model):
    """One row of a 基层政务公开标准目录 (the ten columns of disclosure.md §4)."""

    area = models.ForeignKey(
        "disclosure.StandardCatalogArea",
        verbose_name="试点领域",
        on_delete=models.PROTECT,
        related_name="entries",
    )
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name="责任机构",
        on_delete=models.PROTECT,
        related_name="standard_catalog_entries",
        help_text="负责公开本事项的机构，用于检查覆盖情况。",
    )
    serial = models.PositiveIntegerField("序号")
    level1 = models.CharField("一级事项", max_length=100)
    level2 = models.CharField("二级事项", max_length=100, blank=True)
    content = models.TextField("公开内容（要素）")
    basis = models.TextField("公开依据")
    time_limit_text = models.CharField("公开时限", max_length=200)
    time_limit_workdays = models.PositiveSmallIntegerField(
        "公开时限（工作日）", null=True, blank=True, help_text="用于检查覆盖情况；时限不以工作日计时留空。"
    )
    subject = models.CharField("公开主体", max_length=200)
    channels = models.JSONField("公开渠道和载体", default=list)
    audience = models.CharField("公开对象", max_length=10, choices=_catalogue_choices("audiences"))
    mode = models.CharField("公开方式", max_length=12, choices=_catalogue_choices("modes"))
    levels = models.JSONField("公开层级", default=list)

    class Meta:
        verbose_name = "标准目录事项"
        verbose_name_plural = "标准目录事项"
        ordering = ["area__sort_order", "serial"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "organization", "serial"], name="disclosure_unique_standard_entry_serial"
            )
        ]

    def __str__(self) -> str:
        return f"{self.level1}" + (f"—{self.level2}" if self.level2 else "")
