"""机构改革: the dated, reasoned record of merges, absorptions, splits, renames and moves of organizations, the
predecessor → successor links they leave, and the old site hosts that answer 301 to a successor's site."""

from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver


class ReorgKind(models.TextChoices):
    MERGE = "merge", "合并设立"
    ABSORB = "absorb", "并入"
    SPLIT = "split", "拆分"
    RENAME = "rename", "更名"
    MOVE = "move", "调整隶属关系"


class Reorganization(models.Model):
    """One 机构改革 act. ``summary`` keeps what moved (per kind of object: its key, label and destination), so the
    history can say what went where long after the objects changed again."""

    kind = models.CharField("类型", max_length=10, choices=ReorgKind.choices)
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name="机构",
        on_delete=models.PROTECT,
        related_name="reorganizations",
        help_text="合并、并入时为承接机构；拆分时为原机构；更名、调整隶属关系时为该机构。",
    )
    effective_on = models.DateField("生效日期")
    reason = models.TextField("原因")
    basis = models.CharField("批准文件", max_length=200, blank=True, help_text="如机构改革方案的文号。")
    detail = models.JSONField("变更内容", default=dict, blank=True)
    summary = models.JSONField("移交清单", default=dict, blank=True)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    performed_at = models.DateTimeField("操作时间", auto_now_add=True)

    class Meta:
        verbose_name = "机构改革"
        verbose_name_plural = "机构改革"
        ordering = ["-effective_on", "-pk"]
        permissions = [("reorganize", "执行机构改革（合并、并入、拆分、更名、调整隶属关系）")]

    def __str__(self) -> str:
        return f"{self.effective_on} {self.get_kind_display()} {self.organization}"


class Succession(models.Model):
    """机构沿革: ``predecessor`` ceased (or gave part of its work) and ``successor`` carries it on."""

    reorganization = models.ForeignKey(Reorganization, on_delete=models.PROTECT, related_name="successions")
    predecessor = models.ForeignKey(
        "core.Organization", verbose_name="原机构", on_delete=models.PROTECT, related_name="successor_links"
    )
    successor = models.ForeignKey(
        "core.Organization",
        verbose_name="承接机构",
        on_delete=models.PROTECT,
        related_name="predecessor_links",
    )

    class Meta:
        verbose_name = "机构沿革"
        verbose_name_plural = "机构沿革"
        constraints = [
            models.UniqueConstraint(
                fields=["reorganization", "predecessor", "successor"], name="core_unique_succession"
            )
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


class HostRedirect(models.Model):
    """An old site host that now answers 301: ``http://old/x/`` → the target site's root + ``path_prefix`` + ``x/``.
    Written when a ceased organization's site is merged into (or handed over to) a successor's site."""

    old_hostname = models.CharField("原主机名", max_length=255, unique=True)
    target_site = models.ForeignKey(
        "wagtailcore.Site", verbose_name="目标网站", on_delete=models.CASCADE, related_name="+"
    )
    path_prefix = models.CharField(
        "路径前缀", max_length=255, default="/", help_text="原网站的页面在目标网站中所在的路径，如 /kjj/。"
    )
    reorganization = models.ForeignKey(
        Reorganization, null=True, blank=True, on_delete=models.SET_NULL, related_name="host_redirects"
    )
    hits = models.PositiveIntegerField("访问次数", default=0)
    last_hit_at = models.DateTimeField("最近访问", null=True, blank=True)
    created_at = models.DateTimeField("建立时间", auto_now_add=True)

    class Meta:
        verbose_name = "原网站域名跳转"
        verbose_name_plural = "原网站域名跳转"
        ordering = ["old_hostname"]

    def __str__(self) -> str:
        return f"{self.old_hostname} → {self.target_site.hostname}{self.path_prefix}"


@receiver(post_save, sender=HostRedirect)
@receiver(post_delete, sender=HostRedirect)
def _host_redirects_changed(sender, **kwargs) -> None:
    # Every write, from the admin or a service, and a delete cascaded from the target site: requests must not go on
    # answering from the cached table. A hit counter update is a queryset update and sends no signal.
    from ..redirects import invalidate_host_redirects

    invalidate_host_redirects()
