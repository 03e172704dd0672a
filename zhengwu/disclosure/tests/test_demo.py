"""The demo county's disclosure data: last year's report is complete, balances and renders in all four formats."""

from __future__ import annotations

import pytest
from django.utils import timezone

from zhengwu.core.registry import DemoContext, demo_steps
from zhengwu.disclosure.documents import read_report_docx, report_docx, report_html, report_pdf
from zhengwu.disclosure.models import AnnualReport, DisclosureItem, DisclosureRequest, RequestState
from zhengwu.disclosure.rules import outcomes
from zhengwu.disclosure.services.reports import build_report

pytestmark = pytest.mark.django_db


def test_demo_builds_a_balanced_report_for_last_year():
    ctx = DemoContext(scale=0.3)
    for step in demo_steps():
        if step.name in ("示范县机构", "演示账号", "政府信息公开"):
            step.func(ctx)
    year = timezone.localdate().year - 1
    root = ctx.objects["orgs"]["SFX"]
    assert DisclosureItem.objects.filter(status="published").count() > 100
    assert DisclosureItem.objects.filter(is_late=True).exists()
    requests = DisclosureRequest.objects.all()
    assert requests.count() >= 55
    assert requests.filter(state=RequestState.REPLIED).values("outcome").distinct().count() >= 6
    assert requests.exclude(state__in=[RequestState.REPLIED, RequestState.SUBMITTED]).exists()
    report = build_report(organization=root, year=year)  # raises if any column does not balance
    t3 = report["三、收到和处理政府信息公开申请情况"]
    assert t3["一、本年新收政府信息公开申请数量"]["总计"] > 0
    assert t3["二、上年结转政府信息公开申请数量"]["总计"] > 0
    assert AnnualReport.objects.get(organization=root, year=year).status == "published"
    assert read_report_docx(report_docx(report)) == report
    assert report_pdf(report).startswith(b"%PDF")
    html = report_html(report)
    for outcome in outcomes():
        assert outcome.label.replace("“", "&ldquo;").replace("”", "&rdquo;") in html or outcome.label in html


def test_every_body_on_the_demo_form_reaches_a_demo_account_that_can_act(client):
    """A request to any body offered on the demo's form appears in the list of a demo account that handles
    requests, with its actions; the guides name the office the routing uses; nothing is flagged."""
    from zhengwu.core.demo_core import demo_accounts
    from zhengwu.core.models import Staff
    from zhengwu.disclosure.selectors.requests import requests_for
    from zhengwu.disclosure.selectors.routing import public_bodies, routing_problems
    from zhengwu.disclosure.services.requests import Application, submit_request

    ctx = DemoContext(scale=0.05)
    for step in demo_steps():
        if step.name in ("示范县机构", "演示账号", "政府信息公开"):
            step.func(ctx)
    assert routing_problems() == []
    bodies = list(public_bodies())
    orgs = ctx.objects["orgs"]
    assert len(bodies) == len(orgs) - 3  # every 行政机关; the three 事业单位 do not take applications
    demo_usernames = {account.username for account in demo_accounts()}
    assert {"leader", "editor", "hotline", "xxgk"} <= demo_usernames
    handlers = [
        staff
        for staff in Staff.objects.filter(username__in=demo_usernames, is_active=True)
        if staff.has_perm("disclosure.change_disclosurerequest")
    ]
    assert {staff.username for staff in handlers} >= {"xxgk", "xxgk_head", "fgw_liaison", "qs_liaison"}
    submitted = {}
    for body in bodies:
        submitted[body.pk] = submit_request(
            organization=body,
            application=Application(
                applicant_kind="natural_person",
                applicant_name="测试人",
                id_type="resident_id",
                id_number="11010519491231002X",
                phone="13800138000",
                description=f"向{body.name}申请的信息",
            ),
        ).request
    for request in submitted.values():
        reached = [staff for staff in handlers if requests_for(staff).filter(pk=request.pk).exists()]
        assert reached, f"{request.organization.name} 的申请无人可办理"
    seen = {staff.username: set(requests_for(staff).values_list("pk", flat=True)) for staff in handlers}
    assert submitted[orgs["MZJ"].pk].pk in seen["xxgk"] and submitted[orgs["MZJ"].pk].pk in seen["xxgk_head"]
    assert submitted[orgs["FGW"].pk].pk in seen["fgw_liaison"]
    assert submitted[orgs["QSZ"].pk].pk in seen["qs_liaison"]
    assert submitted[orgs["FGW"].pk].pk not in seen["xxgk"]
    for staff in handlers:
        client.force_login(staff)
        request_pk = next(iter(seen[staff.username] & {r.pk for r in submitted.values()}))
        page = client.get(f"/admin/disclosure/requests/{request_pk}/").content.decode()
        assert 'name="action" value="confirm"' in page, staff.username
        listing = client.get("/admin/disclosure/requests/").content.decode()
        assert "没有符合条件的申请" not in listing, staff.username
    leader = Staff.objects.get(username="leader")
    client.force_login(leader)
    page = client.get(f"/admin/disclosure/requests/{submitted[orgs['MZJ'].pk].pk}/").content.decode()
    assert 'name="action"' not in page  # the county leader reads, the offices act
