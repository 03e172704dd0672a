"""依申请公开 requests on the core case clock (条例第二十九条至第四十二条).

States: 待确认收到 (an online application until both sides confirm, Art. 31) → 办理中 → optional 待补正 (the clock
pauses and restarts from the corrected application, Art. 30), 征求意见中 (paused, continues afterwards, Art. 32/34),
待缴费 (paused when the county says so, fee rules) → 已答复 with exactly one table 三 outcome.

Every action takes the date it happened (staff often record a letter signed for yesterday); dates before receipt,
in the future, or out of order are refused with a Chinese message and nothing is written. Each action writes a
timeline event, an audit row and, where the law requires a written notice, a 告知书; the applicant is told after the
commit.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhengwu.core.confidentiality import id_number_is_valid
from zhengwu.core.models import CaseClock, ClockPolicy, Organization
from zhengwu.core.models.clock import ClockStatus, PauseMode
from zhengwu.core.selectors.calendar import get_work_calendar
from zhengwu.core.services.audit import audit
from zhengwu.core.services.clock import (
    as_aware,
    extend_clock,
    local_date,
    pause_clock,
    resume_clock,
    start_clock,
    stop_clock,
)
from zhengwu.core.services.notifications import notify
from zhengwu.core.services.numbering import (
    issue_query_code,
    issue_tracking_number,
    normalize_tracking_number,
    tracking_prefix,
    validate_tracking_number,
)
from zhengwu.core.sms import is_mobile, normalize_mobile
from zhengwu.core.validators import validate_credit_code

from ..models import (
    Consultation,
    DisclosureRequest,
    DisclosureSettings,
    EventKind,
    FeeNotice,
    LetterKind,
    NoticeLetter,
    RequestEvent,
    RequestOrigin,
    RequestState,
)
from ..rules import applicant_kinds, channels, consultation_kinds, load, outcome_by_code
from ..selectors.routing import recipients_for, route_for
from . import fees
from .letters import format_day, issue_letter, sentence_body, template_for_outcome, wants_email_delivery

REPLY_POLICY = "disclosure-reply"
CORRECTION_NOTICE_POLICY = "disclosure-correction-notice"
CORRECTION_REPLY_POLICY = "disclosure-correction-reply"
FEE_POLICY = "disclosure-fee-payment"
TRACKING_KIND = "disclosure_request"
DEFAULT_PREFIX = "YSQ"
APPROVE_EXTENSION = "disclosure.approve_extension"

_PHONE = re.compile(r"^[0-9+\-（）() ]{7,20}$")


# -- applicant data ----------------------------------------------------------------------------------------------


@dataclass
class Application:
    """What an applicant supplies (Art. 29): who, how to reach them, what information, in which form."""

    applicant_kind: str
    applicant_name: str
    id_type: str
    id_number: str
    description: str
    phone: str = ""
    email: str = ""
    address: str = ""
    postal_code: str = ""
    legal_representative: str = ""
    contact_name: str = ""
    document_hint: str = ""
    wanted_form: str = ""
    delivery: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def cleaned(self) -> dict[str, Any]:
        """The fields as stored, or ``ValidationError`` with a message per field."""
        errors: dict[str, list[str]] = {}

        def fail(name: str, message: str) -> None:
            errors.setdefault(name, []).append(message)

        values = {
            name: " ".join(str(getattr(self, name) or "").split())
            for name in (
                "applicant_kind",
                "applicant_name",
                "id_type",
                "id_number",
                "phone",
                "email",
                "address",
                "postal_code",
                "legal_representative",
                "contact_name",
                "document_hint",
                "wanted_form",
                "delivery",
            )
        }
        values["description"] = (self.description or "").strip()
        kinds = {kind.code: kind for kind in applicant_kinds()}
        kind = kinds.get(values["applicant_kind"])
        if kind is None:
            fail("applicant_kind", "请选择申请人类型。")
        if not values["applicant_name"]:
            fail("applicant_name", "请填写申请人姓名或名称。")
        id_groups = load("requests")["id_types"]
        if kind is not None:
            group = id_groups["legal_person" if kind.legal_person else "natural_person"]
            if values["id_type"] not in {item["code"] for item in group}:
                fail("id_type", "请选择与申请人类型相符的证件类型。")
            if kind.legal_person and not values["contact_name"]:
                fail("contact_name", "法人或其他组织申请的，请填写联系人。")
        number = values["id_number"].upper()
        values["id_number"] = number
        if not number:
            fail("id_number", "请填写证件号码。")
        elif values["id_type"] == "resident_id" and not id_number_is_valid(number):
            fail("id_number", "居民身份证号码不正确，请核对（18 位，最后一位为校验码）。")
        elif values["id_type"] == "credit_code":
            try:
                validate_credit_code(number)
            except ValidationError as exc:
                fail("id_number", exc.messages[0])
        if not (values["phone"] or values["email"] or values["address"]):
            fail("phone", "请至少填写联系电话、电子邮箱或通信地址中的一项，以便送达答复。")
        if values["phone"] and not _PHONE.match(values["phone"]):
            fail("phone", "联系电话格式不正确。")
        if values["email"]:
            try:
                validate_email(values["email"])
            except ValidationError:
                fail("email", "电子邮箱格式不正确。")
        if values["postal_code"] and not re.fullmatch(r"\d{6}", values["postal_code"]):
            fail("postal_code", "邮政编码应为 6 位数字。")
        if len(values["description"]) < 5:
            fail("description", "请描述所需政府信息的名称、文号或者便于查询的其他特征（至少 5 个字）。")
        if len(values["description"]) > 2000:
            fail("description", "所需信息描述不能超过 2000 字。")
        for name, key in (("wanted_form", "wanted_forms"), ("delivery", "deliveries")):
            if values[name] and values[name] not in {item["code"] for item in load("requests")[key]}:
                fail(name, "请从列表中选择。")
        for name in ("applicant_name", "address", "document_hint"):
            limit = DisclosureRequest._meta.get_field(name).max_length
            if len(values[name]) > limit:
                fail(name, f"不能超过 {limit} 个字。")
        if errors:
            raise ValidationError(errors)
        return values


@dataclass(frozen=True)
class IssuedRequest:
    """A new request and its query code, shown to the person once (only a hash is stored)."""

    request: DisclosureRequest
    query_code: str


# -- helpers -----------------------------------------------------------------------------------------------------


def _policy(code: str) -> ClockPolicy:
    policy = ClockPolicy.objects.filter(code=code).first()
    if policy is None:
        raise ValidationError(f"时限规则“{code}”尚未加载，请先运行安装步骤（zhengwu setup）。")
    return policy


def _today() -> dt.date:
    return timezone.localdate()


def _check_day(day: Any, what: str, *, not_before: dt.date | None = None, before_label: str = "") -> dt.date:
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise ValidationError(f"请填写{what}。")
    if day > _today():
        raise ValidationError(f"{what}（{format_day(day)}）不能晚于今天。")
    if not_before is not None and day < not_before:
        raise ValidationError(
            f"{what}（{format_day(day)}）不能早于{before_label}（{format_day(not_before)}）。"
        )
    return day


def _moment(day: dt.date) -> dt.datetime:
    """Day-based actions are put at the start of their day, so that all of one day's actions order correctly."""
    return as_aware(day)


