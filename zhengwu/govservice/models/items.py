"""事项清单: a service item (stable code, 实施机关, place in the 主项 → 子项 → 业务办理项 hierarchy) and its versions.

Every change of an item's content creates a new :class:`ItemVersion`; a version is never changed afterwards, so a
case filed under version N keeps the limits, materials and steps it was filed under. All writes go through
:mod:`..services.items`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ItemLevel(models.TextChoices):
    MAIN = "main", "主项"
    SUB = "sub", "子项"
    HANDLING = "handling", "业务办理项"


class CaseKind(models.TextChoices):
    # ASSORT exchange codes: 1 即办件 · 2 承诺件
    INSTANT = "instant", "即办件"
    PROMISED = "promised", "承诺件"


class ServiceItem(models.Model):
    """The identity of one 政务服务事项; its content lives in :attr:`current_version`."""

    code = models.CharField("事项编码", max_length=64, unique=True)
    organization = models.ForeignKey(
        "core.Organization", verbose_name="实施机关", on_delete=models.PROTECT, related_name="service_items"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.CharField("事项层级", max_length=10, choices=ItemLevel.choices, default=ItemLevel.MAIN)
    current_version = models.ForeignKey(
        "ItemVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    is_active = models.BooleanField("在用", default=True)
    sort_order = models.PositiveIntegerField("排序", default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "政务服务事项"
        verbose_name_plural = "政务服务事项"
        ordering = ["organization__path", "sort_order", "code"]
        permissions = [("manage_all_items", "维护全县政务服务事项")]

    def __str__(self) -> str:
        name = self.current_version.name if self.current_version_id else ""
        return f"{self.code} {name}".strip()


class ItemVersion(models.Model):
    """One immutable version of an item's content: the six basic elements and every element of the 办事指南."""

    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    name = models.CharField("事项名称", max_length=200)
    item_type = models.CharField("事项类型", max_length=20)
    competent_department = models.CharField("主管部门", max_length=100)
    basis = models.TextField("设定和实施依据", blank=True)
    legal_limit_days = models.PositiveSmallIntegerField("法定办结时限（工作日）")
    promised_limit_days = models.PositiveSmallIntegerField("承诺办结时限（工作日）")
    limit_basis = models.TextField("时限依据", blank=True)
    case_kind = models.CharField("办件类型", max_length=10, choices=CaseKind.choices)
    onsite_visits = models.PositiveSmallIntegerField("到办事现场次数")
    charges = models.BooleanField("是否收费", default=False)
    fee_standard = models.TextField("收费标准", blank=True)
    fee_basis = models.TextField("收费依据", blank=True)
    conditions = models.TextField("受理条件")
    place = models.CharField("办理地点", max_length=300)
    hours = models.CharField("办理时间", max_length=200, blank=True)
    consult_phone = models.CharField("咨询电话", max_length=100)
    complaint_phone = models.CharField("监督投诉电话", max_length=100, blank=True)
    audiences = models.JSONField("服务对象", default=list, blank=True)
    life_events = models.JSONField("主题分类", default=list, blank=True)
    online_apply_url = models.URLField("网上办理地址", max_length=500, blank=True)
    note = models.CharField("修订说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "事项版本"
        verbose_name_plural = "事项版本"
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="govservice_version_unique_number"),
            models.CheckConstraint(
                condition=models.Q(promised_limit_days__lte=models.F("legal_limit_days")),
                name="govservice_promised_within_legal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第 {self.number} 版）"

    @property
    def online_capable(self) -> bool:
        return bool(self.online_apply_url)


class ItemFile(models.Model):
    """A blank form or sample attached to a material; shared by the versions that keep it."""

    file = models.FileField("文件", upload_to="govservice/forms/%Y/%m/")
    display_name = models.CharField("文件名称", max_length=200)
    kind = models.CharField("类型", max_length=10)
    size = models.PositiveIntegerField("大小（字节）")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "材料附件"
        verbose_name_plural = "材料附件"

    def __str__(self) -> str:
        return self.display_name


class Material(models.Model):
    """One 申请材料 of a version."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="materials")
    position = models.PositiveSmallIntegerField("序号")
    name = models.CharField("材料名称", max_length=200)
    required = models.BooleanField("是否必需", default=True)
    form = models.CharField("材料形式", max_length=100, blank=True)
    source = models.CharField("来源渠道", max_length=100, blank=True)
    blank_form = models.ForeignKey(
        ItemFile,
        verbose_name="空白表格",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="material_blank_forms",
    )
    sample = models.ForeignKey(
        ItemFile,
        verbose_name="示例样表",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="material_samples",
    )

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "name"], name="govservice_material_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ProcessStep(models.Model):
    """One step of the 办理流程 (特殊环节 included), with its own limit."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField("序号")
    name = models.CharField("环节名称", max_length=100)
    limit_days = models.PositiveSmallIntegerField("所需时限（工作日）")
    counts_toward_legal = models.BooleanField("是否计算在法定办结时限内", default=True)
    basis = models.CharField("法定依据", max_length=300, blank=True)
    description = models.CharField("办理内容", max_length=300, blank=True)

    class Meta:
        verbose_name = "办理环节"
        verbose_name_plural = "办理环节"
        ordering = ["version", "position"]

    def __str__(self) -> str:
        return self.name
