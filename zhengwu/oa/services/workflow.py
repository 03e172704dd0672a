"""发文 and 收文 on the platform: every step a person takes, checked, recorded and audited.

发文: 起草 → 核稿 (one or more reviewers, each change kept as a revision) → 会签 (every joint issuer) → 签发 → 复核 →
登记 (the 发文字号 is allocated here, in the transaction) → 用印 → 核发 (a 收文 copy for every addressed organization).
Any step may send the draft back to an earlier one with a reason. 特急/加急 documents run each step on the core clock.

收文: 签收 → 登记 (收文编号) → 初审 (or 退回 with reasons, which the sender sees) → 承办 (阅知: 传阅; 批办: 拟办意见 →
负责人批示, a 主办 unit, a 办理时限 on the clock for urgent documents) → 传阅 → 催办 → 答复 (办结) → 归档.

Every refusal is a ``ValidationError`` (bad input, wrong step) or ``PermissionDenied`` (wrong person) with a Chinese
message; the caller's input is untouched.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from zhengwu.core.models import Organization, Staff
from zhengwu.core.services import clock as clocks
from zhengwu.core.services.audit import audit

from ..models import (
    STEP_ORDER,
    Circulation,
    Countersign,
    HandlingMode,
    IncomingDocument,
    IncomingEvent,
    IncomingState,
    IssuerProfile,
    NumberSequence,
    OutgoingDocument,
    OutgoingEvent,
    OutgoingStep,
    Revision,
    Seal,
)
from .document import CODE_RE, NUMBERED_RE, layout_rules

RULES = Path(__file__).resolve().parent.parent / "rules" / "workflow.json"

DRAFT = "oa.draft_documents"
REVIEW = "oa.review_documents"
SIGN = "oa.sign_documents"
HANDLE = "oa.handle_documents"
# 发文字号: 机关代字〔四位年份〕顺序号号 (no 第, no zero padding) — domain/oa.md §2
NUMBER_RE = re.compile(r"^[\u4e00-\u9fa5A-Za-z]+〔(19|20)\d{2}〕[1-9]\d*号$")
URGENCY_CODES = {
    "特急": "extra-urgent",
    "加急": "urgent",
}  # in the clock policies' codes (rules/workflow.json)


@cache
def workflow_rules() -> dict:
    return json.loads(RULES.read_text(encoding="utf-8"))


def upward_kinds() -> list[str]:
    """上行文 that must carry a 签发人 (条例 第九条), from the one rule the layout engine also reads."""
    return layout_rules()["upward_kinds"]["kinds"]


def load_workflow_rules(actor: Any = None) -> int:
    """Load the 特急/加急 step limits as clock policies (editable afterwards under 派单时限)."""
    return clocks.load_clock_policies(RULES, actor=actor)


# ---------------------------------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------------------------------


def allocate_serial(code: str, year: int) -> int:
    """The next serial under ``code`` in ``year``: from a row locked until the caller's transaction ends, so that a
    rollback gives it back — no gap, no repeat, however many workers allocate at once."""
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("公文编号须在登记的同一数据库事务中分配。")
    with transaction.atomic():
        sequence = NumberSequence.objects.select_for_update().filter(code=code, year=year).first()
        if sequence is None:
            NumberSequence.objects.bulk_create(
                [NumberSequence(code=code, year=year, last_serial=0)], ignore_conflicts=True
            )
            sequence = NumberSequence.objects.select_for_update().get(code=code, year=year)
        sequence.last_serial += 1
        sequence.save(update_fields=["last_serial"])
    return sequence.last_serial


def document_code(organization: Organization) -> str:
    profile = IssuerProfile.objects.filter(organization=organization).first()
    if profile is None or not profile.document_code:
        raise ValidationError(
            f"“{organization.name}”尚未设置机关代字，不能登记发文字号；请先在“发文机关设置”中设置。"
        )
    if not CODE_RE.match(profile.document_code):
        raise ValidationError(f"机关代字“{profile.document_code}”只能由汉字或字母组成。")
    return profile.document_code


def incoming_code(organization: Organization) -> str:
    profile = IssuerProfile.objects.filter(organization=organization).first()
    base = (profile.incoming_code if profile else "") or organization.short_name or organization.name
    return (
        f"{base}{workflow_rules()['incoming_code_default']}"
        if not (profile and profile.incoming_code)
        else base
    )


# ---------------------------------------------------------------------------------------------------------------
# Who may do what
# ---------------------------------------------------------------------------------------------------------------


def office_of(organization: Organization) -> Organization:
    """The organization whose staff handle this one's documents: its 办文机构 if set (县政府 → 县政府办), else itself."""
    profile = IssuerProfile.objects.filter(organization=organization).select_related("office").first()
    return profile.office if profile is not None and profile.office is not None else organization


def _in(user: Any, organization: Organization | None) -> bool:
    """The user is on the staff that handles ``organization``'s documents (its own staff, or its 办文机构's).
    Staff of subordinate organizations are not: a department does not handle the county government's documents."""
    own = getattr(user, "organization", None)
    if own is None or organization is None:
        return False
    return own.pk == organization.pk or own.pk == office_of(organization).pk


def _above_or_in(user: Any, organization: Organization) -> bool:
    """The user may speak for ``organization``: on its staff (or its 办文机构's), or in an organization above it (a
    county leader signs for the county government's office)."""
    own = getattr(user, "organization", None)
    if own is None:
        return False
    return _in(user, organization) or (own.pk != organization.pk and organization.is_descendant_of(own))


def _require(user: Any, permission: str, message: str) -> None:
    if not (user.is_active and user.has_perm(permission)):
        raise PermissionDenied(message)


def issuers(document: OutgoingDocument) -> list[Organization]:
    return [document.organization, *document.co_issuers.all()]


def visible_outgoing(user: Any) -> QuerySet[OutgoingDocument]:
    """Drafts a person may see: the ones they take part in; a non-涉密 one of their organization, of one below it
    or of one their office handles. A 涉密 document is seen only by the staff handling one of its issuers and by the
    people it was given to — never through a higher organization or county-wide access."""
    qs = OutgoingDocument.objects.select_related("organization")
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    seen = Q(drafter=user) | Q(reviewers=user) | Q(signer=user) | Q(countersigns__signed_by=user)
    own = getattr(user, "organization", None)
    if own is not None:
        handled = (
            Q(organization=own)
            | Q(co_issuers=own)
            | Q(organization__oa_profile__office=own)
            | Q(co_issuers__oa_profile__office=own)
        )
        below = Q(organization__path__startswith=own.path) | Q(co_issuers__path__startswith=own.path)
        ordinary = Q(secret_level="")
        # A 涉密 draft is seen by those taking part and by the issuers' 文书, not by every colleague.
        seen |= (handled if user.has_perm(HANDLE) else handled & ordinary) | (below & ordinary)
    return qs.filter(seen).distinct()