def _last_event_day(request: DisclosureRequest) -> dt.date | None:
    return request.events.order_by("-on", "-pk").values_list("on", flat=True).first()


def _check_after_last(request: DisclosureRequest, day: dt.date, what: str) -> None:
    last = _last_event_day(request)
    if last is not None and day < last:
        raise ValidationError(
            f"{what}（{format_day(day)}）不能早于上一个办理环节的日期（{format_day(last)}）。"
        )


def _lock(request: DisclosureRequest) -> DisclosureRequest:
    locked = DisclosureRequest.objects.select_for_update().filter(pk=request.pk).first()
    if locked is None:
        raise ValidationError("该申请不存在或已被删除。")
    return locked


def _sync_due(request: DisclosureRequest, clock: CaseClock) -> None:
    """Copy what the clock computed onto the request (lists, exports and reports read it there)."""
    request.due_on = local_date(clock.due_at) if clock.due_at else None
    request.due_explanation = clock.explanation
    request.extended_days = sum(clock.extensions.values_list("value", flat=True))


def _event(
    request: DisclosureRequest, kind: str, on: dt.date, actor: Any, *, days=None, note=""
) -> RequestEvent:
    return RequestEvent.objects.create(request=request, kind=kind, on=on, days=days, note=note, actor=actor)


def _audit(
    request: DisclosureRequest, action: str, actor: Any, detail: dict[str, Any], http_request=None
) -> None:
    audit(
        actor=actor,
        action=f"disclosure.request.{action}",
        target=request,
        organization=request.organization,
        detail={"tracking_number": request.tracking_number, **detail},
        request=http_request,
    )


def _tell_applicant(
    request: DisclosureRequest, title: str, body: str, *, letter: NoticeLetter | None = None
) -> None:
    """E-mail and SMS to the applicant, sent after the commit by the notification service. When the action issued
    a 告知书 and the applicant chose e-mail delivery, the e-mail waits for the letter's PDF and carries it
    (:func:`~.letters.render_letter` sends it); the SMS goes now."""
    email = request.email or None
    if email and letter is not None and wants_email_delivery(request):
        letter.context = {**letter.context, "_mail": {"title": title, "body": body}}
        letter.save(update_fields=["context"])
        email = None
    phone = request.phone if request.phone and is_mobile(request.phone) else None
    channels_used = tuple(name for name, address in (("email", email), ("sms", phone)) if address)
    if not channels_used:
        return
    notify(title=title, body=body, email=email, phone=phone, channels=channels_used, category="disclosure")


