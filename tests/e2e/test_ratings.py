"""政务服务“好差评” as people use it, in headless Chromium: an application the health bureau has finished (set up
through the service layer, as test_applications drives it in the browser) is looked up by its applicant, who rates
it 不满意 — a first try without a 差评 tag or reason is refused in Chinese and keeps every chosen level — and then
with a tag and a reason, and is given the 整改编号. The bureau's window clerk calls back (a too-short note is refused
and kept) and reports the fix; the 好差评 office approves it, calls the rater back and finishes it. The public
好差评公示 shows the bureau's 差评整改率 100.0% and the fix. axe finds no serious violation on the rating form (also
with its error), the confirmation, the guide rating page and the 公示, and on the last two in 繁体 and the
older-users mode."""

# ruff: noqa: F811  (county, credit_code and axe_source are fixtures imported from other test modules)
from __future__ import annotations

import re

import pytest

from .conftest import new_context
from .test_accessibility import axe_source  # noqa: F401  (a fixture)
from .test_applications import (  # noqa: F401  (county and credit_code are fixtures)
    DECISION,
    ITEM,
    PASSWORD,
    STEPS,
    TYPED,
    county,
    credit_code,
    look_up,
    no_serious_violations,
    session,
)
from .test_disclosure import labelled

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

UNIT = "松阳县卫生健康局"
OFFICE = "松阳县政务服务管理办公室"
OVERALL = "整体满意度"
# the level chosen for each online indicator, by its label on the form
LEVELS = {
    OVERALL: "不满意（☆☆）",
    "办事效率": "基本满意（☆☆☆）",
    "办事指南精确度": "满意（☆☆☆☆）",
    "办事便捷度": "非常满意（☆☆☆☆☆）",
    "平台操作性": "不满意（☆☆）",
}
SCORES = {OVERALL: 2, "办事效率": 3, "办事指南精确度": 4, "办事便捷度": 5, "平台操作性": 2}
TAG = "办理时间过长"
TAGS_LEGEND = re.compile("^差评标签")
REASON = "现场核查约了三次才来，前后拖了两周才拿到许可证。"
REASON_ERROR = "选择“不满意”或“非常不满意”的，请选择差评标签或填写理由（至少 5 个字）。"
SHORT_NOTE = "已电话回访。"
VERIFY_ERROR = "请写明回访核实情况（联系评价人的时间、方式和核实结果，至少 10 个字）。"
VERIFY_NOTE = "已于当日电话联系评价人，核实现场核查预约三次未到属实，系核查人员排班冲突所致。"
FIX = "已调整现场核查排班，实行预约后两个工作日内上门核查，并对相关人员进行了批评教育。"


@pytest.fixture
def office(county):
    """The 好差评 office (service_admin) in the county's 政务服务管理办公室; the limits of 差评整改 loaded by setup."""
    from zhengwu.core.models import DispatchLimit, OrganizationKind, Role, Staff
    from zhengwu.core.services.orgs import create_organization
    from zhengwu.core.services.staff import assign_roles
    from zhengwu.core.validators import make_credit_code
    from zhengwu.govservice.services.ratings import load_rating_rules

    load_rating_rules()  # idempotent: setup step 55 already ran in the county fixture
    assert set(DispatchLimit.objects.filter(case_type="rating").values_list("stage", flat=True)) == {
        "sign",
        "handle",
    }
    unit = create_organization(
        name=OFFICE,
        kind=OrganizationKind.DEPARTMENT,
        code="ZWB",
        credit_code=make_credit_code("11331124000000009"),
        division_code="331124",
        parent=county["health"].parent,
        actor=None,
    )
    staff = Staff(username="hcp_office", display_name="林好差评", organization=unit)
    staff.set_password(PASSWORD)
    staff.save()
    assign_roles(staff=staff, roles=[Role.objects.get(code="service_admin")], actor=None)
    return staff


