"""Public forms of 网上申报: the application (built from the item's materials and its field list), the look-up by
number and query code, and the upload of corrected materials. The service checks everything again and is the
authority; the forms keep what was typed and put each error next to its field."""

from __future__ import annotations

from typing import Any

from django import forms

from zhengwu.core.forms import MultipleFileField
from zhengwu.core.humancheck import HumanCheckForm
from zhengwu.core.smscode import register_purpose

from . import rules
from .models import ApplicantKind

register_purpose("govservice_apply", "网上申报办事事项")
register_purpose("govservice_lookup", "查询网上申报办理情况")


def _rules() -> dict:
    return rules.extension_rules()


def material_field(material: Any, *, required: bool) -> MultipleFileField:
    kinds = _rules()["attachment_kinds"]
    help_parts = [
        f"支持 {'、'.join(k.upper() for k in kinds)} 格式，最多 {_rules()['max_files_per_material']} 个文件"
    ]
    if material.form:
        help_parts.insert(0, f"材料形式：{material.form}")
    return MultipleFileField(
        label=material.name,
        required=required,
        max_files=_rules()["max_files_per_material"],
        accept=kinds,
        help_text="；".join(help_parts) + "。",
        error_messages={"required": f"请上传“{material.name}”。"},
    )


def check_files(form: forms.Form, names: Any) -> None:
    """Each file by what its bytes are, so that the page names every bad file with the other errors at once."""
    from django.core.exceptions import ValidationError

    from zhengwu.core.services.uploads import check_upload

    for name in names:
        for upload in form.cleaned_data.get(name) or []:
            try:
                check_upload(upload, allowed=_rules()["attachment_kinds"])
            except ValidationError as exc:
                form.add_error(name, [f"{upload.name}：{message}" for message in exc.messages])
            finally:
                upload.seek(0)


