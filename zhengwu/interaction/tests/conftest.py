"""Fixtures of the hotline tests: the official calendar, the rule tables, a county with units that are not the
demo's, and staff holding the real roles (operator, supervisor, unit handlers of two units)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from zhengwu.core.validators import make_credit_code

BJ = ZoneInfo("Asia/Shanghai")


def bj(year, month, day, hour=10, minute=0, second=0, micro=0):
    return dt.datetime(year, month, day, hour, minute, second, micro, tzinfo=BJ)


@pytest.fixture(scope="module", autouse=True)
def _hotline_calendar(official_calendar):
    """Every hotline test runs on the official schedule."""


@pytest.fixture(autouse=True)
def hotline_rules(db):
    from zhengwu.interaction.services.rules import load_categories, load_hotline_limits

    load_hotline_limits()
    load_categories()


@pytest.fixture
def county(make_org):
    from zhengwu.core.models import OrganizationKind

    root = make_org(
        "青川县人民政府",
        kind=OrganizationKind.GOVERNMENT,
        code="QCX",
        credit_code=make_credit_code("11510822000000001"),
    )
    center = make_org(
        "青川县12345热线中心",
        parent=root,
        code="QC12345",
        kind=OrganizationKind.INSTITUTION,
        credit_code=make_credit_code("12510822000000002"),
    )
    cgj = make_org(
        "青川县城市管理局", parent=root, code="QCCGJ", credit_code=make_credit_code("11510822000000003")
    )
    scj = make_org(
        "青川县市场监督管理局", parent=root, code="QCSCJ", credit_code=make_credit_code("11510822000000004")
    )
    squad = make_org(
        "青川县城管执法一中队", parent=cgj, code="QCZD1", credit_code=make_credit_code("12510822000000005")
    )
    return {"root": root, "center": center, "cgj": cgj, "scj": scj, "squad": squad}


@pytest.fixture
def roles(db):
    from zhengwu.core.services.staff import sync_roles

    sync_roles()


@pytest.fixture
def person(make_staff, county, roles):
    from zhengwu.core.models import Role
    from zhengwu.core.services.staff import assign_roles

    def make(username, role, org, **fields):
        staff = make_staff(
            username, organization=county[org], display_name=fields.pop("display_name", username), **fields
        )
        assign_roles(staff=staff, roles=[Role.objects.get(code=role)], actor=None)
        return type(staff).objects.get(pk=staff.pk)  # fresh permission cache

    return make


@pytest.fixture
def operator(person):
    return person("op1", "hotline", "center", display_name="孙话务")


@pytest.fixture
def supervisor(person):
    return person("sup1", "hotline_supervisor", "center", display_name="周值班长")


@pytest.fixture
def cgj_handler(person):
    return person("cgj1", "hotline_handler", "cgj", display_name="城管承办人", email="cgj1@example.org")


@pytest.fixture
def scj_handler(person):
    return person("scj1", "hotline_handler", "scj", display_name="市监承办人")


@pytest.fixture
def category(county):
    from zhengwu.interaction.models import Category

    category = Category.objects.get(path="城乡建设/市容环境/占道经营")
    category.lead_unit = county["cgj"]
    category.save()
    return category


@pytest.fixture
def call(category):
    from zhengwu.interaction.services.intake import Call

    def make(**overrides):
        values = dict(
            channel="电话",
            kind="投诉",
            urgency="一般",
            category=category,
            caller_name="李四",
            caller_phone="13900001111",
            location="青川县乔庄镇建设路",
            content="建设路菜市场门口每天早上有流动摊贩占道经营，车辆无法通行。",
        )
        values.update(overrides)
        return Call(**values)

    return make
