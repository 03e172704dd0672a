"""Public forms of the mailboxes: the letter, the look-up by number and query code, the writer's rating."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from zhengwu.core.forms import MultipleFileField as CoreMultipleFileField
from zhengwu.core.humancheck import HumanCheckForm
from zhengwu.core.models.dispatch import Rating
from zhengwu.core.smscode import register_purpose

from .services.mailbox import ATTACHMENT_KINDS, MAX_ATTACHMENTS, check_text, check_writer

register_purpose("mailbox_letter", "提交信箱来信")
register_purpose("mailbox_lookup", "查询信箱来信办理情况")


def MultipleFileField(**kwargs: Any) -> CoreMultipleFileField:
    return CoreMultipleFileField(max_files=MAX_ATTACHMENTS, accept=ATTACHMENT_KINDS, **kwargs)


class LetterForm(HumanCheckForm):
    """写信: the limits of the mailbox are checked here with the same rules as the service, so the page shows
    every error at once and keeps what was typed."""

    human_check_purpose = "mailbox_letter"
    sms_phone_field = "writer_phone"

    writer_name = forms.CharField(
        label="真实姓名", max_length=40, error_messages={"required": "请填写真实姓名。"}
    )
    writer_phone = forms.CharField(
        label="联系电话",
        max_length=20,
        help_text="用于告知办理结果，不会公开。",
        error_messages={"required": "请填写联系电话。"},
    )
    kind = forms.ChoiceField(label="来信类型", error_messages={"required": "请选择来信类型。"})
    title = forms.CharField(label="标题", max_length=400, error_messages={"required": "请填写标题。"})
    body = forms.CharField(
        label="来信内容",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": "请填写来信内容。"},
    )
    attachments = MultipleFileField(
        label="附件",
        required=False,
        help_text=f"可选，最多 {MAX_ATTACHMENTS} 个，支持 JPG、PNG、PDF、DOC、DOCX 格式。",
    )
    public_consent = forms.BooleanField(
        label="同意公开（隐去姓名和电话后，来信和答复可能在“来信选登”中公开）",
        required=False,
        help_text="请不要在标题和内容中填写身份证号、住址等个人信息；如选择公开，工作人员会在公开前删去其中的个人信息。",
    )

    def __init__(self, *args: Any, mailbox: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mailbox = mailbox
        self.fields["kind"].choices = [("", "请选择")] + [(k, k) for k in mailbox.kinds]
        self.fields["title"].help_text = f"{mailbox.title_min} 至 {mailbox.title_max} 字。"
        self.fields[
            "body"
        ].help_text = f"{mailbox.body_min} 至 {mailbox.body_max} 字，请写明事项、地点和诉求。"
        order = ["writer_name", "writer_phone", "kind", "title", "body", "attachments", "public_consent"]
        self.order_fields(order + [name for name in self.fields if name not in order])

    def clean_title(self) -> str:
        return check_text(
            self.cleaned_data.get("title", ""),
            label="标题",
            minimum=self.mailbox.title_min,
            maximum=self.mailbox.title_max,
        )

    def clean_body(self) -> str:
        return check_text(
            self.cleaned_data.get("body", ""),
            label="来信内容",
            minimum=self.mailbox.body_min,
            maximum=self.mailbox.body_max,
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "writer_name" in data and "writer_phone" in data:
            try:
                data["writer_name"], data["writer_phone"] = check_writer(
                    data["writer_name"], data["writer_phone"]
                )
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    for message in messages:
                        self.add_error(field, message)
        return data


class LetterLookupForm(HumanCheckForm):
    """来信查询: the letter's number and query code; the captcha (or an SMS code) once the address failed a few."""

    human_check_purpose = "mailbox_lookup"

    tracking_number = forms.CharField(
        label="信件编号", max_length=40, error_messages={"required": "请填写信件编号。"}
    )
    query_code = forms.CharField(label="查询码", max_length=20, error_messages={"required": "请填写查询码。"})


class RatingForm(forms.Form):
    rating = forms.ChoiceField(
        label="您对答复的评价",
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择满意、基本满意或不满意。"},
    )


class PublishedFilterForm(forms.Form):
    q = forms.CharField(label="关键词", max_length=50, required=False)
    kind = forms.ChoiceField(label="类型", required=False)
    unit = forms.TypedChoiceField(label="办理单位", required=False, coerce=int, empty_value=None)
    start = forms.DateField(
        label="来信日期从", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, mailbox: Any, units: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "全部")] + [(k, k) for k in mailbox.kinds]
        self.fields["unit"].choices = [("", "全部")] + [(u.pk, u.name) for u in units]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError("结束日期不能早于开始日期。")
        return data
