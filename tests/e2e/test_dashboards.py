"""Every printed demo account logs in through the browser and lands on a non-empty, Chinese 工作台."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from wagtail.models import Site

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Wagtail's own words that must not reach a dashboard (the site summary, untranslated panel titles).
ENGLISH = re.compile(
    r"Pages created|Documents created|Images created|Your pages and snippets|Awaiting your review"
)


@pytest.fixture
def demo_county(live_server):
    call_command("setup", verbosity=0)
    call_command("demo", scale=0.05, verbosity=0)
    port = int(live_server.url.rsplit(":", 1)[1])
    Site.objects.update(port=port)
    return live_server


def test_every_demo_account_sees_its_work_in_chinese(demo_county, browser):
    from zhengwu.core.demo_core import demo_accounts

    accounts = demo_accounts()
    assert len(accounts) >= 20
    problems = []
    for account in accounts:
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
        page = context.new_page()
        page.set_default_timeout(30_000)
        try:
            page.goto(demo_county.url + "/admin/login/")
            page.get_by_label("用户名").fill(account.username)
            page.get_by_label("密码").fill(account.password)
            page.get_by_role("button", name="登录").click()
            page.wait_for_url(demo_county.url + "/admin/")
            main = page.locator("main.content-wrapper")  # the admin's own main region
            text = main.inner_text()
            panels = main.locator("section.panel")
            items = main.locator("section.panel li")
            if panels.count() == 0 or items.count() == 0:
                problems.append(f"{account.username}：工作台为空")
            if "我的工作台" not in text and "12345热线" not in text:
                problems.append(f"{account.username}：没有工作台面板")
            if ENGLISH.search(text):
                problems.append(f"{account.username}：英文 {ENGLISH.search(text).group(0)}")
            chinese = len(re.findall(r"[\u4e00-\u9fff]", text))
            if chinese < 10:
                problems.append(f"{account.username}：中文内容过少（{chinese} 字）")
            if "未读消息" in text:
                problems.append(f"{account.username}：演示历史消息未处理")
            assert page.evaluate("document.documentElement.lang") == "zh-hans"
        finally:
            context.close()
    assert not problems, "\n".join(problems)
