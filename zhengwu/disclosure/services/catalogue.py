"""主动公开 writes: catalogue items with their 索引号, publication (保密审查, timeliness under Art. 26), validity,
attachments; the 公开指南; the 标准目录 entries.

索引号: ``前段码/后段码`` by default (``{credit_code}/{year}-{serial:05d}``, configurable in 政府信息公开设置). A number
is issued once: every number given out is kept in :class:`IssuedIndexNumber` even if its item is later deleted,
the serial of an organization and year only grows, and a number typed in by hand (an item carried over from an old
catalogue) must not collide with any number ever issued.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from zhengwu.core.confidentiality import describe, scan
from zhengwu.core.models import ClockPolicy, Organization
from zhengwu.core.selectors.calendar import get_work_calendar
from zhengwu.core.services.audit import audit
from zhengwu.core.services.uploads import check_upload
from zhengwu.portal.cache import purge_sites_after_commit

from ..models import (
    DisclosureGuide,
    DisclosureItem,
    DisclosureSettings,
    Genre,
    IndexSequence,
    IssuedIndexNumber,
    ItemAttachment,
    ItemStatus,
    StandardCatalogArea,
    StandardCatalogEntry,
    Theme,
)
from ..models.settings import _PLACEHOLDER
from ..rules import load
from .letters import format_day

PROACTIVE_POLICY = "disclosure-proactive"
OVERRIDE_PERMISSION = "portal.override_confidentiality"
ATTACHMENT_TYPES = ("pdf", "ofd", "doc", "docx", "xls", "xlsx", "wps", "et", "jpg", "png", "zip")


# -- 索引号 ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexNumber:
    front: str
    year: int
    serial: int | None
    text: str


_INDEX = re.compile(r"^(?P<front>[0-9A-Z]{6,20})/(?P<year>\d{4})-(?P<serial>\d{1,8})$")


def normalize_index_number(value: str) -> str:
    """What someone typed, in canonical form: half-width, no spaces, upper case, ``－``/``—`` as ``-``."""
    text = unicodedata.normalize("NFKC", value or "")
    text = re.sub(r"\s+", "", text).upper()
    return re.sub(r"[‐‑‒–—―－]", "-", text).replace("\\", "/")


def parse_index_number(value: str) -> IndexNumber | None:
    """Parse leniently a ``前段码/年份-流水号`` number (provinces vary in the rest, which is kept as typed)."""
    text = normalize_index_number(value)
    match = _INDEX.match(text)
    if match is None:
        return None
    return IndexNumber(match["front"], int(match["year"]), int(match["serial"]), text)


def format_index_number(pattern: str, *, organization: Organization, year: int, serial: int) -> str:
    values = {"credit_code": organization.credit_code or organization.code, "org_code": organization.code}

    def replace(match: re.Match) -> str:
        name, width = match.group(1), match.group(2)
        if name == "year":
            return f"{year:04d}"
        if name == "serial":
            return f"{serial:0{int(width or 5)}d}"
        return values[name]

    return _PLACEHOLDER.sub(replace, pattern)


def _issue_index_number(organization: Organization, year: int) -> tuple[str, int]:
    """The next free number of ``organization`` for ``year``, under a row lock on its sequence."""
    IndexSequence.objects.bulk_create(
        [IndexSequence(organization=organization, year=year, last_serial=0)], ignore_conflicts=True
    )
    sequence = IndexSequence.objects.select_for_update().get(organization=organization, year=year)
    # Numbers typed in by hand for this organization and year push the sequence past them.
    manual = (
        IssuedIndexNumber.objects.filter(organization=organization, year=year).aggregate(top=Max("serial"))[
            "top"
        ]
        or 0
    )
    serial = max(sequence.last_serial, manual)
    pattern = DisclosureSettings.load().index_number_pattern
    while True:
        serial += 1
        number = format_index_number(pattern, organization=organization, year=year, serial=serial)
        if not IssuedIndexNumber.objects.filter(number=number).exists():
            break
    sequence.last_serial = serial
    sequence.save(update_fields=["last_serial"])
    return number, serial


def _claim_index_number(typed: str) -> IndexNumber:
    parsed = parse_index_number(typed)
    text = parsed.text if parsed else normalize_index_number(typed)
    if not text:
        raise ValidationError({"index_number": ["索引号不能为空。"]})
    if len(text) > DisclosureItem._meta.get_field("index_number").max_length:
        raise ValidationError({"index_number": ["索引号过长。"]})
    taken = IssuedIndexNumber.objects.filter(number=text).select_related("item").first()
    if taken is not None:
        owner = f"（已用于“{taken.item.title}”）" if taken.item else "（该号码曾被使用，已作废）"
        raise ValidationError({"index_number": [f"索引号“{text}”已被使用{owner}，索引号不能重复使用。"]})
    if parsed is None:
        return IndexNumber("", 0, None, text)
    return parsed


# -- items -------------------------------------------------------------------------------------------------------


def _choice_codes(key: str) -> set[str]:
    return {item["code"] for item in load("catalogue")[key]}


def _clean_item(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for name in TEXT_FIELDS:
        values[name] = (values.get(name) or "").strip()
    if not values["title"]:
        fail("title", "请填写名称。")
    if not values["summary"]:
        fail("summary", "请填写内容概述。")
    theme = values.get("theme")
    if not isinstance(theme, Theme) or theme.parent_id is None or not theme.is_active:
        fail("theme", "请选择主题分类的二级类。")
    genre = values.get("genre")
    if not isinstance(genre, Genre) or not genre.is_active:
        fail("genre", "请选择体裁分类。")
    written_on = values.get("written_on")
    if not isinstance(written_on, dt.date):
        fail("written_on", "请填写成文日期。")
    elif written_on > timezone.localdate():
        fail("written_on", "成文日期不能晚于今天。")
    validity = values.get("validity") or "valid"
    values["validity"] = validity
    if validity not in _choice_codes("validity"):
        fail("validity", "有效性应为有效、失效或废止。")
    changed = values.get("validity_changed_on")
    if validity != "valid" and not changed:
        fail("validity_changed_on", "失效或废止的信息须填写失效/废止日期。")
    if validity == "valid" and changed:
        fail("validity_changed_on", "有效的信息不应填写失效/废止日期。")
    if changed and isinstance(written_on, dt.date) and changed < written_on:
        fail("validity_changed_on", "失效/废止日期不能早于成文日期。")
    if values.get("five_publics") and values["five_publics"] not in _choice_codes("five_publics"):
        fail("five_publics", "政务五公开类别无效。")
    if values.get("table2_kind") and values["table2_kind"] not in _choice_codes("table2_kinds"):
        fail("table2_kind", "年度报告统计类别无效。")
    if values.get("table2_kind") and not (values.get("document_number") or "").strip():
        fail("document_number", "规章、行政规范性文件须填写文号。")
    if errors:
        raise ValidationError(errors)
    return values


TEXT_FIELDS = (
    "title",
    "summary",
    "body",
    "issuing_authority",
    "document_number",
    "five_publics",
    "keywords",
    "table2_kind",
)
ITEM_FIELDS = (
    "title",
    "summary",
    "body",
    "theme",
    "genre",
    "issuing_authority",
    "written_on",
    "document_number",
    "validity",
    "validity_changed_on",
    "five_publics",
    "keywords",
    "table2_kind",
)


@transaction.atomic
def create_item(
    *,
    organization: Organization,
    actor: Any,
    index_number: str = "",
    standard_entries: list[StandardCatalogEntry] | None = None,
    http_request: Any = None,
    **fields: Any,
) -> DisclosureItem:
    """A draft catalogue item with its 索引号 (issued now, or the one typed in if it was never used)."""
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"unknown item fields: {sorted(unknown)}")
    values = _clean_item({name: fields.get(name) for name in ITEM_FIELDS})
    if index_number.strip():
        claimed = _claim_index_number(index_number)
        number, year, serial = claimed.text, claimed.year or values["written_on"].year, claimed.serial
    else:
        year = values["written_on"].year
        number, serial = _issue_index_number(organization, year)
    item = DisclosureItem(
        organization=organization,
        index_number=number,
        index_year=year,
        index_serial=serial,
        status=ItemStatus.DRAFT,
        created_by=actor if getattr(actor, "pk", None) else None,
        **values,
    )
    try:
        with transaction.atomic():
            item.save()
            IssuedIndexNumber.objects.create(
                number=number, organization=organization, year=year, serial=serial, item=item
            )
    except IntegrityError:
        raise ValidationError({"index_number": [f"索引号“{number}”已被使用，索引号不能重复使用。"]}) from None
    if standard_entries:
        item.standard_entries.set(standard_entries)
    audit(
        actor=actor,
        action="disclosure.item.create",
        target=item,
        organization=organization,
        detail={"index_number": number, "title": item.title},
        request=http_request,
    )
    return item


@transaction.atomic
def update_item(
    *,
    item: DisclosureItem,
    actor: Any,
    standard_entries: list[StandardCatalogEntry] | None = None,
    http_request: Any = None,
    **fields: Any,
) -> DisclosureItem:
    """Change an item's metadata; its 索引号 never changes."""
    if "index_number" in fields and normalize_index_number(fields.pop("index_number")) != item.index_number:
        raise ValidationError({"index_number": ["索引号一经发放不能修改。"]})
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"unknown item fields: {sorted(unknown)}")
    item = DisclosureItem.objects.select_for_update().get(pk=item.pk)
    values = {name: fields.get(name, getattr(item, name)) for name in ITEM_FIELDS}
    values = _clean_item(values)
    changed = [name for name in ITEM_FIELDS if getattr(item, name) != values[name]]
    for name in changed:
        setattr(item, name, values[name])
    if item.status == ItemStatus.PUBLISHED and ("written_on" in changed):
        _apply_timeliness(item)
    item.save()
    if standard_entries is not None:
        item.standard_entries.set(standard_entries)
    audit(
        actor=actor,
        action="disclosure.item.update",
        target=item,
        organization=item.organization,
        detail={"changed": changed},
        request=http_request,
    )
    if item.status == ItemStatus.PUBLISHED:
        purge_sites_after_commit()
    return item


