"""改版迁移 from the admin: the 电子政务办's 网站监管员 starts an import of an old site (a corpus site served over HTTP),
the background task runs it, the run page shows its finished figures and the mapping report downloads; bad input
is answered in Chinese keeping what was typed; other roles, and another organization's staff, are refused."""

from __future__ import annotations

import io
import json
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import load_workbook

from zhengwu.core.models import OrganizationKind
from zhengwu.core.services.orgs import create_organization
from zhengwu.core.services.staff import create_staff, sync_roles
from zhengwu.core.validators import make_credit_code
from zhengwu.inspection.corpus import AS_OF, FAMILIES, build_corpus
from zhengwu.inspection.corpus.serve import Server
from zhengwu.portal.models import ColumnPage, ContentPage, ImportedPage, SiteImportRun
from zhengwu.portal.services import create_site

PASSWORD = "Sanhe#2026river"
INDEX = "/admin/portal/site-import/"


def credit(serial: int) -> str:
    return make_credit_code(f"11990505{serial:09d}")


@pytest.fixture(autouse=True)
def any_host(settings):
    settings.ALLOWED_HOSTS = ["*"]


@pytest.fixture
def county(db):
    sync_roles()
    root = create_organization(
        name="三河县人民政府", kind=OrganizationKind.GOVERNMENT, code="SHX", credit_code=credit(1),
        division_code="990505", actor=None,
    )  # fmt: skip

    def org(name, code, serial):
        return create_organization(
            name=name, kind=OrganizationKind.DEPARTMENT, code=code, credit_code=credit(serial),
            division_code="990505", parent=root, actor=None,
        )  # fmt: skip

    orgs = {"root": root, "zwb": org("三河县政务服务和大数据管理局", "SHZWB", 2),
            "sfj": org("三河县司法局", "SHSFJ", 3), "wjw": org("三河县卫生健康委员会", "SHWJW", 4)}  # fmt: skip

    def person(username, org_key, roles):
        return create_staff(
            username=username, display_name=username, organization=orgs[org_key], password=PASSWORD, roles=roles,
            actor=None,
        )  # fmt: skip

    people = {
        "supervisor": person("sh_jianguan", "zwb", ["site_supervisor"]),
        "manager": person("sh_sfj_web", "sfj", ["site_manager"]),
        "editor": person("sh_sfj_editor", "sfj", ["editor"]),
    }
    return orgs, people


@pytest.fixture
def old_site():
    family = next(f for f in FAMILIES if f.code == "kpy")
    site = next(s for s in build_corpus(external_base="http://127.0.0.1:9", families=(family,)) if s.clean)
    with Server(site.resources) as server:
        yield site, server


def html_paths(site) -> set[str]:
    return {
        path
        for path, res in site.resources.items()
        if res.status == 200 and res.content_type.startswith("text/html") and path != "/"
    }


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.mark.django_db
def test_supervisor_imports_a_site_from_the_admin_and_downloads_the_report(
    county, old_site, client, django_capture_on_commit_callbacks
):
    orgs, people = county
    site_data, server = old_site
    client.force_login(people["supervisor"])
    page = client.get(INDEX)
    assert page.status_code == 200
    assert "开始导入" in page.content.decode()
    assert INDEX in client.get("/admin/").content.decode()  # the menu entry

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            INDEX,
            {"start_url": server.base + "/", "hostname": "sfj.sanhe.example", "organization": orgs["sfj"].pk,
             "as_of": AS_OF.isoformat()},
        )  # fmt: skip
    run = SiteImportRun.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/site-import/{run.pk}/")

    # The background task ran: the site was created under the organization and every page imported.
    assert run.status == "finished", run.error
    assert run.site.hostname == "sfj.sanhe.example"
    assert run.site.root_page.specific.organization == orgs["sfj"]
    expected = html_paths(site_data)
    assert {path_of(r.old_url) for r in ImportedPage.objects.filter(site=run.site)} == expected

    progress = client.get(reverse("portal_site_import_progress", args=[run.pk])).json()
    assert progress["status"] == "finished" and not progress["active"]
    assert (
        progress["done"]
        == progress["total"]
        == ContentPage.objects.descendant_of(run.site.root_page)
        .exclude(pk__in=ColumnPage.objects.values("pk"))
        .count()
    )
    assert progress["pages"] == len(expected)

    detail = client.get(reverse("portal_site_import_detail", args=[run.pk])).content.decode()
    assert "已完成" in detail and 'http-equiv="refresh"' not in detail
    assert f"映射页面 {len(expected)} 个" in detail
    assert "下载映射报告（xlsx）" in detail

    xlsx = client.get(reverse("portal_site_import_report", args=[run.pk, "xlsx"]))
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content if xlsx.streaming else [xlsx.content])))
    rows = list(book["页面映射"].iter_rows(values_only=True))
    assert rows[0][:2] == ("原网址", "新网址")
    assert {path_of(r[0]) for r in rows[1:]} == expected
    assert all(r[1].startswith("http://sfj.sanhe.example/") for r in rows[1:])

    report = json.loads(client.get(reverse("portal_site_import_report", args=[run.pk, "json"])).content)
    assert {path_of(p["old_url"]) for p in report["pages"]} == expected
    # The index lists the run with its report links and the figures of the imported site.
    index = client.get(INDEX).content.decode()
    assert (
        "sfj.sanhe.example" in index and reverse("portal_site_import_report", args=[run.pk, "json"]) in index
    )


