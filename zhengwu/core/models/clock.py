from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class LimitUnit(models.TextChoices):
    WORKDAYS = "workdays", "个工作日"
    CALENDAR_DAYS = "days", "个自然日"
    HOURS = "hours", "小时"


class ClockStatus(models.TextChoices):
    NORMAL = "normal", "正常"
    WARNING = "warning", "预警"
    OVERDUE = "overdue", "超期"
    DONE_ON_TIME = "done_on_time", "按期办结"
    DONE_LATE = "done_late", "超期办结"


class ClockState(models.TextChoices):
    RUNNING = "running", "计时中"
    PAUSED = "paused", "暂停计时"
    STOPPED = "stopped", "已办结"


class PauseMode(models.TextChoices):
    CONTINUE = "continue", "恢复后继续计时"
    RESTART = "restart", "恢复后重新计时"


class ClockPolicy(models.Model):
    """A time limit as data: loaded from an app's rules file, editable where counties differ."""

    code = models.SlugField("编码", max_length=60, unique=True)
    name = models.CharField("名称", max_length=100)
    limit_value = models.PositiveIntegerField("时限")
    limit_unit = models.CharField("单位", max_length=10, choices=LimitUnit.choices)
    warn_before = models.PositiveIntegerField(
        "提前预警", default=3, help_text="距截止还剩多少个单位时进入预警。"
    )
    max_extensions = models.PositiveSmallIntegerField("最多延期次数", default=1)
    max_extension_value = models.PositiveIntegerField("单次最长延期", default=0, help_text="0 表示不限。")
    source = models.CharField("依据", max_length=300, blank=True)

    class Meta:
        verbose_name = "时限规则"
        verbose_name_plural = "时限规则"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.limit_value}{self.get_limit_unit_display()}）"


class CaseClock(models.Model):
    """The one clock every case (request, letter, work order, application, rectification) runs against."""

    policy = models.ForeignKey(
        ClockPolicy, verbose_name="时限规则", null=True, blank=True, on_delete=models.PROTECT
    )
    # No index of its own: the (content_type, object_id) index below serves it, one index fewer to maintain.
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, db_index=False
    )
    object_id = models.CharField(max_length=64, blank=True)
    case = GenericForeignKey("content_type", "object_id")
    case_label = models.CharField("事项", max_length=200, blank=True)
    organization = models.ForeignKey(
        "core.Organization", verbose_name="承办机构", null=True, blank=True, on_delete=models.PROTECT
    )

    started_at = models.DateTimeField("起算时间")
    limit_value = models.PositiveIntegerField("时限")
    limit_unit = models.CharField("单位", max_length=10, choices=LimitUnit.choices)
    warn_before = models.PositiveIntegerField("提前预警", default=3)

    state = models.CharField(
        "计时状态", max_length=10, choices=ClockState.choices, default=ClockState.RUNNING
    )
    due_at = models.DateTimeField("截止时间", null=True, blank=True)
    warn_at = models.DateTimeField("预警时间", null=True, blank=True)
    finished_at = models.DateTimeField("办结时间", null=True, blank=True)
    final_status = models.CharField("办结结果", max_length=14, choices=ClockStatus.choices, blank=True)
    paused_remaining = models.FloatField(
        "暂停时剩余",
        null=True,
        blank=True,
        help_text="暂停计时期间剩余的时限（与时限同一单位）；计时中为空。",
    )
    explanation = models.TextField("截止时间计算说明", blank=True)
    uses_fallback_calendar = models.BooleanField("使用了推算日历", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "办理时限"
        verbose_name_plural = "办理时限"
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            # 超期 / 预警 lists and counts filter on state first; two indexes, not three, for the bulk recompute.
            models.Index(fields=["state", "due_at"]),
            models.Index(fields=["state", "warn_at"]),
        ]

    def __str__(self) -> str:
        return self.case_label or f"时限 #{self.pk}"


class ClockPause(models.Model):
    """A stretch during which the clock does not run: 补正, 征求意见, awaiting a fee."""

    clock = models.ForeignKey(CaseClock, on_delete=models.CASCADE, related_name="pauses")
    reason_code = models.SlugField("暂停类型", max_length=40)
    reason = models.CharField("暂停原因", max_length=200)
    mode = models.CharField("恢复方式", max_length=10, choices=PauseMode.choices, default=PauseMode.CONTINUE)
    started_at = models.DateTimeField("暂停时间")
    ended_at = models.DateTimeField("恢复时间", null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = "暂停计时"
        verbose_name_plural = "暂停计时"
        ordering = ["started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["clock"], condition=models.Q(ended_at__isnull=True), name="one_open_pause_per_clock"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reason}（{self.get_mode_display()}）"


class ClockExtension(models.Model):
    """延期: adds to the limit, with the approver and reason on record."""

    clock = models.ForeignKey(CaseClock, on_delete=models.CASCADE, related_name="extensions")
    value = models.PositiveIntegerField("延长")
    reason = models.CharField("延期理由", max_length=300)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="批准人", on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField("批准时间")

    class Meta:
        verbose_name = "延期"
        verbose_name_plural = "延期"
        ordering = ["granted_at", "pk"]

    def __str__(self) -> str:
        return f"延长{self.value}{self.clock.get_limit_unit_display()}：{self.reason}"
