"""Counters of the public forms' rate limits and the SMS verification codes offered beside the image captcha."""

from django.db import models


class RateCounter(models.Model):
    """Events counted for one key in one fixed window (the window's number is part of the key), incremented with a
    single ``UPDATE … SET count = count + 1`` so that concurrent requests on any number of processes never count
    past a limit. Used when the cache is not Redis; rows past ``expires_at`` are deleted by a periodic task."""

    key = models.CharField(max_length=250, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "频率计数"
        verbose_name_plural = "频率计数"

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class SmsCode(models.Model):
    """A verification code sent by SMS, the accessible alternative to an image captcha. Only a keyed hash of the
    code is kept; a code is good for one form (``purpose``), a few minutes and a few wrong tries."""

    phone = models.CharField("手机号码", max_length=20)
    purpose = models.CharField("用途", max_length=40)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField("发送时间", auto_now_add=True)
    expires_at = models.DateTimeField("有效期至")
    attempts = models.PositiveSmallIntegerField("错误次数", default=0)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)
    ip_address = models.GenericIPAddressField("请求地址", null=True, blank=True)

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"
        indexes = [models.Index(fields=["phone", "purpose", "created_at"])]

    def __str__(self) -> str:
        return f"{self.phone[:3]}****{self.phone[-4:]} {self.purpose}"
