"""政务服务“好差评”: ratings, the rectification of every 实名差评 on the dispatch engine, 申诉复核, the figures
published per unit and the export in the provincial system's fields.

Who may do what (checked here, whatever page or command calls):

- anyone may rate: the applicant of an online 办件 by its number and query code (实名, once per 办件), the window's
  评价器 for an on-site 办件 (once per 办件), anyone on a guide page (实名 when a name and a mobile number are
  given);
- the rated unit (``core.handle_assignment``, its own assignments only): 回访核实 (the engine's 签收), 整改 report
  (the engine's 答复), 申诉 (once, 误评 or 恶意差评);
- the 好差评 office (``govservice.handle_ratings`` with ``core.dispatch_cases``): review the report, call the rater
  back on the fix, 退回重办, 办结, 申诉复核 (an upheld appeal voids the rating and withdraws the rectification).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Q
from django.utils import timezone

from zhengwu.core.models import Organization
from zhengwu.core.models.dispatch import DispatchState
from zhengwu.core.services import dispatch as engine
from zhengwu.core.services.audit import audit
from zhengwu.core.services.clock import SHANGHAI, load_clock_policies

from .. import rules
from ..models import (
    AppealState,
    Application,
    ApplicationStatus,
    RatingChannel,
    RatingStatus,
    Rectification,
    ServiceCase,
    ServiceItem,
    ServiceRating,
)

HANDLE_RATINGS = "govservice.handle_ratings"
CASE_TYPE = "rating"
MAX_REASON = 500


def _rules() -> dict[str, Any]:
    return rules.ratings()


def level_choices() -> list[tuple[int, str]]:
    return [(lv["value"], f"{lv['label']}（{lv['stars']}）") for lv in _rules()["levels"]]


level_label = rules.rating_level_label


def indicators(channel: str) -> list[str]:
    """The fixed indicator set of a channel: on-site for the 评价器, online otherwise."""
    return list(_rules()["indicators"]["onsite" if channel == RatingChannel.ONSITE else "online"])


def bad_tags() -> list[str]:
    return list(_rules()["bad_tags"])


def is_bad(level: int) -> bool:
    return level in rules.bad_rating_levels()


def load_rating_rules(*, actor: Any = None) -> int:
    """The clock policies and dispatch limits of 差评整改 (回访核实 = 签收, 整改 = 办理)."""
    written = load_clock_policies(rules.RULES_DIR / "ratings.json", actor=actor)
    return written + engine.load_dispatch_limits(case_type=CASE_TYPE, rows=_rules()["limits"], actor=actor)


# -- rating ------------------------------------------------------------------------------------------------------


@dataclass
class RatingInput:
    scores: dict[str, Any]
    tags: list[str]
    reason: str = ""
    rater_name: str = ""
    rater_phone: str = ""


def _check(channel: str, data: RatingInput) -> tuple[dict[str, int], list[str], str, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    scores: dict[str, int] = {}
    allowed = {lv["value"] for lv in _rules()["levels"]}
    for name in indicators(channel):
        raw = (data.scores or {}).get(name)
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = 0
        if value not in allowed:
            errors.setdefault("scores", []).append(f"请为“{name}”选择评价等级。")
        else:
            scores[name] = value
    extra = set(data.scores or {}) - set(indicators(channel))
    if extra:
        errors.setdefault("scores", []).append(f"评价指标“{'、'.join(sorted(extra))}”不属于本渠道的指标。")
    tags = []
    for tag in data.tags or []:
        tag = str(tag).strip()
        if tag not in bad_tags():
            errors.setdefault("tags", []).append(f"差评标签“{tag}”不在标签列表中。")
        elif tag not in tags:
            tags.append(tag)
    reason = " ".join(str(data.reason or "").split())
    if len(reason) > MAX_REASON:
        errors.setdefault("reason", []).append(f"评价内容不能超过 {MAX_REASON} 字（现有 {len(reason)} 字）。")
    overall = scores.get(indicators(channel)[0])
    if overall is not None and is_bad(overall) and not tags and len(reason) < 5:
        errors.setdefault("reason", []).append(
            "选择“不满意”或“非常不满意”的，请选择差评标签或填写理由（至少 5 个字）。"
        )
    if overall is not None and not is_bad(overall):
        tags = []  # tags describe a 差评; a good rating keeps its words only
    return scores, tags, reason, errors


def _open_rectification(rating: ServiceRating, at: dt.datetime) -> Rectification:
    from zhengwu.core.services.numbering import issue_tracking_number, tracking_prefix

    rectification = Rectification.objects.create(
        tracking_number=issue_tracking_number(
            prefix=tracking_prefix(CASE_TYPE, default="ZG"), on=at.astimezone(SHANGHAI).date()
        ),
        rating=rating,
    )
    detail = "、".join(rating.tags) or "（未选标签）"
    engine.dispatch_case(
        case=rectification,
        unit=rating.organization,
        actor=None,
        at=at,
        instructions=(
            f"实名差评（{rating.level_label}）：{rating.version.name}。差评标签：{detail}。"
            + (f"评价内容：{rating.reason}" if rating.reason else "")
            + "请在签收时限内联系评价人回访核实，在整改时限内整改并报告。"
        )[:500],
    )
    return rectification


def submit_rating(
    *,
    channel: str,
    data: RatingInput,
    application: Application | None = None,
    case: ServiceCase | None = None,
    item: ServiceItem | None = None,
    ip_address: str | None = None,
    at: dt.datetime | None = None,
) -> ServiceRating:
    """Store a rating; a 实名差评 opens its rectification in the same transaction. A second rating of one 办件 is
    refused (the first one counts). Raises ``ValidationError`` keyed by field."""
    from zhengwu.core.sms import normalize_mobile

    at = at or timezone.now()
    if channel not in RatingChannel.values:
        raise ValidationError("评价渠道无效。")
    scores, tags, reason, errors = _check(channel, data)
    real_name, name, phone = False, "", ""
    if application is not None:
        if application.status not in (ApplicationStatus.FINISHED, ApplicationStatus.REJECTED):
            raise ValidationError("办结后才能评价该办件。")
        ended = application.finished_at or application.updated_at
        window = _rules()["rating_window_days"]
        if ended and at - ended > dt.timedelta(days=window):
            raise ValidationError(f"办结 {window} 日后不再接受对该办件的评价。")
        item, case = application.item, application.case
        real_name, name, phone = True, application.applicant_name, application.phone
    elif case is not None:
        if case.finished_at is None:
            raise ValidationError("办结后才能评价该办件。")
        item = case.item
        real_name = bool(data.rater_name and data.rater_phone)
    elif item is None:
        raise ValidationError("请指明评价的事项或办件。")
    if application is None:
        name = " ".join(str(data.rater_name or "").split())[:100]
        phone_raw = str(data.rater_phone or "").strip()
        if phone_raw:
            try:
                phone = normalize_mobile(phone_raw)
            except ValidationError:
                errors.setdefault("rater_phone", []).append("请填写正确的手机号码（11 位）。")
        if bool(name) != bool(phone_raw):
            errors.setdefault("rater_name", []).append(
                "实名评价请同时填写姓名和手机号码；匿名评价两项都不填。"
            )
        real_name = bool(name and phone)
    if errors:
        raise ValidationError(errors)
    version = (
        application.version
        if application is not None
        else case.version
        if case is not None
        else item.current_version
    )
    if version is None:
        raise ValidationError("该事项没有可评价的办事指南。")
    organization = (
        application.organization if application else case.organization if case else item.organization
    )
    level = scores[indicators(channel)[0]]
    try:
        with transaction.atomic():
            rating = ServiceRating.objects.create(
                item=item,
                version=version,
                organization=organization,
                application=application,
                case=case,
                channel=channel,
                indicator_set="onsite" if channel == RatingChannel.ONSITE else "online",
                indicator_version=_rules()["indicators"]["version"],
                level=level,
                scores=scores,
                tags=tags,
                reason=reason,
                real_name=real_name,
                rater_name=name,
                rater_phone=phone,
                rated_at=at,
                ip_address=ip_address or None,
            )
            audit(
                actor=None,
                action="govservice.rating.submit",
                target=rating,
                organization=organization,
                detail={"item": item.code, "level": level, "channel": channel, "real_name": real_name},
            )
            if is_bad(level) and real_name:
                _open_rectification(rating, at)
    except IntegrityError:
        raise ValidationError("该办件已评价，每个办件只计一次评价。") from None
    return rating


# -- the unit: 回访核实, 整改, 申诉 ----------------------------------------------------------------------------------


def _lead(rectification: Rectification):
    return engine.current_lead(rectification)


@transaction.atomic
def verify(
    *, rectification: Rectification, note: str, actor: Any, at: dt.datetime | None = None
) -> Rectification:
    """回访核实: the unit has called the rater and states what it found; the engine records it as the 签收."""
    note = " ".join((note or "").split())
    if len(note) < 10:
        raise ValidationError(
            {"note": "请写明回访核实情况（联系评价人的时间、方式和核实结果，至少 10 个字）。"}
        )
    lead = _lead(rectification)
    if lead is None:
        raise ValidationError("该整改没有待签收的交办。")
    engine.sign_assignment(assignment=lead, actor=actor, at=at)
    locked = Rectification.objects.select_for_update().get(pk=rectification.pk)
    locked.verified_at = at or timezone.now()
    locked.verify_note = note[:1000]
    locked.save(update_fields=["verified_at", "verify_note"])
    engine._event(locked, "verify", f"回访核实：{note}", actor=actor, at=locked.verified_at)
    return locked


@transaction.atomic
def report(
    *,
    rectification: Rectification,
    text: str,
    actor: Any,
    attachments: Any = (),
    at: dt.datetime | None = None,
) -> Any:
    """整改报告: the unit's reply on the engine, reviewed by the office."""
    lead = _lead(rectification)
    if lead is None:
        raise ValidationError("该整改已结束。")
    return engine.reply_case(assignment=lead, text=text, actor=actor, attachments=attachments, at=at)


