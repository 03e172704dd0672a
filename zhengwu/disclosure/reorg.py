"""What 机构改革 moves in the disclosure app: open 依申请公开 requests (clock and due date unchanged), catalogue
items (索引号 unchanged, listed under the successor), the routes of other bodies that point at the predecessor,
and its 标准目录 entries. Closed requests, annual reports and issued 索引号 stay with the ceased body: its annual
report for the year it ceased is still produced from them."""

from __future__ import annotations

from typing import Any

from django.db.models import Max, Q

from zhengwu.core.models import CaseClock, Organization
from zhengwu.core.reorg import Movable, TransferContext, register_reference_rule, register_succession_part
from zhengwu.core.services.clock import format_moment

from .models import DisclosureItem, DisclosureRequest, RequestRoute, RequestState, StandardCatalogEntry


def _pk(movable: Movable) -> int:
    return int(movable.key.rsplit(":", 1)[1])


def _collect_requests(org: Organization) -> list[Movable]:
    rows = []
    qs = (
        DisclosureRequest.objects.exclude(state=RequestState.REPLIED)
        .filter(Q(organization=org) | Q(handling_office=org))
        .select_related("reply_clock")
        .order_by("pk")
    )
    for request in qs:
        clock = request.reply_clock
        due = f"答复截止 {request.due_on:%Y-%m-%d}" if request.due_on else ""
        if clock is not None and clock.due_at:
            due = f"答复时限 {format_moment(clock.due_at)}"
        rows.append(Movable(f"request:{request.pk}", f"依申请公开 {request.tracking_number}", due))
    return rows


def _transfer_requests(
    predecessor: Organization, moves: list[tuple[Movable, Any]], context: TransferContext
) -> None:
    for movable, successor in moves:
        request = DisclosureRequest.objects.select_for_update().get(pk=_pk(movable))
        fields = ["updated_at"]
        if request.organization_id == predecessor.pk:
            request.organization = successor
            fields.append("organization")
            if (
                request.external_id
                and DisclosureRequest.objects.filter(
                    organization=successor, external_id=request.external_id
                ).exists()
            ):
                # Two old systems used the same number: keep both, telling them apart by the former body.
                old = request.external_id
                request.external_id = f"{predecessor.code}-{old}"[:64]
                fields.append("external_id")
                context.notes.setdefault("external_ids", []).append([old, request.external_id])
        if request.handling_office_id == predecessor.pk:
            request.handling_office = successor
            fields.append("handling_office")
        request.save(update_fields=fields)
        if request.reply_clock_id:
            # Only who handles it changes: started-at, pauses, extensions and the due date stay as they were.
            CaseClock.objects.filter(pk=request.reply_clock_id, organization=predecessor).update(
                organization=successor
            )


def _collect_items(org: Organization) -> list[Movable]:
    return [
        Movable(f"item:{pk}", title, f"索引号 {number}")
        for pk, title, number in DisclosureItem.objects.filter(organization=org)
        .order_by("index_number")
        .values_list("pk", "title", "index_number")
    ]


def _transfer_items(
    predecessor: Organization, moves: list[tuple[Movable, Any]], context: TransferContext
) -> None:
    by_successor: dict[int, tuple[Organization, list[int]]] = {}
    for movable, successor in moves:
        by_successor.setdefault(successor.pk, (successor, []))[1].append(_pk(movable))
    for successor, ids in by_successor.values():
        items = DisclosureItem.objects.filter(pk__in=ids, organization=predecessor)
        # The item keeps saying who issued it; the 索引号 is never re-issued.
        items.filter(issuing_authority="").update(issuing_authority=predecessor.name[:100])
        items.update(organization=successor)


def _collect_routes(org: Organization) -> list[Movable]:
    return [
        Movable(f"route:{route.pk}", f"{route.organization.name}的依申请公开办理机构", "")
        for route in RequestRoute.objects.filter(handling_office=org)
        .exclude(organization=org)
        .select_related("organization")
        .order_by("pk")
    ]


def _transfer_routes(
    predecessor: Organization, moves: list[tuple[Movable, Any]], context: TransferContext
) -> None:
    for movable, successor in moves:
        RequestRoute.objects.filter(pk=_pk(movable), handling_office=predecessor).update(
            handling_office=successor
        )


def _collect_standard(org: Organization) -> list[Movable]:
    return [
        Movable(f"standard:{entry.pk}", str(entry), f"{entry.area} 第 {entry.serial} 项")
        for entry in StandardCatalogEntry.objects.filter(organization=org)
        .select_related("area")
        .order_by("pk")
    ]


def _transfer_standard(
    predecessor: Organization, moves: list[tuple[Movable, Any]], context: TransferContext
) -> None:
    for movable, successor in moves:
        entry = StandardCatalogEntry.objects.get(pk=_pk(movable))
        taken = StandardCatalogEntry.objects.filter(
            area_id=entry.area_id, organization=successor, serial=entry.serial
        )
        if taken.exists():
            # Both bodies listed the same serial in this area: the moved entry goes after the successor's own.
            last = StandardCatalogEntry.objects.filter(
                area_id=entry.area_id, organization=successor
            ).aggregate(Max("serial"))["serial__max"]
            entry.serial = (last or 0) + 1
        entry.organization = successor
        entry.save(update_fields=["organization", "serial"])


def register() -> None:
    register_succession_part(
        code="requests",
        label="在办依申请公开",
        order=40,
        collect=_collect_requests,
        transfer=_transfer_requests,
    )
    register_succession_part(
        code="items",
        label="主动公开信息（索引号不变）",
        order=45,
        collect=_collect_items,
        transfer=_transfer_items,
    )
    register_succession_part(
        code="routes",
        label="依申请公开办理机构设置",
        order=46,
        collect=_collect_routes,
        transfer=_transfer_routes,
    )
    register_succession_part(
        code="standard",
        label="标准目录事项",
        order=47,
        collect=_collect_standard,
        transfer=_transfer_standard,
    )
    open_request = ~Q(state=RequestState.REPLIED)
    register_reference_rule("disclosure.disclosurerequest", "organization", open_request)
    register_reference_rule("disclosure.disclosurerequest", "handling_office", open_request)
    for model, field_name in (
        ("disclosure.annualreport", "organization"),
        ("disclosure.reviewcase", "organization"),
        ("disclosure.issuedindexnumber", "organization"),
        ("disclosure.indexsequence", "organization"),
        ("disclosure.disclosureguide", "organization"),
        ("disclosure.requestroute", "organization"),
    ):
        register_reference_rule(model, field_name, None)
