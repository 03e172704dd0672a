"""Reads of 机构改革: the history of an organization, and what still points at a vanished one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q

from ..models import HostRedirect, Organization, Reorganization, Succession
from ..reorg import reference_rule


@dataclass(frozen=True)
class LeftBehind:
    """Rows of one model field that still point at organizations that ceased or were deactivated."""

    model: str
    model_label: str
    field: str
    field_label: str
    count: int
    organizations: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "model_label": self.model_label,
            "field": self.field,
            "field_label": self.field_label,
            "count": self.count,
            "organizations": self.organizations,
        }


def _organization_fields() -> list[tuple[type[models.Model], models.Field]]:
    result = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for field in model._meta.get_fields():
            if (
                (field.many_to_one or field.one_to_one or field.many_to_many)
                and field.concrete
                and field.related_model is Organization
            ):
                result.append((model, field))
    return result


def _dispatch_live_filters() -> dict[str, Q]:
    from ..dispatch import case_types
    from ..models.dispatch import OPEN_DISPATCH_STATES

    return {
        case_type.model._meta.label_lower: Q(dispatch_state__in=OPEN_DISPATCH_STATES)
        for case_type in case_types()
    }


def vanished_references() -> list[LeftBehind]:
    """Items that still point at a vanished organization (ceased by 机构改革, or deactivated): per model field, how
    many rows that still matter (an open case, an active account, a published page) — history (closed cases, annual
    reports, issued 索引号, the reform records themselves) is not counted."""
    vanished = dict(
        Organization.objects.filter(Q(is_active=False) | Q(ceased_on__isnull=False)).values_list("pk", "name")
    )
    if not vanished:
        return []
    dispatch_filters = _dispatch_live_filters()
    rows = []
    for model, field in _organization_fields():
        label = model._meta.label_lower
        known, live = reference_rule(label, field.name)
        if known and live is None:
            continue
        if not known and field.name == "lead_unit" and label in dispatch_filters:
            live = dispatch_filters[label]
        qs = model._default_manager.filter(**{f"{field.name}__in": list(vanished)})
        if live is not None:
            qs = qs.filter(live)
        if model is Organization and field.name == "parent":
            qs = qs.exclude(pk__in=list(vanished))
        ids = qs.values_list(field.name, flat=True).distinct()
        org_ids = sorted(set(ids))
        if not org_ids:
            continue
        rows.append(
            LeftBehind(
                model=label,
                model_label=str(model._meta.verbose_name),
                field=field.name,
                field_label=str(field.verbose_name),
                count=qs.count(),
                organizations=[vanished[pk] for pk in org_ids if pk in vanished],
            )
        )
    return sorted(rows, key=lambda row: (-row.count, row.model, row.field))


def organization_history(org: Organization) -> list[dict[str, Any]]:
    """Every reform that touched ``org``, oldest first, and the reforms of its predecessors, transitively."""
    seen: set[int] = set()
    pending = [org.pk]
    reform_ids: set[int] = set()
    while pending:
        pk = pending.pop()
        if pk in seen:
            continue
        seen.add(pk)
        reform_ids.update(Reorganization.objects.filter(organization_id=pk).values_list("pk", flat=True))
        links = Succession.objects.filter(Q(successor_id=pk) | Q(predecessor_id=pk))
        reform_ids.update(links.values_list("reorganization_id", flat=True))
        pending.extend(links.filter(successor_id=pk).values_list("predecessor_id", flat=True))
    reforms = (
        Reorganization.objects.filter(pk__in=reform_ids)
        .select_related("organization", "performed_by")
        .prefetch_related("successions__predecessor", "successions__successor")
        .order_by("effective_on", "pk")
    )
    result = []
    for reform in reforms:
        predecessors = sorted({link.predecessor.name for link in reform.successions.all()})
        successors = sorted({link.successor.name for link in reform.successions.all()})
        if reform.kind in ("merge", "absorb", "split"):
            text = f"{'、'.join(predecessors)} → {'、'.join(successors)}"
        elif reform.kind == "rename":
            text = f"“{reform.detail['name'][0]}”更名为“{reform.detail['name'][1]}”"
        else:
            text = f"{reform.organization.name}：隶属由“{reform.detail['parent'][0]}”调整为“{reform.detail['parent'][1]}”"
        result.append(
            {
                "id": reform.pk,
                "kind": reform.kind,
                "kind_label": reform.get_kind_display(),
                "effective_on": reform.effective_on.isoformat(),
                "text": text,
                "reason": reform.reason,
                "basis": reform.basis,
                "predecessors": predecessors,
                "successors": successors,
                "counts": reform.summary.get("counts", {}),
                "performed_by": str(reform.performed_by) if reform.performed_by else "系统",
                "performed_at": reform.performed_at.isoformat(),
            }
        )
    return result


def redirect_figures() -> dict[str, int]:
    qs = HostRedirect.objects.all()
    return {
        "host_redirects": qs.count(),
        "host_redirects_hit": qs.filter(hits__gt=0).count(),
        "host_redirect_hits": sum(qs.values_list("hits", flat=True)),
    }