def visible_incoming(user: Any) -> QuerySet[IncomingDocument]:
    """Received documents a person may see: those handled by their office, those passed to them or given to their
    unit; a 涉密 one only by the receiving office's 文书, its readers and its 批示 leader."""
    qs = IncomingDocument.objects.select_related("organization", "source", "source__organization")
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    seen = Q(circulations__reader=user) | Q(instructor=user)
    own = getattr(user, "organization", None)
    if own is not None:
        office = Q(organization=own) | Q(organization__oa_profile__office=own)
        ordinary = Q(secret_level="")
        seen |= (office & ordinary) if not user.has_perm(HANDLE) else office
        seen |= ordinary & (
            Q(organization__path__startswith=own.path) | Q(lead_unit=own) | Q(assist_units=own)
        )
    return qs.filter(seen).distinct()


# ---------------------------------------------------------------------------------------------------------------
# Drafting
# ---------------------------------------------------------------------------------------------------------------

UPWARD_HINT = "上行文（请示、报告）必须由签发人签发"


def _clean_body(body: Any) -> list[dict]:
    if not isinstance(body, list) or not body:
        raise ValidationError({"body": "正文不能为空。"})
    cleaned = []
    for index, block in enumerate(body, start=1):
        if not isinstance(block, dict):
            raise ValidationError({"body": f"正文第{index}段格式有误。"})
        text = str(block.get("text") or "").strip()
        kind = block.get("type")
        if not text:
            raise ValidationError({"body": f"正文第{index}段是空的。"})
        if kind == "paragraph":
            cleaned.append({"type": "paragraph", "text": text})
        elif kind == "heading" and block.get("level") in (1, 2, 3, 4):
            if NUMBERED_RE.match(text):
                raise ValidationError(
                    {"body": f"正文第{index}段：标题序数由排版自动编排，不要再写“{text[:6]}”。"}
                )
            cleaned.append({"type": "heading", "level": block["level"], "text": text})
        else:
            raise ValidationError({"body": f"正文第{index}段的类型有误。"})
    return cleaned


def body_from_text(text: str) -> list[dict]:
    """The body as an office worker types it: one paragraph per line; a line starting with ``#``…``####`` is a
    heading of that level (the numbers 一、（一）1.（1） are laid out automatically)."""
    blocks = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        level = len(line) - len(line.lstrip("#"))
        if 1 <= level <= 4:
            blocks.append({"type": "heading", "level": level, "text": line[level:].strip()})
        else:
            blocks.append({"type": "paragraph", "text": line})
    return blocks


def body_as_text(body: list[dict]) -> str:
    return "\n".join(
        ("#" * block["level"] + " " if block.get("type") == "heading" else "") + block.get("text", "")
        for block in body
    )


def _search_text(document: OutgoingDocument) -> str:
    parts = [document.title, document.kind, document.number, *(b.get("text", "") for b in document.body)]
    parts += [str(a) for a in document.attachments]
    return "\n".join(p for p in parts if p)


def _event(document: OutgoingDocument, actor: Any, action: str, opinion: str = "", at=None) -> OutgoingEvent:
    return OutgoingEvent.objects.create(
        document=document,
        step=document.step,
        action=action,
        actor=actor,
        organization=getattr(actor, "organization", None),
        opinion=opinion,
        at=at or timezone.now(),
    )


def _revise(document: OutgoingDocument, actor: Any, note: str = "") -> Revision:
    last = document.revisions.order_by("-number").first()
    return Revision.objects.create(
        document=document,
        number=(last.number + 1) if last else 1,
        author=actor,
        step=document.step,
        title=document.title,
        body=document.body,
        note=note[:300],
        at=timezone.now(),
    )


def _check_fields(
    *,
    kind: str,
    secret_level: str,
    secret_term: str,
    urgency: str,
    to_orgs: Iterable[Organization],
    to_outside: str,
    attachments: list,
) -> None:
    errors: dict[str, str] = {}
    if kind not in dict(OutgoingDocument._meta.get_field("kind").choices):
        errors["kind"] = f"“{kind}”不是法定文种。"
    if secret_level not in ("", "秘密", "机密", "绝密"):
        errors["secret_level"] = "密级应为 秘密、机密 或 绝密。"
    if secret_term and not secret_level:
        errors["secret_term"] = "非涉密公文不标注保密期限。"
    if urgency not in ("", "特急", "加急"):
        errors["urgency"] = "紧急程度应为 特急 或 加急。"
    if not list(to_orgs) and not to_outside.strip() and kind not in ("公告", "通告", "公报", "纪要"):
        errors["to_orgs"] = "请选择主送机关。"
    if secret_level and to_outside.strip():
        errors["to_outside"] = "涉密公文只能在分送范围内的平台机关之间流转，不能主送平台外机关。"
    for index, item in enumerate(attachments, start=1):
        if not str(item).strip():
            errors["attachments"] = f"第{index}个附件名称是空的。"
        elif str(item).strip()[-1] in "。；，.;,":
            errors["attachments"] = f"附件名称后不加标点：“{item}”。"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_draft(
    *,
    actor: Any,
    kind: str,
    title: str,
    body: list[dict],
    to_orgs: Iterable[Organization] = (),
    cc_orgs: Iterable[Organization] = (),
    co_issuers: Iterable[Organization] = (),
    to_outside: str = "",
    cc_outside: str = "",
    attachments: list[str] | None = None,
    secret_level: str = "",
    secret_term: str = "",
    urgency: str = "",
    note: str = "",
    printer: str = "",
    organization: Organization | None = None,
    form: str = "",
    attendance: dict[str, list[str]] | None = None,
) -> OutgoingDocument:
    """A new draft of ``organization`` (default: the drafter's own; the office may draft for the organization it
    handles documents for, e.g. the county government's office for the county government)."""
    _require(actor, DRAFT, "您没有起草公文的权限。")
    own = getattr(actor, "organization", None)
    if own is None:
        raise PermissionDenied("您的账号未归属任何机构，不能起草公文。")
    organization = organization or own
    if not _in(actor, organization):
        raise PermissionDenied(f"您不能以“{organization.name}”的名义起草公文。")
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "请填写标题。"})
    to_orgs, cc_orgs, co_issuers = list(to_orgs), list(cc_orgs), list(co_issuers)
    attachments = [str(a).strip() for a in (attachments or [])]
    _check_fields(
        kind=kind,
        secret_level=secret_level,
        secret_term=secret_term,
        urgency=urgency,
        to_orgs=to_orgs,
        to_outside=to_outside,
        attachments=attachments,
    )
    if organization in co_issuers:
        raise ValidationError({"co_issuers": "联合发文机关不能包含主办机关自己。"})
    form = form or ("纪要" if kind == "纪要" else "文件")
    if form not in ("文件", "信函", "纪要"):
        raise ValidationError({"form": "格式应为文件格式、信函格式或纪要格式。"})
    if form == "纪要" and kind != "纪要":
        raise ValidationError({"form": "纪要格式只用于纪要。"})
    attendance = {k: [n.strip() for n in v if n.strip()] for k, v in (attendance or {}).items()}
    attendance = {k: v for k, v in attendance.items() if v}
    if attendance and form != "纪要":
        raise ValidationError({"attendance": "出席、请假、列席人员只用于纪要格式。"})
    if set(attendance) - {"出席", "请假", "列席"}:
        raise ValidationError({"attendance": "只能填写出席、请假、列席人员。"})
    document = OutgoingDocument(
        organization=organization,
        kind=kind,
        form=form,
        attendance=attendance,
        title=title,
        body=_clean_body(body),
        attachments=attachments,
        to_outside=to_outside.strip(),
        cc_outside=cc_outside.strip(),
        secret_level=secret_level,
        secret_term=secret_term.strip(),
        urgency=urgency,
        note=note.strip(),
        printer=printer.strip() or organization.name,
        drafter=actor,
    )
    document.search_text = _search_text(document)
    document.save()
    document.to_orgs.set(to_orgs)
    document.cc_orgs.set(cc_orgs)
    document.co_issuers.set(co_issuers)
    _revise(document, actor, "初稿")
    _event(document, actor, "draft")
    audit(actor=actor, action="oa.outgoing.draft", target=document, detail={"kind": kind, "title": title})
    return document


