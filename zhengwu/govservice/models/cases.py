"""办件: a case filed under one version of a service item, with its pauses (行政许可法 Art. 45) and the figures of
电子监察 kept on the row.

A case's 承诺 and 法定 due dates, the working days it was paused and the working days it took are derived from its
dates, its pauses and the work calendar (:mod:`..services.supervision`), and stored with the calendar token they
were computed with, so that figures over hundreds of thousands of cases are one aggregate query; a case whose token
is not the current calendar's is computed again before it is counted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CaseSource(models.TextChoices):
    ONLINE = "online", "网上申报"
    IMPORTED = "imported", "原系统导入"


class Decision(models.TextChoices):
    GRANTED = "granted", "准予"
    REFUSED = "refused", "不予"


class ServiceCase(models.Model):
    number = models.CharField("办件编号", max_length=64, unique=True)
    source = models.CharField("来源", max_length=10, choices=CaseSource.choices, default=CaseSource.ONLINE)
    item = models.ForeignKey(
        "govservice.ServiceItem", verbose_name="事项", on_delete=models.PROTECT, related_name="cases"
    )
    version = models.ForeignKey(
        "govservice.ItemVersion", verbose_name="事项版本", on_delete=models.PROTECT, related_name="cases"
    )
    organization = models.ForeignKey(
        "core.Organization", verbose_name="实施机关", on_delete=models.PROTECT, related_name="service_cases"
    )
    accepted_at = models.DateTimeField("受理时间")
    accepted_on = models.DateField("受理日期", db_index=True)
    finished_at = models.DateTimeField("办结时间", null=True, blank=True)
    finished_on = models.DateField("办结日期", null=True, blank=True)
    decision = models.CharField("决定", max_length=10, choices=Decision.choices, blank=True)
    fee_charged = models.BooleanField("收取费用", default=False)
    fee_on_free_item = models.BooleanField("对不收费事项收费", default=False, editable=False)
    # The limits of the version it was filed under (working days).
    promised_days = models.PositiveSmallIntegerField("承诺办结时限（工作日）")
    legal_days = models.PositiveSmallIntegerField("法定办结时限（工作日）")
    extension_days = models.PositiveSmallIntegerField("批准延长（工作日）", default=0)
    # Derived from the dates, the pauses and the calendar (see the module docstring).
    promised_due_on = models.DateField("承诺办结期限")
    legal_due_on = models.DateField("法定办结期限")
    paused_workdays = models.PositiveIntegerField("暂停工作日数", default=0)
    actual_workdays = models.IntegerField("实际办理工作日数", null=True, blank=True)
    last_pause_end = models.DateField("最后一次暂停结束日期", null=True, blank=True)
    uses_fallback_calendar = models.BooleanField("按周一至周五推算", default=False)
    calendar_token = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        ordering = ["-accepted_at", "pk"]
        indexes = [
            models.Index(fields=["organization", "accepted_on"], name="govservice_case_unit_day"),
            # The few cases with a pause: figures as at a past day look them up (see services.supervision).
            models.Index(
                fields=["last_pause_end"],
                condition=models.Q(last_pause_end__isnull=False),
                name="govservice_case_paused",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(finished_at__isnull=True)
                | models.Q(finished_at__gte=models.F("accepted_at")),
                name="govservice_case_finished_after_accepted",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class CasePause(models.Model):
    """A period excluded from both limits (听证, 检验, 检测, 检疫, 鉴定, 专家评审 …): the counted days after
    ``start_on`` up to and including ``end_on``."""

    case = models.ForeignKey(ServiceCase, on_delete=models.CASCADE, related_name="pauses")
    start_on = models.DateField("开始日期")
    end_on = models.DateField("结束日期")
    reason = models.CharField("事由", max_length=40)

    class Meta:
        verbose_name = "特别程序（暂停）"
        verbose_name_plural = "特别程序（暂停）"
        ordering = ["case", "start_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_on__gte=models.F("start_on")), name="govservice_pause_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reason} {self.start_on}—{self.end_on}"
