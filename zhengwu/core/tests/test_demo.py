"""``zhengwu demo`` builds the county through the registry and prints every login it created, whichever app made
it; each printed login works."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from zhengwu.core.demo_core import DEMO_PASSWORD, STAFF


@pytest.mark.django_db
def test_demo_prints_every_account_and_each_one_logs_in(official_calendar, settings):
    from zhengwu.core.models import Organization, Staff
    from zhengwu.core.registry import registered_demo_accounts

    out = StringIO()
    call_command("demo", scale=0.02, stdout=out)
    text = out.getvalue()

    expected = {row[0] for row in STAFF} | {row[0] for row in registered_demo_accounts()}
    assert {"sysadmin", "xxgk", "xxgk_head"} <= expected
    printed = {
        line.split()[0] for line in text.split("演示账号（登录 /admin/）：", 1)[1].splitlines()[2:] if line
    }
    assert printed == expected
    assert DEMO_PASSWORD in text
    for username in expected:
        user = Staff.objects.get(username=username)
        assert user.is_active and user.check_password(DEMO_PASSWORD), username
        assert user.organization is not None
    assert Organization.objects.filter(kind="department").count() >= 30

    again = StringIO()
    call_command("demo", stdout=again)  # a second run leaves the county alone and prints the logins again
    assert "示范县已存在" in again.getvalue() and "xxgk" in again.getvalue()
