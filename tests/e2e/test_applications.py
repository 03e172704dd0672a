"""网上申报 as people use it, in headless Chromium: a citizen finds the 办事指南 by search and by department, applies
online with two materials (a first try without one is refused in Chinese and keeps what was typed), and keeps the
number and query code; the department's window staff ask once for a corrected material; the citizen looks the case
up, uploads it, and is told; the staff accept, complete each step, decide 准予 and deliver; the citizen sees 已办结
and the whole history. axe finds no serious violation on the guide, the form (also with its errors), the receipt
and the look-up, and on the guide and the form in 繁体 and the older-users mode."""

# ruff: noqa: F811  (axe_source is a fixture imported from test_accessibility)
from __future__ import annotations

import io
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command

from .conftest import new_context
from .test_accessibility import axe_source, run_axe  # noqa: F401  (axe_source is a fixture)
from .test_disclosure import fill_captcha, labelled

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "Zw-Apply-Passw0rd!"
ITEM = "公共场所卫生许可（新设）"
FORM = "公共场所卫生许可申请表"
LICENCE = "营业执照复印件"
STEPS = ("材料审查", "现场核查", "审批")
CORRECTION_NOTE = "营业执照已过有效期，请上传有效期内的营业执照。"
DECISION = "准予公共场所卫生许可，许可证有效期四年。"
TYPED = {
    "申请人姓名或单位全称": "松阳县城关镇好客来宾馆",
    "经办人": "叶经办",
    "联系电话": "13905781234",
    "申请事项说明": "新开宾馆，经营面积 320 平方米，客房 18 间。",
    "联系地址": "松阳县西屏街道长松路 8 号",
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "PNG")
    return out.getvalue()


def pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def png(name: str) -> dict:
    return {"name": name, "mimeType": "image/png", "buffer": _png()}


@pytest.fixture
def county(settings, live_server):
    """A county with a health bureau that publishes one item handled online (two materials, three steps), its
    window clerk (审批窗口人员), a clerk of another bureau, and the portal answering on the live server."""
    from zhengwu.core.models import OrganizationKind, Role, Staff
    from zhengwu.core.services.orgs import create_organization
    from zhengwu.core.services.staff import assign_roles
    from zhengwu.core.validators import make_credit_code
    from zhengwu.govservice.services.items import ItemData, MaterialData, StepData, create_item
    from zhengwu.portal.services import create_site

    settings.ZHENGWU_SMS_CODES = False
    cache.clear()  # rate limits and look-up failures of earlier runs (Redis outlives the test database)
    call_command("setup", verbosity=0)  # roles and the official work calendar among the rest
    root = create_organization(
        name="松阳县人民政府",
        kind=OrganizationKind.GOVERNMENT,
        code="SYX",
        credit_code=make_credit_code("11331124000000001"),
        division_code="331124",
        parent=None,
        actor=None,
    )

    def org(name, code, serial):
        return create_organization(
            name=name,
            kind=OrganizationKind.DEPARTMENT,
            code=code,
            credit_code=make_credit_code(f"1133112400000000{serial}"),
            division_code="331124",
            parent=root,
            actor=None,
        )

    units = {"health": org("松阳县卫生健康局", "WJJ", 2), "water": org("松阳县水利局", "SLJ", 4)}
    for username, name, unit in (("wjj_window", "叶窗口", "health"), ("slj_window", "周窗口", "water")):
        staff = Staff(username=username, display_name=name, organization=units[unit])
        staff.set_password(PASSWORD)
        staff.save()
        assign_roles(staff=staff, roles=[Role.objects.get(code="service_handler")], actor=None)
    create_site(
        organization=root,
        site_name="松阳县人民政府",
        hostname="localhost",
        port=int(live_server.url.rsplit(":", 1)[1]),
        is_default=True,
        intro="县政府门户网站。",
        actor=None,
    )
    units["item"] = create_item(
        actor=None,
        data=ItemData(
            code="11331124000000002XK0001001",
            organization=units["health"],
            name=ITEM,
            item_type="行政许可",
            competent_department="松阳县卫生健康局",
            basis="《公共场所卫生管理条例》第八条；《公共场所卫生管理条例实施细则》第二十二条",
            legal_limit_days=20,
            promised_limit_days=5,
            case_kind="promised",
            onsite_visits=0,
            conditions="经营场所符合公共场所卫生标准和要求，从业人员持有效健康合格证明。",
            place="松阳县行政服务中心二楼卫健窗口",
            hours="周一至周五 8:30-12:00，14:30-17:30（法定节假日除外）",
            consult_phone="0578-8061234",
            complaint_phone="0578-8065678",
            materials=[MaterialData(FORM), MaterialData(LICENCE, form="复印件")],
            steps=[StepData(STEPS[0], 1), StepData(STEPS[1], 2), StepData(STEPS[2], 1)],
            audiences=["legal"],
            life_events=["operation"],
            online_apply_url="https://www.zjzwfw.gov.cn/zjservice/item/detail/index.do?localInnerCode=demo",
            charges=False,
        ),
    )
    return units


