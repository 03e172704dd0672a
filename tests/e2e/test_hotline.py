"""12345 as people use it, in headless Chromium: an operator takes a call, finds the knowledge-base answer as they
type and answers directly with the keyboard (the draft survives a reload); another call is dispatched, signed,
returned, re-dispatched, extended, replied with an attachment, reviewed, called back and finished, each person on
their own pages, with the clock shown at each step; axe finds no serious violation on these pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command

from .conftest import new_context
from .test_accessibility import axe_source, run_axe  # noqa: F401  (axe_source is a fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "Zw-Hotline-Passw0rd!"
CONTENT = "建设路菜市场门口每天早上有流动摊贩占道经营，车辆无法通行。"


@pytest.fixture
def county():
    from zhengwu.core.models import Organization, OrganizationKind, Role, Staff
    from zhengwu.core.services.orgs import create_organization
    from zhengwu.core.services.staff import assign_roles
    from zhengwu.core.validators import make_credit_code
    from zhengwu.interaction.models import Category
    from zhengwu.interaction.services.knowledge import save_entry

    cache.clear()
    call_command("setup", verbosity=0)
    root = create_organization(
        name="青川县人民政府",
        kind=OrganizationKind.GOVERNMENT,
        code="QCX",
        credit_code=make_credit_code("11510822000000001"),
        division_code="510822",
        parent=None,
        actor=None,
    )

    def org(name, code, serial, kind=OrganizationKind.DEPARTMENT):
        return create_organization(
            name=name,
            kind=kind,
            code=code,
            credit_code=make_credit_code(f"1151082200000{serial:04d}"),
            division_code="510822",
            parent=root,
            actor=None,
        )

    units = {
        "center": org("青川县12345热线中心", "QC12345", 2, OrganizationKind.INSTITUTION),
        "cgj": org("青川县城市管理局", "QCCGJ", 3),
        "scj": org("青川县市场监督管理局", "QCSCJ", 4),
    }
    for username, name, role, unit in (
        ("op", "孙话务", "hotline", "center"),
        ("sup", "周值班长", "hotline_supervisor", "center"),
        ("cgj", "吴城管", "hotline_handler", "cgj"),
        ("scj", "钱市监", "hotline_handler", "scj"),
    ):
        staff = Staff(username=username, display_name=name, organization=units[unit])
        staff.set_password(PASSWORD)
        staff.save()
        assign_roles(staff=staff, roles=[Role.objects.get(code=role)], actor=None)
    category = Category.objects.get(path="城乡建设/市容环境/占道经营")
    category.lead_unit = units["cgj"]
    category.save()
    save_entry(
        actor=None,
        category=category,
        title="流动摊贩占道经营归哪个部门管",
        answer="占道经营由县城市管理局负责查处，城管执法人员将在1个工作日内到场处置。",
        keywords="摆摊,夜市,流动摊贩",
        owner_unit=units["cgj"],
        source="",
        valid_from=dt.date(2026, 1, 1),
        valid_until=None,
    )
    assert Organization.objects.count() == 4
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


def fill_call(page, *, kind="咨询") -> None:
    page.get_by_label("来电号码", exact=True).fill("13900001111")
    page.get_by_label("来电人", exact=True).fill("李四")
    page.get_by_label("诉求类型", exact=True).select_option(kind)
    page.get_by_label("诉求分类", exact=True).select_option(label="城乡建设/市容环境/占道经营")
    page.get_by_label("诉求内容", exact=True).fill(CONTENT)


def test_operator_answers_from_the_knowledge_base_with_the_keyboard(live_server, browser, county, axe_source):  # noqa: F811
    from zhengwu.interaction.models import WorkOrder

    page = session(browser, live_server, "op")
    page.goto(live_server.url + "/admin/hotline/console/")
    fill_call(page)
    hit = page.locator("#kb-hits li").first
    hit.get_by_text("流动摊贩占道经营归哪个部门管").wait_for()
    page.get_by_text(re.compile("草稿已保存")).wait_for()
    no_serious_violations(page, axe_source, "受理台")

    # The line drops: the page is reloaded and what was typed comes back from the server.
    page.reload()
    page.get_by_text("已恢复上次未提交的受理内容").wait_for()
    assert page.get_by_label("诉求内容", exact=True).input_value() == CONTENT
    assert page.get_by_label("来电号码", exact=True).input_value() == "13900001111"
    hit = page.locator("#kb-hits li").first
    hit.get_by_text("流动摊贩占道经营归哪个部门管").wait_for()

    page.keyboard.press("Alt+1")
    assert (
        page.get_by_label("答复内容", exact=True).input_value().startswith("占道经营由县城市管理局负责查处")
    )
    page.keyboard.press("Alt+D")
    page.get_by_text(re.compile(r"已直接答复，工单编号 RX\d+")).wait_for()
    order = WorkOrder.objects.get()
    assert order.outcome == "直接答复" and order.knowledge_entry.use_count == 1
    assert page.get_by_label("诉求内容", exact=True).input_value() == ""  # a fresh console for the next call
    page.context.close()


def clock_rows(page) -> dict[str, str]:
    rows = {}
    for row in page.locator("#clocks tbody tr").all():
        cells = row.locator("td").all_inner_texts()
        rows[cells[0] + ":" + cells[1]] = " ".join(cells[2:])
    return rows


def act(page, heading: str, fields: dict[str, str] | None = None, *, choose: str = "", files=None) -> None:
    form = page.locator("form.zw-action", has=page.get_by_role("heading", name=heading, exact=True))
    for label, value in (fields or {}).items():
        target = form.get_by_label(re.compile(rf"^{re.escape(label)}\s*\*?$"))
        if target.evaluate("el => el.tagName") == "SELECT":
            target.select_option(label=value)
        else:
            target.fill(value)
    if choose:
        form.get_by_label(choose, exact=True).check()
    if files:
        form.get_by_label("附件", exact=True).set_input_files(files)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_a_call_through_the_whole_lifecycle_with_the_clock_at_each_step(
    live_server,
    browser,
    county,
    axe_source,  # noqa: F811
    tmp_path,
):
    from zhengwu.interaction.models import WorkOrder

    operator = session(browser, live_server, "op")
    operator.goto(live_server.url + "/admin/hotline/console/")
    fill_call(operator, kind="投诉")
    operator.locator("#catalog-hint").get_by_text("已按派单目录建议主办单位：青川县城市管理局").wait_for()
    operator.keyboard.press("Alt+P")
    operator.get_by_text(re.compile("已派单给青川县城市管理局")).wait_for()
    order = WorkOrder.objects.get()
    url = f"{live_server.url}/admin/hotline/orders/{order.pk}/"

    operator.goto(url)
    clocks = clock_rows(operator)
    assert "签收:青川县城市管理局" in clocks and "办理:青川县城市管理局" in clocks
    assert "正常" in clocks["办理:青川县城市管理局"]
    no_serious_violations(operator, axe_source, "工单（已派单）")

    # The 城管局 signs, then returns it: not theirs.
    cgj = session(browser, live_server, "cgj")
    cgj.goto(live_server.url + "/admin/hotline/orders/?queue=unsigned")
    cgj.get_by_role("link", name=order.tracking_number).click()
    cgj.wait_for_url(url)
    assert "签收:青川县城市管理局" in clock_rows(cgj)
    act(cgj, "签收（青川县城市管理局，主办）")
    cgj.get_by_text("已签收。").wait_for()
    assert "签收:青川县城市管理局" not in clock_rows(cgj) and "办理:青川县城市管理局" in clock_rows(cgj)
    act(cgj, "退单（青川县城市管理局，主办）", {"理由": "摊贩销售无证食品，属市场监管职责"})
    cgj.get_by_text("已提交退单申请，待热线审核。").wait_for()
    no_serious_violations(cgj, axe_source, "工单（承办单位）")

    # The supervisor approves the return; the case waits for re-dispatch, its clocks stopped.
    sup = session(browser, live_server, "sup")
    sup.goto(url)
    act(sup, "退单审核（青川县城市管理局）", choose="同意")
    sup.get_by_text("已审核退单。").wait_for()
    assert sup.locator("#clocks").count() == 0 and "待派单" in sup.locator("main").inner_text()

    # The operator re-dispatches to the 市场监管局: outside the 派单目录, so a reason is asked for first.
    operator.goto(url)
    act(operator, "派单（主办或协办）", {"承办单位": "青川县市场监督管理局"})
    operator.get_by_text("不在该分类的派单目录中").first.wait_for()
    act(
        operator,
        "派单（主办或协办）",
        {"承办单位": "青川县市场监督管理局", "派单理由（派单目录外必填）": "涉及食品经营许可"},
    )
    operator.get_by_text("已派单。").wait_for()
    assert "办理:青川县市场监督管理局" in clock_rows(operator)

    # The 市场监管局 signs and asks for 5 more working days; the supervisor approves before the due date.
    scj = session(browser, live_server, "scj")
    scj.goto(url)
    act(scj, "签收（青川县市场监督管理局，主办）")
    due_before = clock_rows(scj)["办理:青川县市场监督管理局"]
    act(scj, "申请延期（青川县市场监督管理局，主办）", {"延期工作日": "5", "延期理由": "需要联合执法并抽检"})
    scj.get_by_text("已提交延期申请。").wait_for()
    sup.goto(url)
    act(sup, "延期审批（5个工作日）", choose="同意")
    sup.get_by_text("已审批延期。").wait_for()
    due_after = clock_rows(sup)["办理:青川县市场监督管理局"]
    assert due_after != due_before
    order.refresh_from_db()
    assert order.extended_workdays == 5
    assert f"{order.handle_due_at.astimezone(dt.timezone(dt.timedelta(hours=8))):%Y年%-m月%-d日}" in due_after

    # The reply, with a PDF attached.
    pdf = tmp_path / "现场核查记录.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    scj.goto(url)
    act(
        scj,
        "答复（青川县市场监督管理局，主办）",
        {"答复内容": "已责令摊贩办理食品经营许可，现场已清理，并安排每日巡查。"},
        files=str(pdf),
    )
    scj.get_by_text("已答复，待热线审核。").wait_for()
    assert scj.get_by_role("link", name="现场核查记录.pdf").count() == 1

    # The operator reviews, calls back and finishes: 按期办结.
    operator.goto(url)
    act(operator, "审核答复", choose="审核通过")
    act(operator, "回访", {"回访记录": "来电人表示摊贩已搬离"}, choose="满意")
    operator.get_by_text("已记录回访。").wait_for()
    act(operator, "办结")
    operator.get_by_text("已办结。").wait_for()
    assert "按期办结" in clock_rows(operator)["办理:青川县市场监督管理局"]
    timeline = operator.locator("main table").last.inner_text()
    for step in (
        "派单",
        "签收",
        "退单申请",
        "同意退单",
        "延期申请",
        "批准延期",
        "答复",
        "回访：满意",
        "办结",
    ):
        assert step in timeline, step
    no_serious_violations(operator, axe_source, "工单（已办结）")
    operator.goto(live_server.url + "/admin/hotline/orders/")
    no_serious_violations(operator, axe_source, "工单列表")
    sup.goto(live_server.url + "/admin/hotline/kpi/")
    assert "按期办结率" in sup.locator("#kpi-overall").inner_text()
    no_serious_violations(sup, axe_source, "热线统计")
    for page in (operator, cgj, sup, scj):
        page.context.close()
