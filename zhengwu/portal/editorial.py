"""Editorial control of publication: the 保密审查 scan that blocks publishing, and the per-site review
(编辑 → 初审 → 复审 → 终审 by default) on Wagtail workflows.

Publication is guarded at two depths: the admin's publish buttons go through the ``before_publish_page`` hook
(which can take an authorized override from the edit form), and every other path — workflow approval, scheduled
publishing, bulk actions, code — goes through the page models' ``publish()``, which refuses flagged content that has
no clearance.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from zhengwu.core.confidentiality import Hit, describe, scan
from zhengwu.core.services.audit import audit

OVERRIDE_PERMISSION = "portal.override_confidentiality"
TEXT_FIELDS = (
    "title",
    "seo_title",
    "search_description",
    "summary",
    "keywords",
    "intro",
    "body",
    "source",
    "author",
    "document_number",
    "issuing_authority",
    "description",
    "repost_source_name",
)


class PublicationBlocked(PermissionDenied):
    """Publishing refused by the 保密审查 scan; the message lists what was found."""


def page_text(page: Page) -> str:
    specific = page.specific if type(page) is Page else page
    parts = [str(getattr(specific, name, "") or "") for name in TEXT_FIELDS]
    attachments = getattr(specific, "attachments", None)
    if attachments is not None:
        parts += [a.title or a.document.title for a in attachments.all()]
    return "\n".join(parts)


def scan_page(page: Page) -> tuple[list[Hit], str]:
    from .selectors import county_sensitive_terms

    text = page_text(page)
    hits = scan(text, extra_terms=county_sensitive_terms())
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return hits, digest


def is_cleared(page: Page, digest: str) -> bool:
    from .models import ConfidentialityClearance

    return ConfidentialityClearance.objects.filter(page_id=page.pk, digest=digest).exists()


def check_publication(page: Page) -> None:
    """Raise :class:`PublicationBlocked` when the page's content is flagged and not cleared."""
    hits, digest = scan_page(page)
    if hits and not is_cleared(page, digest):
        raise PublicationBlocked(f"发布被保密审查拦截：{describe(hits)}。")


@transaction.atomic
def grant_clearance(*, page: Page, reason: str, actor: Any) -> None:
    """Record an authorized override for the page's current content."""
    from django.core.exceptions import ValidationError

    from .models import ConfidentialityClearance

    if not actor.has_perm(OVERRIDE_PERMISSION):
        raise PermissionDenied("您没有确认保密审查提示的权限。")
    if not reason.strip():
        raise ValidationError("确认发布必须填写理由。")
    hits, digest = scan_page(page)
    ConfidentialityClearance.objects.get_or_create(
        page_id=page.pk,
        digest=digest,
        defaults={
            "hits": [{"kind": h.kind, "text": h.masked()} for h in hits],
            "reason": reason.strip(),
            "granted_by": actor,
        },
    )
    audit(
        actor=actor,
        action="portal.confidentiality.override",
        target=page,
        detail={"hits": describe(hits), "reason": reason.strip()},
    )


# --- three-step review (三审) ---------------------------------------------------------------------------------------
#
# Each site has an editor group and one review group per step, with page permissions on the site, and a Wagtail
# workflow "<site>三审发布" whose tasks are the steps in order. The steps default to 初审 → 复审 → 终审
# (``ZHENGWU_REVIEW_STEPS``) and can be set per site (:func:`configure_site_review`, ``zhengwu review steps``).
# A workflow, or one of its steps, is only active while every step's group has at least one active member: an
# article never waits for a group nobody is in.

DEFAULT_REVIEW_STEPS = ("初审", "复审", "终审")
EDITOR_STEP = "编辑"
EDITOR_ACTIONS = ["add", "change"]
REVIEW_ACTIONS = ["change"]
FINAL_ACTIONS = ["add", "change", "publish"]


def default_review_steps() -> list[str]:
    from django.conf import settings

    return list(getattr(settings, "ZHENGWU_REVIEW_STEPS", DEFAULT_REVIEW_STEPS))


def workflow_name(site: Site) -> str:
    return f"{site.site_name}三审发布"


def site_workflow(site: Site) -> Workflow | None:
    return Workflow.objects.filter(name=workflow_name(site)).first()


def _clean_steps(steps: list[str]) -> list[str]:
    from django.core.exceptions import ValidationError

    cleaned = [str(step).strip() for step in steps]
    if not cleaned or any(not step for step in cleaned):
        raise ValidationError("请至少设置一个审核步骤，步骤名称不能为空。")
    if len(set(cleaned)) != len(cleaned):
        raise ValidationError(f"审核步骤名称重复：{'、'.join(cleaned)}。")
    if EDITOR_STEP in cleaned:
        raise ValidationError(f"“{EDITOR_STEP}”是撰稿人的组，不能作为审核步骤。")
    if any(len(step) > 20 for step in cleaned):
        raise ValidationError("审核步骤名称不能超过 20 个字。")
    return cleaned


def task_problems(task) -> list[str]:
    """Why ``task`` (a workflow step) may not be active: each of its groups that has no active member."""
    task = task.specific
    groups = getattr(task, "groups", None)
    if groups is None:
        return []
    groups = list(groups.all())
    if not groups:
        return [f"审核步骤“{task.name}”没有指定审核组。"]
    problems = []
    staffed = False
    for group in groups:
        if group.user_set.filter(is_active=True).exists():
            staffed = True
    if not staffed:
        names = "、".join(f"“{g.name}”" for g in groups)
        problems.append(
            f"审核步骤“{task.name}”的审核组{names}没有在岗成员，提交到这一步的稿件将无人审核："
            "请先在“工作人员”中为该组添加成员，再启用。"
        )
    return problems


