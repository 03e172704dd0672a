"""Editorial control of publication: the 保密审查 scan that blocks publishing, and the per-site three-step review
(编辑 → 初审 → 终审) on Wagtail workflows.

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


# --- three-step review --------------------------------------------------------------------------------------------

EDITORIAL_STEPS = [
    # (suffix, permissions on the site's pages)
    ("编辑", ["add", "change"]),
    ("初审", ["change"]),
    ("终审", ["add", "change", "publish"]),
]


@transaction.atomic
def setup_site_editorial(*, site: Site, actor: Any) -> dict[str, Group]:
    """Create the site's editor, first-review and final-review groups, their page permissions on the site, and the
    three-step workflow 编辑 → 初审 → 终审 assigned to the site's home page. Idempotent."""
    root = site.root_page
    access_admin = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    groups: dict[str, Group] = {}
    for suffix, actions in EDITORIAL_STEPS:
        group, _ = Group.objects.get_or_create(name=f"{site.site_name}{suffix}")
        group.permissions.add(access_admin)
        for action in actions:
            permission = Permission.objects.get(
                content_type__app_label="wagtailcore", codename=f"{action}_page"
            )
            GroupPagePermission.objects.get_or_create(group=group, page=root, permission=permission)
        groups[suffix] = group
    override = Permission.objects.get(content_type__app_label="portal", codename="override_confidentiality")
    groups["终审"].permissions.add(override)

    workflow, _ = Workflow.objects.get_or_create(name=f"{site.site_name}三审发布")
    for order, suffix in enumerate(("初审", "终审")):
        task, _ = GroupApprovalTask.objects.get_or_create(name=f"{site.site_name}{suffix}")
        task.groups.set([groups[suffix]])
        WorkflowTask.objects.update_or_create(workflow=workflow, task=task, defaults={"sort_order": order})
    WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})
    audit(actor=actor, action="portal.site.editorial_setup", target=site, detail={"workflow": workflow.name})
    return groups
