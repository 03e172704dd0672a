import re

from django.core.exceptions import ValidationError
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


def validate_site_id_code(value: str) -> None:
    """网站标识码: 10 characters — local sites are digits starting with the division code, ministries 'bm' + 8 digits."""
    if not re.fullmatch(r"\d{10}|bm\d{8}", value):
        raise ValidationError("网站标识码应为 10 位：地方网站为 10 位数字，部委网站为 bm 加 8 位数字。")


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting):
    """Page chrome of one site: the footer elements 《政府网站发展指引》 requires and the meta tags of every page."""

    host_organization = models.CharField("主办单位", max_length=100, blank=True)
    organizer = models.CharField("承办单位", max_length=100, blank=True)
    contact_phone = models.CharField("联系电话", max_length=60, blank=True)
    contact_email = models.EmailField("联系邮箱", blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    site_id_code = models.CharField(
        "网站标识码", max_length=10, blank=True, validators=[validate_site_id_code]
    )
    icp_number = models.CharField("ICP备案编号", max_length=60, blank=True, help_text="如：京ICP备05070218号")
    police_record_number = models.CharField(
        "公安机关备案号", max_length=60, blank=True, help_text="如：京公网安备11010202000001号"
    )
    police_record_url = models.URLField("公安机关备案链接", blank=True)
    party_gov_logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="党政机关网站标识",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    party_gov_logo_url = models.URLField("党政机关网站标识链接", blank=True)
    description = models.CharField("网站描述", max_length=200, blank=True)
    keywords = models.CharField("网站关键词", max_length=200, blank=True)

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("host_organization"),
                FieldPanel("organizer"),
                FieldPanel("contact_phone"),
                FieldPanel("contact_email"),
                FieldPanel("address"),
            ],
            heading="主办与联系方式",
        ),
        MultiFieldPanel(
            [
                FieldPanel("site_id_code"),
                FieldPanel("icp_number"),
                FieldPanel("police_record_number"),
                FieldPanel("police_record_url"),
                FieldPanel("party_gov_logo"),
                FieldPanel("party_gov_logo_url"),
            ],
            heading="网站标识与备案",
        ),
        MultiFieldPanel([FieldPanel("description"), FieldPanel("keywords")], heading="搜索引擎信息"),
    ]

    class Meta:
        verbose_name = "网站设置"
        verbose_name_plural = "网站设置"