@transaction.atomic
def appeal(
    *, rectification: Rectification, kind: str, text: str, actor: Any, at: dt.datetime | None = None
) -> Rectification:
    """申诉: the rated unit holds the rating mistaken (误评) or malicious (恶意差评); once per rectification."""
    locked = Rectification.objects.select_for_update().select_related("rating").get(pk=rectification.pk)
    lead = _lead(locked)
    if lead is None or not locked.is_dispatch_open:
        raise ValidationError("该整改已结束，不能申诉。")
    engine._require_unit(actor, lead.organization, "申诉")
    if locked.appeal_state:
        raise ValidationError("每条差评只能申诉一次。")
    errors: dict[str, list[str]] = {}
    if kind not in _rules()["appeal_kinds"]:
        errors["kind"] = ["请选择申诉类型（误评或恶意差评）。"]
    text = " ".join((text or "").split())
    if len(text) < 10:
        errors["text"] = ["请写明申诉理由和依据（至少 10 个字）。"]
    if errors:
        raise ValidationError(errors)
    at = engine._moment(at, what="申诉时间")
    locked.appeal_state = AppealState.PENDING
    locked.appeal_kind = kind
    locked.appeal_text = text[:1000]
    locked.appealed_at = at
    locked.save(update_fields=["appeal_state", "appeal_kind", "appeal_text", "appealed_at"])
    ServiceRating.objects.filter(pk=locked.rating_id).update(status=RatingStatus.APPEALED)
    engine._event(
        locked, "appeal", f"申诉（{kind}）：{text}", actor=actor, at=at, organization=lead.organization
    )
    audit(
        actor=actor,
        action="govservice.rating.appeal",
        target=locked,
        organization=lead.organization,
        detail={"number": locked.tracking_number, "kind": kind},
    )
    _tell_office(f"差评申诉待复核：{locked.tracking_number}")
    return locked