@pytest.fixture
def credit_code():
    from zhengwu.core.validators import make_credit_code

    return make_credit_code("92331124MA2HXXXX0")


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


def action(page, heading: str):
    """The action form of the admin's application page headed ``heading``."""
    return page.locator("form.zw-action").filter(has=page.get_by_role("heading", name=heading, exact=True))


def look_up(page, live_server, number: str, code: str) -> None:
    page.goto(live_server.url + "/bsfw/cx/")
    labelled(page, "申报编号").fill(number)
    labelled(page, "查询码").fill(code)
    page.get_by_role("button", name="查询", exact=True).click()
    page.locator("#application-status").wait_for()


def fill_applicant(page, credit_code: str) -> None:
    labelled(page, "申请人类型").select_option(label="法人或其他组织")
    labelled(page, "身份证号码或统一社会信用代码").fill(credit_code)
    for label, text in TYPED.items():
        labelled(page, label).fill(text)


def test_a_citizen_applies_online_corrects_a_material_and_the_unit_handles_it(
    live_server, browser, county, credit_code, axe_source
):
    from zhengwu.govservice.models import Application, ApplicationStatus

    item = county["item"]
    guide_url = f"{live_server.url}/bsfw/sx/{item.pk}/"
    apply_url = f"{guide_url}sb/"
    citizen = new_context(browser).new_page()

    # 1. The citizen finds the guide by department, and by the search box of 办事服务.
    citizen.goto(live_server.url + "/bsfw/")
    citizen.get_by_role("link", name="松阳县卫生健康局", exact=True).click()
    citizen.get_by_role("heading", level=1, name="松阳县卫生健康局办事事项").wait_for()
    citizen.get_by_role("link", name=ITEM, exact=True).click()
    citizen.get_by_role("heading", level=1, name=f"{ITEM}办事指南").wait_for()
    assert citizen.url == guide_url
    citizen.goto(live_server.url + "/bsfw/")
    citizen.get_by_role("searchbox", name="搜索办事事项").fill("卫生许可")
    citizen.get_by_role("button", name="搜索事项").click()
    citizen.get_by_text("“卫生许可”共找到 1 个事项。").wait_for()
    citizen.get_by_role("link", name=ITEM, exact=True).click()
    citizen.get_by_role("heading", level=1, name=f"{ITEM}办事指南").wait_for()
    no_serious_violations(citizen, axe_source, "办事指南")
    citizen.get_by_role("link", name=re.compile(rf"^在线申办\s*：{re.escape(ITEM)}$")).click()
    citizen.get_by_role("heading", level=1, name=f"在线申办：{ITEM}").wait_for()
    assert citizen.url == apply_url
    no_serious_violations(citizen, axe_source, "在线申办")

    # A first try without the licence: refused in Chinese, next to the field and at the top; what was typed stays.
    fill_applicant(citizen, credit_code)
    labelled(citizen, FORM).set_input_files(pdf("卫生许可申请表.pdf"))
    fill_captcha(citizen)
    citizen.get_by_role("button", name="提交申报").click()
    error = f"请上传“{LICENCE}”。"
    citizen.locator("#form-errors").get_by_role("link", name=f"{LICENCE}：{error}").wait_for()
    assert citizen.locator(".field.has-error .field-error").filter(has_text=error).count() == 1
    assert "提交未成功，请按提示修改后重新提交" in citizen.locator("#form-errors").inner_text()
    for label, text in TYPED.items():
        assert labelled(citizen, label).input_value() == text, label
    assert labelled(citizen, "身份证号码或统一社会信用代码").input_value() == credit_code
    selected = labelled(citizen, "申请人类型").evaluate("s => s.selectedOptions[0].textContent")
    assert selected == "法人或其他组织"
    assert not Application.objects.exists()
    no_serious_violations(citizen, axe_source, "在线申办（有错误）")

    # The files chosen before are gone with the page (browsers never refill file fields): both are chosen again.
    labelled(citizen, FORM).set_input_files(pdf("卫生许可申请表.pdf"))
    labelled(citizen, LICENCE).set_input_files(png("营业执照.png"))
    fill_captcha(citizen)
    citizen.get_by_role("button", name="提交申报").click()
    citizen.get_by_role("heading", level=1, name="申报已提交").wait_for()
    number = citizen.locator("#tracking-number").inner_text().strip()
    code = citizen.locator("#query-code").inner_text().strip()
    assert number and code
    application = Application.objects.get(tracking_number=number)
    assert application.status == ApplicationStatus.RECEIVED
    assert application.applicant_name == TYPED["申请人姓名或单位全称"]
    assert sorted(f.kind for f in application.files.all()) == ["pdf", "png"]
    assert code not in application.query_code_hash
    no_serious_violations(citizen, axe_source, "申报已提交")

    # 2. The health bureau's window clerk opens it from the list and asks once for a corrected licence.
    handler = session(browser, live_server, "wjj_window")
    handler.goto(live_server.url + "/admin/govservice/applications/")
    handler.locator("#applications").get_by_role("link", name=number).click()
    handler.locator("#status").filter(has_text="待受理").wait_for()
    assert handler.get_by_role("link", name="营业执照.png").is_visible()
    correction = action(handler, "一次性告知补正")
    correction.get_by_label(LICENCE).check()
    correction.get_by_label("补正内容").fill(CORRECTION_NOTE)
    correction.get_by_role("button", name="告知补正").click()
    handler.get_by_text("已一次性告知补正。").wait_for()
    handler.locator("#status").filter(has_text="待补正").wait_for()

    # A clerk of another bureau does not find it.
    other = session(browser, live_server, "slj_window")
    other.goto(live_server.url + "/admin/govservice/applications/")
    other.get_by_text("没有符合条件的申报。").wait_for()
    other.context.close()

    # 3. The citizen looks it up, reads what to correct, and uploads the licence again.
    citizen.goto(live_server.url + "/bsfw/cx/")
    no_serious_violations(citizen, axe_source, "办件查询")
    look_up(citizen, live_server, number, code)
    assert citizen.locator("#application-status").inner_text() == "待补正"
    citizen.get_by_text(f"需要补正：{LICENCE}。{CORRECTION_NOTE}").wait_for()
    no_serious_violations(citizen, axe_source, "办件查询（待补正）")
    labelled(citizen, LICENCE).set_input_files(pdf("营业执照（有效期内）.pdf"))
    labelled(citizen, "补正说明").fill("已换为有效期内的营业执照。")
    citizen.get_by_role("button", name="提交补正材料").click()
    citizen.get_by_role("status").filter(has_text="补正材料已提交").wait_for()
    assert citizen.locator("#application-status").inner_text() == "待受理"
    no_serious_violations(citizen, axe_source, "办件查询（补正已提交）")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RECEIVED
    assert application.files.filter(round=2, material_name=LICENCE).count() == 1

    # 4. The clerk accepts it, completes each step, decides 准予 and delivers.
    handler.reload()
    handler.get_by_role("link", name="营业执照（有效期内）.pdf").wait_for()
    action(handler, "受理").get_by_role("button", name="受理", exact=True).click()
    handler.get_by_text("已受理。").wait_for()
    handler.locator("#status").filter(has_text="办理中").wait_for()
    for step in STEPS:
        form = action(handler, f"完成“{step}”")
        form.get_by_label("办理意见").fill(f"{step}通过")
        form.get_by_role("button", name="完成本环节").click()
        handler.get_by_text("本环节已完成。").wait_for()
    decide = action(handler, "作出决定")
    decide.get_by_label("准予").check()
    decide.get_by_label("决定内容或理由").fill(DECISION)
    decide.get_by_role("button", name="作出决定").click()
    handler.get_by_text("已作出决定。").wait_for()
    handler.locator("#status").filter(has_text="待送达").wait_for()
    deliver = action(handler, "送达")
    deliver.get_by_label("送达方式").select_option("电子证照")
    deliver.get_by_role("button", name="送达并办结").click()
    handler.get_by_text("已送达，办结。").wait_for()
    handler.locator("#status").filter(has_text="已办结").wait_for()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.FINISHED
    assert application.case.finished_on is not None

    # 5. The citizen looks it up again: 已办结, the decision and the whole history.
    look_up(citizen, live_server, number, code)
    assert citizen.locator("#application-status").inner_text() == "已办结"
    assert citizen.locator("#decision").inner_text().strip() == f"准予：{DECISION}"
    events = citizen.locator("#application-events > li strong").all_inner_texts()
    assert events == [
        "收件",
        "一次性告知补正",
        "补正收件",
        "受理",
        *STEPS,
        "决定：准予",
        "送达办结",
    ]
    history = citizen.locator("#application-events").inner_text()
    assert CORRECTION_NOTE in history and "已换为有效期内的营业执照。" in history
    assert "以“电子证照”方式送达，办结。" in history
    assert citizen.locator("form").filter(has=citizen.get_by_role("button", name="提交补正材料")).count() == 0
    no_serious_violations(citizen, axe_source, "办件查询（已办结）")


