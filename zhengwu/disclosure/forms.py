"""Forms of the disclosure app: the public application and look-up, and the staff action forms. Validation that is
law lives in the services; forms parse input and carry the service's field errors back to the page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from zhengwu.core.humancheck import HumanCheckForm
from zhengwu.core.models import Organization
from zhengwu.core.smscode import register_purpose

from .models import FeeMethod
from .rules import (
    applicant_kind_choices,
    channel_choices,
    consultation_kinds,
    id_type_choices,
    load,
    outcome_choices,
)
from .selectors.routing import public_bodies
from .services.requests import Application

DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


def _blank(choices: list[tuple[str, str]], label: str = "请选择") -> list[tuple[str, str]]:
    return [("", label), *choices]


def apply_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form: per field where it names one, else on the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class ApplicationFields(forms.Form):
    """申请人 and 所需信息 (条例第二十九条), shared by the public form and the staff intake form."""

    applicant_kind = forms.ChoiceField(label="申请人类型", choices=_blank(applicant_kind_choices()))
    applicant_name = forms.CharField(label="姓名或名称", max_length=100)
    id_type = forms.ChoiceField(label="证件类型", choices=_blank(id_type_choices()))
    id_number = forms.CharField(label="证件号码", max_length=40)
    legal_representative = forms.CharField(label="法定代表人或负责人", max_length=40, required=False)
    contact_name = forms.CharField(
        label="联系人", max_length=40, required=False, help_text="法人或其他组织申请时必填。"
    )
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    email = forms.CharField(label="电子邮箱", max_length=254, required=False)
    address = forms.CharField(label="通信地址", max_length=200, required=False)
    postal_code = forms.CharField(label="邮政编码", max_length=10, required=False)
    description = forms.CharField(
        label="所需政府信息的名称、文号或者便于查询的其他特征性描述",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=2000,
    )
    document_hint = forms.CharField(label="文件名称或文号（如知道）", max_length=200, required=False)
    wanted_form = forms.ChoiceField(
        label="获取信息的方式",
        choices=_blank([(i["code"], i["label"]) for i in load("requests")["wanted_forms"]]),
        required=False,
    )
    delivery = forms.ChoiceField(
        label="信息的提供方式",
        choices=_blank([(i["code"], i["label"]) for i in load("requests")["deliveries"]]),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Say which field is missing and what to do, not Django's generic 「这个字段是必填项。」.
        for field in self.fields.values():
            if (
                field.required
                and field.error_messages.get("required") == forms.Field.default_error_messages["required"]
            ):
                verb = "请选择" if isinstance(field, forms.ChoiceField) else "请填写"
                field.error_messages = {**field.error_messages, "required": f"{verb}{field.label}。"}

    def application(self) -> Application:
        data = self.cleaned_data
        return Application(
            **{
                name: data.get(name, "")
                for name in (
                    "applicant_kind",
                    "applicant_name",
                    "id_type",
                    "id_number",
                    "legal_representative",
                    "contact_name",
                    "phone",
                    "email",
                    "address",
                    "postal_code",
                    "description",
                    "document_hint",
                    "wanted_form",
                    "delivery",
                )
            }
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors:
            try:
                self.application().cleaned()
            except ValidationError as exc:
                apply_service_errors(self, exc)
        return data


register_purpose("disclosure_apply", "提交政府信息公开申请")
register_purpose("disclosure_lookup", "查询政府信息公开申请办理进度")
register_purpose("disclosure_resend", "重新获取政府信息公开申请查询码")


class PublicApplicationForm(ApplicationFields, HumanCheckForm):
    """The online application: the bodies whose handling office has staff who can act (the routing), the
    applicant's data, and the captcha or an SMS code sent to the 联系电话."""

    human_check_purpose = "disclosure_apply"
    sms_phone_field = "phone"

    organization = forms.ModelChoiceField(
        label="受理机关",
        queryset=Organization.objects.none(),
        empty_label="请选择受理机关",
        error_messages={"required": "请选择受理机关。", "invalid_choice": "请选择受理机关。"},
    )

    field_order = ["organization", *ApplicationFields.base_fields]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = public_bodies()


class LookupForm(HumanCheckForm):
    """申请进度查询; the captcha (or an SMS code) is asked for once the address has failed look-ups."""

    human_check_purpose = "disclosure_lookup"

    tracking_number = forms.CharField(label="受理编号", max_length=40)
    query_code = forms.CharField(label="查询码", max_length=20)


class ResendCodeForm(HumanCheckForm):
    """查询码找回: a new query code to the mobile number given in the application."""

    human_check_purpose = "disclosure_resend"
    sms_phone_field = "phone"

    tracking_number = forms.CharField(
        label="受理编号", max_length=40, error_messages={"required": "请填写受理编号。"}
    )
    phone = forms.CharField(
        label="申请时填写的手机号码",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": "请填写申请时填写的手机号码。"},
        help_text="新的查询码只发送到申请时登记的手机号码。",
    )


class IntakeForm(ApplicationFields):
    organization = forms.ModelChoiceField(label="受理机关", queryset=Organization.objects.none())
    channel = forms.ChoiceField(
        label="提交方式",
        choices=_blank(
            [(code, label) for code, label in channel_choices() if code not in ("online", "recorded")]
        ),
    )
    submitted_on = forms.DateField(
        label="申请人提交日期",
        required=False,
        widget=DATE_WIDGET,
        help_text="邮寄、平常信函填寄出或到达日期（选填）。",
    )
    received_on = forms.DateField(
        label="收到申请日期",
        widget=DATE_WIDGET,
        help_text="当面提交为提交之日；邮寄为签收之日；平常信函、传真为与申请人确认之日（条例第三十一条）。",
    )

    field_order = ["organization", "channel", "submitted_on", "received_on", *ApplicationFields.base_fields]

    def __init__(self, *args: Any, organizations=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organizations is not None:
            self.fields["organization"].queryset = organizations


class DayForm(forms.Form):
    on = forms.DateField(label="日期", widget=DATE_WIDGET)


class ConfirmReceiptForm(DayForm):
    note = forms.CharField(label="确认方式", max_length=200, required=False, help_text="如：电话确认。")


class CorrectionForm(DayForm):
    text = forms.CharField(label="需要补正的事项", widget=forms.Textarea(attrs={"rows": 4}))
    deadline = forms.DateField(
        label="补正期限", required=False, widget=DATE_WIDGET, help_text="留空按默认期限计算。"
    )


class ConsultationForm(DayForm):
    kind = forms.ChoiceField(label="类型", choices=[(k, v["label"]) for k, v in consultation_kinds().items()])
    parties = forms.CharField(label="征求意见对象", max_length=300)


class EndConsultationForm(DayForm):
    opinion = forms.CharField(label="意见", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ExtensionForm(DayForm):
    days = forms.IntegerField(label="延长工作日数", min_value=1)
    reason = forms.CharField(label="延期理由", max_length=300)


class FeeForm(DayForm):
    method = forms.ChoiceField(label="计费方式", choices=FeeMethod.choices)
    pages = forms.IntegerField(label="页数", min_value=1, required=False, help_text="按量计收时填写。")


class PaymentForm(DayForm):
    amount = forms.DecimalField(label="实收金额（元）", min_value=0, decimal_places=2)


class ReplyForm(forms.Form):
    outcome = forms.ChoiceField(label="办理结果", choices=_blank(outcome_choices(), "请选择办理结果"))
    text = forms.CharField(label="答复内容", required=False, widget=forms.Textarea(attrs={"rows": 5}))
