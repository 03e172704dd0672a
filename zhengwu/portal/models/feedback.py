from django.conf import settings
from django.db import models
from django.utils import timezone


class ErrorReportStatus(models.TextChoices):
    PENDING = "pending", "待处理"
    FIXED = "fixed", "已整改"
    REJECTED = "rejected", "不属实"


class ErrorReport(models.Model):
    """「我为政府网站找错」: a member of the public reports an error on a site; the site's staff handle it."""

    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name="网站", on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        "core.Organization", verbose_name="主办单位", null=True, on_delete=models.PROTECT, related_name="+"
    )
    page_url = models.CharField("出错页面地址", max_length=500, blank=True)
    category = models.CharField("问题类型", max_length=20)
    description = models.TextField("问题描述")
    contact_name = models.CharField("联系人", max_length=40, blank=True)
    contact = models.CharField("联系方式", max_length=100, blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True, db_index=True)
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    status = models.CharField(
        "处理状态", max_length=10, choices=ErrorReportStatus.choices, default=ErrorReportStatus.PENDING
    )
    reply = models.TextField("处理意见", blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)
    tracking_number = models.CharField("受理编号", max_length=40, unique=True, null=True, blank=True)
    query_code_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = "网站纠错"
        verbose_name_plural = "网站纠错"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.site.site_name}：{self.description[:30]}"


class ErrorReportEvent(models.Model):
    """One step of a report's public timeline (收到、转交、答复), shown to the reporter with the tracking number."""

    report = models.ForeignKey(ErrorReport, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间", default=timezone.now)
    kind = models.CharField("环节", max_length=20)
    text = models.CharField("说明", max_length=500)

    class Meta:
        verbose_name = "网站纠错办理过程"
        verbose_name_plural = "网站纠错办理过程"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.text