def workflow_problems(workflow: Workflow) -> list[str]:
    """Why ``workflow`` may not be active: its steps without members (and a workflow without steps)."""
    tasks = list(workflow.tasks)
    if not tasks:
        return [f"工作流“{workflow.name}”没有审核步骤。"]
    return [problem for task in tasks for problem in task_problems(task)]


def _refuse(problems: list[str], what: str) -> None:
    from django.core.exceptions import ValidationError

    if problems:
        raise ValidationError([f"不能启用{what}：{problem}" for problem in problems], code="unstaffed_step")


@transaction.atomic
def activate_workflow(*, workflow: Workflow, actor: Any) -> Workflow:
    """Enable a workflow and its steps, refusing (``ValidationError``, in Chinese) while a step has no members."""
    _refuse(workflow_problems(workflow), f"工作流“{workflow.name}”")
    for task in workflow.tasks:
        if not task.active:
            task.active = True
            task.save(update_fields=["active"])
    if not workflow.active:
        workflow.active = True
        workflow.save(update_fields=["active"])
        audit(
            actor=actor, action="portal.review.activate", target=workflow, detail={"workflow": workflow.name}
        )
    return workflow


@transaction.atomic
def activate_task(*, task, actor: Any):
    """Enable one workflow step, refusing while its group has no members."""
    _refuse(task_problems(task), f"审核步骤“{task.name}”")
    if not task.active:
        task.active = True
        task.save(update_fields=["active"])
        audit(actor=actor, action="portal.review.activate_step", target=task, detail={"step": task.name})
    return task


def check_workflow_edit(workflow: Workflow) -> None:
    """For an active workflow whose steps were just changed: refuse a new step nobody can review."""
    if workflow.active:
        _refuse(workflow_problems(workflow), f"工作流“{workflow.name}”")


def activate_site_review(*, site: Site, actor: Any) -> Workflow:
    workflow = site_workflow(site)
    if workflow is None:
        from django.core.exceptions import ValidationError

        raise ValidationError(f"网站“{site.site_name}”尚未建立审核流程。")
    return activate_workflow(workflow=workflow, actor=actor)


def _step_group(site: Site, step: str, actions: list[str], root: Page, access_admin: Permission) -> Group:
    group, _ = Group.objects.get_or_create(name=f"{site.site_name}{step}")
    group.permissions.add(access_admin)
    for action in actions:
        permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=f"{action}_page")
        GroupPagePermission.objects.get_or_create(group=group, page=root, permission=permission)
    if "publish" not in actions:
        # A step that stopped being the last one loses the right to publish.
        GroupPagePermission.objects.filter(
            group=group, page=root, permission__codename="publish_page"
        ).delete()
    return group


@transaction.atomic
def setup_site_editorial(*, site: Site, actor: Any, steps: list[str] | None = None) -> dict[str, Group]:
    """Create (or bring up to date) the site's editor group and one group per review step, their page permissions
    on the site, and the workflow 编辑 → steps… assigned to the site's home page. The last step publishes.

    The workflow is active only if every step's group has members (a new site's groups are empty: it is activated
    by :func:`activate_site_review` once reviewers are assigned). An active workflow whose new steps would have no
    members is refused. Idempotent."""
    steps = _clean_steps(default_review_steps() if steps is None else steps)
    root = site.root_page
    access_admin = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    override = Permission.objects.get(content_type__app_label="portal", codename="override_confidentiality")
    groups: dict[str, Group] = {
        EDITOR_STEP: _step_group(site, EDITOR_STEP, EDITOR_ACTIONS, root, access_admin)
    }
    for index, step in enumerate(steps):
        final = index == len(steps) - 1
        group = _step_group(site, step, FINAL_ACTIONS if final else REVIEW_ACTIONS, root, access_admin)
        if final:
            group.permissions.add(override)
        else:
            group.permissions.remove(override)
        groups[step] = group

    workflow, _created = Workflow.objects.get_or_create(name=workflow_name(site), defaults={"active": False})
    before = [task.name for task in workflow.tasks]
    tasks = []
    for order, step in enumerate(steps):
        task, _ = GroupApprovalTask.objects.get_or_create(name=f"{site.site_name}{step}")
        task.groups.set([groups[step]])
        WorkflowTask.objects.update_or_create(workflow=workflow, task=task, defaults={"sort_order": order})
        tasks.append(task)
    WorkflowTask.objects.filter(workflow=workflow).exclude(task__in=tasks).delete()
    WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})
    if workflow.active:
        check_workflow_edit(workflow)
    elif not workflow_problems(workflow):
        activate_workflow(workflow=workflow, actor=actor)
    _retire_unstaffed_root_workflows()
    audit(
        actor=actor,
        action="portal.site.editorial_setup",
        target=site,
        detail={
            "workflow": workflow.name,
            "steps": steps,
            "previous_steps": before,
            "active": Workflow.objects.get(pk=workflow.pk).active,
        },
    )
    return groups


def configure_site_review(*, site: Site, steps: list[str], actor: Any) -> dict[str, Group]:
    """Set a site's review steps (e.g. 初审 → 终审 for a small town site, or four steps for the portal)."""
    return setup_site_editorial(site=site, steps=steps, actor=actor)


def _retire_unstaffed_root_workflows() -> None:
    """Wagtail installs a workflow on the page tree root ("Moderators approval") for a group nobody is in. Pages of
    a site whose own review is not yet active would fall back to it and wait for no one: switch it off."""
    tree_root = Page.get_first_root_node()
    if tree_root is None:
        return
    for link in WorkflowPage.objects.filter(page=tree_root, workflow__active=True).select_related("workflow"):
        if workflow_problems(link.workflow):
            link.workflow.active = False
            link.workflow.save(update_fields=["active"])
