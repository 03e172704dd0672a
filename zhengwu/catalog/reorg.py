"""What 机构改革 changes in the catalogue: a ceased department's entries pass to the body that takes over its
functions, keep their codes, and are flagged 待复核 (the catalogue is updated after a change in functions)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

from zhengwu.core.models import Organization
from zhengwu.core.reorg import Movable, TransferContext, register_reference_rule, register_succession_part

from .models import Resource, ResourceStatus


def _collect(org: Organization) -> list[Movable]:
    return [
        Movable(f"resource:{pk}", f"目录条目 {name}", code)
        for pk, name, code in Resource.objects.filter(provider=org)
        .exclude(status=ResourceStatus.WITHDRAWN)
        .order_by("code")
        .values_list("pk", "name", "code")
    ]


def _transfer(predecessor: Organization, moves: list[tuple[Movable, Any]], context: TransferContext) -> None:
    from . import rules
    from .services.resources import provider_code_of

    due = context.effective_on + dt.timedelta(days=rules.review_days_after_function_change())
    for movable, successor in moves:
        Resource.objects.filter(pk=int(movable.key.rsplit(":", 1)[1]), provider=predecessor).update(
            provider=successor,
            provider_code=provider_code_of(successor),
            needs_review=True,
            review_reason=f"机构改革：{predecessor.name}的职能划入{successor.name}（{context.reason}）"[:300],
            review_due_on=due,
        )


def register() -> None:
    register_succession_part(
        code="catalog.resources", label="政务信息资源目录条目", order=45, collect=_collect, transfer=_transfer
    )
    register_reference_rule("catalog.resource", "provider", ~Q(status=ResourceStatus.WITHDRAWN))
