from django import forms
from wagtail.admin.forms import WagtailAdminPageForm


class ReviewedPageForm(WagtailAdminPageForm):
    """Page form with the 保密审查 override: used only when the scan flags the content on publishing."""

    confidentiality_override = forms.BooleanField(
        label="已核实保密审查提示的内容可以公开",
        required=False,
        help_text="仅在发布被保密审查拦截时使用；需要相应权限，确认记录将写入审计日志。",
    )
    confidentiality_reason = forms.CharField(
        label="确认理由", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=500
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("confidentiality_override")
            and not (cleaned.get("confidentiality_reason") or "").strip()
        ):
            self.add_error("confidentiality_reason", "勾选确认时必须填写理由。")
        return cleaned
