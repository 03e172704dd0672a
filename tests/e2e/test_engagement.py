"""在线访谈, 意见征集, 调查问卷 in the browser: a live interview's new line appears on the public page without a reload,
and axe reports no serious violation on their public pages in 简体, 繁体 and 长者模式."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from .conftest import new_context
from .test_accessibility import axe_source, run_axe  # noqa: F401  (fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def county(live_server):
    from zhengwu.core.demo_core import build_organizations
    from zhengwu.core.registry import DemoContext
    from zhengwu.interaction.demo_engagement import build_engagement
    from zhengwu.portal.services import create_site

    call_command("setup", verbosity=0)
    ctx = DemoContext(scale=0.02)
    build_organizations(ctx)
    build_engagement(ctx)
    create_site(
        organization=ctx.objects["orgs"]["SFX"],
        site_name="示范县人民政府",
        hostname="localhost",
        port=int(live_server.url.rsplit(":", 1)[1]),
        is_default=True,
        actor=None,
    )
    return ctx


def test_live_interview_updates_without_reload(live_server, browser):
    from zhengwu.core.models import Role, Staff
    from zhengwu.core.services.staff import assign_roles
    from zhengwu.interaction.models import Interview
    from zhengwu.interaction.services import interviews

    ctx = county(live_server)
    interview = Interview.objects.get(state="upcoming")
    host = Staff.objects.create(
        username="mz_host", organization=ctx.objects["orgs"]["MZJ"], display_name="主持人"
    )
    assign_roles(staff=host, roles=[Role.objects.get(code="liaison")], actor=None)
    host = Staff.objects.get(pk=host.pk)
    interview.starts_at = timezone.now() - dt.timedelta(minutes=5)
    interview.save()
    interviews.set_state(interview=interview, state="live", actor=host)

    context = new_context(browser)
    page = context.new_page()
    page.goto(f"{live_server.url}/hudong/ft/{interview.pk}/")
    page.evaluate("window.__notReloaded = true")
    question = interview.questions.filter(status="approved").first()
    interviews.publish_entry(interview=interview, actor=host, role="question", question=question, content="")
    guest = interview.guests.first()
    interviews.publish_entry(
        interview=interview,
        actor=host,
        role="guest",
        guest=guest,
        content="符合条件的，一般20个工作日内审批。",
    )
    transcript = page.locator("[data-transcript]")
    transcript.get_by_text("符合条件的，一般20个工作日内审批。").wait_for()
    assert transcript.get_by_text(question.content).count() == 1
    assert page.evaluate("window.__notReloaded") is True
    context.close()


def test_engagement_pages_have_no_serious_accessibility_violations(live_server, browser, axe_source):  # noqa: F811
    from zhengwu.interaction.models import Consultation, Interview, Survey

    county(live_server)
    today = timezone.localdate()
    survey = Survey.objects.get()
    paths = {
        "在线访谈列表": "/hudong/ft/",
        "往期访谈": f"/hudong/ft/{Interview.objects.get(state='ended').pk}/",
        "访谈预告": f"/hudong/ft/{Interview.objects.get(state='upcoming').pk}/",
        "意见征集列表": "/hudong/zj/",
        "正在征集": f"/hudong/zj/{Consultation.objects.get(closes_on__gte=today).pk}/",
        "采纳情况": f"/hudong/zj/{Consultation.objects.get(closes_on__lt=today).pk}/",
        "调查问卷列表": "/hudong/dc/",
        "问卷": f"/hudong/dc/{survey.pk}/",
        "调查结果": f"/hudong/dc/{survey.pk}/jg/",
    }
    modes = {"简体": ("", False), "繁体": ("/zh-hant", False), "长者模式": ("", True)}
    problems = []
    for mode, (prefix, elder) in modes.items():
        context = new_context(browser)
        if elder:
            context.add_init_script("localStorage.setItem('zw-elder', '1')")
        page = context.new_page()
        for name, path in paths.items():
            response = page.goto(live_server.url + prefix + path)
            assert response is not None and response.status == 200, f"{mode} {name}"
            if elder:
                assert "elder" in page.evaluate("document.documentElement.className")
            if prefix:
                assert page.evaluate("document.documentElement.lang") == "zh-Hant"
            for violation in run_axe(page, axe_source):
                targets = [node["target"] for node in violation["nodes"][:3]]
                problems.append(
                    f"{mode} {name}（{path}）：{violation['id']} {violation['impact']} {json.dumps(targets)}"
                )
        context.close()
    assert not problems, "\n".join(problems)
