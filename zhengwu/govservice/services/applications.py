"""网上申报: the life of an online application, as 《行政许可法》 and the item's own limits shape it.

- **Receipt.** The applicant fills the item's form (fields from ``rules/application_forms.json``) and hands in every
  required material (files checked by what their bytes are). A tracking number and a query code are issued in the
  transaction that stores the application; the applicant sees them after the commit and gets them by SMS/e-mail.
- **补正 (Art. 32).** Within ``correction_notice_workdays`` working days of receipt, the unit either accepts, refuses
  to accept with a reason, or tells the applicant once (一次告知) everything to correct. Past that day without a
  notice, the application counts as accepted on the day it was received: accepting it then starts both clocks at
  receipt, and the notice can no longer be given. After a correction the period runs again from its receipt.
- **Handling.** On acceptance the 承诺 and 法定 limits start on core case clocks (a 即办件's 0 days: the acceptance
  day) and the application becomes a :class:`~..models.ServiceCase`. The steps of the 办理流程 follow each other, each
  with its own limit. 特别程序 (Art. 45) pauses both clocks; an approved extension (Art. 42, once, +10 working days)
  extends the statutory one. The decision (准予 / 不予, the latter always with reasons) is then served (Art. 44:
  within 10 working days of 准予), which finishes the case.
- Every step is audited, written to the application's history, and told to the applicant.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from zhengwu.core.models.clock import ClockState, LimitUnit
from zhengwu.core.scoping import is_in_scope
from zhengwu.core.selectors.calendar import get_work_calendar
from zhengwu.core.services import clock as clocks
from zhengwu.core.services.audit import audit
from zhengwu.core.services.clock import SHANGHAI, format_date
from zhengwu.core.services.notifications import EMAIL, SMS, notify

from .. import rules
from ..models import (
    ApplicantKind,
    Application,
    ApplicationEvent,
    ApplicationFile,
    ApplicationStatus,
    CasePause,
    CaseSource,
    Decision,
    ServiceCase,
    ServiceItem,
)
from .supervision import derive

HANDLE = "govservice.handle_application"
APPROVE_EXTENSION = "govservice.approve_extension"
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def _rules() -> dict:
    return rules.extension_rules()


def valid_id_number(value: str) -> bool:
    """A 18-character 居民身份证号码 with its GB 11643 check character."""
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17]


@dataclass
class Applicant:
    kind: str
    name: str
    id_number: str
    phone: str
    email: str = ""
    contact_name: str = ""


def check_applicant(applicant: Applicant) -> tuple[Applicant, dict[str, list[str]]]:
    from zhengwu.core.validators import validate_credit_code

    errors: dict[str, list[str]] = {}
    kind = applicant.kind if applicant.kind in ApplicantKind.values else ""
    if not kind:
        errors["applicant_kind"] = ["请选择申请人类型。"]
    name = " ".join((applicant.name or "").split())
    if not 2 <= len(name) <= 100 or re.search(r"[<>{}]", name):
        errors["applicant_name"] = ["请填写申请人姓名或单位全称（2 至 100 个字）。"]
    number = re.sub(r"\s", "", applicant.id_number or "").upper()
    if kind == ApplicantKind.PERSON and not valid_id_number(number):
        errors["applicant_id_number"] = ["请填写正确的 18 位居民身份证号码。"]
    elif kind == ApplicantKind.LEGAL:
        try:
            validate_credit_code(number)
        except ValidationError:
            errors["applicant_id_number"] = ["请填写正确的 18 位统一社会信用代码。"]
    phone = re.sub(r"\s", "", applicant.phone or "")
    if not _PHONE.match(phone):
        errors["phone"] = ["请填写有效的联系电话（11 位手机号码或带区号的固定电话）。"]
    email = (applicant.email or "").strip()
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        errors["email"] = ["电子邮箱格式不正确。"]
    contact = " ".join((applicant.contact_name or "").split())[:50]
    if kind == ApplicantKind.LEGAL and not contact:
        errors["contact_name"] = ["法人或其他组织申请时请填写经办人姓名。"]
    return Applicant(kind, name, number, phone, email, contact), errors


def check_form_data(item: ServiceItem, data: dict[str, Any]) -> tuple[dict[str, str], dict[str, list[str]]]:
    cleaned, errors = {}, {}
    for field in rules.application_fields(item.code):
        value = str(data.get(field["name"], "") or "").strip()
        key = f"field_{field['name']}"
        if not value:
            if field.get("required"):
                errors[key] = [f"请填写{field['label']}。"]
            continue
        if len(value) > field.get("max_length", 1000):
            errors[key] = [f"{field['label']}不能超过 {field.get('max_length', 1000)} 个字。"]
        elif field["type"] == "date":
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                errors[key] = [f"{field['label']}应为日期（如 2026-03-02）。"]
        elif field["type"] == "number":
            try:
                float(value)
            except ValueError:
                errors[key] = [f"{field['label']}应为数字。"]
        elif field["type"] == "choice" and value not in field.get("choices", []):
            errors[key] = [f"请从列出的选项中选择{field['label']}。"]
        cleaned[field["name"]] = value
    return cleaned, errors


def _check_files(version, files: dict[int, list[Any]], *, required: set[int] | None) -> tuple[list, dict]:
    """Files per material id, checked; ``required``: the material ids that must have at least one file."""
    from zhengwu.core.services.uploads import check_upload

    settings_ = _rules()
    materials = {m.pk: m for m in version.materials.all()}
    checked, errors = [], {}
    files = {material_id: [u for u in uploads if u] for material_id, uploads in files.items()}
    for material_id in required or ():
        if not files.get(material_id):
            errors.setdefault(f"material_{material_id}", []).append(
                f"请上传“{materials[material_id].name}”。"
            )
    for material_id, uploads in files.items():
        material = materials.get(material_id)
        if material is None:
            errors.setdefault("files", []).append("上传的材料不属于该事项。")
            continue
        uploads = [u for u in uploads if u]
        if len(uploads) > settings_["max_files_per_material"]:
            errors.setdefault(f"material_{material_id}", []).append(
                f"“{material.name}”最多上传 {settings_['max_files_per_material']} 个文件。"
            )
            continue
        for upload in uploads:
            try:
                checked.append((material, check_upload(upload, allowed=settings_["attachment_kinds"])))
            except ValidationError as exc:
                errors.setdefault(f"material_{material_id}", []).extend(
                    f"{getattr(upload, 'name', '')}：{message}" for message in exc.messages
                )
    return checked, errors


def _store_files(application: Application, checked: list, round_: int) -> None:
    for material, item in checked:
        stored = ApplicationFile(
            application=application,
            material=material,
            material_name=material.name,
            display_name=item.display_name,
            kind=item.kind,
            size=item.size,
            round=round_,
        )
        stored.file.save(item.storage_name.rsplit("/", 1)[-1], item.file, save=False)
        stored.save()


def _event(
    application: Application,
    kind: str,
    label: str,
    note: str,
    at: dt.datetime,
    actor: Any = None,
    public: bool = True,
) -> None:
    ApplicationEvent.objects.create(
        application=application,
        kind=kind,
        label=label,
        note=note,
        at=at,
        actor=actor if getattr(actor, "pk", None) else None,
        public=public,
    )


def _record(
    application: Application,
    kind: str,
    label: str,
    note: str,
    at: dt.datetime,
    actor: Any = None,
    *,
    action: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """One step of the application: its history (as the applicant sees it) and the audit row."""
    _event(application, kind, label, note, at, actor)
    audit(
        actor=actor,
        action=action,
        target=application,
        organization=application.organization,
        detail={"number": application.tracking_number, **(detail or {})},
    )


def _tell_applicant(application: Application, title: str, body: str) -> None:
    from zhengwu.core.sms import normalize_mobile

    try:
        phone = normalize_mobile(application.phone)
    except ValidationError:
        phone = ""
    email = application.email
    channels = tuple(c for c, on in ((SMS, phone), (EMAIL, email)) if on)
    if not channels:
        return

    def send() -> None:
        try:
            with transaction.atomic():
                notify(
                    title=title,
                    body=body,
                    phone=phone or None,
                    email=email or None,
                    channels=channels,
                    category="govservice",
                )
        except ValidationError:
            pass

    transaction.on_commit(send, robust=True)


def _tell_unit(application: Application, title: str) -> None:
    from zhengwu.core.models import Staff

    staff = [
        user
        for user in Staff.objects.filter(organization=application.organization, is_active=True)
        if user.has_perm(HANDLE)
    ]
    if staff:
        transaction.on_commit(
            lambda: notify(recipients=staff, title=title, category="govservice"), robust=True
        )


def _local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


# -- the applicant ----------------------------------------------------------------------------------------------


def submit_application(
    *,
    item: ServiceItem,
    applicant: Applicant,
    form_data: dict[str, Any],
    files: dict[int, list[Any]],
    ip_address: str | None = None,
    at: dt.datetime | None = None,
) -> Application:
    """Store an application as 待受理 with its tracking number; ``application.query_code`` holds the query code
    (shown once). Raises ``ValidationError`` with every problem, keyed by field."""
    from zhengwu.core.services.numbering import issue_query_code, issue_tracking_number, tracking_prefix

    version = item.current_version
    if not item.is_active or version is None:
        raise ValidationError("该事项已停止办理，不能网上申报。")
    applicant, errors = check_applicant(applicant)
    cleaned, form_errors = check_form_data(item, form_data)
    errors.update(form_errors)
    required = {m.pk for m in version.materials.all() if m.required}
    checked, file_errors = _check_files(version, files, required=required)
    errors.update(file_errors)
    if errors:
        raise ValidationError(errors)
    at = at or timezone.now()
    calendar = get_work_calendar()
    with transaction.atomic():
        code, code_hash = issue_query_code()
        application = Application.objects.create(
            tracking_number=issue_tracking_number(
                prefix=tracking_prefix("govservice", default="BJ"), on=_local_day(at)
            ),
            query_code_hash=code_hash,
            item=item,
            version=version,
            organization=item.organization,
            applicant_kind=applicant.kind,
            applicant_name=applicant.name,
            applicant_id_number=applicant.id_number,
            contact_name=applicant.contact_name,
            phone=applicant.phone,
            email=applicant.email,
            form_data=cleaned,
            received_at=at,
            notice_due_on=calendar.shift(_local_day(at), _rules()["correction_notice_workdays"]),
            ip_address=ip_address or None,
        )
        _store_files(application, checked, 1)
        _record(
            application,
            "received",
            "收件",
            f"收到网上申报，共 {len(checked)} 个文件。",
            at,
            None,
            action="govservice.application.submit",
            detail={"item": item.code, "files": len(checked)},
        )
        _tell_applicant(
            application,
            "网上申报已收到",
            f"您申报的“{version.name}”已收到，申报编号 {application.tracking_number}，查询码 {code}。"
            f"我们将在 {format_date(application.notice_due_on)}前告知是否受理。",
        )
        _tell_unit(application, f"新的网上申报：{version.name}（{application.tracking_number}）")
    application.query_code = code
    return application


def submit_correction(
    *, application: Application, files: dict[int, list[Any]], note: str = "", at: dt.datetime | None = None
) -> Application:
    """The applicant hands in what the notice asked for; the period to decide on acceptance runs again."""
    with transaction.atomic():
        application = _lock(application)
        if application.status != ApplicationStatus.CORRECTION:
            raise ValidationError("该申报当前不需要补正材料。")
        wanted = {m.pk for m in application.version.materials.all() if m.name in application.correction_items}
        checked, errors = _check_files(application.version, files, required=wanted)
        if not checked:
            errors.setdefault("files", []).append("请上传需要补正的材料。")
        if errors:
            raise ValidationError(errors)
        at = at or timezone.now()
        round_ = (application.files.order_by("-round").values_list("round", flat=True).first() or 1) + 1
        _store_files(application, checked, round_)
        application.status = ApplicationStatus.RECEIVED
        application.corrected_at = at
        application.notice_due_on = get_work_calendar().shift(
            _local_day(at), _rules()["correction_notice_workdays"]
        )
        application.save()
        note = " ".join((note or "").split())[:500]
        _record(
            application,
            "corrected",
            "补正收件",
            note or f"收到补正材料 {len(checked)} 个文件。",
            at,
            None,
            action="govservice.application.receive_correction",
            detail={"files": len(checked)},
        )
        _tell_unit(application, f"申请人已补正材料：{application.tracking_number}")
        _tell_applicant(
            application,
            "补正材料已收到",
            f"您的申报 {application.tracking_number} 的补正材料已收到，"
            f"我们将在 {format_date(application.notice_due_on)}前告知是否受理。",
        )
    return application


# -- the unit ---------------------------------------------------------------------------------------------------


def _lock(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("version", "item", "organization", "current_step")
        .get(pk=application.pk)
    )


def _require(actor: Any, application: Application, permission: str = HANDLE) -> None:
    if actor is None or not actor.has_perm(permission) or not is_in_scope(application, actor):
        raise PermissionDenied("您没有办理该申报的权限。")


def _need(application: Application, *statuses: str) -> None:
    if application.status not in statuses:
        labels = "、".join(ApplicationStatus(s).label for s in statuses)
        raise ValidationError(
            f"该申报当前为“{application.get_status_display()}”，只有“{labels}”的申报可以这样处理。"
        )


def _take(application: Application, actor: Any, *statuses: str, permission: str = HANDLE) -> Application:
    """The application locked for a step of the unit's: the actor may act on it and it is in one of ``statuses``."""
    application = _lock(application)
    _require(actor, application, permission)
    _need(application, *statuses)
    return application