def _lock(document: OutgoingDocument) -> OutgoingDocument:
    return (
        OutgoingDocument.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=document.pk)
    )


def _expect(document: OutgoingDocument, *steps: str) -> None:
    if document.step not in steps:
        names = "、".join(OutgoingStep(s).label for s in steps)
        raise ValidationError(
            f"该公文当前在“{document.get_step_display()}”环节，不能进行“{names}”环节的操作。"
        )


def _move(document: OutgoingDocument, step: str, actor: Any) -> None:
    """Enter ``step``: stop the clock of the step left and, for an urgent document, start one for the new step."""
    now = timezone.now()
    if document.clock_id and document.clock.state != "stopped":
        clocks.stop_clock(clock=document.clock, at=now, actor=actor)
    document.clock = None
    document.step = step
    if document.urgency and step != OutgoingStep.ISSUED:
        document.clock = clocks.start_clock(
            case=document,
            policy=f"oa-step-{URGENCY_CODES[document.urgency]}",
            started_at=now,
            organization=document.organization,
            label=f"{document.title}（{OutgoingStep(step).label}）",
            actor=actor,
        )
    document.save()


@transaction.atomic
def edit_draft(
    *, document: OutgoingDocument, actor: Any, title: str, body: list[dict], note: str = ""
) -> Revision:
    """Change the text: the drafter while drafting, a reviewer while 核稿 — each change a new revision."""
    document = _lock(document)
    if document.step == OutgoingStep.DRAFT:
        if actor.pk != document.drafter_id:
            raise PermissionDenied("只有拟稿人可以修改草稿。")
    elif document.step == OutgoingStep.REVIEW:
        if not document.reviewers.filter(pk=actor.pk).exists() or not actor.has_perm(REVIEW):
            raise PermissionDenied("只有本稿的核稿人可以在核稿时修改。")
    else:
        raise ValidationError("稿件已进入会签或签发，不能再修改；请先退回到起草或核稿环节。")
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "请填写标题。"})
    body = _clean_body(body)
    if title == document.title and body == document.body:
        raise ValidationError("稿件没有改动。")
    document.title, document.body = title, body
    document.search_text = _search_text(document)
    document.save(update_fields=["title", "body", "search_text", "updated_at"])
    revision = _revise(document, actor, note)
    _event(document, actor, "revise", note)
    audit(actor=actor, action="oa.outgoing.revise", target=document, detail={"revision": revision.number})
    return revision


@transaction.atomic
def submit_for_review(*, document: OutgoingDocument, actor: Any, reviewers: Iterable[Staff]) -> None:
    document = _lock(document)
    _expect(document, OutgoingStep.DRAFT)
    if actor.pk != document.drafter_id:
        raise PermissionDenied("只有拟稿人可以送核稿。")
    reviewers = list(reviewers)
    if not reviewers:
        raise ValidationError({"reviewers": "请至少选择一名核稿人。"})
    for person in reviewers:
        if not (person.is_active and person.has_perm(REVIEW) and _above_or_in(person, document.organization)):
            raise ValidationError({"reviewers": f"“{person.get_full_name()}”不是本机关的核稿人。"})
        if person.pk == actor.pk:
            raise ValidationError({"reviewers": "核稿人不能是拟稿人本人。"})
    document.reviewers.set(reviewers)
    _event(document, actor, "submit", "送核稿：" + "、".join(p.get_full_name() for p in reviewers))
    _move(document, OutgoingStep.REVIEW, actor)
    audit(actor=actor, action="oa.outgoing.submit", target=document)


def _round_start(document: OutgoingDocument) -> OutgoingEvent | None:
    return document.events.filter(action="submit").order_by("-at", "-pk").first()


def pending_reviewers(document: OutgoingDocument) -> list[Staff]:
    start = _round_start(document)
    approved = set(
        document.events.filter(action="approve", pk__gt=start.pk if start else 0).values_list(
            "actor_id", flat=True
        )
    )
    return [p for p in document.reviewers.all() if p.pk not in approved]


@transaction.atomic
def approve_review(*, document: OutgoingDocument, actor: Any, opinion: str = "") -> None:
    document = _lock(document)
    _expect(document, OutgoingStep.REVIEW)
    _require(actor, REVIEW, "您没有核稿权限。")
    if actor not in pending_reviewers(document):
        raise PermissionDenied("您不是本稿的核稿人，或已核过稿。")
    _event(document, actor, "approve", opinion.strip() or "同意")
    audit(actor=actor, action="oa.outgoing.review", target=document)
    if not pending_reviewers(document):
        joint = list(document.co_issuers.all())
        if joint:
            document.countersigns.all().delete()
            Countersign.objects.bulk_create([Countersign(document=document, organization=o) for o in joint])
            _move(document, OutgoingStep.COUNTERSIGN, actor)
        else:
            _move(document, OutgoingStep.SIGN, actor)


