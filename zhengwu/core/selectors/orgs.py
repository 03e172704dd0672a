"""机构 reads: the root, subtrees, ancestors and the tree as an indented list."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from ..models import Organization
from ..scoping import scope_queryset


def get_root() -> Organization | None:
    """The county government at the top of the tree (``None`` before installation)."""
    return Organization.objects.filter(parent__isnull=True).first()


def subtree(
    org: Organization, *, include_self: bool = True, active_only: bool = False
) -> QuerySet[Organization]:
    """``org`` and every organization below it, in tree (path) order."""
    qs = Organization.objects.filter(path__startswith=org.path)
    if not include_self:
        qs = qs.exclude(pk=org.pk)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("path")


def subtree_ids(org: Organization) -> list[int]:
    return list(Organization.objects.filter(path__startswith=org.path).values_list("pk", flat=True))


def ancestors(org: Organization, *, include_self: bool = False) -> QuerySet[Organization]:
    """The organizations above ``org``, root first."""
    ids = org.ancestor_ids()
    if include_self:
        ids.append(org.pk)
    return Organization.objects.filter(pk__in=ids).order_by("depth")


def children(org: Organization | None, *, active_only: bool = False) -> QuerySet[Organization]:
    qs = (
        Organization.objects.filter(parent=org)
        if org is not None
        else Organization.objects.filter(parent=None)
    )
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("sort_order", "path")


def with_staff_counts(qs: QuerySet[Organization]) -> QuerySet[Organization]:
    """Annotate ``active_staff_count``: active accounts belonging directly to each organization."""
    return qs.annotate(active_staff_count=Count("staff", filter=Q(staff__is_active=True), distinct=True))


@dataclass(frozen=True)
class TreeNode:
    organization: Organization
    level: int  # 0 for the top nodes of the listing, not necessarily the root of the whole tree
    has_children: bool


def tree_order(orgs: Iterable[Organization]) -> list[TreeNode]:
    """Arrange organizations depth-first, siblings by ``sort_order`` then creation order.

    Works on any subset (a user's subtree, a search result): an organization whose parent is not in the subset is
    listed as a top node.
    """
    items = list(orgs)
    by_id = {org.pk: org for org in items}
    kids: dict[int | None, list[Organization]] = {}
    for org in items:
        parent_id = org.parent_id if org.parent_id in by_id else None
        kids.setdefault(parent_id, []).append(org)
    for siblings in kids.values():
        siblings.sort(key=lambda o: (o.sort_order, o.path))
    result: list[TreeNode] = []
    stack: list[tuple[Organization, int]] = [(org, 0) for org in reversed(kids.get(None, []))]
    while stack:
        org, level = stack.pop()
        below = kids.get(org.pk, [])
        result.append(TreeNode(org, level, bool(below)))
        stack.extend((child, level + 1) for child in reversed(below))
    return result


def organization_tree(
    *,
    user: Any = None,
    root: Organization | None = None,
    active_only: bool = False,
    staff_counts: bool = False,
) -> list[TreeNode]:
    """The tree (or the subtree under ``root``), limited to what ``user`` may see when given."""
    qs = subtree(root) if root is not None else Organization.objects.all()
    if active_only:
        qs = qs.filter(is_active=True)
    if user is not None:
        qs = scope_queryset(qs, user, org_field="")
    if staff_counts:
        qs = with_staff_counts(qs)
    return tree_order(qs)


def organizations_for(user: Any, *, active_only: bool = True) -> QuerySet[Organization]:
    """The organizations ``user`` may see or choose (their subtree, or all for county-wide roles)."""
    qs = Organization.objects.all()
    if active_only:
        qs = qs.filter(is_active=True)
    return scope_queryset(qs, user, org_field="").order_by("path")


def find_by_credit_code(credit_code: str) -> Organization | None:
    return Organization.objects.filter(credit_code=(credit_code or "").strip().upper()).first()


def tree_problems() -> list[str]:
    """Inconsistencies between ``parent`` and the materialized ``path``/``depth`` (empty when the tree is sound).

    Used by the tests and by ``zhengwu org check``; writes through the services never cause any.
    """
    problems = []
    orgs = {org.pk: org for org in Organization.objects.all()}
    roots = [org for org in orgs.values() if org.parent_id is None]
    if len(roots) > 1:
        problems.append(f"有 {len(roots)} 个根机构：{'、'.join(org.name for org in roots)}。")
    for org in orgs.values():
        parent = orgs.get(org.parent_id) if org.parent_id else None
        expected_path = (parent.path if parent else "") + f"{org.pk:06d}/"
        expected_depth = parent.depth + 1 if parent else 0
        if org.path != expected_path or org.depth != expected_depth:
            problems.append(
                f"“{org.name}”的路径为 {org.path}（层级 {org.depth}），应为 {expected_path}（层级 {expected_depth}）。"
            )
    return problems
