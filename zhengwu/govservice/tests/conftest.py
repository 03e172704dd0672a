"""A county of four departments with credit codes, staff holding the roles of ``rules/roles.json``, and a factory
of item data in the style of a public county list."""

from __future__ import annotations

import pytest

from zhengwu.core.validators import make_credit_code


@pytest.fixture(autouse=True)
def roles(db):
    from zhengwu.core.services.staff import sync_roles

    sync_roles()


@pytest.fixture
def county(make_org):
    from zhengwu.core.models import OrganizationKind

    root = make_org(
        "松阳县人民政府",
        kind=OrganizationKind.GOVERNMENT,
        code="SYX",
        credit_code=make_credit_code("11331124000000001"),
    )
    return {
        "root": root,
        "health": make_org(
            "松阳县卫生健康局", parent=root, code="WJJ", credit_code=make_credit_code("11331124000000002")
        ),
        "transport": make_org(
            "松阳县交通运输局", parent=root, code="JTJ", credit_code=make_credit_code("11331124000000003")
        ),
        "water": make_org(
            "松阳县水利局", parent=root, code="SLJ", credit_code=make_credit_code("11331124000000004")
        ),
    }


def _staff(make_staff, username, org, *roles):
    from zhengwu.core.models import Staff
    from zhengwu.core.services.staff import assign_roles

    staff = make_staff(username, organization=org, display_name=username)
    assign_roles(staff=staff, roles=list(roles), actor=None)
    return Staff.objects.get(pk=staff.pk)


@pytest.fixture
def health_liaison(make_staff, county):
    return _staff(make_staff, "wjj_ll", county["health"], "liaison")


@pytest.fixture
def water_liaison(make_staff, county):
    return _staff(make_staff, "slj_ll", county["water"], "liaison")


@pytest.fixture
def item_data(county):
    from zhengwu.govservice.services.items import ItemData, MaterialData, StepData

    def make(**overrides):
        values = dict(
            code="11331124000000002XK0001001",
            organization=county["health"],
            name="公共场所卫生许可（新设）",
            item_type="行政许可",
            competent_department="松阳县卫生健康局",
            basis="《公共场所卫生管理条例》第八条；《公共场所卫生管理条例实施细则》第二十二条",
            legal_limit_days=20,
            promised_limit_days=5,
            case_kind="promised",
            onsite_visits=1,
            conditions="经营场所符合公共场所卫生标准和要求，从业人员持有效健康合格证明。",
            place="松阳县行政服务中心二楼卫健窗口",
            hours="周一至周五 8:30-12:00，14:30-17:30（法定节假日除外）",
            consult_phone="0578-8061234",
            complaint_phone="0578-8065678",
            materials=[
                MaterialData("公共场所卫生许可申请表"),
                MaterialData("营业执照复印件", form="复印件"),
                MaterialData("卫生管理制度", required=False),
            ],
            steps=[
                StepData("受理", 1),
                StepData("现场审查", 3),
                StepData("检验检测", 10, counts_toward_legal=False, basis="《行政许可法》第四十五条"),
                StepData("决定", 1),
            ],
            audiences=["legal"],
            life_events=["operation"],
        )
        values.update(overrides)
        return ItemData(**values)

    return make
