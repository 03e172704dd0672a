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
