"""Admin forms of core: organizations, the organization import upload, and the staff (user) forms.

Forms collect and pre-check input so that mistakes are shown next to the field; the services
(:mod:`zhengwu.core.services.orgs`, :mod:`zhengwu.core.services.staff`) remain the authority and write. No form here
saves anything itself.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from wagtail.users.forms import UserCreationForm, UserEditForm

from .models import Organization, OrganizationKind, Staff
from .models.staff import duties_of_groups, separation_error
from .scoping import has_county_wide_access
from .selectors.orgs import organizations_for
from .services.orgs import EDITABLE_FIELDS, check_activation, validate_organization
from .services.staff import assignable_groups, can_manage_account

ORG_UPLOAD_MAX_BYTES = 5 * 1024 * 1024


def apply_errors(form: forms.Form, error: ValidationError | PermissionDenied) -> None:
    """Attach a service's error to the form: field errors next to their fields, anything else at the top."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or "您没有执行此操作的权限。")
        return
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            messages = [message for item in errors for message in item.messages]
            if name in form.fields and not form.fields[name].disabled:
                if name not in form.errors:
                    form.add_error(name, messages)
            else:
                form.add_error(None, messages)
    else:
        form.add_error(None, error.messages)


class OrganizationChoiceField(forms.ModelChoiceField):
    """Organizations shown as an indented tree."""

    def label_from_instance(self, obj: Organization) -> str:
        return f"{'　' * obj.depth}{obj.name}"


class OrganizationMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return f"{'　' * obj.depth}{obj.name}"


class OrganizationForm(forms.ModelForm):
    """Create or edit an organization; validated by ``services.orgs.validate_organization``."""

    parent = OrganizationChoiceField(
        queryset=Organization.objects.none(),
        required=False,
        label="上级机构",
        help_text="留空表示根机构（县人民政府），全县只能有一个根机构。",
    )

    class Meta:
        model = Organization
        fields = [
            "name",
            "short_name",
            "kind",
            "parent",
            "code",
            "credit_code",
            "division_code",
            "sort_order",
            "address",
            "phone",
        ]

    def __init__(self, *args: Any, actor: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.actor = actor
        parents = (
            organizations_for(actor, active_only=True) if actor is not None else Organization.objects.all()
        )
        if self.instance.pk:
            parents = parents.exclude(path__startswith=self.instance.path)
            if self.instance.parent_id and not parents.filter(pk=self.instance.parent_id).exists():
                # Keep the current parent selectable even when it is outside the editor's scope or inactive.
                parents = parents | Organization.objects.filter(pk=self.instance.parent_id)
        self.fields["parent"].queryset = parents.order_by("path")
        self.fields["kind"].choices = OrganizationKind.choices
        if actor is not None and not has_county_wide_access(actor):
            self.fields["parent"].required = True
            self.fields["parent"].help_text = "只能选择您机构范围内的机构。"
        for name in ("code", "credit_code"):
            self.fields[name].widget.attrs["style"] = "text-transform: uppercase"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        values = {name: cleaned[name] for name in EDITABLE_FIELDS if name in cleaned}
        instance = self.instance if self.instance.pk else None
        parent = cleaned.get("parent")
        parent_changed = instance is None or (parent.pk if parent else None) != instance.parent_id
        if instance is not None:
            values = {name: getattr(instance, name) for name in EDITABLE_FIELDS} | values
        try:
            normalized = validate_organization(
                values, parent=parent, instance=instance, parent_changed=parent_changed
            )
        except ValidationError as error:
            apply_errors(self, error)
        else:
            cleaned.update({name: normalized[name] for name in values if name in self.fields})
        return cleaned

    def _post_clean(self) -> None:
        # Model validation would repeat what clean() asked the service for; the instance is written by the
        # service, not by this form.
        pass

    def service_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data}


