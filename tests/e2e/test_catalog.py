"""政务信息资源目录 as people use it, in headless Chromium: a department's liaison catalogues a resource with its
信息项 and reports it; the county catalogue office approves it and publishes a catalogue version; a liaison of
another department requests the 有条件共享 resource and the providing department grants it. On the portal a citizen
finds an open dataset by searching the open-data list and downloads its file, which is counted. axe finds no
serious violation on the admin resource form and on the open-data pages."""

# ruff: noqa: F811  (axe_source is a fixture imported from test_accessibility)
from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from zhengwu.catalog.tests.opendata_fixtures import CSV, Upload

from .conftest import new_context
from .test_accessibility import axe_source, run_axe  # noqa: F401  (axe_source is a fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "Zw-Catalog-Passw0rd!"
RESOURCE = "户籍人口基本信息"
SHOPS = "个体工商户开业登记公示信息"
LAND = "国有建设用地供应结果"
SHOP_FILE = "2026年3月个体户开业"


@pytest.fixture
def county(live_server):
    """A county with its catalogue office and three departments, a liaison in two of them, the office's catalogue
    administrator, and the portal answering on the live server."""
    from zhengwu.core.models import OrganizationKind, Role, Staff
    from zhengwu.core.services.orgs import create_organization
    from zhengwu.core.services.staff import assign_roles
    from zhengwu.core.validators import make_credit_code
    from zhengwu.portal.services import create_site

    call_command("setup", verbosity=0)
    root = create_organization(
        name="青溪县人民政府",
        kind=OrganizationKind.GOVERNMENT,
        code="QXX",
        credit_code=make_credit_code("11330727000000001"),
        division_code="330727",
        parent=None,
        actor=None,
    )

    def org(name, code, serial):
        return create_organization(
            name=name,
            kind=OrganizationKind.DEPARTMENT,
            code=code,
            credit_code=make_credit_code(f"1133072700000{serial:04d}"),
            division_code="330727",
            parent=root,
            actor=None,
        )

    units = {
        "office": org("青溪县大数据发展管理局", "DSJ", 2),
        "police": org("青溪县公安局", "GAJ", 3),
        "market": org("青溪县市场监督管理局", "SCJ", 4),
        "land": org("青溪县自然资源局", "ZRZY", 5),
    }
    for username, name, role, unit in (
        ("dsj_ml", "周目录", "catalog_admin", "office"),
        ("gaj_lly", "王公安", "liaison", "police"),
        ("scj_lly", "林市场", "liaison", "market"),
    ):
        staff = Staff(username=username, display_name=name, organization=units[unit])
        staff.set_password(PASSWORD)
        staff.save()
        assign_roles(staff=staff, roles=[Role.objects.get(code=role)], actor=None)
    create_site(
        organization=root,
        site_name="青溪县人民政府",
        hostname="localhost",
        port=int(live_server.url.rsplit(":", 1)[1]),
        is_default=True,
        intro="县政府门户网站。",
        actor=None,
    )
    return units


@pytest.fixture
def open_datasets(county):
    """Two approved open entries (set up through the services): the market's, with a licence and a CSV file, and
    the land bureau's, without a file. Returns the CSV file's distribution."""
    from zhengwu.catalog.models import ResourceClass
    from zhengwu.catalog.services.opendata import add_file, set_licence
    from zhengwu.catalog.services.resources import (
        ItemData,
        ResourceData,
        create_resource,
        review_resource,
        submit_resource,
    )

    def approved(**values):
        data = ResourceData(
            share_type="unconditional",
            share_method="文件方式",
            resource_format="电子表格",
            open_to_public=True,
            **values,
        )
        resource = create_resource(actor=None, data=data)
        submit_resource(actor=None, resource=resource)
        return review_resource(actor=None, resource=resource, approve=True)

    shops = approved(
        classification=ResourceClass.objects.get(code="102"),
        name=SHOPS,
        provider=county["market"],
        items=[ItemData("登记日期", "日期型"), ItemData("经营者", "字符型"), ItemData("行业", "字符型")],
        summary="本县新开业个体工商户的登记公示信息，按月汇总。",
        update_cycle="每月",
    )
    set_licence(actor=None, resource=shops, licence="cc-by-4.0")
    land = approved(
        classification=ResourceClass.objects.get(code="103"),
        name=LAND,
        provider=county["land"],
        items=[ItemData("宗地编号", "字符型"), ItemData("供地面积", "数值型")],
        summary="出让、划拨的国有建设用地宗地及面积。",
        update_cycle="每季度",
    )
    set_licence(actor=None, resource=land, licence="gov-open")
    return add_file(
        actor=None,
        resource=shops,
        uploaded_file=Upload(CSV.encode("utf-8"), f"{SHOP_FILE}.csv"),
        title=SHOP_FILE,
    )


def session(browser, live_server, username):
    context = new_context(browser)
    page = context.new_page()
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/admin/")
    return page


def no_serious_violations(page, axe: str, where: str) -> None:
    problems = [
        f"{v['id']} {v['impact']} {[n['target'] for n in v['nodes'][:3]]}" for v in run_axe(page, axe)
    ]
    assert not problems, f"{where}：" + "；".join(problems)


