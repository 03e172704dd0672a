"""The captcha of public forms: described in Chinese, and 「看不清？换一张」 gives a new image without losing what was
typed."""

from __future__ import annotations

import pytest
from captcha.models import CaptchaStore

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_captcha_is_described_in_chinese_and_can_be_renewed(live_server, page, make_org):
    from django.core.management import call_command

    from zhengwu.core.models import OrganizationKind
    from zhengwu.portal.services import create_site

    call_command("setup", verbosity=0)
    create_site(
        organization=make_org("示范县人民政府", kind=OrganizationKind.GOVERNMENT),
        site_name="示范县人民政府",
        hostname="localhost",
        port=int(live_server.url.rsplit(":", 1)[1]),
        is_default=True,
        actor=None,
    )
    page.goto(live_server.url + "/xxgk/ysqgk/")
    image = page.locator("img.captcha")
    assert image.get_attribute("alt").startswith("验证码图片")
    old_src = image.get_attribute("src")
    old_key = page.locator('input[name="captcha_0"]').input_value()
    page.get_by_label("姓名或名称").fill("张三")

    page.get_by_role("button", name="看不清？换一张").click()
    page.wait_for_function(
        "src => document.querySelector('img.captcha').getAttribute('src') !== src", arg=old_src
    )

    new_key = page.locator('input[name="captcha_0"]').input_value()
    assert new_key != old_key and new_key in image.get_attribute("src")
    assert CaptchaStore.objects.filter(hashkey=new_key).exists()
    assert page.get_by_label("姓名或名称").input_value() == "张三"  # nothing typed is lost
    assert page.evaluate("document.activeElement.name") == "captcha_1"  # ready to type the new answer


def test_the_sms_alternative_is_reachable_by_keyboard_and_says_what_is_missing(live_server, page, make_org):
    """The 找错 form: the 「获取短信验证码」 button follows its phone field in the tab order; pressed with no number,
    it says so in its status line (read out by screen readers) and puts the focus on the phone field."""
    from django.core.management import call_command

    from zhengwu.core.models import OrganizationKind
    from zhengwu.portal.services import create_site

    call_command("setup", verbosity=0)
    create_site(
        organization=make_org("示范县人民政府", kind=OrganizationKind.GOVERNMENT),
        site_name="示范县人民政府",
        hostname="localhost",
        port=int(live_server.url.rsplit(":", 1)[1]),
        is_default=True,
        actor=None,
    )
    page.goto(live_server.url + "/jiucuo/")
    phone = page.get_by_label("接收短信验证码的手机号码")
    phone.focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    button = page.get_by_role("button", name="获取短信验证码")
    assert page.evaluate("document.activeElement.textContent") == "获取短信验证码"
    page.keyboard.press("Enter")
    status = page.locator(".sms-code-status")
    assert status.get_attribute("role") == "status"
    status.filter(has_text="请先填写接收验证码的手机号码。").wait_for()
    assert page.evaluate("document.activeElement.id") == phone.get_attribute("id")
    assert button.get_attribute("type") == "button"  # with JavaScript it does not submit the form
