"""工作人员 and 角色 in the Wagtail admin.

Wagtail's user and group views, customized the documented way (a ``WagtailUsersAppConfig`` subclass naming these
viewsets, see :mod:`zhengwu.core.users`):

- the user list, forms and bulk actions are scoped to the staff member's organization subtree;
- every write goes through :mod:`zhengwu.core.services.staff` (audited; 三员分立 enforced with a clear message);
- the fields a person may change follow their duty: account fields for the system administrator and unit
  administrators, roles for the security administrator (any role) and unit administrators (delegable roles);
- changes to a role's permissions in the group editor are audited, and roles defined in ``rules/roles.json``
  cannot be deleted.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.users.views import groups as group_views
from wagtail.users.views import users as user_views
from wagtail.users.views.bulk_actions import AssignRoleBulkAction, DeleteBulkAction, SetActiveStateBulkAction

from ..forms import OrganizationChoiceField, ServiceFormMixin, StaffCreationForm, StaffEditForm
from ..models import Role, Staff
from ..models.staff import duties_of_groups, separation_error
from ..scoping import OrgScopedPermissionPolicy, OrgScopedViewSetMixin, is_in_scope, scope_queryset
from ..selectors.orgs import organizations_for
from ..services.separation import guard_group_change, guard_group_edit
from ..services.staff import (
    assign_roles,
    assignable_groups,
    can_manage_account,
    create_staff,
    delete_staff,
    group_permission_snapshot,
    record_group_permission_change,
    set_staff_active,
    set_staff_password,
    update_staff,
)

ROLE_PERMISSIONS = ("core.assign_roles", "core.assign_unit_roles")


class StaffPermissionPolicy(OrgScopedPermissionPolicy):
    """Staff records: model permissions within the organization subtree; "change" (opening the edit form) is
    also granted to those who may only assign roles; superuser accounts are managed by superusers only."""

    def __init__(self, model):
        super().__init__(model, org_field="organization")

    def user_has_permission(self, user, action):
        if action == "change" and user.is_active and any(user.has_perm(p) for p in ROLE_PERMISSIONS):
            return True
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        if instance.is_superuser and not user.is_superuser:
            return False
        if action == "delete" and instance.pk == user.pk:
            return False
        return super().user_has_permission_for_instance(user, action, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        qs = super().instances_user_has_any_permission_for(user, actions)
        return qs if user.is_superuser else qs.filter(is_superuser=False)


class StaffFilterSet(user_views.UserFilterSet):
    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, is_searching=False):
        super().__init__(data, queryset, request=request, prefix=prefix, is_searching=is_searching)
        from django_filters import ModelChoiceFilter

        self.filters["organization"] = ModelChoiceFilter(
            field_name="organization",
            label="所属机构",
            queryset=organizations_for(request.user if request else None, active_only=False),
        )
        self.filters["organization"].field_class = OrganizationChoiceField
        self.filters["group"].label = "角色"


class StaffIndexView(user_views.IndexView):
    page_title = "工作人员"
    add_item_label = "新建账号"

    @cached_property
    def columns(self):
        columns = list(super().columns)
        columns.insert(
            3,
            Column(
                "organization",
                label="所属机构",
                accessor=lambda staff: staff.organization.name if staff.organization_id else "",
                width="20%",
            ),
        )
        columns.insert(
            4,
            Column(
                "roles",
                label="角色",
                accessor=lambda staff: "、".join(group.name for group in staff.groups.all()),
                width="20%",
            ),
        )
        return columns

    @cached_property
    def search_fields(self):
        return ["username", "display_name", "email", "phone"]

    def get_base_queryset(self):
        qs = super().get_base_queryset().select_related("organization").prefetch_related("groups")
        if not self.request.user.is_superuser:
            qs = qs.filter(is_superuser=False)
        return qs


class StaffCreateView(ServiceFormMixin, user_views.CreateView):
    page_title = "新建账号"
    success_message = "已新建账号“%(object)s”。"

    def save_instance(self):
        data = self.form.cleaned_data
        return create_staff(
            username=data["username"],
            organization=data.get("organization"),
            display_name=data.get("display_name", ""),
            password=data.get("password1") or None,
            phone=data.get("phone", ""),
            email=data.get("email", ""),
            is_superuser=bool(data.get("is_superuser")),
            roles=self.form.final_groups() if self.form.roles_editable else [],
            actor=self.request.user,
            request=self.request,
        )


class StaffEditView(ServiceFormMixin, user_views.EditView):
    success_message = "已保存账号“%(object)s”。"
    error_message = "账号未能保存，请检查标出的错误。"

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if obj.is_superuser and not self.request.user.is_superuser:
            raise Http404("只有超级管理员才能管理超级管理员账号。")
        return obj

    def save_instance(self):
        form = self.form
        data = form.cleaned_data
        actor = self.request.user
        staff = Staff.objects.get(pk=self.object.pk)

        def save_account():
            if not form.can_manage_account:
                return
            changes = {
                name: data[name]
                for name in ("username", "display_name", "organization", "phone", "email")
                if name in form.fields and not form.fields[name].disabled
            }
            if "is_superuser" in form.fields:
                changes["is_superuser"] = bool(data.get("is_superuser"))
            update_staff(staff=staff, actor=actor, request=self.request, **changes)
            if "is_active" in form.fields and not form.fields["is_active"].disabled:
                set_staff_active(staff=staff, is_active=data["is_active"], actor=actor, request=self.request)
            if data.get("password1"):
                set_staff_password(staff=staff, password=data["password1"], actor=actor, request=self.request)

        def save_roles():
            if form.roles_editable:
                assign_roles(staff=staff, roles=form.final_groups(), actor=actor, request=self.request)

        # Becoming a superuser: drop any 三员 role first; otherwise change the account first (a superuser losing
        # that status may then receive a 三员 role).
        if data.get("is_superuser") and not staff.is_superuser:
            save_roles()
            save_account()
        else:
            save_account()
            save_roles()
        staff.refresh_from_db()
        if staff.pk == actor.pk and data.get("password1"):
            update_session_auth_hash(self.request, staff)
        return staff


class StaffDeleteView(user_views.DeleteView):
    page_title = "删除账号"
    success_message = "已删除账号“%(object)s”。"

    def delete_action(self):
        delete_staff(staff=self.object, actor=self.request.user, request=self.request)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except (PermissionDenied, ValidationError) as error:
            messages.error(self.request, " ".join(getattr(error, "messages", [str(error)])))
            return redirect(self.get_success_url())


class StaffUserViewSet(OrgScopedViewSetMixin, user_views.UserViewSet):
    """Wagtail's user viewset for :class:`~zhengwu.core.models.Staff`."""

    scope_org_field = "organization"
    menu_label = "工作人员"
    template_prefix = "core/staff/"
    filterset_class = StaffFilterSet
    index_view_class = StaffIndexView
    add_view_class = StaffCreateView
    edit_view_class = StaffEditView
    delete_view_class = StaffDeleteView

    def get_form_class(self, for_update=False):
        return StaffEditForm if for_update else StaffCreationForm


