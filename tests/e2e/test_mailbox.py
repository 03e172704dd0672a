"""县长信箱 as people use it, in headless Chromium: a citizen writes and gets a number and query code; the mailbox
office screens and assigns in the admin, the department signs and replies, the office releases; the citizen reads
the released reply and rates it. A refused letter shows its reason. axe finds no serious violation on the public
pages, in 简 and 繁."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.core.management import call_command

from .conftest import new_context
from .test_accessibility import axe_source, run_axe  # noqa: F401  (axe_source is a fixture)
from .test_disclosure import fill_captcha, labelled

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "Zw-Mailbox-Passw0rd!"


@pytest.fixture
def county(settings, live_server):
    from zhengwu.core.models import OrganizationKind, Role, Staff
    from zhengwu.core.services.orgs import create_organization
    from zhengwu.core.services.staff import assign_roles
    from zhengwu.core.validators import make_credit_code
    from zhengwu.interaction.services.mailbox import create_mailbox
    from zhengwu.portal.services import create_site

    settings.ZHENGWU_SMS_CODES = False
    cache.clear()
    call_command("setup", verbosity=0)
    root = create_organization(
        name="旺苍县人民政府",
        kind=OrganizationKind.GOVERNMENT,
        code="WCX",
        credit_code=make_credit_code("11510821000000001"),
        division_code="510821",
        parent=None,
        actor=None,
    )

    def org(name, code, serial):
        return create_organization(
            name=name,
            kind=OrganizationKind.DEPARTMENT,
            code=code,
            credit_code=make_credit_code(f"1151082100000{serial:04d}"),
            division_code="510821",
            parent=root,
            actor=None,
        )

    units = {"office": org("旺苍县人民政府办公室", "WCBGS", 2), "water": org("旺苍县水利局", "WCSLJ", 3)}
    for username, name, role, unit in (
        ("xx", "陈信箱", "mailbox_office", "office"),
        ("sl", "李水利", "liaison", "water"),
    ):
        staff = Staff(username=username, display_name=name, organization=units[unit])
        staff.set_password(PASSWORD)
        staff.save()
        assign_roles(staff=staff, roles=[Role.objects.get(code=role)], actor=None)
    create_site(
        organization=root,
        site_name="旺苍县人民政府",
        hostname="localhost",
        port=int(live_server.url.rsplit(":", 1)[1]),
        is_default=True,
        intro="县政府门户网站。",
        actor=None,
    )
    create_mailbox(code="xianzhang", name="县长信箱", organization=units["office"], intro="欢迎来信。")
    return units


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
    return page.locator("section.zw-action").filter(has=page.get_by_role("heading", name=heading, exact=True))


def write(page, live_server, *, title: str, body: str) -> tuple[str, str]:
    page.goto(live_server.url + "/xinxiang/xianzhang/xiexin/")
    labelled(page, "真实姓名").fill("杜思远")
    labelled(page, "联系电话").fill("13688889999")
    labelled(page, "来信类型").select_option("求助")
    labelled(page, "标题").fill(title)
    labelled(page, "来信内容").fill(body)
    page.get_by_label(re.compile("^同意公开")).check()
    fill_captcha(page)
    page.get_by_role("button", name="提交").click()
    number = page.locator("#tracking-number").inner_text()
    code = page.locator("#query-code").inner_text()
    return number, code


def look_up(page, live_server, number: str, code: str) -> None:
    page.goto(live_server.url + "/xinxiang/cx/")
    labelled(page, "信件编号").fill(number)
    labelled(page, "查询码").fill(code)
    page.get_by_role("button", name="查询").click()


def test_a_citizen_writes_the_office_and_department_answer_and_the_citizen_rates(
    live_server,
    browser,
    county,
    axe_source,  # noqa: F811
):
    from zhengwu.interaction.models import Letter

    citizen = new_context(browser).new_page()
    citizen.goto(live_server.url + "/xinxiang/xianzhang/")
    no_serious_violations(citizen, axe_source, "信箱页面")
    citizen.goto(live_server.url + "/xinxiang/xianzhang/xiexin/")
    no_serious_violations(citizen, axe_source, "写信")
    # a first try with an emoji-only body is explained and keeps the title
    labelled(citizen, "真实姓名").fill("杜思远")
    labelled(citizen, "标题").fill("东河村饮水管道漏水")
    labelled(citizen, "来信内容").fill("😡😡😡😡😡😡😡😡😡😡")
    fill_captcha(citizen)
    citizen.get_by_role("button", name="提交").click()
    citizen.get_by_text("来信内容不能只有表情或符号").first.wait_for()
    assert labelled(citizen, "标题").input_value() == "东河村饮水管道漏水"
    no_serious_violations(citizen, axe_source, "写信（有错误）")

    number, code = write(
        citizen,
        live_server,
        title="东河村饮水管道漏水",
        body="东河村三组饮水主管道漏水一周了，村里水压很低，老人挑水困难，请帮忙协调维修。",
    )
    assert re.fullmatch(r"XX\d{12}[0-9A-Z*]", number)
    no_serious_violations(citizen, axe_source, "来信已提交")
    look_up(citizen, live_server, number, code)
    citizen.get_by_text("待审查").wait_for()
    no_serious_violations(citizen, axe_source, "来信查询结果")

    letter = Letter.objects.get(tracking_number=number)
    url = f"{live_server.url}/admin/mailbox/letters/{letter.pk}/"
    office = session(browser, live_server, "xx")
    office.goto(url)
    screen = action(office, "审查")
    screen.get_by_label("有效", exact=True).check()
    screen.get_by_role("button", name="审查").click()
    office.get_by_text("已审查为有效，请交办").wait_for()
    assign = action(office, "交办")
    assign.get_by_label("承办单位").select_option(label="旺苍县水利局")
    assign.get_by_label("交办意见").fill("请核实后答复来信人")
    assign.get_by_role("button", name="交办").click()
    office.get_by_text("已交办").first.wait_for()

    water = session(browser, live_server, "sl")
    water.goto(url)
    action(water, "签收（旺苍县水利局）").locator("button[type=submit]").click()
    water.get_by_text("已签收").first.wait_for()
    reply = action(water, "答复（旺苍县水利局）")
    reply.get_by_label("答复内容").fill("您好！东河村三组主管道已于今日更换破损管段，恢复正常供水。")
    reply.locator("button[type=submit]").click()
    water.get_by_text("待信箱办公室审核发布").wait_for()

    # before the office releases it, the citizen does not see the reply
    look_up(citizen, live_server, number, code)
    citizen.get_by_text("办理中").wait_for()
    assert "更换破损管段" not in citizen.content()

    office.goto(url)
    release = action(office, "审核通过并发布答复")
    release.get_by_label(re.compile("^来信选登")).check()
    release.locator("button[type=submit]").click()
    office.get_by_text("答复已发布，已告知来信人").wait_for()

    look_up(citizen, live_server, number, code)
    citizen.get_by_text("更换破损管段").wait_for()
    no_serious_violations(citizen, axe_source, "来信查询（可评价）")
    citizen.get_by_label("满意", exact=True).check()
    citizen.get_by_role("button", name="提交评价").click()
    citizen.get_by_text("感谢您的评价").wait_for()
    letter.refresh_from_db()
    assert letter.last_rating == "满意" and letter.finished_at is not None

    citizen.goto(live_server.url + "/xinxiang/xianzhang/")
    citizen.get_by_role("link", name="东河村饮水管道漏水").click()
    citizen.get_by_text("更换破损管段").wait_for()
    assert "杜思远" not in citizen.content() and "13688889999" not in citizen.content()
    no_serious_violations(citizen, axe_source, "来信选登")
    citizen.goto(live_server.url + "/zh-hant/xinxiang/xianzhang/")
    citizen.get_by_text("來信選登").first.wait_for()
    no_serious_violations(citizen, axe_source, "信箱页面（繁体）")


def test_a_refused_letter_shows_its_reason(live_server, browser, county):
    from zhengwu.interaction.models import Letter

    citizen = new_context(browser).new_page()
    number, code = write(
        citizen,
        live_server,
        title="低价出售农用车",
        body="本人有一台农用车低价出售，有意者电话联系，价格面议。",
    )
    letter = Letter.objects.get(tracking_number=number)
    office = session(browser, live_server, "xx")
    office.goto(f"{live_server.url}/admin/mailbox/letters/{letter.pk}/")
    screen = action(office, "审查")
    screen.get_by_label("不予受理", exact=True).check()
    screen.get_by_label("不予受理理由").select_option(label="广告或与政务无关的内容")
    screen.get_by_role("button", name="审查").click()
    office.get_by_text("已不予受理，理由已告知来信人").wait_for()
    look_up(citizen, live_server, number, code)
    citizen.locator("#refusal").get_by_text("广告或与政务无关").wait_for()
