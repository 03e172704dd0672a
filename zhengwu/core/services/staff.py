"""工作人员 and 角色 writes: accounts, role assignment under 三员分立, and loading roles from ``rules/roles.json``.

三员分立 (separation of duties): the 系统管理员 manages accounts and configuration, the 安全保密管理员 assigns roles
and permissions, the 安全审计员 reads the audit log; no account holds two of these. The rule is checked here (with
an explanation naming both duties), in the admin user forms, by a guard on the group membership table (see
:mod:`zhengwu.core.models.staff`) and by ``zhengwu check --deploy``.

Superusers hold every permission and therefore every duty. The superuser made at installation is for setting up
only: it creates the three administrator accounts and should then be deactivated. A superuser may not also be
given a 三员 role, and ``zhengwu check --deploy`` warns while active superusers exist in production.

Who may do what:
- accounts (create, edit, deactivate, reset passwords): ``core.add_staff`` / ``core.change_staff``, within the
  actor's organization subtree; only a superuser may create or edit a superuser;
- roles: ``core.assign_roles`` (安全保密管理员) for any role; ``core.assign_unit_roles`` (单位管理员) only for roles
  marked ``delegable`` and only within the actor's subtree; nobody changes their own roles.

``actor=None`` stands for the system itself (installation, demo data, the console).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError, QuerySet
from django.http import HttpRequest

from ..models import Organization, Role, SeparatedDuty, Staff
from ..models.staff import SeparationOfDutiesError, duties_by_staff, duties_of_groups, separation_error
from ..scoping import has_county_wide_access, is_in_scope
from .audit import audit
from .separation import guard_duty_account, guard_password_reset

ROLES_FILE = Path(__file__).resolve().parent.parent / "rules" / "roles.json"

ACCOUNT_FIELDS = ("username", "display_name", "organization", "phone", "email", "first_name", "last_name")

__all__ = [
    "SeparationOfDutiesError",
    "assign_roles",
    "assignable_groups",
    "check_separation",
    "create_staff",
    "delete_staff",
    "generate_password",
    "set_staff_active",
    "set_staff_password",
    "sync_roles",
    "update_staff",
]


# --- 三员分立 --------------------------------------------------------------------------------------------------


def check_separation(*, groups: Iterable[Group | int], is_superuser: bool = False, account: str = "") -> None:
    """Raise :class:`SeparationOfDutiesError` if an account holding ``groups`` would break 三员分立."""
    ids = [group if isinstance(group, int) else group.pk for group in groups]
    error = separation_error(duties=duties_of_groups(ids), is_superuser=is_superuser, account=account)
    if error:
        raise error


def _resolve_groups(roles: Iterable[Role | Group | str]) -> list[Group]:
    groups: list[Group] = []
    codes: list[str] = []
    for item in roles:
        if isinstance(item, Role):
            groups.append(item.group)
        elif isinstance(item, Group):
            groups.append(item)
        elif isinstance(item, str):
            codes.append(item)
        else:
            raise TypeError(f"roles must be Role, Group or role codes, not {type(item).__name__}")
    if codes:
        found = {
            role.code: role.group for role in Role.objects.filter(code__in=codes).select_related("group")
        }
        missing = [code for code in codes if code not in found]
        if missing:
            raise ValidationError(f"角色不存在：{'、'.join(missing)}。", code="unknown_role")
        groups.extend(found[code] for code in codes)
    unique: dict[int, Group] = {}
    for group in groups:
        unique[group.pk] = group
    return list(unique.values())


# --- who may do what ----------------------------------------------------------------------------------------------


def _is_system(actor: Any) -> bool:
    return actor is None


def _require(actor: Any, permission: str, message: str) -> None:
    if _is_system(actor):
        return
    if not actor.is_active or not actor.has_perm(permission):
        raise PermissionDenied(message)


def _require_staff_scope(actor: Any, staff: Staff) -> None:
    if _is_system(actor) or actor.is_superuser:
        return
    if staff.is_superuser:
        raise PermissionDenied("只有超级管理员才能管理超级管理员账号。")
    if not is_in_scope(staff, actor, org_field="organization"):
        raise PermissionDenied(f"账号“{staff.get_username()}”不在您的机构范围内。")
    if staff.pk and not has_county_wide_access(actor) and duties_by_staff([staff.pk]).get(staff.pk):
        # A unit administrator must not be able to take over a 三员 account (e.g. by resetting its password).
        raise PermissionDenied(
            f"账号“{staff.get_username()}”担任三员职责，只能由系统管理员或安全保密管理员管理。"
        )


def _require_org_scope(actor: Any, organization: Organization | None) -> None:
    if _is_system(actor) or has_county_wide_access(actor):
        return
    if organization is None or not is_in_scope(organization, actor, org_field=""):
        name = organization.name if organization else "（空）"
        raise PermissionDenied(f"机构“{name}”不在您的机构范围内。")


def can_assign_any_role(actor: Any) -> bool:
    return _is_system(actor) or (
        actor.is_active and (actor.is_superuser or actor.has_perm("core.assign_roles"))
    )


def assignable_groups(actor: Any) -> QuerySet[Group]:
    """The groups ``actor`` may give or take away (the choices of the roles field in the user forms)."""
    groups = Group.objects.select_related("role").order_by("role__sort_order", "name")
    if can_assign_any_role(actor):
        return groups
    if actor.is_active and actor.has_perm("core.assign_unit_roles"):
        return groups.filter(role__delegable=True)
    return groups.none()


def can_manage_account(actor: Any, staff: Staff) -> bool:
    try:
        _require(actor, "core.change_staff", "")
        _require_staff_scope(actor, staff)
    except PermissionDenied:
        return False
    return True


# --- accounts ---------------------------------------------------------------------------------------------------


# Letters and digits that cannot be mistaken for each other when read aloud or copied by hand (no 0/O, 1/l/I).
_PASSWORD_CLASSES = ("ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789", "@#%+=-_!?")


def generate_password(*, user: Staff | None = None, length: int = 16) -> str:
    """A random password meeting the installation's password rules (every character class present)."""
    alphabet = "".join(_PASSWORD_CLASSES)
    while True:
        chars = [secrets.choice(cls) for cls in _PASSWORD_CLASSES]
        chars += [secrets.choice(alphabet) for _ in range(max(length, 8) - len(chars))]
        secrets.SystemRandom().shuffle(chars)
        password = "".join(chars)
        try:
            validate_password(password, user=user)
        except ValidationError:
            continue
        return password