def _receipt(request: DisclosureRequest, code: str) -> None:
    """受理回执: the tracking number and the query code, sent after the commit (only a hash of the code is kept)."""
    lookup = "凭受理编号和查询码可在政府信息公开网站“申请进度查询”中查看办理情况和告知书"
    if request.state == RequestState.SUBMITTED:
        when = "网上申请以本机关与您确认之日为收到申请之日。"
    else:
        when = f"收到申请日期{format_day(request.received_on)}，答复期限至{format_day(request.due_on)}。"
    _tell_applicant(
        request,
        f"政府信息公开申请回执（{request.organization.name}）",
        f"您的政府信息公开申请已{'提交' if request.origin == RequestOrigin.ONLINE else '登记'}，"
        f"受理编号 {request.tracking_number}，查询码 {code}，请妥善保存。{when}{lookup}。",
    )


def _require_state(request: DisclosureRequest, *states: str, action: str) -> None:
    if request.state not in states:
        allowed = "、".join(RequestState(state).label for state in states)
        raise ValidationError(
            f"该申请当前为“{request.get_state_display()}”，不能{action}（仅限{allowed}的申请）。"
        )


def correction_notice_due(received_on: dt.date) -> dt.date:
    """The last day for a 补正 notice: 7 working days after receipt (Art. 30; the number is data)."""
    return get_work_calendar().add_workdays(received_on, _policy(CORRECTION_NOTICE_POLICY).limit_value).date


# -- intake ------------------------------------------------------------------------------------------------------


def _new_request(
    *, organization: Organization, application: Application, origin: str, channel: str, actor: Any
) -> tuple[DisclosureRequest, str]:
    values = application.cleaned()
    if not isinstance(organization, Organization) or not organization.is_active:
        raise ValidationError({"organization": ["请选择受理机关。"]})
    if channel not in channels():
        raise ValidationError({"channel": ["请选择申请的提交方式。"]})
    code, code_hash = issue_query_code()
    request = DisclosureRequest(
        organization=organization,
        tracking_number=issue_tracking_number(prefix=tracking_prefix(TRACKING_KIND, default=DEFAULT_PREFIX)),
        query_code_hash=code_hash,
        origin=origin,
        channel=channel,
        created_by=actor if getattr(actor, "pk", None) else None,
        **values,
    )
    return request, code


@transaction.atomic
def submit_request(
    *, organization: Organization, application: Application, http_request: Any = None
) -> IssuedRequest:
    """A member of the public applies online. The application waits for 双方确认 (Art. 31), which fixes the legal
    receipt date; the tracking number and query code are issued in this transaction and sent to the applicant
    (SMS, e-mail) after the commit.

    It goes to the handling office of the body's routing; should that office have nobody left who can act (an
    account deactivated since the form was shown), it goes to the county office instead and the audit row says so:
    an application accepted is never left where nobody sees it."""
    route = route_for(organization)
    if route.configured and not route.accepts:
        raise ValidationError(
            {"organization": [f"{organization.name}暂不受理网上政府信息公开申请，请选择其他机关。"]}
        )
    request, code = _new_request(
        organization=organization,
        application=application,
        origin=RequestOrigin.ONLINE,
        channel="online",
        actor=None,
    )
    planned = route.office if route.configured else organization
    recipients, office = recipients_for(organization, planned)
    fallback = office != planned
    request.handling_office = office
    request.state = RequestState.SUBMITTED
    request.submitted_at = timezone.now()
    request.receipt_basis = channels()["online"].rule
    request.save()
    _audit(
        request,
        "submit",
        None,
        {"channel": "online", "handling_office": request.handling_office.name, "fallback": fallback},
        http_request,
    )
    if recipients:
        notify(
            recipients=recipients,
            title=f"新的政府信息公开申请 {request.tracking_number}",
            body=f"{request.applicant_name} 于 {timezone.localtime(request.submitted_at):%Y-%m-%d %H:%M} 向"
            f"{organization.name}提交了政府信息公开申请，请与申请人确认收到后登记收到日期。"
            + (
                "（该机关的办理机构暂无办理人员，由本机构代为办理，请同时检查依申请公开办理机构配置。）"
                if fallback
                else ""
            ),
            link=f"/admin/disclosure/requests/{request.pk}/",
            category="disclosure",
            channels=("inbox", "email"),
        )
    _receipt(request, code)
    return IssuedRequest(request, code)


def _start(request: DisclosureRequest, received_on: dt.date, actor: Any) -> None:
    clock = start_clock(
        case=request,
        policy=_policy(REPLY_POLICY),
        started_at=_moment(received_on),
        organization=request.organization,
        label=f"政府信息公开申请 {request.tracking_number}",
        actor=actor,
    )
    request.reply_clock = clock
    request.received_on = received_on
    request.correction_notice_due_on = correction_notice_due(received_on)
    request.state = RequestState.PROCESSING
    _sync_due(request, clock)