# --- bulk actions: the same rules as the forms ----------------------------------------------------------------


class ScopedBulkActionMixin:
    def __init__(self, request, model):
        super().__init__(request, model)
        if not get_valid_next_url_from_request(request):
            # Without a "next" address, return to the user list rather than to this confirmation page.
            self.next_url = reverse("wagtailusers_users:index")

    def get_all_objects_in_listing_query(self, parent_id):
        pks = super().get_all_objects_in_listing_query(parent_id)
        allowed = scope_queryset(Staff.objects.all(), self.request.user, "organization")
        if not self.request.user.is_superuser:
            allowed = allowed.filter(is_superuser=False)
        return [pk for pk in pks if pk in set(allowed.values_list("pk", flat=True))]

    def form_valid(self, form):
        # Each account goes through a service; if one is refused, the whole action is rolled back and explained.
        try:
            return super().form_valid(form)
        except (PermissionDenied, ValidationError) as error:
            messages.error(
                self.request, " ".join(getattr(error, "messages", [str(error)])) + "（未做任何修改）"
            )
            return redirect(self.next_url)

    def in_scope(self, obj):
        user = self.request.user
        if obj.is_superuser and not user.is_superuser:
            return False
        return user.is_superuser or is_in_scope(obj, user, "organization")

    def get_execution_context(self):
        return {**super().get_execution_context(), "actor": self.request.user, "request": self.request}


class StaffRoleForm(forms.Form):
    role = forms.ModelChoiceField(queryset=Group.objects.none(), label="角色")


class StaffAssignRoleBulkAction(ScopedBulkActionMixin, AssignRoleBulkAction):
    display_name = "分配角色"
    aria_label = "为选中的账号分配角色"
    form_class = StaffRoleForm

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["role"].queryset = assignable_groups(self.request.user)
        return form

    def check_perm(self, obj):
        user = self.request.user
        return obj.pk != user.pk and self.in_scope(obj) and assignable_groups(user).exists()

    def prepare_action(self, objects, objects_without_access):
        role = self.cleaned_form.cleaned_data["role"]
        for staff in objects:
            held = set(staff.groups.values_list("pk", flat=True)) | {role.pk}
            error = separation_error(
                duties=duties_of_groups(held), is_superuser=staff.is_superuser, account=staff.get_username()
            )
            if error:
                messages.error(self.request, " ".join(error.messages) + "（未分配任何角色）")
                return redirect(self.next_url)
        return None

    @classmethod
    def execute_action(cls, objects, role=None, actor=None, request=None, **kwargs):
        if role is None:
            return 0, 0
        for staff in objects:
            assign_roles(staff=staff, roles=[*staff.groups.all(), role], actor=actor, request=request)
        return len(objects), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return f"已为 {num_parent_objects} 个账号分配角色“{self.cleaned_form.cleaned_data['role'].name}”。"


