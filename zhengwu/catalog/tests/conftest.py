"""Fixtures of the catalogue tests: the classification rules, a county with three departments (one with a section
below it), a 目 under each of two 项, and staff holding the roles of ``rules/roles.json``."""

from __future__ import annotations

import pytest

from zhengwu.core.validators import make_credit_code


@pytest.fixture(autouse=True)
def catalog_rules(db):
    from zhengwu.catalog.services.rules import load_classifications
    from zhengwu.core.services.staff import sync_roles

    load_classifications()
    sync_roles()


@pytest.fixture
def county(make_org):
    from zhengwu.core.models import OrganizationKind

    root = make_org(
        "青溪县人民政府",
        kind=OrganizationKind.GOVERNMENT,
        code="QXX",
        credit_code=make_credit_code("11330727000000001"),
    )
    office = make_org(
        "青溪县大数据发展管理局", parent=root, code="DSJ", credit_code=make_credit_code("11330727000000002")
    )
    police = make_org(
        "青溪县公安局", parent=root, code="GAJ", credit_code=make_credit_code("11330727000000003")
    )
    market = make_org(
        "青溪县市场监督管理局",
        parent=root,
        code="SCJ",
        short_name="县市场监管局",
        credit_code=make_credit_code("11330727000000004"),
    )
    land = make_org("青溪县自然资源局", parent=root, code="ZRZY")
    station = make_org("青溪县公安局城关派出所", parent=police, code="GAJCG")
    return {
        "root": root,
        "office": office,
        "police": police,
        "market": market,
        "land": land,
        "station": station,
    }


@pytest.fixture
def classes(db):
    """目 under 基础·人口 and 基础·法人, and a 细目 under the first (a county maintains these)."""
    from zhengwu.catalog.models import ResourceClass
    from zhengwu.catalog.services.rules import add_class

    population = ResourceClass.objects.get(code="101")
    legal = ResourceClass.objects.get(code="102")
    residents = add_class(parent=population, segment="001", name="户籍人口", actor=None)
    return {
        "residents": residents,
        "residents_detail": add_class(parent=residents, segment="01", name="常住人口登记", actor=None),
        "companies": add_class(parent=legal, segment="002", name="市场主体登记", actor=None),
        "health": ResourceClass.objects.get(code="202"),
    }


def _staff(make_staff, username, org, *roles):
    from zhengwu.core.services.staff import assign_roles

    staff = make_staff(username, organization=org, display_name=username)
    assign_roles(staff=staff, roles=list(roles), actor=None)
    from zhengwu.core.models import Staff

    return Staff.objects.get(pk=staff.pk)


@pytest.fixture
def police_liaison(make_staff, county):
    return _staff(make_staff, "gaj_lly", county["police"], "liaison")


@pytest.fixture
def market_liaison(make_staff, county):
    return _staff(make_staff, "scj_lly", county["market"], "liaison")


@pytest.fixture
def catalog_admin(make_staff, county):
    return _staff(make_staff, "dsj_ml", county["office"], "catalog_admin")


@pytest.fixture
def entry_data(county, classes):
    from zhengwu.catalog.services.resources import ItemData, ResourceData

    def make(**overrides):
        values = dict(
            classification=classes["residents"],
            name="户籍人口基本信息",
            provider=county["police"],
            items=[
                ItemData("公民身份号码", "字符型"),
                ItemData("姓名", "C"),
                ItemData("出生日期", "日期型"),
            ],
            share_type="conditional",
            share_condition="仅限办理户籍相关政务服务事项时核验使用",
            share_method="接口方式",
            summary="本县户籍人口的基本登记信息。",
            resource_format="数据库",
            update_cycle="每日",
        )
        values.update(overrides)
        return ResourceData(**values)

    return make
