"""公文设置 in the staff admin: each organization's 机关代字 and 办文机构, and the seal registry (印章登记).

The seal's picture is uploaded as a PNG and checked by content; the private key never comes here (the signer holds
it). Every change is audited."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from zhengwu.core.admin.columns import yes_no_column
from zhengwu.core.services.audit import audit

from .models import IssuerProfile, Seal
from .services.document import CODE_RE


class IssuerProfileForm(WagtailAdminModelForm):
    class Meta:
        model = IssuerProfile
        fields = ["organization", "document_code", "mark_name", "incoming_code", "office"]

    def clean_document_code(self):
        code = self.cleaned_data["document_code"].strip()
        if not CODE_RE.match(code):
            raise ValidationError("机关代字只能由汉字或字母组成，如“示府办发”。")
        return code

    def clean(self):
        data = super().clean()
        if data.get("office") and data.get("office") == data.get("organization"):
            self.add_error("office", "办文机构不能是本机关自己；由本机关自己办理时请留空。")
        return data


class SealForm(WagtailAdminModelForm):
    picture = forms.FileField(
        label="印模图像（PNG）", required=False, help_text="透明背景的红色印模 PNG；新增印章时必须上传。"
    )

    class Meta:
        model = Seal
        fields = [
            "organization",
            "name",
            "es_id",
            "width_mm",
            "height_mm",
            "holder",
            "valid_from",
            "valid_to",
            "is_active",
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", "有效期至不能早于启用日期。")
        holder, organization = data.get("holder"), data.get("organization")
        if holder and organization and holder.organization_id not in (organization.pk, None):
            from .services.workflow import office_of

            if holder.organization_id != office_of(organization).pk:
                self.add_error("holder", "保管人应为本机关或其办文机构的工作人员。")
        picture = data.get("picture")
        if picture:
            from zhengwu.core.services.uploads import check_upload

            try:
                check_upload(picture, allowed=("png",), max_bytes=2 * 1024 * 1024)
            except ValidationError as error:
                self.add_error("picture", error)
            else:
                picture.seek(0)
                self.instance.image = picture.read()
        elif not self.instance.pk:
            self.add_error("picture", "请上传印模图像。")
        return data


def _audited(action: str, created: bool):
    base = CreateView if created else EditView

    class View(base):
        def save_instance(self):
            with transaction.atomic():
                instance = super().save_instance()
                audit(
                    actor=self.request.user,
                    action=action,
                    target=instance,
                    organization=instance.organization,
                    detail={"created": created, "name": str(instance)},
                )
            return instance

    return View


class IssuerProfileViewSet(ModelViewSet):
    model = IssuerProfile

    def get_form_class(self, for_update=False):
        return IssuerProfileForm

    icon = "cog"
    menu_label = "发文机关设置"
    url_prefix = "oa/profiles"
    name = "oa_profiles"
    add_view_class = _audited("oa.profile.save", True)
    edit_view_class = _audited("oa.profile.save", False)
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = ["organization", "document_code", "incoming_code", "office"]
    search_fields = ["document_code", "organization__name"]


class SealViewSet(ModelViewSet):
    model = Seal

    def get_form_class(self, for_update=False):
        return SealForm

    icon = "success"
    menu_label = "电子印章登记"
    url_prefix = "oa/seals"
    name = "oa_seals"
    add_view_class = _audited("oa.seal.save", True)
    edit_view_class = _audited("oa.seal.save", False)
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = [
        "name",
        "organization",
        "es_id",
        "holder",
        "valid_from",
        "valid_to",
        yes_no_column(Seal, "is_active"),
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "es_id"]


class OaSettingsGroup(ViewSetGroup):
    menu_label = "公文设置"
    menu_icon = "doc-full"
    menu_order = 472
    items = (IssuerProfileViewSet, SealViewSet)