def field(page, label: str):
    """The form field labelled ``label`` (a required field's label ends with an asterisk hidden from readers)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}\s*\*?$"))


def meta(page, header: str):
    """The value cell of the row headed ``header`` in an admin page's table of attributes."""
    return (
        page.locator("table.zw-meta tr")
        .filter(has=page.get_by_role("rowheader", name=header, exact=True))
        .locator("td")
    )


def test_a_resource_is_catalogued_published_and_shared_on_request(live_server, browser, county, axe_source):
    from zhengwu.catalog.models import CatalogVersion, Resource, ShareRequest, ShareRequestStatus

    # 1. The police liaison catalogues a resource with its 信息项 and reports it for review.
    police = session(browser, live_server, "gaj_lly")
    police.goto(live_server.url + "/admin/catalog/resources/")
    police.get_by_role("link", name="新增目录条目").click()
    police.get_by_role("button", name="保存", exact=True).wait_for()
    no_serious_violations(police, axe_source, "新增目录条目")
    field(police, "信息资源分类").select_option(label="101 人口")
    field(police, "信息资源名称").fill(RESOURCE)
    assert field(police, "信息资源提供方").evaluate("s => s.selectedOptions[0].textContent") == "青溪县公安局"
    field(police, "信息资源摘要").fill("本县户籍人口的基本登记信息。")
    field(police, "信息资源格式").select_option("数据库")
    # The last line lacks its data type: the form says which line and keeps what was typed.
    field(police, "信息项信息").fill("公民身份号码，字符型\n姓名，C\n出生日期")
    field(police, "共享类型").select_option(label="有条件共享")
    field(police, "共享条件").fill("仅限办理户籍相关政务服务事项时核验使用")
    field(police, "共享方式").select_option("接口方式")
    field(police, "更新周期").select_option("每日")
    police.get_by_role("button", name="保存", exact=True).click()
    police.get_by_role("alert").filter(has_text="第 3 行“出生日期”应写作“名称，数据类型”。").wait_for()
    assert field(police, "信息资源名称").input_value() == RESOURCE
    no_serious_violations(police, axe_source, "新增目录条目（有错误）")
    field(police, "信息项信息").fill("公民身份号码，字符型\n姓名，C\n出生日期，日期型")
    police.get_by_role("button", name="保存", exact=True).click()
    police.get_by_text(re.compile(f"已保存“{RESOURCE}”")).wait_for()
    assert meta(police, "状态").inner_text() == "编制中"
    code = meta(police, "信息资源代码").inner_text()
    resource = Resource.objects.get(code=code)
    assert [(i.name, i.data_type) for i in resource.items.order_by("position")] == [
        ("公民身份号码", "字符型"),
        ("姓名", "字符型"),
        ("出生日期", "日期型"),
    ]
    assert resource.provider == county["police"] and resource.share_type == "conditional"
    no_serious_violations(police, axe_source, "目录条目编辑页")
    police.get_by_role("button", name="报送县电子政务办审核").click()
    police.get_by_text("已报送审核。").wait_for()
    assert meta(police, "状态").inner_text() == "待审核"

    # 2. The county catalogue office finds it among the entries awaiting review, approves it and publishes.
    office = session(browser, live_server, "dsj_ml")
    office.goto(live_server.url + "/admin/catalog/resources/")
    office.get_by_label("状态", exact=True).select_option(label="待审核")
    office.get_by_role("button", name="查找").click()
    office.wait_for_url(re.compile(r"[?&]status=submitted"))
    office.get_by_role("link", name=RESOURCE).click()
    office.get_by_role("button", name="审核通过").click()
    office.get_by_text("已审核通过。").wait_for()
    assert meta(office, "状态").inner_text() == "已审核"
    office.goto(live_server.url + "/admin/catalog/versions/")
    office.get_by_text("尚未发布目录。").wait_for()
    office.get_by_label("发布说明").fill("本县政务信息资源目录首次发布")
    office.get_by_role("button", name="发布新版本（1 条已审核条目）").click()
    office.get_by_text("已发布第 1 版目录，共 1 条。").wait_for()
    version = office.get_by_role("row").filter(has_text="第 1 版")
    version.get_by_text("本县政务信息资源目录首次发布").wait_for()
    [published] = CatalogVersion.objects.get(number=1).entries
    assert published["code"] == code and published["sharing"]["type_label"] == "有条件共享"
    assert [item["name"] for item in published["items"]] == ["公民身份号码", "姓名", "出生日期"]

    # 3. The market liaison opens the published entry, sees it is shared on conditions, and requests two items.
    market = session(browser, live_server, "scj_lly")
    market.goto(live_server.url + "/admin/catalog/sharing/")
    market.get_by_role("link", name="申请共享", exact=True).click()
    market.get_by_label("资源名称").fill("户籍人口")
    market.get_by_role("button", name="查找").click()
    market.wait_for_url(re.compile(r"[?&]q="))
    entry = market.get_by_role("row").filter(has_text=code)
    entry.get_by_text("有条件共享").wait_for()
    entry.get_by_role("link", name=re.compile("^申请共享")).click()
    assert meta(market, "信息资源").inner_text() == f"{code} {RESOURCE}"
    assert meta(market, "提供部门").inner_text() == "青溪县公安局"
    assert meta(market, "共享类型").inner_text() == "有条件共享"
    assert meta(market, "共享条件").inner_text() == "仅限办理户籍相关政务服务事项时核验使用"
    field(market, "申请用途").fill("个体工商户开业登记时核验经营者的身份信息。")
    field(market, "应用场景").fill("县政务服务中心市场监管窗口办理个体工商户登记。")
    wanted = market.get_by_role("group", name="申请的信息项")
    wanted.get_by_label("公民身份号码（字符型）").check()
    wanted.get_by_label("姓名（字符型）").check()
    market.get_by_role("button", name="提交申请").click()
    market.get_by_text(re.compile("已提交，等待提供部门答复。")).wait_for()
    number = meta(market, "申请编号").inner_text()
    assert meta(market, "状态").inner_text().startswith("待答复")
    assert meta(market, "申请的信息项").inner_text() == "公民身份号码、姓名"
    request_url = market.url

    # The providing department's liaison finds it among the requests received and grants it.
    police.goto(live_server.url + "/admin/catalog/sharing/")
    received = police.get_by_role("row").filter(has_text=number)
    assert "待答复" in received.inner_text()
    received.get_by_role("link", name=number).click()
    grant = police.locator("form.zw-action").filter(has=police.get_by_role("heading", name="同意共享"))
    scope = grant.get_by_role("group", name="授权信息项")
    assert scope.get_by_label("公民身份号码", exact=True).is_checked()
    assert scope.get_by_label("姓名", exact=True).is_checked()
    grant.get_by_label("使用范围说明").fill("仅用于个体工商户登记时核验经营者身份，不得向第三方提供。")
    grant.get_by_role("button", name="同意并登记授权").click()
    police.get_by_text("已同意共享并登记授权。").wait_for()
    assert meta(police, "状态").inner_text().startswith("已同意共享")

    # The requester sees the request granted, in its list of sent requests and on the request's page.
    market.goto(live_server.url + "/admin/catalog/sharing/")
    market.get_by_role("link", name="发出的申请").click()
    sent = market.get_by_role("row").filter(has_text=number)
    sent.get_by_text(re.compile("^已同意共享")).wait_for()
    market.goto(request_url)
    assert meta(market, "状态").inner_text().startswith("已同意共享")
    assert meta(market, "授权信息项").inner_text() == "公民身份号码、姓名"
    assert "不得向第三方提供" in meta(market, "使用范围说明").inner_text()
    share_request = ShareRequest.objects.get(number=number)
    assert share_request.status == ShareRequestStatus.GRANTED
    assert share_request.requester == county["market"] and share_request.resource == resource
    assert share_request.grant.scope == ["公民身份号码", "姓名"]