def _require_organization(organization: Organization | None, is_superuser: bool) -> None:
    if organization is None and not is_superuser:
        raise ValidationError({"organization": ["请选择所属机构：工作人员必须属于一个机构。"]})
    if organization is not None and not organization.is_active:
        raise ValidationError({"organization": [f"机构“{organization.name}”已停用。"]})


def _validate_account(staff: Staff) -> None:
    staff.full_clean(exclude=["password", "last_login", "date_joined", "groups", "user_permissions"])


@transaction.atomic
def create_staff(
    *,
    username: str,
    organization: Organization | None,
    display_name: str,
    actor: Any,
    password: str | None = None,
    phone: str = "",
    email: str = "",
    is_active: bool = True,
    is_superuser: bool = False,
    roles: Iterable[Role | Group | str] = (),
    request: HttpRequest | None = None,
) -> Staff:
    """Create an account. Without a password the account cannot log in until one is set."""
    _require(actor, "core.add_staff", "您没有新建账号的权限。")
    if is_superuser and not (_is_system(actor) or actor.is_superuser):
        raise PermissionDenied("只有超级管理员才能建立超级管理员账号。")
    _require_org_scope(actor, organization)
    _require_organization(organization, is_superuser)
    if not (display_name or "").strip():
        raise ValidationError({"display_name": ["请填写姓名。"]})
    staff = Staff(
        username=(username or "").strip(),
        organization=organization,
        display_name=display_name.strip(),
        phone=(phone or "").strip(),
        email=(email or "").strip(),
        is_active=is_active,
        is_superuser=is_superuser,
    )
    _validate_account(staff)
    if password:
        try:
            validate_password(password, user=staff)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from None
        staff.set_password(password)
    else:
        staff.set_unusable_password()
    groups = _resolve_groups(roles)
    if groups:
        _check_role_change(
            actor=actor, staff=staff, before=set(), after={g.pk for g in groups}, new_account=True
        )
        check_separation(groups=groups, is_superuser=is_superuser, account=staff.username)
    staff.save()
    if groups:
        staff.groups.set(groups)
    audit(
        actor=actor,
        action="core.staff.create",
        target=staff,
        organization=organization,
        request=request,
        detail={
            "username": staff.username,
            "organization": organization.pk if organization else None,
            "is_superuser": is_superuser,
            "roles": sorted(group.name for group in groups),
        },
    )
    return staff


