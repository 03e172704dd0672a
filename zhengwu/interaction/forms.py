"""Forms of the hotline's staff pages: the operator console and the actions on a work order."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from zhengwu.core.forms import MultipleFileField
from zhengwu.core.models import Organization
from zhengwu.core.models.dispatch import Rating

from .models import Category, Channel, KnowledgeEntry, RequestKind, Urgency
from .rules import referrals


def apply_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form: per field where it names one, else on the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _units():
    return Organization.objects.filter(is_active=True).order_by("path")


class ConsoleForm(forms.Form):
    """One call: who, how, what; then either the direct answer or the unit to dispatch to."""

    channel = forms.ChoiceField(label="渠道", choices=Channel.choices, initial=Channel.PHONE)
    caller_phone = forms.CharField(label="来电号码", max_length=30, required=False)
    caller_name = forms.CharField(label="来电人", max_length=60, required=False)
    kind = forms.ChoiceField(label="诉求类型", choices=[("", "请选择"), *RequestKind.choices], required=False)
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, initial=Urgency.NORMAL)
    category = forms.ModelChoiceField(
        label="诉求分类",
        queryset=Category.objects.filter(is_active=True),
        required=False,
        empty_label="请选择",
    )
    location = forms.CharField(label="地点", max_length=200, required=False)
    content = forms.CharField(label="诉求内容", widget=forms.Textarea(attrs={"rows": 5}), required=False)
    answer = forms.CharField(label="答复内容", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    knowledge_entry = forms.ModelChoiceField(
        queryset=KnowledgeEntry.objects.filter(is_active=True), required=False, widget=forms.HiddenInput
    )
    referral = forms.ChoiceField(label="告知其他渠道", required=False)
    unit = forms.ModelChoiceField(label="主办单位", queryset=_units(), required=False, empty_label="请选择")
    assisting_units = forms.ModelMultipleChoiceField(
        label="协办单位", queryset=_units(), required=False, widget=forms.SelectMultiple(attrs={"size": 3})
    )
    outside_catalog_reason = forms.CharField(
        label="派单理由（派单目录外）",
        max_length=300,
        required=False,
        help_text="所选单位不在该分类的派单目录中时必填。",
    )
    instructions = forms.CharField(label="派单意见", max_length=500, required=False)
    invalid_reason = forms.CharField(label="无效原因", max_length=200, required=False)
    order = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referral"].choices = [("", "不需要")] + [
            (code, item["label"]) for code, item in referrals().items()
        ]
        self.fields["category"].label_from_instance = lambda c: c.path
        for name in ("unit", "assisting_units"):
            self.fields[name].label_from_instance = lambda o: o.name


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=500)


class NoteForm(forms.Form):
    note = forms.CharField(
        label="意见", widget=forms.Textarea(attrs={"rows": 2}), max_length=500, required=False
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="审核结果", choices=[("approve", "同意"), ("refuse", "不同意")], widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="意见（不同意时必填）", widget=forms.Textarea(attrs={"rows": 2}), max_length=300, required=False
    )


class EmptyForm(forms.Form):
    pass


class ExtensionForm(forms.Form):
    workdays = forms.IntegerField(label="延期工作日", min_value=1, max_value=60)
    reason = forms.CharField(label="延期理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=500)


class ReplyForm(forms.Form):
    text = forms.CharField(label="答复内容", widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    attachments = MultipleFileField(
        label="附件", required=False, help_text="PDF、Word、Excel、OFD 或图片，可选多个。"
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="审核结果",
        choices=[("accept", "审核通过"), ("send_back", "退回重办")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="审核意见（退回时必填）",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=500,
        required=False,
    )


class CallbackForm(forms.Form):
    rating = forms.ChoiceField(label="评价", choices=Rating.choices, widget=forms.RadioSelect)
    note = forms.CharField(label="回访记录", max_length=500, required=False)


class DispatchForm(forms.Form):
    unit = forms.ModelChoiceField(label="承办单位", queryset=_units(), empty_label="请选择")
    role = forms.ChoiceField(label="角色", choices=[("lead", "主办"), ("assist", "协办")])
    outside_catalog_reason = forms.CharField(
        label="派单理由（派单目录外必填）", max_length=300, required=False
    )
    instructions = forms.CharField(label="派单意见", max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].label_from_instance = lambda o: o.name


class RedispatchForm(forms.Form):
    unit = forms.ModelChoiceField(label="改派给", queryset=_units(), empty_label="请选择")
    reason = forms.CharField(label="改派理由", max_length=300)
    outside_catalog_reason = forms.CharField(
        label="派单理由（派单目录外必填）", max_length=300, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].label_from_instance = lambda o: o.name


class MergeForm(forms.Form):
    into = forms.CharField(label="并入工单编号", max_length=30)
    reason = forms.CharField(label="并单理由", max_length=300)


class KnowledgeForm(forms.Form):
    category = forms.ModelChoiceField(label="分类", queryset=Category.objects.filter(is_active=True))
    title = forms.CharField(label="问题", max_length=120)
    answer = forms.CharField(label="答复口径", widget=forms.Textarea(attrs={"rows": 6}))
    keywords = forms.CharField(label="关键词", max_length=200, required=False, help_text="用逗号分隔。")
    owner_unit = forms.ModelChoiceField(label="维护单位", queryset=_units())
    source = forms.CharField(label="依据", max_length=300, required=False)
    valid_from = forms.DateField(label="生效日期", widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(
        label="有效期至",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="留空表示长期有效。",
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].label_from_instance = lambda c: c.path
        if units is not None:
            self.fields["owner_unit"].queryset = units
        self.fields["owner_unit"].label_from_instance = lambda o: o.name


class KpiForm(forms.Form):
    start = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="结束日期", widget=forms.DateInput(attrs={"type": "date"}))
    unit = forms.ModelChoiceField(label="主办单位", queryset=_units(), required=False, empty_label="全部")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].label_from_instance = lambda o: o.name

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError("结束日期不能早于开始日期。")
        if data.get("start") and data.get("end") and (data["end"] - data["start"]).days > 3660:
            raise ValidationError("统计期间不能超过十年。")
        return data


class KeyForm(forms.Form):
    name = forms.CharField(label="使用方名称", max_length=100)
