"""网站检查 and 网站纠错 in the admin: the 电子政务办's 网站监管员 sees every site, a site's 网站管理员 only the sites of
their own organization (another site's data is refused as not found), other roles not at all; the permissions
are listed in the role editor."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from zhengwu.core.models import AuditLog, OrganizationKind, Role
from zhengwu.core.services.orgs import create_organization
from zhengwu.core.services.staff import create_staff, sync_roles
from zhengwu.core.validators import make_credit_code
from zhengwu.inspection.models import Finding, FindingStatus, InspectedSite, InspectionRun

PASSWORD = "Hupan#2026lake"


def credit(serial: int) -> str:
    return make_credit_code(f"11990303{serial:09d}")


@pytest.fixture
def county(db):
    sync_roles()
    root = create_organization(
        name="湖畔县人民政府",
        kind=OrganizationKind.GOVERNMENT,
        code="HPX",
        credit_code=credit(1),
        division_code="990303",
        actor=None,
    )

    def org(name, code, serial, kind=OrganizationKind.DEPARTMENT, division="990303"):
        return create_organization(
            name=name,
            kind=kind,
            code=code,
            credit_code=credit(serial),
            division_code=division,
            parent=root,
            actor=None,
        )

    orgs = {
        "zwb": org("湖畔县大数据中心", "HPDSJ", 2),
        "jyj": org("湖畔县教育局", "HPJYJ", 3),
        "town": org("芦苇镇", "LWZ", 104, OrganizationKind.TOWNSHIP, "990303104000"),
    }

    def person(username, org_key, role):
        return create_staff(
            username=username,
            display_name=username,
            organization=orgs[org_key],
            password=PASSWORD,
            roles=[role],
            actor=None,
        )

    people = {
        "supervisor": person("jianguan", "zwb", "site_supervisor"),
        "jyj_manager": person("jyj_web", "jyj", "site_manager"),
        "town_manager": person("lw_web", "town", "site_manager"),
        "editor": person("jyj_editor", "jyj", "editor"),
    }
    now = timezone.now()
    sites, findings = {}, {}
    for key in ("jyj", "town"):
        site = InspectedSite.objects.create(
            name=f"{orgs[key].name}网站", url=f"http://{key}.hupan.example/", organization=orgs[key]
        )
        run = InspectionRun.objects.create(
            site=site, status="done", as_of=dt.date(2026, 11, 30), started_at=now, finished_at=now
        )
        findings[key] = Finding.objects.create(
            site=site,
            first_run=run,
            last_run=run,
            check_code="links",
            severity="minor",
            url=f"http://{key}.hupan.example/a/",
            summary=f"{orgs[key].name}网站有一个死链",
            fingerprint=f"fp-{key}",
            organization=orgs[key],
            first_seen_at=now,
            last_seen_at=now,
        )
        sites[key] = site
    return {"orgs": orgs, "people": people, "sites": sites, "findings": findings}


def login(client, user):
    response = client.post("/admin/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


def sidebar(client) -> str:
    html = client.get("/admin/").content.decode()
    match = re.search(
        r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', html, re.S
    )
    return json.dumps(json.loads(match.group(1)), ensure_ascii=False)


def test_supervisor_sees_every_site_and_finding(client, county):
    login(client, county["people"]["supervisor"])
    menu = sidebar(client)
    assert "网站检查" in menu and "网站纠错" in menu
    index = client.get("/admin/inspection/").content.decode()
    assert "湖畔县教育局网站" in index and "芦苇镇网站" in index
    findings = client.get("/admin/inspection/findings/").content.decode()
    assert "湖畔县教育局网站有一个死链" in findings and "芦苇镇网站有一个死链" in findings
    for site in county["sites"].values():
        assert client.get(f"/admin/inspection/sites/{site.pk}/").status_code == 200
    response = client.post(
        "/admin/inspection/",
        {"name": "湖畔县人社局网站", "url": "http://rsj.hupan.example/", "max_pages": 100},
    )
    assert response.status_code == 302 and InspectedSite.objects.filter(name="湖畔县人社局网站").exists()


def test_site_manager_sees_only_own_site_and_is_refused_another(client, county):
    own, other = county["sites"]["jyj"], county["sites"]["town"]
    login(client, county["people"]["jyj_manager"])
    menu = sidebar(client)
    assert "网站检查" in menu and "网站纠错" in menu
    index = client.get("/admin/inspection/").content.decode()
    assert "湖畔县教育局网站" in index and "芦苇镇网站" not in index
    assert client.get(f"/admin/inspection/sites/{own.pk}/").status_code == 200
    assert client.get(f"/admin/inspection/sites/{other.pk}/").status_code == 404
    assert client.get(f"/admin/inspection/findings/?site={other.pk}").status_code == 404
    findings = client.get("/admin/inspection/findings/").content.decode()
    assert "湖畔县教育局网站有一个死链" in findings and "芦苇镇网站有一个死链" not in findings
    assert client.get(f"/admin/inspection/export.xlsx?site={other.pk}").status_code == 404

    refused = client.post(
        f"/admin/inspection/findings/{county['findings']['town'].pk}/rectify/", {"note": "改了"}
    )
    assert refused.status_code == 404
    assert Finding.objects.get(pk=county["findings"]["town"].pk).status == FindingStatus.OPEN
    client.post(f"/admin/inspection/findings/{county['findings']['jyj'].pk}/rectify/", {"note": "已删除死链"})
    assert Finding.objects.get(pk=county["findings"]["jyj"].pk).status == FindingStatus.RECTIFYING

    # A manager neither registers sites nor starts runs.
    response = client.post("/admin/inspection/", {"name": "x", "url": "http://x.example/", "max_pages": 10})
    assert response.status_code in (302, 403) and not InspectedSite.objects.filter(name="x").exists()
    response = client.post(f"/admin/inspection/sites/{own.pk}/run/")
    assert response.status_code in (302, 403) and response.get("Location", "/admin/") == "/admin/"
    assert not AuditLog.objects.filter(action="inspection.run.request").exists()


def test_other_roles_have_no_access(client, county):
    login(client, county["people"]["editor"])
    menu = sidebar(client)
    assert "网站检查" not in menu and "网站纠错" not in menu
    assert client.get("/admin/inspection/").status_code in (302, 403)
    assert client.get("/admin/portal/errorreport/").status_code in (302, 403)


def test_role_editor_lists_inspection_and_error_report_permissions(client, county, make_staff):
    client.force_login(make_staff("root", is_superuser=True, is_staff=True))
    group = Role.objects.get(code="site_manager").group
    html = client.get(f"/admin/groups/edit/{group.pk}/").content.decode()
    for label in ("受检网站", "问题", "检查记录", "网站纠错"):
        assert label in html, label
    # The permissions the role holds are ticked in the editor.
    checked = re.findall(r'<input[^>]*name="permissions"[^>]*value="(\d+)"[^>]*checked', html)
    held = {str(pk) for pk in group.permissions.values_list("pk", flat=True)}
    assert {str(p.pk) for p in group.permissions.filter(content_type__app_label="inspection")} <= set(checked)
    assert held
    assert Group.objects.filter(name="网站监管员").exists()
