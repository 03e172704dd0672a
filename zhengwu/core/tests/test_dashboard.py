"""Each demo account's admin home page shows its own work: review steps with drafts waiting, requests and clocks,
work orders, findings and error reports — counted from the cases, in Chinese, without stale messages, and never
another site's or another role's work."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from zhengwu.core.demo_core import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def dashboard(client, username: str) -> str:
    client.logout()
    response = client.post("/admin/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, username
    html = client.get("/admin/").content.decode()
    main = html.split('id="main"', 1)[1]
    text = re.sub(r"<script.*?</script>", " ", main, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))


def count(text: str, label: str) -> int:
    match = re.search(re.escape(label) + r" ：\s*(\d+)", text)
    assert match, f"{label} not in {text[:600]}"
    return int(match.group(1))


def test_every_demo_account_opens_on_its_own_work(client, official_calendar):
    from zhengwu.core.demo_core import demo_accounts
    from zhengwu.core.models import Notification

    call_command("demo", scale=0.02, verbosity=0, stdout=None)
    assert not Notification.objects.filter(read_at__isnull=True).exists()  # the demo's history is not news
    pages = {account.username: dashboard(client, account.username) for account in demo_accounts()}
    for username, text in pages.items():
        assert "我的工作台" in text or "12345热线" in text, username
        assert "Pages created" not in text and "Documents created" not in text, username
        assert "未读消息" not in text, username

    # 三审: each step's reviewers see the draft waiting at their step, and only their own site's.
    assert count(pages["reviewer"], "待我审核的稿件") == 1  # 示范县 初审
    assert count(pages["deputy_editor"], "待我审核的稿件") == 1  # 示范县 复审
    assert count(pages["chief_editor"], "待我审核的稿件") == 0
    assert count(pages["fgw_admin"], "待我审核的稿件") == 1  # 发改委 终审
    assert count(pages["fgw_reviewer"], "待我审核的稿件") == 0
    assert count(pages["qs_reviewer"], "待我审核的稿件") == 1  # 青山镇 初审
    assert count(pages["qs_head"], "待我审核的稿件") == 0
    assert count(pages["editor"], "我提交的审核中稿件") == 2
    assert count(pages["qs_liaison"], "我提交的审核中稿件") == 1

    # The 三员 see their own duty and nothing of the others'.
    assert "账号管理" in pages["sysadmin"] and "安全审计" not in pages["sysadmin"]
    assert "角色与权限" in pages["secadmin"] and "账号管理" not in pages["secadmin"]
    assert "安全审计" in pages["auditor"] and "角色与权限" not in pages["auditor"]
    assert count(pages["auditor"], "今日审计记录") > 0
    for username in ("sysadmin", "secadmin", "auditor"):
        assert "稿件审核" not in pages[username] and "依申请公开" not in pages[username]

    # 依申请公开 handlers and the leader see requests and their clocks; 12345 accounts their work orders.
    for username in ("xxgk", "xxgk_head", "fgw_liaison", "leader"):
        assert "依申请公开" in pages[username] and "超期" in pages[username], username
    for username in ("hotline", "hotline_sup", "cgj_handler"):
        assert "12345热线" in pages[username], username
    # 网站纠错 and 网站检查: the 电子政务办 sees every site's, a site's manager only their own.
    supervisor = count(pages["zwb_web"], "待答复的网站纠错")
    assert supervisor >= count(pages["fgw_admin"], "待答复的网站纠错") + count(
        pages["qs_head"], "待答复的网站纠错"
    )
    assert count(pages["zwb_web"], "受检网站") == 3 and count(pages["qs_head"], "受检网站") == 1
    assert "网站纠错" not in pages["editor"] and "网站检查" not in pages["editor"]

    # 领导信箱: the mailbox office sees the letters it must screen, counted from the letters themselves.
    from zhengwu.interaction.models import Letter, Screening

    assert (
        count(pages["xx_office"], "待审查来信") == Letter.objects.filter(screening=Screening.PENDING).count()
    )
    assert "超期未答复来信" in pages["xx_office"]
    assert "领导信箱" not in pages["editor"] and "领导信箱" not in pages["sysadmin"]

    # 资源目录: the county office reviews entries and settles 异议; a department answers the requests it received.
    from zhengwu.catalog.models import Resource, ResourceStatus

    assert count(pages["catalog_admin"], "待审核的目录条目") == (
        Resource.objects.filter(status=ResourceStatus.SUBMITTED).count()
    )
    assert "待处理的共享异议" in pages["catalog_admin"]
    assert "待答复的共享申请" in pages["gaj_catalog"] and "待处理的共享异议" not in pages["gaj_catalog"]