def _reason(text: str, what: str) -> str:
    text = " ".join((text or "").split())
    if len(text) < 4:
        raise ValidationError({"reason": [f"请写明{what}（至少 4 个字）。"]})
    return text[:1000]


def notice_overdue(application: Application, at: dt.datetime | None = None) -> bool:
    """Whether the day to tell the applicant what to correct has passed (Art. 32: then accepted on receipt)."""
    return _local_day(at or timezone.now()) > application.notice_due_on


@transaction.atomic
def request_correction(
    *, application: Application, actor: Any, materials: list[str], note: str, at: dt.datetime | None = None
) -> Application:
    application = _take(application, actor, ApplicationStatus.RECEIVED)
    at = at or timezone.now()
    if application.correction_requested_at is not None:
        raise ValidationError("补正应一次告知：该申报已告知过补正，不能再次要求补正，请受理或不予受理。")
    if notice_overdue(application, at):
        raise ValidationError(
            f"已超过补正告知期限（{format_date(application.notice_due_on)}）：依法自收到申请材料之日起即为受理，"
            "请直接受理。"
        )
    known = [m.name for m in application.version.materials.all()]
    wanted = [name for name in dict.fromkeys(materials or []) if name]
    unknown = [name for name in wanted if name not in known]
    note = " ".join((note or "").split())[:1000]
    if unknown:
        raise ValidationError(
            {
                "materials": [
                    f"“{'、'.join(unknown)}”不在该事项的申请材料目录中，请从目录中选择需要补正的材料。"
                ]
            }
        )
    if not wanted:
        raise ValidationError({"materials": ["请列出需要补正的全部材料。"]})
    if len(note) < 4:
        raise ValidationError({"note": ["请写明需要补正的具体内容（至少 4 个字）。"]})
    application.status = ApplicationStatus.CORRECTION
    application.correction_items = wanted
    application.correction_note = note
    application.correction_requested_at = at
    application.save()
    listed = "；".join(f"{n}. {name}" for n, name in enumerate(wanted, 1))
    _record(
        application,
        "correction",
        "一次性告知补正",
        f"需补正：{listed}。{note}",
        at,
        actor,
        action="govservice.application.request_correction",
        detail={"materials": wanted, "note": note},
    )
    _tell_applicant(
        application,
        "请补正申报材料",
        f"您的申报 {application.tracking_number} 需要补正：{listed}。{note} 请凭申报编号和查询码上传补正材料。",
    )
    return application


