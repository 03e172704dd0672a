"""The dispatch engine: 派单 → 签收 → 退单 (派单异议审核) / 改派 → 延期 → 答复 → 审核 → 回访 → 重办 → 办结, 督办, 并单,
and the move of open cases to a successor organization (机构改革).

Every limit runs on the core case clock (:mod:`zhengwu.core.services.clock`); which limit applies is data
(:class:`~zhengwu.core.models.DispatchLimit` → :class:`~zhengwu.core.models.ClockPolicy`):

- each assignment gets a 签收 clock from its ``dispatched_at``, stopped when it is signed (on time when the
  signing moment is not after the due moment) or returned;
- the case gets its 办理 clock from the current lead assignment's ``dispatched_at``; an approved extension adds its
  working days; 办结 stops it. A re-dispatch after an approved 退单 starts a new 办理 clock from the new dispatch.

Who may do what (checked here, whatever page or command calls):

- the hotline (``core.dispatch_cases``): dispatch, re-dispatch, review replies, call back, send back for 重办,
  finish, merge;
- its supervisors (``core.supervise_cases``): 派单异议审核 (approve or refuse a 退单), approve or refuse an
  extension, 督办;
- a unit's staff (``core.handle_assignment``), only for assignments of their own organization or one below it:
  sign, return, ask for an extension, reply.

``actor=None`` is the system (imports, scheduled work). Every action writes a timeline event and an audit row;
notifications go out after the commit (units here; the person who called, through the case type's ``on_event``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from ..dispatch import case_type_for, case_types
from ..models import (
    Assignment,
    Callback,
    CaseClock,
    CaseReply,
    ClockPolicy,
    DispatchEvent,
    DispatchLimit,
    ExtensionRequest,
    Organization,
    ReplyAttachment,
    Staff,
)
from ..models.clock import ClockState, ClockStatus
from ..models.dispatch import (
    CURRENT_ASSIGNMENT_STATES,
    OPEN_DISPATCH_STATES,
    AssignmentRole,
    AssignmentState,
    DispatchStage,
    DispatchState,
    ExtensionState,
    Rating,
    ReplyState,
)
from .audit import audit
from .clock import as_aware, extend_clock, format_moment, start_clock, stop_clock

DISPATCH = "core.dispatch_cases"
SUPERVISE = "core.supervise_cases"
HANDLE = "core.handle_assignment"
CLOCK_SKEW = dt.timedelta(minutes=5)  # a moment this far ahead of the server's clock is still "now"


# -- helpers -----------------------------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return timezone.now()


def _moment(
    at: dt.datetime | None, *, after: dt.datetime | None = None, what: str = "办理时间"
) -> dt.datetime:
    at = _now() if at is None else as_aware(at)
    if at > _now() + CLOCK_SKEW:
        raise ValidationError(f"{what}（{format_moment(at)}）不能晚于现在。")
    if after is not None and at < after:
        raise ValidationError(f"{what}（{format_moment(at)}）不能早于{format_moment(after)}。")
    return at


def _require(actor: Any, permission: str, what: str) -> None:
    if actor is None:
        return
    if not getattr(actor, "is_active", False) or not actor.has_perm(permission):
        raise PermissionDenied(f"您没有{what}的权限。")


def _require_office(actor: Any, permission: str, what: str, case_or_link: Any) -> None:
    """An office action (派单, 审核, 回访, 办结, 督办 …): the engine's permission and, when the case type names one,
    the permission of the office that owns that kind of case — a hotline operator does not handle the 好差评
    office's rectifications, nor the reverse."""
    _require(actor, permission, what)
    if actor is None:
        return
    from ..models.dispatch import CaseLink

    model = (
        case_or_link.content_type.model_class() if isinstance(case_or_link, CaseLink) else type(case_or_link)
    )
    try:
        extra = case_type_for(model).office_permission
    except LookupError:
        return
    if extra and not actor.has_perm(extra):
        raise PermissionDenied(f"您没有{what}的权限。")


def _require_unit(actor: Any, organization: Organization, what: str) -> None:
    """A unit's action: the permission and membership of that unit (or a unit above it). County-wide viewing
    rights do not make a hotline operator a member of every unit."""
    if actor is None:
        return
    _require(actor, HANDLE, what)
    if actor.is_superuser:
        return
    own = getattr(actor, "organization", None)
    if own is None or not organization.path.startswith(own.path):
        raise PermissionDenied(f"该事项未交办给您的单位，不能{what}。")


def _content_type(case: models.Model) -> ContentType:
    return ContentType.objects.get_for_model(case, for_concrete_model=True)


def _lock_case(case: models.Model) -> models.Model:
    locked = type(case)._default_manager.select_for_update().filter(pk=case.pk).first()
    if locked is None:
        raise ValidationError("该事项不存在或已被删除。")
    return locked


def _sync(target: models.Model, source: models.Model) -> models.Model:
    if target is not source:
        for field in type(source)._meta.concrete_fields:
            setattr(target, field.attname, getattr(source, field.attname))
    return source


def _lock_assignment(assignment: Assignment) -> Assignment:
    locked = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("organization")
        .filter(pk=assignment.pk)
        .first()
    )
    if locked is None:
        raise ValidationError("该派单不存在。")
    return locked


def assignments_of(case: models.Model) -> models.QuerySet[Assignment]:
    return Assignment.objects.filter(content_type=_content_type(case), object_id=case.pk)


def current_assignments(case: models.Model) -> models.QuerySet[Assignment]:
    return assignments_of(case).filter(state__in=CURRENT_ASSIGNMENT_STATES)


def current_lead(case: models.Model) -> Assignment | None:
    return current_assignments(case).filter(role=AssignmentRole.LEAD).select_related("organization").first()


def _event(
    case: models.Model,
    kind: str,
    text: str,
    *,
    actor: Any,
    at: dt.datetime,
    organization: Organization | None = None,
) -> DispatchEvent:
    return DispatchEvent.objects.create(
        content_type=_content_type(case),
        object_id=case.pk,
        kind=kind,
        text=text[:600],
        at=at,
        actor=actor if getattr(actor, "pk", None) else None,
        organization=organization,
    )


