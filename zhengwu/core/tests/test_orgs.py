"""Organizations: identifier validators, the tree services (create, edit, move, deactivate), the selectors and the
机构管理 admin pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhengwu.core.models import AuditLog, Organization
from zhengwu.core.selectors.orgs import ancestors, get_root, organization_tree, subtree, tree_problems
from zhengwu.core.services.orgs import (
    create_organization,
    deactivate_organization,
    derive_org_code,
    move_organization,
    update_organization,
)
from zhengwu.core.validators import (
    credit_code_check_char,
    make_credit_code,
    validate_credit_code,
    validate_division_code,
    validate_mobile_phone,
    validate_org_code,
)

from .org_fixtures import build_county, credit, make_account

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"

# Codes published on licences, procurement notices and court documents; each one checks out by the GB 32100
# algorithm (the chance of a random 18-character string doing so is 1 in 31).
REAL_CREDIT_CODES = [
    "914403001922038216",  # 华为技术有限公司
    "91440300708461136T",  # 深圳市腾讯计算机系统有限公司
    "91330100799655058B",  # 阿里巴巴（中国）有限公司
    "11140800558745220K",  # 晋中市文化和旅游局
    "11410182005291054B",  # 荥阳市司法局
    "12100000470095016Q",  # 浙江大学
    "12100000425006117P",  # 复旦大学
    "12310000425022547M",  # 上海工程技术大学
    "91310000MA1FL4B24G",  # a Shanghai company with a letter-bearing registration number
    "92230109MAKCUYD46K",  # an individual business (个体工商户)
]


# --- validators --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", REAL_CREDIT_CODES)
def test_real_credit_codes_are_valid(code):
    validate_credit_code(code)
    assert credit_code_check_char(code[:17]) == code[17]
    assert make_credit_code(code[:17]) == code


@pytest.mark.parametrize("code", REAL_CREDIT_CODES)
def test_one_wrong_character_is_caught_with_the_expected_check_character(code):
    # Change a digit in the middle (a typical copying mistake).
    position = 12
    replacement = "0" if code[position] != "0" else "1"
    typo = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code(typo)
    message = excinfo.value.messages[0]
    assert "校验位错误" in message
    assert f"第 18 位应为“{credit_code_check_char(typo[:17])}”" in message


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91440300708461136", "应为 18 位，实际为 17 位"),
        ("91440300708461136TX", "应为 18 位"),
        ("9144030070846113IT", "不允许的字符：I"),
        ("91440300708461136O", "不允许的字符：O"),
        ("B1440300708461136T", "第 1 位（登记管理部门代码）“B”无效"),
        ("90440300708461136T", "第 2 位（机构类别代码）“0”无效"),
        ("9144A300708461136T", "第 3–8 位"),
    ],
)
def test_malformed_credit_codes_are_explained(code, fragment):
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code(code)
    assert fragment in excinfo.value.messages[0]


def test_make_credit_code_checks_the_prefix():
    assert make_credit_code("11990101000000001") == "11990101000000001" + credit_code_check_char(
        "11990101000000001"
    )
    with pytest.raises(ValidationError):
        make_credit_code("00990101000000001")  # no registration authority 0
    with pytest.raises(ValueError):
        make_credit_code("1199010100000000")  # 16 characters


@pytest.mark.parametrize(
    "code", ["330106", "110101", "330106001000", "441900003000", "990101", "990101100000"]
)
def test_valid_division_codes(code):
    validate_division_code(code)


@pytest.mark.parametrize(
    ("code", "level", "fragment"),
    [
        ("33010", None, "应为 6 位（县级）或 12 位"),
        ("3301060010", None, "应为 6 位（县级）或 12 位"),
        ("33a106", None, "应为 6 位"),
        ("000000", None, "不是有效的省级代码"),
        ("330106000000", None, "第 7–9 位为乡级代码，不能为 000"),
        ("330106001001", None, "第 10–12 位应为 000"),
        ("330106001000", "county", "应为 6 位县级代码"),
        ("330106", "town", "乡镇、街道的行政区划代码应为 12 位"),
    ],
)
def test_invalid_division_codes(code, level, fragment):
    with pytest.raises(ValidationError) as excinfo:
        validate_division_code(code, level=level)
    assert fragment in excinfo.value.messages[0]


def test_org_code_and_mobile_validators():
    validate_org_code("FGW")
    validate_org_code("RX12345")
    for bad in ("fgw", "F", "ABCDEFGHIJKLM", "FG-W", ""):
        with pytest.raises(ValidationError, match="2–12 位大写字母或数字"):
            validate_org_code(bad)
    validate_mobile_phone("13912345678")
    for bad in ("12912345678", "1391234567", "0571-88888888"):
        with pytest.raises(ValidationError, match="手机号码"):
            validate_mobile_phone(bad)


def test_derived_codes_are_deterministic_and_unique():
    taken = {"FZHGGWYH"}
    assert derive_org_code("示范县发展和改革委员会", taken=set(), region_prefix="示范县") == "FZHGGWYH"
    assert derive_org_code("示范县发展和改革委员会", taken=taken, region_prefix="示范县") == "FZHGGWYH2"
    assert (
        derive_org_code("示范县12345政务服务便民热线中心", taken=set(), region_prefix="示范县")
        == "12345ZWFWBMR"
    )
    assert derive_org_code("局", taken=set(), fallback="11990101000000001X") == "J00001X"


# --- services ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_tree_paths_depths_and_selectors():
    county = build_county()
    root, fgw, office = county.root, county.fgw, county.fgw_office
    assert root.path == f"{root.pk:06d}/" and root.depth == 0
    assert fgw.path == f"{root.pk:06d}/{fgw.pk:06d}/" and fgw.depth == 1
    assert office.path == f"{fgw.path}{office.pk:06d}/" and office.depth == 2
    assert get_root() == root
    assert list(ancestors(office)) == [root, fgw]
    assert list(ancestors(office, include_self=True)) == [root, fgw, office]
    assert set(subtree(fgw)) == {fgw, office}
    assert set(subtree(fgw, include_self=False)) == {office}
    assert office.is_descendant_of(root) and not root.is_descendant_of(office)
    assert tree_problems() == []
    # Every creation is audited.
    assert AuditLog.objects.filter(action="core.org.create").count() == 6


@pytest.mark.django_db
def test_tree_listing_orders_siblings_by_sort_order():
    county = build_county()
    update_organization(org=county.other_town, sort_order=1, actor=None)
    update_organization(org=county.town, sort_order=2, actor=None)
    update_organization(org=county.fgw, sort_order=3, actor=None)
    names = [(node.level, node.organization.name) for node in organization_tree()]
    assert names == [
        (0, "示范县人民政府"),
        (1, "白沙镇"),
        (1, "青山镇"),
        (2, "青山镇便民服务中心"),
        (1, "示范县发展和改革委员会"),
        (2, "示范县价格认证中心"),
    ]


@pytest.mark.django_db
def test_second_root_duplicate_codes_and_town_division_prefix_are_refused():
    county = build_county()
    with pytest.raises(ValidationError) as excinfo:
        create_organization(name="另一个政府", kind="government", code="LYG", actor=None)
    assert "系统中已有根机构“示范县人民政府”" in excinfo.value.message_dict["parent"][0]

    with pytest.raises(ValidationError) as excinfo:
        create_organization(name="重复编码", kind="department", code="FGW", parent=county.root, actor=None)
    assert excinfo.value.message_dict["code"] == ["编码“FGW”已被“示范县发展和改革委员会”使用。"]

    with pytest.raises(ValidationError) as excinfo:
        create_organization(
            name="重复代码",
            kind="department",
            code="CFDM",
            credit_code=credit(2),
            parent=county.root,
            actor=None,
        )
    assert "已被“示范县发展和改革委员会”使用" in excinfo.value.message_dict["credit_code"][0]

    with pytest.raises(ValidationError) as excinfo:
        create_organization(
            name="外县的镇",
            kind="township",
            code="WXZ",
            division_code="330106001000",
            parent=county.root,
            actor=None,
        )
    assert "应以所属“示范县人民政府”的县级代码 990101 开头" in excinfo.value.message_dict["division_code"][0]

    with pytest.raises(ValidationError) as excinfo:
        create_organization(name="小写", kind="department", code="abc!", parent=county.root, actor=None)
    assert "2–12 位大写字母或数字" in excinfo.value.message_dict["code"][0]
    assert Organization.objects.count() == 6


@pytest.mark.django_db
def test_move_rewrites_the_whole_subtree_and_refuses_cycles():
    county = build_county()
    grandchild = create_organization(
        name="价格认证中心第一科", kind="institution", code="JG1", parent=county.fgw_office, actor=None
    )
    move_organization(org=county.fgw, new_parent=county.town, actor=None)
    for org in (county.fgw, county.fgw_office, grandchild):
        org.refresh_from_db()
    assert county.fgw.path == f"{county.town.path}{county.fgw.pk:06d}/" and county.fgw.depth == 2
    assert (
        county.fgw_office.path == f"{county.fgw.path}{county.fgw_office.pk:06d}/"
        and county.fgw_office.depth == 3
    )
    assert grandchild.path == f"{county.fgw_office.path}{grandchild.pk:06d}/" and grandchild.depth == 4
    assert tree_problems() == []
    move_row = AuditLog.objects.get(action="core.org.move")
    assert move_row.detail == {"from": county.root.pk, "to": county.town.pk, "subtree_size": 3}

    with pytest.raises(ValidationError, match="不能把机构移到其下级机构"):
        move_organization(org=county.fgw, new_parent=grandchild, actor=None)
    with pytest.raises(ValidationError, match="不能把机构设为自己的上级"):
        move_organization(org=county.fgw, new_parent=county.fgw, actor=None)
    with pytest.raises(ValidationError, match="只能有一个根机构"):
        move_organization(org=county.fgw, new_parent=None, actor=None)
    # A town cannot move under an organization whose county code differs from the start of its own.
    foreign = create_organization(
        name="外县政府驻点",
        kind="department",
        code="WXZD",
        division_code="330106",
        parent=county.root,
        actor=None,
    )
    with pytest.raises(ValidationError, match="应以所属“外县政府驻点”的县级代码 330106 开头"):
        move_organization(org=county.other_town, new_parent=foreign, actor=None)
    assert tree_problems() == []


@pytest.mark.django_db
def test_update_is_audited_with_the_differences_only():
    county = build_county()
    before = AuditLog.objects.count()
    update_organization(org=county.fgw, name="示范县发展和改革局", short_name="发改局", actor=None)
    county.fgw.refresh_from_db()
    assert county.fgw.name == "示范县发展和改革局"
    row = AuditLog.objects.latest("seq")
    assert row.action == "core.org.update"
    assert row.detail == {
        "name": ["示范县发展和改革委员会", "示范县发展和改革局"],
        "short_name": ["", "发改局"],
    }
    update_organization(org=county.fgw, name="示范县发展和改革局", actor=None)  # no change, no audit row
    assert AuditLog.objects.count() == before + 1
    with pytest.raises(TypeError):
        update_organization(org=county.fgw, path="x", actor=None)


@pytest.mark.django_db
def test_deactivation_rules():
    county = build_county()
    with pytest.raises(ValidationError, match="还有 1 个启用的下级机构"):
        deactivate_organization(org=county.fgw, actor=None)
    make_account("worker", county.fgw_office)
    with pytest.raises(ValidationError, match="还有 1 名启用的工作人员"):
        deactivate_organization(org=county.fgw_office, actor=None)
    deactivate_organization(org=county.village_office, actor=None)
    county.village_office.refresh_from_db()
    assert not county.village_office.is_active
    assert AuditLog.objects.filter(action="core.org.update", target_id=str(county.village_office.pk)).exists()
    deactivate_organization(org=county.town, actor=None)
    with pytest.raises(ValidationError, match="上级机构“青山镇”已停用"):
        update_organization(org=county.village_office, is_active=True, actor=None)
    with pytest.raises(ValidationError, match="上级机构“青山镇”已停用"):
        create_organization(name="新单位", kind="institution", code="XDW", parent=county.town, actor=None)


@pytest.mark.django_db
def test_services_check_the_actors_permission_and_scope():
    county = build_county()
    town_admin = make_account("town_admin", county.town, "org_admin")
    with pytest.raises(PermissionDenied, match="没有新增机构的权限"):
        create_organization(
            name="新单位", kind="institution", code="XDW", parent=county.town, actor=town_admin
        )
    sysadmin = make_account("sysadmin", county.root, "system_admin")
    created = create_organization(
        name="新单位", kind="institution", code="XDW", parent=county.town, actor=sysadmin
    )
    assert AuditLog.objects.get(action="core.org.create", target_id=str(created.pk)).actor == sysadmin
    # A unit-level account with the organization permissions is still bound to its subtree.
    from django.contrib.auth.models import Permission

    town_admin.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_organization", "change_organization"])
    )
    town_admin = type(town_admin).objects.get(pk=town_admin.pk)
    create_organization(
        name="镇属单位", kind="institution", code="ZSDW", parent=county.town, actor=town_admin
    )
    with pytest.raises(PermissionDenied, match="不在您的机构范围内"):
        create_organization(
            name="越权单位", kind="institution", code="YQDW", parent=county.fgw, actor=town_admin
        )
    with pytest.raises(PermissionDenied, match="不在您的机构范围内"):
        update_organization(org=county.fgw, name="改名", actor=town_admin)


# --- admin pages ------------------------------------------------------------------------------------------------


@pytest.fixture
def county(db):
    return build_county()


@pytest.fixture
def sysadmin_client(client, county):
    user = make_account("sysadmin", county.root, "system_admin")
    client.force_login(user, backend=MODEL_BACKEND)
    client.user = user
    return client


def test_admin_lists_the_tree_indented_with_counts(sysadmin_client, county):
    make_account("fgw_worker", county.fgw)
    response = sysadmin_client.get("/admin/organizations/")
    assert response.status_code == 200
    html = response.content.decode()
    positions = [
        html.index(name)
        for name in ("示范县人民政府", "示范县发展和改革委员会", "示范县价格认证中心", "青山镇")
    ]
    assert positions == sorted(positions)
    assert 'padding-inline-start: 48px">' in html  # the grandchild is indented two levels
    assert "统一社会信用代码" in html and county.fgw.credit_code in html
    assert "机构管理" in html and "导入" in html
    assert "/admin/organizations/delete/" not in html  # organizations are deactivated, never deleted


def test_admin_create_validates_through_the_service(sysadmin_client, county):
    data = {
        "name": "示范县统计局",
        "short_name": "",
        "kind": "department",
        "parent": county.root.pk,
        "code": "tjj",
        "credit_code": "11990101000000009X",
        "division_code": "990101",
        "sort_order": "0",
        "address": "",
        "phone": "",
    }
    response = sysadmin_client.post("/admin/organizations/new/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "校验位错误" in html
    assert not Organization.objects.filter(name="示范县统计局").exists()

    data["credit_code"] = credit(50).lower()
    response = sysadmin_client.post("/admin/organizations/new/", data)
    assert response.status_code == 302
    org = Organization.objects.get(name="示范县统计局")
    assert org.code == "TJJ" and org.credit_code == credit(50) and org.parent == county.root
    assert org.path == f"{county.root.path}{org.pk:06d}/"
    assert AuditLog.objects.get(action="core.org.create", target_id=str(org.pk)).actor == sysadmin_client.user


def test_admin_edit_moves_and_refuses_deactivating_a_busy_org(sysadmin_client, county):
    url = f"/admin/organizations/edit/{county.fgw.pk}/"
    response = sysadmin_client.get(url)
    assert response.status_code == 200
    # The department's own subtree is not offered as a parent.
    assert f'value="{county.fgw_office.pk}"' not in response.content.decode()
    data = {
        "name": county.fgw.name,
        "short_name": "发改委",
        "kind": "department",
        "parent": county.town.pk,
        "code": "FGW",
        "credit_code": county.fgw.credit_code,
        "division_code": "990101",
        "sort_order": "0",
        "address": "",
        "phone": "",
        "is_active": "on",
    }
    assert sysadmin_client.post(url, data).status_code == 302
    county.fgw_office.refresh_from_db()
    assert county.fgw_office.path.startswith(county.town.path)
    data.pop("is_active")
    response = sysadmin_client.post(url, data)
    assert response.status_code == 200
    assert "还有 1 个启用的下级机构" in response.content.decode()


def test_admin_delete_is_refused(sysadmin_client, county):
    response = sysadmin_client.post(f"/admin/organizations/delete/{county.village_office.pk}/")
    assert response.status_code in (302, 403)
    assert Organization.objects.filter(pk=county.village_office.pk).exists()


def test_admin_pages_require_organization_permissions(client, county):
    editor = make_account("editor", county.fgw, "editor")
    client.force_login(editor, backend=MODEL_BACKEND)
    response = client.get("/admin/organizations/")
    assert response.status_code in (302, 403)
    response = client.get("/admin/organizations/import/")
    assert response.status_code in (302, 403)