@pytest.mark.django_db
def test_a_running_import_page_refreshes_and_has_no_report_yet(county, client):
    orgs, people = county
    run = SiteImportRun.objects.create(
        start_url="http://old.example/", hostname="x.sanhe.example", organization=orgs["sfj"], status="running",
        stage="写入页面", done=120, total=480,
    )  # fmt: skip
    client.force_login(people["supervisor"])
    detail = client.get(reverse("portal_site_import_detail", args=[run.pk])).content.decode()
    assert 'http-equiv="refresh"' in detail and "120 / 480" in detail and "写入页面" in detail
    data = client.get(reverse("portal_site_import_progress", args=[run.pk])).json()
    assert (data["active"], data["done"], data["total"], data["stage"]) == (True, 120, 480, "写入页面")
    assert client.get(reverse("portal_site_import_report", args=[run.pk, "xlsx"])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("start_url", "http://127.0.0.1:9/old/", "无法访问原网站“http://127.0.0.1:9/old/”"),
        ("start_url", "ftp://old.sanhe.example/", "原网站地址“ftp://old.sanhe.example/”格式错误"),
        ("hostname", "bad host!", "目标主机名“bad host!”格式错误"),
        ("organization", "999999", "所选主办单位不存在或不在您的机构范围内"),
        ("as_of", "2026-02-30", "判断日期应为 YYYY-MM-DD 格式的有效日期"),
    ],
)
def test_bad_input_is_answered_in_chinese_keeping_what_was_typed(
    county, old_site, client, field, value, message
):
    orgs, people = county
    _site, server = old_site
    data = {"start_url": server.base + "/", "hostname": "new.sanhe.example", "organization": orgs["sfj"].pk,
            "as_of": "2026-11-20", field: value}  # fmt: skip
    client.force_login(people["supervisor"])
    response = client.post(INDEX, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    for key in ("start_url", "hostname"):
        assert f'value="{data[key]}"' in html
    assert not SiteImportRun.objects.exists()


@pytest.mark.django_db
def test_roles_without_the_permission_are_refused(county, old_site, client):
    orgs, people = county
    _site, server = old_site
    data = {"start_url": server.base + "/", "hostname": "new.sanhe.example", "organization": orgs["sfj"].pk}
    for who in ("editor", "manager"):
        client.force_login(people[who])
        assert client.get(INDEX).status_code in (302, 403)
        assert client.post(INDEX, data).status_code in (302, 403)
        assert INDEX not in client.get("/admin/").content.decode()
    assert not SiteImportRun.objects.exists()


@pytest.mark.django_db
def test_another_organizations_staff_cannot_import_into_its_site(county, old_site, client):
    orgs, people = county
    _site, server = old_site
    create_site(
        organization=orgs["wjw"], site_name="三河县卫生健康委员会", hostname="wjw.sanhe.example", actor=None
    )
    liaison = people["manager"]  # 司法局, given the import permission but not county-wide access
    liaison.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_siteimportrun", "view_siteimportrun"])
    )
    client.force_login(liaison)
    assert client.get(INDEX).status_code == 200

    # Into the 卫健委's existing site: refused, with the typed input kept.
    response = client.post(INDEX, {"start_url": server.base + "/", "hostname": "wjw.sanhe.example"})
    html = response.content.decode()
    assert "不能向其他单位的网站导入内容" in html and 'value="wjw.sanhe.example"' in html
    # Creating a site under the 卫健委: it is not even a choice.
    response = client.post(
        INDEX,
        {"start_url": server.base + "/", "hostname": "new.sanhe.example", "organization": orgs["wjw"].pk},
    )
    assert "所选主办单位不存在或不在您的机构范围内" in response.content.decode()
    assert not SiteImportRun.objects.exists()

    # A run of another organization is not shown to them.
    other = SiteImportRun.objects.create(
        start_url="http://old.example/", hostname="wjw.sanhe.example", organization=orgs["wjw"], status="finished",
        report={"pages": [], "attachments": [], "unmapped": []},
    )  # fmt: skip
    assert client.get(reverse("portal_site_import_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("portal_site_import_report", args=[other.pk, "json"])).status_code == 404
    assert "wjw.sanhe.example" not in client.get(INDEX).content.decode()
