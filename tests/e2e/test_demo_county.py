"""A person opens the demo county's portal and logs into the admin with a printed demo account."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from wagtail.models import Site

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo_county(live_server, settings):
    call_command("setup", verbosity=0)
    call_command("demo", scale=0.05, verbosity=0)
    # The demo portal answers on 127.0.0.1:8000; point it at the live server's port for this test.
    port = int(live_server.url.rsplit(":", 1)[1])
    Site.objects.update(port=port)
    return live_server


def test_portal_home_and_admin_login(demo_county, page):
    from zhengwu.core.demo_core import DEMO_PASSWORD

    page.goto(demo_county.url + "/")
    assert page.title() == "示范县人民政府"
    assert page.get_by_role("heading", level=1).inner_text() == "示范县人民政府"
    assert page.get_by_role("link", name="示范县发展和改革委员会").count() == 1
    assert "主办单位：示范县人民政府" in page.locator("footer").inner_text()

    page.goto(demo_county.url + "/admin/")
    page.get_by_label("用户名").fill("editor")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(demo_county.url + "/admin/")
    assert "王编辑" in page.content()


def test_wrong_password_keeps_username_and_says_why(demo_county, page):
    page.goto(demo_county.url + "/admin/login/")
    page.get_by_label("用户名").fill("editor")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    page.get_by_text("用户名或密码不正确，请重新输入。").wait_for()
    assert page.get_by_label("用户名").input_value() == "editor"
