"""共享申请: a department asks another for a catalogued resource and the provider answers on the case clock.

- A 无条件共享 resource is granted at once; a 有条件 one waits for the provider's answer, due within the
  ``catalog-share-reply`` limit (default 10 working days, rules/sharing.json); a 不予共享 one cannot be requested.
- The provider answers for its own organization subtree only (county-wide access does not answer for a
  department); a refusal carries its reason; a grant records the 信息项 granted and its expiry.
- The requester may dispute a refusal; the county office (``catalog.resolve_sharerequest``) resolves it by
  granting or by upholding the refusal.
- Every submission, grant, refusal, dispute, resolution, use and expiry writes an audit row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from zhengwu.core.models import Organization
from zhengwu.core.scoping import scope_root
from zhengwu.core.services.audit import audit
from zhengwu.core.services.clock import load_clock_policies, local_date, stop_clock
from zhengwu.core.services.clock import start_clock as start_case_clock

from .. import rules
from ..models import Resource, ResourceStatus, ShareGrant, ShareRequest, ShareRequestStatus, ShareType
from .resources import _locked_sequence

REPLY_POLICY = "catalog-share-reply"
NUMBER_PREFIX = "GX"


def load_sharing_clock_policies(*, actor: Any = None) -> int:
    """The reply limit of a 有条件共享 request (rules/sharing.json) as a ClockPolicy row."""
    return load_clock_policies(rules.rules_path("sharing"), actor=actor)


def grant_validity_days() -> int:
    return int(rules.load("sharing")["grant_validity_days"])


def max_grant_days() -> int:
    return int(rules.load("sharing")["max_grant_days"])


# -- who may act ---------------------------------------------------------------------------------------------------


def acts_for(actor: Any, org: Organization) -> bool:
    """Whether ``actor`` belongs to ``org`` or to an organization above it (its own subtree, never county-wide)."""
    root = scope_root(actor)
    return bool(root is not None and root.path and org.path.startswith(root.path))


def _require(actor: Any, permission: str) -> None:
    if actor is None or not actor.has_perm(permission):
        raise PermissionDenied("您没有办理共享申请的权限。")


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _text(value: Any) -> str:
    return str(value or "").strip()


def _clean_items(resource: Resource, wanted: list[str], *, allowed: list[str] | None = None) -> list[str]:
    names = [item.name for item in resource.items.all()] if allowed is None else list(allowed)
    chosen: list[str] = []
    for raw in wanted or []:
        name = _text(raw)
        if name and name not in chosen:
            chosen.append(name)
    if not chosen:
        raise ValidationError({"items": "请至少选择一个信息项。"})
    unknown = [name for name in chosen if name not in names]
    if unknown:
        where = "该资源" if allowed is None else "本申请"
        raise ValidationError({"items": f"{where}没有以下信息项：{'、'.join(unknown)}。"})
    return [name for name in names if name in chosen]  # in the resource's order


def _next_number(at: dt.datetime) -> str:
    day = local_date(at).strftime("%Y%m%d")
    sequence = _locked_sequence(f"{NUMBER_PREFIX}{day}")
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return f"{NUMBER_PREFIX}{day}{sequence.last_value:04d}"


def _check_expiry(expires_on: dt.date | None, answered_on: dt.date) -> dt.date:
    if expires_on is None:
        return answered_on + dt.timedelta(days=grant_validity_days())
    if expires_on <= answered_on:
        raise ValidationError({"expires_on": "授权截止日期应晚于答复日期。"})
    if (expires_on - answered_on).days > max_grant_days():
        raise ValidationError({"expires_on": f"授权有效期不能超过{max_grant_days()}天。"})
    return expires_on


def _grant(
    share_request: ShareRequest,
    *,
    actor: Any,
    scope: list[str],
    expires_on: dt.date,
    scope_note: str,
    at: dt.datetime,
    action: str,
    request: Any,
    extra: dict[str, Any] | None = None,
) -> ShareGrant:
    grant = ShareGrant.objects.create(
        request=share_request,
        resource=share_request.resource,
        grantee=share_request.requester,
        scope=scope,
        scope_note=scope_note,
        granted_at=at,
        expires_on=expires_on,
    )
    share_request.status = ShareRequestStatus.GRANTED
    share_request.save()
    audit(
        actor=actor,
        action=action,
        target=share_request,
        organization=share_request.provider,
        request=request,
        detail={
            "number": share_request.number,
            "resource": share_request.resource.code,
            "grantee": share_request.requester.name,
            "scope": scope,
            "expires_on": expires_on,
            **(extra or {}),
        },
    )
    return grant


# -- the request -----------------------------------------------------------------------------------------------------


@transaction.atomic
def submit_request(
    *,
    actor: Any,
    resource: Resource,
    purpose: str,
    scenario: str,
    items: list[str],
    requester: Organization | None = None,
    at: dt.datetime | None = None,
    request: Any = None,
) -> ShareRequest:
    """Ask the provider of ``resource`` for the 信息项 ``items``; a 无条件 resource is granted at once."""
    _require(actor, "catalog.add_sharerequest")
    at = _now(at)
    requester = requester or getattr(actor, "organization", None)
    if requester is None or not acts_for(actor, requester):
        raise PermissionDenied("只能以本部门名义提出共享申请。")
    resource = Resource.objects.select_related("provider").get(pk=resource.pk)
    errors: dict[str, str] = {}
    if resource.status != ResourceStatus.APPROVED:
        errors["resource"] = "该资源尚未通过审核编入目录，不能申请共享。"
    elif resource.share_type == ShareType.NONE:
        errors["resource"] = "该资源为不予共享资源，不能申请共享。"
    elif resource.provider_id == requester.pk:
        errors["resource"] = "不能向本部门申请本部门的资源。"
    if not _text(purpose):
        errors["purpose"] = "请填写申请用途。"
    if not _text(scenario):
        errors["scenario"] = "请填写应用场景。"
    try:
        chosen = _clean_items(resource, items)
    except ValidationError as exc:
        errors.update({key: value[0] for key, value in exc.message_dict.items()})
        chosen = []
    if not errors:
        open_request = ShareRequest.objects.filter(
            resource=resource,
            requester=requester,
            status__in=[ShareRequestStatus.PENDING, ShareRequestStatus.DISPUTED],
        ).first()
        if open_request is not None:
            errors["resource"] = f"本部门对该资源已有办理中的申请（{open_request.number}）。"
    if errors:
        raise ValidationError(errors)
    share_request = ShareRequest.objects.create(
        number=_next_number(at),
        resource=resource,
        requester=requester,
        provider=resource.provider,
        purpose=_text(purpose),
        scenario=_text(scenario),
        items=chosen,
        requested_by=actor,
        submitted_at=at,
    )
    audit(
        actor=actor,
        action="catalog.share.submit",
        target=share_request,
        organization=requester,
        request=request,
        detail={
            "number": share_request.number,
            "resource": resource.code,
            "provider": resource.provider.name,
            "share_type": resource.share_type,
            "items": chosen,
        },
    )
    if resource.share_type == ShareType.UNCONDITIONAL:
        share_request.answered_at = at
        _grant(
            share_request,
            actor=None,
            scope=chosen,
            expires_on=local_date(at) + dt.timedelta(days=grant_validity_days()),
            scope_note="无条件共享资源，申请即授权。",
            at=at,
            action="catalog.share.grant",
            request=None,
            extra={"immediate": True},
        )
        return share_request
    share_request.clock = start_case_clock(
        case=share_request,
        policy=REPLY_POLICY,
        started_at=at,
        organization=resource.provider,
        label=f"共享申请 {share_request.number}：{resource.name}",
        actor=actor,
    )
    share_request.save(update_fields=["clock"])
    return share_request


def _locked_request(share_request: ShareRequest) -> ShareRequest:
    return (
        ShareRequest.objects.select_for_update(of=("self",))
        .select_related("resource", "requester", "provider", "clock")
        .get(pk=share_request.pk)
    )


def _require_provider(actor: Any, share_request: ShareRequest) -> None:
    _require(actor, "catalog.change_sharerequest")
    if not acts_for(actor, share_request.provider):
        raise PermissionDenied("只有资源提供部门可以答复该申请。")


def _finish_clock(share_request: ShareRequest, actor: Any, at: dt.datetime) -> None:
    if share_request.clock is not None and share_request.clock.finished_at is None:
        if at < share_request.clock.started_at:
            raise ValidationError("答复时间不能早于申请时间。")
        share_request.clock = stop_clock(clock=share_request.clock, at=at, actor=actor)


@transaction.atomic
def grant_request(
    *,
    actor: Any,
    share_request: ShareRequest,
    scope: list[str] | None = None,
    expires_on: dt.date | None = None,
    scope_note: str = "",
    at: dt.datetime | None = None,
    request: Any = None,
) -> ShareGrant:
    """The provider agrees: ``scope`` (default: every 信息项 asked for) until ``expires_on``."""
    at = _now(at)
    locked = _locked_request(share_request)
    _require_provider(actor, locked)
    if locked.status != ShareRequestStatus.PENDING:
        raise ValidationError(f"该申请当前状态为“{locked.get_status_display()}”，不能再答复。")
    chosen = _clean_items(locked.resource, scope or locked.items, allowed=locked.items)
    expires_on = _check_expiry(expires_on, local_date(at))
    _finish_clock(locked, actor, at)
    locked.answered_at = at
    locked.answered_by = actor
    grant = _grant(
        locked,
        actor=actor,
        scope=chosen,
        expires_on=expires_on,
        scope_note=_text(scope_note),
        at=at,
        action="catalog.share.grant",
        request=request,
        extra={"final_status": locked.clock.final_status if locked.clock else ""},
    )
    share_request.refresh_from_db()
    return grant


@transaction.atomic
def refuse_request(
    *,
    actor: Any,
    share_request: ShareRequest,
    reason: str,
    at: dt.datetime | None = None,
    request: Any = None,
) -> ShareRequest:
    """The provider refuses; the reason is required and shown to the requester."""
    at = _now(at)
    locked = _locked_request(share_request)
    _require_provider(actor, locked)
    if locked.status != ShareRequestStatus.PENDING:
        raise ValidationError(f"该申请当前状态为“{locked.get_status_display()}”，不能再答复。")
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": "不予共享须说明理由。"})
    _finish_clock(locked, actor, at)
    locked.status = ShareRequestStatus.REFUSED
    locked.refusal_reason = reason
    locked.answered_at = at
    locked.answered_by = actor
    locked.save()
    audit(
        actor=actor,
        action="catalog.share.refuse",
        target=locked,
        organization=locked.provider,
        request=request,
        detail={
            "number": locked.number,
            "resource": locked.resource.code,
            "reason": reason,
            "final_status": locked.clock.final_status if locked.clock else "",
        },
    )
    share_request.refresh_from_db()
    return locked


@transaction.atomic
def withdraw_request(
    *, actor: Any, share_request: ShareRequest, at: dt.datetime | None = None, request: Any = None
) -> ShareRequest:
    """The requester withdraws a request not yet answered."""
    at = _now(at)
    locked = _locked_request(share_request)
    _require(actor, "catalog.add_sharerequest")
    if not acts_for(actor, locked.requester):
        raise PermissionDenied("只有申请部门可以撤回该申请。")
    if locked.status != ShareRequestStatus.PENDING:
        raise ValidationError("只有待答复的申请可以撤回。")
    _finish_clock(locked, actor, at)
    locked.status = ShareRequestStatus.WITHDRAWN
    locked.save()
    audit(
        actor=actor,
        action="catalog.share.withdraw",
        target=locked,
        organization=locked.requester,
        request=request,
        detail={"number": locked.number},
    )
    share_request.refresh_from_db()
    return locked


@transaction.atomic
def dispute_request(
    *,
    actor: Any,
    share_request: ShareRequest,
    reason: str,
    at: dt.datetime | None = None,
    request: Any = None,
) -> ShareRequest:
    """The requester objects to a refusal; the dispute goes to the county office."""
    at = _now(at)
    locked = _locked_request(share_request)
    _require(actor, "catalog.add_sharerequest")
    if not acts_for(actor, locked.requester):
        raise PermissionDenied("只有申请部门可以对答复提出异议。")
    if locked.status != ShareRequestStatus.REFUSED or locked.resolved_at is not None:
        raise ValidationError("只能对尚未协调的不予共享答复提出异议。")
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": "请填写异议理由。"})
    locked.status = ShareRequestStatus.DISPUTED
    locked.dispute_reason = reason
    locked.disputed_at = at
    locked.save()
    audit(
        actor=actor,
        action="catalog.share.dispute",
        target=locked,
        organization=locked.requester,
        request=request,
        detail={"number": locked.number, "reason": reason},
    )
    share_request.refresh_from_db()
    return locked


@transaction.atomic
def resolve_dispute(
    *,
    actor: Any,
    share_request: ShareRequest,
    grant: bool,
    resolution: str,
    scope: list[str] | None = None,
    expires_on: dt.date | None = None,
    at: dt.datetime | None = None,
    request: Any = None,
) -> ShareRequest:
    """The county office decides a dispute: grant (with scope and expiry) or uphold the refusal."""
    at = _now(at)
    locked = _locked_request(share_request)
    _require(actor, "catalog.resolve_sharerequest")
    if locked.status != ShareRequestStatus.DISPUTED:
        raise ValidationError("该申请没有待协调的异议。")
    resolution = _text(resolution)
    if not resolution:
        raise ValidationError({"resolution": "请填写协调意见。"})
    locked.resolution = resolution
    locked.resolved_at = at
    locked.resolved_by = actor
    if grant:
        chosen = _clean_items(locked.resource, scope or locked.items, allowed=locked.items)
        _grant(
            locked,
            actor=actor,
            scope=chosen,
            expires_on=_check_expiry(expires_on, local_date(at)),
            scope_note=f"异议协调：{resolution}",
            at=at,
            action="catalog.share.resolve",
            request=request,
            extra={"decision": "grant", "resolution": resolution},
        )
    else:
        locked.status = ShareRequestStatus.REFUSED
        locked.save()
        audit(
            actor=actor,
            action="catalog.share.resolve",
            target=locked,
            organization=locked.provider,
            request=request,
            detail={"number": locked.number, "decision": "uphold", "resolution": resolution},
        )
    share_request.refresh_from_db()
    return locked


# -- grants: use and expiry --------------------------------------------------------------------------------------


def _expire(grant: ShareGrant, at: dt.datetime) -> None:
    grant.expired_at = at
    grant.save(update_fields=["expired_at"])
    ShareRequest.objects.filter(pk=grant.request_id, status=ShareRequestStatus.GRANTED).update(
        status=ShareRequestStatus.EXPIRED
    )
    audit(
        actor=None,
        action="catalog.share.expire",
        target=grant.request,
        organization=grant.resource.provider,
        detail={
            "number": grant.request.number,
            "resource": grant.resource.code,
            "grantee": grant.grantee.name,
            "expires_on": grant.expires_on,
        },
    )


def record_use(
    *,
    actor: Any,
    grant: ShareGrant,
    purpose: str,
    at: dt.datetime | None = None,
    request: Any = None,
) -> ShareGrant:
    """One use of a grant by the grantee (a 核验, a query, a download through the platform), audited. The expiry
    is checked at the moment of use: a grant past its date is closed here if the daily task has not yet done it
    (that closing is kept), and the use is refused."""
    at = _now(at)
    _require(actor, "catalog.view_sharerequest")
    current = ShareGrant.objects.select_related("grantee").get(pk=grant.pk)
    if not acts_for(actor, current.grantee):
        raise PermissionDenied("只有获得授权的部门可以使用该共享资源。")
    purpose = _text(purpose)
    if not purpose:
        raise ValidationError({"purpose": "请填写本次使用的事由。"})
    with transaction.atomic():
        locked = (
            ShareGrant.objects.select_for_update(of=("self",))
            .select_related("request", "resource__provider", "grantee")
            .get(pk=grant.pk)
        )
        expired = locked.expired_at is not None or locked.expires_on < local_date(at)
        if expired and locked.expired_at is None:
            _expire(locked, at)
        if not expired:
            locked.use_count += 1
            locked.last_used_at = at
            locked.save(update_fields=["use_count", "last_used_at"])
            audit(
                actor=actor,
                action="catalog.share.use",
                target=locked.request,
                organization=locked.grantee,
                request=request,
                detail={
                    "number": locked.request.number,
                    "resource": locked.resource.code,
                    "purpose": purpose,
                },
            )
    grant.refresh_from_db()
    if expired:
        raise ValidationError(
            f"该授权已于{locked.expires_on.year}年{locked.expires_on.month}月{locked.expires_on.day}日到期，请重新申请。"
        )
    return locked


@transaction.atomic
def expire_grants(*, today: dt.date | None = None, at: dt.datetime | None = None) -> int:
    """Close every grant whose 授权截止日期 has passed (run daily); return how many."""
    at = _now(at)
    today = today or local_date(at)
    due = (
        ShareGrant.objects.select_for_update(of=("self",))
        .select_related("request", "resource__provider", "grantee")
        .filter(expired_at__isnull=True, expires_on__lt=today)
        .order_by("pk")
    )
    count = 0
    for grant in due:
        _expire(grant, at)
        count += 1
    return count