@transaction.atomic
def reject(
    *, application: Application, actor: Any, reason: str, at: dt.datetime | None = None
) -> Application:
    """不予受理, always with the reason (and the organ to apply to, where it is another); also of an application
    whose applicant never handed in what the 补正 notice asked for."""
    application = _take(application, actor, ApplicationStatus.RECEIVED, ApplicationStatus.CORRECTION)
    reason = _reason(reason, "不予受理的理由")
    at = at or timezone.now()
    application.status = ApplicationStatus.REJECTED
    application.rejection_reason = reason
    application.finished_at = at
    application.save()
    _record(
        application,
        "rejected",
        "不予受理",
        reason,
        at,
        actor,
        action="govservice.application.not_admitted",
        detail={"reason": reason},
    )
    _tell_applicant(application, "申报不予受理", f"您的申报 {application.tracking_number} 不予受理：{reason}")
    return application


@transaction.atomic
def accept(*, application: Application, actor: Any, at: dt.datetime | None = None) -> Application:
    application = _take(application, actor, ApplicationStatus.RECEIVED)
    at = at or timezone.now()
    version = application.version
    on_receipt = notice_overdue(application, at)
    # Past the notice day the law counts the application accepted when its materials were received.
    accepted_at = (application.corrected_at or application.received_at) if on_receipt else at
    application.accepted_at = accepted_at
    application.accepted_on_receipt = on_receipt
    application.status = ApplicationStatus.PROCESSING
    first_step = version.steps.order_by("position").first()
    application.current_step = first_step
    application.step_started_at = at if first_step else None
    label = f"{version.name} {application.tracking_number}"
    warn = rules.supervision()["warning"]["before_promised_due_workdays"]
    for field, days, suffix in (
        ("promised_clock", version.promised_limit_days, "承诺时限"),
        ("legal_clock", version.legal_limit_days, "法定时限"),
    ):
        if days > 0:
            setattr(
                application,
                field,
                clocks.start_clock(
                    case=application,
                    limit_value=days,
                    limit_unit=LimitUnit.WORKDAYS,
                    started_at=accepted_at,
                    organization=application.organization,
                    label=f"{label}（{suffix}）",
                    actor=actor,
                    warn_before=min(warn, days - 1),
                ),
            )
    application.case = _open_case(application, accepted_at)
    if _step_paused(first_step):
        _pause_for_step(application, first_step, max(at, accepted_at), actor)
    application.save()
    note = "受理。"
    if on_receipt:
        note = (
            f"补正告知期限（{format_date(application.notice_due_on)}）内未告知，依法自收到申请材料之日"
            f"（{format_date(_local_day(accepted_at))}）起即为受理。"
        )
    _record(
        application,
        "accepted",
        "受理",
        note,
        at,
        actor,
        action="govservice.application.admit",
        detail={"accepted_at": accepted_at, "on_receipt": on_receipt},
    )
    case = application.case
    _tell_applicant(
        application,
        "申报已受理",
        f"您的申报 {application.tracking_number} 已受理，承诺 {format_date(case.promised_due_on)}前办结。",
    )
    return application