def _proactive_limit() -> tuple[int, str]:
    policy = ClockPolicy.objects.filter(code=PROACTIVE_POLICY).first()
    if policy is None:
        raise ValidationError("时限规则“主动公开时限”尚未加载，请先运行安装步骤（zhengwu setup）。")
    return policy.limit_value, policy.source


def timeliness(written_on: dt.date, published_on: dt.date) -> tuple[int, bool, str]:
    """Working days from 成文 to 发布 (the day written not counted) and whether that exceeds Art. 26's limit."""
    limit, source = _proactive_limit()
    calendar = get_work_calendar()
    count = calendar.workdays_between(written_on, published_on)
    deadline = calendar.add_workdays(written_on, limit).date
    late = count.count > limit
    text = (
        f"成文日期{format_day(written_on)}，发布日期{format_day(published_on)}，相隔{count.count}个工作日"
        f"（成文当日不计）；应在成文之日起{limit}个工作日内即{format_day(deadline)}前公开（{source}）。"
    )
    if late:
        text += f"超过时限{count.count - limit}个工作日。"
    if count.uses_fallback:
        text += "注意：期间有年度的节假日安排尚未导入，暂按周一至周五为工作日推算。"
    return count.count, late, text


def _apply_timeliness(item: DisclosureItem) -> None:
    if item.published_on is None:
        return
    item.delay_workdays, item.is_late, item.timeliness_note = timeliness(item.written_on, item.published_on)