def _audit(case: models.Model, action: str, actor: Any, organization: Any = None, **detail: Any) -> None:
    audit(
        actor=actor,
        action=f"core.dispatch.{action}",
        target=case,
        organization=organization,
        detail={"case_type": case_type_for(case).code, **detail},
    )


def _after_commit(case: models.Model, kind: str, **details: Any) -> None:
    case_type = case_type_for(case)
    if case_type.on_event is None:
        return
    model, pk = type(case), case.pk

    def run() -> None:
        fresh = model._default_manager.filter(pk=pk).first()
        if fresh is not None:
            case_type.on_event(fresh, kind, details)

    transaction.on_commit(run, robust=True)


def unit_handlers(organization: Organization) -> models.QuerySet[Staff]:
    """The active staff of a unit who handle what is dispatched to it."""
    app_label, codename = HANDLE.split(".")
    perm = Q(
        groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label
    ) | Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
    return Staff.objects.filter(Q(organization=organization) & perm, is_active=True).distinct()


# The role of a unit's head (roles.json): 督办 is told to the head as well as to those who handle the case.
LEADER_ROLE = "leader"


def unit_leaders(organization: Organization) -> models.QuerySet[Staff]:
    """The active staff of a unit who hold its head's role (领导)."""
    return Staff.objects.filter(
        organization=organization, groups__role__code=LEADER_ROLE, is_active=True
    ).distinct()


def _notify_unit(
    organization: Organization, *, title: str, body: str, link: str, with_leaders: bool = False
) -> None:
    from .notifications import notify

    recipients = list(unit_handlers(organization))
    if with_leaders:
        recipients += [leader for leader in unit_leaders(organization) if leader not in recipients]
    if recipients:
        notify(recipients=recipients, title=title, body=body, link=link, category="dispatch")


def _link(case: models.Model) -> str:
    case_type = case_type_for(case)
    return case_type.detail_url(case) if case_type.detail_url else ""


# -- limits ------------------------------------------------------------------------------------------------------


def resolve_limit(case_type: str, stage: str, urgency: str, request_kind: str) -> ClockPolicy:
    """The time-limit rule of a stage: the most specific :class:`DispatchLimit` row for urgency and kind."""
    rows = list(
        DispatchLimit.objects.filter(case_type=case_type, stage=stage)
        .filter(Q(urgency=urgency) | Q(urgency=""))
        .filter(Q(request_kind=request_kind) | Q(request_kind=""))
        .select_related("policy")
    )
    if not rows:
        raise ValidationError(
            f"尚未设置“{case_type}”的{DispatchStage(stage).label}时限（紧急程度“{urgency}”、类型“{request_kind}”），"
            "请先运行安装步骤（zhengwu setup）或在后台设置派单时限。"
        )
    rows.sort(key=lambda row: (bool(row.urgency), bool(row.request_kind)), reverse=True)
    return rows[0].policy


def limits_for(case: models.Model) -> tuple[ClockPolicy, ClockPolicy]:
    """(签收, 办理) rules for a case."""
    case_type = case_type_for(case)
    urgency, kind = case_type.limit_keys(case)
    return (
        resolve_limit(case_type.code, DispatchStage.SIGN, urgency, kind),
        resolve_limit(case_type.code, DispatchStage.HANDLE, urgency, kind),
    )


# -- 派单 --------------------------------------------------------------------------------------------------------


@transaction.atomic
def dispatch_case(
    *,
    case: models.Model,
    unit: Organization,
    actor: Any,
    role: str = AssignmentRole.LEAD,
    at: dt.datetime | None = None,
    catalog_units: Iterable[Organization] | None = None,
    outside_catalog_reason: str = "",
    instructions: str = "",
) -> Assignment:
    """派单 to a lead (主办) or assisting (协办) unit. A unit outside ``catalog_units`` (the 派单目录 of the case's
    category, when the caller gives one) needs a reason."""
    _require_office(actor, DISPATCH, "派单", case)
    locked = _lock_case(case)
    case_type = case_type_for(locked)
    if locked.dispatch_state not in (DispatchState.PENDING, DispatchState.HANDLING):
        raise ValidationError(f"该事项{locked.get_dispatch_state_display()}，不能派单。")
    if role not in AssignmentRole.values:
        raise ValidationError("请选择主办或协办。")
    if unit is None or not unit.is_active:
        raise ValidationError({"unit": "请选择一个在用的承办单位。"})
    at = _moment(at, what="派单时间")
    reason = " ".join((outside_catalog_reason or "").split())
    if catalog_units is not None and unit.pk not in {u.pk for u in catalog_units}:
        if len(reason) < 4:
            raise ValidationError(
                {
                    "outside_catalog_reason": f"{unit.name}不在该分类的派单目录中，请填写派单理由（至少 4 个字）。"
                }
            )
    else:
        reason = ""
    current = list(current_assignments(locked))
    if any(a.organization_id == unit.pk for a in current):
        raise ValidationError({"unit": f"该事项已派给{unit.name}。"})
    has_lead = any(a.role == AssignmentRole.LEAD for a in current)
    if role == AssignmentRole.LEAD and has_lead:
        raise ValidationError({"unit": "该事项已有主办单位；如需更换，请先退单或改派。"})
    if role == AssignmentRole.ASSIST and not has_lead:
        raise ValidationError({"unit": "请先派出主办单位，再派协办单位。"})
    sign_policy, handle_policy = limits_for(locked)
    label = case_type.describe(locked)
    assignment = Assignment.objects.create(
        content_type=_content_type(locked),
        object_id=locked.pk,
        organization=unit,
        role=role,
        state=AssignmentState.DISPATCHED,
        dispatched_at=at,
        dispatched_by=actor if getattr(actor, "pk", None) else None,
        outside_catalog_reason=reason[:300],
        instructions=(instructions or "").strip(),
    )
    clock = start_clock(
        case=locked,
        policy=sign_policy,
        started_at=at,
        organization=unit,
        label=f"{label} 签收（{unit.name}）"[:200],
        actor=actor,
    )
    assignment.sign_clock = clock
    assignment.sign_due_at = clock.due_at
    assignment.save(update_fields=["sign_clock", "sign_due_at"])
    role_label = AssignmentRole(role).label
    text = f"派单：{role_label} {unit.name}，签收期限 {format_moment(clock.due_at)}"
    if role == AssignmentRole.LEAD:
        handle = start_clock(
            case=locked,
            policy=handle_policy,
            started_at=at,
            organization=unit,
            label=f"{label} 办理（{unit.name}）"[:200],
            actor=actor,
        )
        locked.handle_clock = handle
        locked.handle_due_at = handle.due_at
        locked.lead_unit = unit
        locked.lead_dispatched_at = at
        locked.lead_signed_at = None
        locked.lead_signed_on_time = None
        locked.handle_warned_at = None
        locked.extended_workdays = 0
        locked.dispatch_state = DispatchState.HANDLING
        locked.save()
        text += f"，办理期限 {format_moment(handle.due_at)}"
    if reason:
        text += f"（派单目录外，理由：{reason}）"
    _event(locked, "dispatch", text + "。", actor=actor, at=at, organization=unit)
    _audit(
        locked,
        "dispatch",
        actor,
        unit,
        assignment=assignment.pk,
        unit=unit.pk,
        role=role,
        outside_catalog_reason=reason,
        sign_due_at=clock.due_at,
        handle_due_at=locked.handle_due_at,
    )
    link = _link(locked)
    transaction.on_commit(
        lambda: _notify_unit(
            unit,
            title=f"新派单（{role_label}）：{label}"[:200],
            body=f"请于{format_moment(clock.due_at)}前签收。"
            + (f"\n派单意见：{instructions}" if instructions else ""),
            link=link,
        ),
        robust=True,
    )
    _after_commit(locked, "dispatched", assignment=assignment.pk, role=role, unit=unit.pk)
    _sync(case, locked)
    return assignment


