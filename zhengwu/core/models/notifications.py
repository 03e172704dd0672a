from django.conf import settings
from django.db import models


class Notification(models.Model):
    """A message to one staff member (in-app inbox) and/or to an outside address (e-mail, phone)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    email = models.EmailField("电子邮箱", blank=True)
    phone = models.CharField("手机号码", max_length=20, blank=True)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=500, blank=True)
    category = models.SlugField("类别", max_length=60, blank=True)
    # Files sent with the e-mail: [{"name": storage name, "filename": shown name, "mimetype": …}], read from the
    # default storage when the e-mail goes out (a 告知书 PDF to an applicant who chose e-mail delivery).
    attachments = models.JSONField("邮件附件", default=list, blank=True)
    # False when a staff member is reached only by e-mail or SMS: the row still records what was sent to whom.
    in_inbox = models.BooleanField("站内消息", default=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "消息"
        verbose_name_plural = "消息"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "in_inbox", "read_at"])]

    def __str__(self) -> str:
        return self.title


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", "电子邮件"
    SMS = "sms", "短信"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class Delivery(models.Model):
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField("渠道", max_length=10, choices=DeliveryChannel.choices)
    address = models.CharField("地址", max_length=200)
    status = models.CharField(
        "状态", max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    error = models.TextField("错误", blank=True, help_text="每次失败一行，保留全部重试记录。")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_attempt_at = models.DateTimeField("最近尝试时间", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "消息投递"
        verbose_name_plural = "消息投递"
        indexes = [models.Index(fields=["status", "channel"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.address}"