@transaction.atomic
def publish_item(
    *,
    item: DisclosureItem,
    actor: Any,
    published_on: dt.date | None = None,
    override_reason: str = "",
    http_request: Any = None,
) -> DisclosureItem:
    """主动公开: the 保密审查 scan must pass (or be overridden in writing by someone allowed to); the delay since
    成文 is computed and an item later than Art. 26 allows is flagged."""
    item = DisclosureItem.objects.select_for_update().get(pk=item.pk)
    if item.status == ItemStatus.PUBLISHED:
        raise ValidationError("该信息已经公开。")
    published_on = published_on or timezone.localdate()
    if published_on > timezone.localdate():
        raise ValidationError("发布日期不能晚于今天；需要定时发布的，请到期后再发布。")
    if published_on < item.written_on:
        raise ValidationError(
            f"发布日期（{format_day(published_on)}）不能早于成文日期（{format_day(item.written_on)}）。"
        )
    hits = scan("\n".join([item.title, item.summary, item.body]))
    override_reason = (override_reason or "").strip()
    if hits:
        if not override_reason:
            raise ValidationError(
                f"保密审查发现以下内容，不能发布：{describe(hits)}。确需发布的，请由有权限的审核人填写理由后发布。"
            )
        if actor is None or not actor.has_perm(OVERRIDE_PERMISSION):
            raise ValidationError("保密审查提示须由有“确认保密审查提示后发布”权限的审核人确认。")
        item.review_override_reason = override_reason[:500]
        item.reviewed_by = actor
    item.status = ItemStatus.PUBLISHED
    item.published_on = published_on
    _apply_timeliness(item)
    item.save()
    audit(
        actor=actor,
        action="disclosure.item.publish",
        target=item,
        organization=item.organization,
        detail={
            "index_number": item.index_number,
            "published_on": published_on,
            "delay_workdays": item.delay_workdays,
            "late": item.is_late,
            "confidentiality_hits": describe(hits) if hits else "",
            "override_reason": item.review_override_reason if hits else "",
        },
        request=http_request,
    )
    purge_sites_after_commit()
    return item


