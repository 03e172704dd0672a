from django.conf import settings
from django.db import models


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

    class Meta:
        verbose_name = "网站纠错"
        verbose_name_plural = "网站纠错"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.site.site_name}：{self.description[:30]}"