@transaction.atomic
def sign_assignment(*, assignment: Assignment, actor: Any, at: dt.datetime | None = None) -> Assignment:
    """签收: the unit takes the matter on. On time when signed not after the 签收 due moment."""
    locked = _lock_assignment(assignment)
    _require_unit(actor, locked.organization, "签收")
    case = _lock_case(locked.case)
    if locked.state != AssignmentState.DISPATCHED:
        raise ValidationError(f"该派单{locked.get_state_display()}，不能签收。")
    at = _moment(at, after=locked.dispatched_at, what="签收时间")
    on_time = None
    if locked.sign_clock_id:
        clock = stop_clock(clock=locked.sign_clock, at=at, actor=actor)
        on_time = clock.final_status == ClockStatus.DONE_ON_TIME
    elif locked.sign_due_at:
        on_time = at <= locked.sign_due_at
    locked.state = AssignmentState.SIGNED
    locked.signed_at = at
    locked.signed_by = actor if getattr(actor, "pk", None) else None
    locked.signed_on_time = on_time
    locked.save(update_fields=["state", "signed_at", "signed_by", "signed_on_time"])
    if locked.role == AssignmentRole.LEAD:
        case.lead_signed_at = at
        case.lead_signed_on_time = on_time
        case.save(update_fields=["lead_signed_at", "lead_signed_on_time"])
    _event(
        case,
        "sign",
        f"签收：{locked.organization.name}（{'按时' if on_time else '超时'}签收）。",
        actor=actor,
        at=at,
        organization=locked.organization,
    )
    _audit(case, "sign", actor, locked.organization, assignment=locked.pk, on_time=on_time)
    _after_commit(case, "signed", assignment=locked.pk)
    return _sync(assignment, locked)


@transaction.atomic
def request_return(
    *, assignment: Assignment, reason: str, actor: Any, at: dt.datetime | None = None
) -> Assignment:
    """退单: the unit says the matter is not theirs, with a reason; the hotline reviews it (派单异议审核)."""
    locked = _lock_assignment(assignment)
    _require_unit(actor, locked.organization, "退单")
    case = _lock_case(locked.case)
    if locked.state not in (AssignmentState.DISPATCHED, AssignmentState.SIGNED):
        raise ValidationError(f"该派单{locked.get_state_display()}，不能退单。")
    if locked.role == AssignmentRole.LEAD and case.dispatch_state != DispatchState.HANDLING:
        raise ValidationError(f"该事项{case.get_dispatch_state_display()}，不能退单。")
    reason = " ".join((reason or "").split())
    if len(reason) < 4:
        raise ValidationError(
            {"reason": "请写明退单理由（至少 4 个字），例如该事项应由哪个单位办理、依据是什么。"}
        )
    at = _moment(at, after=locked.dispatched_at, what="退单时间")
    locked.state = AssignmentState.RETURN_REQUESTED
    locked.return_reason = reason[:500]
    locked.return_requested_at = at
    locked.return_requested_by = actor if getattr(actor, "pk", None) else None
    locked.save(update_fields=["state", "return_reason", "return_requested_at", "return_requested_by"])
    _event(
        case,
        "return",
        f"退单申请：{locked.organization.name}，理由：{reason}。",
        actor=actor,
        at=at,
        organization=locked.organization,
    )
    _audit(case, "return", actor, locked.organization, assignment=locked.pk, reason=reason)
    _after_commit(case, "return_requested", assignment=locked.pk)
    return _sync(assignment, locked)


def _stop_if_running(clock: CaseClock | None, at: dt.datetime, actor: Any) -> CaseClock | None:
    if clock is None or clock.state == ClockState.STOPPED:
        return clock
    return stop_clock(clock=clock, at=max(at, clock.started_at), actor=actor)


