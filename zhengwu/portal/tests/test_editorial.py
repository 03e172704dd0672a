"""Publication control: the 保密审查 scan blocks publishing until an authorized override, on every path; the
per-site review 编辑 → 初审 → 复审 → 终审 runs on Wagtail workflows; scheduled publishing runs as a task."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from wagtail.models import Page, Workflow
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from zhengwu.core.models import AuditLog
from zhengwu.portal.editorial import PublicationBlocked, activate_site_review
from zhengwu.portal.models import ArticlePage, ConfidentialityClearance
from zhengwu.portal.tasks import publish_scheduled_pages
from zhengwu.portal.tests.test_pages import portal  # noqa: F401  (fixture)

ID_NUMBER = "11010519491231002X"


@pytest.fixture
def people(portal, make_staff):  # noqa: F811
    from django.contrib.auth.models import Group

    site = portal["home"].get_site()
    org = portal["home"].organization
    accounts = {}
    for suffix in ("编辑", "初审", "复审", "终审"):
        staff = make_staff(f"user_{suffix}", organization=org)
        staff.groups.add(Group.objects.get(name=f"{site.site_name}{suffix}"))
        accounts[suffix] = staff
    activate_site_review(site=site, actor=None)
    return accounts


def edit_data(page, *, body: str, action: str, **extra):
    return nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "kind": page.kind,
            "published_at": timezone.localtime(page.published_at).strftime("%Y-%m-%d %H:%M"),
            "source": page.source,
            "body": rich_text(body),
            "attachments": inline_formset([]),
            "comments": inline_formset([]),
            action: "1",
            **extra,
        }
    )


def test_each_site_gets_groups_and_a_three_step_workflow(portal, people):  # noqa: F811
    site = portal["home"].get_site()
    workflow = Workflow.objects.get(name=f"{site.site_name}三审发布")
    assert [t.name for t in workflow.tasks] == [f"{site.site_name}{s}" for s in ("初审", "复审", "终审")]
    assert portal["article"].get_workflow() == workflow


@pytest.mark.django_db
def test_flagged_content_is_saved_as_draft_not_published(client, portal, people):  # noqa: F811
    article = portal["article"]
    client.force_login(people["终审"])
    response = client.post(
        f"/admin/pages/{article.pk}/edit/",
        edit_data(article, body=f"<p>联系人身份证{ID_NUMBER}</p>", action="action-publish"),
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert ID_NUMBER not in article.body  # the live version is unchanged
    assert ID_NUMBER in article.get_latest_revision_as_object().body  # nothing typed is lost
    messages = [m.message for m in response.wsgi_request._messages]
    assert any("发布被保密审查拦截：居民身份证号“110***********002X”" in m for m in messages)
    assert AuditLog.objects.filter(action="portal.confidentiality.blocked").count() == 1


@pytest.mark.django_db
def test_final_reviewer_overrides_with_a_reason(client, portal, people):  # noqa: F811
    article = portal["article"]
    client.force_login(people["终审"])
    data = edit_data(
        article,
        body=f"<p>身份证{ID_NUMBER}为公开示例号码</p>",
        action="action-publish",
        confidentiality_override="on",
        confidentiality_reason="国家标准中的示例号码，不属于个人信息。",
    )
    assert client.post(f"/admin/pages/{article.pk}/edit/", data).status_code == 302
    article.refresh_from_db()
    assert ID_NUMBER in article.body
    clearance = ConfidentialityClearance.objects.get(page=article)
    assert clearance.granted_by == people["终审"]
    assert AuditLog.objects.filter(action="portal.confidentiality.override").count() == 1


@pytest.mark.django_db
def test_override_without_reason_is_refused_and_kept(client, portal, people):  # noqa: F811
    article = portal["article"]
    client.force_login(people["终审"])
    data = edit_data(
        article, body=f"<p>{ID_NUMBER}</p>", action="action-publish", confidentiality_override="on"
    )
    response = client.post(f"/admin/pages/{article.pk}/edit/", data)
    assert response.status_code == 200
    assert "勾选确认时必须填写理由。" in response.content.decode()


@pytest.mark.django_db
def test_programmatic_publish_of_flagged_content_is_refused(portal):  # noqa: F811
    article = portal["article"]
    article.body = "<p>机密★10年</p>"
    revision = article.save_revision()
    with pytest.raises(PublicationBlocked, match="密级标志"):
        revision.publish()
    assert "机密" not in ArticlePage.objects.get(pk=article.pk).body


@pytest.mark.django_db
def test_three_step_review_publishes_after_final_approval(client, portal, people):  # noqa: F811
    news = portal["news"]
    draft = ArticlePage(
        title="县政务服务中心延长周末服务时间", slug="zmfw", live=False, body="<p>周六上午照常办理。</p>"
    )
    news.add_child(instance=draft)
    client.force_login(people["编辑"])
    client.post(
        f"/admin/pages/{draft.pk}/edit/",
        edit_data(draft, body="<p>周六上午照常办理。</p>", action="action-submit"),
    )
    state = draft.current_workflow_state
    assert state is not None and state.current_task_state.task.name.endswith("初审")
    # The editor cannot publish by himself.
    assert not Page.objects.get(pk=draft.pk).live
    for step in ("初审", "复审", "终审"):
        assert not Page.objects.get(pk=draft.pk).live
        client.force_login(people[step])
        task_state = Page.objects.get(pk=draft.pk).specific.current_workflow_state.current_task_state
        response = client.post(
            f"/admin/pages/workflow/action/{draft.pk}/approve/{task_state.pk}/", {"comment": f"{step}通过"}
        )
        assert response.status_code in (200, 302)
    assert Page.objects.get(pk=draft.pk).live


@pytest.mark.django_db
def test_scheduled_publishing_runs_as_a_task(portal):  # noqa: F811
    news = portal["news"]
    page = ArticlePage(title="定时发布的通知", slug="dsfb", live=False, body="<p>内容</p>")
    news.add_child(instance=page)
    page.go_live_at = timezone.now() - dt.timedelta(minutes=1)
    page.save_revision(approved_go_live_at=page.go_live_at)
    assert not Page.objects.get(pk=page.pk).live
    publish_scheduled_pages.enqueue()
    assert Page.objects.get(pk=page.pk).live