def finished_application(item, credit_code):
    """An online application the health bureau has accepted, handled, granted and delivered: (application, code)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhengwu.core.models import Staff
    from zhengwu.govservice.models import ApplicationStatus
    from zhengwu.govservice.services import applications as svc

    from .test_applications import PDF, _png

    materials = list(item.current_version.materials.order_by("position"))
    application = svc.submit_application(
        item=item,
        applicant=svc.Applicant(
            kind="legal",
            name=TYPED["申请人姓名或单位全称"],
            id_number=credit_code,
            phone=TYPED["联系电话"],
            contact_name=TYPED["经办人"],
        ),
        form_data={"matter": TYPED["申请事项说明"], "address": TYPED["联系地址"]},
        files={
            materials[0].pk: [SimpleUploadedFile("申请表.pdf", PDF, content_type="application/pdf")],
            materials[1].pk: [SimpleUploadedFile("营业执照.png", _png(), content_type="image/png")],
        },
    )
    code = application.query_code
    clerk = Staff.objects.get(username="wjj_window")
    application = svc.accept(application=application, actor=clerk)
    for step in STEPS:
        application = svc.complete_step(application=application, actor=clerk, note=f"{step}通过")
    application = svc.decide(application=application, actor=clerk, grant=True, reason=DECISION)
    application = svc.deliver(application=application, actor=clerk, method="电子证照")
    assert application.status == ApplicationStatus.FINISHED
    return application, code


def indicator(page, name: str):
    """The radio group (a fieldset) of one indicator; a required group's legend ends with a hidden asterisk."""
    return page.get_by_role("group", name=re.compile(rf"^{re.escape(name)}\*?$"))


def action(page, heading: str):
    """The action section of the admin's rectification page headed ``heading``."""
    return page.locator("section.zw-action").filter(has=page.get_by_role("heading", name=heading, exact=True))


def act(page, heading: str, done: str):
    """Submit the action ``heading`` and wait for the admin's message ``done``."""
    action(page, heading).get_by_role("button", name=heading, exact=True).click()
    page.locator(".messages").get_by_text(done).wait_for()