class ApplicationForm(HumanCheckForm):
    human_check_purpose = "govservice_apply"
    sms_phone_field = "phone"

    applicant_kind = forms.ChoiceField(
        label="申请人类型",
        choices=[("", "请选择"), *ApplicantKind.choices],
        error_messages={"required": "请选择申请人类型。"},
    )
    applicant_name = forms.CharField(
        label="申请人姓名或单位全称",
        max_length=100,
        error_messages={"required": "请填写申请人姓名或单位全称。"},
    )
    applicant_id_number = forms.CharField(
        label="身份证号码或统一社会信用代码",
        max_length=32,
        error_messages={"required": "请填写身份证号码或统一社会信用代码。"},
    )
    contact_name = forms.CharField(
        label="经办人", max_length=50, required=False, help_text="法人或其他组织申请时填写。"
    )
    phone = forms.CharField(
        label="联系电话",
        max_length=20,
        help_text="用于接收受理、补正和办结等短信通知。",
        error_messages={"required": "请填写联系电话。"},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label="电子邮箱", required=False, error_messages={"invalid": "电子邮箱格式不正确。"}
    )

    def __init__(self, *args: Any, item: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item = item
        self.field_names: list[str] = []
        self.material_fields: dict[int, str] = {}
        for spec in rules.application_fields(item.code):
            name = f"field_{spec['name']}"
            self.field_names.append(name)
            common = {
                "label": spec["label"],
                "required": bool(spec.get("required")),
                "help_text": spec.get("help", ""),
                "error_messages": {"required": f"请填写{spec['label']}。"},
            }
            if spec["type"] == "choice":
                self.fields[name] = forms.ChoiceField(
                    choices=[("", "请选择"), *((c, c) for c in spec["choices"])], **common
                )
            elif spec["type"] == "textarea":
                self.fields[name] = forms.CharField(
                    max_length=spec.get("max_length", 1000),
                    widget=forms.Textarea(attrs={"rows": 4}),
                    **common,
                )
            elif spec["type"] == "date":
                self.fields[name] = forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
            else:
                self.fields[name] = forms.CharField(max_length=spec.get("max_length", 200), **common)
        for material in item.current_version.materials.all():
            name = f"material_{material.pk}"
            self.material_fields[material.pk] = name
            self.fields[name] = material_field(material, required=material.required)
        names = [n for n in self.fields if n not in ("captcha", "sms_code", "sms_phone")]
        self.order_fields(names + [n for n in ("captcha", "sms_code", "sms_phone") if n in self.fields])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        check_files(self, self.material_fields.values())
        return data

    def form_data(self) -> dict[str, str]:
        return {name.removeprefix("field_"): self.cleaned_data.get(name, "") for name in self.field_names}

    def files_by_material(self) -> dict[int, list]:
        return {pk: self.cleaned_data.get(name) or [] for pk, name in self.material_fields.items()}


class LookupForm(HumanCheckForm):
    human_check_purpose = "govservice_lookup"

    tracking_number = forms.CharField(
        label="申报编号", max_length=40, error_messages={"required": "请填写申报编号。"}
    )
    query_code = forms.CharField(label="查询码", max_length=20, error_messages={"required": "请填写查询码。"})


class CorrectionForm(forms.Form):
    note = forms.CharField(
        label="补正说明", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, application: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.material_fields: dict[int, str] = {}
        for material in application.version.materials.filter(name__in=application.correction_items):
            name = f"material_{material.pk}"
            self.material_fields[material.pk] = name
            self.fields[name] = material_field(material, required=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        check_files(self, self.material_fields.values())
        return data

    def files_by_material(self) -> dict[int, list]:
        return {pk: self.cleaned_data.get(name) or [] for pk, name in self.material_fields.items()}


# -- 好差评 -------------------------------------------------------------------------------------------------------

register_purpose("govservice_rating", "政务服务好差评")


def _rating_fields(form: forms.Form, channel: str) -> None:
    from .services import ratings

    form.indicator_fields = {}
    for index, name in enumerate(ratings.indicators(channel)):
        field_name = f"score_{index}"
        form.indicator_fields[name] = field_name
        form.fields[field_name] = forms.TypedChoiceField(
            label=name,
            choices=ratings.level_choices(),
            coerce=int,
            widget=forms.RadioSelect,
            error_messages={"required": f"请为“{name}”选择评价等级。"},
        )
    form.fields["tags"] = forms.MultipleChoiceField(
        label="差评标签（选择“不满意”或“非常不满意”时，请选择标签或填写理由）",
        choices=[(t, t) for t in ratings.bad_tags()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    form.fields["reason"] = forms.CharField(
        label="评价内容",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "评价内容不能超过 500 字。"},
    )


class RatingForm(forms.Form):
    """一事一评 of the applicant's own 办件 (reached by number and query code: already 实名)."""

    def __init__(self, *args: Any, channel: str = "online", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _rating_fields(self, channel)

    def rating_input(self):
        from .services.ratings import RatingInput

        data = self.cleaned_data
        return RatingInput(
            scores={name: data.get(field) for name, field in self.indicator_fields.items()},
            tags=data.get("tags") or [],
            reason=data.get("reason") or "",
        )


class GuideRatingForm(HumanCheckForm):
    """综合点评 on a guide page: anonymous, or 实名 with a name and a mobile number."""

    human_check_purpose = "govservice_rating"
    sms_phone_field = "rater_phone"

    rater_name = forms.CharField(label="姓名（实名评价填写）", max_length=50, required=False)
    rater_phone = forms.CharField(
        label="手机号码（实名评价填写；实名差评将有专人回访）", max_length=20, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _rating_fields(self, "guide")
        first = [n for n in self.fields if n.startswith("score_")]
        first += ["tags", "reason", "rater_name", "rater_phone"]
        rest = [n for n in self.fields if n not in first]
        self.order_fields(first + rest)

    def rating_input(self):
        from .services.ratings import RatingInput

        data = self.cleaned_data
        return RatingInput(
            scores={name: data.get(field) for name, field in self.indicator_fields.items()},
            tags=data.get("tags") or [],
            reason=data.get("reason") or "",
            rater_name=data.get("rater_name") or "",
            rater_phone=data.get("rater_phone") or "",
        )
