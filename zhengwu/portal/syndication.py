"""同步推送: a department or town item pushed into a county-portal column stays one item.

The push is a Wagtail alias of the original page: the portal shows it under its own column and URL, and every
publication of the original updates the alias in the same transaction, so there is never a second copy to keep in
step. Withdrawing the push deletes the alias only.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from wagtail.models import Page

from zhengwu.core.services.audit import audit

from .models import ColumnPage, ContentPage


def pushes_of(page: Page) -> list[Page]:
    return list(Page.objects.filter(alias_of=page).select_related("content_type").order_by("path"))


def push_targets(*, page: ContentPage, user: Any) -> list[ColumnPage]:
    """Columns of other sites where ``user`` may add pages and the item is not pushed yet."""
    own_site = page.get_site()
    already = {alias.get_parent().pk for alias in pushes_of(page)}
    columns = ColumnPage.objects.live().exclude(pk__in=already).order_by("path")
    if own_site is not None:
        columns = columns.exclude(path__startswith=own_site.root_page.path)
    return [c for c in columns if c.permissions_for_user(user).can_add_subpage()]


@transaction.atomic
def push_to_column(*, page: Page, column: ColumnPage, actor: Any) -> Page:
    page = page.specific
    if not isinstance(page, ContentPage) or page.alias_of_id:
        raise ValidationError("只能推送文章、政策文件或政策解读的原稿。")
    if not page.live:
        raise ValidationError("稿件发布后才能同步推送。")
    site = page.get_site()
    if site is not None and column.path.startswith(site.root_page.path):
        raise ValidationError("不能推送到本网站的栏目。")
    if not column.permissions_for_user(actor).can_add_subpage():
        raise PermissionDenied("您没有在该栏目发布内容的权限。")
    if any(alias.get_parent().pk == column.pk for alias in pushes_of(page)):
        raise ValidationError(f"该稿件已推送到“{column.title}”。")
    slug = page.slug
    if Page.objects.child_of(column).filter(slug=slug).exists():
        slug = f"{slug}-{page.pk}"
    alias = page.create_alias(parent=column, update_slug=slug, user=actor)
    audit(
        actor=actor,
        action="portal.syndication.push",
        target=page,
        detail={"column": column.title, "column_id": column.pk, "alias_id": alias.pk},
    )
    return alias


@transaction.atomic
def withdraw_push(*, alias: Page, actor: Any) -> None:
    if not alias.alias_of_id:
        raise ValidationError("这不是推送的稿件。")
    if not alias.get_parent().permissions_for_user(actor).can_add_subpage():
        raise PermissionDenied("您没有撤回该推送的权限。")
    original = alias.alias_of
    audit(
        actor=actor,
        action="portal.syndication.withdraw",
        target=original,
        detail={"column_id": alias.get_parent().pk, "alias_id": alias.pk},
    )
    alias.delete()
