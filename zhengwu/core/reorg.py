"""Registry of what 机构改革 moves from a ceased organization to its successor, and of which references to a
vanished organization are history rather than leftovers.

An app registers each kind of object it owns from its ``AppConfig.ready()``::

    register_succession_part(
        code="disclosure.items",
        label="主动公开信息",
        order=40,
        collect=lambda org: [Movable(key=f"item:{i.pk}", label=i.title, note=i.index_number) for i in ...],
        transfer=move_items,   # (predecessor, moves: list[tuple[Movable, Organization]], context) -> None
    )

``collect`` lists the objects of one predecessor that would move (the preview shows them one by one, so a split can
send each to a different successor); ``transfer`` moves them, inside the reorganization's transaction, and writes
nothing else than its own app's rows. ``register_reference_rule`` says, for a foreign key to ``Organization``, which
rows still matter (an open case, a published item) — a ceased organization may keep its history (closed cases,
its annual reports) for ever, but nothing live should point at it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q


@dataclass(frozen=True)
class Movable:
    """One object that moves: ``key`` is unique within its part (``"request:12"``), ``label`` says what it is and
    ``note`` what stays the same (a due date, an 索引号, a host)."""

    key: str
    label: str
    note: str = ""


@dataclass
class TransferContext:
    reorganization: Any
    actor: Any
    effective_on: dt.date
    reason: str
    # Filled by parts for the summary: anything they want remembered (old hosts, redirect prefixes).
    notes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SuccessionPart:
    code: str
    label: str
    order: int
    collect: Callable[[Any], list[Movable]]
    transfer: Callable[[Any, list[tuple[Movable, Any]], TransferContext], None]


_parts: dict[str, SuccessionPart] = {}
# (app_label.model_name, field name) → Q of the rows that still matter, or None when the field is history only.
_reference_rules: dict[tuple[str, str], Q | None] = {}


def register_succession_part(
    *,
    code: str,
    label: str,
    collect: Callable[[Any], list[Movable]],
    transfer: Callable[[Any, list[tuple[Movable, Any]], TransferContext], None],
    order: int = 50,
) -> SuccessionPart:
    part = SuccessionPart(code, label, order, collect, transfer)
    _parts[code] = part
    return part


def succession_parts() -> list[SuccessionPart]:
    return sorted(_parts.values(), key=lambda part: (part.order, part.code))


def register_reference_rule(model_label: str, field_name: str, live: Q | None) -> None:
    """``live`` None: the field records history (who answered, whose report) and never counts as left behind."""
    _reference_rules[(model_label.lower(), field_name)] = live


def reference_rule(model_label: str, field_name: str) -> tuple[bool, Q | None]:
    """(known, live filter) of a field; unknown fields count every row."""
    key = (model_label.lower(), field_name)
    return key in _reference_rules, _reference_rules.get(key)
