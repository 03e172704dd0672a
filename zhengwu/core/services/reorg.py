"""机构改革: merge (A + B → C), absorb (A into B), split (A → B + C), rename and move in the tree.

Every act is dated (生效日期) and reasoned, and leaves a :class:`~zhengwu.core.models.Reorganization` row with the
full list of what moved, :class:`~zhengwu.core.models.Succession` links from each predecessor to its successors,
and one audit row. A predecessor that ceases stays in the tree, inactive, with ``ceased_on`` set: its closed cases,
its annual reports and its audit trail keep pointing at it.

What moves is not known here: each app registers the kinds of object it owns (:mod:`zhengwu.core.reorg`) — core
registers sub-organizations, staff (their roles go with them) and the open cases of the dispatch engine (moved by
:func:`~zhengwu.core.services.dispatch.move_open_cases`, clocks unchanged); disclosure its open requests, catalogue
items (索引号 unchanged) and routes; the portal the sites (merged, old hosts answering 301).

Use in two steps, as the admin page and ``zhengwu org merge|absorb|split|rename|move`` do: ``plan_*`` checks the act
and lists every object that would move (nothing is written), :func:`execute` does it in one transaction, refusing
when what would move has changed since the preview (``fingerprint``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ..models import Organization, OrganizationKind, Reorganization, ReorgKind, Staff, Succession
from ..reorg import Movable, TransferContext, succession_parts
from .audit import audit
from .orgs import (
    _move_subtree,
    create_organization,
    move_organization,
    validate_organization,
)

PERMISSION = "core.reorganize"
DEFAULT_MAX_FUTURE_DAYS = 30


def max_future_days() -> int:
    """How far ahead a 生效日期 may lie (a reform approved now, effective on the first of next month)."""
    return int(getattr(settings, "ZHENGWU_REORG_MAX_FUTURE_DAYS", DEFAULT_MAX_FUTURE_DAYS))


def format_day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def today() -> dt.date:
    return timezone.localdate()


# -- the plan ----------------------------------------------------------------------------------------------------


@dataclass
class NewOrganization:
    """A successor that does not exist yet (合并设立 a new body); created under ``parent`` by :func:`execute`."""

    name: str
    code: str
    parent: Organization
    kind: str = OrganizationKind.DEPARTMENT
    credit_code: str | None = None
    short_name: str = ""
    division_code: str = ""

    @property
    def pk(self) -> None:
        return None

    def __str__(self) -> str:
        return self.name


Target = Organization | NewOrganization


@dataclass
class PlanLine:
    part: str
    part_label: str
    key: str
    label: str
    note: str
    predecessor: Organization
    successor: Target

    @property
    def ref(self) -> str:
        return f"{self.part}:{self.key}"

    def as_json(self) -> dict[str, Any]:
        return {
            "part": self.part,
            "part_label": self.part_label,
            "key": self.key,
            "label": self.label,
            "note": self.note,
            "from": _org_json(self.predecessor),
            "to": _org_json(self.successor),
        }


def _org_json(org: Target) -> dict[str, Any]:
    return {"id": org.pk, "code": org.code, "name": org.name, "new": org.pk is None}


@dataclass
class ReorgPlan:
    kind: str
    effective_on: dt.date
    reason: str
    basis: str = ""
    predecessors: list[Organization] = field(default_factory=list)
    successors: list[Target] = field(default_factory=list)
    lines: list[PlanLine] = field(default_factory=list)
    # rename / move
    subject: Organization | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def kind_label(self) -> str:
        return ReorgKind(self.kind).label

    @property
    def ceasing(self) -> list[Organization]:
        return list(self.predecessors)

    @property
    def fingerprint(self) -> str:
        """Changes when anything that would move, or where it would go, changes."""
        data = [
            self.kind,
            self.effective_on.isoformat(),
            [org.pk for org in self.predecessors],
            [(org.pk, org.code) for org in self.successors],
            sorted((line.ref, line.predecessor.pk, line.successor.code) for line in self.lines),
            self.detail,
        ]
        return hashlib.sha256(json.dumps(data, ensure_ascii=False, default=str).encode()).hexdigest()[:16]

    def counts(self) -> list[tuple[str, int]]:
        result: dict[str, int] = {}
        for line in self.lines:
            result[line.part_label] = result.get(line.part_label, 0) + 1
        return list(result.items())

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "kind_label": self.kind_label,
            "effective_on": self.effective_on.isoformat(),
            "reason": self.reason,
            "basis": self.basis,
            "predecessors": [_org_json(org) for org in self.predecessors],
            "successors": [_org_json(org) for org in self.successors],
            "subject": _org_json(self.subject) if self.subject else None,
            "detail": self.detail,
            "counts": dict(self.counts()),
            "moves": [line.as_json() for line in self.lines],
            "fingerprint": self.fingerprint,
        }


# -- checks ------------------------------------------------------------------------------------------------------


def require_permission(actor: Any) -> None:
    """``actor`` None is the system (the console without ``--actor``, demo data)."""
    if actor is None:
        return
    if not getattr(actor, "is_active", False) or not actor.has_perm(PERMISSION):
        raise PermissionDenied("您没有执行机构改革的权限。")


def _check_common(*, effective_on: Any, reason: str) -> tuple[dt.date, str]:
    if not isinstance(effective_on, dt.date) or isinstance(effective_on, dt.datetime):
        raise ValidationError({"effective_on": ["请填写生效日期（如 2026-12-01）。"]})
    limit = max_future_days()
    if effective_on > today() + dt.timedelta(days=limit):
        raise ValidationError(
            {"effective_on": [f"生效日期（{format_day(effective_on)}）不能晚于今天之后 {limit} 天。"]}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["请填写机构改革的原因或依据。"]})
    return effective_on, reason


def _fresh(org: Organization) -> Organization:
    return Organization.objects.get(pk=org.pk)


def _check_alive(org: Organization, role: str) -> None:
    if org.ceased_on:
        raise ValidationError(f"{role}“{org.name}”已于{format_day(org.ceased_on)}撤销，不能再参与机构改革。")
    if not org.is_active:
        raise ValidationError(f"{role}“{org.name}”已停用。")


def _check_predecessors(predecessors: list[Organization]) -> list[Organization]:
    if not predecessors:
        raise ValidationError("请选择原机构。")
    seen: set[int] = set()
    fresh = []
    for org in predecessors:
        if org.pk in seen:
            raise ValidationError(f"原机构“{org.name}”重复列出。")
        seen.add(org.pk)
        org = _fresh(org)
        _check_alive(org, "原机构")
        if org.parent_id is None:
            raise ValidationError(f"“{org.name}”是根机构，不能被合并、并入或拆分。")
        fresh.append(org)
    for org in fresh:
        for other in fresh:
            if org.pk != other.pk and org.is_descendant_of(other):
                raise ValidationError(f"“{org.name}”是“{other.name}”的下级机构，不能同时作为原机构。")
    return fresh


def _check_successor(successor: Target, predecessors: list[Organization], *, absorb: bool = True) -> Target:
    if isinstance(successor, NewOrganization):
        parent = _fresh(successor.parent)
        _check_alive(parent, "新机构的上级机构")
        for org in predecessors:
            if parent.is_descendant_of(org):
                raise ValidationError(
                    f"新机构的上级机构“{parent.name}”是原机构“{org.name}”或其下级机构，原机构撤销后无处隶属。"
                )
        values = validate_organization(
            {
                "name": successor.name,
                "kind": successor.kind,
                "code": successor.code,
                "credit_code": successor.credit_code,
                "division_code": successor.division_code,
                "short_name": successor.short_name,
                "sort_order": 0,
                "address": "",
                "phone": "",
            },
            parent=parent,
        )
        return NewOrganization(
            name=values["name"],
            code=values["code"],
            parent=parent,
            kind=values["kind"],
            credit_code=values["credit_code"],
            short_name=values["short_name"],
            division_code=values["division_code"],
        )
    successor = _fresh(successor)
    for org in predecessors:
        if org.pk == successor.pk:
            raise ValidationError(
                f"不能把“{org.name}”并入自身。" if absorb else f"不能把“{org.name}”与自身合并。"
            )
    _check_alive(successor, "承接机构")
    for org in predecessors:
        if successor.is_descendant_of(org):
            raise ValidationError(
                f"承接机构“{successor.name}”是原机构“{org.name}”的下级机构，不能承接其职能"
                "（可先调整其隶属关系）。"
            )
    return successor


def _collect(predecessor: Organization) -> list[tuple[Any, Movable]]:
    return [(part, movable) for part in succession_parts() for movable in part.collect(predecessor)]


# -- planning ----------------------------------------------------------------------------------------------------


def plan_merge(
    *,
    predecessors: list[Organization],
    successor: Target,
    effective_on: dt.date,
    reason: str,
    basis: str = "",
    absorb: bool = False,
) -> ReorgPlan:
    """合并 (A + B → C, C new or existing) or, with ``absorb``, 并入 (A [and B] into B): every predecessor ceases
    and everything it holds passes to the successor."""
    effective_on, reason = _check_common(effective_on=effective_on, reason=reason)
    kind = ReorgKind.ABSORB if absorb else ReorgKind.MERGE
    if absorb and isinstance(successor, NewOrganization):
        raise ValidationError("并入须选择已有的承接机构；设立新机构请用“合并设立”。")
    predecessors = _check_predecessors(predecessors)
    successor = _check_successor(successor, predecessors, absorb=absorb)
    if not absorb and len(predecessors) < 2 and isinstance(successor, Organization):
        raise ValidationError("合并设立至少需要两个原机构；一个机构并入另一个机构请用“并入”。")
    plan = ReorgPlan(
        kind=kind,
        effective_on=effective_on,
        reason=reason,
        basis=basis.strip(),
        predecessors=predecessors,
        successors=[successor],
    )
    for org in predecessors:
        for part, movable in _collect(org):
            plan.lines.append(
                PlanLine(part.code, part.label, movable.key, movable.label, movable.note, org, successor)
            )
    return plan


def plan_split(
    *,
    predecessor: Organization,
    successors: list[Target],
    placement: dict[str, str] | None = None,
    effective_on: dt.date,
    reason: str,
    basis: str = "",
    strict: bool = True,
) -> ReorgPlan:
    """拆分 (A → B + C): A ceases; each object goes to the successor named for it in ``placement``
    (``"part:key"`` → successor code), the rest to the first successor. ``strict`` refuses placements of objects
    that are not (or no longer) there."""
    effective_on, reason = _check_common(effective_on=effective_on, reason=reason)
    (predecessor,) = _check_predecessors([predecessor])
    if len(successors) < 2:
        raise ValidationError("拆分至少需要两个承接机构。")
    checked: list[Target] = []
    for successor in successors:
        successor = _check_successor(successor, [predecessor])
        if any(other.code == successor.code for other in checked):
            raise ValidationError(f"承接机构“{successor.name}”重复列出。")
        checked.append(successor)
    by_code = {successor.code: successor for successor in checked}
    plan = ReorgPlan(
        kind=ReorgKind.SPLIT,
        effective_on=effective_on,
        reason=reason,
        basis=basis.strip(),
        predecessors=[predecessor],
        successors=checked,
        subject=predecessor,
    )
    placement = dict(placement or {})
    known = set()
    for part, movable in _collect(predecessor):
        ref = f"{part.code}:{movable.key}"
        known.add(ref)
        code = placement.get(ref)
        if code is not None and code.strip().upper() not in by_code:
            raise ValidationError(f"“{code}”不是本次拆分的承接机构（{ref}）。")
        target = by_code[code.strip().upper()] if code is not None else checked[0]
        plan.lines.append(
            PlanLine(part.code, part.label, movable.key, movable.label, movable.note, predecessor, target)
        )
    unknown = sorted(set(placement) - known)
    if unknown and strict:
        raise ValidationError(f"移交清单中没有这些事项：{'、'.join(unknown)}。")
    plan.detail = {"placement": {ref: code for ref, code in sorted(placement.items()) if ref in known}}
    return plan


def plan_rename(
    *,
    org: Organization,
    name: str,
    short_name: str | None = None,
    effective_on: dt.date,
    reason: str,
    basis: str = "",
) -> ReorgPlan:
    effective_on, reason = _check_common(effective_on=effective_on, reason=reason)
    org = _fresh(org)
    _check_alive(org, "机构")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["请填写新名称。"]})
    new_short = org.short_name if short_name is None else short_name.strip()
    if name == org.name and new_short == org.short_name:
        raise ValidationError({"name": [f"新名称与原名称“{org.name}”相同。"]})
    merged = {
        key: getattr(org, key) for key in ("kind", "code", "credit_code", "division_code", "sort_order")
    }
    merged.update(name=name, short_name=new_short, address=org.address, phone=org.phone)
    validate_organization(merged, parent=org.parent, instance=org)
    return ReorgPlan(
        kind=ReorgKind.RENAME,
        effective_on=effective_on,
        reason=reason,
        basis=basis.strip(),
        subject=org,
        detail={"name": [org.name, name], "short_name": [org.short_name, new_short]},
    )


def plan_move(
    *, org: Organization, new_parent: Organization, effective_on: dt.date, reason: str, basis: str = ""
) -> ReorgPlan:
    effective_on, reason = _check_common(effective_on=effective_on, reason=reason)
    org = _fresh(org)
    _check_alive(org, "机构")
    new_parent = _fresh(new_parent)
    _check_alive(new_parent, "新的上级机构")
    if new_parent.pk == org.pk:
        raise ValidationError("不能把机构设为自己的上级。")
    if new_parent.is_descendant_of(org):
        raise ValidationError(f"不能把“{org.name}”移到其下级机构“{new_parent.name}”之下（会形成循环）。")
    if new_parent.pk == org.parent_id:
        raise ValidationError(f"“{org.name}”已隶属于“{new_parent.name}”。")
    old_parent = org.parent
    return ReorgPlan(
        kind=ReorgKind.MOVE,
        effective_on=effective_on,
        reason=reason,
        basis=basis.strip(),
        subject=org,
        detail={
            "parent": [old_parent.name if old_parent else None, new_parent.name],
            "parent_id": [org.parent_id, new_parent.pk],
            "subtree_size": Organization.objects.filter(path__startswith=org.path).count(),
        },
    )


# -- doing it ----------------------------------------------------------------------------------------------------


def _replan(plan: ReorgPlan) -> ReorgPlan:
    """The same act computed again on the current data (inside the transaction)."""
    common = dict(effective_on=plan.effective_on, reason=plan.reason, basis=plan.basis)
    if plan.kind in (ReorgKind.MERGE, ReorgKind.ABSORB):
        return plan_merge(
            predecessors=plan.predecessors,
            successor=plan.successors[0],
            absorb=plan.kind == ReorgKind.ABSORB,
            **common,
        )
    if plan.kind == ReorgKind.SPLIT:
        return plan_split(
            predecessor=plan.predecessors[0],
            successors=plan.successors,
            placement=plan.detail.get("placement", {}),
            strict=False,  # an object answered since the preview: the changed fingerprint says so
            **common,
        )
    if plan.kind == ReorgKind.RENAME:
        return plan_rename(
            org=plan.subject, name=plan.detail["name"][1], short_name=plan.detail["short_name"][1], **common
        )
    return plan_move(
        org=plan.subject, new_parent=Organization.objects.get(pk=plan.detail["parent_id"][1]), **common
    )


@transaction.atomic
def execute(
    *,
    plan: ReorgPlan,
    actor: Any,
    request: HttpRequest | None = None,
    expected_fingerprint: str | None = None,
) -> Reorganization:
    """Carry out a previewed plan. ``expected_fingerprint`` (the preview's) makes it refuse when anything that
    would move has changed in between, so that what is done is exactly what was shown."""
    require_permission(actor)
    ids = sorted({org.pk for org in [*plan.predecessors, *plan.successors, plan.subject] if org and org.pk})
    list(Organization.objects.select_for_update().filter(pk__in=ids))
    current = _replan(plan)
    if expected_fingerprint is not None and current.fingerprint != expected_fingerprint:
        raise ValidationError("预览之后移交清单已发生变化（如有新的申请或工单），请重新预览后再确认。")
    if current.kind == ReorgKind.RENAME:
        return _rename(current, actor, request)
    if current.kind == ReorgKind.MOVE:
        return _move(current, actor, request)

    successors: dict[str, Organization] = {}
    for target in current.successors:
        if isinstance(target, NewOrganization):
            created = create_organization(
                name=target.name,
                kind=target.kind,
                code=target.code,
                credit_code=target.credit_code,
                division_code=target.division_code,
                short_name=target.short_name,
                parent=target.parent,
                actor=actor,
                request=request,
            )
            successors[target.code] = created
        else:
            successors[target.code] = target
    subject = current.subject or successors[current.successors[0].code]
    reorganization = Reorganization.objects.create(
        kind=current.kind,
        organization=subject,
        effective_on=current.effective_on,
        reason=current.reason,
        basis=current.basis,
        performed_by=actor if getattr(actor, "pk", None) else None,
        detail={
            "predecessors": [[org.pk, org.name] for org in current.predecessors],
            "successors": [[org.pk, org.name] for org in successors.values()],
        },
    )
    links = {(org.pk, successor.pk) for org in current.predecessors for successor in successors.values()}
    Succession.objects.bulk_create(
        [
            Succession(reorganization=reorganization, predecessor_id=p, successor_id=s)
            for p, s in sorted(links)
        ]
    )
    context = TransferContext(
        reorganization=reorganization, actor=actor, effective_on=current.effective_on, reason=current.reason
    )
    for part in succession_parts():
        for predecessor in current.predecessors:
            moves = [
                (Movable(line.key, line.label, line.note), successors[line.successor.code])
                for line in current.lines
                if line.part == part.code and line.predecessor.pk == predecessor.pk
            ]
            if moves:
                part.transfer(predecessor, moves, context)
    for predecessor in current.predecessors:
        org = Organization.objects.get(pk=predecessor.pk)
        left = (
            org.staff.filter(is_active=True).count()
            + Organization.objects.filter(parent=org, is_active=True).count()
        )
        if left:
            raise ValidationError(f"“{org.name}”仍有未移交的工作人员或下级机构，机构改革未完成。")
        org.is_active = False
        org.ceased_on = current.effective_on
        org.save(update_fields=["is_active", "ceased_on", "updated_at"])
    summary: dict[str, Any] = {
        "counts": dict(current.counts()),
        "moves": [
            {**line.as_json(), "to": _org_json(successors[line.successor.code])} for line in current.lines
        ],
    }
    if context.notes:
        summary["notes"] = context.notes
    reorganization.summary = summary
    reorganization.save(update_fields=["summary"])
    audit(
        actor=actor,
        action=f"core.org.{current.kind}",
        target=reorganization,
        organization=subject,
        request=request,
        detail={
            "effective_on": current.effective_on,
            "reason": current.reason,
            "basis": current.basis,
            "predecessors": [org.pk for org in current.predecessors],
            "successors": [org.pk for org in successors.values()],
            "counts": summary["counts"],
        },
    )
    return reorganization


def _record(plan: ReorgPlan, actor: Any, request: HttpRequest | None) -> Reorganization:
    reorganization = Reorganization.objects.create(
        kind=plan.kind,
        organization=plan.subject,
        effective_on=plan.effective_on,
        reason=plan.reason,
        basis=plan.basis,
        detail=plan.detail,
        performed_by=actor if getattr(actor, "pk", None) else None,
    )
    audit(
        actor=actor,
        action=f"core.org.{plan.kind}",
        target=reorganization,
        organization=plan.subject,
        request=request,
        detail={"effective_on": plan.effective_on, "reason": plan.reason, "basis": plan.basis, **plan.detail},
    )
    return reorganization


def _rename(plan: ReorgPlan, actor: Any, request: HttpRequest | None) -> Reorganization:
    org = plan.subject
    org.name = plan.detail["name"][1]
    org.short_name = plan.detail["short_name"][1]
    org.save(update_fields=["name", "short_name", "updated_at"])
    return _record(plan, actor, request)


def _move(plan: ReorgPlan, actor: Any, request: HttpRequest | None) -> Reorganization:
    new_parent = Organization.objects.get(pk=plan.detail["parent_id"][1])
    # The tree service checks cycles, depth and town division codes; the system acts here, the reform's own
    # permission having been checked.
    move_organization(org=plan.subject, new_parent=new_parent, actor=None, request=request)
    return _record(plan, actor, request)


# -- core's own parts: sub-organizations, staff, open cases of the dispatch engine -------------------------------


def _collect_children(org: Organization) -> list[Movable]:
    return [
        Movable(f"org:{child.pk}", child.name, f"{child.code}，含下级机构")
        for child in Organization.objects.filter(parent=org, is_active=True).order_by("sort_order", "name")
    ]


def _transfer_children(
    predecessor: Organization, moves: list[tuple[Movable, Any]], context: TransferContext
) -> None:
    for movable, successor in moves:
        child = Organization.objects.select_for_update().get(pk=int(movable.key.split(":")[1]))
        _move_subtree(child, Organization.objects.get(pk=successor.pk))


def _collect_staff(org: Organization) -> list[Movable]:
    rows = []
    for staff in (
        Staff.objects.filter(organization=org, is_active=True).prefetch_related("groups").order_by("username")
    ):
        roles = "、".join(sorted(group.name for group in staff.groups.all())) or "无角色"
        rows.append(Movable(f"staff:{staff.pk}", f"{staff}（{staff.username}）", f"角色：{roles}"))
    return rows


def _transfer_staff(
    predecessor: Organization, moves: list[tuple[Movable, Any]], context: TransferContext
) -> None:
    # Roles are held by the person; what they reach follows their organization, so moving the person moves both.
    for movable, successor in moves:
        Staff.objects.filter(pk=int(movable.key.split(":")[1]), organization=predecessor).update(
            organization=successor
        )


def _collect_cases(org: Organization) -> list[Movable]:
    from django.contrib.contenttypes.models import ContentType

    from ..dispatch import case_types
    from ..models import Assignment
    from ..models.dispatch import CURRENT_ASSIGNMENT_STATES, OPEN_DISPATCH_STATES

    rows = []
    for case_type in case_types():
        model = case_type.model
        ct = ContentType.objects.get_for_model(model)
        assigned = set(
            Assignment.objects.filter(
                content_type=ct, organization=org, state__in=CURRENT_ASSIGNMENT_STATES
            ).values_list("object_id", flat=True)
        )
        led = set(
            model._default_manager.filter(lead_unit=org, dispatch_state__in=OPEN_DISPATCH_STATES).values_list(
                "pk", flat=True
            )
        )
        for case in (
            model._default_manager.filter(pk__in=assigned | led).select_related("handle_clock").order_by("pk")
        ):
            clock = case.handle_clock
            due = (
                f"办理时限 {timezone.localtime(clock.due_at):%Y-%m-%d %H:%M}"
                if clock and clock.due_at
                else ""
            )
            role = "主办" if case.pk in led else "协办/待签收"
            rows.append(
                Movable(
                    f"{case_type.code}:{case.pk}",
                    case_type.describe(case),
                    "，".join(filter(None, [role, due])),
                )
            )
    return rows


def _transfer_cases(
    predecessor: Organization, moves: list[tuple[Movable, Any]], context: TransferContext
) -> None:
    from .dispatch import move_open_cases

    by_successor: dict[int, tuple[Organization, set[tuple[str, int]]]] = {}
    for movable, successor in moves:
        code, pk = movable.key.rsplit(":", 1)
        by_successor.setdefault(successor.pk, (successor, set()))[1].add((code, int(pk)))
    for successor, only in by_successor.values():
        move_open_cases(
            predecessor=predecessor,
            successor=successor,
            reason=context.reason,
            actor=context.actor,
            only=only,
        )


def register_core_parts() -> None:
    from django.db.models import Q

    from ..models.dispatch import CURRENT_ASSIGNMENT_STATES
    from ..reorg import register_reference_rule, register_succession_part

    register_succession_part(
        code="orgs", label="下级机构", order=10, collect=_collect_children, transfer=_transfer_children
    )
    register_succession_part(
        code="staff", label="工作人员", order=20, collect=_collect_staff, transfer=_transfer_staff
    )
    register_succession_part(
        code="cases", label="在办派单事项", order=30, collect=_collect_cases, transfer=_transfer_cases
    )
    register_reference_rule("core.organization", "parent", Q(is_active=True))
    register_reference_rule("core.staff", "organization", Q(is_active=True))
    register_reference_rule("core.assignment", "organization", Q(state__in=CURRENT_ASSIGNMENT_STATES))
    register_reference_rule("core.caseclock", "organization", Q(state__in=("running", "paused")))
    for label, field_name in (
        ("core.casereply", "organization"),
        ("core.dispatchevent", "organization"),
        ("core.reorganization", "organization"),
        ("core.succession", "predecessor"),
        ("core.succession", "successor"),
    ):
        register_reference_rule(label, field_name, None)
