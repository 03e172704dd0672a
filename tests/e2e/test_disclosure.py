"""A member of the public applies for government information (依申请公开) on the demo county's portal, corrects a
mistake the form points out, keeps the tracking number and query code, and follows the request with the look-up
page: first waiting for confirmation, then with the due date and how it was computed; a forged code is refused."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.management import call_command
from wagtail.models import Site

from .test_accessibility import axe_source, run_axe  # noqa: F401  (axe_source is a fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BJ = ZoneInfo("Asia/Shanghai")
BAD_ID = "110105194912310021"  # the check digit of this 居民身份证号码 is X, not 1
GOOD_ID = "11010519491231002X"
DESCRIPTION = "2025年示范县城区道路改造工程的立项批复文件"
TYPED = {
    "姓名或名称": "张三",
    "联系电话": "13800138000",
    "电子邮箱": "zhangsan@example.com",
    "通信地址": "示范县城关镇人民路1号",
    "邮政编码": "419000",
    "所需政府信息的名称、文号或者便于查询的其他特征性描述": DESCRIPTION,
}
CHOSEN = {
    "受理机关": "示范县人民政府办公室",
    "申请人类型": "自然人",
    "证件类型": "居民身份证",
    "获取信息的方式": "电子文本（电子邮件、光盘等）",
    "信息的提供方式": "电子邮件",
}


def labelled(page, label: str):
    """The field whose label reads ``label`` (a required field's label ends with a hidden asterisk)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}\*?$"))


def fill_captcha(page) -> None:
    """Type the characters of the captcha image shown on the page. The test reads them from the captcha's own
    store, as the app's tests do, instead of from the picture; the production check itself is unchanged."""
    from captcha.models import CaptchaStore

    key = page.locator("input[name=captcha_0]").input_value()
    labelled(page, "验证码").fill(CaptchaStore.objects.get(hashkey=key).response.upper())


def selected_label(page, label: str) -> str:
    return labelled(page, label).evaluate("select => select.selectedOptions[0].textContent")


def assert_no_serious_violations(page, axe: str, state: str) -> None:
    """axe-core finds no critical or serious violation in the page as it is now (a state the page list of
    test_accessibility cannot reach: form errors, the submitted application, look-up results)."""
    problems = [
        f"{v['id']} {v['impact']} {[n['target'] for n in v['nodes'][:3]]}" for v in run_axe(page, axe)
    ]
    assert not problems, f"{state}：" + "；".join(problems)


def look_up(page, number: str, code: str) -> None:
    labelled(page, "受理编号").fill(number)
    labelled(page, "查询码").fill(code)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="查询").click()
    assert navigation.value.status == 200


