"""知识库: answers the hotline gives directly, each kept by an owner unit, valid for a period and reviewed."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class KnowledgeEntry(models.Model):
    category = models.ForeignKey(
        "interaction.Category", verbose_name="分类", on_delete=models.PROTECT, related_name="knowledge"
    )
    title = models.CharField("问题", max_length=120)
    answer = models.TextField("答复口径")
    keywords = models.CharField("关键词", max_length=200, blank=True, help_text="用逗号分隔。")
    owner_unit = models.ForeignKey(
        "core.Organization", verbose_name="维护单位", on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField("依据", max_length=300, blank=True)
    valid_from = models.DateField("生效日期")
    valid_until = models.DateField("有效期至", null=True, blank=True, help_text="留空表示长期有效。")
    reviewed_at = models.DateTimeField("最近审核", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField("启用", default=True)
    use_count = models.PositiveIntegerField("直接答复引用次数", default=0)
    expiry_notified_on = models.DateField("已提醒维护单位", null=True, blank=True)
    # Index terms from the portal search's segmenter (title, keywords, answer), space-delimited with a leading and
    # trailing space, so that a term is matched as " term ".
    title_terms = models.TextField(blank=True, editable=False)
    body_terms = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "知识库条目"
        verbose_name_plural = "知识库"
        ordering = ["category__path", "title"]

    def __str__(self) -> str:
        return self.title


class KnowledgeUse(models.Model):
    """A direct answer (直接答复) that used an entry."""

    entry = models.ForeignKey(KnowledgeEntry, on_delete=models.CASCADE, related_name="uses")
    work_order = models.ForeignKey("interaction.WorkOrder", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField("时间")
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "知识引用"
        verbose_name_plural = "知识引用"

    def __str__(self) -> str:
        return f"{self.entry} → {self.work_order}"