@transaction.atomic
def register_request(
    *,
    organization: Organization,
    application: Application,
    channel: str,
    received_on: dt.date,
    actor: Any,
    submitted_on: dt.date | None = None,
    http_request: Any = None,
) -> IssuedRequest:
    """Staff record an application made in person, by post, by fax or orally, with the legal receipt date of its
    channel (Art. 31): the day submitted, the day signed for, or the day confirmed with the applicant."""
    _check_day(received_on, "收到申请日期")
    if submitted_on is not None:
        _check_day(submitted_on, "申请人提交日期")
        if received_on < submitted_on:
            raise ValidationError(
                f"收到申请日期（{format_day(received_on)}）不能早于申请人提交日期（{format_day(submitted_on)}）。"
            )
    if channel == "online":
        raise ValidationError({"channel": ["网上申请由申请人在网站提交，请选择其他提交方式。"]})
    request, code = _new_request(
        organization=organization,
        application=application,
        origin=RequestOrigin.STAFF,
        channel=channel,
        actor=actor,
    )
    request.receipt_basis = channels()[channel].rule
    route = route_for(organization)
    # Recorded by staff at the counter or from the post: handled by the routing's office when it has staff,
    # otherwise by the office of whoever recorded it.
    request.handling_office = (
        route.office if route.open_to_public else getattr(actor, "organization", None)
    ) or organization
    if submitted_on is not None:
        request.submitted_at = _moment(submitted_on)
    request.state = RequestState.PROCESSING
    request.save()
    _start(request, received_on, actor)
    request.save()
    _event(request, EventKind.RECEIVED, received_on, actor, note=channels()[channel].label)
    _audit(
        request,
        "register",
        actor,
        {"channel": channel, "received_on": received_on, "due_on": request.due_on},
        http_request,
    )
    _receipt(request, code)
    return IssuedRequest(request, code)


@transaction.atomic
def confirm_receipt(
    *, request: DisclosureRequest, received_on: dt.date, actor: Any, note: str = "", http_request: Any = None
) -> DisclosureRequest:
    """双方确认: the agency and the online applicant confirm the application; that day is the receipt date."""
    request = _lock(request)
    _require_state(request, RequestState.SUBMITTED, action="确认收到")
    submitted = local_date(request.submitted_at) if request.submitted_at else None
    _check_day(received_on, "确认收到日期", not_before=submitted, before_label="网上提交日期")
    _start(request, received_on, actor)
    request.save()
    _event(request, EventKind.RECEIVED, received_on, actor, note=note or "与申请人确认收到")
    _audit(
        request,
        "confirm_receipt",
        actor,
        {"received_on": received_on, "due_on": request.due_on},
        http_request,
    )
    _tell_applicant(
        request,
        "政府信息公开申请已确认收到",
        f"您的政府信息公开申请（受理编号 {request.tracking_number}）已于{format_day(received_on)}确认收到，"
        f"答复期限至{format_day(request.due_on)}。",
    )
    return request


# -- 补正 --------------------------------------------------------------------------------------------------------


@transaction.atomic
def request_correction(
    *,
    request: DisclosureRequest,
    on: dt.date,
    text: str,
    actor: Any,
    deadline: dt.date | None = None,
    http_request: Any = None,
) -> DisclosureRequest:
    """告知补正 (Art. 30): once, within 7 working days of receipt; the reply period restarts when the corrected
    application arrives."""
    request = _lock(request)
    _require_state(request, RequestState.PROCESSING, action="告知补正")
    _check_day(on, "补正告知日期", not_before=request.received_on, before_label="收到申请日期")
    _check_after_last(request, on, "补正告知日期")
    text = (text or "").strip()
    if not text:
        raise ValidationError("请写明需要补正的事项。")
    if request.events.filter(kind=EventKind.CORRECTION_REQUESTED).exists():
        raise ValidationError("补正告知应一次性提出（条例第三十条），该申请已告知过补正。")
    if request.correction_notice_due_on and on > request.correction_notice_due_on:
        raise ValidationError(
            f"补正告知应在收到申请之日起{_policy(CORRECTION_NOTICE_POLICY).limit_value}个工作日内提出"
            f"（截止{format_day(request.correction_notice_due_on)}），已超过期限。"
        )
    if deadline is None:
        deadline = get_work_calendar().add_workdays(on, _policy(CORRECTION_REPLY_POLICY).limit_value).date
    elif deadline <= on:
        raise ValidationError("补正期限应晚于补正告知日期。")
    clock = pause_clock(
        clock=request.reply_clock,
        reason_code="correction",
        reason="告知申请人补正",
        mode=PauseMode.RESTART,
        at=_moment(on),
        actor=actor,
    )
    request.state = RequestState.CORRECTION
    request.correction_deadline = deadline
    _sync_due(request, clock)
    request.save()
    _event(request, EventKind.CORRECTION_REQUESTED, on, actor, note=text)
    letter = issue_letter(
        request=request,
        kind=LetterKind.CORRECTION,
        template="correction",
        values={"correction_text": text, "correction_deadline": format_day(deadline)},
        on=on,
        actor=actor,
        http_request=http_request,
    )
    _audit(request, "request_correction", actor, {"on": on, "deadline": deadline}, http_request)
    _tell_applicant(
        request,
        "政府信息公开申请需要补正",
        f"您的政府信息公开申请（受理编号 {request.tracking_number}）需要补正，请于{format_day(deadline)}前补正：{text}",
        letter=letter,
    )
    return request