def _open_case(application: Application, accepted_at: dt.datetime) -> ServiceCase:
    version = application.version
    accepted_on = _local_day(accepted_at)
    derived = derive(
        get_work_calendar(),
        accepted_on=accepted_on,
        finished_on=None,
        promised_days=version.promised_limit_days,
        legal_days=version.legal_limit_days,
    )
    return ServiceCase.objects.create(
        number=application.tracking_number,
        source=CaseSource.ONLINE,
        item=application.item,
        version=version,
        organization=application.organization,
        accepted_at=accepted_at,
        accepted_on=accepted_on,
        promised_days=version.promised_limit_days,
        legal_days=version.legal_limit_days,
        promised_due_on=derived.promised_due_on,
        legal_due_on=derived.legal_due_on,
        paused_workdays=derived.paused_workdays,
        uses_fallback_calendar=derived.uses_fallback,
        calendar_token=get_work_calendar().token,
    )


def _refresh_case(case: ServiceCase) -> None:
    from .supervision import refresh_cases

    refresh_cases(ServiceCase.objects.filter(pk=case.pk), get_work_calendar())


def _step_paused(step: Any) -> bool:
    """A step of the 办理流程 marked 不计算在法定办结时限内 (检验、检测、专家评审 …) stops both limits while it runs."""
    return step is not None and not step.counts_toward_legal


