"""The admin on a 390 px phone: list pages keep Chinese text readable — no header title, button or list cell is
squeezed to one character per line."""

from __future__ import annotations

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PAGES = ("/admin/organizations/", "/admin/users/", "/admin/calendar/", "/admin/audit-log/")

# Each text element's width in units of its font size: one character per line means a width under 2.
NARROWEST = """
() => [...document.querySelectorAll('.w-slim-header h1, #w-slim-header-buttons a, table.listing td')]
  .filter(el => /[\\u4e00-\\u9fff]{2}/.test(el.innerText) && el.getBoundingClientRect().width > 2)  // not the 1 px screen-reader copies
  .map(el => {
    const size = parseFloat(getComputedStyle(el).fontSize);
    const style = getComputedStyle(el);
    const inner = el.getBoundingClientRect().width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return [inner / size, el.innerText.trim().slice(0, 20)];
  })
  .sort((a, b) => a[0] - b[0])[0] || [99, ''];
"""


def test_admin_lists_stay_readable_at_390_px(live_server, browser):
    from zhengwu.core.models import Organization, Staff

    call_command("setup", verbosity=0)
    call_command("demo", scale=0.05, verbosity=0)
    admin = Staff.objects.create_superuser(username="narrow_check", password="Zw-Test-Passw0rd!")
    admin.organization = Organization.objects.get(parent__isnull=True)
    admin.save(update_fields=["organization"])
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(live_server.url + "/admin/login/")
        page.get_by_label("用户名").fill("narrow_check")
        page.get_by_label("密码").fill("Zw-Test-Passw0rd!")
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(live_server.url + "/admin/")
        squeezed = []
        for path in PAGES:
            page.goto(live_server.url + path)
            width, text = page.evaluate(NARROWEST)
            if width < 2:
                squeezed.append(f"{path}：“{text}”只有 {width:.1f} 个字宽")
        assert not squeezed, "\n".join(squeezed)
    finally:
        context.close()