@transaction.atomic
def receive_correction(
    *, request: DisclosureRequest, on: dt.date, actor: Any, note: str = "", http_request: Any = None
) -> DisclosureRequest:
    """收到补正: the reply period starts again from this day (not counted)."""
    request = _lock(request)
    _require_state(request, RequestState.CORRECTION, action="登记收到补正")
    asked = (
        request.events.filter(kind=EventKind.CORRECTION_REQUESTED)
        .order_by("-on")
        .values_list("on", flat=True)
    )
    _check_day(on, "收到补正日期", not_before=asked.first(), before_label="补正告知日期")
    clock = resume_clock(clock=request.reply_clock, at=_moment(on), actor=actor)
    request.state = RequestState.PROCESSING
    _sync_due(request, clock)
    request.save()
    _event(request, EventKind.CORRECTION_RECEIVED, on, actor, note=note)
    _audit(request, "receive_correction", actor, {"on": on, "due_on": request.due_on}, http_request)
    return request


# -- consultation ------------------------------------------------------------------------------------------------


@transaction.atomic
def start_consultation(
    *,
    request: DisclosureRequest,
    kind: str,
    parties: str,
    on: dt.date,
    actor: Any,
    http_request: Any = None,
) -> Consultation:
    """征求第三方或其他机关意见 (Art. 32/34): the reply clock pauses; the party's own 15-working-day limit runs."""
    request = _lock(request)
    _require_state(request, RequestState.PROCESSING, action="征求意见")
    spec = consultation_kinds().get(kind)
    if spec is None:
        raise ValidationError("请选择征求意见的类型。")
    parties = " ".join((parties or "").split())
    if not parties:
        raise ValidationError("请填写征求意见的对象。")
    _check_day(on, "征求意见日期", not_before=request.received_on, before_label="收到申请日期")
    _check_after_last(request, on, "征求意见日期")
    clock = pause_clock(
        clock=request.reply_clock,
        reason_code=f"consultation_{kind}",
        reason=spec["label"],
        mode=PauseMode.CONTINUE,
        at=_moment(on),
        actor=actor,
    )
    consultation = Consultation(
        request=request, kind=kind, parties=parties[:300], sent_on=on, reply_due_on=on
    )
    consultation.save()
    party_clock = start_clock(
        case=consultation,
        policy=_policy(spec["policy"]),
        started_at=_moment(on),
        organization=request.organization,
        label=f"{spec['label']}（{request.tracking_number}）",
        actor=actor,
    )
    consultation.clock = party_clock
    consultation.reply_due_on = local_date(party_clock.due_at)
    consultation.save(update_fields=["clock", "reply_due_on"])
    request.state = RequestState.CONSULTATION
    _sync_due(request, clock)
    request.save()
    _event(request, EventKind.CONSULTATION_STARTED, on, actor, note=f"{spec['label']}：{parties}")
    _audit(
        request,
        "start_consultation",
        actor,
        {"kind": kind, "on": on, "reply_due_on": consultation.reply_due_on},
        http_request,
    )
    return consultation


@transaction.atomic
def end_consultation(
    *, request: DisclosureRequest, on: dt.date, opinion: str, actor: Any, http_request: Any = None
) -> DisclosureRequest:
    """The party answered (or its limit passed in silence): the reply clock continues where it stopped."""
    request = _lock(request)
    _require_state(request, RequestState.CONSULTATION, action="结束征求意见")
    consultation = request.consultations.filter(replied_on__isnull=True).order_by("-sent_on", "-pk").first()
    if consultation is None:
        raise ValidationError("该申请没有进行中的征求意见。")
    _check_day(on, "征求意见结束日期", not_before=consultation.sent_on, before_label="征求意见日期")
    opinion = (opinion or "").strip() or (
        "逾期未提出意见" if on > consultation.reply_due_on else "已提出意见"
    )
    if consultation.clock_id:
        stop_clock(clock=consultation.clock, at=_moment(on), actor=actor)
    consultation.replied_on = on
    consultation.opinion = opinion
    consultation.save(update_fields=["replied_on", "opinion"])
    clock = resume_clock(clock=request.reply_clock, at=_moment(on), actor=actor)
    request.state = RequestState.PROCESSING
    _sync_due(request, clock)
    request.save()
    _event(request, EventKind.CONSULTATION_ENDED, on, actor, note=opinion)
    _audit(request, "end_consultation", actor, {"on": on, "due_on": request.due_on}, http_request)
    return request


# -- extension ---------------------------------------------------------------------------------------------------


