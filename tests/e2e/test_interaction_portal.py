"""互动交流 on the portal, in headless Chromium: a consultation takes a citizen's comment, closes, and its 采纳情况
is published by the drafting unit; the portal's header leads to 互动交流; axe reports no serious violation on the
mailbox pages and the 互动交流 entrance in 简体, 繁体 and 长者模式 (the engagement pages are checked in
test_engagement)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from .conftest import new_context
from .test_accessibility import axe_source, run_axe  # noqa: F401  (axe_source is a fixture)
from .test_disclosure import fill_captcha, labelled

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "Zw-Hudong-Passw0rd!"
COMMENT_ADOPTED = "建议在第十二条中明确农村集中供水工程的日常维护责任由乡镇承担，避免无人管理。"
COMMENT_REFUSED = "建议取消所有农村供水的水费，由县财政全额负担。"
REFUSAL_REASON = "农村供水实行有偿使用，水费标准由县发展改革局另行核定，本办法不作规定。"


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
        name="苍溪县人民政府",
        kind=OrganizationKind.GOVERNMENT,
        code="CXX",
        credit_code=make_credit_code("11510824000000001"),
        division_code="510824",
        parent=None,
        actor=None,
    )

    def org(name, code, serial):
        return create_organization(
            name=name,
            kind=OrganizationKind.DEPARTMENT,
            code=code,
            credit_code=make_credit_code(f"1151082400000{serial:04d}"),
            division_code="510824",
            parent=root,
            actor=None,
        )

    units = {"office": org("苍溪县人民政府办公室", "CXBGS", 2), "water": org("苍溪县水利局", "CXSLJ", 3)}
    for username, name, role, unit in (
        ("cx_xx", "罗信箱", "mailbox_office", "office"),
        ("cx_sl", "蒲水利", "liaison", "water"),
    ):
        staff = Staff(username=username, display_name=name, organization=units[unit])
        staff.set_password(PASSWORD)
        staff.save()
        assign_roles(staff=staff, roles=[Role.objects.get(code=role)], actor=None)
    create_site(
        organization=root,
        site_name="苍溪县人民政府",
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


def test_a_consultation_closes_and_its_adoption_is_published(live_server, browser, county):
    from zhengwu.interaction.models import Consultation, ConsultationComment
    from zhengwu.interaction.services import consultations

    today = timezone.localdate()
    consultation = Consultation.objects.create(
        organization=county["water"],
        title="苍溪县农村供水工程运行管理办法（征求意见稿）",
        draft="第十二条　农村集中供水工程由产权人负责运行维护。",
        explanation="为规范农村供水工程运行管理，起草了本办法。",
        opens_on=today - dt.timedelta(days=29),
        closes_on=today,
    )
    url = f"{live_server.url}/hudong/zj/{consultation.pk}/"
    # another citizen's comment, taken by the service the form uses
    consultations.submit_comment(
        consultation=consultation, name="王大成", phone="13980001111", content=COMMENT_REFUSED
    )

    # the citizen finds the consultation from the portal's header and comments on the last day
    citizen = new_context(browser).new_page()
    citizen.goto(live_server.url + "/")
    citizen.get_by_role("navigation", name="主导航").get_by_role("link", name="互动交流").click()
    citizen.get_by_role("main").get_by_role("link", name="意见征集", exact=True).click()
    citizen.get_by_role("link", name=consultation.title).click()
    citizen.wait_for_url(url)
    labelled(citizen, "姓名").fill("赵清泉")
    labelled(citizen, "联系电话").fill("13980002222")
    labelled(citizen, "意见建议").fill(COMMENT_ADOPTED)
    fill_captcha(citizen)
    citizen.get_by_role("button", name="提交意见").click()
    citizen.get_by_text("您的意见已提交，经审核后公开").wait_for()

    # the drafting unit moderates; before the close it cannot publish the 采纳情况
    water = session(browser, live_server, "cx_sl")
    manage = f"{live_server.url}/admin/engagement/consultations/{consultation.pk}/manage/"
    water.goto(manage)
    water.get_by_text("征集截止后可发布采纳情况。").wait_for()
    for content in (COMMENT_ADOPTED, COMMENT_REFUSED):
        water.locator("tr").filter(has_text=content).get_by_role("button", name="通过").click()
        water.get_by_text("审核结果已保存。").wait_for()

    # the period ends: the public page takes no more comments and says the feedback will follow
    Consultation.objects.filter(pk=consultation.pk).update(closes_on=today - dt.timedelta(days=1))
    citizen.goto(url)
    citizen.get_by_text("征集已结束，意见采纳情况整理后公布。").wait_for()
    assert citizen.get_by_role("button", name="提交意见").count() == 0

    water.goto(manage)
    adopted = water.locator("tr").filter(has_text=COMMENT_ADOPTED)
    adopted.get_by_label("采纳情况").select_option(label="采纳")
    adopted.get_by_role("button", name="保存").click()
    water.get_by_text("采纳情况已保存。").wait_for()
    # not adopting without a reason is refused, with the reason asked for
    refused = water.locator("tr").filter(has_text=COMMENT_REFUSED)
    refused.get_by_label("采纳情况").select_option(label="未采纳")
    refused.get_by_role("button", name="保存").click()
    water.get_by_text("未采纳或部分采纳的意见，请写明理由。").wait_for()
    refused = water.locator("tr").filter(has_text=COMMENT_REFUSED)
    refused.get_by_label("采纳情况").select_option(label="未采纳")
    refused.get_by_label("理由").fill(REFUSAL_REASON)
    refused.get_by_role("button", name="保存").click()
    water.get_by_text("采纳情况已保存。").wait_for()
    water.get_by_label("采纳情况说明").fill("共收到意见2条，采纳1条，已在办法第十二条中明确乡镇的维护责任。")
    water.get_by_role("button", name="发布采纳情况").click()
    water.get_by_text("采纳情况已发布。").wait_for()

    citizen.goto(url)
    feedback = citizen.locator("section.feedback")
    feedback.get_by_role("heading", name="意见采纳情况").wait_for()
    figures = " ".join(feedback.locator("p.figures").inner_text().split())
    assert figures == "共收到意见 2 条，采纳 1 条，部分采纳 0 条，未采纳 1 条。"
    assert feedback.get_by_text("已在办法第十二条中明确乡镇的维护责任").count() == 1
    assert feedback.locator("tr").filter(has_text=COMMENT_REFUSED).get_by_text(REFUSAL_REASON).count() == 1
    html = citizen.content()
    assert "赵清泉" not in html and "13980002222" not in html and "13980001111" not in html
    assert ConsultationComment.objects.filter(consultation=consultation, adoption="").count() == 0
    citizen.goto(f"{live_server.url}/hudong/zj/")
    citizen.locator("li").filter(has_text=consultation.title).get_by_text("已反馈采纳情况").wait_for()


def test_mailbox_pages_have_no_serious_violations_in_every_mode(
    live_server,
    browser,
    county,
    axe_source,  # noqa: F811
):
    from zhengwu.core.models import Staff
    from zhengwu.core.services import dispatch as engine
    from zhengwu.interaction.models import Mailbox
    from zhengwu.interaction.services import mailbox as svc

    office, liaison = Staff.objects.get(username="cx_xx"), Staff.objects.get(username="cx_sl")
    letter = svc.submit_letter(
        mailbox=Mailbox.objects.get(code="xianzhang"),
        kind="建议",
        title="建议在白驿镇增设农村客运班线",
        body="白驿镇到县城每天只有一班车，建议增加班次，方便群众出行。",
        writer_name="蒲秀英",
        writer_phone="13890003333",
        public_consent=True,
    )
    query_code = letter.query_code
    svc.screen_letter(letter=letter, valid=True, actor=office)
    assignment = svc.assign_letter(letter=letter, unit=county["water"], actor=office)
    engine.sign_assignment(assignment=assignment, actor=liaison)
    engine.reply_case(
        assignment=assignment, actor=liaison, text="您好：已转交通运输部门研究，下月起增开一班。"
    )
    svc.release_reply(
        letter=letter,
        actor=office,
        publish=True,
        published_body="白驿镇到县城每天只有一班车，建议增加班次，方便群众出行。",
    )
    letter.refresh_from_db()
    paths = {
        "互动交流": "/hudong/",
        "领导信箱": "/xinxiang/",
        "信箱页面": "/xinxiang/xianzhang/",
        "写信": "/xinxiang/xianzhang/xiexin/",
        "来信查询": "/xinxiang/cx/",
        "来信选登": f"/xinxiang/xianzhang/{letter.tracking_number}/",
    }
    modes = {"简体": ("", False), "繁体": ("/zh-hant", False), "长者模式": ("", True)}
    problems = []

    def check(page, mode, name, path):
        for violation in run_axe(page, axe_source):
            targets = [node["target"] for node in violation["nodes"][:3]]
            problems.append(
                f"{mode} {name}（{path}）：{violation['id']} {violation['impact']} {json.dumps(targets)}"
            )

    for mode, (prefix, elder) in modes.items():
        context = new_context(browser)
        if elder:
            context.add_init_script("localStorage.setItem('zw-elder', '1')")
        page = context.new_page()
        for name, path in paths.items():
            response = page.goto(live_server.url + prefix + path)
            assert response is not None and response.status == 200, f"{mode} {name}"
            if elder:
                assert "elder" in page.evaluate("document.documentElement.className")
            if prefix:
                assert page.evaluate("document.documentElement.lang") == "zh-Hant"
            check(page, mode, name, path)
        # the letter form with its errors shown, and the lookup's answer with the released reply
        page.goto(live_server.url + prefix + "/xinxiang/xianzhang/xiexin/")
        typed = "建議" if prefix else "建议"  # what a reader of each script types
        page.locator("input[name=title]").fill(typed)
        page.locator("main button[type=submit]").first.click()
        page.locator(".form-error").first.wait_for()
        assert page.locator("input[name=title]").input_value() == typed
        check(page, mode, "写信（有错误）", "/xinxiang/xianzhang/xiexin/")
        page.goto(live_server.url + prefix + "/xinxiang/cx/")
        page.locator("input[name=tracking_number]").fill(letter.tracking_number)
        page.locator("input[name=query_code]").fill(query_code)
        page.locator("main button[type=submit]").first.click()
        page.locator("#reply").wait_for()
        check(page, mode, "来信查询结果", "/xinxiang/cx/")
        context.close()
    assert not problems, "\n".join(problems)
