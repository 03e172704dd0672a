"""政务服务“好差评”: a rating of one 办件 (一事一评 online, 一次一评 at the window's 评价器) or of a service in
general from its guide page (综合点评), and the rectification every 实名差评 opens on the dispatch engine
(回访核实 as its 签收 limit, 整改 as its 办理 limit), with the unit's 申诉 and the office's 复核.

Levels, indicators, tags and limits are data (``rules/ratings.json``). All writes go through
:mod:`..services.ratings`.
"""

from __future__ import annotations

from django.db import models

from zhengwu.core.models.dispatch import DispatchedCase


class RatingChannel(models.TextChoices):
    ONLINE = "online", "网上办事（一事一评）"
    ONSITE = "onsite", "现场评价器（一次一评）"
    GUIDE = "guide", "办事指南页（综合点评）"


class RatingStatus(models.TextChoices):
    VALID = "valid", "有效"
    APPEALED = "appealed", "申诉复核中"
    VOID = "void", "申诉成立，不计入统计"


class ServiceRating(models.Model):
    item = models.ForeignKey(
        "govservice.ServiceItem", verbose_name="事项", on_delete=models.PROTECT, related_name="ratings"
    )
    version = models.ForeignKey(
        "govservice.ItemVersion", verbose_name="事项版本", on_delete=models.PROTECT, related_name="ratings"
    )
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name="被评价单位",
        on_delete=models.PROTECT,
        related_name="service_ratings",
    )
    # One rating per 办件: a second one for the same case is refused (the first counts).
    application = models.OneToOneField(
        "govservice.Application",
        verbose_name="网上申报",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rating",
    )
    case = models.OneToOneField(
        "govservice.ServiceCase",
        verbose_name="办件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rating",
    )
    channel = models.CharField("评价渠道", max_length=10, choices=RatingChannel.choices)
    indicator_set = models.CharField("指标体系", max_length=10)
    indicator_version = models.CharField("指标版本", max_length=10)
    level = models.PositiveSmallIntegerField("评价等级")
    scores = models.JSONField("分项评价", default=dict, blank=True)
    tags = models.JSONField("差评标签", default=list, blank=True)
    reason = models.TextField("评价内容", blank=True)
    real_name = models.BooleanField("实名评价", default=False)
    rater_name = models.CharField("评价人", max_length=100, blank=True)
    rater_phone = models.CharField("联系电话", max_length=20, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=RatingStatus.choices, default=RatingStatus.VALID, db_index=True
    )
    rated_at = models.DateTimeField("评价时间", db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = "好差评"
        verbose_name_plural = "好差评"
        ordering = ["-rated_at", "-pk"]
        indexes = [models.Index(fields=["organization", "rated_at"])]
        permissions = [
            ("handle_ratings", "好差评：差评交办、审核整改、回访、申诉复核（政务服务管理机构）"),
        ]

    def __str__(self) -> str:
        return f"{self.version.name} {self.level_label}"

    @property
    def level_label(self) -> str:
        from ..rules import rating_level_label

        return rating_level_label(self.level)

    @property
    def is_bad(self) -> bool:
        from ..rules import bad_rating_levels

        return self.level in bad_rating_levels()


class AppealState(models.TextChoices):
    NONE = "", "未申诉"
    PENDING = "pending", "待复核"
    UPHELD = "upheld", "申诉成立"
    REFUSED = "refused", "申诉不成立"


class Rectification(DispatchedCase):
    """差评整改: one per 实名差评, handled by the rated unit on the dispatch engine."""

    tracking_number = models.CharField("整改编号", max_length=32, unique=True)
    rating = models.OneToOneField(ServiceRating, on_delete=models.PROTECT, related_name="rectification")
    verified_at = models.DateTimeField("回访核实时间", null=True, blank=True)
    verify_note = models.TextField("回访核实情况", blank=True)
    appeal_state = models.CharField(
        "申诉", max_length=10, choices=AppealState.choices, default=AppealState.NONE, blank=True
    )
    appeal_kind = models.CharField("申诉类型", max_length=10, blank=True)
    appeal_text = models.TextField("申诉理由", blank=True)
    appealed_at = models.DateTimeField("申诉时间", null=True, blank=True)
    appeal_decided_at = models.DateTimeField("复核时间", null=True, blank=True)
    appeal_note = models.TextField("复核意见", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "差评整改"
        verbose_name_plural = "差评整改"
        ordering = ["-pk"]

    def __str__(self) -> str:
        return self.tracking_number
