"""What 机构改革 moves in 网站检查: the sites a ceased organization registered for inspection, and its open
rectifications (整改), each with its clock — the due date unchanged, only the unit that must act."""

from __future__ import annotations

from typing import Any

from zhengwu.core.models import Organization
from zhengwu.core.reorg import Movable, TransferContext, register_succession_part

from .models import OPEN_STATUSES, Finding, InspectedSite


def _collect_sites(org: Organization) -> list[Movable]:
    return [
        Movable(f"inspected_site:{pk}", f"受检网站 {name}", url)
        for pk, name, url in InspectedSite.objects.filter(organization=org)
        .order_by("pk")
        .values_list("pk", "name", "url")
    ]


def _transfer_sites(
    predecessor: Organization, moves: list[tuple[Movable, Any]], context: TransferContext
) -> None:
    for movable, successor in moves:
        InspectedSite.objects.filter(pk=int(movable.key.rsplit(":", 1)[1]), organization=predecessor).update(
            organization=successor
        )


def _collect_findings(org: Organization) -> list[Movable]:
    return [
        Movable(f"finding:{pk}", f"网站问题整改 {summary}", "整改期限不变")
        for pk, summary in Finding.objects.filter(organization=org, status__in=OPEN_STATUSES)
        .order_by("pk")
        .values_list("pk", "summary")
    ]


def _transfer_findings(
    predecessor: Organization, moves: list[tuple[Movable, Any]], context: TransferContext
) -> None:
    from zhengwu.core.models import CaseClock

    for movable, successor in moves:
        finding = Finding.objects.filter(
            pk=int(movable.key.rsplit(":", 1)[1]), organization=predecessor
        ).first()
        if finding is None:
            continue
        finding.organization = successor
        finding.save(update_fields=["organization"])
        if finding.clock_id is not None:
            CaseClock.objects.filter(pk=finding.clock_id).update(organization=successor)


def register() -> None:
    register_succession_part(
        code="inspected_sites", label="受检网站", order=40, collect=_collect_sites, transfer=_transfer_sites
    )
    register_succession_part(
        code="rectifications",
        label="网站问题整改",
        order=41,
        collect=_collect_findings,
        transfer=_transfer_findings,
    )