def test_a_citizen_rates_a_finished_application_badly_and_the_unit_rectifies_it(
    live_server, browser, county, credit_code, office, axe_source
):
    from zhengwu.govservice.models import Rectification, ServiceRating

    item = county["item"]
    application, code = finished_application(item, credit_code)
    number = application.tracking_number
    citizen = new_context(browser).new_page()

    # 1. The citizen looks the application up: 已办结, and the rating form with one radio group per indicator.
    look_up(citizen, live_server, number, code)
    assert citizen.locator("#application-status").inner_text() == "已办结"
    citizen.get_by_role("heading", name="评价本次办理（好差评）").wait_for()
    for name in LEVELS:
        group = indicator(citizen, name)
        assert group.get_by_role("radio").count() == 5, name
        assert group.get_by_label("非常满意（☆☆☆☆☆）", exact=True).is_visible(), name
    no_serious_violations(citizen, axe_source, "办件查询（评价表）")

    # A 不满意 without a tag or a reason: refused in Chinese, at the top and at the field; every choice stays.
    for name, label in LEVELS.items():
        indicator(citizen, name).get_by_label(label, exact=True).check()
    citizen.get_by_role("button", name="提交评价").click()
    citizen.locator("#form-errors").get_by_text(REASON_ERROR).wait_for()
    assert "提交未成功，请按提示修改后重新提交" in citizen.locator("#form-errors").inner_text()
    assert citizen.locator(".field.has-error .field-error").filter(has_text=REASON_ERROR).count() == 1
    assert citizen.locator("#application-status").inner_text() == "已办结"
    for name, label in LEVELS.items():
        group = indicator(citizen, name)
        assert group.get_by_label(label, exact=True).is_checked(), name
        assert group.locator("input:checked").count() == 1, name
    assert not ServiceRating.objects.exists()
    no_serious_violations(citizen, axe_source, "办件查询（评价有错误）")

    # With a 差评 tag and a reason the rating is taken and a rectification opened.
    citizen.get_by_role("group", name=TAGS_LEGEND).get_by_label(TAG, exact=True).check()
    labelled(citizen, "评价内容").fill(REASON)
    citizen.get_by_role("button", name="提交评价").click()
    result = citizen.locator("#rating-result")
    result.wait_for()
    text = result.inner_text()
    assert text.startswith("感谢您的评价：不满意。"), text
    found = re.search(rf"差评已交{UNIT}回访核实并整改，整改编号 (\S+)（办理中）", text)
    assert found, text
    rating = ServiceRating.objects.get(application=application)
    rectification = Rectification.objects.get(rating=rating)
    assert found.group(1) == rectification.tracking_number
    assert rating.level == 2 and rating.scores == SCORES
    assert rating.tags == [TAG] and rating.reason == REASON
    assert rating.real_name and rating.rater_name == TYPED["申请人姓名或单位全称"]
    assert rating.organization == county["health"]
    assert rectification.handle_due_at is not None  # the 整改 limit of setup step 55
    assert citizen.get_by_role("button", name="提交评价").count() == 0
    no_serious_violations(citizen, axe_source, "办件查询（评价已提交）")

    # The guide's own rating page (综合点评) passes axe too.
    citizen.goto(f"{live_server.url}/bsfw/sx/{item.pk}/pj/")
    citizen.get_by_role("heading", level=1, name=f"评价：{ITEM}").wait_for()
    assert indicator(citizen, OVERALL).get_by_role("radio").count() == 5
    no_serious_violations(citizen, axe_source, "办事指南评价")

    # 2. The health bureau's clerk finds it under 好差评, calls the rater back, and reports the fix.
    clerk = session(browser, live_server, "wjj_window")
    clerk.get_by_role("link", name="好差评", exact=True).click()
    clerk.wait_for_url(f"{live_server.url}/admin/govservice/ratings/")
    clerk.locator("#ratings").get_by_role("link", name=rectification.tracking_number).click()
    clerk.wait_for_url(f"{live_server.url}/admin/govservice/rectifications/{rectification.pk}/")
    clerk.locator("#rectification-state").filter(has_text="办理中").wait_for()
    assert clerk.get_by_text(REASON).is_visible()
    assert action(clerk, "审核整改情况").count() == 0  # the office's, not the unit's
    verify = action(clerk, "回访核实并签收")
    verify.get_by_label("回访核实情况").fill(SHORT_NOTE)
    verify.get_by_role("button", name="回访核实并签收").click()
    verify = action(clerk, "回访核实并签收")
    verify.locator(".zw-error").filter(has_text=VERIFY_ERROR).wait_for()
    assert verify.get_by_label("回访核实情况").input_value() == SHORT_NOTE
    rectification.refresh_from_db()
    assert rectification.verified_at is None
    verify.get_by_label("回访核实情况").fill(VERIFY_NOTE)
    act(clerk, "回访核实并签收", "已记录回访核实情况并签收")
    assert VERIFY_NOTE in clerk.locator("table.zw-meta").inner_text()
    action(clerk, "报告整改情况").get_by_label("整改情况").fill(FIX)
    act(clerk, "报告整改情况", "整改情况已报告，待审核")
    clerk.locator("#rectification-state").filter(has_text="已答复待审核").wait_for()
    assert action(clerk, "报告整改情况").count() == 0

    # 3. The 好差评 office approves the report, calls the rater back and finishes it.
    desk = session(browser, live_server, "hcp_office")
    desk.goto(f"{live_server.url}/admin/govservice/rectifications/{rectification.pk}/")
    desk.locator("#rectification-state").filter(has_text="已答复待审核").wait_for()
    action(desk, "审核整改情况").get_by_label("审核通过", exact=True).check()
    act(desk, "审核整改情况", "整改情况审核通过，请回访评价人")
    desk.locator("#rectification-state").filter(has_text="待回访").wait_for()
    callback = action(desk, "回访评价人")
    callback.get_by_label("满意", exact=True).check()
    callback.get_by_label("回访记录（评价人对整改的意见）").fill("评价人认可整改措施。")
    act(desk, "回访评价人", "已记录回访")
    act(desk, "办结", "已办结")
    state = desk.locator("#rectification-state")
    state.filter(has_text="已办结").wait_for()
    assert state.inner_text().strip() == "已办结"
    assert action(desk, "办结").count() == 0
    rectification.refresh_from_db()
    assert rectification.dispatch_state == "finished" and rectification.public_reply == FIX
    assert rectification.last_rating == "满意"

    # 4. The citizen sees the rating kept on the look-up page, and the bureau's figures and the fix in 好差评公示.
    look_up(citizen, live_server, number, code)
    kept = citizen.locator("#rating-result").inner_text()
    assert (
        kept.startswith("您已评价：不满意。")
        and f"整改编号 {rectification.tracking_number}（已办结）" in kept
    )
    citizen.goto(live_server.url + "/bsfw/hcp/")
    citizen.get_by_role("heading", level=1, name="政务服务“好差评”公示").wait_for()
    row = citizen.locator("#ratings-table tbody tr").filter(has=citizen.get_by_role("rowheader", name=UNIT))
    assert row.locator("td").all_inner_texts() == ["1", "0.0%", "1", "100.0%"]
    assert "实名差评整改率 100.0%" in citizen.locator("#ratings-summary").inner_text()
    citizen.get_by_role("heading", level=2, name="差评整改情况").wait_for()
    fixes = citizen.locator("#rectification-list > li").all_inner_texts()
    assert len(fixes) == 1 and fixes[0].startswith(f"{ITEM}（{UNIT}，") and fixes[0].endswith(f"：{FIX}")
    no_serious_violations(citizen, axe_source, "好差评公示")