@transaction.atomic
def decide_return(
    *,
    assignment: Assignment,
    approve: bool,
    actor: Any,
    note: str = "",
    at: dt.datetime | None = None,
) -> Assignment:
    """派单异议审核: approve a 退单 (the case waits for 改派 when the lead returned it) or refuse it with a reason
    (the unit keeps the matter; its clocks never stopped)."""
    _require_office(actor, SUPERVISE, "审核退单", assignment)
    locked = _lock_assignment(assignment)
    case = _lock_case(locked.case)
    if locked.state != AssignmentState.RETURN_REQUESTED:
        raise ValidationError("该派单没有待审核的退单申请。")
    at = _moment(at, after=locked.return_requested_at, what="审核时间")
    note = " ".join((note or "").split())
    if approve:
        locked.state = AssignmentState.RETURNED
        locked.returned_at = locked.return_requested_at
        locked.return_decided_by = actor if getattr(actor, "pk", None) else None
        locked.save(update_fields=["state", "returned_at", "return_decided_by"])
        _stop_if_running(locked.sign_clock, at, actor)
        if locked.role == AssignmentRole.LEAD:
            _stop_if_running(case.handle_clock, at, actor)
            case.lead_unit = None
            case.handle_clock = None
            case.handle_due_at = None
            case.lead_dispatched_at = None
            case.lead_signed_at = None
            case.lead_signed_on_time = None
            case.dispatch_state = DispatchState.PENDING
            case.save()
        text = f"同意退单：{locked.organization.name}" + (f"，{note}" if note else "") + "；待改派。"
    else:
        if len(note) < 4:
            raise ValidationError({"note": "不同意退单的，请写明理由（至少 4 个字）。"})
        locked.state = AssignmentState.SIGNED if locked.signed_at else AssignmentState.DISPATCHED
        locked.return_refusal = note[:300]
        locked.return_decided_by = actor if getattr(actor, "pk", None) else None
        locked.save(update_fields=["state", "return_refusal", "return_decided_by"])
        text = f"不同意退单：{locked.organization.name}继续办理，理由：{note}。"
    _event(case, "return_decided", text, actor=actor, at=at, organization=locked.organization)
    _audit(
        case, "return_decided", actor, locked.organization, assignment=locked.pk, approve=approve, note=note
    )
    if not approve:
        unit, link = locked.organization, _link(case)
        transaction.on_commit(
            lambda: _notify_unit(
                unit,
                title=f"退单未获同意：{case_type_for(case).describe(case)}"[:200],
                body=f"理由：{note}。请继续办理。",
                link=link,
            ),
            robust=True,
        )
    _after_commit(case, "return_decided", assignment=locked.pk, approve=approve)
    return _sync(assignment, locked)


@transaction.atomic
def redispatch(
    *,
    assignment: Assignment,
    unit: Organization,
    actor: Any,
    reason: str,
    at: dt.datetime | None = None,
    catalog_units: Iterable[Organization] | None = None,
    outside_catalog_reason: str = "",
) -> Assignment:
    """改派: take a matter from one unit and give it to another in one step (a pending 退单 is approved with it)."""
    _require_office(actor, SUPERVISE, "改派", assignment)
    locked = _lock_assignment(assignment)
    if not locked.is_current:
        raise ValidationError(f"该派单{locked.get_state_display()}，不能改派。")
    reason = " ".join((reason or "").split())
    if len(reason) < 4:
        raise ValidationError({"reason": "请写明改派理由（至少 4 个字）。"})
    at = _moment(at, after=locked.dispatched_at, what="改派时间")
    if locked.state != AssignmentState.RETURN_REQUESTED:
        locked.state = AssignmentState.RETURN_REQUESTED
        locked.return_reason = f"热线改派：{reason}"[:500]
        locked.return_requested_at = at
        locked.return_requested_by = actor if getattr(actor, "pk", None) else None
        locked.save(update_fields=["state", "return_reason", "return_requested_at", "return_requested_by"])
    decide_return(assignment=locked, approve=True, actor=actor, note=f"改派：{reason}", at=at)
    new = dispatch_case(
        case=locked.case,
        unit=unit,
        role=locked.role,
        actor=actor,
        at=at,
        catalog_units=catalog_units,
        outside_catalog_reason=outside_catalog_reason,
    )
    _sync(assignment, _lock_assignment(locked))
    return new


# -- 延期 --------------------------------------------------------------------------------------------------------


@transaction.atomic
def request_extension(
    *, case: models.Model, workdays: int, reason: str, actor: Any, at: dt.datetime | None = None
) -> ExtensionRequest:
    """延期申请 of the lead unit, in working days, before the 办理 due moment."""
    locked = _lock_case(case)
    lead = current_lead(locked)
    if lead is None or locked.dispatch_state != DispatchState.HANDLING:
        raise ValidationError("只有办理中的事项可以申请延期。")
    _require_unit(actor, lead.organization, "申请延期")
    if lead.state != AssignmentState.SIGNED:
        raise ValidationError("请先签收，再申请延期。")
    if not isinstance(workdays, int) or isinstance(workdays, bool) or not 1 <= workdays <= 60:
        raise ValidationError({"workdays": "延期天数应为 1 至 60 个工作日。"})
    reason = " ".join((reason or "").split())
    if len(reason) < 4:
        raise ValidationError({"reason": "请写明延期理由（至少 4 个字）。"})
    at = _moment(at, after=lead.dispatched_at, what="申请时间")
    due = locked.handle_clock.due_at if locked.handle_clock_id else locked.handle_due_at
    if due is not None and at > due:
        raise ValidationError("已超过办理截止时间，不能再申请延期；请尽快办理答复。")
    ct = _content_type(locked)
    if ExtensionRequest.objects.filter(
        content_type=ct, object_id=locked.pk, state=ExtensionState.PENDING
    ).exists():
        raise ValidationError("已有一份延期申请待审批。")
    request = ExtensionRequest.objects.create(
        content_type=ct,
        object_id=locked.pk,
        assignment=lead,
        workdays=workdays,
        reason=reason[:500],
        requested_at=at,
        requested_by=actor if getattr(actor, "pk", None) else None,
        state=ExtensionState.PENDING,
    )
    _event(
        locked,
        "extension",
        f"延期申请：{lead.organization.name}申请延期{workdays}个工作日，理由：{reason}。",
        actor=actor,
        at=at,
        organization=lead.organization,
    )
    _audit(locked, "extension_requested", actor, lead.organization, workdays=workdays, reason=reason)
    _after_commit(locked, "extension_requested", extension=request.pk)
    _sync(case, locked)
    return request


