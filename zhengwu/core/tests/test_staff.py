"""Staff and roles: roles loaded from rules/roles.json, 三员分立 in the services, the guard, the admin forms and bulk
actions, role assignment rights, and the deploy check."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import override_settings
from wagtail.models import Collection, GroupCollectionPermission

from zhengwu.core.models import AuditLog, Role, SeparatedDuty, Staff
from zhengwu.core.models.staff import SeparationOfDutiesError
from zhengwu.core.services.staff import (
    assign_roles,
    create_staff,
    set_staff_active,
    sync_roles,
    update_staff,
)
from zhengwu.core.users import check_separation_of_duties

from .org_fixtures import PASSWORD, build_county, make_account

pytestmark = pytest.mark.django_db

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def county():
    sync_roles()
    return build_county()


def login(client, user):
    client.force_login(user, backend=MODEL_BACKEND)
    return client


# --- roles from the data file -----------------------------------------------------------------------------------


def test_sync_roles_creates_the_roles_with_their_duties_and_permissions():
    report = sync_roles()
    assert len(report.created) >= 9
    roles = {role.code: role for role in Role.objects.select_related("group")}
    expected = {
        "system_admin": ("系统管理员", SeparatedDuty.SYSTEM_ADMIN),
        "security_admin": ("安全保密管理员", SeparatedDuty.SECURITY_ADMIN),
        "audit_admin": ("安全审计员", SeparatedDuty.AUDIT_ADMIN),
        "org_admin": ("单位管理员", ""),
        "editor": ("网站编辑", ""),
        "reviewer": ("审核员", ""),
        "liaison": ("部门联络员", ""),
        "hotline": ("12345话务员", ""),
        "leader": ("领导", ""),
    }
    for code, (name, duty) in expected.items():
        assert roles[code].group.name == name
        assert roles[code].duty == duty

    def perms(code):
        return {
            f"{p.content_type.app_label}.{p.codename}"
            for p in roles[code].group.permissions.select_related("content_type")
        }

    assert "core.view_auditlog" in perms("audit_admin")
    assert "core.view_auditlog" not in perms("system_admin") | perms("security_admin")
    assert {"core.add_staff", "core.change_staff", "core.add_organization"} <= perms("system_admin")
    assert "core.assign_roles" in perms("security_admin") and "core.assign_roles" not in perms("system_admin")
    assert all("wagtailadmin.access_admin" in perms(code) for code in expected)
    assert roles["editor"].delegable and not roles["system_admin"].delegable
    root = Collection.get_first_root_node()
    assert set(
        GroupCollectionPermission.objects.filter(group=roles["editor"].group, collection=root).values_list(
            "permission__codename", flat=True
        )
    ) == {"add_image", "choose_image", "add_document", "choose_document"}
    assert AuditLog.objects.filter(action="core.roles.sync").count() == 1


def test_sync_roles_is_idempotent_and_keeps_local_additions_unless_reset():
    sync_roles()
    editor = Role.objects.get(code="editor").group
    extra = Permission.objects.get(codename="view_organization")
    editor.permissions.add(extra)
    report = sync_roles()
    assert report.created == [] and report.updated == []
    assert AuditLog.objects.filter(action="core.roles.sync").count() == 1
    assert editor.permissions.filter(pk=extra.pk).exists()
    report = sync_roles(reset_permissions=True)
    assert report.updated == ["editor"]
    assert not editor.permissions.filter(pk=extra.pk).exists()
    row = AuditLog.objects.filter(action="core.roles.sync").latest("seq")
    assert row.detail["updated"]["editor"]["permissions"]["removed"] == ["core.view_organization"]


def test_other_apps_can_extend_roles(tmp_path):
    from zhengwu.core.services.staff import ROLES_FILE

    extension = tmp_path / "roles.json"
    extension.write_text(
        json.dumps(
            {
                "roles": [
                    {"code": "liaison", "permissions": ["core.view_staff"]},
                    {
                        "code": "disclosure_clerk",
                        "name": "公开办经办人",
                        "permissions": ["wagtailadmin.access_admin"],
                    },
                ]
            }
        ),
        encoding="utf-8",
    )
    sync_roles(files=[ROLES_FILE, extension])
    liaison = Role.objects.get(code="liaison").group
    assert liaison.permissions.filter(codename="view_staff").exists()
    assert liaison.permissions.filter(codename="view_organization").exists()
    assert Role.objects.get(code="disclosure_clerk").group.name == "公开办经办人"

    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({"roles": [{"code": "x", "name": "X", "permissions": ["core.fly"]}]}), encoding="utf-8"
    )
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match=r"不存在的权限：core\.fly"):
        sync_roles(files=[ROLES_FILE, bad])


# --- 三员分立 in the services and the guard ------------------------------------------------------------------------


def test_assign_roles_refuses_two_separated_duties_naming_both(county):
    staff = make_account("zhou", county.root, "system_admin")
    with pytest.raises(SeparationOfDutiesError) as excinfo:
        assign_roles(staff=staff, roles=["system_admin", "audit_admin"], actor=None)
    assert "系统管理员与安全审计员不能由账号“zhou”兼任" in excinfo.value.messages[0]
    with pytest.raises(ValidationError, match="系统管理员与安全保密管理员"):
        assign_roles(staff=staff, roles=["security_admin", "system_admin", "editor"], actor=None)
    assert set(staff.groups.values_list("role__code", flat=True)) == {"system_admin"}
    # A 三员 role plus business roles is fine.
    assign_roles(staff=staff, roles=["system_admin", "editor"], actor=None)
    row = AuditLog.objects.filter(action="core.staff.roles").latest("seq")
    assert row.detail == {"added": ["网站编辑"], "removed": [], "roles": ["系统管理员", "网站编辑"]}
    assign_roles(staff=staff, roles=["editor"], actor=None)
    row = AuditLog.objects.filter(action="core.staff.roles").latest("seq")
    assert row.detail["removed"] == ["系统管理员"]


def test_superusers_cannot_hold_separated_duties(county):
    root_user = make_account("installer", None, superuser=True)
    with pytest.raises(SeparationOfDutiesError, match="超级管理员已拥有全部权限"):
        assign_roles(staff=root_user, roles=["audit_admin"], actor=None)
    auditor = make_account("auditor", county.root, "audit_admin")
    with pytest.raises(SeparationOfDutiesError, match="超级管理员"):
        update_staff(staff=auditor, is_superuser=True, actor=None)
    auditor.refresh_from_db()
    assert not auditor.is_superuser


def test_the_guard_refuses_every_other_path(county):
    staff = make_account("wu", county.root, "security_admin")
    system_group = Role.objects.get(code="system_admin").group
    # Each attempt runs in its own savepoint, as a request or a command would run in its own transaction.
    with pytest.raises(SeparationOfDutiesError), transaction.atomic():
        staff.groups.add(system_group)
    with pytest.raises(SeparationOfDutiesError), transaction.atomic():
        system_group.user_set.add(staff)
    with pytest.raises(SeparationOfDutiesError), transaction.atomic():
        staff.groups.set([Role.objects.get(code="security_admin").group, system_group])
    staff.is_superuser = True
    with pytest.raises(SeparationOfDutiesError), transaction.atomic():
        staff.save()
    staff.is_superuser = False
    # Changing the duty of a role that has members would also create a double holder.
    editor = Role.objects.get(code="editor")
    assign_roles(staff=staff, roles=["security_admin", "editor"], actor=None)
    editor.duty = SeparatedDuty.AUDIT_ADMIN
    with pytest.raises(SeparationOfDutiesError), transaction.atomic():
        editor.save()
    assert set(Staff.objects.get(pk=staff.pk).groups.values_list("role__code", flat=True)) == {
        "security_admin",
        "editor",
    }


def test_role_assignment_rights(county):
    security = make_account("secadmin", county.root, "security_admin")
    town_admin = make_account("town_admin", county.town, "org_admin")
    sysadmin = make_account("sysadmin", county.root, "system_admin")
    clerk = make_account("clerk", county.village_office)
    outsider = make_account("outsider", county.fgw)

    assign_roles(staff=clerk, roles=["editor", "liaison"], actor=town_admin)  # delegable, in scope
    with pytest.raises(PermissionDenied, match="单位管理员不能授予或取消“领导”角色"):
        assign_roles(staff=clerk, roles=["editor", "leader"], actor=town_admin)
    with pytest.raises(PermissionDenied, match="不在您的机构范围内"):
        assign_roles(staff=outsider, roles=["editor"], actor=town_admin)
    with pytest.raises(PermissionDenied, match="没有分配角色的权限"):
        assign_roles(staff=clerk, roles=["editor"], actor=sysadmin)
    with pytest.raises(PermissionDenied, match="不能修改自己的角色"):
        assign_roles(staff=security, roles=["security_admin", "editor"], actor=security)
    assign_roles(staff=clerk, roles=["editor", "liaison", "leader"], actor=security)
    # The unit admin may still take away a delegable role, leaving the leader role alone.
    assign_roles(staff=clerk, roles=["liaison", "leader"], actor=town_admin)
    assert set(clerk.groups.values_list("role__code", flat=True)) == {"liaison", "leader"}
    assert AuditLog.objects.filter(action="core.staff.roles", actor=town_admin).count() == 2


def test_account_services_check_scope_and_audit(county):
    town_admin = make_account("town_admin", county.town, "org_admin")
    created = create_staff(
        username="newclerk",
        organization=county.village_office,
        display_name="新人",
        password=PASSWORD,
        phone="13912345678",
        actor=town_admin,
    )
    assert created.check_password(PASSWORD)
    assert AuditLog.objects.get(action="core.staff.create", target_id=str(created.pk)).actor == town_admin
    with pytest.raises(PermissionDenied, match="不在您的机构范围内"):
        create_staff(username="x", organization=county.fgw, display_name="越权", actor=town_admin)
    with pytest.raises(ValidationError, match="工作人员必须属于一个机构"):
        create_staff(username="x", organization=None, display_name="无机构", actor=None)
    with pytest.raises(ValidationError) as excinfo:
        create_staff(
            username="y", organization=county.town, display_name="弱密码", password="123456", actor=None
        )
    assert "password" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        update_staff(staff=created, phone="12345", actor=town_admin)
    assert "手机号码" in excinfo.value.message_dict["phone"][0]
    update_staff(staff=created, display_name="新人甲", actor=town_admin)
    assert AuditLog.objects.filter(action="core.staff.update").latest("seq").detail == {
        "display_name": ["新人", "新人甲"]
    }
    with pytest.raises(PermissionDenied, match="不能停用自己的账号"):
        set_staff_active(staff=town_admin, is_active=False, actor=town_admin)
    set_staff_active(staff=created, is_active=False, actor=town_admin)
    assert AuditLog.objects.filter(action="core.staff.deactivate").exists()
    installer = make_account("installer", None, superuser=True)
    with pytest.raises(PermissionDenied, match="只有超级管理员"):
        update_staff(
            staff=installer, display_name="改", actor=make_account("sysadmin", county.root, "system_admin")
        )


def test_unit_admins_cannot_take_over_separated_duty_accounts(county):
    town_admin = make_account("town_admin", county.town, "org_admin")
    auditor = make_account("auditor", county.village_office, "audit_admin")
    from zhengwu.core.services.staff import set_staff_password

    with pytest.raises(PermissionDenied, match="担任三员职责，只能由系统管理员或安全保密管理员管理"):
        set_staff_password(staff=auditor, password="Another#Passw0rd", actor=town_admin)
    with pytest.raises(PermissionDenied, match="担任安全审计员"):
        assign_roles(staff=auditor, roles=["audit_admin", "editor"], actor=town_admin)
    # Nor the system administrator: a 三员 password is reset by its holder or by break_glass on the server.
    sysadmin = make_account("sysadmin", county.root, "system_admin")
    with pytest.raises(PermissionDenied, match="break_glass"):
        set_staff_password(staff=auditor, password="Another#Passw0rd", actor=sysadmin)
    auditor.refresh_from_db()
    assert auditor.check_password(PASSWORD)
    assert not AuditLog.objects.filter(action="core.staff.password", actor=sysadmin).exists()


def test_delete_is_for_superusers_and_refused_for_accounts_with_records(client, county):
    from zhengwu.core.services.staff import delete_staff

    sysadmin = make_account("sysadmin", county.root, "system_admin")
    spare = make_account("spare", county.fgw)
    with pytest.raises(PermissionDenied, match="不再使用的账号请停用"):
        delete_staff(staff=spare, actor=sysadmin)
    installer = make_account("installer", None, superuser=True)
    login(client, installer)
    response = client.post(f"/admin/users/delete/{spare.pk}/", follow=True)
    assert response.status_code == 200
    assert not Staff.objects.filter(pk=spare.pk).exists()
    row = AuditLog.objects.get(action="core.staff.delete")
    assert row.actor == installer and row.detail["username"] == "spare"
    # An account that approved a clock extension keeps its record: deleting it is refused.
    from django.utils import timezone

    from zhengwu.core.models import CaseClock, ClockExtension

    clock = CaseClock.objects.create(started_at=timezone.now(), limit_value=20, limit_unit="workdays")
    ClockExtension.objects.create(
        clock=clock, value=5, reason="复杂", granted_at=timezone.now(), approver=sysadmin
    )
    response = client.post(f"/admin/users/delete/{sysadmin.pk}/", follow=True)
    assert "该账号已有办理记录，不能删除" in response.content.decode()
    assert Staff.objects.filter(pk=sysadmin.pk).exists()


# --- the admin forms ---------------------------------------------------------------------------------------------


def edit_data(staff, **overrides):
    data = {
        "username": staff.username,
        "display_name": staff.display_name,
        "organization": staff.organization_id or "",
        "phone": staff.phone,
        "email": staff.email,
        "is_active": "on",
        "password1": "",
        "password2": "",
    }
    data.update(overrides)
    return data


def test_security_admin_form_refuses_two_duties_and_cannot_touch_account_fields(client, county):
    security = make_account("secadmin", county.root, "security_admin")
    target = make_account("target", county.fgw, "editor")
    login(client, security)
    url = f"/admin/users/edit/{target.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "账号资料由系统管理员或单位管理员维护" in html
    assert 'name="password1"' not in html
    groups = {role.code: role.group.pk for role in Role.objects.all()}
    response = client.post(
        url, edit_data(target, username="renamed", groups=[groups["system_admin"], groups["audit_admin"]])
    )
    assert response.status_code == 200
    assert "系统管理员与安全审计员不能由账号“target”兼任" in response.content.decode()
    target.refresh_from_db()
    assert set(target.groups.values_list("role__code", flat=True)) == {"editor"}

    response = client.post(url, edit_data(target, username="renamed", groups=[groups["audit_admin"]]))
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.username == "target"  # disabled field: the posted value is ignored
    assert set(target.groups.values_list("role__code", flat=True)) == {"audit_admin"}
    row = AuditLog.objects.filter(action="core.staff.roles").latest("seq")
    assert (
        row.actor == security
        and row.detail["added"] == ["安全审计员"]
        and row.detail["removed"] == ["网站编辑"]
    )


def test_system_admin_creates_accounts_but_cannot_assign_roles(client, county):
    sysadmin = make_account("sysadmin", county.root, "system_admin")
    login(client, sysadmin)
    response = client.get("/admin/users/new/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="groups"' not in html and 'name="is_superuser"' not in html
    assert "您没有分配角色的权限" in html
    data = {
        "username": "wangbian",
        "display_name": "王编",
        "organization": county.fgw.pk,
        "phone": "13912345678",
        "email": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "groups": [Role.objects.get(code="audit_admin").group.pk],
    }
    response = client.post("/admin/users/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    staff = Staff.objects.get(username="wangbian")
    assert (
        staff.organization == county.fgw and staff.display_name == "王编" and staff.check_password(PASSWORD)
    )
    assert not staff.groups.exists()  # the posted role was not offered, so it is ignored
    assert AuditLog.objects.get(action="core.staff.create", target_id=str(staff.pk)).actor == sysadmin

    data.update(username="noorg", organization="")
    response = client.post("/admin/users/new/", data)
    assert "工作人员必须属于一个机构" in response.content.decode()


def test_superuser_form_enforces_superuser_rule_and_lists_roles(client, county):
    installer = make_account("installer", None, superuser=True)
    login(client, installer)
    groups = {role.code: role.group.pk for role in Role.objects.all()}
    data = {
        "username": "auditor1",
        "display_name": "郑审计",
        "organization": county.root.pk,
        "phone": "",
        "email": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "is_superuser": "on",
        "groups": [groups["audit_admin"]],
    }
    response = client.post("/admin/users/new/", data)
    assert "超级管理员已拥有全部权限" in response.content.decode()
    data.pop("is_superuser")
    data["groups"] = [groups["audit_admin"], groups["security_admin"]]
    response = client.post("/admin/users/new/", data)
    assert "安全保密管理员与安全审计员不能由账号“auditor1”兼任" in response.content.decode()
    assert not Staff.objects.filter(username="auditor1").exists()
    data["groups"] = [groups["audit_admin"]]
    assert client.post("/admin/users/new/", data).status_code == 302
    auditor = Staff.objects.get(username="auditor1")
    assert set(auditor.groups.values_list("role__code", flat=True)) == {"audit_admin"}
    response = client.get("/admin/users/")
    html = response.content.decode()
    assert "郑审计" in html and "安全审计员" in html and "示范县人民政府" in html


def test_unit_admin_form_offers_only_delegable_roles_in_its_subtree(client, county):
    town_admin = make_account("town_admin", county.town, "org_admin")
    clerk = make_account("clerk", county.village_office, "leader")
    login(client, town_admin)
    response = client.get(f"/admin/users/edit/{clerk.pk}/")
    html = response.content.decode()
    groups = {role.code: role.group.pk for role in Role.objects.all()}
    assert f'value="{groups["editor"]}"' in html
    assert f'value="{groups["system_admin"]}"' not in html
    assert f'<option value="{county.fgw.pk}"' not in html  # organizations outside the town are not offered
    response = client.post(f"/admin/users/edit/{clerk.pk}/", edit_data(clerk, groups=[groups["editor"]]))
    assert response.status_code == 302
    assert set(clerk.groups.values_list("role__code", flat=True)) == {"leader", "editor"}
    own = client.get(f"/admin/users/edit/{town_admin.pk}/").content.decode()
    assert "不能修改自己的角色" in own


def test_bulk_assign_role_respects_separation(client, county):
    security = make_account("secadmin", county.root, "security_admin")
    a = make_account("a", county.fgw, "system_admin")
    b = make_account("b", county.fgw)
    login(client, security)
    audit_group = Role.objects.get(code="audit_admin").group
    url = f"/admin/bulk/core/staff/assign_role/?id={a.pk}&id={b.pk}"
    response = client.post(url, {"role": audit_group.pk}, follow=True)
    assert "系统管理员与安全审计员不能由账号“a”兼任" in response.content.decode()
    assert not b.groups.exists()
    editor_group = Role.objects.get(code="editor").group
    # The roles of a 三员 account are not the security administrator's to change: only b's.
    response = client.post(
        f"/admin/bulk/core/staff/assign_role/?id={b.pk}", {"role": editor_group.pk}, follow=True
    )
    assert "已为 1 个账号分配角色“网站编辑”" in response.content.decode()
    assert b.groups.filter(pk=editor_group.pk).exists()
    assert AuditLog.objects.filter(action="core.staff.roles", actor=security).count() == 1
    with pytest.raises(PermissionDenied, match="担任系统管理员"):
        assign_roles(staff=a, roles=["system_admin", "editor"], actor=security)


def test_builtin_roles_cannot_be_deleted_and_permission_edits_are_audited(client, county):
    installer = make_account("installer", None, superuser=True)
    login(client, installer)
    editor = Role.objects.get(code="editor").group
    response = client.post(f"/admin/groups/delete/{editor.pk}/", follow=True)
    assert "是系统内置角色，不能删除" in response.content.decode()
    assert Group.objects.filter(pk=editor.pk).exists()

    page = client.get(f"/admin/groups/edit/{editor.pk}/")
    assert page.status_code == 200
    data = form_data(page.content.decode(), "w-editor-form")
    permission = Permission.objects.get(codename="view_organization")
    data.setdefault("permissions", []).append(str(permission.pk))
    response = client.post(f"/admin/groups/edit/{editor.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    row = AuditLog.objects.filter(action="core.role.update").latest("seq")
    assert row.detail["permissions"]["added"] == ["core.view_organization"]


def form_data(html: str, form_id: str) -> dict[str, list[str]]:
    """The values a browser would submit for the form as rendered (hidden inputs, text, checked boxes, selects)."""
    from selectolax.parser import HTMLParser

    form = HTMLParser(html).css_first(f"form#{form_id}")
    data: dict[str, list[str]] = {}
    for node in form.css("input, select, textarea"):
        name = node.attributes.get("name")
        if not name or "disabled" in node.attributes:
            continue
        if node.tag == "select":
            values = [
                o.attributes.get("value", o.text()) for o in node.css("option") if "selected" in o.attributes
            ]
        elif node.tag == "textarea":
            values = [node.text()]
        elif node.attributes.get("type") in ("checkbox", "radio"):
            values = [node.attributes.get("value", "on")] if "checked" in node.attributes else []
        elif node.attributes.get("type") in ("submit", "button", "file"):
            continue
        else:
            values = [node.attributes.get("value") or ""]
        data.setdefault(name, []).extend(values)
    return data


# --- the deploy check --------------------------------------------------------------------------------------------


@override_settings(DEBUG=False)
def test_deploy_check_warns_about_superusers_and_reports_violations(county):
    assert check_separation_of_duties() == []
    make_account("installer", None, superuser=True)
    messages = check_separation_of_duties()
    assert [m.id for m in messages] == ["zhengwu.W201"]
    assert "installer" in messages[0].msg

    # A violation can only come from editing the database directly (bulk_create sends no signals).
    staff = make_account("double", county.root, "system_admin")
    Staff.groups.through.objects.bulk_create(
        [Staff.groups.through(staff_id=staff.pk, group_id=Role.objects.get(code="audit_admin").group_id)]
    )
    messages = check_separation_of_duties()
    errors = [m for m in messages if m.id == "zhengwu.E201"]
    assert len(errors) == 1
    assert "账号“double”同时担任系统管理员与安全审计员" in errors[0].msg
