"""开放 datasets: what the portal and the CKAN-compatible API publish of an entry open to the public.

An entry of the catalogue is a public dataset when it is approved and marked 是否向社会开放. Its licence and
distributions (uploaded files, or a link to an interface) are kept here; downloads are counted per file. Staff
reach the API with a token; only a hash of it is stored.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class DatasetLicence(models.Model):
    """The licence under which an open entry is published (one per entry)."""

    resource = models.OneToOneField(
        "catalog.Resource", on_delete=models.CASCADE, related_name="open_dataset", verbose_name="信息资源"
    )
    licence = models.CharField("开放许可", max_length=40)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "开放数据许可"
        verbose_name_plural = "开放数据许可"

    def __str__(self) -> str:
        return f"{self.resource_id}：{self.licence}"


class DistributionKind(models.TextChoices):
    FILE = "file", "数据文件"
    API = "api", "数据接口"


class Distribution(models.Model):
    """One file of an open dataset, or a link to its interface."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    resource = models.ForeignKey(
        "catalog.Resource", on_delete=models.CASCADE, related_name="distributions", verbose_name="信息资源"
    )
    kind = models.CharField("类型", max_length=8, choices=DistributionKind.choices)
    title = models.CharField("名称", max_length=200)
    file = models.FileField("文件", upload_to="catalog/opendata/", blank=True)
    file_kind = models.CharField("文件格式", max_length=8, blank=True)
    mime = models.CharField("媒体类型", max_length=120, blank=True)
    size = models.PositiveBigIntegerField("大小（字节）", null=True, blank=True)
    url = models.URLField("接口地址", max_length=500, blank=True)
    download_count = models.PositiveIntegerField("下载次数", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "开放数据文件"
        verbose_name_plural = "开放数据文件"
        ordering = ["resource", "created_at", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def format_label(self) -> str:
        return "API" if self.kind == DistributionKind.API else self.file_kind.upper()


class ApiToken(models.Model):
    """A staff member's token for the CKAN-compatible API: the caller sees what its owner may see."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="所属人员"
    )
    name = models.CharField("用途", max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField("令牌前缀", max_length=8, editable=False)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("发放时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "数据接口令牌"
        verbose_name_plural = "数据接口令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"