@transaction.atomic
def update_staff(*, staff: Staff, actor: Any, request: HttpRequest | None = None, **changes: Any) -> Staff:
    """Change account fields (``username``, ``display_name``, ``organization``, ``phone``, ``email``,
    ``first_name``, ``last_name``; ``is_superuser`` by superusers only). Roles: :func:`assign_roles`; the active
    flag: :func:`set_staff_active`; passwords: :func:`set_staff_password`."""
    allowed = set(ACCOUNT_FIELDS) | {"is_superuser"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"update_staff() got unexpected fields: {', '.join(sorted(unknown))}")
    _require(actor, "core.change_staff", "您没有修改账号的权限。")
    current = Staff.objects.select_for_update().get(pk=staff.pk)
    _require_staff_scope(actor, current)
    guard_duty_account(actor=actor, staff=current, what="修改资料")
    if "is_superuser" in changes and bool(changes["is_superuser"]) != current.is_superuser:
        if not (_is_system(actor) or actor.is_superuser):
            raise PermissionDenied("只有超级管理员才能设置超级管理员。")
        if not _is_system(actor) and actor.pk == current.pk:
            raise PermissionDenied("不能修改自己的超级管理员身份。")
    if "organization" in changes and changes["organization"] != current.organization:
        _require_org_scope(actor, changes["organization"])
    diff: dict[str, list[Any]] = {}
    for name, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        old = getattr(current, name)
        if old != value:
            diff[name] = [
                old.pk if isinstance(old, Organization) else old,
                value.pk if isinstance(value, Organization) else value,
            ]
            setattr(current, name, value)
    if not diff:
        return current
    _require_organization(current.organization, current.is_superuser)
    if "display_name" in diff and not current.display_name:
        raise ValidationError({"display_name": ["请填写姓名。"]})
    _validate_account(current)
    if current.is_superuser:
        check_separation(
            groups=current.groups.values_list("pk", flat=True), is_superuser=True, account=current.username
        )
    current.save()
    audit(
        actor=actor,
        action="core.staff.update",
        target=current,
        organization=current.organization,
        request=request,
        detail=diff,
    )
    _copy(staff, current)
    return current


@transaction.atomic
def set_staff_password(
    *, staff: Staff, password: str, actor: Any, request: HttpRequest | None = None, reason: str = ""
) -> Staff:
    """Set a new password (validated by the password rules). Changing one's own password goes through the
    account page, not this service."""
    _require(actor, "core.change_staff", "您没有重置密码的权限。")
    current = Staff.objects.select_for_update().get(pk=staff.pk)
    _require_staff_scope(actor, current)
    guard_password_reset(actor=actor, staff=current)
    try:
        validate_password(password, user=current)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    current.set_password(password)
    current.save(update_fields=["password"])
    audit(
        actor=actor,
        action="core.staff.password",
        target=current,
        organization=current.organization,
        request=request,
        detail={
            "account": current.username,
            "by": actor.username if actor is not None else "系统",
            "reason": reason or "管理员在“工作人员”中重置密码",
        },
    )
    _copy(staff, current)
    return current


@transaction.atomic
def set_staff_active(
    *, staff: Staff, is_active: bool, actor: Any, request: HttpRequest | None = None
) -> Staff:
    """Enable or disable an account (disabled accounts cannot log in; their records and audit trail remain)."""
    _require(actor, "core.change_staff", "您没有启用或停用账号的权限。")
    current = Staff.objects.select_for_update().get(pk=staff.pk)
    _require_staff_scope(actor, current)
    guard_duty_account(actor=actor, staff=current, what="启用或停用")
    if current.is_active == bool(is_active):
        return current
    if not is_active and not _is_system(actor) and actor.pk == current.pk:
        raise PermissionDenied("不能停用自己的账号。")
    if is_active:
        _require_organization(current.organization, current.is_superuser)
    current.is_active = bool(is_active)
    current.save(update_fields=["is_active"])
    audit(
        actor=actor,
        action="core.staff.activate" if is_active else "core.staff.deactivate",
        target=current,
        organization=current.organization,
        request=request,
    )
    _copy(staff, current)
    return current


