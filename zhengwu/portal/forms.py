from django import forms

from zhengwu.core.humancheck import HumanCheckForm
from zhengwu.core.smscode import register_purpose

register_purpose("error_report", "提交网站纠错")
register_purpose("error_report_lookup", "查询网站纠错办理结果")

ERROR_CATEGORIES = [
    ("", "请选择"),
    ("broken_link", "链接无法打开"),
    ("typo", "错别字"),
    ("outdated", "信息不准确或未更新"),
    ("service", "办事服务不能使用"),
    ("interaction", "互动回应问题"),
    ("other", "其他问题"),
]


class ErrorReportForm(HumanCheckForm):
    human_check_purpose = "error_report"

    category = forms.ChoiceField(
        label="问题类型", choices=ERROR_CATEGORIES, error_messages={"required": "请选择问题类型。"}
    )
    page_url = forms.CharField(
        label="出错页面地址",
        max_length=500,
        required=False,
        help_text="可以复制出错页面浏览器地址栏中的网址。",
    )
    description = forms.CharField(
        label="问题描述",
        max_length=2000,
        min_length=5,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "请填写问题描述。",
            "min_length": "问题描述至少 5 个字。",
            "max_length": "问题描述不能超过 2000 字（当前 %(show_value)d 字）。",
        },
    )
    contact_name = forms.CharField(label="联系人", max_length=40, required=False)
    contact = forms.CharField(
        label="联系方式", max_length=100, required=False, help_text="电话或电子邮箱，便于回复（选填）。"
    )


class ErrorReportLookupForm(HumanCheckForm):
    """网站纠错查询: the tracking number and query code given on submission; the captcha (or an SMS code) is asked
    for once the address has failed look-ups."""

    human_check_purpose = "error_report_lookup"

    tracking_number = forms.CharField(
        label="受理编号", max_length=40, error_messages={"required": "请填写受理编号。"}
    )
    query_code = forms.CharField(label="查询码", max_length=20, error_messages={"required": "请填写查询码。"})