def test_public_applies_corrects_an_error_and_follows_the_request(live_server, page, axe_source):  # noqa: F811
    from zhengwu.core.models import Staff
    from zhengwu.disclosure.models import DisclosureRequest, RequestState
    from zhengwu.disclosure.services.requests import confirm_receipt

    cache.clear()  # rate limits and look-up failures of earlier runs (Redis outlives the test database)
    call_command("setup", verbosity=0)
    call_command("demo", scale=0.05, verbosity=0)
    Site.objects.update(port=int(live_server.url.rsplit(":", 1)[1]))
    requests_before = DisclosureRequest.objects.count()

    page.goto(live_server.url + "/xxgk/")
    page.get_by_role("link", name="依申请公开", exact=True).click()
    page.get_by_role("heading", level=1, name="政府信息公开申请").wait_for()
    for label, option in CHOSEN.items():
        labelled(page, label).select_option(label=option)
    for label, text in TYPED.items():
        labelled(page, label).fill(text)
    labelled(page, "证件号码").fill(BAD_ID)
    fill_captcha(page)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="提交申请").click()
    assert navigation.value.status == 200

    # Refused in Chinese, next to the field and in the summary at the top; everything typed is still there.
    summary = page.locator("#form-errors")
    assert "提交未成功，请按提示修改后重新提交" in summary.inner_text()
    error = "居民身份证号码不正确，请核对（18 位，最后一位为校验码）。"
    summary.get_by_role("link", name=f"证件号码：{error}").click()
    id_field = labelled(page, "证件号码")
    assert page.evaluate("document.activeElement.id") == id_field.get_attribute("id")
    assert id_field.get_attribute("aria-invalid") == "true"
    assert id_field.input_value() == BAD_ID
    description = id_field.evaluate(
        "el => el.getAttribute('aria-describedby').split(' ')"
        ".map(id => document.getElementById(id)?.textContent ?? '<缺失>').join(' ')"
    )
    assert error in description and "<缺失>" not in description
    for label, text in TYPED.items():
        assert labelled(page, label).input_value() == text, label
    for label, option in CHOSEN.items():
        assert selected_label(page, label) == option, label
    assert labelled(page, "验证码").input_value() == ""
    assert DisclosureRequest.objects.count() == requests_before
    assert_no_serious_violations(page, axe_source, "申请表（有错误）")

    id_field.fill(GOOD_ID)
    fill_captcha(page)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="提交申请").click()
    assert navigation.value.status == 200
    page.get_by_role("heading", level=1, name="申请已提交").wait_for()
    notice = page.get_by_role("status").inner_text()
    number = re.search(r"受理编号：(\S+)", notice).group(1)
    code = re.search(r"查询码：(\S+)", notice).group(1)
    assert "以双方确认之日为收到申请之日（条例第三十一条第三项）" in notice
    assert "确认后开始计算答复期限" in notice
    request = DisclosureRequest.objects.get(tracking_number=number)
    assert DisclosureRequest.objects.count() == requests_before + 1
    assert request.state == RequestState.SUBMITTED and request.organization.name == CHOSEN["受理机关"]
    assert request.applicant_name == "张三" and request.description == DESCRIPTION
    assert code not in request.query_code_hash  # only a hash of the query code is kept
    assert_no_serious_violations(page, axe_source, "申请已提交")

    # Before the office confirms receipt there is no due date yet, and the page says why.
    page.get_by_role("link", name="查询办理进度").click()
    look_up(page, number, code)
    result = page.get_by_role("region", name=f"受理编号 {number}")
    table = result.locator("table").inner_text()
    assert "与您确认收到后开始计算" in table and "待确认" in table
    assert "以双方确认之日为收到申请之日" in result.locator(".explanation").inner_text()
    assert_no_serious_violations(page, axe_source, "查询结果（待确认）")

    # The office confirms with the applicant on a known day: 20 working days (Art. 33) across the 国庆 holiday.
    DisclosureRequest.objects.filter(pk=request.pk).update(
        submitted_at=dt.datetime(2026, 9, 15, 9, tzinfo=BJ)
    )
    confirm_receipt(
        request=request, received_on=dt.date(2026, 9, 16), actor=Staff.objects.get(username="xxgk")
    )

    page.get_by_role("link", name="查询其他申请").click()
    look_up(page, number.lower(), code.lower())  # typed in lower case: still found
    result = page.get_by_role("region", name=f"受理编号 {number}")
    rows = {
        row.locator("th").inner_text(): row.locator("td").inner_text() for row in result.locator("tr").all()
    }
    assert rows["收到申请日期"] == "2026年9月16日"
    assert rows["答复期限"].startswith("2026年10月20日")
    explanation = result.locator(".explanation").inner_text()
    assert "收到日期：2026年9月16日（星期三），当日不计入，自次日起计算" in explanation
    assert "第三十三条" in explanation and "国庆" in explanation

    # No query code, then a forged one: refused with a clear message, nothing about the request shown, the
    # number kept.
    page.get_by_role("link", name="查询其他申请").click()
    look_up(page, number, "")
    assert page.get_by_role("alert").get_by_role("link").inner_text().startswith("查询码：")
    assert labelled(page, "查询码").get_attribute("aria-invalid") == "true"
    assert labelled(page, "受理编号").input_value() == number
    forged = code[:-1] + ("2" if code[-1].upper() != "2" else "3")
    look_up(page, number, forged)
    assert "受理编号或查询码不正确" in page.get_by_role("alert").inner_text()
    assert page.get_by_role("region").count() == 0 and "答复期限" not in page.locator("main").inner_text()
    assert labelled(page, "受理编号").input_value() == number
    assert_no_serious_violations(page, axe_source, "查询失败")


def _small_county(live_server):
    """A county government, its office handling every request (as in the demo), an officer, and the portal."""
    from zhengwu.core.models import OrganizationKind, Role, Staff
    from zhengwu.core.services.orgs import create_organization
    from zhengwu.core.services.staff import assign_roles, sync_roles
    from zhengwu.core.validators import make_credit_code
    from zhengwu.disclosure.services.routing import set_request_route
    from zhengwu.portal.services import create_site

    call_command("setup", verbosity=0)
    sync_roles()
    root = create_organization(
        name="示范县人民政府",
        kind=OrganizationKind.GOVERNMENT,
        code="SFX",
        credit_code=make_credit_code("11990101000000001"),
        division_code="990101",
        parent=None,
        actor=None,
    )
    office = create_organization(
        name="示范县人民政府办公室",
        kind=OrganizationKind.DEPARTMENT,
        code="ZFB",
        credit_code=make_credit_code("11990101000000002"),
        division_code="990101",
        parent=root,
        actor=None,
    )
    officer = Staff(username="xxgk", display_name="孙公开", organization=office)
    officer.set_password("Shifan@2026-e2e")
    officer.save()
    assign_roles(staff=officer, roles=[Role.objects.get(code="disclosure_officer")], actor=None)
    for body in (root, office):
        set_request_route(organization=body, accepts_requests=True, handling_office=office, actor=None)
    create_site(
        organization=root,
        site_name="示范县人民政府",
        hostname="localhost",
        port=int(live_server.url.rsplit(":", 1)[1]),
        is_default=True,
        actor=None,
    )
    return office