def _tell_office(title: str) -> None:
    from zhengwu.core.models import Staff
    from zhengwu.core.services.notifications import notify

    office = [u for u in Staff.objects.filter(is_active=True) if u.has_perm(HANDLE_RATINGS)]
    if office:
        transaction.on_commit(
            lambda: notify(recipients=office, title=title, category="govservice"), robust=True
        )


# -- the office: 申诉复核 -----------------------------------------------------------------------------------------


@transaction.atomic
def decide_appeal(
    *, rectification: Rectification, upheld: bool, note: str, actor: Any, at: dt.datetime | None = None
) -> Rectification:
    """申诉复核: upheld → the rating is void (not counted) and the rectification is withdrawn; refused → the
    rating stands and the rectification goes on."""
    engine._require_office(actor, engine.DISPATCH, "申诉复核", rectification)
    locked = Rectification.objects.select_for_update().get(pk=rectification.pk)
    if locked.appeal_state != AppealState.PENDING:
        raise ValidationError("该差评没有待复核的申诉。")
    note = " ".join((note or "").split())
    if len(note) < 4:
        raise ValidationError({"note": "请写明复核意见（至少 4 个字）。"})
    at = engine._moment(at, after=locked.appealed_at, what="复核时间")
    locked.appeal_state = AppealState.UPHELD if upheld else AppealState.REFUSED
    locked.appeal_decided_at = at
    locked.appeal_note = note[:1000]
    locked.save(update_fields=["appeal_state", "appeal_decided_at", "appeal_note"])
    ServiceRating.objects.filter(pk=locked.rating_id).update(
        status=RatingStatus.VOID if upheld else RatingStatus.VALID
    )
    engine._event(
        locked,
        "appeal_decided",
        f"申诉复核：{'申诉成立' if upheld else '申诉不成立'}，{note}",
        actor=actor,
        at=at,
    )
    audit(
        actor=actor,
        action="govservice.rating.decide_appeal",
        target=locked,
        detail={"number": locked.tracking_number, "upheld": upheld},
    )
    if upheld and locked.is_dispatch_open:
        engine.withdraw_case(
            case=locked, reason=f"申诉成立（{locked.appeal_kind}）：{note}", actor=actor, at=at
        )
        locked.refresh_from_db()
    return locked