@transaction.atomic
def delete_staff(*, staff: Staff, actor: Any, request: HttpRequest | None = None) -> None:
    """Delete an account that has never been used for anything; otherwise deactivate it instead. Only holders
    of ``core.delete_staff`` (normally nobody but a superuser) may delete."""
    _require(actor, "core.delete_staff", "您没有删除账号的权限；不再使用的账号请停用。")
    current = Staff.objects.select_for_update().get(pk=staff.pk)
    _require_staff_scope(actor, current)
    guard_duty_account(actor=actor, staff=current, what="删除")
    if not _is_system(actor) and actor.pk == current.pk:
        raise PermissionDenied("不能删除自己的账号。")
    detail = {
        "username": current.username,
        "display_name": current.display_name,
        "roles": sorted(current.groups.values_list("name", flat=True)),
    }
    organization = current.organization
    audit(
        actor=actor,
        action="core.staff.delete",
        target=current,
        organization=organization,
        request=request,
        detail=detail,
    )
    try:
        with transaction.atomic():
            current.delete()
    except ProtectedError:
        raise ValidationError(
            "该账号已有办理记录，不能删除；不再使用的账号请停用。", code="protected"
        ) from None


def _copy(stale: Staff, fresh: Staff) -> None:
    if stale is fresh:
        return
    for name in (*ACCOUNT_FIELDS, "is_superuser", "is_active", "password"):
        if name == "organization":
            stale.organization_id = fresh.organization_id
            stale._state.fields_cache.pop("organization", None)
        else:
            setattr(stale, name, getattr(fresh, name))


# --- roles --------------------------------------------------------------------------------------------------------


def _check_role_change(
    *, actor: Any, staff: Staff, before: set[int], after: set[int], new_account: bool = False
) -> None:
    if _is_system(actor):
        return
    if not new_account and actor.pk == staff.pk:
        raise PermissionDenied("不能修改自己的角色，请由安全保密管理员办理。")
    changed = before ^ after
    if not changed:
        return
    if not new_account:
        guard_duty_account(actor=actor, staff=staff, what="调整角色")
    if can_assign_any_role(actor):
        if not new_account:
            _require_staff_scope(actor, staff)
        return
    if not (actor.is_active and actor.has_perm("core.assign_unit_roles")):
        raise PermissionDenied("您没有分配角色的权限（由安全保密管理员分配）。")
    if not new_account:
        _require_staff_scope(actor, staff)
    allowed = set(assignable_groups(actor).values_list("pk", flat=True))
    refused = changed - allowed
    if refused:
        names = "、".join(
            Group.objects.filter(pk__in=refused).order_by("name").values_list("name", flat=True)
        )
        raise PermissionDenied(f"单位管理员不能授予或取消“{names}”角色，请由安全保密管理员办理。")


@transaction.atomic
def assign_roles(
    *, staff: Staff, roles: Iterable[Role | Group | str], actor: Any, request: HttpRequest | None = None
) -> Staff:
    """Set the roles (groups) of an account to exactly ``roles``; audited with what was added and removed.

    Refuses (``SeparationOfDutiesError``, a ``ValidationError``) any combination holding two of the 三员 duties
    or a 三员 role on a superuser; refuses (``PermissionDenied``) changes the actor may not make.
    """
    current = Staff.objects.select_for_update().get(pk=staff.pk)
    groups = _resolve_groups(roles)
    before = set(current.groups.values_list("pk", flat=True))
    after = {group.pk for group in groups}
    _check_role_change(actor=actor, staff=current, before=before, after=after)
    if before == after:
        return current
    check_separation(groups=after, is_superuser=current.is_superuser, account=current.username)
    names = dict(Group.objects.filter(pk__in=before | after).values_list("pk", "name"))
    current.groups.set(groups)
    audit(
        actor=actor,
        action="core.staff.roles",
        target=current,
        organization=current.organization,
        request=request,
        detail={
            "added": sorted(names[pk] for pk in after - before),
            "removed": sorted(names[pk] for pk in before - after),
            "roles": sorted(names[pk] for pk in after),
        },
    )
    return current


# --- role definitions (rules/roles.json) ------------------------------------------------------------------------


@dataclass
class RoleSpec:
    code: str
    name: str
    duty: str = ""
    description: str = ""
    delegable: bool = False
    permissions: list[str] = field(default_factory=list)
    collection_permissions: list[str] = field(default_factory=list)
    sort_order: int = 0
    sources: list[str] = field(default_factory=list)


def _role_files() -> list[Path]:
    """core's roles.json first, then any other installed app's ``rules/roles.json`` (which may add permissions to
    a role of core or define its own roles)."""
    files = [ROLES_FILE]
    for config in apps.get_app_configs():
        if config.label == "core":
            continue
        candidate = Path(config.path) / "rules" / "roles.json"
        if candidate.is_file():
            files.append(candidate)
    return files


