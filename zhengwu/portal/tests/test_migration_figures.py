"""Figures of 改版迁移 and 机构改革 (issue item 3): pages imported, redirects active and hit, and items that still point
at a vanished organization — from constructed data whose counts are known here, through
``zhengwu portal migration-figures`` and on the admin's 网站迁移 page."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from wagtail.contrib.redirects.models import Redirect

from zhengwu.core.models import HostRedirect, OrganizationKind
from zhengwu.core.services.staff import create_staff, sync_roles
from zhengwu.portal.models import ArticlePage, ColumnPage, ImportedAsset, ImportedPage
from zhengwu.portal.services import create_site

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def any_host(settings):
    settings.ALLOWED_HOSTS = ["*"]


def add(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def world(make_org, make_staff, client):
    county = make_org("云岭县人民政府", kind=OrganizationKind.GOVERNMENT, code="YLX")
    fgw = make_org("云岭县发展和改革局", parent=county, code="YLFGW")
    site = create_site(
        organization=fgw, site_name="云岭县发展和改革局", hostname="fgw.yunling.test", actor=None
    )
    home = site.root_page.specific
    news = add(home, ColumnPage(title="工作动态", slug="gzdt"))
    when = timezone.make_aware(dt.datetime(2026, 5, 6, 9, 0))
    dated = add(news, ArticlePage(title="召开项目调度会", slug="a1", published_at=when, body="<p>调度。</p>"))
    undated = add(news, ArticlePage(title="价格监测周报", slug="a2", published_at=when, body="<p>周报。</p>"))
    withdrawn = add(
        news, ArticlePage(title="已撤下的通知", slug="a3", published_at=when, body="<p>通知。</p>")
    )
    withdrawn.unpublish()

    def record(old_path, kind, page, published):
        redirect = Redirect.objects.create(
            old_path=Redirect.normalise_path(old_path), site=site, redirect_page=page, is_permanent=True
        )
        return ImportedPage.objects.create(
            site=site, old_url=f"http://old.fgw.test{old_path}", kind=kind, page=page, redirect=redirect,
            title=page.title, published=published,
        )  # fmt: skip

    record("/gzdt/index.html", "column", news, None)
    record("/gzdt/1.html", "article", dated, dt.date(2026, 5, 6))
    record("/gzdt/2.html", "article", undated, None)  # no date on the old page
    record(
        "/gzdt/3.html", "article", withdrawn, dt.date(2026, 4, 1)
    )  # unpublished since: its redirect is dead
    ImportedPage.objects.create(
        site=site, old_url="http://old.fgw.test/gzdt/4.html", kind="article", page=None
    )
    for name in ("a.pdf", "b.png"):
        ImportedAsset.objects.create(site=site, old_url=f"http://old.fgw.test/files/{name}")

    # 机构改革: the old 物价局 ceased; its host answers 301 to the 发改局's site.
    wjj = make_org(
        "原云岭县物价局", parent=county, code="YLWJJ", is_active=False, ceased_on=dt.date(2026, 6, 1)
    )
    HostRedirect.objects.create(old_hostname="wjj.yunling.test", target_site=site)
    # Left behind at the ceased body: one active account and one active sub-unit (live); a disabled account is
    # history and does not count.
    make_staff("wjj_left", organization=wjj)
    make_staff("wjj_gone", organization=wjj, is_active=False)
    make_org("原物价局价格监测中心", parent=wjj, code="YLJCZX")

    # Visits: 3 + 1 to two imported paths, 2 to the old host, none to the others.
    for path, times in (("/gzdt/1.html", 3), ("/gzdt/index.html", 1)):
        for _ in range(times):
            assert client.get(path, HTTP_HOST="fgw.yunling.test").status_code == 301
    for _ in range(2):
        assert client.get("/zwgk/", HTTP_HOST="wjj.yunling.test").status_code == 301
    assert client.get("/never.html", HTTP_HOST="fgw.yunling.test").status_code == 404
    return {"site": site, "county": county, "fgw": fgw, "wjj": wjj}


EXPECTED_SITE = {
    "site": "fgw.yunling.test",
    "pages_imported": 3,
    "columns_imported": 1,
    "attachments_imported": 2,
    "pages_undated": 1,
    "pages_deleted_since": 1,
    "redirects_active": 3,
    "redirects_to_unpublished": 1,
    "redirects_hit": 2,
    "redirect_hits": 4,
}


@pytest.mark.django_db
def test_migration_figures_command_counts_what_was_built(world, capsys, tmp_path):
    call_command("portal", "migration-figures", "--format", "json")
    figures = json.loads(capsys.readouterr().out)
    assert figures["imports"] == [EXPECTED_SITE]
    assert figures["totals"] == {k: v for k, v in EXPECTED_SITE.items() if k != "site"}
    assert figures["host_redirects"] == {
        "host_redirects": 1,
        "host_redirects_hit": 1,
        "host_redirect_hits": 2,
    }
    left = {(row["model"], row["field"]): row for row in figures["vanished"]["left_behind"]}
    assert set(left) == {("core.staff", "organization"), ("core.organization", "parent")}
    assert left[("core.staff", "organization")]["count"] == 1
    assert left[("core.organization", "parent")]["organizations"] == ["原云岭县物价局"]
    assert figures["vanished"]["total"] == 2

    out = tmp_path / "figures.json"
    call_command(
        "portal", "migration-figures", "--format", "json", "--site", "fgw.yunling.test", "--out", str(out)
    )
    assert capsys.readouterr().out == ""
    assert json.loads(out.read_text(encoding="utf-8"))["imports"] == [EXPECTED_SITE]

    call_command("portal", "migration-figures")
    text = capsys.readouterr().out
    assert (
        "导入页面 3 个" in text
        and "被访问过 2 条，共 4 次" in text
        and "仍指向已撤销或停用机构的事项 2 项" in text
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--site", "bad host!"], "目标主机名“bad host!”格式错误"),
        (["--site", "none.yunling.test"], "找不到主机名为“none.yunling.test”的网站"),
        (["--out", "/nonexistent-dir/figures.json"], "无法写入输出文件“/nonexistent-dir/figures.json”"),
    ],
)
def test_bad_input_is_refused_in_chinese(world, args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("portal", "migration-figures", "--format", "json", *args)


def test_bad_input_exits_non_zero():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "zhengwu.settings.test", "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "portal", "migration-figures", "--site", "bad host!"],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "目标主机名“bad host!”格式错误" in result.stderr
    assert result.stdout == ""


@pytest.mark.django_db
def test_the_admin_page_shows_the_figures(world, make_org, make_staff, client):
    from django.contrib.auth.models import Permission

    sync_roles()
    supervisor = create_staff(
        username="yl_jianguan", display_name="监管员", organization=world["county"], password="Yunling#2026hill",
        roles=["site_supervisor"], actor=None,
    )  # fmt: skip
    client.force_login(supervisor)
    html = client.get("/admin/portal/site-import/").content.decode()
    assert (
        "<td>fgw.yunling.test</td><td>3</td><td>1</td><td>2</td><td>1</td><td>3</td><td>1</td><td>2</td><td>4</td>"
        in html
    )
    assert "原网站域名跳转 1 个，其中被访问过 1 个，共跳转 2 次" in html
    assert "仍指向已撤销或停用机构的事项：2 项" in html and "原云岭县物价局" in html

    # Staff of another organization (not county-wide) see neither this site's figures nor the county-wide ones.
    jyj = make_org("云岭县教育局", parent=world["county"], code="YLJYJ")
    other = make_staff("yl_jyj_web", organization=jyj)
    other.user_permissions.add(
        Permission.objects.get(codename="view_siteimportrun"), Permission.objects.get(codename="access_admin")
    )
    client.force_login(other)
    html = client.get("/admin/portal/site-import/").content.decode()
    assert "还没有导入过网站" in html and "fgw.yunling.test" not in html
    assert "仍指向已撤销或停用机构的事项" not in html and "原网站域名跳转" not in html
