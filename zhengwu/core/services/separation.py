"""三员分立 as rules the code enforces, not defaults an administrator can edit.

- The permissions of the three roles (系统管理员, 安全保密管理员, 安全审计员) are fixed data (``rules/roles.json``,
  loaded by ``sync_roles``): nobody changes them in the admin, not even a superuser.
- Nobody edits the permissions of a role they hold themselves.
- A permission that belongs to one 员 only (one that no ordinary role carries, e.g. reading the audit log, assigning
  roles, editing roles) is never added to any other role through the admin.
- The accounts of the three are managed by nobody else in the admin but a superuser (the installation account, to be
  deactivated afterwards): another 员 can neither edit them, nor stop them, nor change their roles.
- A 三员 account's password is changed by its holder, or by the break-glass command on the server
  (``zhengwu break_glass``), audited with who, whom and why; never by another account in the admin.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.core.exceptions import PermissionDenied

from ..models import Role, SeparatedDuty, Staff
from ..models.staff import duties_by_staff


def duty_of(staff: Any) -> str:
    """The 三员 duty ``staff`` holds, or ``""``."""
    if staff is None or not getattr(staff, "pk", None):
        return ""
    return next(iter(duties_by_staff([staff.pk]).get(staff.pk, set())), "")


def duty_label(duty: str) -> str:
    return SeparatedDuty(duty).label if duty else ""


@lru_cache(maxsize=1)
def reserved_permissions() -> dict[str, str]:
    """``app_label.codename`` → the duty it belongs to, for permissions only one 员's role carries."""
    from .staff import load_role_specs

    specs = load_role_specs()
    ordinary = {name for spec in specs if not spec.duty for name in spec.permissions}
    holders: dict[str, set[str]] = {}
    for spec in specs:
        if spec.duty:
            for name in spec.permissions:
                holders.setdefault(name, set()).add(spec.duty)
    return {
        name: next(iter(duties))
        for name, duties in holders.items()
        if len(duties) == 1 and name not in ordinary
    }


def guard_group_edit(*, actor: Any, group: Any) -> None:
    """Refuse opening a role's permissions for editing: a 三员 role, or a role the actor holds."""
    if actor is None:
        return
    role = Role.objects.filter(group_id=group.pk).first() if group.pk else None
    if role is not None and role.duty:
        raise PermissionDenied(
            f"三员分立：“{group.name}”是三员角色，其权限是固定的（由角色定义文件规定），不能在后台修改。"
        )
    if group.pk and actor.groups.filter(pk=group.pk).exists():
        raise PermissionDenied(f"三员分立：您担任“{group.name}”角色，不能修改自己所在角色的权限。")


def guard_group_change(
    *, actor: Any, group: Any, before: dict[str, list[str]], after: dict[str, list[str]]
) -> None:
    """Refuse a saved change to a role's permissions that adds a permission reserved to one 员."""
    if actor is None:
        return
    guard_group_edit(actor=actor, group=group)
    added = set(after.get("permissions", [])) - set(before.get("permissions", []))
    reserved = reserved_permissions()
    taken = sorted(name for name in added if name in reserved)
    if taken:
        labels = "、".join(f"{name}（{duty_label(reserved[name])}）" for name in taken)
        raise PermissionDenied(f"三员分立：以下权限只属于相应的三员角色，不能授予“{group.name}”：{labels}。")


def guard_duty_account(*, actor: Any, staff: Staff, what: str) -> None:
    """Refuse managing a 三员 account (``what``: 修改资料, 启用或停用, 删除, 调整角色) by anyone but a superuser or
    the system itself; the holder's own account page is a separate path."""
    if actor is None or getattr(actor, "is_superuser", False):
        return
    duty = duty_of(staff)
    if not duty or actor.pk == staff.pk:
        return
    raise PermissionDenied(
        f"三员分立：账号“{staff.get_username()}”担任{duty_label(duty)}，不能由其他账号{what}"
        "（安装时由超级管理员设置，此后由本人维护；应急时在服务器上运行 zhengwu break_glass）。"
    )


def guard_password_reset(*, actor: Any, staff: Staff) -> None:
    """Refuse setting the password of a 三员 account from another account, superusers included."""
    if actor is None:
        return
    duty = duty_of(staff)
    if duty and actor.pk != staff.pk:
        raise PermissionDenied(
            f"三员分立：账号“{staff.get_username()}”担任{duty_label(duty)}，其密码不能由其他账号重置；"
            "请本人修改，或由服务器管理员运行 zhengwu break_glass 命令（记录操作人和原因）。"
        )
