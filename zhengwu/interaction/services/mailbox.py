"""书记/县长/部门信箱: mailboxes, letters from the public, screening (有效 / 不予受理), and the handling on core's
dispatch engine — assignment to a department, its reply, review and release by the mailbox office, the writer's
rating, 办结, 督办 of overdue letters — and publication in 来信选登 with personal data masked.

Who may do what: the mailbox office (``interaction.handle_letters`` with ``core.dispatch_cases``, members of the
mailbox's organization or above) screens, assigns, releases and finishes; departments sign and reply through the
engine (``core.handle_assignment``, their own assignments only); supervisors (``core.supervise_cases``) urge.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from zhengwu.core.models import Organization, Staff
from zhengwu.core.models.dispatch import DispatchState, Rating, ReplyState
from zhengwu.core.services import dispatch as engine
from zhengwu.core.services.audit import audit
from zhengwu.core.services.clock import ClockEngine, ClockInputs, format_moment, load_clock_policies
from zhengwu.core.services.notifications import SMS, notify

from ..masking import mask_name, mask_numbers, mask_phone
from ..models import Letter, LetterAttachment, LetterOrigin, Mailbox, RefusalReason, Screening
from ..rules import load, rules_path

HANDLE_LETTERS = "interaction.handle_letters"
ATTACHMENT_KINDS = ("jpg", "png", "pdf", "doc", "docx")
MAX_ATTACHMENTS = 3
CASE_TYPE = "mailbox"


# -- rules -------------------------------------------------------------------------------------------------------


@transaction.atomic
def load_mailbox_rules(*, actor: Any = None) -> int:
    """Clock policies, dispatch limits and refusal reasons of the rules file; reasons an administrator edited
    keep their text."""
    data = load("mailbox")
    written = load_clock_policies(rules_path("mailbox"), actor=actor)
    written += engine.load_dispatch_limits(case_type=CASE_TYPE, rows=data["limits"], actor=actor)
    for order, row in enumerate(data["refusals"], start=1):
        _reason, created = RefusalReason.objects.get_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "text": row["text"],
                "source": row.get("source", ""),
                "sort_order": order,
            },
        )
        written += int(created)
    return written


# -- mailboxes ---------------------------------------------------------------------------------------------------

_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,29}$")


@transaction.atomic
def create_mailbox(
    *, code: str, name: str, organization: Organization, actor: Any = None, **fields: Any
) -> Mailbox:
    code = (code or "").strip().lower()
    name = " ".join((name or "").split())
    if not _CODE.match(code):
        raise ValidationError({"code": f"信箱代码“{code}”无效：2 至 30 个小写字母、数字或连字符。"})
    if Mailbox.objects.filter(code=code).exists():
        raise ValidationError({"code": f"信箱代码“{code}”已被使用。"})
    if not 2 <= len(name) <= 40:
        raise ValidationError({"name": "信箱名称应为 2 至 40 个字。"})
    if organization is None or not organization.is_active:
        raise ValidationError({"organization": "请选择一个在用的单位。"})
    mailbox = Mailbox(code=code, name=name, organization=organization, **fields)
    mailbox.full_clean()
    mailbox.save()
    audit(
        actor=actor,
        action="interaction.mailbox.create",
        target=mailbox,
        organization=organization,
        detail={"code": code, "name": name},
    )
    return mailbox


# -- the letter's own limit ----------------------------------------------------------------------------------------


def reply_due(
    mailbox: Mailbox, kind: str, received_at: dt.datetime, *, clock: ClockEngine | None = None
) -> dt.datetime:
    """The reply's due moment: the mailbox's working days for the kind, counted from receipt on the core clock."""
    clock = clock or ClockEngine()
    result = clock.compute(
        ClockInputs(
            started_at=received_at,
            limit_value=mailbox.deadline_for(kind),
            limit_unit="workdays",
            warn_before=1,
            basis=f"{mailbox.name}{kind}类来信答复时限",
        )
    )
    return result.due_at


def letter_overdue(letter: Letter, at: dt.datetime) -> list[str]:
    """The engine's ``overdue_of`` hook: a letter not yet answered past its limit from receipt."""
    if letter.released_at is None and letter.reply_due_at is not None and at > letter.reply_due_at:
        return [f"超过答复期限（{format_moment(letter.reply_due_at)}）"]
    return []


# -- what the writer types -----------------------------------------------------------------------------------------

_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!]|javascript\s*:|\bon[a-z]+\s*=|&#|&lt;\s*script", re.IGNORECASE)
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def meaningful_length(text: str) -> int:
    """Characters that carry words: letters (汉字 included) and digits; emoji, symbols and spaces do not count."""
    return sum(1 for ch in text if unicodedata.category(ch)[0] in ("L", "N"))


