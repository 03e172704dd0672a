"""Where the 政府信息公开申请 addressed to each body go: the office whose staff handle them."""

from django.conf import settings
from django.db import models


class RequestRoute(models.Model):
    """Whether a body (受理机关) takes 政府信息公开申请 and which organization's staff handle them — the body itself
    (a department's own liaison) or another office (the county government office as the 政府信息公开工作机构).
    The public form lists a body only while its handling office has staff who can act; the 公开指南 shows this
    routing, so that the guide and the routing cannot disagree."""

    organization = models.OneToOneField(
        "core.Organization",
        verbose_name="受理机关",
        on_delete=models.CASCADE,
        related_name="disclosure_route",
    )
    accepts_requests = models.BooleanField("受理政府信息公开申请", default=True)
    handling_office = models.ForeignKey(
        "core.Organization",
        verbose_name="办理机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="申请由该机构具有办理权限的工作人员办理；本机关自行办理的选本机关。",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "依申请公开办理机构"
        verbose_name_plural = "依申请公开办理机构"

    def __str__(self) -> str:
        office = self.handling_office or self.organization
        return f"{self.organization} → {office}"

    @property
    def office(self):
        return self.handling_office or self.organization