class OrganizationEditForm(OrganizationForm):
    class Meta(OrganizationForm.Meta):
        fields = [*OrganizationForm.Meta.fields, "is_active"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["is_active"].help_text = "停用前须先停用或移走下级机构、调整在岗人员。"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "is_active" in cleaned and cleaned["is_active"] != self.instance.is_active:
            try:
                check_activation(self.instance, cleaned["is_active"])
            except ValidationError as error:
                apply_errors(self, error)
        return cleaned


class OrganizationImportForm(forms.Form):
    file = forms.FileField(
        label="机构表",
        help_text="Excel（.xlsx）或 UTF-8 编码的 CSV 文件，第一行为列名："
        "name（名称）、kind（类型）、credit_code（统一社会信用代码）、division_code（行政区划代码）、"
        "parent（上级机构的统一社会信用代码，根机构留空），可选 code（编码）。",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > ORG_UPLOAD_MAX_BYTES:
            raise ValidationError(f"文件不能超过 {ORG_UPLOAD_MAX_BYTES // (1024 * 1024)} MB。")
        name = (upload.name or "").lower()
        if not (name.endswith(".xlsx") or name.endswith(".csv")):
            raise ValidationError("只支持 .xlsx 和 .csv 文件。")
        return upload


# --- staff ------------------------------------------------------------------------------------------------------


class RoleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Group) -> str:
        role = getattr(obj, "role", None)
        if role is not None and role.duty:
            return f"{obj.name}（三员）"
        return obj.name


ACCOUNT_FIELD_NAMES = ("username", "display_name", "organization", "phone", "email", "is_active")


class StaffFormMixin:
    """Chinese account fields, organization scope and 三员分立 on top of Wagtail's user forms.

    ``actor`` is the person using the form. What they may change decides which fields are editable: the system
    administrator and unit administrators edit account fields; the security administrator (and, for delegable
    roles, unit administrators) edit roles; only superusers see the superuser switch; nobody edits their own roles.
    """

    def setup_staff_fields(self, actor: Any, *, creating: bool, editing_self: bool = False) -> None:
        self.actor = actor
        self.editing_self = editing_self
        for name in ("first_name", "last_name"):
            self.fields.pop(name, None)
        self.fields["organization"] = OrganizationChoiceField(
            queryset=organizations_for(actor, active_only=True),
            required=False,
            label="所属机构",
            help_text="工作人员只能看到和办理本机构及下级机构的事项。",
        )
        self.fields["display_name"].required = True
        self.fields["phone"].help_text = "11 位手机号码，用于接收短信提醒。"
        self.fields["email"] = forms.EmailField(label="电子邮箱", required=False)
        if "groups" in self.fields:
            self.fields["groups"] = RoleChoiceField(
                queryset=Group.objects.none(),
                required=False,
                label="角色",
                widget=forms.CheckboxSelectMultiple,
                help_text="系统管理员、安全保密管理员、安全审计员（三员）不能由同一账号兼任。",
            )
        instance = self.instance
        if not creating and instance.organization_id:
            if not self.fields["organization"].queryset.filter(pk=instance.organization_id).exists():
                self.fields["organization"].queryset = self.fields[
                    "organization"
                ].queryset | Organization.objects.filter(pk=instance.organization_id)
        if creating:
            self.can_manage_account = bool(actor and actor.has_perm("core.add_staff"))
        else:
            self.can_manage_account = can_manage_account(actor, instance)
        if not self.can_manage_account:
            for name in ACCOUNT_FIELD_NAMES:
                if name in self.fields:
                    self.fields[name].disabled = True
            for name in ("password1", "password2"):
                self.fields.pop(name, None)
        if "is_superuser" in self.fields and not (actor and actor.is_superuser):
            del self.fields["is_superuser"]
        if "is_superuser" in self.fields:
            self.fields["is_superuser"].label = "超级管理员"
            self.fields[
                "is_superuser"
            ].help_text = "拥有全部权限，相当于同时担任三员，仅供安装和应急使用；不能再授予三员角色。"
        self.assignable = assignable_groups(actor)
        if editing_self or not self.assignable.exists():
            self.fields.pop("groups", None)
        else:
            self.fields["groups"].queryset = self.assignable
            if not creating:
                self.initial["groups"] = list(
                    instance.groups.filter(pk__in=self.assignable.values("pk")).values_list("pk", flat=True)
                )
        if "is_active" in self.fields:
            self.fields["is_active"].label = "启用"
            self.fields["is_active"].help_text = "停用的账号不能登录，其办理记录和审计记录保留。"
        self.fields["username"].label = "用户名"

    @property
    def roles_editable(self) -> bool:
        return "groups" in self.fields

    def final_groups(self) -> list[Group]:
        """The groups the account will hold: those chosen, plus those the actor may not touch."""
        chosen = list(self.cleaned_data.get("groups") or [])
        if self.instance.pk is None:
            return chosen
        untouchable = list(self.instance.groups.exclude(pk__in=self.assignable.values("pk")))
        return untouchable + chosen

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "is_superuser" in self.fields:
            is_superuser = bool(cleaned.get("is_superuser"))
        else:
            is_superuser = self.instance.is_superuser
        if self.can_manage_account and not cleaned.get("organization") and not is_superuser:
            if "organization" not in self.errors:
                self.add_error("organization", "请选择所属机构：工作人员必须属于一个机构。")
        if self.roles_editable:
            groups = self.final_groups()
        else:
            groups = list(self.instance.groups.all()) if self.instance.pk else []
        error = separation_error(
            duties=duties_of_groups([group.pk for group in groups]),
            is_superuser=bool(is_superuser),
            account=cleaned.get("username") or self.instance.get_username(),
        )
        if error:
            self.add_error("groups" if self.roles_editable else None, error.messages)
        return cleaned


class StaffCreationForm(StaffFormMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = Staff
        fields = ["username", "display_name", "organization", "phone", "email", "is_superuser", "groups"]
        widgets = {"groups": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, actor: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.setup_staff_fields(actor, creating=True)


class StaffEditForm(StaffFormMixin, UserEditForm):
    class Meta(UserEditForm.Meta):
        model = Staff
        fields = [
            "username",
            "display_name",
            "organization",
            "phone",
            "email",
            "is_active",
            "is_superuser",
            "groups",
        ]
        widgets = {"groups": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, actor: Any = None, **kwargs: Any):
        editing_self = kwargs.get("editing_self", False)
        super().__init__(*args, **kwargs)
        self.setup_staff_fields(actor, creating=False, editing_self=editing_self)


class ServiceFormMixin:
    """Create/edit views whose form is written by a service: service errors go back onto the form."""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["actor"] = self.request.user
        return kwargs

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except (ValidationError, PermissionDenied) as error:
            apply_errors(form, error)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (public forms' attachments); ``max_files`` caps their number."""

    def __init__(self, *args: Any, max_files: int | None = None, accept: Any = (), **kwargs: Any) -> None:
        self.max_files = max_files
        attrs = {"accept": ",".join(f".{kind}" for kind in accept)} if accept else {}
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        files = list(data) if isinstance(data, list | tuple) else ([data] if data else [])
        if self.max_files is not None and len(files) > self.max_files:
            raise ValidationError(f"{self.label or '附件'}最多 {self.max_files} 个。")
        if not files and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        single = super().clean
        return [single(item, initial) for item in files]