def check_text(value: str, *, label: str, minimum: int, maximum: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(f"请填写{label}。")
    if _MARKUP.search(value):
        raise ValidationError(f"{label}中不能含有网页代码或脚本（如 < > 标签），请改为纯文字。")
    if meaningful_length(value) == 0:
        raise ValidationError(f"{label}不能只有表情或符号，请用文字写明。")
    if len(value) > maximum:
        raise ValidationError(f"{label}不能超过 {maximum} 字（当前 {len(value)} 字）。")
    if meaningful_length(value) < minimum:
        raise ValidationError(f"{label}至少 {minimum} 个字（表情和符号不计）。")
    return value


def check_writer(name: str, phone: str) -> tuple[str, str]:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"writer_name": "请填写真实姓名。"})
    if (
        _MARKUP.search(name)
        or not 2 <= len(name) <= 20
        or meaningful_length(name) < len(name.replace("·", "").replace(" ", ""))
    ):
        raise ValidationError({"writer_name": "请填写真实姓名（2 至 20 个字，不含符号）。"})
    phone = re.sub(r"[\s]", "", phone or "")
    if not _PHONE.match(phone):
        raise ValidationError({"writer_phone": "请填写有效的联系电话（11 位手机号码或带区号的固定电话）。"})
    return name, phone


# -- submission ----------------------------------------------------------------------------------------------------


def office_staff(mailbox: Mailbox) -> list[Staff]:
    """Active staff who handle the mailbox's letters: the permission, in the mailbox's organization."""
    return [
        s
        for s in Staff.objects.filter(organization=mailbox.organization, is_active=True)
        if s.has_perm(HANDLE_LETTERS)
    ]


@transaction.atomic
def submit_letter(
    *,
    mailbox: Mailbox,
    kind: str,
    title: str,
    body: str,
    writer_name: str,
    writer_phone: str,
    public_consent: bool,
    attachments: Iterable[Any] = (),
    ip_address: str | None = None,
    at: dt.datetime | None = None,
) -> Letter:
    """Store a letter as 待审查 with a tracking number and query code (``letter.query_code``, shown once); the
    mailbox office is told after the commit."""
    from zhengwu.core.services.numbering import issue_query_code, issue_tracking_number, tracking_prefix
    from zhengwu.core.services.uploads import check_upload

    if not mailbox.is_active:
        raise ValidationError("该信箱已停用。")
    errors: dict[str, list[str]] = {}
    if kind not in (mailbox.kinds or []):
        errors["kind"] = [f"请选择来信类型（{'、'.join(mailbox.kinds)}）。"]
    for field, value, label, lo, hi in (
        ("title", title, "标题", mailbox.title_min, mailbox.title_max),
        ("body", body, "来信内容", mailbox.body_min, mailbox.body_max),
    ):
        try:
            check_text(value, label=label, minimum=lo, maximum=hi)
        except ValidationError as exc:
            errors[field] = exc.messages
    try:
        writer_name, writer_phone = check_writer(writer_name, writer_phone)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors[field] = messages
    checked = []
    files = list(attachments or ())
    if len(files) > MAX_ATTACHMENTS:
        errors["attachments"] = [f"附件最多 {MAX_ATTACHMENTS} 个。"]
    else:
        for upload in files:
            try:
                checked.append(check_upload(upload, allowed=ATTACHMENT_KINDS))
            except ValidationError as exc:
                errors.setdefault("attachments", []).extend(
                    f"{getattr(upload, 'name', '')}：{m}" for m in exc.messages
                )
    if errors:
        raise ValidationError(errors)
    title, body = title.strip(), body.strip()
    repeated = Letter.objects.filter(
        mailbox=mailbox, writer_phone=writer_phone, title=title, finished_at__isnull=True
    ).exclude(screening=Screening.REFUSED)
    if repeated.exists():
        raise ValidationError(
            "您已提交过标题相同的来信，正在办理中，请勿重复提交；可凭信件编号和查询码查询办理进展。",
            code="duplicate",
        )
    at = at or timezone.now()
    code, code_hash = issue_query_code()
    letter = Letter.objects.create(
        mailbox=mailbox,
        tracking_number=issue_tracking_number(prefix=tracking_prefix("mailbox", default="XX")),
        query_code_hash=code_hash,
        origin=LetterOrigin.WEB,
        received_at=at,
        kind=kind,
        title=title,
        body=body,
        writer_name=writer_name,
        writer_phone=writer_phone,
        public_consent=bool(public_consent),
        ip_address=ip_address or None,
        reply_due_at=reply_due(mailbox, kind, at),
    )
    for item in checked:
        attachment = LetterAttachment(letter=letter, name=item.display_name, size=item.size, kind=item.kind)
        attachment.file.save(item.storage_name.rsplit("/", 1)[-1], item.file, save=False)
        attachment.save()
    letter.query_code = code
    engine._event(letter, "received", f"收到来信（{mailbox.name}，{kind}），待审查。", actor=None, at=at)
    audit(
        actor=None,
        action="interaction.letter.submit",
        target=letter,
        organization=mailbox.organization,
        detail={"mailbox": mailbox.code, "tracking_number": letter.tracking_number, "kind": kind},
    )
    recipients = office_staff(mailbox)
    if recipients:
        number, name = letter.tracking_number, mailbox.name
        transaction.on_commit(
            lambda: notify(
                recipients=recipients,
                title=f"{name}收到来信 {number}，待审查",
                body=title[:100],
                link=letter_admin_url(letter),
                category="mailbox",
                channels=("inbox",),
            ),
            robust=True,
        )
    return letter