def load_role_specs(files: Iterable[Path] | None = None) -> list[RoleSpec]:
    specs: dict[str, RoleSpec] = {}
    for path in files if files is not None else _role_files():
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ImproperlyConfigured(f"无法读取角色定义文件 {path}：{error}") from error
        for order, item in enumerate(data.get("roles", []), start=1):
            code = item.get("code", "")
            if not code:
                raise ImproperlyConfigured(f"{path}：第 {order} 个角色缺少 code。")
            duty = item.get("duty", "")
            if duty and duty not in SeparatedDuty.values:
                raise ImproperlyConfigured(f"{path}：角色 {code} 的 duty“{duty}”无效。")
            spec = specs.get(code)
            if spec is None:
                if not item.get("name"):
                    raise ImproperlyConfigured(f"{path}：角色 {code} 缺少 name。")
                spec = specs[code] = RoleSpec(code=code, name=item["name"], sort_order=len(specs) + 1)
            elif item.get("duty") and spec.duty and item["duty"] != spec.duty:
                raise ImproperlyConfigured(f"{path}：不能更改角色 {code} 的三员职责。")
            for key in ("name", "duty", "description"):
                if item.get(key):
                    setattr(spec, key, item[key])
            if "delegable" in item:
                spec.delegable = bool(item["delegable"])
            spec.permissions += [p for p in item.get("permissions", []) if p not in spec.permissions]
            spec.collection_permissions += [
                p for p in item.get("collection_permissions", []) if p not in spec.collection_permissions
            ]
            spec.sources.append(str(path))
    duty_holders: dict[str, str] = {}
    for spec in specs.values():
        if spec.duty:
            if spec.duty in duty_holders:
                raise ImproperlyConfigured(
                    f"三员职责 {spec.duty} 被角色 {duty_holders[spec.duty]} 和 {spec.code} 重复使用。"
                )
            duty_holders[spec.duty] = spec.code
    return list(specs.values())


def _permissions(names: Iterable[str], role: str) -> list[Permission]:
    wanted = list(dict.fromkeys(names))
    pairs = []
    for name in wanted:
        app_label, _, codename = name.partition(".")
        if not codename:
            raise ImproperlyConfigured(f"角色 {role} 的权限“{name}”应写成 app_label.codename。")
        pairs.append((app_label, codename))
    found = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.filter(codename__in=[c for _, c in pairs]).select_related("content_type")
    }
    missing = [f"{a}.{c}" for a, c in pairs if (a, c) not in found]
    if missing:
        raise ImproperlyConfigured(
            f"角色 {role} 引用了不存在的权限：{'、'.join(missing)}（是否尚未执行数据库迁移？）"
        )
    return [found[pair] for pair in pairs]


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        parts = []
        if self.created:
            parts.append(f"新建 {len(self.created)} 个")
        if self.updated:
            parts.append(f"更新 {len(self.updated)} 个")
        if self.unchanged:
            parts.append(f"未变 {len(self.unchanged)} 个")
        return "角色：" + ("，".join(parts) or "无")


