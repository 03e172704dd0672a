from django.conf import settings
from django.db import models


class InspectedSite(models.Model):
    """A site in the registry: one of ours or any other government site, inspected by URL."""

    name = models.CharField("网站名称", max_length=100)
    url = models.URLField("首页地址", max_length=500, unique=True)
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name="主办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspected_sites",
        help_text="发现的问题交由该单位整改。",
    )
    is_ours = models.BooleanField("本平台建设", default=False)
    is_active = models.BooleanField("启用", default=True)
    daily = models.BooleanField("每日自动检查", default=True)
    probe = models.BooleanField(
        "可用性监测", default=True, help_text="每天至少20次探测首页，用于“站点无法访问”判定。"
    )
    check_external = models.BooleanField("检查外部链接", default=True)
    max_pages = models.PositiveIntegerField("最多抓取页面数", default=5000)
    include_patterns = models.TextField("只抓取（正则，每行一个）", blank=True)
    exclude_patterns = models.TextField("不抓取（正则，每行一个）", blank=True)
    rules_code = models.SlugField("检查规则", max_length=60, default="gbmh-2019-19")
    notes = models.TextField("备注", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "受检网站"
        verbose_name_plural = "受检网站"
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def patterns(self, field: str) -> list[str]:
        return [line.strip() for line in getattr(self, field).splitlines() if line.strip()]


class TermList(models.Model):
    """本县词表: the correct forms of local leaders' names, titles and organ names, for the typo check."""

    name = models.CharField("名称", max_length=100)
    terms = models.TextField("词语", help_text="每行一个正确写法，如“县长王建国”“示范县人民政府”。")
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "本县词表"
        verbose_name_plural = "本县词表"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RunTrigger(models.TextChoices):
    MANUAL = "manual", "手动"
    SCHEDULED = "scheduled", "定时"
    CLI = "cli", "命令行"


class RunStatus(models.TextChoices):
    RUNNING = "running", "检查中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class InspectionRun(models.Model):
    site = models.ForeignKey(
        InspectedSite, verbose_name="网站", on_delete=models.CASCADE, related_name="runs"
    )
    trigger = models.CharField("方式", max_length=10, choices=RunTrigger.choices, default=RunTrigger.MANUAL)
    status = models.CharField("状态", max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    as_of = models.DateField("检查日期")
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    pages_crawled = models.PositiveIntegerField("抓取页面数", default=0)
    verdict = models.CharField("结论", max_length=10, blank=True)
    score = models.DecimalField("得分", max_digits=6, decimal_places=2, null=True, blank=True)
    deducted = models.DecimalField("扣分", max_digits=6, decimal_places=2, default=0)
    findings_count = models.PositiveIntegerField("问题数", default=0)
    result = models.JSONField("计分明细", default=dict, blank=True)
    stats = models.JSONField("抓取统计", default=dict, blank=True)
    progress = models.JSONField("检查进度", default=dict, blank=True)  # see progress.RunProgress
    rules = models.CharField("规则版本", max_length=80, blank=True)
    error = models.TextField("错误", blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "检查记录"
        verbose_name_plural = "检查记录"
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["site", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.site} {self.as_of:%Y-%m-%d}"

    @property
    def progress_text(self) -> str:
        """The admin's reading of ``progress`` (pages fetched, queued, errors, rate) while the run goes on."""
        from .progress import progress_summary

        return progress_summary(self.progress)


class FindingStatus(models.TextChoices):
    OPEN = "open", "待整改"
    RECTIFYING = "rectifying", "整改中"
    FIXED = "fixed", "已整改"
    REOPENED = "reopened", "复发"


OPEN_STATUSES = (FindingStatus.OPEN, FindingStatus.RECTIFYING, FindingStatus.REOPENED)


class Finding(models.Model):
    """One problem on one site, tracked across runs by its fingerprint (问题清单 and 整改)."""

    site = models.ForeignKey(
        InspectedSite, verbose_name="网站", on_delete=models.CASCADE, related_name="findings"
    )
    first_run = models.ForeignKey(
        InspectionRun, verbose_name="首次发现", on_delete=models.CASCADE, related_name="+"
    )
    last_run = models.ForeignKey(
        InspectionRun, verbose_name="最近发现", on_delete=models.CASCADE, related_name="findings"
    )
    check_code = models.CharField("检查项", max_length=40, db_index=True)
    severity = models.CharField("严重程度", max_length=10)
    url = models.CharField("问题页面", max_length=1000)
    referrer = models.CharField("来源页面", max_length=1000, blank=True)
    target = models.CharField("目标", max_length=1000, blank=True)
    summary = models.CharField("问题描述", max_length=500)
    evidence = models.JSONField("证据", default=dict)
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(
        "状态", max_length=12, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name="整改单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection_findings",
    )
    clock = models.ForeignKey(
        "core.CaseClock",
        verbose_name="整改时限",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rectification_note = models.TextField("整改说明", blank=True)
    first_seen_at = models.DateTimeField("首次发现时间")
    last_seen_at = models.DateTimeField("最近发现时间")
    fixed_at = models.DateTimeField("整改完成时间", null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField("复发次数", default=0)

    class Meta:
        verbose_name = "问题"
        verbose_name_plural = "问题清单"
        ordering = ["site", "status", "-last_seen_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["site", "fingerprint"], name="inspection_finding_unique")
        ]
        indexes = [models.Index(fields=["site", "status"]), models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return self.summary

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class AvailabilityProbe(models.Model):
    site = models.ForeignKey(InspectedSite, on_delete=models.CASCADE, related_name="probes")
    probed_at = models.DateTimeField("探测时间")
    ok = models.BooleanField("成功")
    status_code = models.PositiveSmallIntegerField("状态码", null=True, blank=True)
    elapsed = models.FloatField("用时（秒）", null=True, blank=True)
    error = models.CharField("错误", max_length=300, blank=True)

    class Meta:
        verbose_name = "可用性探测"
        verbose_name_plural = "可用性探测"
        ordering = ["-probed_at"]
        indexes = [models.Index(fields=["site", "probed_at"])]

    def __str__(self) -> str:
        return f"{self.site} {self.probed_at:%Y-%m-%d %H:%M} {'成功' if self.ok else '失败'}"