@transaction.atomic
def countersign(*, document: OutgoingDocument, actor: Any, opinion: str = "") -> None:
    """会签 by the head of each joint issuer — its own head, not a leader above it (the joint issuers each
    answer for the document)."""
    document = _lock(document)
    _expect(document, OutgoingStep.COUNTERSIGN)
    _require(actor, SIGN, "您没有会签权限。")
    row = next(
        (c for c in document.countersigns.filter(signed_at__isnull=True) if _in(actor, c.organization)),
        None,
    )
    if row is None:
        raise PermissionDenied("您所在机关不是本文的联合发文机关，或已会签。")
    row.signed_by, row.signed_at, row.opinion = actor, timezone.now(), opinion.strip() or "同意"
    row.save()
    _event(document, actor, "countersign", f"{row.organization.name}：{row.opinion}")
    audit(
        actor=actor,
        action="oa.outgoing.countersign",
        target=document,
        detail={"organization": row.organization.name},
    )
    if not document.countersigns.filter(signed_at__isnull=True).exists():
        _move(document, OutgoingStep.SIGN, actor)


@transaction.atomic
def sign(*, document: OutgoingDocument, actor: Any, opinion: str = "", circled: bool = False) -> None:
    """签发: the signer's opinion, name and date (圈阅 counts as agreement). 成文日期 is the signing date, or the last
    joint issuer's 会签 date if later."""
    document = _lock(document)
    _expect(document, OutgoingStep.SIGN)
    _require(actor, SIGN, "您没有签发公文的权限。")
    if not _above_or_in(actor, document.organization):
        raise PermissionDenied("只有主办机关的负责人可以签发本文。")
    opinion = opinion.strip()
    if not opinion and not circled:
        raise ValidationError({"opinion": "请填写签发意见，或选择圈阅。"})
    if document.countersigns.filter(signed_at__isnull=True).exists():
        raise ValidationError("联合发文尚有机关未会签，不能签发。")
    now = timezone.now()
    document.signer, document.signed_at, document.circled = actor, now, circled
    document.sign_opinion = opinion or "圈阅"
    dates = [timezone.localdate(now)] + [
        timezone.localdate(c.signed_at) for c in document.countersigns.all() if c.signed_at
    ]
    document.document_date = max(dates)
    _event(document, actor, "sign", document.sign_opinion)
    audit(actor=actor, action="oa.outgoing.signoff", target=document, detail={"circled": circled})
    _move(document, OutgoingStep.RECHECK, actor)


def _office(actor: Any, document: OutgoingDocument) -> None:
    _require(actor, HANDLE, "您没有公文管理权限。")
    if not _in(actor, document.organization):
        raise PermissionDenied("只有主办机关的文书人员可以办理此环节。")


@transaction.atomic
def recheck(*, document: OutgoingDocument, actor: Any, opinion: str = "") -> None:
    """复核: 审批手续、内容、文种、格式. Substantive changes go back to the signer (return to 签发)."""
    document = _lock(document)
    _expect(document, OutgoingStep.RECHECK)
    _office(actor, document)
    if document.kind in upward_kinds() and document.signer_id is None:
        raise ValidationError(f"{UPWARD_HINT}，本文尚无签发人。")
    _event(document, actor, "recheck", opinion.strip() or "复核无误")
    audit(actor=actor, action="oa.outgoing.recheck", target=document)
    _move(document, OutgoingStep.REGISTER, actor)


@transaction.atomic
def register(*, document: OutgoingDocument, actor: Any, copies: int) -> str:
    """登记: the 发文字号 (主办机关's 代字, the issuing year, the next serial) and the number of copies printed."""
    document = _lock(document)
    _expect(document, OutgoingStep.REGISTER)
    _office(actor, document)
    if not isinstance(copies, int) or isinstance(copies, bool) or not 1 <= copies <= 100000:
        raise ValidationError({"copies": "印制份数应为 1 至 100000 的整数。"})
    if document.kind in upward_kinds() and document.signer_id is None:
        raise ValidationError(f"{UPWARD_HINT}，本文尚无签发人。")
    if document.co_issuers.exists() and document.countersigns.filter(signed_at__isnull=True).exists():
        raise ValidationError("联合发文尚有机关未会签，不能登记。")
    if document.number_serial is None:
        code = document_code(document.organization)
        if document.form == "纪要":
            code += "纪要"  # 纪要 are numbered by issue in their own sequence, not with the 发文字号
        year = timezone.localdate().year
        document.number_code, document.number_year = code, year
        document.number_serial = allocate_serial(code, year)
    document.copies = copies
    document.search_text = _search_text(document)
    _event(document, actor, "register", f"发文字号 {document.number}，印制 {copies} 份")
    audit(actor=actor, action="oa.outgoing.register", target=document, detail={"number": document.number})
    _move(document, OutgoingStep.SEAL, actor)
    return document.number


def usable_seals(document: OutgoingDocument, on: dt.date | None = None) -> QuerySet[Seal]:
    on = on or timezone.localdate()
    return Seal.objects.filter(
        organization=document.organization, is_active=True, valid_from__lte=on, valid_to__gte=on
    )


@transaction.atomic
def apply_seal(*, document: OutgoingDocument, actor: Any, seal: Seal | None) -> None:
    """用印: the issuer's seal, in force today, by the office; every use audited. A 纪要 carries no seal."""
    document = _lock(document)
    _expect(document, OutgoingStep.SEAL)
    _office(actor, document)
    today = timezone.localdate()
    if seal is None:
        if document.kind != "纪要":
            raise ValidationError({"seal": "请选择印章。"})
    else:
        if seal.organization_id != document.organization_id:
            raise ValidationError({"seal": f"“{seal.name}”不是{document.organization.name}的印章。"})
        if not seal.is_active:
            raise ValidationError({"seal": f"“{seal.name}”已停用。"})
        if not seal.valid_from <= today <= seal.valid_to:
            raise ValidationError(
                {"seal": f"“{seal.name}”的有效期为 {seal.valid_from} 至 {seal.valid_to}，今天不在有效期内。"}
            )
        from .sealing import seal_document

        document.sealed_file, document.sealed_pdf, document.sealed_pdf_signature = seal_document(
            document, seal
        )
        document.seal, document.sealed_at = seal, timezone.now()
        audit(
            actor=actor,
            action="oa.seal.use",
            target=seal,
            organization=document.organization,
            detail={"document": document.pk, "number": document.number, "seal": seal.es_id},
        )
    _event(document, actor, "seal", f"加盖“{seal.name}”" if seal else "纪要不加盖印章")
    _move(document, OutgoingStep.DISTRIBUTE, actor)