@transaction.atomic
def decide_extension(
    *,
    extension: ExtensionRequest,
    approve: bool,
    actor: Any,
    note: str = "",
    at: dt.datetime | None = None,
) -> ExtensionRequest:
    """The hotline approves an extension before the due moment (its working days are added on the case clock),
    or refuses it with a reason."""
    _require_office(actor, SUPERVISE, "审批延期", extension)
    request = ExtensionRequest.objects.select_for_update().filter(pk=extension.pk).first()
    if request is None or request.state != ExtensionState.PENDING:
        raise ValidationError("该延期申请已审批。")
    case = _lock_case(request.case)
    at = _moment(at, after=request.requested_at, what="审批时间")
    note = " ".join((note or "").split())
    if approve:
        clock = case.handle_clock
        if clock is None or clock.state == ClockState.STOPPED:
            raise ValidationError("该事项没有正在计时的办理时限，不能延期。")
        if at > clock.due_at:
            raise ValidationError(f"已超过办理截止时间（{format_moment(clock.due_at)}），不能再批准延期。")
        if actor is None:
            raise ValidationError("批准延期须记录批准人。")
        clock = extend_clock(
            clock=clock, value=request.workdays, reason=request.reason, approver=actor, at=at
        )
        case.handle_due_at = clock.due_at
        case.extended_workdays += request.workdays
        case.handle_warned_at = None
        case.save(update_fields=["handle_due_at", "extended_workdays", "handle_warned_at"])
        request.state = ExtensionState.APPROVED
        text = f"批准延期{request.workdays}个工作日，办理期限延至{format_moment(clock.due_at)}。"
    else:
        if len(note) < 4:
            raise ValidationError({"note": "不予批准的，请写明理由（至少 4 个字）。"})
        request.state = ExtensionState.REFUSED
        text = f"不予批准延期，理由：{note}。"
    request.decided_at = at
    request.decided_by = actor if getattr(actor, "pk", None) else None
    request.decision_note = note[:300]
    request.save(update_fields=["state", "decided_at", "decided_by", "decision_note"])
    _event(case, "extension_decided", text, actor=actor, at=at, organization=request.assignment.organization)
    _audit(
        case,
        "extension_decided",
        actor,
        request.assignment.organization,
        approve=approve,
        workdays=request.workdays,
        note=note,
        handle_due_at=case.handle_due_at,
    )
    unit, link = request.assignment.organization, _link(case)
    transaction.on_commit(
        lambda: _notify_unit(
            unit, title=f"延期申请{'已批准' if approve else '未获批准'}"[:200], body=text, link=link
        ),
        robust=True,
    )
    _after_commit(case, "extension_decided", extension=request.pk, approve=approve)
    return request


# -- 答复, 审核, 回访, 重办, 办结 -----------------------------------------------------------------------------------


@transaction.atomic
def reply_case(
    *,
    assignment: Assignment,
    text: str,
    actor: Any,
    attachments: Iterable[Any] = (),
    at: dt.datetime | None = None,
) -> CaseReply:
    """答复: the lead unit's reply goes to the hotline for review; an assisting unit's reply is its opinion."""
    from .uploads import check_upload

    locked = _lock_assignment(assignment)
    _require_unit(actor, locked.organization, "答复")
    case = _lock_case(locked.case)
    if locked.state != AssignmentState.SIGNED:
        raise ValidationError(
            "请先签收，再答复。"
            if locked.state == AssignmentState.DISPATCHED
            else f"该派单{locked.get_state_display()}，不能答复。"
        )
    is_lead = locked.role == AssignmentRole.LEAD
    if is_lead and case.dispatch_state != DispatchState.HANDLING:
        raise ValidationError(f"该事项{case.get_dispatch_state_display()}，不能答复。")
    text = (text or "").strip()
    if len(text) < 10:
        raise ValidationError({"text": "答复内容过短（至少 10 个字）：请写明办理经过和结果。"})
    if len(text) > 5000:
        raise ValidationError({"text": "答复内容不能超过 5000 字。"})
    checked = []
    for upload in attachments or ():
        try:
            checked.append(
                check_upload(upload, allowed=("pdf", "doc", "docx", "jpg", "png", "xls", "xlsx", "ofd"))
            )
        except ValidationError as exc:
            raise ValidationError(
                {"attachments": [f"{getattr(upload, 'name', '')}：{m}" for m in exc.messages]}
            ) from exc
    at = _moment(at, after=locked.signed_at, what="答复时间")
    reply = CaseReply.objects.create(
        content_type=_content_type(case),
        object_id=case.pk,
        assignment=locked,
        organization=locked.organization,
        text=text,
        replied_at=at,
        replied_by=actor if getattr(actor, "pk", None) else None,
        state=ReplyState.PENDING if is_lead else ReplyState.OPINION,
    )
    for item in checked:
        attachment = ReplyAttachment(reply=reply, name=item.display_name, size=item.size, kind=item.kind)
        attachment.file.save(item.storage_name.rsplit("/", 1)[-1], item.file, save=False)
        attachment.save()
    if is_lead:
        case.dispatch_state = DispatchState.REPLIED
        case.replied_at = at
        case.save(update_fields=["dispatch_state", "replied_at"])
    _event(
        case,
        "reply",
        f"{'答复' if is_lead else '协办意见'}：{locked.organization.name}"
        + (f"（附件 {len(checked)} 个）" if checked else "")
        + "。",
        actor=actor,
        at=at,
        organization=locked.organization,
    )
    _audit(
        case,
        "reply",
        actor,
        locked.organization,
        assignment=locked.pk,
        lead=is_lead,
        attachments=len(checked),
    )
    _after_commit(case, "replied" if is_lead else "opinion", reply=reply.pk)
    return reply