@transaction.atomic
def withdraw_item(
    *, item: DisclosureItem, reason: str, actor: Any, http_request: Any = None
) -> DisclosureItem:
    """撤回: the item leaves the public catalogue; its 索引号 stays issued."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写撤回理由。")
    item = DisclosureItem.objects.select_for_update().get(pk=item.pk)
    if item.status != ItemStatus.PUBLISHED:
        raise ValidationError("只能撤回已公开的信息。")
    item.status = ItemStatus.WITHDRAWN
    item.save(update_fields=["status", "updated_at"])
    audit(
        actor=actor,
        action="disclosure.item.withdraw",
        target=item,
        organization=item.organization,
        detail={"index_number": item.index_number, "reason": reason},
        request=http_request,
    )
    purge_sites_after_commit()
    return item


@transaction.atomic
def add_attachment(
    *, item: DisclosureItem, uploaded_file: Any, actor: Any, http_request: Any = None
) -> ItemAttachment:
    checked = check_upload(uploaded_file, allowed=ATTACHMENT_TYPES)
    attachment = ItemAttachment(
        item=item,
        display_name=checked.display_name,
        kind=checked.kind,
        size=checked.size,
        sort_order=item.attachments.count(),
    )
    attachment.file.save(checked.storage_name, checked.file, save=False)
    attachment.save()
    audit(
        actor=actor,
        action="disclosure.item.attach",
        target=item,
        organization=item.organization,
        detail={"file": attachment.display_name, "size": attachment.size},
        request=http_request,
    )
    return attachment


# -- 公开指南 ----------------------------------------------------------------------------------------------------

GUIDE_FIELDS = (
    "classification",
    "arrangement",
    "access_methods",
    "office_name",
    "office_address",
    "office_hours",
    "phone",
    "fax",
    "online_contact",
    "postal_code",
    "request_procedure",
    "remedies",
)
GUIDE_REQUIRED = GUIDE_FIELDS[:9]


@transaction.atomic
def save_guide(
    *, organization: Organization, actor: Any, http_request: Any = None, **fields: Any
) -> DisclosureGuide:
    """The 公开指南 with every field Art. 12 requires; the page shows when it was last updated."""
    unknown = set(fields) - set(GUIDE_FIELDS)
    if unknown:
        raise TypeError(f"unknown guide fields: {sorted(unknown)}")
    values = {name: (fields.get(name) or "").strip() for name in GUIDE_FIELDS}
    errors = {
        name: [f"请填写{DisclosureGuide._meta.get_field(name).verbose_name}（条例第十二条）。"]
        for name in GUIDE_REQUIRED
        if not values[name]
    }
    for name, value in values.items():
        limit = DisclosureGuide._meta.get_field(name).max_length
        if limit and len(value) > limit:
            errors.setdefault(name, []).append(f"不能超过 {limit} 个字。")
    if errors:
        raise ValidationError(errors)
    guide = DisclosureGuide.objects.select_for_update().filter(organization=organization).first()
    created = guide is None
    guide = guide or DisclosureGuide(organization=organization)
    changed = [name for name in GUIDE_FIELDS if getattr(guide, name) != values[name]]
    for name in GUIDE_FIELDS:
        setattr(guide, name, values[name])
    guide.updated_by = actor if getattr(actor, "pk", None) else None
    guide.save()
    audit(
        actor=actor,
        action="disclosure.guide.save",
        target=guide,
        organization=organization,
        detail={"created": created, "changed": changed},
        request=http_request,
    )
    purge_sites_after_commit()
    return guide


# -- 标准目录 ----------------------------------------------------------------------------------------------------

ENTRY_FIELDS = (
    "serial",
    "level1",
    "level2",
    "content",
    "basis",
    "time_limit_text",
    "time_limit_workdays",
    "subject",
    "channels",
    "audience",
    "mode",
    "levels",
)


@transaction.atomic
def save_standard_entry(
    *,
    area: StandardCatalogArea,
    organization: Organization,
    actor: Any,
    entry: StandardCatalogEntry | None = None,
    http_request: Any = None,
    **fields: Any,
) -> StandardCatalogEntry:
    """Create or change one row of the 标准目录, checking the multi-choice columns against the rule file."""
    unknown = set(fields) - set(ENTRY_FIELDS)
    if unknown:
        raise TypeError(f"unknown entry fields: {sorted(unknown)}")
    rules = load("catalogue")
    errors: dict[str, list[str]] = {}
    values = {name: fields.get(name) for name in ENTRY_FIELDS}
    for name in ("level1", "level2", "content", "basis", "time_limit_text", "subject"):
        values[name] = (values[name] or "").strip()
    for name in ("level1", "content", "basis", "time_limit_text", "subject"):
        if not values[name]:
            errors[name] = [f"请填写{StandardCatalogEntry._meta.get_field(name).verbose_name}。"]
    if not isinstance(values["serial"], int) or values["serial"] <= 0:
        errors["serial"] = ["序号应为正整数。"]
    channels = list(values["channels"] or [])
    bad = [c for c in channels if c not in rules["channels"]]
    if not channels or bad:
        errors["channels"] = [
            f"请从列表中选择公开渠道和载体{('（无效：' + '、'.join(bad) + '）') if bad else ''}。"
        ]
    values["channels"] = [c for c in rules["channels"] if c in channels]
    if values["audience"] not in _choice_codes("audiences"):
        errors["audience"] = ["请选择公开对象。"]
    if values["mode"] not in _choice_codes("modes"):
        errors["mode"] = ["请选择公开方式。"]
    levels = list(values["levels"] or [])
    if not levels or any(level not in _choice_codes("levels") for level in levels):
        errors["levels"] = ["请选择公开层级（县级、乡级）。"]
    limit = values["time_limit_workdays"]
    if limit is not None and (not isinstance(limit, int) or limit <= 0):
        errors["time_limit_workdays"] = ["公开时限（工作日）应为正整数，或留空。"]
    if errors:
        raise ValidationError(errors)
    entry = entry or StandardCatalogEntry(area=area, organization=organization)
    entry.area, entry.organization = area, organization
    for name, value in values.items():
        setattr(entry, name, value)
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        raise ValidationError({"serial": [f"{area.name}领域已有序号为{values['serial']}的事项。"]}) from None
    audit(
        actor=actor,
        action="disclosure.standard_entry.save",
        target=entry,
        organization=organization,
        detail={"area": area.name, "serial": entry.serial, "level1": entry.level1},
        request=http_request,
    )
    purge_sites_after_commit()
    return entry
