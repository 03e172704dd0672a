"""年度报告 and the 行政复议 / 行政诉讼 cases its table 四 counts."""

from django.conf import settings
from django.db import models


class ReviewKind(models.TextChoices):
    REVIEW = "review", "行政复议"
    LITIGATION_DIRECT = "litigation_direct", "行政诉讼（未经复议直接起诉）"
    LITIGATION_AFTER_REVIEW = "litigation_after_review", "行政诉讼（复议后起诉）"


class ReviewResult(models.TextChoices):
    UPHELD = "upheld", "结果维持"
    CORRECTED = "corrected", "结果纠正"
    OTHER = "other", "其他结果"
    PENDING = "pending", "尚未审结"


class ReviewCase(models.Model):
    """A 行政复议 or 行政诉讼 about the organization's 政府信息公开 work."""

    organization = models.ForeignKey(
        "core.Organization", verbose_name="被申请人/被告", on_delete=models.PROTECT, related_name="+"
    )
    request = models.ForeignKey(
        "disclosure.DisclosureRequest",
        verbose_name="相关申请",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="review_cases",
    )
    kind = models.CharField("类型", max_length=30, choices=ReviewKind.choices)
    case_number = models.CharField("案号", max_length=100, blank=True)
    filed_on = models.DateField("立案日期")
    result = models.CharField(
        "结果", max_length=12, choices=ReviewResult.choices, default=ReviewResult.PENDING
    )
    concluded_on = models.DateField("审结日期", null=True, blank=True)
    note = models.TextField("说明", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "行政复议、行政诉讼"
        verbose_name_plural = "行政复议、行政诉讼"
        ordering = ["-filed_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(result="pending") & models.Q(concluded_on__isnull=True))
                | (~models.Q(result="pending") & models.Q(concluded_on__isnull=False)),
                name="disclosure_review_concluded_has_date",
                violation_error_message="已审结的案件须填写审结日期，尚未审结的不填。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.case_number}".strip()


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


class PublishState(models.TextChoices):
    IDLE = "idle", "—"
    QUEUED = "queued", "等待发布"
    RUNNING = "running", "正在发布"
    FAILED = "failed", "发布失败"


class AnnualReport(models.Model):
    """年度报告 of one organization (its subtree) for one year: narrative sections by staff, tables from data."""

    organization = models.ForeignKey(
        "core.Organization", verbose_name="机构", on_delete=models.PROTECT, related_name="disclosure_reports"
    )
    year = models.PositiveSmallIntegerField("年度")
    overview = models.TextField("一、总体情况", blank=True)
    problems = models.TextField("五、存在的主要问题及改进情况", blank=True)
    other_matters = models.TextField("六、其他需要报告的事项", blank=True)
    figures = models.JSONField(
        "其他系统提供的数字",
        default=dict,
        blank=True,
        help_text="行政许可、行政处罚、行政强制处理决定数量和行政事业性收费金额（万元）。",
    )
    status = models.CharField("状态", max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    snapshot = models.JSONField("发布时的报告内容", null=True, blank=True)
    docx = models.FileField("Word 文件", upload_to="disclosure/reports/", blank=True)
    pdf = models.FileField("PDF 文件", upload_to="disclosure/reports/", blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    # Whether the report was on time is decided by its first publication; a later correction does not make it late.
    first_published_at = models.DateTimeField("首次发布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Publication runs as a background task (tables, Word and PDF take seconds); its progress is shown in the admin.
    publish_state = models.CharField(
        "发布进度", max_length=12, choices=PublishState.choices, default=PublishState.IDLE
    )
    publish_progress = models.PositiveSmallIntegerField("完成百分比", default=0)
    publish_step = models.CharField("当前步骤", max_length=100, blank=True)
    publish_error = models.TextField("发布失败原因", blank=True)
    publish_requested_at = models.DateTimeField("申请发布时间", null=True, blank=True)
    publish_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    publish_requested_ip = models.GenericIPAddressField("申请发布地址", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "年度报告"
        verbose_name_plural = "年度报告"
        ordering = ["-year", "organization__path"]
        permissions = [("publish_annualreport", "发布政府信息公开工作年度报告")]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="disclosure_unique_annual_report")
        ]

    def __str__(self) -> str:
        return f"{self.organization}{self.year}年政府信息公开工作年度报告"
