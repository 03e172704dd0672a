"""What 机构改革 changes in the hotline's configuration: the 派单目录 (default lead unit and other units of each
category) and the units that maintain knowledge-base entries pass to the successor, so that no new work order is
dispatched to a body that no longer exists; a department's 信箱 passes to the successor with its letters' history.
Open work orders and letters themselves move through the dispatch engine."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from zhengwu.core.models import Organization
from zhengwu.core.reorg import Movable, TransferContext, register_succession_part

from .models import Category, KnowledgeEntry, Mailbox


def _collect_catalog(org: Organization) -> list[Movable]:
    rows = []
    for category in (
        Category.objects.filter(Q(lead_unit=org) | Q(catalog_units=org)).distinct().order_by("path")
    ):
        role = "默认主办单位" if category.lead_unit_id == org.pk else "可派单位"
        rows.append(Movable(f"category:{category.pk}", f"派单目录 {category.path}", role))
    return rows


def _transfer_catalog(
    predecessor: Organization, moves: list[tuple[Movable, Any]], context: TransferContext
) -> None:
    for movable, successor in moves:
        category = Category.objects.get(pk=int(movable.key.rsplit(":", 1)[1]))
        if category.lead_unit_id == predecessor.pk:
            category.lead_unit = successor
            category.save(update_fields=["lead_unit"])
        if category.catalog_units.filter(pk=predecessor.pk).exists():
            category.catalog_units.remove(predecessor)
            if category.lead_unit_id != successor.pk:
                category.catalog_units.add(successor)


def _collect_knowledge(org: Organization) -> list[Movable]:
    return [
        Movable(f"knowledge:{pk}", f"知识库 {title}", "")
        for pk, title in KnowledgeEntry.objects.filter(owner_unit=org)
        .order_by("pk")
        .values_list("pk", "title")
    ]


def _transfer_knowledge(
    predecessor: Organization, moves: list[tuple[Movable, Any]], context: TransferContext
) -> None:
    for movable, successor in moves:
        KnowledgeEntry.objects.filter(pk=int(movable.key.rsplit(":", 1)[1]), owner_unit=predecessor).update(
            owner_unit=successor
        )


def _collect_mailboxes(org: Organization) -> list[Movable]:
    return [
        Movable(f"mailbox:{pk}", f"信箱 {name}", "")
        for pk, name in Mailbox.objects.filter(organization=org).order_by("pk").values_list("pk", "name")
    ]


def _transfer_mailboxes(
    predecessor: Organization, moves: list[tuple[Movable, Any]], context: TransferContext
) -> None:
    for movable, successor in moves:
        Mailbox.objects.filter(pk=int(movable.key.rsplit(":", 1)[1]), organization=predecessor).update(
            organization=successor
        )


def register() -> None:
    register_succession_part(
        code="catalog", label="12345派单目录", order=35, collect=_collect_catalog, transfer=_transfer_catalog
    )
    register_succession_part(
        code="knowledge",
        label="12345知识库条目",
        order=36,
        collect=_collect_knowledge,
        transfer=_transfer_knowledge,
    )
    register_succession_part(
        code="mailboxes", label="领导信箱", order=37, collect=_collect_mailboxes, transfer=_transfer_mailboxes
    )
