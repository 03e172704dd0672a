"""Keep the index in step with the page tree: every change that can add a page to the published, public site
or take one away enqueues a background sync (after the commit, so the task sees the committed state)."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from zhengwu.core.models import Organization

from . import registry, segment
from .tasks import sync_pages_task, sync_site_task, sync_subtree_task


def _searchable(page: Page) -> bool:
    return registry.searchable_for(page.specific_class or type(page)) is not None


def _on_published_or_unpublished(sender, instance: Page, **kwargs) -> None:
    if _searchable(instance):
        page_id = instance.pk
        transaction.on_commit(lambda: sync_pages_task.enqueue(page_ids=[page_id]))


def _on_moved(sender, instance: Page, **kwargs) -> None:
    page_id = instance.pk
    transaction.on_commit(lambda: sync_subtree_task.enqueue(page_id=page_id))


def _on_restriction_changed(sender, instance: PageViewRestriction, **kwargs) -> None:
    page_id = instance.page_id
    transaction.on_commit(lambda: sync_subtree_task.enqueue(page_id=page_id))


def _on_site_saved(sender, instance: Site, **kwargs) -> None:
    site_id = instance.pk
    transaction.on_commit(lambda: sync_site_task.enqueue(site_id=site_id))


def _on_organization_saved(sender, instance: Organization, **kwargs) -> None:
    segment.organizations_changed()


def connect() -> None:
    page_published.connect(_on_published_or_unpublished, dispatch_uid="portal_search_published")
    page_unpublished.connect(_on_published_or_unpublished, dispatch_uid="portal_search_unpublished")
    post_page_move.connect(_on_moved, dispatch_uid="portal_search_moved")
    post_save.connect(
        _on_restriction_changed, sender=PageViewRestriction, dispatch_uid="portal_search_vr_save"
    )
    post_delete.connect(
        _on_restriction_changed, sender=PageViewRestriction, dispatch_uid="portal_search_vr_del"
    )
    post_save.connect(_on_site_saved, sender=Site, dispatch_uid="portal_search_site_saved")
    post_save.connect(_on_organization_saved, sender=Organization, dispatch_uid="portal_search_org_saved")