@transaction.atomic
def distribute(*, document: OutgoingDocument, actor: Any) -> list[IncomingDocument]:
    """核发: a 收文 copy for each 主送/抄送 organization on the platform, and the receiving offices told."""
    document = _lock(document)
    _expect(document, OutgoingStep.DISTRIBUTE)
    _office(actor, document)
    if document.seal_id is None and document.kind != "纪要":
        raise ValidationError("未用印的公文不能核发。")
    now = timezone.now()
    rows = []
    seen = set()
    for copy_type, orgs in (("to", document.to_orgs.all()), ("cc", document.cc_orgs.all())):
        for org in orgs:
            if org.pk in seen or org.pk == document.organization_id:
                continue
            seen.add(org.pk)
            rows.append(
                IncomingDocument(
                    organization=org,
                    source=document,
                    copy_type=copy_type,
                    delivered_at=now,
                    title=document.title,
                    kind=document.kind,
                    sender_name=" ".join(o.name for o in issuers(document)),
                    source_number=document.number,
                    secret_level=document.secret_level,
                    urgency=document.urgency,
                )
            )
    if document.secret_level:
        # 份号: each printed copy of a 涉密 document is numbered, and each recipient gets one numbered copy.
        if (document.copies or 0) < len(rows):
            raise ValidationError(
                f"涉密公文须每个收文机关一份编号的文件：印制 {document.copies or 0} 份，分送 {len(rows)} 个机关。"
            )
        for number, row in enumerate(rows, start=1):
            row.copy_number = f"{number:06d}"
    created = IncomingDocument.objects.bulk_create(rows)
    document.issued_at = now
    document.print_date = timezone.localdate(now)
    _event(document, actor, "distribute", f"核发至 {len(created)} 个机关")
    audit(actor=actor, action="oa.outgoing.distribute", target=document, detail={"to": len(created)})
    _move(document, OutgoingStep.ISSUED, actor)
    created = list(IncomingDocument.objects.filter(source=document).select_related("organization"))
    for incoming in created:
        IncomingEvent.objects.create(
            incoming=incoming, action="deliver", text=f"{document.organization.name}来文送达", at=now
        )
    transaction.on_commit(lambda: _tell_offices(created))
    return created


def _handlers(organization: Organization) -> list[Staff]:
    """The 文书 who handle ``organization``'s documents."""
    from django.contrib.auth.models import Permission

    perm = Permission.objects.get(codename="handle_documents", content_type__app_label="oa")
    return list(
        Staff.objects.filter(is_active=True, organization=office_of(organization))
        .filter(Q(groups__permissions=perm) | Q(user_permissions=perm))
        .distinct()
    )


def _tell_offices(rows: list[IncomingDocument]) -> None:
    from zhengwu.core.services.notifications import notify

    for incoming in rows:
        recipients = _handlers(incoming.organization)
        if recipients:
            urgent = f"【{incoming.urgency}】" if incoming.urgency else ""
            notify(
                recipients=recipients,
                title=f"{urgent}待签收公文：{incoming.title}",
                link=f"/admin/oa/incoming/{incoming.pk}/",
                category="oa",
                channels=("inbox",),
            )


def _earlier_steps(document: OutgoingDocument) -> list[str]:
    index = STEP_ORDER.index(document.step)
    return [s for s in STEP_ORDER[:index] if s != OutgoingStep.COUNTERSIGN or document.co_issuers.exists()]


def export_outside(*, document: OutgoingDocument, actor: Any) -> bytes:
    """The package for the 主送/抄送 organizations off the platform, once issued; never for a 涉密 document."""
    from .sealing import outside_package

    _office(actor, document)
    if document.step != OutgoingStep.ISSUED:
        raise ValidationError("公文核发后才能导出平台外分送包。")
    if document.secret_level:
        with transaction.atomic():
            audit(
                actor=actor,
                action="oa.outgoing.export_refused",
                target=document,
                detail={"secret": document.secret_level},
            )
        raise PermissionDenied("涉密公文不得通过本平台向平台外机关分送。")
    if not (document.to_outside.strip() or document.cc_outside.strip()):
        raise ValidationError("本文没有平台外的主送、抄送机关。")
    package = outside_package(document)
    with transaction.atomic():
        audit(actor=actor, action="oa.outgoing.export", target=document, detail={"bytes": len(package)})
    return package


@transaction.atomic
def return_to(*, document: OutgoingDocument, actor: Any, step: str, reason: str) -> None:
    """Send a draft back to an earlier step with a reason. Whoever may act at the current step may return it.
    Returned before 签发, the signature is cleared; before 会签, the co-signatures. A 发文字号 once allocated stays
    with the document (a number is never reused or left as a gap)."""
    document = _lock(document)
    if document.step in (OutgoingStep.DRAFT, OutgoingStep.ISSUED):
        raise ValidationError("该公文处于起草或已核发状态，不能退回。")
    if step not in _earlier_steps(document):
        raise ValidationError({"step": "只能退回到本文已经过的环节。"})
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": "请写明退回理由。"})
    if actor.pk not in {p.pk for p in current_actors(document)}:
        raise PermissionDenied("您不是本环节的办理人，不能退回。")
    order = STEP_ORDER.index
    if order(step) <= order(OutgoingStep.SIGN):
        document.signer, document.signed_at, document.sign_opinion, document.circled = None, None, "", False
        document.document_date = None
    if order(step) <= order(OutgoingStep.COUNTERSIGN):
        document.countersigns.all().delete()
    target = OutgoingStep(step).label
    _event(document, actor, "return", f"退回{target}：{reason}")
    if step == OutgoingStep.REVIEW:
        _event(document, actor, "submit", "退回后重新核稿")
    if step == OutgoingStep.COUNTERSIGN:
        Countersign.objects.bulk_create(
            [Countersign(document=document, organization=o) for o in document.co_issuers.all()]
        )
    audit(actor=actor, action="oa.outgoing.send_back", target=document, detail={"to": step, "reason": reason})
    _move(document, step, actor)


def _holders(permission: str) -> QuerySet[Staff]:
    """Active staff holding ``permission`` through a role (group), directly, or as superusers."""
    from django.contrib.auth.models import Permission

    app_label, codename = permission.split(".")
    perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
    held = Q(is_superuser=True)
    if perm is not None:
        held |= Q(groups__permissions=perm) | Q(user_permissions=perm)
    return (
        Staff.objects.filter(held, is_active=True, organization__isnull=False)
        .select_related("organization")
        .distinct()
    )