def _pause_for_step(application: Application, step: Any, at: dt.datetime, actor: Any) -> None:
    for clock in (application.promised_clock, application.legal_clock):
        if clock is not None:
            clocks.pause_clock(
                clock=clock,
                reason_code="uncounted_step",
                reason=f"“{step.name}”环节不计算在办结时限内",
                at=at,
                actor=actor,
            )


def _resume_after_step(application: Application, step: Any, at: dt.datetime, actor: Any) -> None:
    for clock in (application.promised_clock, application.legal_clock):
        if clock is not None:
            clocks.resume_clock(clock=clock, at=at, actor=actor)
    start_on = _local_day(application.step_started_at or at)
    CasePause.objects.create(
        case=application.case, start_on=start_on, end_on=_local_day(at), reason=step.name[:40]
    )
    _refresh_case(application.case)
    application.case.refresh_from_db()


def step_due(application: Application) -> dt.date | None:
    step = application.current_step
    if step is None or application.step_started_at is None:
        return None
    return get_work_calendar().shift(_local_day(application.step_started_at), step.limit_days)


@transaction.atomic
def complete_step(
    *, application: Application, actor: Any, note: str = "", at: dt.datetime | None = None
) -> Application:
    """The current step of the 办理流程 is done; the next one starts."""
    application = _take(application, actor, ApplicationStatus.PROCESSING)
    step = application.current_step
    if step is None:
        raise ValidationError("该申报的办理环节已全部完成，请作出决定。")
    at = at or timezone.now()
    due = step_due(application)
    late = due is not None and _local_day(at) > due
    following = application.version.steps.filter(position__gt=step.position).order_by("position").first()
    if _step_paused(step):
        _resume_after_step(application, step, at, actor)
    application.current_step = following
    application.step_started_at = at if following else None
    if _step_paused(following):
        _pause_for_step(application, following, at, actor)
    application.save()
    note = " ".join((note or "").split())[:500]
    text = f"“{step.name}”环节完成{'（超过环节时限 ' + format_date(due) + '）' if late else ''}。{note}"
    _record(
        application,
        "step",
        step.name,
        text.strip(),
        at,
        actor,
        action="govservice.application.complete_step",
        detail={"step": step.name, "late": late},
    )
    _tell_applicant(
        application, "办理进度", f"您的申报 {application.tracking_number}：“{step.name}”环节已完成。"
    )
    return application


