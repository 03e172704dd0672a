"""A small county built through the services, shared by the organization, staff and scoping tests."""

from __future__ import annotations

from dataclasses import dataclass

from zhengwu.core.models import Organization, OrganizationKind, Role, Staff
from zhengwu.core.services.orgs import create_organization
from zhengwu.core.services.staff import assign_roles, create_staff, sync_roles
from zhengwu.core.validators import make_credit_code

PASSWORD = "Qingshan#2026road"
COUNTY_DIVISION = "990101"


def credit(serial: int, kind: str = "11") -> str:
    return make_credit_code(f"{kind}{COUNTY_DIVISION}{serial:09d}")


@dataclass
class County:
    root: Organization
    fgw: Organization  # a department
    fgw_office: Organization  # a section under the department
    town: Organization  # a township
    village_office: Organization  # an institution under the township
    other_town: Organization


def build_county() -> County:
    root = create_organization(
        name="示范县人民政府",
        kind=OrganizationKind.GOVERNMENT,
        code="SFX",
        credit_code=credit(1),
        division_code=COUNTY_DIVISION,
        actor=None,
    )
    fgw = create_organization(
        name="示范县发展和改革委员会",
        kind=OrganizationKind.DEPARTMENT,
        code="FGW",
        credit_code=credit(2),
        division_code=COUNTY_DIVISION,
        parent=root,
        actor=None,
    )
    fgw_office = create_organization(
        name="示范县价格认证中心",
        kind=OrganizationKind.INSTITUTION,
        code="JGRZ",
        credit_code=credit(3, "12"),
        parent=fgw,
        actor=None,
    )
    town = create_organization(
        name="青山镇",
        kind=OrganizationKind.TOWNSHIP,
        code="QSZ",
        credit_code=credit(100),
        division_code=f"{COUNTY_DIVISION}100000",
        parent=root,
        actor=None,
    )
    village_office = create_organization(
        name="青山镇便民服务中心",
        kind=OrganizationKind.INSTITUTION,
        code="QSBM",
        credit_code=credit(101, "12"),
        parent=town,
        actor=None,
    )
    other_town = create_organization(
        name="白沙镇",
        kind=OrganizationKind.TOWNSHIP,
        code="BSZ",
        credit_code=credit(102),
        division_code=f"{COUNTY_DIVISION}101000",
        parent=root,
        actor=None,
    )
    return County(root, fgw, fgw_office, town, village_office, other_town)


def make_account(
    username: str, organization: Organization | None, *roles: str, superuser: bool = False
) -> Staff:
    """An account with a password and the given role codes (roles are synced on first use)."""
    if not Role.objects.exists():
        sync_roles()
    staff = create_staff(
        username=username,
        organization=organization,
        display_name=f"{username}姓名",
        password=PASSWORD,
        is_superuser=superuser,
        actor=None,
    )
    if roles:
        assign_roles(staff=staff, roles=list(roles), actor=None)
    return staff