@transaction.atomic
def sync_roles(
    *, actor: Any = None, reset_permissions: bool = False, files: Iterable[Path] | None = None
) -> SyncReport:
    """Create or update the roles defined in the roles files; safe to run any number of times.

    A new role gets exactly the permissions listed. An existing role gets any listed permission it lacks; the
    permissions a security administrator added in the admin are kept unless ``reset_permissions`` is true. Code,
    name, 三员 duty and the delegable flag always follow the file.
    """
    from wagtail.models import Collection, GroupCollectionPermission

    specs = load_role_specs(files)
    report = SyncReport()
    changes: dict[str, dict[str, Any]] = {}
    root_collection = Collection.get_first_root_node()
    if root_collection is None:  # a database emptied after migrating (a flush): the tree needs its root again
        from ..setup_core import ROOT_COLLECTION_NAME

        root_collection = Collection.add_root(name=ROOT_COLLECTION_NAME)
    for spec in specs:
        permissions = _permissions(spec.permissions, spec.code)
        collection_permissions = _permissions(spec.collection_permissions, spec.code)
        role = Role.objects.select_related("group").filter(code=spec.code).first()
        created = role is None
        change: dict[str, Any] = {}
        if role is None:
            group = Group.objects.filter(name=spec.name).first()
            if group is not None and hasattr(group, "role"):
                raise ImproperlyConfigured(
                    f"组“{spec.name}”已属于角色 {group.role.code}，不能再用于角色 {spec.code}。"
                )
            if group is None:
                group = Group.objects.create(name=spec.name)
            role = Role(group=group, code=spec.code)
        group = role.group
        if group.name != spec.name:
            if Group.objects.filter(name=spec.name).exclude(pk=group.pk).exists():
                raise ImproperlyConfigured(f"已有名为“{spec.name}”的组，无法把角色 {spec.code} 改名。")
            change["name"] = [group.name, spec.name]
            group.name = spec.name
            group.save(update_fields=["name"])
        for attr in ("duty", "description", "delegable", "sort_order"):
            if getattr(role, attr) != getattr(spec, attr):
                if not created:
                    change[attr] = [getattr(role, attr), getattr(spec, attr)]
                setattr(role, attr, getattr(spec, attr))
        if created or change:
            role.save()

        held = set(group.permissions.values_list("pk", flat=True))
        wanted = {p.pk for p in permissions}
        added = wanted - held
        removed = held - wanted if (reset_permissions or created) else set()
        if added:
            group.permissions.add(*added)
        if removed:
            group.permissions.remove(*removed)
        if not created and (added or removed):
            change["permissions"] = {
                "added": sorted(_labels(added)),
                "removed": sorted(_labels(removed)),
            }

        held_c = set(
            GroupCollectionPermission.objects.filter(group=group, collection=root_collection).values_list(
                "permission_id", flat=True
            )
        )
        wanted_c = {p.pk for p in collection_permissions}
        for permission_id in wanted_c - held_c:
            GroupCollectionPermission.objects.create(
                group=group, collection=root_collection, permission_id=permission_id
            )
        removed_c = held_c - wanted_c if (reset_permissions or created) else set()
        if removed_c:
            GroupCollectionPermission.objects.filter(
                group=group, collection=root_collection, permission_id__in=removed_c
            ).delete()
        if not created and (wanted_c - held_c or removed_c):
            change["collection_permissions"] = {
                "added": sorted(_labels(wanted_c - held_c)),
                "removed": sorted(_labels(removed_c)),
            }

        if created:
            report.created.append(spec.code)
        elif change:
            report.updated.append(spec.code)
            changes[spec.code] = change
        else:
            report.unchanged.append(spec.code)
    if report.created or report.updated:
        audit(
            actor=actor,
            action="core.roles.sync",
            detail={"created": report.created, "updated": changes, "reset_permissions": reset_permissions},
        )
    return report


def _labels(permission_ids: Iterable[int]) -> list[str]:
    return [
        f"{app}.{codename}"
        for app, codename in Permission.objects.filter(pk__in=list(permission_ids)).values_list(
            "content_type__app_label", "codename"
        )
    ]


@transaction.atomic
def record_group_permission_change(
    *, group: Group, before: dict[str, list[str]], actor: Any, request: HttpRequest | None = None, action: str
) -> None:
    """Audit a change made to a role's permissions in the admin (model, page and collection permissions)."""
    after = group_permission_snapshot(group)
    detail: dict[str, Any] = {"group": group.name}
    changed = False
    for key in sorted(set(before) | set(after)):
        added = sorted(set(after.get(key, [])) - set(before.get(key, [])))
        removed = sorted(set(before.get(key, [])) - set(after.get(key, [])))
        if added or removed:
            detail[key] = {"added": added, "removed": removed}
            changed = True
    if changed or action != "core.role.update":
        audit(actor=actor, action=action, target=group, request=request, detail=detail)


def group_permission_snapshot(group: Group) -> dict[str, list[str]]:
    """The permissions of a group in comparable form: model permissions, page permissions, collection
    permissions."""
    if group.pk is None:
        return {"permissions": [], "page_permissions": [], "collection_permissions": []}
    from wagtail.models import GroupCollectionPermission, GroupPagePermission

    return {
        "permissions": sorted(
            f"{app}.{codename}"
            for app, codename in group.permissions.values_list("content_type__app_label", "codename")
        ),
        "page_permissions": sorted(
            f"{page_id}:{codename}"
            for page_id, codename in GroupPagePermission.objects.filter(group=group).values_list(
                "page_id", "permission__codename"
            )
        ),
        "collection_permissions": sorted(
            f"{collection_id}:{codename}"
            for collection_id, codename in GroupCollectionPermission.objects.filter(group=group).values_list(
                "collection_id", "permission__codename"
            )
        ),
    }