def test_a_citizen_finds_and_downloads_an_open_dataset(
    live_server, browser, county, open_datasets, axe_source
):
    shop_file = open_datasets
    citizen = new_context(browser).new_page()
    citizen.goto(live_server.url + "/kfsj/")
    citizen.get_by_role("heading", name="开放数据", exact=True).wait_for()
    assert citizen.get_by_role("status").inner_text() == "共 2 个数据集"
    no_serious_violations(citizen, axe_source, "开放数据列表")

    search = citizen.get_by_role("search", name="筛选开放数据")
    search.get_by_label("关键词").fill("个体工商户")
    search.get_by_role("button", name="筛选").click()
    citizen.get_by_role("status").filter(has_text="共 1 个数据集").wait_for()
    assert citizen.get_by_role("link", name=LAND).count() == 0
    no_serious_violations(citizen, axe_source, "开放数据搜索结果")
    citizen.get_by_role("link", name=SHOPS).click()

    citizen.get_by_role("heading", name=SHOPS, level=1).wait_for()
    attributes = citizen.get_by_role("table", name="数据集属性")
    attributes.get_by_role("link", name="知识共享署名 4.0 国际许可协议（CC BY 4.0）").wait_for()
    downloads = attributes.get_by_role("row").filter(has_text="下载次数").locator("td").last
    assert downloads.inner_text() == "0"
    no_serious_violations(citizen, axe_source, "开放数据集页面")
    with citizen.expect_download() as download_info:
        citizen.get_by_role("link", name=f"下载 {SHOP_FILE}").click()
    download = download_info.value
    assert download.suggested_filename == f"{SHOP_FILE}.csv"
    with open(download.path(), "rb") as handle:
        content = handle.read()
    assert "青溪县城关镇王记早点铺".encode() in content
    assert content.decode("utf-8") == CSV

    shop_file.refresh_from_db()
    assert shop_file.download_count == 1
    citizen.reload()
    assert downloads.inner_text() == "1"
    citizen.get_by_text(re.compile("已下载 1 次")).wait_for()