# -- figures -----------------------------------------------------------------------------------------------------


def _rate(numerator: int, denominator: int) -> float | None:
    if not denominator:
        return None
    return float((Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"), ROUND_HALF_UP))


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    begin = dt.datetime.combine(start, dt.time.min, tzinfo=SHANGHAI)
    finish = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=SHANGHAI)
    return begin, finish


def rating_figures(
    *, start: dt.date, end: dt.date, unit: Organization | None = None, as_of: dt.datetime | None = None
) -> dict[str, Any]:
    """Ratings given in the period (Asia/Shanghai dates), per unit and in total: 评价数 (void ratings excluded),
    好评 (非常满意, 满意, 基本满意) and 好评率, 差评数, 实名差评, 已整改 (rectification finished) and 差评整改率 =
    已整改 ÷ 实名差评, each rate to 4 decimals (``null`` when there is nothing to divide)."""
    if end < start:
        raise ValidationError("截止日期不能早于起始日期。")
    begin, finish = _bounds(start, end)
    bad = rules.bad_rating_levels()
    qs = ServiceRating.objects.filter(rated_at__gte=begin, rated_at__lt=finish).exclude(
        status=RatingStatus.VOID
    )
    if unit is not None:
        qs = qs.filter(organization__path__startswith=unit.path)
    rows = (
        qs.values("organization_id")
        .annotate(
            ratings=Count("pk"),
            bad=Count("pk", filter=Q(level__in=bad)),
            real_name_bad=Count("pk", filter=Q(level__in=bad, real_name=True)),
            rectified=Count(
                "pk",
                filter=Q(
                    level__in=bad,
                    real_name=True,
                    rectification__dispatch_state=DispatchState.FINISHED,
                    # a withdrawn rectification (finished_on_time None) was not a fix
                    rectification__finished_on_time__isnull=False,
                ),
            ),
            **{f"level_{lv['value']}": Count("pk", filter=Q(level=lv["value"])) for lv in _rules()["levels"]},
        )
        .order_by()
    )
    orgs = {o.pk: o for o in Organization.objects.filter(pk__in=[r["organization_id"] for r in rows])}

    def shape(row: dict[str, Any]) -> dict[str, Any]:
        good = row["ratings"] - row["bad"]
        return {
            "ratings": row["ratings"],
            "good": good,
            "good_rate": _rate(good, row["ratings"]),
            "bad": row["bad"],
            "real_name_bad": row["real_name_bad"],
            "rectified": row["rectified"],
            "rectification_rate": _rate(row["rectified"], row["real_name_bad"]),
            "levels": {level_label(lv["value"]): row[f"level_{lv['value']}"] for lv in _rules()["levels"]},
        }

    units = []
    totals: dict[str, int] = {}
    for row in rows:
        org = orgs[row["organization_id"]]
        units.append({"unit": org.credit_code, "name": org.name, **shape(row)})
        for key, value in row.items():
            if key != "organization_id":
                totals[key] = totals.get(key, 0) + value
    units.sort(key=lambda u: (-u["ratings"], u["unit"]))
    empty = {"ratings": 0, "bad": 0, "real_name_bad": 0, "rectified": 0}
    empty.update({f"level_{lv['value']}": 0 for lv in _rules()["levels"]})
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        **shape({**empty, **totals}),
        "units": units,
    }


