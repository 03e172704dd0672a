"""政府信息公开设置: what counties set differently (the 索引号 pattern, whether a fee wait pauses the clock…)."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from ..rules import load

_PLACEHOLDER = re.compile(r"\{([a-z_]+)(?::0?(\d+)d)?\}")
ALLOWED_PLACEHOLDERS = ("credit_code", "org_code", "year", "serial")


def validate_index_pattern(value: str) -> None:
    names = [match.group(1) for match in _PLACEHOLDER.finditer(value)]
    unknown = sorted(set(names) - set(ALLOWED_PLACEHOLDERS))
    if unknown:
        raise ValidationError(
            f"索引号格式含有无法识别的占位符：{'、'.join(unknown)}；可用的有 "
            + "、".join("{" + name + "}" for name in ALLOWED_PLACEHOLDERS)
            + "。"
        )
    if "serial" not in names or "year" not in names:
        raise ValidationError("索引号格式必须包含 {year}（年份）和 {serial}（流水号）。")
    if "credit_code" not in names and "org_code" not in names:
        raise ValidationError("索引号格式必须包含 {credit_code} 或 {org_code}，以区分发布机构。")
    if len(_PLACEHOLDER.sub("", value)) > 20:
        raise ValidationError("索引号格式中的固定字符不能超过 20 个。")


@register_setting(icon="doc-full")
class DisclosureSettings(BaseGenericSetting):
    index_number_pattern = models.CharField(
        "索引号格式",
        max_length=80,
        default=load("catalogue")["index_number"]["default_pattern"],
        validators=[validate_index_pattern],
        help_text="占位符：{credit_code} 统一社会信用代码，{org_code} 机构编码，{year} 年份，{serial:05d} 5 位流水号。"
        "修改后只影响新发放的索引号，已发放的索引号不变。",
    )
    fee_pauses_reply_clock = models.BooleanField(
        "等待缴费期间暂停答复期限",
        default=load("fees")["payment"]["pauses_reply_clock_default"],
        help_text="发出收费通知后至申请人缴费期间，答复期限是否暂停计算（各地规定不一）。",
    )
    review_body = models.CharField(
        "行政复议机关",
        max_length=100,
        blank=True,
        help_text="告知书救济途径中写明的行政复议机关；留空时写“本机关的上一级行政机关或者本级人民政府”。",
    )
    payment_method = models.TextField(
        "缴费方式",
        blank=True,
        help_text="收费通知书中写明的缴费方式，如非税收入缴款账户或缴费二维码获取方式。",
    )
    report_reminders = models.BooleanField("提醒编制年度报告", default=True)

    panels = [
        MultiFieldPanel([FieldPanel("index_number_pattern")], heading="主动公开"),
        MultiFieldPanel(
            [FieldPanel("fee_pauses_reply_clock"), FieldPanel("review_body"), FieldPanel("payment_method")],
            heading="依申请公开",
        ),
        MultiFieldPanel([FieldPanel("report_reminders")], heading="年度报告"),
    ]

    class Meta:
        verbose_name = "政府信息公开设置"
        verbose_name_plural = "政府信息公开设置"
