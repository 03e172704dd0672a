"""共享申请: a department asks another for a catalogued resource; the provider answers on the case clock; a grant
records the scope (the 信息项 granted) and its expiry; a refusal may be disputed before the county office.

Every write goes through :mod:`..services.sharing`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ShareRequestStatus(models.TextChoices):
    PENDING = "pending", "待答复"
    GRANTED = "granted", "已同意共享"
    REFUSED = "refused", "不予共享"
    DISPUTED = "disputed", "异议处理中"
    EXPIRED = "expired", "授权已到期"
    WITHDRAWN = "withdrawn", "已撤回"


class ShareRequest(models.Model):
    """One 共享申请 from a requesting department to the provider of a resource."""

    number = models.CharField("申请编号", max_length=30, unique=True)
    resource = models.ForeignKey(
        "catalog.Resource", verbose_name="信息资源", on_delete=models.PROTECT, related_name="share_requests"
    )
    requester = models.ForeignKey(
        "core.Organization", verbose_name="申请部门", on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(
        "core.Organization", verbose_name="提供部门", on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.TextField("申请用途")
    scenario = models.TextField("应用场景")
    items = models.JSONField("申请的信息项", default=list)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField("申请时间")
    status = models.CharField(
        "状态", max_length=12, choices=ShareRequestStatus.choices, default=ShareRequestStatus.PENDING
    )
    clock = models.OneToOneField(
        "core.CaseClock",
        verbose_name="答复时限",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    refusal_reason = models.TextField("不予共享理由", blank=True)
    dispute_reason = models.TextField("异议理由", blank=True)
    disputed_at = models.DateTimeField("提出异议时间", null=True, blank=True)
    resolution = models.TextField("协调意见", blank=True)
    resolved_at = models.DateTimeField("协调时间", null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "共享申请"
        verbose_name_plural = "共享申请"
        ordering = ["-submitted_at", "-pk"]
        permissions = [("resolve_sharerequest", "协调共享异议")]
        indexes = [
            models.Index(fields=["requester", "status"]),
            models.Index(fields=["provider", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.resource.name}"


class ShareGrant(models.Model):
    """Access granted on a request: which 信息项, until when; its uses are counted and audited."""

    request = models.OneToOneField(ShareRequest, on_delete=models.CASCADE, related_name="grant")
    resource = models.ForeignKey(
        "catalog.Resource", verbose_name="信息资源", on_delete=models.PROTECT, related_name="share_grants"
    )
    grantee = models.ForeignKey(
        "core.Organization", verbose_name="使用部门", on_delete=models.PROTECT, related_name="+"
    )
    scope = models.JSONField("授权信息项", default=list)
    scope_note = models.TextField("使用范围说明", blank=True)
    granted_at = models.DateTimeField("授权时间")
    expires_on = models.DateField("授权截止日期")
    expired_at = models.DateTimeField("到期处理时间", null=True, blank=True)
    use_count = models.PositiveIntegerField("使用次数", default=0)
    last_used_at = models.DateTimeField("最近使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "共享授权"
        verbose_name_plural = "共享授权"
        ordering = ["-granted_at", "-pk"]
        indexes = [models.Index(fields=["expired_at", "expires_on"])]

    def __str__(self) -> str:
        return f"{self.grantee} 使用 {self.resource.name}（至 {self.expires_on}）"