def current_actors(document: OutgoingDocument) -> list[Staff]:
    """Who may act on the document now (for the 工作台, the 待办 list and for returning it)."""
    step = document.step
    if step == OutgoingStep.DRAFT:
        return [document.drafter]
    if step == OutgoingStep.REVIEW:
        return pending_reviewers(document)
    if step == OutgoingStep.COUNTERSIGN:
        orgs = [c.organization for c in document.countersigns.filter(signed_at__isnull=True)]
        return [p for p in _holders(SIGN) if any(_in(p, o) for o in orgs)]
    if step == OutgoingStep.SIGN:
        return [p for p in _holders(SIGN) if _above_or_in(p, document.organization)]
    if step in (OutgoingStep.RECHECK, OutgoingStep.REGISTER, OutgoingStep.SEAL, OutgoingStep.DISTRIBUTE):
        return list(_holders(HANDLE).filter(organization=office_of(document.organization)))
    return []


# ---------------------------------------------------------------------------------------------------------------
# 收文
# ---------------------------------------------------------------------------------------------------------------


def _lock_in(incoming: IncomingDocument) -> IncomingDocument:
    return (
        IncomingDocument.objects.select_for_update(of=("self",))
        .select_related("organization", "source", "source__organization")
        .get(pk=incoming.pk)
    )


def _in_event(incoming: IncomingDocument, actor: Any, action: str, text: str) -> None:
    IncomingEvent.objects.create(
        incoming=incoming, action=action, actor=actor, text=text[:500], at=timezone.now()
    )


def _receiving_office(actor: Any, incoming: IncomingDocument) -> None:
    _require(actor, HANDLE, "您没有收文管理权限。")
    if not _in(actor, incoming.organization):
        raise PermissionDenied("只有收文机关的文书人员可以办理此环节。")


def _expect_in(incoming: IncomingDocument, *states: str) -> None:
    if incoming.state not in states:
        raise ValidationError(f"该收文当前为“{incoming.get_state_display()}”，不能进行此操作。")


@transaction.atomic
def receive(*, incoming: IncomingDocument, actor: Any) -> None:
    """签收: the receiving office counts, checks and signs for the document; the time is the receipt the sender sees."""
    incoming = _lock_in(incoming)
    _receiving_office(actor, incoming)
    _expect_in(incoming, IncomingState.DELIVERED)
    incoming.state, incoming.received_at, incoming.received_by = IncomingState.RECEIVED, timezone.now(), actor
    incoming.save()
    _in_event(incoming, actor, "receive", f"{actor.get_full_name()}签收")
    audit(actor=actor, action="oa.incoming.receive", target=incoming, detail={"source": incoming.source_id})


@transaction.atomic
def register_incoming(*, incoming: IncomingDocument, actor: Any) -> str:
    incoming = _lock_in(incoming)
    _receiving_office(actor, incoming)
    _expect_in(incoming, IncomingState.RECEIVED)
    code = incoming_code(incoming.organization)
    year = timezone.localdate().year
    incoming.number_code, incoming.number_year = code, year
    incoming.number_serial = allocate_serial(f"{code}#{incoming.organization_id}", year)
    incoming.state, incoming.registered_at = IncomingState.REGISTERED, timezone.now()
    incoming.save()
    _in_event(incoming, actor, "register", f"登记为 {incoming.number}")
    audit(actor=actor, action="oa.incoming.register", target=incoming, detail={"number": incoming.number})
    return incoming.number


@transaction.atomic
def return_incoming(*, incoming: IncomingDocument, actor: Any, reason: str) -> None:
    """初审 not passed: back to the sender with the reasons (not ours, 行文规则, 文种/格式, missing 会签)."""
    incoming = _lock_in(incoming)
    _receiving_office(actor, incoming)
    _expect_in(incoming, IncomingState.RECEIVED, IncomingState.REGISTERED)
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError({"reason": "请写明退回理由（不少于 4 个字）。"})
    incoming.state, incoming.return_reason = IncomingState.RETURNED, reason[:500]
    incoming.save()
    _in_event(incoming, actor, "return", f"初审退回：{reason}")
    audit(actor=actor, action="oa.incoming.send_back", target=incoming, detail={"reason": reason})
    sender = incoming.source
    if sender is None:
        return
    transaction.on_commit(
        lambda: _tell(
            [sender.drafter, *_handlers(sender.organization)],
            f"来文被退回：{sender.title}（{incoming.organization.name}：{reason[:60]}）",
            f"/admin/oa/outgoing/{sender.pk}/",
        )
    )


def _tell(people: list[Staff], title: str, link: str) -> None:
    from zhengwu.core.services.notifications import notify

    people = [p for p in {p.pk: p for p in people if p is not None and p.is_active}.values()]
    if people:
        notify(recipients=people, title=title, link=link, category="oa", channels=("inbox",))


def _readers_ok(incoming: IncomingDocument, readers: list[Staff]) -> None:
    for person in readers:
        if not person.is_active or not _in(person, incoming.organization):
            raise ValidationError(
                {"readers": f"“{person.get_full_name()}”不是{incoming.organization.name}的工作人员。"}
            )


def _start_handling_clock(incoming: IncomingDocument, actor: Any) -> None:
    urgency = incoming.urgency
    if urgency and incoming.clock_id is None:
        incoming.clock = clocks.start_clock(
            case=incoming,
            policy=f"oa-handle-{URGENCY_CODES[urgency]}",
            started_at=timezone.now(),
            organization=incoming.organization,
            label=f"收文承办：{incoming.title}",
            actor=actor,
        )
        incoming.due_at = incoming.clock.due_at


@transaction.atomic
def route(
    *,
    incoming: IncomingDocument,
    actor: Any,
    mode: str,
    readers: Iterable[Staff] = (),
    proposal: str = "",
    instructor: Staff | None = None,
) -> None:
    """承办: 阅知 documents go round the readers; 批办 documents get the office's 拟办意见 and wait for the 负责人's
    批示."""
    incoming = _lock_in(incoming)
    _receiving_office(actor, incoming)
    _expect_in(incoming, IncomingState.REGISTERED)
    readers = list(readers)
    if mode == HandlingMode.READ:
        if not readers:
            raise ValidationError({"readers": "阅知性公文请选择传阅人员。"})
        _readers_ok(incoming, readers)
        incoming.mode, incoming.state = mode, IncomingState.HANDLING
        _start_handling_clock(incoming, actor)
        incoming.save()
        _circulate(incoming, actor, readers)
        _in_event(incoming, actor, "route", "阅知，分送传阅")
    elif mode == HandlingMode.INSTRUCT:
        proposal = (proposal or "").strip()
        if len(proposal) < 2:
            raise ValidationError({"proposal": "批办性公文请填写拟办意见。"})
        if instructor is None or not (
            instructor.is_active
            and instructor.has_perm(SIGN)
            and _above_or_in(instructor, incoming.organization)
        ):
            raise ValidationError({"instructor": "请选择本机关有批示权限的负责人。"})
        incoming.mode, incoming.proposal, incoming.instructor = mode, proposal, instructor
        incoming.state = IncomingState.PROPOSED
        incoming.save()
        _in_event(incoming, actor, "propose", f"拟办意见：{proposal}")
        transaction.on_commit(
            lambda: _tell([instructor], f"待批示收文：{incoming.title}", f"/admin/oa/incoming/{incoming.pk}/")
        )
    else:
        raise ValidationError({"mode": "请选择承办方式：阅知或批办。"})
    audit(actor=actor, action="oa.incoming.route", target=incoming, detail={"mode": mode})


