"""受理: an operator takes a call (or a web / Open311 report waiting for intake) and answers it directly, refers
the caller to the legal channel, dispatches it to a unit on the engine, or records it as invalid.

The work order and its number are written in one transaction with the first step; the number is shown after the
commit. A draft of what the operator typed is kept on the server while the call goes on (see :func:`save_draft`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from zhengwu.core.models import Organization
from zhengwu.core.models.dispatch import AssignmentRole
from zhengwu.core.services.audit import audit
from zhengwu.core.services.clock import local_date
from zhengwu.core.services.dispatch import dispatch_case
from zhengwu.core.services.numbering import issue_tracking_number, tracking_prefix

from ..models import (
    CallDraft,
    Category,
    Channel,
    KnowledgeEntry,
    KnowledgeUse,
    Origin,
    Outcome,
    RequestKind,
    Urgency,
    WorkOrder,
)
from ..rules import referrals

TAKE_CALLS = "interaction.take_calls"
TRACKING_KIND = "hotline_order"
DEFAULT_PREFIX = "RX"
MAX_CONTENT = 4000
_PHONE = re.compile(r"^[0-9+\-]{5,20}$")


@dataclass
class Call:
    """What the operator records about a contact."""

    channel: str
    kind: str
    urgency: str
    content: str
    category: Category | None = None
    caller_name: str = ""
    caller_phone: str = ""
    caller_email: str = ""
    location: str = ""
    title: str = ""

    def cleaned(self, *, need_category: bool = True) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}

        def fail(name: str, message: str) -> None:
            errors.setdefault(name, []).append(message)

        values = {
            name: " ".join(str(getattr(self, name) or "").split())
            for name in ("channel", "kind", "urgency", "caller_name", "caller_email", "location", "title")
        }
        values["caller_phone"] = re.sub(r"[\s（）()]", "", str(self.caller_phone or ""))
        values["content"] = (self.content or "").strip()
        if values["channel"] not in Channel.values:
            fail("channel", "请选择受理渠道。")
        if values["kind"] not in RequestKind.values:
            fail("kind", "请选择诉求类型（咨询、求助、投诉、举报、建议、表扬）。")
        if values["urgency"] not in Urgency.values:
            fail("urgency", "请选择紧急程度。")
        if need_category and self.category is None:
            fail("category", "请选择诉求分类。")
        if self.category is not None and not self.category.is_active:
            fail("category", "该分类已停用，请选择其他分类。")
        if len(values["content"]) < 5:
            fail("content", "请记录诉求内容（至少 5 个字）。")
        if len(values["content"]) > MAX_CONTENT:
            fail("content", f"诉求内容不能超过 {MAX_CONTENT} 字。")
        if values["caller_phone"] and not _PHONE.match(values["caller_phone"]):
            fail("caller_phone", "联系电话格式不正确（5 至 20 位数字）。")
        if values["caller_email"]:
            try:
                validate_email(values["caller_email"])
            except ValidationError:
                fail("caller_email", "电子邮箱格式不正确。")
        for name in ("caller_name", "location", "title"):
            limit = WorkOrder._meta.get_field(name).max_length
            if len(values[name]) > limit:
                fail(name, f"不能超过 {limit} 个字。")
        if errors:
            raise ValidationError(errors)
        values["category"] = self.category
        return values


def _require_operator(actor: Any) -> None:
    if actor is not None and not actor.has_perm(TAKE_CALLS):
        raise PermissionDenied("您没有受理来电的权限。")


def _new_order(
    *, values: dict[str, Any], actor: Any, received_at: dt.datetime, order: WorkOrder | None
) -> WorkOrder:
    if order is not None:
        order = WorkOrder.objects.select_for_update().get(pk=order.pk)
        if order.outcome != Outcome.PENDING:
            raise ValidationError("该诉求已受理，请刷新页面。")
    else:
        order = WorkOrder(
            origin=Origin.CONSOLE,
            received_at=received_at,
            tracking_number=issue_tracking_number(
                prefix=tracking_prefix(TRACKING_KIND, default=DEFAULT_PREFIX), on=local_date(received_at)
            ),
        )
    for name, value in values.items():
        setattr(order, name, value)
    order.operator = actor if getattr(actor, "pk", None) else None
    return order


def _finish_intake(order: WorkOrder, actor: Any, action: str, **detail: Any) -> None:
    audit(
        actor=actor,
        action=f"interaction.hotline.{action}",
        target=order,
        detail={"outcome": order.outcome, **detail},
    )
    if getattr(actor, "pk", None):
        CallDraft.objects.filter(operator=actor).delete()


@transaction.atomic
def answer_directly(
    *,
    call: Call,
    answer: str,
    actor: Any,
    knowledge_entry: KnowledgeEntry | None = None,
    referral: str = "",
    received_at: dt.datetime | None = None,
    order: WorkOrder | None = None,
) -> WorkOrder:
    """直接答复 (from the 知识库, counted on the entry), or a referral to the legal channel (110/119/120/122,
    litigation, arbitration, 复议, 信访, 信息公开…) with the text the caller was given."""
    _require_operator(actor)
    values = call.cleaned(need_category=not referral)
    answer = (answer or "").strip()
    if referral:
        rule = referrals().get(referral)
        if rule is None:
            raise ValidationError({"referral": "请选择告知的渠道。"})
        answer = answer or rule["text"]
    if len(answer) < 5:
        raise ValidationError({"answer": "请填写答复内容（至少 5 个字），或从知识库选用答复口径。"})
    if knowledge_entry is not None and not knowledge_entry.is_active:
        raise ValidationError({"answer": "所选知识已停用。"})
    now = timezone.now()
    order = _new_order(values=values, actor=actor, received_at=received_at or now, order=order)
    order.outcome = Outcome.DIRECT
    order.answer = answer
    order.referral = referral
    order.knowledge_entry = knowledge_entry
    order.public_reply = answer
    order.dispatch_state = "finished"
    order.finished_at = now
    order.save()
    if knowledge_entry is not None:
        KnowledgeUse.objects.create(entry=knowledge_entry, work_order=order, at=now, operator=order.operator)
        KnowledgeEntry.objects.filter(pk=knowledge_entry.pk).update(use_count=F("use_count") + 1)
    _finish_intake(order, actor, "answer", referral=referral, knowledge=getattr(knowledge_entry, "pk", None))
    return order


@transaction.atomic
def dispatch_order(
    *,
    call: Call,
    unit: Organization,
    actor: Any,
    assisting_units: list[Organization] = (),  # type: ignore[assignment]
    outside_catalog_reason: str = "",
    instructions: str = "",
    received_at: dt.datetime | None = None,
    dispatched_at: dt.datetime | None = None,
    order: WorkOrder | None = None,
) -> WorkOrder:
    """派单: the work order goes to the lead unit (proposed by the category's 派单目录) on the dispatch engine."""
    _require_operator(actor)
    values = call.cleaned()
    now = timezone.now()
    order = _new_order(values=values, actor=actor, received_at=received_at or now, order=order)
    order.outcome = Outcome.DISPATCH
    order.save()
    catalog = values["category"].catalog()
    at = dispatched_at or max(now, order.received_at)
    dispatch_case(
        case=order,
        unit=unit,
        role=AssignmentRole.LEAD,
        actor=actor,
        at=at,
        catalog_units=catalog,
        outside_catalog_reason=outside_catalog_reason,
        instructions=instructions,
    )
    for other in assisting_units or ():
        if other.pk == unit.pk:
            continue
        dispatch_case(
            case=order,
            unit=other,
            role=AssignmentRole.ASSIST,
            actor=actor,
            at=at,
            instructions=instructions,
        )
    order.refresh_from_db()
    _finish_intake(order, actor, "dispatch", unit=unit.pk)
    return order


@transaction.atomic
def record_invalid(*, call: Call, reason: str, actor: Any, order: WorkOrder | None = None) -> WorkOrder:
    """无效: a silent call, a wrong number, a prank; recorded with the reason."""
    _require_operator(actor)
    reason = " ".join((reason or "").split())
    if len(reason) < 2:
        raise ValidationError({"invalid_reason": "请写明无效原因。"})
    call.kind = call.kind or RequestKind.CONSULT
    call.content = call.content if len((call.content or "").strip()) >= 5 else f"无效来电：{reason}"
    values = call.cleaned(need_category=False)
    now = timezone.now()
    order = _new_order(values=values, actor=actor, received_at=now, order=order)
    order.outcome = Outcome.INVALID
    order.invalid_reason = reason[:200]
    order.dispatch_state = "finished"
    order.finished_at = now
    order.save()
    _finish_intake(order, actor, "invalid", reason=reason)
    return order


# -- drafts ------------------------------------------------------------------------------------------------------

DRAFT_FIELDS = (
    "channel",
    "kind",
    "urgency",
    "category",
    "caller_name",
    "caller_phone",
    "caller_email",
    "location",
    "title",
    "content",
    "answer",
    "unit",
    "outside_catalog_reason",
    "instructions",
    "knowledge_entry",
    "order",
    "started_at",
)


def save_draft(*, operator: Any, data: dict[str, Any]) -> CallDraft:
    """Keep what the operator has typed (called as they type); nothing else is written, so it is not audited."""
    _require_operator(operator)
    clean = {key: str(data.get(key, ""))[:MAX_CONTENT] for key in DRAFT_FIELDS if key in data}
    draft, _ = CallDraft.objects.get_or_create(operator=operator)
    clean.setdefault("started_at", draft.data.get("started_at") or timezone.now().isoformat())
    draft.data = clean
    draft.save()
    return draft


def discard_draft(*, operator: Any) -> None:
    CallDraft.objects.filter(operator=operator).delete()