def sms_texts(phone: str) -> list[str]:
    import json

    from django.conf import settings

    texts = []
    for path in sorted(settings.ZHENGWU_SMS_FILE_DIR.glob("sms-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["phone"] == phone:
                texts.append(row["text"])
    return texts


def wait_for_sms(phone: str, marker: str) -> str:
    """The SMS containing ``marker``: messages go out from a background task after the commit, so on a busy
    machine the page can be shown before the message is written."""
    import time

    from .conftest import TIMEOUT_MS

    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        found = [text for text in sms_texts(phone) if marker in text]
        if found:
            return found[-1]
        assert time.monotonic() < deadline, f"没有收到含“{marker}”的短信：{sms_texts(phone)}"
        time.sleep(0.2)


def test_sms_code_instead_of_the_image_receipt_and_query_code_resent(
    live_server,
    page,
    axe_source,  # noqa: F811
    settings,
    tmp_path,
):
    """Someone who cannot read the captcha image asks for an SMS code and applies with it; the receipt with the
    tracking number and query code arrives by SMS; having lost the code, they get a new one sent to the phone on
    record and look the request up with it."""
    from zhengwu.disclosure.models import DisclosureRequest

    cache.clear()
    settings.ZHENGWU_SMS_FILE_DIR = tmp_path / "sms"
    phone = "13800138000"
    _small_county(live_server)

    page.goto(live_server.url + "/xxgk/ysqgk/")
    for label, option in CHOSEN.items():
        labelled(page, label).select_option(label=option)
    for label, text in TYPED.items():
        labelled(page, label).fill(text)
    labelled(page, "证件号码").fill(GOOD_ID)
    page.get_by_role("button", name="获取短信验证码").click()
    status = page.locator(".sms-code-status")
    status.filter(has_text="验证码已发送至 138****8000").wait_for()
    assert page.get_by_role("button", name=re.compile("秒后可重新获取")).is_disabled()
    code_field = labelled(page, "短信验证码（可代替图片验证码）")
    assert page.evaluate("document.activeElement.id") == code_field.get_attribute("id")
    assert_no_serious_violations(page, axe_source, "申请表（已发送短信验证码）")
    code = re.search(r"验证码 (\d{6})", sms_texts(phone)[-1]).group(1)
    code_field.fill(code)
    assert labelled(page, "验证码").input_value() == ""  # the image is not needed
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="提交申请").click()
    assert navigation.value.status == 200
    page.get_by_role("heading", level=1, name="申请已提交").wait_for()
    notice = page.get_by_role("status").inner_text()
    number = re.search(r"受理编号：(\S+)", notice).group(1)
    first_code = re.search(r"查询码：(\S+)", notice).group(1)
    assert "回执（含受理编号和查询码）已发送至您的短信 138****8000" in notice
    assert (
        DisclosureRequest.objects.get(tracking_number=number).handling_office.name == "示范县人民政府办公室"
    )
    receipt = wait_for_sms(phone, "回执")
    assert number in receipt and first_code in receipt
    assert_no_serious_violations(page, axe_source, "申请已提交（回执已发送）")

    # The query code is lost: a new one goes to the phone on record.
    page.get_by_role("link", name="忘记查询码？").click()
    page.get_by_role("heading", level=1, name="重新获取查询码").wait_for()
    labelled(page, "受理编号").fill(number)
    labelled(page, "申请时填写的手机号码").fill("138 0013 8000")
    fill_captcha(page)
    assert_no_serious_violations(page, axe_source, "重新获取查询码")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="获取新的查询码").click()
    assert navigation.value.status == 200
    assert "新的查询码已通过短信发送到该手机" in page.get_by_role("status").inner_text()
    assert_no_serious_violations(page, axe_source, "重新获取查询码（已发送）")
    new_code = re.search(r"新查询码为 (\S+?)，", wait_for_sms(phone, "新查询码")).group(1)
    assert new_code != first_code

    page.get_by_role("link", name="凭新的查询码查询办理进度").click()
    look_up(page, number, first_code)
    assert "受理编号或查询码不正确" in page.get_by_role("alert").inner_text()
    look_up(page, number, new_code)
    page.get_by_role("region", name=f"受理编号 {number}").wait_for()
    assert_no_serious_violations(page, axe_source, "查询结果（新查询码）")