@transaction.atomic
def review_reply(
    *, reply: CaseReply, accept: bool, actor: Any, note: str = "", at: dt.datetime | None = None
) -> CaseReply:
    """The hotline reviews the lead unit's reply: accepted (the case waits for 回访) or sent back for 重办."""
    _require_office(actor, DISPATCH, "审核答复", reply)
    locked = CaseReply.objects.select_for_update().filter(pk=reply.pk).first()
    if locked is None or locked.state != ReplyState.PENDING:
        raise ValidationError("该答复已审核。")
    case = _lock_case(locked.case)
    at = _moment(at, after=locked.replied_at, what="审核时间")
    note = " ".join((note or "").split())
    if accept:
        locked.state = ReplyState.ACCEPTED
        case.dispatch_state = DispatchState.CALLBACK
        case.public_reply = locked.text
        text = "答复审核通过，待回访。"
    else:
        if len(note) < 4:
            raise ValidationError({"note": "退回重办的，请写明理由（至少 4 个字）。"})
        locked.state = ReplyState.SENT_BACK
        case.dispatch_state = DispatchState.HANDLING
        case.redo_count += 1
        text = f"答复退回重办，理由：{note}。"
    locked.reviewed_at = at
    locked.reviewed_by = actor if getattr(actor, "pk", None) else None
    locked.review_note = note[:500]
    locked.save(update_fields=["state", "reviewed_at", "reviewed_by", "review_note"])
    case.save(update_fields=["dispatch_state", "redo_count", "public_reply"])
    _event(case, "review", text, actor=actor, at=at, organization=locked.organization)
    _audit(case, "review", actor, locked.organization, reply=locked.pk, accept=accept, note=note)
    if not accept:
        unit, link = locked.organization, _link(case)
        transaction.on_commit(
            lambda: _notify_unit(
                unit,
                title=f"答复被退回重办：{case_type_for(case).describe(case)}"[:200],
                body=text,
                link=link,
            ),
            robust=True,
        )
    _after_commit(case, "reviewed", reply=locked.pk, accept=accept)
    return locked


@transaction.atomic
def record_callback(
    *, case: models.Model, rating: str, actor: Any, note: str = "", at: dt.datetime | None = None
) -> Callback:
    """回访 with 满意 / 基本满意 / 不满意."""
    _require_office(actor, DISPATCH, "回访", case)
    locked = _lock_case(case)
    if locked.dispatch_state not in (DispatchState.CALLBACK, DispatchState.FINISHED):
        raise ValidationError("答复审核通过后才能回访。")
    if rating not in Rating.values:
        raise ValidationError({"rating": "请选择满意、基本满意或不满意。"})
    at = _moment(at, after=locked.replied_at, what="回访时间")
    callback = Callback.objects.create(
        content_type=_content_type(locked),
        object_id=locked.pk,
        at=at,
        by=actor if getattr(actor, "pk", None) else None,
        rating=rating,
        note=" ".join((note or "").split())[:500],
    )
    locked.visit_count += 1
    locked.last_rating = rating
    locked.save(update_fields=["visit_count", "last_rating"])
    _event(
        locked,
        "callback",
        f"回访：{rating}" + (f"，{callback.note}" if callback.note else "") + "。",
        actor=actor,
        at=at,
    )
    _audit(locked, "callback", actor, rating=rating)
    _after_commit(locked, "callback", callback=callback.pk, rating=rating)
    _sync(case, locked)
    return callback


@transaction.atomic
def redo_case(*, case: models.Model, reason: str, actor: Any, at: dt.datetime | None = None) -> models.Model:
    """重办: after an unsatisfied callback, the lead unit handles the matter again on the same clock."""
    _require_office(actor, DISPATCH, "退回重办", case)
    locked = _lock_case(case)
    lead = current_lead(locked)
    if locked.dispatch_state != DispatchState.CALLBACK or lead is None:
        raise ValidationError("只有待回访的事项可以退回重办。")
    reason = " ".join((reason or "").split())
    if len(reason) < 4:
        raise ValidationError({"reason": "请写明重办理由（至少 4 个字）。"})
    at = _moment(at, what="重办时间")
    locked.dispatch_state = DispatchState.HANDLING
    locked.redo_count += 1
    locked.save(update_fields=["dispatch_state", "redo_count"])
    _event(
        locked,
        "redo",
        f"退回重办：{lead.organization.name}，理由：{reason}。",
        actor=actor,
        at=at,
        organization=lead.organization,
    )
    _audit(locked, "redo", actor, lead.organization, reason=reason)
    unit, link = lead.organization, _link(locked)
    transaction.on_commit(
        lambda: _notify_unit(
            unit,
            title=f"退回重办：{case_type_for(locked).describe(locked)}"[:200],
            body=f"理由：{reason}",
            link=link,
        ),
        robust=True,
    )
    _after_commit(locked, "redo")
    return _sync(case, locked)


def _close_assignments(case: models.Model, at: dt.datetime, actor: Any) -> None:
    for assignment in current_assignments(case).select_related("sign_clock"):
        _stop_if_running(assignment.sign_clock, at, actor)
        assignment.state = AssignmentState.CLOSED
        assignment.save(update_fields=["state"])


@transaction.atomic
def finish_case(*, case: models.Model, actor: Any, at: dt.datetime | None = None) -> models.Model:
    """办结: stops the 办理 clock; on time when finished not after its due moment."""
    _require_office(actor, DISPATCH, "办结", case)
    locked = _lock_case(case)
    if locked.dispatch_state != DispatchState.CALLBACK:
        raise ValidationError("答复审核通过（待回访）的事项才能办结。")
    at = _moment(at, after=locked.replied_at, what="办结时间")
    on_time = None
    if locked.handle_clock_id:
        clock = _stop_if_running(locked.handle_clock, at, actor)
        on_time = clock.final_status == ClockStatus.DONE_ON_TIME
        locked.handle_due_at = clock.due_at
    elif locked.handle_due_at is not None:
        on_time = at <= locked.handle_due_at
    _close_assignments(locked, at, actor)
    locked.dispatch_state = DispatchState.FINISHED
    locked.finished_at = at
    locked.finished_on_time = on_time
    locked.save()
    _event(locked, "finish", f"办结（{'按期' if on_time else '超期'}）。", actor=actor, at=at)
    _audit(locked, "finish", actor, on_time=on_time)
    _after_commit(locked, "finished")
    return _sync(case, locked)