@transaction.atomic
def instruct(
    *,
    incoming: IncomingDocument,
    actor: Any,
    instruction: str,
    lead_unit: Organization | None = None,
    assist_units: Iterable[Organization] = (),
    readers: Iterable[Staff] = (),
) -> None:
    """负责人批示: the instruction, the 主办 unit when several take part, and the readers it goes round."""
    incoming = _lock_in(incoming)
    _expect_in(incoming, IncomingState.PROPOSED)
    _require(actor, SIGN, "您没有批示权限。")
    if incoming.instructor_id != actor.pk:
        raise PermissionDenied("本文请由拟办意见指定的负责人批示。")
    instruction = (instruction or "").strip()
    if len(instruction) < 2:
        raise ValidationError({"instruction": "请填写批示意见。"})
    assist_units = list(assist_units)
    if assist_units and lead_unit is None:
        raise ValidationError({"lead_unit": "多个单位办理时须明确主办单位。"})
    if lead_unit is not None and lead_unit in assist_units:
        raise ValidationError({"assist_units": "主办单位不能同时是协办单位。"})
    if incoming.secret_level:
        for unit in [lead_unit, *assist_units]:
            if unit is not None and not unit.is_descendant_of(incoming.organization):
                raise ValidationError({"lead_unit": "涉密公文不得分送到本机关以外的单位。"})
    readers = list(readers)
    _readers_ok(incoming, readers)
    incoming.instruction, incoming.instructed_at = instruction, timezone.now()
    incoming.lead_unit = lead_unit
    incoming.state = IncomingState.HANDLING
    _start_handling_clock(incoming, actor)
    incoming.save()
    incoming.assist_units.set(assist_units)
    if readers:
        _circulate(incoming, actor, readers)
    _in_event(incoming, actor, "instruct", f"{actor.get_full_name()}批示：{instruction}")
    audit(actor=actor, action="oa.incoming.instruct", target=incoming)


def _circulate(incoming: IncomingDocument, actor: Any, readers: list[Staff]) -> list[Circulation]:
    now = timezone.now()
    existing = set(incoming.circulations.values_list("reader_id", flat=True))
    rows = [
        Circulation(incoming=incoming, reader=p, sent_by=actor, sent_at=now)
        for p in readers
        if p.pk not in existing
    ]
    Circulation.objects.bulk_create(rows)
    if rows:
        _in_event(incoming, actor, "circulate", "送阅：" + "、".join(r.reader.get_full_name() for r in rows))
        transaction.on_commit(
            lambda: _tell(
                [r.reader for r in rows],
                f"请阅：{incoming.title}",
                f"/admin/oa/incoming/{incoming.pk}/",
            )
        )
    return rows


@transaction.atomic
def circulate(*, incoming: IncomingDocument, actor: Any, readers: Iterable[Staff]) -> int:
    incoming = _lock_in(incoming)
    _receiving_office(actor, incoming)
    _expect_in(incoming, IncomingState.HANDLING)
    readers = list(readers)
    if not readers:
        raise ValidationError({"readers": "请选择传阅人员。"})
    _readers_ok(incoming, readers)
    rows = _circulate(incoming, actor, readers)
    if not rows:
        raise ValidationError({"readers": "所选人员都已在传阅名单中。"})
    audit(actor=actor, action="oa.incoming.circulate", target=incoming, detail={"readers": len(rows)})
    return len(rows)


@transaction.atomic
def mark_read(*, incoming: IncomingDocument, actor: Any, comment: str = "") -> None:
    row = Circulation.objects.select_for_update().filter(incoming=incoming, reader=actor).first()
    if row is None:
        raise PermissionDenied("本文没有送您传阅。")
    if row.read_at is not None:
        raise ValidationError("您已阅毕本文。")
    row.read_at, row.comment = timezone.now(), (comment or "").strip()[:500]
    row.save()
    _in_event(
        incoming, actor, "read", f"{actor.get_full_name()}阅毕" + (f"：{row.comment}" if row.comment else "")
    )
    audit(actor=actor, action="oa.incoming.read_through", target=incoming)


@transaction.atomic
def urge(
    *, incoming: IncomingDocument, actor: Any | None, note: str = "", at: dt.datetime | None = None
) -> None:
    """催办: by the office (manual), or by the system for an urgent document past its 办理时限."""
    incoming = _lock_in(incoming)
    if actor is not None:
        _receiving_office(actor, incoming)
    _expect_in(incoming, IncomingState.HANDLING, IncomingState.PROPOSED)
    incoming.urge_count += 1
    incoming.save(update_fields=["urge_count"])
    who = actor.get_full_name() if actor is not None else "系统"
    IncomingEvent.objects.create(
        incoming=incoming,
        action="urge",
        actor=actor,
        text=(f"{who}催办" + (f"：{note.strip()}" if note.strip() else ""))[:500],
        at=at or timezone.now(),
    )
    audit(actor=actor, action="oa.incoming.chase", target=incoming, organization=incoming.organization)
    people: list[Staff] = [c.reader for c in incoming.circulations.filter(read_at__isnull=True)]
    if incoming.state == IncomingState.PROPOSED and incoming.instructor:
        people.append(incoming.instructor)
    if incoming.lead_unit:
        people += _handlers(incoming.lead_unit)
    transaction.on_commit(
        lambda: _tell(people, f"催办：{incoming.title}", f"/admin/oa/incoming/{incoming.pk}/")
    )


def urge_overdue(now: dt.datetime | None = None) -> int:
    """The automatic 催办 of urgent documents past their 办理时限, once per day each."""
    now = now or timezone.now()
    count = 0
    for incoming in IncomingDocument.objects.filter(
        state__in=[IncomingState.HANDLING, IncomingState.PROPOSED], due_at__lt=now
    ):
        last = incoming.events.filter(action="urge", actor__isnull=True).order_by("-at").first()
        if last is not None and now - last.at < dt.timedelta(days=1):
            continue
        urge(incoming=incoming, actor=None, note="已超过办理时限", at=now)
        count += 1
    return count


