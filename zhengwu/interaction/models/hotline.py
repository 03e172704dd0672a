"""12345 热线: the classification tree with its 派单目录, work orders, the operator's call drafts, and Open311 keys."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhengwu.core.models.dispatch import SATISFIED_RATINGS, DispatchedCase


class Channel(models.TextChoices):
    PHONE = "电话", "电话"
    WEB = "网站", "网站"
    WECHAT = "微信", "微信"
    SMS = "短信", "短信"
    OPEN311 = "Open311", "Open311"


class RequestKind(models.TextChoices):
    CONSULT = "咨询", "咨询"
    HELP = "求助", "求助"
    COMPLAINT = "投诉", "投诉"
    REPORT = "举报", "举报"
    SUGGESTION = "建议", "建议"
    PRAISE = "表扬", "表扬"


class Urgency(models.TextChoices):
    URGENT = "紧急", "紧急"
    NORMAL = "一般", "一般"


class Outcome(models.TextChoices):
    PENDING = "", "待受理"
    DIRECT = "直接答复", "直接答复"
    DISPATCH = "派单", "派单"
    INVALID = "无效", "无效"


class Origin(models.TextChoices):
    CONSOLE = "console", "话务受理"
    OPEN311 = "open311", "Open311 接口"
    IMPORT = "import", "历史数据导入"


class Category(models.Model):
    """A node of the 诉求分类 tree; its 派单目录 names the lead unit proposed and the other units it may go to."""

    name = models.CharField("名称", max_length=60)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级分类",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField("完整分类", max_length=255, unique=True, editable=False)
    code = models.CharField(
        "服务编码", max_length=20, unique=True, help_text="Open311 的 service_code，建立后不要修改。"
    )
    description = models.CharField("说明", max_length=300, blank=True)
    keywords = models.CharField("关键词", max_length=200, blank=True, help_text="用逗号分隔。")
    lead_unit = models.ForeignKey(
        "core.Organization",
        verbose_name="派单目录：默认主办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    catalog_units = models.ManyToManyField(
        "core.Organization",
        verbose_name="派单目录：其他可派单位",
        blank=True,
        related_name="+",
        help_text="不在派单目录中的单位也可派单，但须写明理由。",
    )
    is_public = models.BooleanField(
        "对外公开（Open311 服务）",
        default=True,
        help_text="公开的分类作为 Open311 服务项目，公众可以提交诉求。",
    )
    imported = models.BooleanField("导入时新增", default=False)
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "诉求分类"
        verbose_name_plural = "诉求分类"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.path

    @property
    def depth(self) -> int:
        return self.path.count("/")

    def catalog(self) -> list:
        units = list(self.catalog_units.all())
        if self.lead_unit_id and self.lead_unit not in units:
            units.insert(0, self.lead_unit)
        return units


class KpiBit:
    """The bits of ``WorkOrder.kpi_class``: what the KPI needs to know of a case, as one small number."""

    ORDER = 1  # outcome 派单
    DIRECT = 2  # outcome 直接答复
    SIGNED_ON_TIME = 4  # the current lead assignment was signed within its limit
    FINISHED = 8  # finished_at is set
    FINISHED_ON_TIME = 16  # finished not after the 办理 due moment
    VISITED = 32  # at least one visit
    SATISFIED = 64  # the last visit was 满意 or 基本满意


def _bit(condition: models.Q, bit: int) -> models.Case:
    return models.Case(models.When(condition, then=models.Value(bit)), default=models.Value(0))


# Computed by the database from the row's own columns whenever any of them is written (import, dispatch engine,
# admin), so it can never disagree with them.
KPI_CLASS = (
    _bit(models.Q(outcome=Outcome.DISPATCH), KpiBit.ORDER)
    + _bit(models.Q(outcome=Outcome.DIRECT), KpiBit.DIRECT)
    + _bit(models.Q(lead_signed_on_time=True), KpiBit.SIGNED_ON_TIME)
    + _bit(models.Q(finished_at__isnull=False), KpiBit.FINISHED)
    + _bit(models.Q(finished_on_time=True), KpiBit.FINISHED_ON_TIME)
    + _bit(models.Q(visit_count__gt=0), KpiBit.VISITED)
    + _bit(models.Q(last_rating__in=SATISFIED_RATINGS), KpiBit.SATISFIED)
)


class WorkOrder(DispatchedCase):
    """12345 工单: one contact (a call, a web message, an Open311 report) and what became of it."""

    tracking_number = models.CharField("工单编号", max_length=30, unique=True)
    external_id = models.CharField("原系统编号", max_length=64, blank=True)
    origin = models.CharField("来源", max_length=10, choices=Origin.choices)
    received_at = models.DateTimeField("受理时间", db_index=True)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    kind = models.CharField("诉求类型", max_length=4, choices=RequestKind.choices, blank=True)
    urgency = models.CharField("紧急程度", max_length=4, choices=Urgency.choices, default=Urgency.NORMAL)
    category = models.ForeignKey(
        Category, verbose_name="分类", null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    caller_name = models.CharField("来电人", max_length=60, blank=True)
    caller_phone = models.CharField("联系电话", max_length=30, blank=True, db_index=True)
    caller_email = models.EmailField("电子邮箱", blank=True)
    location = models.CharField("地点", max_length=200, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    title = models.CharField("标题", max_length=100, blank=True)
    content = models.TextField("诉求内容")
    outcome = models.CharField("受理结果", max_length=6, choices=Outcome.choices, blank=True, db_index=True)
    answer = models.TextField("直接答复内容", blank=True)
    knowledge_entry = models.ForeignKey(
        "interaction.KnowledgeEntry",
        verbose_name="引用知识",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    referral = models.CharField("告知渠道", max_length=20, blank=True)
    invalid_reason = models.CharField("无效原因", max_length=200, blank=True)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="话务员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    media_url = models.URLField("图片链接", blank=True, max_length=500)
    open311_key = models.ForeignKey(
        "interaction.Open311Key", null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    open311_token = models.CharField(max_length=40, blank=True, db_index=True)
    open311_account = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    kpi_class = models.GeneratedField(
        expression=KPI_CLASS,
        output_field=models.PositiveSmallIntegerField("统计分类"),
        db_persist=True,
    )

    class Meta:
        verbose_name = "12345工单"
        verbose_name_plural = "12345工单"
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["lead_unit", "received_at"]),
            models.Index(fields=["dispatch_state", "lead_unit"]),
            models.Index(fields=["external_id"]),
            # The KPI reads only these columns of a period's rows: on PostgreSQL a year's figures are one
            # index-only scan instead of a pass over the whole table (other databases ignore ``include``).
            models.Index(
                fields=["received_at"],
                include=["lead_unit", "kpi_class"],
                name="hotline_kpi_covering",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"], condition=~models.Q(external_id=""), name="hotline_unique_external_id"
            )
        ]
        permissions = [
            ("take_calls", "受理来电（话务员）"),
            ("view_caller_data", "查看来电人完整姓名和电话"),
            ("view_hotline_kpi", "查看热线统计"),
            ("manage_open311_keys", "发放和停用 Open311 接口密钥"),
        ]

    def __str__(self) -> str:
        return self.tracking_number

    @property
    def summary(self) -> str:
        text = self.title or " ".join(self.content.split())
        return text[:40] + ("…" if len(text) > 40 else "")


class CallDraft(models.Model):
    """What an operator has typed for a call not yet submitted: saved as they type, restored after a disconnect."""

    operator = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="call_draft"
    )
    data = models.JSONField(default=dict)
    work_order = models.ForeignKey(
        WorkOrder,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="正在受理的 Open311 或网站诉求。",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "受理草稿"
        verbose_name_plural = "受理草稿"

    def __str__(self) -> str:
        return f"{self.operator} 的受理草稿"


class Open311Key(models.Model):
    """An api key of the Open311 interface. Only a hash of the key is stored; the key is shown once."""

    name = models.CharField("使用方", max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField("密钥前缀", max_length=8, editable=False)
    is_active = models.BooleanField("启用", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("发放时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "Open311 接口密钥"
        verbose_name_plural = "Open311 接口密钥"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"