def test_rating_pages_in_traditional_and_elder_modes(
    live_server, browser, county, credit_code, office, axe_source
):
    """The guide rating page and 好差评公示 (with a unit's figures and a fix listed) in 繁体 and the older-users
    mode; the rectification is driven through the service layer."""
    from zhengwu.core.models import CaseReply, Staff
    from zhengwu.core.services import dispatch as engine
    from zhengwu.govservice.services import ratings as svc

    item = county["item"]
    application, _code = finished_application(item, credit_code)
    rating = svc.submit_rating(
        channel="online",
        data=svc.RatingInput(scores=SCORES, tags=[TAG], reason=REASON),
        application=application,
    )
    rectification = rating.rectification
    clerk = Staff.objects.get(username="wjj_window")
    svc.verify(rectification=rectification, note=VERIFY_NOTE, actor=clerk)
    svc.report(rectification=rectification, text=FIX, actor=clerk)
    reply = CaseReply.objects.get(object_id=rectification.pk, state="pending")
    engine.review_reply(reply=reply, accept=True, actor=office)
    engine.record_callback(case=rectification, rating="满意", actor=office)
    engine.finish_case(case=rectification, actor=office)

    modes = {"繁体": ("/zh-hant", False), "长者模式": ("", True)}
    for mode, (prefix, elder) in modes.items():
        context = new_context(browser)
        if elder:
            context.add_init_script("localStorage.setItem('zw-elder', '1')")
        page = context.new_page()
        for name, path in (("办事指南评价", f"/bsfw/sx/{item.pk}/pj/"), ("好差评公示", "/bsfw/hcp/")):
            response = page.goto(live_server.url + prefix + path)
            assert response is not None and response.status == 200, f"{mode} {name}"
            if elder:
                assert page.evaluate("document.documentElement.classList.contains('elder')")
            if prefix:
                assert page.evaluate("document.documentElement.lang") == "zh-Hant"
            page.locator("h1").wait_for()
            no_serious_violations(page, axe_source, f"{name}（{mode}）")
        # the 公示 shows the unit's 100.0% and the fix in either mode
        assert page.locator("#ratings-table tbody tr td").all_inner_texts() == ["1", "0.0%", "1", "100.0%"]
        assert page.locator("#rectification-list > li").count() == 1
        context.close()