@transaction.atomic
def reply(*, incoming: IncomingDocument, actor: Any, text: str) -> None:
    """答复 and 办结: by the receiving office or the 主办 unit; the clock stops and the sender sees the answer."""
    incoming = _lock_in(incoming)
    _expect_in(incoming, IncomingState.HANDLING)
    _require(actor, HANDLE, "您没有收文办理权限。")
    if not (_in(actor, incoming.organization) or (incoming.lead_unit and _in(actor, incoming.lead_unit))):
        raise PermissionDenied("只有收文机关或主办单位可以答复。")
    text = (text or "").strip()
    if len(text) < 2:
        raise ValidationError({"text": "请填写办理结果或答复意见。"})
    now = timezone.now()
    incoming.reply, incoming.replied_at, incoming.done_at = text, now, now
    incoming.state = IncomingState.DONE
    if incoming.clock_id and incoming.clock.state != "stopped":
        clocks.stop_clock(clock=incoming.clock, at=now, actor=actor)
    incoming.save()
    _in_event(incoming, actor, "reply", f"办结：{text}")
    audit(actor=actor, action="oa.incoming.reply", target=incoming)
    sender = incoming.source
    if sender is None:
        return
    transaction.on_commit(
        lambda: _tell(
            [sender.drafter],
            f"{incoming.organization.name}已办结来文：{sender.title}",
            f"/admin/oa/outgoing/{sender.pk}/",
        )
    )


@transaction.atomic
def archive(*, incoming: IncomingDocument, actor: Any) -> None:
    incoming = _lock_in(incoming)
    _receiving_office(actor, incoming)
    _expect_in(incoming, IncomingState.DONE, IncomingState.RETURNED)
    incoming.state, incoming.archived_at = IncomingState.ARCHIVED, timezone.now()
    incoming.save()
    _in_event(incoming, actor, "archive", "归档")
    audit(actor=actor, action="oa.incoming.archive", target=incoming)


def forward(*, incoming: IncomingDocument, actor: Any, organization: Organization) -> None:
    """A received document is not passed on to another organization through the exchange; a 涉密 one never leaves
    its 分送范围. (Forwarding an ordinary one is 转发, a new 发文 of this organization.)"""
    if incoming.secret_level:
        audit(
            actor=actor,
            action="oa.incoming.forward_refused",
            target=incoming,
            detail={"to": organization.name, "secret": incoming.secret_level},
        )
        raise PermissionDenied(
            f"涉密公文（{incoming.secret_level}）不得发送到分送范围以外的机关“{organization.name}”。"
        )
    raise ValidationError("收到的公文不能直接转送；如需转发，请以本机关名义起草转发通知。")


def search(qs: QuerySet[OutgoingDocument], query: str) -> QuerySet[OutgoingDocument]:
    """Documents whose title, 文种, 发文字号, body or attachments contain every word of ``query`` (Chinese text is
    matched as written: a word is found inside longer words). ``qs`` is already limited to what the user may see."""
    for term in query.split()[:8]:
        qs = qs.filter(search_text__icontains=term)
    return qs


EXTERNAL_KINDS = ("pdf", "ofd", "docx")


def register_external(
    *,
    actor: Any,
    title: str,
    sender_name: str,
    kind: str,
    upload: Any,
    source_number: str = "",
    secret_level: str = "",
    urgency: str = "",
    organization: Organization | None = None,
) -> IncomingDocument:
    """A document received off the platform, registered by the receiving office with its file. The file must be
    what its name says (a PDF, an OFD, a DOCX by content), and a signed OFD must pass verification: a file that
    is not what it claims, or a tampered seal, is refused and the refusal audited."""
    from zhengwu.core.services.uploads import check_upload

    _require(actor, HANDLE, "您没有收文管理权限。")
    organization = organization or getattr(actor, "organization", None)
    if organization is None or not _in(actor, organization):
        raise PermissionDenied("只能为本机关登记来文。")
    errors: dict[str, str] = {}
    title, sender_name = (title or "").strip(), (sender_name or "").strip()
    source_number = (source_number or "").strip()
    if not title:
        errors["title"] = "请填写标题。"
    if not sender_name:
        errors["sender_name"] = "请填写来文机关。"
    if kind not in dict(OutgoingDocument._meta.get_field("kind").choices):
        errors["kind"] = "请选择文种。"
    if secret_level not in ("", "秘密", "机密", "绝密"):
        errors["secret_level"] = "密级应为 秘密、机密 或 绝密。"
    if urgency not in ("", "特急", "加急"):
        errors["urgency"] = "紧急程度应为 特急 或 加急。"
    if source_number and not NUMBER_RE.match(source_number):
        errors["source_number"] = (
            f"来文字号“{source_number}”不合规范，应如“国发〔2026〕6号”（六角括号、四位年份、序号不编虚位）。"
        )
    if errors:
        raise ValidationError(errors)

    def refuse(message: str) -> None:
        with transaction.atomic():
            audit(
                actor=actor,
                action="oa.incoming.upload_refused",
                detail={"file": getattr(upload, "name", ""), "reason": message, "title": title},
                organization=organization,
            )
        raise ValidationError({"file": message})

    try:
        checked = check_upload(upload, allowed=EXTERNAL_KINDS)
    except ValidationError as error:
        refuse(" ".join(error.messages))
    if checked.kind == "ofd":
        from .verify import verify_ofd

        upload.seek(0)
        content = upload.read()
        upload.seek(0)
        if b"Signatures" in content or b"Signs/" in content:
            result = verify_ofd(content)
            if not result["valid"]:
                failed = "；".join(c["detail"] for c in result["checks"] if not c["ok"])
                refuse(f"OFD 文件的电子签章验证未通过：{failed}")
    with transaction.atomic():
        now = timezone.now()
        incoming = IncomingDocument(
            organization=organization,
            copy_type="ext",
            title=title,
            kind=kind,
            sender_name=sender_name,
            source_number=source_number,
            secret_level=secret_level,
            urgency=urgency,
            delivered_at=now,
            received_at=now,
            received_by=actor,
            state=IncomingState.RECEIVED,
            file_name=checked.display_name,
        )
        incoming.file.save(checked.storage_name.rsplit("/", 1)[-1], upload, save=False)
        incoming.save()
        _in_event(
            incoming, actor, "receive", f"{actor.get_full_name()}登记平台外来文（{checked.display_name}）"
        )
        audit(
            actor=actor,
            action="oa.incoming.receive",
            target=incoming,
            detail={"external": True, "file": checked.kind},
        )
    return incoming