@transaction.atomic
def suspend(
    *, application: Application, actor: Any, kind: str, reason: str, at: dt.datetime | None = None
) -> Application:
    """特别程序 (Art. 45): both limits stop until :func:`resume`; the applicant is told in writing."""
    application = _take(application, actor, ApplicationStatus.PROCESSING)
    if kind not in _rules()["suspension_reasons"]:
        raise ValidationError(
            {"kind": [f"请选择特别程序的类别（{'、'.join(_rules()['suspension_reasons'])}）。"]}
        )
    if _step_paused(application.current_step):
        raise ValidationError(
            f"当前“{application.current_step.name}”环节本身不计算在办结时限内，办理期限已暂停，无需再进入特别程序。"
        )
    reason = _reason(reason, "特别程序的事由")
    at = at or timezone.now()
    last = application.case.pauses.order_by("-end_on").first()
    if last is not None and _local_day(at) < last.end_on:
        raise ValidationError(f"特别程序不能与上一次特别程序（至 {format_date(last.end_on)}）重叠。")
    for clock in (application.promised_clock, application.legal_clock):
        if clock is not None:
            clocks.pause_clock(clock=clock, reason_code=kind, reason=reason, at=at, actor=actor)
    application.status = ApplicationStatus.SUSPENDED
    application.save()
    _record(
        application,
        "suspended",
        f"特别程序（{kind}）",
        f"{reason}（所需时间不计算在办理期限内）",
        at,
        actor,
        action="govservice.application.suspend",
        detail={"kind": kind, "reason": reason},
    )
    _tell_applicant(
        application,
        "特别程序告知",
        f"您的申报 {application.tracking_number} 进入特别程序（{kind}）：{reason}。所需时间不计算在办理期限内。",
    )
    return application


