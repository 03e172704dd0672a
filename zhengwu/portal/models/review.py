from django.conf import settings
from django.db import models


class ConfidentialityClearance(models.Model):
    """保密审查 override: someone allowed to do so confirmed that flagged content may be published, and why.

    Keyed by the page and a digest of the text that was scanned, so the clearance covers exactly that content: any
    later edit that is flagged again needs a new one.
    """

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64)
    hits = models.JSONField("提示内容", default=list)
    reason = models.TextField("确认理由")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="确认人", on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField("确认时间", auto_now_add=True)

    class Meta:
        verbose_name = "保密审查确认"
        verbose_name_plural = "保密审查确认"
        constraints = [models.UniqueConstraint(fields=["page", "digest"], name="one_clearance_per_content")]
        permissions = [("override_confidentiality", "可确认保密审查提示后发布")]

    def __str__(self) -> str:
        return f"{self.page_id}：{self.reason[:30]}"


class SensitiveTerm(models.Model):
    """The county's own terms for the 保密审查 scan, beside the built-in rule file."""

    term = models.CharField("词语", max_length=60, unique=True)
    note = models.CharField("说明", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("添加时间", auto_now_add=True)

    class Meta:
        verbose_name = "保密审查敏感词"
        verbose_name_plural = "保密审查敏感词"
        ordering = ["term"]

    def __str__(self) -> str:
        return self.term