@transaction.atomic
def extend_request(
    *,
    request: DisclosureRequest,
    days: int,
    reason: str,
    approver: Any,
    on: dt.date,
    http_request: Any = None,
) -> DisclosureRequest:
    """延期答复 (Art. 33): once, at most 20 working days, approved by the head of the 公开工作机构, before the
    period ends, and the applicant is told."""
    request = _lock(request)
    _require_state(
        request,
        RequestState.PROCESSING,
        RequestState.CONSULTATION,
        RequestState.CORRECTION,
        RequestState.AWAITING_FEE,
        action="延期答复",
    )
    if (
        approver is None
        or not getattr(approver, "is_active", False)
        or not approver.has_perm(APPROVE_EXTENSION)
    ):
        raise ValidationError("延期答复须经政府信息公开工作机构负责人批准：批准人没有“批准延期答复”的权限。")
    policy = _policy(REPLY_POLICY)
    if not isinstance(days, int) or isinstance(days, bool) or days <= 0:
        raise ValidationError("延长的期限必须是正整数个工作日。")
    done = request.reply_clock.extensions.count()
    if done >= policy.max_extensions:
        raise ValidationError(f"答复期限最多延长{policy.max_extensions}次（{policy.source}），该申请已延期。")
    if policy.max_extension_value and days > policy.max_extension_value:
        raise ValidationError(
            f"延长的期限最长不得超过{policy.max_extension_value}个工作日（{policy.source}），申请延长{days}个工作日。"
        )
    # Kept without its closing full stop: the letter, the timeline and the clock's explanation each end the
    # sentence they put it in (a typed "。" gave "。。").
    reason = sentence_body(reason)
    if not reason:
        raise ValidationError("请填写延期理由。")
    _check_day(on, "批准延期日期", not_before=request.received_on, before_label="收到申请日期")
    _check_after_last(request, on, "批准延期日期")
    current_due = request.reply_clock.due_at
    if current_due is not None and on > local_date(current_due):
        raise ValidationError(f"答复期限已于{format_day(local_date(current_due))}届满，不能再延期。")
    clock = extend_clock(
        clock=request.reply_clock, value=days, reason=reason, approver=approver, at=_moment(on)
    )
    _sync_due(request, clock)
    request.save()
    _event(request, EventKind.EXTENDED, on, approver, days=days, note=reason)
    letter = issue_letter(
        request=request,
        kind=LetterKind.EXTENSION,
        template="extension",
        values={
            "extension_reason": reason,
            "extension_days": days,
            "approver": str(approver),
            "due_date": format_day(request.due_on) if request.due_on else "恢复计时后确定的期限",
        },
        on=on,
        actor=approver,
        http_request=http_request,
    )
    _audit(
        request, "extend", approver, {"days": days, "reason": reason, "due_on": request.due_on}, http_request
    )
    _tell_applicant(
        request,
        "政府信息公开申请延期答复",
        f"您的政府信息公开申请（受理编号 {request.tracking_number}）答复期限延长{days}个工作日"
        + (f"，将于{format_day(request.due_on)}前答复。" if request.due_on else "。"),
        letter=letter,
    )
    return request


# -- fees --------------------------------------------------------------------------------------------------------


def monthly_position(request: DisclosureRequest) -> int:
    """Which application of the same applicant in the calendar month of receipt this is (按件, cumulative)."""
    if not request.received_on:
        raise ValidationError("申请尚未确认收到，不能计算件数。")
    first = request.received_on.replace(day=1)
    same = DisclosureRequest.objects.filter(
        id_type=request.id_type,
        id_number=request.id_number,
        received_on__gte=first,
        received_on__lte=request.received_on,
    ).filter(Q(received_on__lt=request.received_on) | Q(received_on=request.received_on, pk__lte=request.pk))
    return same.count()


@transaction.atomic
def notify_fee(
    *,
    request: DisclosureRequest,
    method: str,
    on: dt.date,
    actor: Any,
    pages: int | None = None,
    http_request: Any = None,
) -> FeeNotice:
    """收费通知: the amount from the brackets of rules/fees.json; a free bracket cannot be charged."""
    request = _lock(request)
    _require_state(request, RequestState.PROCESSING, action="发出收费通知")
    if hasattr(request, "fee_notice"):
        raise ValidationError("该申请已发出过收费通知。")
    _check_day(on, "收费通知日期", not_before=request.received_on, before_label="收到申请日期")
    _check_after_last(request, on, "收费通知日期")
    if request.received_on < fees.effective_from():
        raise ValidationError(f"信息处理费自{format_day(fees.effective_from())}起收取。")
    if method == "per_piece":
        quote = fees.quote_per_piece(monthly_position(request))
    elif method == "per_page":
        if pages is None:
            raise ValidationError("按量计收须填写页数。")
        quote = fees.quote_per_page(pages)
    else:
        raise ValidationError("请选择计费方式：按件计收或按量计收。")
    if quote.is_free:
        raise ValidationError(f"不能收取信息处理费：该申请{quote.basis}。")
    payment_policy = _policy(FEE_POLICY)
    notice = FeeNotice(
        request=request,
        method=quote.method,
        quantity=quote.quantity,
        amount=quote.amount,
        basis=quote.basis,
        notified_on=on,
        payment_due_on=on,
    )
    notice.save()
    fee_clock = start_clock(
        case=notice,
        policy=payment_policy,
        started_at=_moment(on),
        organization=request.organization,
        label=f"信息处理费缴纳（{request.tracking_number}）",
        actor=actor,
    )
    notice.clock = fee_clock
    notice.payment_due_on = local_date(fee_clock.due_at)
    notice.save(update_fields=["clock", "payment_due_on"])
    clock = request.reply_clock
    if DisclosureSettings.load().fee_pauses_reply_clock:
        clock = pause_clock(
            clock=clock,
            reason_code="fee",
            reason="等待申请人缴纳信息处理费",
            mode=PauseMode.CONTINUE,
            at=_moment(on),
            actor=actor,
        )
    request.state = RequestState.AWAITING_FEE
    _sync_due(request, clock)
    request.save()
    _event(request, EventKind.FEE_NOTIFIED, on, actor, note=f"{quote.basis}，金额{quote.amount}元")
    letter = issue_letter(
        request=request,
        kind=LetterKind.FEE,
        template="fee",
        values={
            "fee_basis": quote.basis,
            "fee_amount": f"{quote.amount:.2f}",
            "payment_days": payment_policy.limit_value,
            "payment_due": format_day(notice.payment_due_on),
        },
        on=on,
        actor=actor,
        http_request=http_request,
    )
    _audit(
        request,
        "notify_fee",
        actor,
        {"method": quote.method, "amount": str(quote.amount), "on": on},
        http_request,
    )
    _tell_applicant(
        request,
        "政府信息公开信息处理费收费通知",
        f"您的政府信息公开申请（受理编号 {request.tracking_number}）需缴纳信息处理费{quote.amount:.2f}元，"
        f"请于{format_day(notice.payment_due_on)}前缴纳。",
        letter=letter,
    )
    return notice


