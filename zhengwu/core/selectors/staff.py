"""工作人员 and 角色 reads: role listings, 三员 holders, and accounts that break 三员分立."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from ..models import Role, Staff
from ..models.staff import duties_by_staff, duty_labels
from ..scoping import scope_queryset


def staff_for(user: Any, *, active_only: bool = False) -> QuerySet[Staff]:
    """The accounts ``user`` may see (their organization subtree; all for county-wide roles)."""
    qs = Staff.objects.select_related("organization")
    if active_only:
        qs = qs.filter(is_active=True)
    return scope_queryset(qs, user, org_field="organization")


def roles_of(staff: Staff) -> list[Role]:
    return list(Role.objects.filter(group__user=staff).select_related("group").order_by("sort_order"))


def duty_holders() -> dict[str, list[Staff]]:
    """Active accounts holding each 三员 duty."""
    result: dict[str, list[Staff]] = {}
    for role in Role.objects.exclude(duty="").select_related("group"):
        result[role.duty] = list(Staff.objects.filter(groups=role.group, is_active=True).order_by("username"))
    return result


@dataclass(frozen=True)
class SeparationProblem:
    staff: Staff
    duties: tuple[str, ...]

    @property
    def message(self) -> str:
        labels = "与".join(duty_labels(self.duties))
        if self.staff.is_superuser:
            return f"超级管理员账号“{self.staff.get_username()}”同时担任{labels}。"
        return f"账号“{self.staff.get_username()}”同时担任{labels}，违反三员分立。"


def separation_problems() -> list[SeparationProblem]:
    """Accounts that hold two 三员 duties, or a 三员 duty while being superusers (possible only through direct
    database edits: every write path refuses them)."""
    held = duties_by_staff(Staff.objects.values_list("pk", flat=True))
    suspects = [pk for pk, duties in held.items() if duties]
    problems = []
    for staff in Staff.objects.filter(pk__in=suspects).order_by("username"):
        duties = held[staff.pk]
        if len(duties) > 1 or staff.is_superuser:
            problems.append(SeparationProblem(staff, tuple(sorted(duties))))
    return problems


def active_superusers() -> QuerySet[Staff]:
    return Staff.objects.filter(is_superuser=True, is_active=True).order_by("username")