def letter_admin_url(letter: Letter) -> str:
    return f"/admin/mailbox/letters/{letter.pk}/"


# -- the office ----------------------------------------------------------------------------------------------------


def _require_office(actor: Any, letter: Letter, what: str) -> None:
    if actor is None:
        return
    if not getattr(actor, "is_active", False) or not actor.has_perm(HANDLE_LETTERS):
        raise PermissionDenied(f"您没有{what}的权限。")
    if actor.is_superuser:
        return
    own = getattr(actor, "organization", None)
    if own is None or not letter.mailbox.organization.path.startswith(own.path):
        raise PermissionDenied(f"您不是{letter.mailbox.name}的办理人员，不能{what}。")


def _lock(letter: Letter) -> Letter:
    locked = (
        Letter.objects.select_for_update()
        .select_related("mailbox__organization")
        .filter(pk=letter.pk)
        .first()
    )
    if locked is None:
        raise ValidationError("该来信不存在。")
    return locked


def _tell_writer(letter: Letter, title: str, body: str) -> None:
    from zhengwu.core.sms import normalize_mobile

    try:
        phone = normalize_mobile(letter.writer_phone)
    except ValidationError:
        return  # a landline: no SMS

    def send() -> None:
        try:
            with transaction.atomic():
                notify(title=title, body=body, phone=phone, channels=(SMS,), category="mailbox")
        except ValidationError:
            pass

    transaction.on_commit(send, robust=True)