@transaction.atomic
def withdraw_case(
    *, case: models.Model, reason: str, actor: Any, at: dt.datetime | None = None
) -> models.Model:
    """撤销: the office ends an open case that turned out to have no ground (an upheld 申诉 against a rating, a
    duplicate found late). Its clocks stop, its assignments close; it counts as neither on time nor overdue."""
    _require_office(actor, DISPATCH, "撤销", case)
    locked = _lock_case(case)
    if locked.dispatch_state not in OPEN_DISPATCH_STATES:
        raise ValidationError(f"该事项{locked.get_dispatch_state_display()}，不能撤销。")
    reason = " ".join((reason or "").split())
    if len(reason) < 4:
        raise ValidationError({"reason": "请写明撤销理由（至少 4 个字）。"})
    at = _moment(at, what="撤销时间")
    if locked.handle_clock_id:
        _stop_if_running(locked.handle_clock, at, actor)
    _close_assignments(locked, at, actor)
    locked.dispatch_state = DispatchState.FINISHED
    locked.finished_at = at
    locked.finished_on_time = None
    locked.save()
    _event(locked, "withdraw", f"撤销，理由：{reason}。", actor=actor, at=at)
    _audit(locked, "withdraw", actor, reason=reason)
    _after_commit(locked, "withdrawn", reason=reason)
    return _sync(case, locked)


# -- 督办, 并单 ---------------------------------------------------------------------------------------------------


def overdue_parts(case: models.Model, *, at: dt.datetime | None = None) -> list[str]:
    """What is overdue on an open case: unsigned assignments past their 签收 limit, the 办理 limit, and whatever
    limit of its own the case type adds (``overdue_of``)."""
    at = at or _now()
    parts = []
    for assignment in current_assignments(case).filter(state=AssignmentState.DISPATCHED, sign_due_at__lt=at):
        parts.append(f"{assignment.organization}超时未签收")
    if case.handle_clock_id and case.handle_clock.state != ClockState.STOPPED:
        due = case.handle_clock.due_at
        if due is not None and at > due:
            parts.append("超过办理期限")
    extra = case_type_for(case).overdue_of
    if extra is not None:
        parts += [part for part in extra(case, at) if part not in parts]
    return parts


@transaction.atomic
def urge_case(*, case: models.Model, note: str, actor: Any, at: dt.datetime | None = None) -> models.Model:
    """督办 of an overdue case: the units' handlers and heads are told, the count is kept."""
    _require_office(actor, SUPERVISE, "督办", case)
    locked = _lock_case(case)
    if locked.dispatch_state not in OPEN_DISPATCH_STATES:
        raise ValidationError("该事项已办结，无需督办。")
    at = _moment(at, what="督办时间")
    parts = overdue_parts(locked, at=at)
    if not parts:
        raise ValidationError("该事项未超期，无需督办。")
    note = " ".join((note or "").split())
    locked.urge_count += 1
    locked.save(update_fields=["urge_count"])
    units = [a.organization for a in current_assignments(locked).select_related("organization")]
    _event(
        locked,
        "urge",
        f"督办（{'；'.join(parts)}）" + (f"：{note}" if note else "") + "。",
        actor=actor,
        at=at,
    )
    _audit(locked, "urge", actor, reasons=parts, note=note)
    link, label = _link(locked), case_type_for(locked).describe(locked)
    for unit in units:
        transaction.on_commit(
            lambda unit=unit: _notify_unit(
                unit,
                title=f"督办：{label}"[:200],
                body="；".join(parts) + (f"。{note}" if note else ""),
                link=link,
                with_leaders=True,
            ),
            robust=True,
        )
    _after_commit(locked, "urged")
    return _sync(case, locked)


@transaction.atomic
def merge_case(
    *, case: models.Model, into: models.Model, reason: str, actor: Any, at: dt.datetime | None = None
) -> models.Model:
    """并单: a repeated matter is merged into the case already being handled; its own clocks stop."""
    _require_office(actor, DISPATCH, "并单", case)
    if type(case) is not type(into) or case.pk == into.pk:
        raise ValidationError("只能把一件事项并入同类的另一件事项。")
    locked = _lock_case(case)
    target = _lock_case(into)
    if locked.dispatch_state in (DispatchState.FINISHED, DispatchState.MERGED):
        raise ValidationError(f"该事项{locked.get_dispatch_state_display()}，不能并单。")
    if target.dispatch_state in (DispatchState.FINISHED, DispatchState.MERGED):
        raise ValidationError(f"目标事项{target.get_dispatch_state_display()}，不能并入。")
    reason = " ".join((reason or "").split())
    if len(reason) < 2:
        raise ValidationError({"reason": "请写明并单理由。"})
    at = _moment(at, what="并单时间")
    _close_assignments(locked, at, actor)
    _stop_if_running(locked.handle_clock, at, actor)
    locked.dispatch_state = DispatchState.MERGED
    locked.merged_into = target
    locked.save()
    case_type = case_type_for(locked)
    _event(locked, "merge", f"并单：并入{case_type.describe(target)}，理由：{reason}。", actor=actor, at=at)
    _event(target, "merged_in", f"并单：{case_type.describe(locked)}并入本件。", actor=actor, at=at)
    _audit(locked, "merge", actor, into=target.pk, reason=reason)
    _after_commit(locked, "merged", into=target.pk)
    return _sync(case, locked)


# -- 预警 reminders ----------------------------------------------------------------------------------------------


