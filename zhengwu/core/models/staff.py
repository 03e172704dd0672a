from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractUser, Group
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import m2m_changed, pre_save
from django.dispatch import receiver

from ..validators import validate_mobile_phone


class SeparatedDuty(models.TextChoices):
    """三员: no account may hold two of these."""

    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全保密管理员"
    AUDIT_ADMIN = "audit_admin", "安全审计员"


class Staff(AbstractUser):
    """工作人员: an account that belongs to an organization."""

    organization = models.ForeignKey(
        "core.Organization",
        verbose_name="所属机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    phone = models.CharField("手机号码", max_length=20, blank=True, validators=[validate_mobile_phone])
    display_name = models.CharField("姓名", max_length=40, blank=True)

    class Meta:
        verbose_name = "工作人员"
        verbose_name_plural = "工作人员"
        permissions = [
            ("assign_roles", "分配角色（安全保密管理员）"),
            ("assign_unit_roles", "在本单位范围内分配业务角色"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    def get_full_name(self) -> str:
        # Chinese names: family name first, no space.
        return self.display_name or f"{self.last_name}{self.first_name}".strip()

    def get_short_name(self) -> str:
        return self.get_full_name() or self.username


class Role(models.Model):
    """A role is a Django group with a stable code and, for the 三员, the separated duty it carries.

    Roles are defined in ``core/rules/roles.json`` and loaded by ``services.staff.sync_roles``.
    """

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="role")
    code = models.SlugField("角色编码", max_length=40, unique=True)
    duty = models.CharField("三员职责", max_length=20, choices=SeparatedDuty.choices, blank=True)
    description = models.CharField("说明", max_length=300, blank=True)
    delegable = models.BooleanField(
        "单位管理员可分配", default=False, help_text="单位管理员可在本单位范围内把此角色分配给工作人员。"
    )
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "角色"
        verbose_name_plural = "角色"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.group.name


# ---------------------------------------------------------------------------------------------------------------
# 三员分立 as an integrity rule. The services and the admin forms check it first and explain; the receivers below
# are the last line, like a database constraint Django cannot express: whatever path adds a group to an account
# (a bulk action, the shell, a third-party admin), an account never ends up holding two separated duties.


class SeparationOfDutiesError(ValidationError):
    """Raised when an account would hold two of the 三员 duties, or a superuser a 三员 role."""


_DUTY_ORDER = {duty.value: index for index, duty in enumerate(SeparatedDuty)}


def duty_labels(duties: Iterable[str]) -> list[str]:
    return [SeparatedDuty(duty).label for duty in sorted(set(duties), key=_DUTY_ORDER.__getitem__)]


def separation_error(
    *, duties: Iterable[str], is_superuser: bool, account: str = ""
) -> SeparationOfDutiesError | None:
    """The error for an account that would hold ``duties`` (and be a superuser or not), or ``None``."""
    duties = set(duties)
    who = f"账号“{account}”" if account else "同一账号"
    if len(duties) > 1:
        return SeparationOfDutiesError(
            f"三员分立：{'与'.join(duty_labels(duties))}不能由{who}兼任，请为每个职责分别设立账号。",
            code="separated_duties",
        )
    if is_superuser and duties:
        return SeparationOfDutiesError(
            f"三员分立：超级管理员已拥有全部权限，不能再担任“{duty_labels(duties)[0]}”；"
            "三员应使用各自的普通账号，超级管理员账号仅供安装时使用。",
            code="superuser_duty",
        )
    return None


def duties_of_groups(group_ids: Iterable[int]) -> set[str]:
    return set(
        Role.objects.filter(group_id__in=list(group_ids)).exclude(duty="").values_list("duty", flat=True)
    )


def duties_by_staff(staff_ids: Iterable[int]) -> dict[int, set[str]]:
    result: dict[int, set[str]] = {}
    rows = Staff.groups.through.objects.filter(
        staff_id__in=list(staff_ids), group__role__duty__gt=""
    ).values_list("staff_id", "group__role__duty")
    for staff_id, duty in rows:
        result.setdefault(staff_id, set()).add(duty)
    return result


@receiver(m2m_changed, sender=Staff.groups.through, dispatch_uid="core.staff.guard_separated_duties")
def _guard_group_membership(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    if action != "pre_add" or not pk_set:
        return
    if not reverse:
        # staff.groups.add(...): the groups being added plus those the account already has.
        held = set(instance.groups.values_list("pk", flat=True))
        error = separation_error(
            duties=duties_of_groups(held | set(pk_set)),
            is_superuser=instance.is_superuser,
            account=instance.get_username(),
        )
        if error:
            raise error
        return
    # group.user_set.add(...): one group added to several accounts.
    added = duties_of_groups([instance.pk])
    if not added:
        return
    held = duties_by_staff(pk_set)
    for account in Staff.objects.filter(pk__in=pk_set).only("pk", "username", "is_superuser"):
        error = separation_error(
            duties=held.get(account.pk, set()) | added,
            is_superuser=account.is_superuser,
            account=account.get_username(),
        )
        if error:
            raise error


@receiver(pre_save, sender=Staff, dispatch_uid="core.staff.guard_superuser_duty")
def _guard_superuser(sender, instance, update_fields=None, **kwargs) -> None:
    if not instance.is_superuser or instance.pk is None:
        return
    if update_fields is not None and "is_superuser" not in update_fields:
        return
    error = separation_error(
        duties=duties_by_staff([instance.pk]).get(instance.pk, set()),
        is_superuser=True,
        account=instance.get_username(),
    )
    if error:
        raise error


@receiver(pre_save, sender=Role, dispatch_uid="core.role.guard_duty_change")
def _guard_role_duty(sender, instance, **kwargs) -> None:
    if not instance.duty or instance.pk is None or not instance.group_id:
        return
    if Role.objects.filter(pk=instance.pk, duty=instance.duty).exists():
        return
    # The role's duty changes: each member's duties from their other roles, plus the new one.
    members = Staff.objects.filter(groups=instance.group_id).only("pk", "username", "is_superuser")
    other: dict[int, set[str]] = {}
    rows = (
        Staff.groups.through.objects.filter(staff__groups=instance.group_id, group__role__duty__gt="")
        .exclude(group_id=instance.group_id)
        .values_list("staff_id", "group__role__duty")
    )
    for staff_id, duty in rows:
        other.setdefault(staff_id, set()).add(duty)
    for account in members:
        error = separation_error(
            duties=other.get(account.pk, set()) | {instance.duty},
            is_superuser=account.is_superuser,
            account=account.get_username(),
        )
        if error:
            raise error