def published_rectifications(*, limit: int = 20) -> models.QuerySet[Rectification]:
    """Finished rectifications (not withdrawn) for the public page: the item, the unit, the date and the fix."""
    return (
        Rectification.objects.filter(
            dispatch_state=DispatchState.FINISHED,
            finished_on_time__isnull=False,
            rating__status=RatingStatus.VALID,
        )
        .exclude(public_reply="")
        .select_related("rating__version", "rating__organization")
        .order_by("-finished_at")[:limit]
    )


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def ratings_summary(figures: dict[str, Any]) -> str:
    """One paragraph in the words counties publish."""
    text = (
        f"{figures['from']}至{figures['to']}，共收到政务服务评价{figures['ratings']}个，"
        f"其中好评{figures['good']}个，好评率{_pct(figures['good_rate'])}；差评{figures['bad']}个，"
        f"实名差评{figures['real_name_bad']}个，已整改{figures['rectified']}个，"
        f"差评整改率{_pct(figures['rectification_rate'])}。"
    )
    return text


def write_ratings_xlsx(figures: dict[str, Any], handle: Any) -> None:
    from openpyxl import Workbook

    from zhengwu.core.spreadsheets import save_workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "好差评统计"
    sheet.append([f"好差评统计（{figures['from']} 至 {figures['to']}）"])
    labels = [lv["label"] for lv in _rules()["levels"]]
    sheet.append(
        [
            "单位",
            "统一社会信用代码",
            "评价数",
            "好评数",
            "好评率",
            "差评数",
            "实名差评",
            "已整改",
            "差评整改率",
            *labels,
        ]
    )
    rows = [*figures["units"], {"name": "合计", "unit": "", **figures}]
    for row in rows:
        sheet.append(
            [
                row["name"],
                row["unit"],
                row["ratings"],
                row["good"],
                row["good_rate"],
                row["bad"],
                row["real_name_bad"],
                row["rectified"],
                row["rectification_rate"],
                *(row["levels"][label] for label in labels),
            ]
        )
    for cells in sheet.iter_rows(min_row=3, min_col=5, max_col=9):
        for cell in cells:
            if cell.column in (5, 9):
                cell.number_format = "0.00%"
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["B"].width = 22
    save_workbook(book, handle)


# -- provincial export -------------------------------------------------------------------------------------------


def _iso(moment: dt.datetime | None) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def provincial_records(*, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Ratings of the period in the fields the provincial 好差评 system takes (``rules/ratings.json``), void
    ratings left out. Personal data is the applicant's own, as the provincial system requires it."""
    spec = _rules()["provincial_export"]
    begin, finish = _bounds(start, end)
    qs = (
        ServiceRating.objects.filter(rated_at__gte=begin, rated_at__lt=finish)
        .exclude(status=RatingStatus.VOID)
        .select_related("item", "version", "organization", "application", "case")
        .order_by("rated_at", "pk")
    )
    county = Organization.objects.filter(parent__isnull=True).first()
    records = []
    for rating in qs.iterator(chunk_size=2000):
        app, case = rating.application, rating.case
        number = app.tracking_number if app else case.number if case else f"PJ{rating.pk:010d}"
        finished = (app.finished_at if app else None) or (case.finished_at if case else None)
        record = {
            "projNo": number,
            "projName": rating.version.name,
            "serviceCode": rating.item.code,
            "serviceName": rating.version.name,
            "serviceVersion": str(rating.version.number),
            "serviceDepartment": rating.organization.name,
            "serviceDepartmentCode": rating.organization.credit_code,
            "ssqdBaseCode": rating.item.code,
            "handleStateCode": "2" if finished else "1",
            "handleStateName": "办结" if finished else "收件",
            "applicantName": app.applicant_name if app else rating.rater_name,
            "applicantCardNumber": app.applicant_id_number if app else "",
            "applicantPhone": app.phone if app else rating.rater_phone,
            "userProp": ("1" if app.applicant_kind == "person" else "2") if app else "",
            "userPageType": ("111" if app.applicant_kind == "person" else "001") if app else "",
            "regionCode": getattr(county, "division_code", "") or "",
            "regionName": county.name if county else "",
            "applyTime": _iso(app.received_at if app else case.accepted_at if case else None),
            "transactionTime": _iso(finished),
            "evaluatedPersonInfo": [],
            "source": rating.get_channel_display(),
            "evaluateChannel": spec["channels"][rating.channel],
            "version": spec["version"],
            "satisfaction": str(rating.level),
            "satisfactionName": rating.level_label,
            "evaluateTime": _iso(rating.rated_at),
            "evaluateTags": rating.tags,
            "evaluateContent": rating.reason,
        }
        records.append({key: record[key] for key in spec["fields"]})
    return records