def send_warnings(*, at: dt.datetime | None = None) -> int:
    """Tell units once about each unsigned assignment and each case whose 办理 clock entered 预警 or 超期."""
    at = at or _now()
    sent = 0
    due = (
        Assignment.objects.filter(state=AssignmentState.DISPATCHED, warned_at__isnull=True)
        .filter(sign_clock__state=ClockState.RUNNING, sign_clock__warn_at__lte=at)
        .select_related("organization")
    )
    for assignment in due:
        with transaction.atomic():
            updated = Assignment.objects.filter(pk=assignment.pk, warned_at__isnull=True).update(warned_at=at)
            if not updated or assignment.case is None:
                continue
            case = assignment.case
            _notify_unit(
                assignment.organization,
                title=f"签收预警：{case_type_for(case).describe(case)}"[:200],
                body=f"请于{format_moment(assignment.sign_due_at)}前签收。",
                link=_link(case),
            )
            sent += 1
    for case_type in case_types():
        rows = case_type.model._default_manager.filter(
            dispatch_state=DispatchState.HANDLING,
            handle_warned_at__isnull=True,
            handle_clock__state=ClockState.RUNNING,
            handle_clock__warn_at__lte=at,
        ).select_related("lead_unit", "handle_clock")
        for case in rows:
            with transaction.atomic():
                if (
                    not type(case)
                    ._default_manager.filter(pk=case.pk, handle_warned_at__isnull=True)
                    .update(handle_warned_at=at)
                ):
                    continue
                if case.lead_unit is not None:
                    _notify_unit(
                        case.lead_unit,
                        title=f"办理预警：{case_type.describe(case)}"[:200],
                        body=f"办理期限：{format_moment(case.handle_clock.due_at)}。",
                        link=_link(case),
                    )
                    sent += 1
    return sent


# -- 机构改革 ------------------------------------------------------------------------------------------------------


def succession_preview(*, predecessor: Organization) -> list[tuple[str, int, int]]:
    """What :func:`move_open_cases` would move: (kind of case, open cases led, open assignments) per kind."""
    rows = []
    for case_type in case_types():
        ct = ContentType.objects.get_for_model(case_type.model)
        led = case_type.model._default_manager.filter(
            lead_unit=predecessor, dispatch_state__in=OPEN_DISPATCH_STATES
        ).count()
        assigned = Assignment.objects.filter(
            content_type=ct, organization=predecessor, state__in=CURRENT_ASSIGNMENT_STATES
        ).count()
        rows.append((case_type.label, led, assigned))
    return rows


@transaction.atomic
def move_open_cases(
    *,
    predecessor: Organization,
    successor: Organization,
    reason: str,
    actor: Any,
    at: dt.datetime | None = None,
    only: set[tuple[str, int]] | None = None,
) -> dict[str, int]:
    """机构改革 hook: every open assignment of ``predecessor`` (every kind of case) passes to ``successor`` with
    its clocks exactly as they were (only the handling organization on the clock changes). ``only`` limits the
    move to these cases, as (case type code, case id) — a split sends each case to the successor chosen for it."""
    _require(actor, "core.change_organization", "移交机构的在办事项")
    if predecessor.pk == successor.pk:
        raise ValidationError("承接机构不能是原机构本身。")
    if not successor.is_active:
        raise ValidationError("承接机构已停用。")
    at = _moment(at, what="移交时间")
    moved = {"assignments": 0, "cases": 0}
    for case_type in case_types():
        ct = ContentType.objects.get_for_model(case_type.model)
        chosen = None if only is None else [pk for code, pk in only if code == case_type.code]
        if chosen is not None and not chosen:
            continue
        assignments = Assignment.objects.select_for_update().filter(
            content_type=ct, organization=predecessor, state__in=CURRENT_ASSIGNMENT_STATES
        )
        led = case_type.model._default_manager.filter(
            lead_unit=predecessor, dispatch_state__in=OPEN_DISPATCH_STATES
        )
        if chosen is not None:
            assignments = assignments.filter(object_id__in=chosen)
            led = led.filter(pk__in=chosen)
        assignments = list(assignments)
        case_ids = {a.object_id for a in assignments}
        clock_ids = [a.sign_clock_id for a in assignments if a.sign_clock_id]
        Assignment.objects.filter(pk__in=[a.pk for a in assignments]).update(organization=successor)
        led_ids = list(led.values_list("pk", flat=True))
        clock_ids += [c for c in led.values_list("handle_clock_id", flat=True) if c]
        case_type.model._default_manager.filter(pk__in=led_ids).update(lead_unit=successor)
        CaseClock.objects.filter(pk__in=clock_ids, state__in=(ClockState.RUNNING, ClockState.PAUSED)).update(
            organization=successor
        )
        text = f"机构改革：{predecessor.name}的在办事项移交{successor.name}，办理时限不变（{reason}）。"
        DispatchEvent.objects.bulk_create(
            [
                DispatchEvent(
                    content_type=ct,
                    object_id=pk,
                    kind="succession",
                    at=at,
                    text=text[:600],
                    actor=actor if getattr(actor, "pk", None) else None,
                    organization=successor,
                )
                for pk in sorted(case_ids | set(led_ids))
            ]
        )
        moved["assignments"] += len(assignments)
        moved["cases"] += len(case_ids | set(led_ids))
    audit(
        actor=actor,
        action="core.dispatch.succession",
        target=predecessor,
        organization=successor,
        detail={"successor": successor.pk, "reason": reason, **moved},
    )
    return moved


# -- limits as data ----------------------------------------------------------------------------------------------


@transaction.atomic
def load_dispatch_limits(*, case_type: str, rows: list[dict[str, str]], actor: Any = None) -> int:
    """Upsert the :class:`DispatchLimit` rows of one kind of case from its rules file; rows an administrator
    added stay. Returns how many were created or changed."""
    policies = {p.code: p for p in ClockPolicy.objects.filter(code__in=[row["policy"] for row in rows])}
    written = 0
    for row in rows:
        policy = policies.get(row["policy"])
        if policy is None:
            raise ValidationError(f"派单时限引用的时限规则“{row['policy']}”不存在。")
        if row["stage"] not in DispatchStage.values:
            raise ValidationError(f"派单时限的环节“{row['stage']}”无效。")
        _limit, created = DispatchLimit.objects.get_or_create(
            case_type=case_type,
            stage=row["stage"],
            urgency=row.get("urgency", ""),
            request_kind=row.get("request_kind", ""),
            defaults={"policy": policy},
        )
        if created:
            written += 1
    if written:
        audit(
            actor=actor,
            action="core.dispatch.limits.load",
            detail={"case_type": case_type, "written": written},
        )
    return written
