"""Forms of the catalogue admin: they parse what staff type; every rule is checked by the services."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from zhengwu.core.models import Organization

from . import rules
from .models import ResourceClass, ShareType
from .services.resources import ItemData, ResourceData

ITEM_LINE = re.compile(r"^\s*(?P<name>[^，,：:\t]+?)\s*[，,：:\t]\s*(?P<type>\S+)\s*$")


def _choices(values: list[str]) -> list[tuple[str, str]]:
    return [("", "—")] + [(v, v) for v in values]


def apply_service_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class ResourceForm(forms.Form):
    classification = forms.ModelChoiceField(
        label="信息资源分类",
        queryset=ResourceClass.objects.filter(is_active=True, level__gte=2).order_by("code"),
    )
    name = forms.CharField(label="信息资源名称", max_length=200)
    provider = forms.ModelChoiceField(label="信息资源提供方", queryset=Organization.objects.none())
    summary = forms.CharField(label="信息资源摘要", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    resource_format = forms.ChoiceField(label="信息资源格式", required=False)
    items = forms.CharField(
        label="信息项信息",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="每行一个信息项：名称，数据类型（如“姓名，字符型”或“姓名，C”）。",
    )
    share_type = forms.ChoiceField(label="共享类型", choices=ShareType.choices)
    share_condition = forms.CharField(
        label="共享条件",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="有条件共享时必填。",
    )
    share_basis = forms.CharField(
        label="不予共享依据",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="不予共享时必填：所依据的法律、行政法规或党中央、国务院政策。",
    )
    share_method = forms.ChoiceField(label="共享方式", required=False)
    open_to_public = forms.BooleanField(label="向社会开放", required=False)
    open_condition = forms.CharField(label="开放条件", required=False, max_length=500)
    update_cycle = forms.ChoiceField(label="更新周期", required=False)
    published_on = forms.DateField(
        label="发布日期", required=False, help_text="不填则在目录发布时取发布当日。"
    )
    related_codes = forms.CharField(
        label="关联资源代码", required=False, help_text="多个代码用空格或分号分隔。"
    )
    extension = forms.CharField(
        label="扩展元数据",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="每行一项：名称：值。",
    )

    def __init__(self, *args: Any, providers=None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if providers is not None:
            self.fields["provider"].queryset = providers
        self.fields["resource_format"].choices = _choices(rules.formats())
        self.fields["share_method"].choices = _choices(rules.share_methods())
        self.fields["update_cycle"].choices = _choices(list(rules.update_cycles()))

    def clean_items(self) -> list[ItemData]:
        items = []
        for number, line in enumerate(self.cleaned_data["items"].splitlines(), start=1):
            if not line.strip():
                continue
            match = ITEM_LINE.match(line)
            if match is None:
                raise ValidationError(f"第 {number} 行“{line.strip()}”应写作“名称，数据类型”。")
            items.append(ItemData(match["name"], match["type"]))
        return items

    def clean_related_codes(self) -> list[str]:
        return [c for c in re.split(r"[；;，,、\s]+", self.cleaned_data["related_codes"]) if c]

    def clean_extension(self) -> dict[str, str]:
        result = {}
        for number, line in enumerate(self.cleaned_data["extension"].splitlines(), start=1):
            if not line.strip():
                continue
            key, sep, value = (
                re.split(r"([：:])", line, maxsplit=1) if re.search(r"[：:]", line) else (line, "", "")
            )
            if not sep or not key.strip():
                raise ValidationError(f"第 {number} 行“{line.strip()}”应写作“名称：值”。")
            result[key.strip()] = value.strip()
        return result

    def resource_data(self) -> ResourceData:
        data = dict(self.cleaned_data)
        return ResourceData(**data)

    @staticmethod
    def initial_for(resource) -> dict[str, Any]:
        return {
            "classification": resource.classification_id,
            "name": resource.name,
            "provider": resource.provider_id,
            "summary": resource.summary,
            "resource_format": resource.resource_format,
            "items": "\n".join(f"{i.name}，{i.data_type}" for i in resource.items.all()),
            "share_type": resource.share_type,
            "share_condition": resource.share_condition,
            "share_basis": resource.share_basis,
            "share_method": resource.share_method,
            "open_to_public": resource.open_to_public,
            "open_condition": resource.open_condition,
            "update_cycle": resource.update_cycle,
            "published_on": resource.published_on,
            "related_codes": " ".join(resource.related_codes or []),
            "extension": "\n".join(f"{k}：{v}" for k, v in (resource.extension or {}).items()),
        }
