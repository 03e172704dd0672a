"""三员分立 held against its own administrators: every pair of the three roles tries to edit its own role, another's
role, reset another's password and edit another's account, through the admin as a person would and through the
services; reserved permissions cannot be handed to ordinary roles; 三员 passwords are reset only by the holder or by
the audited break-glass command; logins, logouts, failures, publication and unpublication leave audit rows."""

from __future__ import annotations

import io
import itertools

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from zhengwu.core.models import AuditLog, Role, Staff
from zhengwu.core.services.staff import (
    assign_roles,
    set_staff_active,
    set_staff_password,
    sync_roles,
    update_staff,
)

from .org_fixtures import PASSWORD, build_county, make_account
from .test_staff import edit_data, form_data

pytestmark = pytest.mark.django_db

DUTIES = ["system_admin", "security_admin", "audit_admin"]
NEW_PASSWORD = "Baisha#2027river"


@pytest.fixture
def county():
    sync_roles()
    return build_county()


@pytest.fixture
def three(county):
    """Two accounts per duty, so that 'another' includes a colleague of the same duty."""
    return {
        duty: (make_account(f"{duty}_a", county.root, duty), make_account(f"{duty}_b", county.root, duty))
        for duty in DUTIES
    }


def admin_login(client, user) -> None:
    response = client.post("/admin/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


def group_of(duty: str):
    return Role.objects.get(code=duty).group


def permission_ids(group) -> set[int]:
    return set(group.permissions.values_list("pk", flat=True))


def try_edit_group(client, group, add: str) -> None:
    """Open the role editor and, if it opens, tick one more permission and save."""
    url = f"/admin/groups/edit/{group.pk}/"
    page = client.get(url)
    if page.status_code != 200:
        return
    data = form_data(page.content.decode(), "w-editor-form")
    app_label, codename = add.split(".")
    permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
    data.setdefault("permissions", []).append(str(permission.pk))
    client.post(url, data)


@pytest.mark.parametrize(("actor_duty", "target_duty"), list(itertools.product(DUTIES, DUTIES)))
def test_no_administrator_can_reach_another_duty(client, three, actor_duty, target_duty):
    actor, colleague = three[actor_duty]
    target = three[target_duty][1] if target_duty != actor_duty else colleague
    admin_login(client, actor)

    # Edit own role: the audit log and a root publish permission, the escalation the audit found.
    own = group_of(actor_duty)
    before = permission_ids(own)
    try_edit_group(client, own, "core.view_auditlog")
    try_edit_group(client, own, "wagtailcore.publish_page")
    assert permission_ids(own) == before, f"{actor_duty} 修改了自己的角色"

    # Edit another's role.
    other_group = group_of(target_duty)
    before = permission_ids(other_group)
    try_edit_group(
        client, other_group, "core.assign_roles" if target_duty != "security_admin" else "core.add_staff"
    )
    assert permission_ids(other_group) == before, f"{actor_duty} 修改了{target_duty}的角色"

    # Reset another's password, through the user editor and through the service.
    url = f"/admin/users/edit/{target.pk}/"
    client.post(url, edit_data(target, password1=NEW_PASSWORD, password2=NEW_PASSWORD))
    target.refresh_from_db()
    assert target.check_password(PASSWORD), f"{actor_duty} 重置了{target_duty}的密码"
    with pytest.raises(PermissionDenied):
        set_staff_password(staff=target, password=NEW_PASSWORD, actor=actor)

    # Edit another's account: details (a phone number would redirect an SMS reset), active flag, roles.
    client.post(url, edit_data(target, display_name="改名", phone="13900009999", groups=[]))
    target.refresh_from_db()
    assert target.display_name != "改名" and target.phone != "13900009999"
    assert set(target.groups.values_list("role__code", flat=True)) == {target_duty}
    with pytest.raises(PermissionDenied):
        update_staff(staff=target, actor=actor, phone="13900009999")
    with pytest.raises(PermissionDenied):
        set_staff_active(staff=target, is_active=False, actor=actor)
    with pytest.raises(PermissionDenied):
        assign_roles(staff=target, roles=[], actor=actor)
    with pytest.raises(PermissionDenied):
        assign_roles(staff=actor, roles=[actor_duty, "editor"], actor=actor)
    target.refresh_from_db()
    assert target.is_active and target.check_password(PASSWORD)


def test_the_security_admin_cannot_hand_reserved_permissions_to_ordinary_roles(client, three):
    security = three["security_admin"][0]
    admin_login(client, security)
    editor = group_of("editor")
    before = permission_ids(editor)
    try_edit_group(client, editor, "core.view_auditlog")
    assert permission_ids(editor) == before
    refusal = client.get("/admin/groups/", follow=True).content.decode()
    assert "安全审计员" in refusal
    # An ordinary permission is its job: accepted and audited.
    try_edit_group(client, editor, "core.view_organization")
    assert "view_organization" in set(editor.permissions.values_list("codename", flat=True))
    row = AuditLog.objects.filter(action="core.role.update").latest("seq")
    assert row.actor == security and row.detail["permissions"]["added"] == ["core.view_organization"]


def test_the_three_roles_are_fixed_even_for_a_superuser(client, three):
    installer = make_account("installer", None, superuser=True)
    admin_login(client, installer)
    audit_group = group_of("audit_admin")
    before = permission_ids(audit_group)
    response = client.get(f"/admin/groups/edit/{audit_group.pk}/", follow=True)
    assert "三员角色，其权限是固定的" in response.content.decode()
    try_edit_group(client, audit_group, "core.change_staff")
    assert permission_ids(audit_group) == before
    # sync_roles restores the data file's permissions if the database was changed behind the admin's back.
    audit_group.permissions.add(Permission.objects.get(codename="change_staff"))
    sync_roles(reset_permissions=True)
    assert permission_ids(audit_group) == before


def test_a_superuser_may_set_up_three_accounts_but_not_reset_their_passwords(three):
    installer = make_account("installer", None, superuser=True)
    auditor = three["audit_admin"][0]
    update_staff(staff=auditor, actor=installer, phone="13900001234")
    with pytest.raises(PermissionDenied, match="break_glass"):
        set_staff_password(staff=auditor, password=NEW_PASSWORD, actor=installer)
    # An ordinary account's reset by the system administrator is its job, audited with who and whom.
    sysadmin = three["system_admin"][0]
    editor = make_account("plain_editor", sysadmin.organization, "editor")
    set_staff_password(staff=editor, password=NEW_PASSWORD, actor=sysadmin)
    row = AuditLog.objects.filter(action="core.staff.password").latest("seq")
    assert (
        row.detail["account"] == "plain_editor"
        and row.detail["by"] == sysadmin.username
        and row.detail["reason"]
    )


def test_break_glass_resets_a_three_account_and_says_who_whom_and_why(three):
    auditor = three["audit_admin"][0]
    out = io.StringIO()
    call_command(
        "break_glass",
        auditor.username,
        "--generate",
        "--reason",
        "审计员离职交接，原密码遗失",
        "--operator",
        "县电子政务办 王工",
        stdout=out,
    )
    text = out.getvalue()
    assert "已重置账号“audit_admin_a”（安全审计员）的密码" in text
    password = text.rsplit("：", 1)[1].strip()
    auditor.refresh_from_db()
    assert auditor.check_password(password) and not auditor.check_password(PASSWORD)
    row = AuditLog.objects.filter(action="core.staff.break_glass").latest("seq")
    assert row.actor is None
    assert row.detail["account"] == "audit_admin_a" and row.detail["duty"] == "安全审计员"
    assert (
        row.detail["operator"] == "县电子政务办 王工" and row.detail["reason"] == "审计员离职交接，原密码遗失"
    )
    assert row.detail["server_account"] and row.detail["host"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody", "--generate", "--reason", "忘记密码了", "--operator", "王工"], "账号“nobody”不存在"),
        (["audit_admin_a", "--generate", "--reason", "忘", "--operator", "王工"], "请写明重置原因"),
        (["audit_admin_a", "--generate", "--reason", "忘记密码了", "--operator", " "], "写明操作人姓名"),
    ],
)
def test_break_glass_refuses_bad_input_in_chinese(three, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("break_glass", *args)
    assert not AuditLog.objects.filter(action="core.staff.break_glass").exists()


def test_break_glass_refuses_a_weak_password(three, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("123456\n"))
    with pytest.raises(CommandError, match="密码不符合要求"):
        call_command(
            "break_glass", "audit_admin_a", "--password-stdin", "--reason", "忘记密码了", "--operator", "王工"
        )
    assert Staff.objects.get(username="audit_admin_a").check_password(PASSWORD)


def test_logins_logouts_and_failures_are_audited(client, three):
    auditor = three["audit_admin"][0]
    client.post("/admin/login/", {"username": auditor.username, "password": "wrong-Passw0rd"})
    failed = AuditLog.objects.filter(action="core.auth.login_failed").latest("seq")
    assert failed.detail == {"account": auditor.username} and failed.ip_address
    assert "wrong-Passw0rd" not in str(failed.detail)
    admin_login(client, auditor)
    login = AuditLog.objects.filter(action="core.auth.login").latest("seq")
    assert login.actor == auditor and login.ip_address
    client.post("/admin/logout/")
    assert AuditLog.objects.filter(action="core.auth.logout", actor=auditor).exists()


def test_publication_and_unpublication_are_audited_with_who_published(three):
    from wagtail.models import Page

    editor = make_account("page_publisher", None, superuser=True)
    page = Page.get_first_root_node().add_child(
        instance=Page(title="审计测试页面", slug="audit-test", live=False)
    )
    page.save_revision(user=editor).publish(user=editor)
    published = AuditLog.objects.filter(action="core.page.publish").latest("seq")
    assert published.actor == editor and published.target_id == str(page.pk)
    assert published.detail["title"] == "审计测试页面"
    page.refresh_from_db()
    page.unpublish(user=editor)
    unpublished = AuditLog.objects.filter(action="core.page.unpublish").latest("seq")
    assert unpublished.actor == editor and unpublished.target_id == str(page.pk)