@transaction.atomic
def record_fee_payment(
    *, request: DisclosureRequest, on: dt.date, amount: Decimal, actor: Any, http_request: Any = None
) -> DisclosureRequest:
    """缴费: within the payment period and for the amount of the notice; the reply clock then continues."""
    request = _lock(request)
    _require_state(request, RequestState.AWAITING_FEE, action="登记缴费")
    notice = request.fee_notice
    _check_day(on, "缴费日期", not_before=notice.notified_on, before_label="收费通知日期")
    if on > notice.payment_due_on:
        raise ValidationError(
            f"缴费期限已于{format_day(notice.payment_due_on)}届满，逾期未缴纳视为放弃申请，"
            "请以“申请人逾期未按收费通知要求缴纳费用”办结。"
        )
    try:
        amount = Decimal(str(amount)) if amount is not None else None
    except ArithmeticError:
        amount = None
    if amount is None or amount < 0:
        raise ValidationError("请填写实收金额。")
    if notice.amount is not None and amount != notice.amount:
        raise ValidationError(f"实收金额应与收费通知金额一致（{notice.amount:.2f}元）。")
    if notice.clock_id:
        stop_clock(clock=notice.clock, at=_moment(on), actor=actor)
    notice.paid_on = on
    notice.paid_amount = amount
    notice.save(update_fields=["paid_on", "paid_amount"])
    clock = request.reply_clock
    if clock.state == "paused":
        clock = resume_clock(clock=clock, at=_moment(on), actor=actor)
    request.state = RequestState.PROCESSING
    _sync_due(request, clock)
    request.save()
    _event(request, EventKind.FEE_PAID, on, actor, note=f"实收{amount:.2f}元")
    _audit(
        request, "fee_paid", actor, {"on": on, "amount": str(amount), "due_on": request.due_on}, http_request
    )
    return request


# -- reply -------------------------------------------------------------------------------------------------------

TEXT_REQUIRED = {"published", "partial", "other.other"}