@transaction.atomic
def resume(*, application: Application, actor: Any, at: dt.datetime | None = None) -> Application:
    application = _take(application, actor, ApplicationStatus.SUSPENDED)
    at = at or timezone.now()
    started = (
        application.events.filter(kind="suspended").order_by("-at", "-pk").values_list("at", "label").first()
    )
    start_on = _local_day(started[0]) if started else _local_day(at)
    kind = started[1].removeprefix("特别程序（").removesuffix("）") if started else "其他"
    for clock in (application.promised_clock, application.legal_clock):
        if clock is not None:
            clocks.resume_clock(clock=clock, at=at, actor=actor)
    CasePause.objects.create(case=application.case, start_on=start_on, end_on=_local_day(at), reason=kind)
    _refresh_case(application.case)
    application.status = ApplicationStatus.PROCESSING
    application.save()
    application.case.refresh_from_db()
    _record(
        application,
        "resumed",
        "特别程序结束",
        f"恢复计算办理期限，承诺办结期限顺延至 {format_date(application.case.promised_due_on)}。",
        at,
        actor,
        action="govservice.application.resume",
    )
    _tell_applicant(
        application,
        "特别程序结束",
        f"您的申报 {application.tracking_number} 特别程序已结束，恢复计算办理期限，"
        f"承诺 {format_date(application.case.promised_due_on)}前办结。",
    )
    return application


@transaction.atomic
def extend(
    *, application: Application, actor: Any, reason: str, at: dt.datetime | None = None
) -> Application:
    """Art. 42: once, approved by the head of the organ, the statutory limit gains 10 working days."""
    application = _take(
        application,
        actor,
        ApplicationStatus.PROCESSING,
        ApplicationStatus.SUSPENDED,
        permission=APPROVE_EXTENSION,
    )
    reason = _reason(reason, "延长期限的理由")
    at = at or timezone.now()
    settings_ = _rules()
    if application.extended:
        raise ValidationError(f"延长审批期限只能批准 {settings_['max_extensions']} 次，该申报已延期。")
    case = application.case
    if application.legal_clock is None:
        raise ValidationError("即办件当场办结，不能延期。")
    legal = application.legal_clock
    legal.refresh_from_db()
    if legal.state == ClockState.PAUSED:
        overdue = (legal.paused_remaining or 0) < 0
    else:
        overdue = _local_day(at) > case.legal_due_on
    if overdue:
        raise ValidationError(f"已超过法定办结期限（{format_date(case.legal_due_on)}），不能再批准延期。")
    days = settings_["extension_workdays"]
    clocks.extend_clock(clock=application.legal_clock, value=days, reason=reason, approver=actor, at=at)
    case.extension_days += days
    case.save(update_fields=["extension_days"])
    _refresh_case(case)
    case.refresh_from_db()
    application.extended = True
    application.save()
    _record(
        application,
        "extended",
        "延长审批期限",
        f"经本机关负责人批准延长 {days} 个工作日，法定办结期限为 {format_date(case.legal_due_on)}。理由：{reason}",
        at,
        actor,
        action="govservice.application.extend",
        detail={"days": days, "reason": reason},
    )
    _tell_applicant(
        application,
        "延长审批期限告知",
        f"您的申报 {application.tracking_number} 审批期限延长 {days} 个工作日至 {format_date(case.legal_due_on)}，"
        f"理由：{reason}",
    )
    return application