class StaffSetActiveStateBulkAction(ScopedBulkActionMixin, SetActiveStateBulkAction):
    display_name = "启用/停用"
    aria_label = "启用或停用选中的账号"

    def check_perm(self, obj):
        return can_manage_account(self.request.user, obj)

    @classmethod
    def execute_action(cls, objects, mark_as_active=False, actor=None, request=None, **kwargs):
        changed = 0
        for staff in objects:
            if actor is not None and staff.pk == actor.pk:
                continue
            if staff.is_active != mark_as_active:
                set_staff_active(staff=staff, is_active=mark_as_active, actor=actor, request=request)
                changed += 1
        return changed, 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        state = "启用" if self.cleaned_form.cleaned_data["mark_as_active"] else "停用"
        return f"已{state} {num_parent_objects} 个账号。"


class StaffDeleteBulkAction(ScopedBulkActionMixin, DeleteBulkAction):
    display_name = "删除"
    aria_label = "删除选中的账号"

    def check_perm(self, obj):
        user = self.request.user
        return user.has_perm("core.delete_staff") and obj.pk != user.pk and self.in_scope(obj)

    @classmethod
    def execute_action(cls, objects, actor=None, request=None, **kwargs):
        for staff in objects:
            delete_staff(staff=staff, actor=actor, request=request)
        return len(objects), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return f"已删除 {num_parent_objects} 个账号。"


# Registered after Wagtail's own user bulk actions (order 0) so that these replace them.
for _action in (StaffAssignRoleBulkAction, StaffSetActiveStateBulkAction, StaffDeleteBulkAction):
    hooks.register("register_bulk_action", _action, order=100)


# --- roles (groups) -------------------------------------------------------------------------------------------


class _RefusedGroupChange(Exception):
    def __init__(self, denial: PermissionDenied):
        self.denial = denial


class AuditedGroupFormMixin:
    """Role editing under 三员分立: a 三员 role or one's own role is not opened for editing; a saved change that adds
    a permission reserved to one 员 is rolled back and explained; every accepted change is audited."""

    audit_action = "core.role.update"

    def dispatch(self, request, *args, **kwargs):
        group = getattr(self, "object", None)
        if group is None and kwargs.get("pk") is not None:
            group = Group.objects.filter(pk=kwargs["pk"]).first()
        if group is not None and request.user.is_authenticated:
            try:
                guard_group_edit(actor=request.user, group=group)
            except PermissionDenied as denial:
                messages.error(request, str(denial))
                return redirect("wagtailusers_groups:index")
        return super().dispatch(request, *args, **kwargs)

    def process_form(self):
        before = group_permission_snapshot(self.object)
        try:
            with transaction.atomic():
                response = super().process_form()
                if getattr(response, "status_code", None) == 302 and self.object.pk:
                    try:
                        guard_group_change(
                            actor=self.request.user,
                            group=self.object,
                            before=before,
                            after=group_permission_snapshot(self.object),
                        )
                    except PermissionDenied as denial:
                        raise _RefusedGroupChange(denial) from None
                    record_group_permission_change(
                        group=self.object,
                        before=before,
                        actor=self.request.user,
                        request=self.request,
                        action=self.audit_action,
                    )
        except _RefusedGroupChange as refused:
            messages.error(self.request, str(refused.denial) + " 本次修改未保存。")
            return redirect("wagtailusers_groups:index")
        return response


class RoleGroupCreateView(AuditedGroupFormMixin, group_views.CreateView):
    audit_action = "core.role.create"


class RoleGroupEditView(AuditedGroupFormMixin, group_views.EditView):
    audit_action = "core.role.update"


class RoleGroupDeleteView(group_views.DeleteView):
    def dispatch(self, request, *args, **kwargs):
        if Role.objects.filter(group_id=self.object.pk).exists():
            messages.error(request, f"“{self.object.name}”是系统内置角色，不能删除；可以修改它的权限。")
            return redirect("wagtailusers_groups:index")
        return super().dispatch(request, *args, **kwargs)

    def delete_action(self):
        from ..services.audit import audit

        audit(
            actor=self.request.user,
            action="core.role.delete",
            target=self.object,
            request=self.request,
            detail={"group": self.object.name, **group_permission_snapshot(self.object)},
        )
        super().delete_action()


class RoleGroupIndexView(group_views.IndexView):
    @cached_property
    def columns(self):
        return [
            *super().columns,
            Column(
                "duty",
                label="三员职责",
                accessor=lambda g: g.role.get_duty_display() if hasattr(g, "role") else "",
            ),
            Column(
                "description",
                label="说明",
                accessor=lambda g: g.role.description if hasattr(g, "role") else "",
            ),
        ]

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("role")


class RoleGroupViewSet(group_views.GroupViewSet):
    index_view_class = RoleGroupIndexView
    add_view_class = RoleGroupCreateView
    edit_view_class = RoleGroupEditView
    delete_view_class = RoleGroupDeleteView