def test_guide_and_form_in_traditional_and_elder_modes(live_server, browser, county, axe_source):
    item = county["item"]
    modes = {"繁体": ("/zh-hant", False), "长者模式": ("", True)}
    for mode, (prefix, elder) in modes.items():
        context = new_context(browser)
        if elder:
            context.add_init_script("localStorage.setItem('zw-elder', '1')")
        page = context.new_page()
        for name, path in (("办事指南", f"/bsfw/sx/{item.pk}/"), ("在线申办", f"/bsfw/sx/{item.pk}/sb/")):
            response = page.goto(live_server.url + prefix + path)
            assert response is not None and response.status == 200, f"{mode} {name}"
            if elder:
                assert page.evaluate("document.documentElement.classList.contains('elder')")
            if prefix:
                assert page.evaluate("document.documentElement.lang") == "zh-Hant"
            page.locator("h1").wait_for()
            no_serious_violations(page, axe_source, f"{name}（{mode}）")
        if prefix:
            # the link to the form leads on within the 繁体 variant
            page.goto(live_server.url + prefix + f"/bsfw/sx/{item.pk}/")
            page.get_by_role("link", name=re.compile("^在線申辦")).click()
            page.get_by_role("button", name="提交申報").wait_for()
            assert page.url == f"{live_server.url}{prefix}/bsfw/sx/{item.pk}/sb/"
        context.close()
