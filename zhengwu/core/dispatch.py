"""Registry of the kinds of case that run on the dispatch engine.

An app registers each case model (a subclass of :class:`~zhengwu.core.models.dispatch.DispatchedCase`) from its
``AppConfig.ready()``::

    register_case_type(
        WorkOrder,
        code="hotline",
        label="12345工单",
        limit_keys=lambda order: (order.urgency, order.kind),
        detail_url=lambda order: reverse("hotline_admin_order", args=[order.pk]),
        on_event=hotline_notifications,   # optional: called after the commit of every engine action
    )

The engine then finds the time limits (``DispatchLimit`` rows with ``case_type == code``), the supervision views
list every kind of case, and 机构改革 moves the open cases of every kind to a successor organization.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models


@dataclass(frozen=True)
class CaseType:
    code: str
    model: type[models.Model]
    label: str
    # (urgency, request kind) of a case: picks the time limits of its stages.
    limit_keys: Callable[[Any], tuple[str, str]]
    detail_url: Callable[[Any], str] | None = None
    # Called after the commit of an engine action: (case, event kind, details). Notifications go here.
    on_event: Callable[[Any, str, dict[str, Any]], None] | None = None
    label_of: Callable[[Any], str] | None = None
    # Further overdue reasons of the case type's own (a limit counted from receipt): (case, moment) -> texts.
    overdue_of: Callable[[Any, Any], list[str]] | None = None
    # A permission the office side (派单, 审核, 回访, 办结, 督办) needs besides the engine's own, for case types
    # that belong to one office only.
    office_permission: str | None = None

    def describe(self, case: Any) -> str:
        return self.label_of(case) if self.label_of else f"{self.label} {case}"


_types: dict[str, CaseType] = {}


def register_case_type(
    model: type[models.Model],
    *,
    code: str,
    label: str,
    limit_keys: Callable[[Any], tuple[str, str]],
    detail_url: Callable[[Any], str] | None = None,
    on_event: Callable[[Any, str, dict[str, Any]], None] | None = None,
    label_of: Callable[[Any], str] | None = None,
    overdue_of: Callable[[Any, Any], list[str]] | None = None,
    office_permission: str | None = None,
) -> CaseType:
    from .models.dispatch import DispatchedCase

    if not issubclass(model, DispatchedCase):
        raise TypeError(f"{model.__name__} 须继承 DispatchedCase 才能使用派单引擎。")
    case_type = CaseType(
        code, model, label, limit_keys, detail_url, on_event, label_of, overdue_of, office_permission
    )
    _types[code] = case_type
    return case_type


def case_types() -> list[CaseType]:
    return list(_types.values())


def case_type_for(case_or_model: Any) -> CaseType:
    model = case_or_model if isinstance(case_or_model, type) else type(case_or_model)
    model = (getattr(model, "_meta", None) and model._meta.concrete_model) or model
    for case_type in _types.values():
        if case_type.model is model:
            return case_type
    raise LookupError(f"{getattr(model, '__name__', model)} 未登记为派单事项类型。")


def case_type_by_code(code: str) -> CaseType:
    try:
        return _types[code]
    except KeyError:
        raise LookupError(f"派单事项类型“{code}”未登记。") from None