@transaction.atomic
def decide(
    *, application: Application, actor: Any, grant: bool, reason: str = "", at: dt.datetime | None = None
) -> Application:
    """准予 or 不予 (the latter with reasons, Art. 38); what is decided is then served (Art. 44)."""
    application = _take(application, actor, ApplicationStatus.PROCESSING)
    if application.current_step is not None:
        raise ValidationError(f"还有办理环节未完成（当前：“{application.current_step.name}”）。")
    reason = _reason(reason, "不予许可的理由") if not grant else " ".join((reason or "").split())[:1000]
    at = at or timezone.now()
    application.decision = Decision.GRANTED if grant else Decision.REFUSED
    application.decision_reason = reason
    application.decided_at = at
    application.current_step = None
    application.step_started_at = None
    application.status = ApplicationStatus.DECIDED
    if grant:
        application.delivery_clock = clocks.start_clock(
            case=application,
            limit_value=_rules()["delivery_workdays"],
            limit_unit=LimitUnit.WORKDAYS,
            started_at=at,
            organization=application.organization,
            label=f"{application.version.name} {application.tracking_number}（送达）",
            actor=actor,
        )
    application.save()
    label = "准予" if grant else "不予"
    _record(
        application,
        "decided",
        f"决定：{label}",
        reason or f"作出{label}决定。",
        at,
        actor,
        action="govservice.application.decide",
        detail={"decision": label, "reason": reason},
    )
    _tell_applicant(
        application,
        f"审批决定：{label}",
        f"您的申报 {application.tracking_number} 已作出{label}决定。{reason}",
    )
    return application


@transaction.atomic
def deliver(
    *, application: Application, actor: Any, method: str, at: dt.datetime | None = None
) -> Application:
    """送达 the decision (and the licence): the case is finished."""
    application = _take(application, actor, ApplicationStatus.DECIDED)
    if method not in _rules()["delivery_methods"]:
        raise ValidationError({"method": [f"请选择送达方式（{'、'.join(_rules()['delivery_methods'])}）。"]})
    at = at or timezone.now()
    for clock in (application.promised_clock, application.legal_clock, application.delivery_clock):
        if clock is not None:
            clock.refresh_from_db()
            if clock.state != ClockState.STOPPED:
                clocks.stop_clock(clock=clock, at=at, actor=actor)
    application.status = ApplicationStatus.FINISHED
    application.delivery_method = method
    application.delivered_at = at
    application.finished_at = at
    application.save()
    case = application.case
    case.finished_at = at
    case.finished_on = _local_day(at)
    case.decision = application.decision
    case.save(update_fields=["finished_at", "finished_on", "decision"])
    _refresh_case(case)
    _record(
        application,
        "finished",
        "送达办结",
        f"以“{method}”方式送达，办结。",
        at,
        actor,
        action="govservice.application.finish",
        detail={"method": method},
    )
    _tell_applicant(
        application,
        "申报已办结",
        f"您的申报 {application.tracking_number} 已办结（{method}）。欢迎对本次服务作出评价。",
    )
    return application
