"""Runs recorded in the database: findings assigned with a rectification clock, closed when fixed, reopened when
they come back; probes; the daily task; the CLI; the admin pages and exports."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from zhengwu.core.models import AuditLog
from zhengwu.inspection import services
from zhengwu.inspection.checks.base import Probe
from zhengwu.inspection.engine import inspect_sites
from zhengwu.inspection.models import AvailabilityProbe, Finding, FindingStatus, InspectionRun

from .fixture_site import AS_OF, Site, free_port

pytestmark = pytest.mark.django_db(transaction=True)


def swap(server, *, defects: bool) -> None:
    """Serve the clean or the defective copy from the same address (a site being fixed, or regressing)."""
    fresh = Site(defects, server.site.external_base, server.site.dead_base).build()
    server.site.defects = defects
    server.site.resources = fresh.resources


@pytest.fixture
def terms(db):
    return services.save_term_list(actor=None, name="本县领导", terms="王建国\n示范县人民政府")


def test_register_site_validates_and_audits(make_org):
    org = make_org("示范县人民政府办公室")
    site = services.register_site(actor=None, name="示范县政府网", url="www.sfx.gov.cn", organization=org)
    assert site.url == "http://www.sfx.gov.cn/"
    assert AuditLog.objects.filter(action="inspection.site.register", target_id=str(site.pk)).exists()
    with pytest.raises(ValidationError, match="已经登记"):
        services.register_site(actor=None, name="重复", url="http://www.sfx.gov.cn/")
    with pytest.raises(ValidationError, match="正则表达式"):
        services.register_site(actor=None, name="坏规则", url="http://x.gov.cn/", exclude_patterns="([")
    with pytest.raises(ValidationError, match="不含汉字"):
        services.save_term_list(actor=None, name="词表", terms="abc")


def test_run_assigns_findings_closes_fixed_and_reopens_regressions(defect_site, terms, make_org, make_staff):
    from zhengwu.core.models import Notification

    org = make_org("示范县人民政府办公室")
    liaison = make_staff("site_liaison", organization=org)
    site = services.register_site(actor=None, name="示范县", url=defect_site.base + "/", organization=org)

    run = services.run_inspection(site=site, as_of=AS_OF)
    message = Notification.objects.get(recipient=liaison, category="inspection")
    assert message.in_inbox and "不合格" in message.body
    assert run.status == "done" and run.verdict == "不合格" and run.score is None
    findings = Finding.objects.filter(site=site)
    assert findings.count() == run.findings_count > 10
    assert {f.organization_id for f in findings} == {org.pk}
    veto = findings.get(check_code="serious_typo", evidence__wrong="中华人民共合国")
    assert veto.severity == "veto" and veto.clock is not None and veto.clock.organization_id == org.pk
    assert veto.clock.due_at > veto.first_seen_at
    assert all(f.clock is None for f in findings.filter(severity="notice"))

    services.submit_rectification(finding=veto, actor=None, note="已改正错字")
    veto.refresh_from_db()
    assert veto.status == FindingStatus.RECTIFYING

    swap(defect_site, defects=False)
    second = services.run_inspection(site=site, as_of=AS_OF)
    assert second.verdict == "合格" and second.findings_count == 0
    assert not Finding.objects.filter(site=site, status__in=["open", "rectifying", "reopened"]).exists()
    veto.refresh_from_db()
    assert veto.status == FindingStatus.FIXED and veto.fixed_at is not None
    assert veto.clock.state == "stopped"

    swap(defect_site, defects=True)
    services.run_inspection(site=site, as_of=AS_OF)
    veto.refresh_from_db()
    assert veto.status == FindingStatus.REOPENED and veto.reopened_count == 1
    assert veto.clock.state != "stopped"
    assert Finding.objects.filter(site=site).count() == findings.count()  # one row per problem, not per run


def test_unreachable_run_does_not_close_findings(defect_site, terms):
    site = services.register_site(actor=None, name="示范县", url=defect_site.base + "/")
    services.run_inspection(site=site, as_of=AS_OF)
    open_before = Finding.objects.filter(site=site, status="open").count()
    services.update_site(site=site, actor=None, url=f"http://127.0.0.1:{free_port()}/")
    run = services.run_inspection(site=site, as_of=AS_OF)
    assert run.verdict == "不合格"
    assert Finding.objects.filter(site=site, status="open").count() == open_before + 1  # + availability


def test_probes_drive_the_availability_veto(clean_site):
    url = clean_site.base + "/"
    start = datetime(AS_OF.year, AS_OF.month, AS_OF.day, 8, 0) - timedelta(days=6)
    probes = [
        Probe(at=start + timedelta(days=day, minutes=20 * i), ok=not (i == 0), elapsed=0.2)
        for day in range(7)
        for i in range(20)
    ]  # 7 failures in 140 probes = 5 %
    [report] = inspect_sites([url], as_of=AS_OF, probes={url: probes})
    [finding] = [f for f in report.findings if f.check == "availability"]
    assert finding.evidence["monitoring_complete"] and finding.evidence["failure_rate"] == 0.05
    assert report.verdict == "不合格" and [v["code"] for v in report.result.vetoes] == ["unreachable"]
    healthy = [Probe(at=p.at, ok=True, elapsed=0.2) for p in probes]
    [report] = inspect_sites([url], as_of=AS_OF, probes={url: healthy})
    assert report.verdict == "合格"


def test_probe_site_records_success_and_failure(clean_site):
    site = services.register_site(actor=None, name="示范县", url=clean_site.base + "/")
    ok = services.probe_site(site=site)
    assert ok.ok and ok.status_code == 200
    services.update_site(site=site, actor=None, url=f"http://127.0.0.1:{free_port()}/")
    failed = services.probe_site(site=site)
    assert not failed.ok and failed.error
    assert AvailabilityProbe.objects.filter(site=site).count() == 2


def test_daily_task_inspects_every_registered_site(clean_site, settings):
    from zhengwu.inspection.tasks import inspect_all_sites, probe_all_sites

    site = services.register_site(actor=None, name="示范县", url=clean_site.base + "/")
    services.register_site(actor=None, name="停用", url="http://127.0.0.1:9/", is_active=False)
    assert inspect_all_sites.enqueue().return_value == 1
    run = InspectionRun.objects.get(site=site)
    # Scheduled runs judge freshness on the day they run (today), not on the fixture's date.
    assert run.trigger == "scheduled" and run.status == "done" and run.as_of == timezone.localdate()
    assert run.verdict in ("合格", "不合格") and run.pages_crawled >= 20
    assert probe_all_sites.enqueue().return_value == 1
    from zhengwu.core.scheduler import periodic_tasks

    names = {p.name for p in periodic_tasks()}
    assert {"inspection.daily", "inspection.probes"} <= names


def test_cli_json_and_documents(defect_site, tmp_path):
    terms_file = tmp_path / "terms.txt"
    terms_file.write_text("# 本县\n王建国\n", encoding="utf-8")
    out = tmp_path / "report.json"
    call_command(
        "inspect",
        defect_site.base + "/",
        "--as-of",
        AS_OF.isoformat(),
        "--terms",
        str(terms_file),
        "--format",
        "json",
        "--out",
        str(out),
    )
    data = json.loads(out.read_text(encoding="utf-8"))
    [site] = data["sites"]
    assert set(site) == {"url", "verdict", "score", "pages_crawled", "findings"}
    assert site["verdict"] == "不合格" and site["score"] is None
    checks = {f["check"] for f in site["findings"]}
    assert checks == {
        "broken_link",
        "homepage_stale",
        "column_stale",
        "column_empty",
        "undated_item",
        "serious_typo",
        "unanswered_message",
        "footer_missing",
        "meta_missing",
        "interpretation_one_way",
        "guide_incomplete",
    }
    assert all(
        set(f) == {"check", "severity", "url", "referrer", "target", "evidence"} for f in site["findings"]
    )

    from docx import Document
    from openpyxl import load_workbook

    xlsx = tmp_path / "report.xlsx"
    call_command(
        "inspect",
        defect_site.base + "/",
        "--as-of",
        AS_OF.isoformat(),
        "--format",
        "xlsx",
        "--out",
        str(xlsx),
    )
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["汇总", "问题清单", "扣分明细"]
    assert wb["汇总"]["E2"].value == "不合格"
    assert any("无法打开" in (row[4].value or "") for row in wb["问题清单"].iter_rows(min_row=2))
    docx = tmp_path / "report.docx"
    call_command(
        "inspect",
        defect_site.base + "/",
        "--as-of",
        AS_OF.isoformat(),
        "--format",
        "docx",
        "--out",
        str(docx),
    )
    text = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    assert "网站检查情况通报" in text and "单项否决" in text


def test_cli_rejects_bad_input(tmp_path):
    gbk = tmp_path / "terms.txt"
    gbk.write_bytes("王建国\n".encode("gbk"))
    with pytest.raises(CommandError, match="不是 UTF-8"):
        call_command("inspect", "http://127.0.0.1:9/", "--terms", str(gbk))
    with pytest.raises(CommandError, match="日期格式错误"):
        call_command("inspect", "http://127.0.0.1:9/", "--as-of", "2025/06/30")
    with pytest.raises(CommandError, match="--out"):
        call_command("inspect", "http://127.0.0.1:9/", "--format", "xlsx")


def test_admin_pages_register_rectify_and_export(client, make_staff, defect_site, terms):
    admin = make_staff("inspector", is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.get("/admin/inspection/")
    assert response.status_code == 200 and "受检网站" in response.content.decode()
    response = client.post(
        "/admin/inspection/",
        {"name": "示范县政府网", "url": defect_site.base + "/", "max_pages": 5000, "daily": "on"},
    )
    assert response.status_code == 302
    site = services.InspectedSite.objects.get(name="示范县政府网")
    response = client.post(f"/admin/inspection/sites/{site.pk}/run/")
    assert response.status_code == 302
    run = InspectionRun.objects.get(site=site)
    assert run.status == "done" and run.trigger == "manual"

    page = client.get(f"/admin/inspection/sites/{site.pk}/").content.decode()
    assert "不合格" in page and "中华人民共合国" in page
    listing = client.get(
        "/admin/inspection/findings/", {"site": site.pk, "check": "serious_typo"}
    ).content.decode()
    assert "王健国" in listing
    finding = Finding.objects.get(site=site, check_code="serious_typo", evidence__wrong="王健国")
    client.post(f"/admin/inspection/findings/{finding.pk}/rectify/", {"note": "已更正领导姓名"})
    finding.refresh_from_db()
    assert finding.status == "rectifying" and finding.rectification_note == "已更正领导姓名"

    from openpyxl import load_workbook

    response = client.get("/admin/inspection/export.xlsx", {"site": site.pk})
    assert response.status_code == 200
    wb = load_workbook(BytesIO(response.content))
    assert wb["汇总"]["B2"].value == "示范县政府网"
    assert AuditLog.objects.filter(action="inspection.report.export").exists()
    response = client.get("/admin/inspection/export.docx", {"run": run.pk})
    assert response.status_code == 200 and response.content[:2] == b"PK"


def test_admin_requires_permission(client, make_staff):
    client.force_login(make_staff("clerk", is_staff=True))
    assert client.get("/admin/inspection/").status_code in (302, 403)


def test_history_trend(defect_site, terms):
    from zhengwu.inspection.selectors import site_history

    site = services.register_site(actor=None, name="示范县", url=defect_site.base + "/")
    swap(defect_site, defects=False)
    services.run_inspection(site=site, as_of=AS_OF)
    later = AS_OF + timedelta(days=60)  # everything has gone stale two months later
    services.run_inspection(site=site, as_of=later)
    history = site_history(site)
    assert [h["run"].as_of for h in history] == [later, AS_OF]
    assert history[0]["run"].verdict == "不合格"
    assert timezone.now() >= history[0]["run"].started_at
