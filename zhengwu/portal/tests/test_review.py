"""三审: three steps 初审/复审/终审 by default, configurable per site; a workflow or step is never switched on while a
step's group has no active member (service, console and admin); the demo's sub-sites review with their own people."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from wagtail.models import GroupPagePermission, Page, Workflow

from zhengwu.core.models import AuditLog
from zhengwu.portal.editorial import (
    activate_site_review,
    configure_site_review,
    site_workflow,
    workflow_problems,
)
from zhengwu.portal.models import ArticlePage, ColumnPage
from zhengwu.portal.tests.test_editorial import edit_data
from zhengwu.portal.tests.test_pages import portal  # noqa: F401  (fixture)


def group(site, step: str) -> Group:
    return Group.objects.get(name=f"{site.site_name}{step}")


def page_actions(site, step: str) -> set[str]:
    return set(
        GroupPagePermission.objects.filter(group=group(site, step), page=site.root_page).values_list(
            "permission__codename", flat=True
        )
    )


@pytest.mark.django_db
def test_new_site_review_stays_off_until_every_step_has_active_members(portal, make_staff):  # noqa: F811
    site = portal["home"].get_site()
    workflow = site_workflow(site)
    assert [t.name for t in workflow.tasks] == [f"{site.site_name}{s}" for s in ("初审", "复审", "终审")]
    assert not workflow.active
    # Nothing else (such as Wagtail's own root workflow for an empty "Moderators" group) takes over meanwhile.
    assert portal["article"].get_workflow() is None

    with pytest.raises(ValidationError) as refused:
        activate_site_review(site=site, actor=None)
    text = " ".join(refused.value.messages)
    for step in ("初审", "复审", "终审"):
        assert f"审核组“{site.site_name}{step}”没有在岗成员" in text
    org = portal["home"].organization
    make_staff("chushen", organization=org).groups.add(group(site, "初审"))
    make_staff("fushen", organization=org).groups.add(group(site, "复审"))
    make_staff("left", organization=org, is_active=False).groups.add(group(site, "终审"))
    with pytest.raises(ValidationError) as refused:
        activate_site_review(site=site, actor=None)
    assert len(refused.value.messages) == 1 and "终审" in refused.value.messages[0]
    assert not Workflow.objects.get(pk=workflow.pk).active

    make_staff("zhongshen", organization=org).groups.add(group(site, "终审"))
    activate_site_review(site=site, actor=None)
    assert Workflow.objects.get(pk=workflow.pk).active
    assert portal["article"].get_workflow() == workflow
    assert AuditLog.objects.filter(action="portal.review.activate").exists()


@pytest.mark.django_db
def test_steps_are_configurable_per_site_and_only_the_last_publishes(portal, make_staff):  # noqa: F811
    site = portal["home"].get_site()
    configure_site_review(site=site, steps=["初审", "终审"], actor=None)
    workflow = site_workflow(site)
    assert [t.name for t in workflow.tasks] == [f"{site.site_name}初审", f"{site.site_name}终审"]
    assert "publish_page" in page_actions(site, "终审")
    assert "publish_page" not in page_actions(site, "初审")
    assert group(site, "终审").permissions.filter(codename="override_confidentiality").exists()
    assert not group(site, "初审").permissions.filter(codename="override_confidentiality").exists()

    org = portal["home"].organization
    for step in ("初审", "终审"):
        make_staff(f"u_{step}", organization=org).groups.add(group(site, step))
    activate_site_review(site=site, actor=None)
    # An active review refuses a new step nobody is in, and keeps its steps as they were.
    with pytest.raises(ValidationError, match="审核组“示范县人民政府复审”没有在岗成员"):
        configure_site_review(site=site, steps=["初审", "复审", "终审"], actor=None)
    assert [t.name for t in site_workflow(site).tasks] == [f"{site.site_name}初审", f"{site.site_name}终审"]

    for bad in ([], ["初审", "初审"], ["编辑", "终审"], ["初审", " "]):
        with pytest.raises(ValidationError):
            configure_site_review(site=site, steps=bad, actor=None)


@pytest.mark.django_db
def test_console_shows_sets_and_activates_with_chinese_errors(portal, make_staff):  # noqa: F811
    site = portal["home"].get_site()
    out = io.StringIO()
    call_command("review", "show", "--format", "json", stdout=out)
    [row] = json.loads(out.getvalue())
    assert row["active"] is False and [s["step"] for s in row["steps"]] == ["初审", "复审", "终审"]
    assert len(row["problems"]) == 3
    with pytest.raises(CommandError, match="没有在岗成员"):
        call_command("review", "activate", site.hostname, stdout=io.StringIO())
    with pytest.raises(CommandError, match="找不到网站“nowhere”"):
        call_command("review", "activate", "nowhere", stdout=io.StringIO())
    out = io.StringIO()
    call_command("review", "steps", site.site_name, "审核", "签发", stdout=out)
    assert "编辑 → 审核 → 签发（未启用" in out.getvalue()
    for step in ("审核", "签发"):
        make_staff(f"c_{step}", organization=portal["home"].organization).groups.add(group(site, step))
    call_command("review", "activate", site.hostname, stdout=io.StringIO())
    assert site_workflow(site).active


@pytest.mark.django_db
def test_admin_refuses_to_enable_a_workflow_or_step_with_an_empty_group(client, portal, make_staff):  # noqa: F811
    site = portal["home"].get_site()
    workflow = site_workflow(site)
    admin = make_staff("root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.post(f"/admin/workflows/enable/{workflow.pk}/", follow=True)
    assert "不能启用工作流" in response.content.decode()
    assert "没有在岗成员" in response.content.decode()
    assert not Workflow.objects.get(pk=workflow.pk).active

    task = workflow.tasks.first()
    task.active = False
    task.save()
    response = client.post(f"/admin/workflows/tasks/enable/{task.pk}/", follow=True)
    assert "不能启用审核步骤" in response.content.decode()
    task.refresh_from_db()
    assert not task.active

    # A step in use: switching its group to one nobody is in is refused in the form.
    org = portal["home"].organization
    for step in ("初审", "复审", "终审"):
        make_staff(f"m_{step}", organization=org).groups.add(group(site, step))
    task.active = True
    task.save()
    activate_site_review(site=site, actor=None)
    empty = Group.objects.create(name="空的审核组")
    response = client.post(
        f"/admin/workflows/tasks/edit/{task.pk}/", {"name": task.name, "groups": [empty.pk]}
    )
    assert response.status_code == 200
    assert "所选审核组没有在岗成员" in response.content.decode()
    assert list(task.specific.groups.all()) == [group(site, "初审")]

    assert workflow_problems(workflow) == []

    # A new workflow (active from the start) with a step whose group nobody is in is refused.
    from wagtail.models import GroupApprovalTask
    from wagtail.test.utils.form_data import inline_formset, nested_form_data

    lonely = GroupApprovalTask.objects.create(name="无人审核的步骤")
    lonely.groups.set([empty])
    data = nested_form_data(
        {
            "name": "另一个工作流",
            "workflow_tasks": inline_formset([{"task": lonely.pk}]),
            "pages": inline_formset([]),
        }
    )
    response = client.post("/admin/workflows/add/", data)
    assert "审核组“空的审核组”没有在岗成员" in response.content.decode()
    assert not Workflow.objects.filter(name="另一个工作流").exists()


@pytest.fixture
def demo_sites(db, official_calendar):
    from zhengwu.core.registry import DemoContext, demo_steps

    ctx = DemoContext(scale=0.02)
    for step in demo_steps():
        if step.name in ("示范县机构", "演示账号", "门户网站与子站", "三审流程与审核组成员", "门户网站内容"):
            step.func(ctx)
    return ctx.objects["sites"]


@pytest.mark.django_db
def test_demo_every_site_has_members_and_qs_liaison_article_passes_three_steps(client, demo_sites):
    from zhengwu.core.models import Staff

    for site in demo_sites:
        workflow = site_workflow(site)
        assert workflow.active and workflow_problems(workflow) == [], site.site_name
        assert len(workflow.tasks) == 3
    town = next(s for s in demo_sites if "青山镇" in s.site_name)
    column = ColumnPage.objects.descendant_of(town.root_page).first()
    draft = ArticlePage(title="青山镇开展秋冬季森林防火巡查", slug="slfh-xc", live=False, body="<p>草稿</p>")
    column.add_child(instance=draft)

    client.force_login(Staff.objects.get(username="qs_liaison"))
    client.post(
        f"/admin/pages/{draft.pk}/edit/",
        edit_data(draft, body="<p>镇应急办组织巡查组检查重点林区。</p>", action="action-submit"),
    )

    def current_task_state():
        state = Page.objects.get(pk=draft.pk).specific.current_workflow_state
        return state.current_task_state if state else None

    assert current_task_state().task.name == f"{town.site_name}初审"
    for username, step, outsider in (
        ("qs_reviewer", "初审", "fgw_reviewer"),
        ("qs_deputy", "复审", "qs_reviewer"),
        ("qs_head", "终审", "deputy_editor"),
    ):
        task_state = current_task_state()
        assert task_state.task.name == f"{town.site_name}{step}"
        # Someone not in this step's group (another site's reviewer, or the previous step) cannot approve it.
        client.force_login(Staff.objects.get(username=outsider))
        client.post(f"/admin/pages/workflow/action/{draft.pk}/approve/{task_state.pk}/", {"comment": "越权"})
        assert current_task_state().pk == task_state.pk and not Page.objects.get(pk=draft.pk).live
        client.force_login(Staff.objects.get(username=username))
        response = client.post(
            f"/admin/pages/workflow/action/{draft.pk}/approve/{task_state.pk}/", {"comment": f"{step}通过"}
        )
        assert response.status_code in (200, 302)
        if step != "终审":
            assert not Page.objects.get(pk=draft.pk).live
    page = Page.objects.get(pk=draft.pk)
    assert page.live and "镇应急办" in page.specific.body