@transaction.atomic
def screen_letter(
    *,
    letter: Letter,
    valid: bool,
    actor: Any,
    reason: RefusalReason | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Letter:
    """审查: 有效 (it waits for assignment) or 不予受理 with a stated reason, sent to the writer."""
    _require_office(actor, letter, "审查来信")
    locked = _lock(letter)
    if locked.screening != Screening.PENDING:
        raise ValidationError(f"该来信已审查（{locked.get_screening_display()}）。")
    at = engine._moment(at, after=locked.received_at, what="审查时间")
    note = " ".join((note or "").split())
    locked.screened_at = at
    locked.screened_by = actor if getattr(actor, "pk", None) else None
    if valid:
        locked.screening = Screening.VALID
        text = "审查：有效，待交办。"
    else:
        if reason is None or not reason.is_active:
            raise ValidationError({"reason": "不予受理的，请选择理由。"})
        locked.screening = Screening.REFUSED
        locked.refusal = reason
        locked.refusal_text = reason.text + (f"\n{note}" if note else "")
        text = f"审查：不予受理（{reason.name}）。"
        _tell_writer(
            locked,
            "您的来信不予受理",
            f"【{locked.mailbox.name}】您的来信（编号{locked.tracking_number}）不予受理：{locked.refusal_text[:300]}",
        )
    locked.save()
    engine._event(locked, "screen", text, actor=actor, at=at)
    audit(
        actor=actor,
        action="interaction.letter.screen",
        target=locked,
        organization=locked.mailbox.organization,
        detail={"valid": valid, "reason": reason.code if reason else "", "note": note},
    )
    return locked


@transaction.atomic
def assign_letter(
    *, letter: Letter, unit: Organization, actor: Any, instructions: str = "", at: dt.datetime | None = None
) -> Any:
    """交办 a valid letter to a department on the dispatch engine (签收 and 办理 clocks start there)."""
    _require_office(actor, letter, "交办来信")
    locked = _lock(letter)
    if locked.screening != Screening.VALID:
        raise ValidationError("请先审查为有效，再交办。")
    return engine.dispatch_case(case=locked, unit=unit, actor=actor, instructions=instructions, at=at)


def pending_reply(letter: Letter):
    """The department's reply waiting for the office's review, if any."""
    from zhengwu.core.models import CaseReply

    return (
        CaseReply.objects.filter(
            content_type=engine._content_type(letter), object_id=letter.pk, state=ReplyState.PENDING
        )
        .order_by("-replied_at")
        .first()
    )


def clean_for_publication(letter: Letter, text: str) -> str:
    """Text as published: the writer's name and phone, and any phone or 身份证 number, masked."""
    text = text or ""
    if letter.writer_phone:
        text = text.replace(letter.writer_phone, mask_phone(letter.writer_phone))
    if letter.writer_name and len(letter.writer_name) >= 2:
        text = text.replace(letter.writer_name, mask_name(letter.writer_name))
    return mask_numbers(text)


@transaction.atomic
def release_reply(
    *,
    letter: Letter,
    actor: Any,
    publish: bool = False,
    published_title: str = "",
    published_body: str = "",
    at: dt.datetime | None = None,
) -> Letter:
    """The office reviews the department's reply and releases it to the writer (the engine's review, accepted);
    with the writer's 同意公开 it may be published in 来信选登, with the text the reviewer cleaned."""
    _require_office(actor, letter, "审核发布答复")
    reply = pending_reply(letter)
    if reply is None:
        raise ValidationError("该来信没有待审核的答复。")
    if publish and not letter.public_consent:
        raise ValidationError({"publish": "来信人未同意公开，不能选登。"})
    if publish:
        published_title = " ".join((published_title or letter.title).split())
        published_body = (published_body or "").strip()
        if not published_body:
            raise ValidationError({"published_body": "请填写公开内容（去除来信人个人信息后的来信内容）。"})
    engine.review_reply(reply=reply, accept=True, actor=actor, at=at)
    locked = _lock(letter)
    locked.released_at = engine._moment(at, after=reply.replied_at, what="发布时间")
    if publish:
        locked.published = True
        locked.published_title = clean_for_publication(locked, published_title)[:200]
        locked.published_body = clean_for_publication(locked, published_body)
        locked.published_reply = clean_for_publication(locked, locked.public_reply)
        locked.published_at = locked.released_at
    locked.save()
    _tell_writer(
        locked,
        "您的来信已答复",
        f"【{locked.mailbox.name}】您的来信（编号{locked.tracking_number}）已答复，请凭编号和查询码查看答复并评价。",
    )
    engine._event(
        locked,
        "release",
        "答复已发布，告知来信人。" + ("已选登公开。" if publish else ""),
        actor=actor,
        at=locked.released_at,
    )
    return locked


@transaction.atomic
def send_back_reply(*, letter: Letter, note: str, actor: Any, at: dt.datetime | None = None) -> Any:
    _require_office(actor, letter, "退回答复")
    reply = pending_reply(letter)
    if reply is None:
        raise ValidationError("该来信没有待审核的答复。")
    return engine.review_reply(reply=reply, accept=False, note=note, actor=actor, at=at)


@transaction.atomic
def rate_letter(*, letter: Letter, rating: str, at: dt.datetime | None = None) -> Letter:
    """The writer rates the released reply (满意/基本满意/不满意) on the status page; the letter is then 办结."""
    locked = _lock(letter)
    if locked.released_at is None or locked.dispatch_state != DispatchState.CALLBACK:
        raise ValidationError("答复发布后才能评价，或您已评价过。")
    if rating not in Rating.values:
        raise ValidationError({"rating": "请选择满意、基本满意或不满意。"})
    engine.record_callback(case=locked, rating=rating, actor=None, note="来信人评价", at=at)
    engine.finish_case(case=locked, actor=None, at=at)
    locked = _lock(letter)
    locked.rated_at = locked.finished_at
    locked.save(update_fields=["rated_at"])
    return locked


@transaction.atomic
def finish_letter(*, letter: Letter, actor: Any, at: dt.datetime | None = None) -> Letter:
    """办结 without a rating (the writer did not rate)."""
    _require_office(actor, letter, "办结")
    engine.finish_case(case=letter, actor=actor, at=at)
    return _lock(letter)


def urge_letter(*, letter: Letter, actor: Any, note: str = "", at: dt.datetime | None = None) -> Letter:
    """督办 of an overdue letter on the engine: the units' handlers and their heads (领导) are told."""
    return engine.urge_case(case=letter, note=note, actor=actor, at=at)


# -- engine hooks --------------------------------------------------------------------------------------------------


def on_letter_event(letter: Letter, kind: str, details: dict[str, Any]) -> None:
    """After the commit of an engine action: tell the writer when the letter has gone to a department."""
    if kind == "dispatched" and details.get("role") == "lead" and letter.lead_unit_id:
        from zhengwu.core.sms import normalize_mobile

        try:
            phone = normalize_mobile(letter.writer_phone)
            with transaction.atomic():
                notify(
                    title="您的来信已交办",
                    body=f"【{letter.mailbox.name}】您的来信（编号{letter.tracking_number}）已交{letter.lead_unit.name}办理。",
                    phone=phone,
                    channels=(SMS,),
                    category="mailbox",
                )
        except ValidationError:
            pass