@transaction.atomic
def reply_request(
    *,
    request: DisclosureRequest,
    outcome: str,
    text: str,
    actor: Any,
    at: dt.datetime | None = None,
    http_request: Any = None,
) -> DisclosureRequest:
    """答复: exactly one outcome of table 三; the clock stops and records whether the answer was on time."""
    request = _lock(request)
    _require_state(
        request,
        RequestState.PROCESSING,
        RequestState.CORRECTION,
        RequestState.AWAITING_FEE,
        RequestState.CONSULTATION,
        action="答复",
    )
    if not outcome:
        raise ValidationError({"outcome": ["答复必须选择一项办理结果。"]})
    spec = outcome_by_code(outcome)
    if spec is None:
        raise ValidationError({"outcome": ["办理结果无效，请从年度报告表三的办理结果中选择。"]})
    text = (text or "").strip()
    if spec.code in TEXT_REQUIRED or spec.group_code in TEXT_REQUIRED:
        if not text:
            raise ValidationError({"text": ["请填写答复内容（提供信息的方式、途径或处理情况）。"]})
    at = at or timezone.now()
    day = local_date(at)
    _check_day(day, "答复日期", not_before=request.received_on, before_label="收到申请日期")
    _check_after_last(request, day, "答复日期")
    if request.state == RequestState.CONSULTATION:
        raise ValidationError("征求意见尚未结束，请先登记意见或逾期未答复，再作出答复。")
    if spec.code == "other.no_correction":
        if request.state != RequestState.CORRECTION:
            raise ValidationError("只有待补正的申请才能按“逾期不补正”办结。")
        if request.correction_deadline and day <= request.correction_deadline:
            raise ValidationError(
                f"补正期限至{format_day(request.correction_deadline)}，期满后方可按逾期不补正办结。"
            )
    elif request.state == RequestState.CORRECTION and spec.group_code != "not_handled":
        raise ValidationError("申请人尚未补正：请先登记收到补正，或在补正期满后按“逾期不补正”办结。")
    if spec.code == "other.no_fee":
        if request.state != RequestState.AWAITING_FEE:
            raise ValidationError("只有待缴费的申请才能按“逾期未缴纳费用”办结。")
        if day <= request.fee_notice.payment_due_on:
            raise ValidationError(
                f"缴费期限至{format_day(request.fee_notice.payment_due_on)}，期满后方可按逾期未缴费办结。"
            )
    elif request.state == RequestState.AWAITING_FEE:
        raise ValidationError(
            "申请人尚未缴纳信息处理费：请先登记缴费，或在缴费期满后按“逾期未缴纳费用”办结。"
        )
    if (
        spec.code == "unavailable.unclear"
        and not request.events.filter(kind=EventKind.CORRECTION_RECEIVED).exists()
    ):
        raise ValidationError("“补正后申请内容仍不明确”须在申请人补正之后才能选择。")

    fee_notice = getattr(request, "fee_notice", None)
    if fee_notice is not None and fee_notice.clock_id and fee_notice.paid_on is None:
        fee_clock = CaseClock.objects.get(pk=fee_notice.clock_id)
        if fee_clock.state != "stopped":
            stop_clock(clock=fee_clock, at=at, actor=actor)
    clock = stop_clock(clock=request.reply_clock, at=at, actor=actor)
    request.state = RequestState.REPLIED
    request.outcome = spec.code
    request.reply_text = text
    request.replied_at = at
    request.replied_on = day
    request.answered_on_time = clock.final_status == ClockStatus.DONE_ON_TIME
    _sync_due(request, clock)
    request.save()
    _event(request, EventKind.REPLIED, day, actor, note=spec.full_label)
    values: dict[str, Any] = {"outcome": spec.code, "reply_text": text}
    asked = request.events.filter(kind=EventKind.CORRECTION_REQUESTED).values_list("on", flat=True).first()
    if asked:
        values["correction_requested_date"] = format_day(asked)
    if fee_notice is not None:
        values["fee_notified_date"] = format_day(fee_notice.notified_on)
    letter = issue_letter(
        request=request,
        kind=LetterKind.REPLY,
        template=template_for_outcome(spec.code),
        values=values,
        on=day,
        actor=actor,
        http_request=http_request,
    )
    _audit(
        request,
        "reply",
        actor,
        {
            "outcome": spec.code,
            "replied_on": day,
            "on_time": request.answered_on_time,
            "due_on": request.due_on,
        },
        http_request,
    )
    _tell_applicant(
        request,
        "政府信息公开申请已答复",
        f"您的政府信息公开申请（受理编号 {request.tracking_number}）已于{format_day(day)}作出答复，"
        "答复书将按您选择的方式送达，也可凭受理编号和查询码在网站查询。",
        letter=letter,
    )
    return request


# -- 查询码 re-sent ----------------------------------------------------------------------------------------------

RESEND_DONE_MESSAGE = (
    "如果受理编号和手机号码与申请时登记的一致，新的查询码已通过短信发送到该手机，原查询码同时失效。"
    "没有收到短信的，请核对受理编号和手机号码后再试，或按公开指南所列电话联系受理机关。"
)


@transaction.atomic
def resend_query_code(*, tracking_number: str, phone: str, http_request: Any = None) -> str:
    """A new 查询码 for the applicant who lost theirs, sent by SMS to the mobile number on record (only a hash of
    the old one exists, so it cannot be sent again; it stops working). The answer is the same whether or not the
    number and phone match a request, so that nobody learns which numbers or phones exist; the limits are the
    caller's (the public form counts per address and per tracking number)."""
    try:
        mobile = normalize_mobile(phone)
    except ValidationError:
        raise ValidationError({"phone": ["请填写申请时登记的 11 位手机号码。"]}) from None
    number = normalize_tracking_number(tracking_number)
    if not number:
        raise ValidationError({"tracking_number": ["请填写受理编号。"]})
    request = None
    if validate_tracking_number(number):
        request = DisclosureRequest.objects.select_for_update().filter(tracking_number=number).first()
    on_record = request.phone if request is not None and is_mobile(request.phone) else ""
    if request is None or not on_record or normalize_mobile(on_record) != mobile:
        audit(
            actor=None,
            action="disclosure.request.query_code_resend_unmatched",
            detail={"tracking_number": number[:40], "phone": f"{mobile[:3]}****{mobile[-4:]}"},
            request=http_request,
        )
        return RESEND_DONE_MESSAGE
    code, code_hash = issue_query_code()
    request.query_code_hash = code_hash
    request.save(update_fields=["query_code_hash", "updated_at"])
    _audit(request, "query_code_reissued", None, {"phone": f"{mobile[:3]}****{mobile[-4:]}"}, http_request)
    notify(
        title="政府信息公开申请查询码",
        body=f"您的政府信息公开申请（受理编号 {request.tracking_number}）的新查询码为 {code}，原查询码已失效。"
        "如非本人操作，请联系受理机关。",
        phone=mobile,
        channels=("sms",),
        category="disclosure",
    )
    return RESEND_DONE_MESSAGE
