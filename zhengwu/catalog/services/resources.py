"""Writes of the resource catalogue: departments keep their own entries, the county office (电子政务办) reviews
them and publishes catalogue versions, a change in a department's functions flags its entries for review.

Organization scope is enforced here, not only in the views: a staff member may create and change entries only for
providers in their own organization subtree (``core.scoping``), unless they hold county-wide access.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zhengwu.core.models import Organization
from zhengwu.core.scoping import is_in_scope
from zhengwu.core.services.audit import audit

from .. import rules
from ..models import (
    CatalogVersion,
    CodeSequence,
    DataItem,
    Resource,
    ResourceClass,
    ResourceStatus,
    ShareType,
)
from ..selectors.records import resource_record

VERSION_SEQUENCE = "VERSION"  # the CodeSequence row numbering published versions (never a 分类码: not digits)


@dataclass
class ItemData:
    name: str
    data_type: str
    length: int | None = None


@dataclass
class ResourceData:
    """What a department fills in for one entry (the code is generated, the provider code follows the provider)."""

    classification: ResourceClass | None
    name: str
    provider: Organization | None
    items: list[ItemData]
    share_type: str
    summary: str = ""
    resource_format: str = ""
    share_condition: str = ""
    share_basis: str = ""
    share_method: str = ""
    open_to_public: bool = False
    open_condition: str = ""
    update_cycle: str = ""
    published_on: dt.date | None = None
    related_codes: list[str] = field(default_factory=list)
    extension: dict[str, Any] = field(default_factory=dict)


def provider_code_of(org: Organization) -> str:
    """信息资源提供方代码: the provider's 统一社会信用代码, or its platform code where it has none."""
    return org.credit_code or org.code


def code_pattern_parts() -> tuple[str, int]:
    return settings.ZHENGWU_CATALOG_CODE_SEPARATOR, settings.ZHENGWU_CATALOG_SEQUENCE_WIDTH


def format_code(classification_code: str, sequence: int) -> str:
    separator, width = code_pattern_parts()
    return f"{classification_code}{separator}{sequence:0{width}d}"


def parse_code(code: str, classification_code: str) -> int | None:
    """The 顺序码 of ``code`` when it is a code under ``classification_code``; None otherwise."""
    separator, _ = code_pattern_parts()
    prefix = classification_code + separator
    if not code.startswith(prefix):
        return None
    rest = code[len(prefix) :]
    return int(rest) if rest.isdigit() and int(rest) > 0 else None


def _locked_sequence(key: str) -> CodeSequence:
    row = CodeSequence.objects.select_for_update().filter(classification_code=key).first()
    if row is None:
        CodeSequence.objects.bulk_create([CodeSequence(classification_code=key)], ignore_conflicts=True)
        row = CodeSequence.objects.select_for_update().get(classification_code=key)
    return row


def _issue_code(classification: ResourceClass, *, wanted: str = "") -> tuple[str, int]:
    """A new code under ``classification`` (next 顺序码), or ``wanted`` (a code brought from another system) after
    moving the sequence past it, so that a later generated code never repeats it."""
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("信息资源代码须在保存条目的同一数据库事务中生成。")
    row = _locked_sequence(classification.code)
    if wanted:
        sequence = parse_code(wanted, classification.code)
        if sequence is None:
            raise ValidationError(
                {
                    "code": f"信息资源代码“{wanted}”与分类码 {classification.code} 不符，"
                    f"应为“{format_code(classification.code, 1)}”这样的形式。"
                }
            )
        if Resource.objects.filter(code=wanted).exists():
            raise ValidationError({"code": f"信息资源代码“{wanted}”已被其他条目使用。"})
        if sequence > row.last_value:
            row.last_value = sequence
            row.save(update_fields=["last_value"])
        return wanted, sequence
    while True:
        row.last_value += 1
        code = format_code(classification.code, row.last_value)
        # A code taken by an imported entry is skipped, never issued twice.
        if not Resource.objects.filter(code=code).exists():
            break
    row.save(update_fields=["last_value"])
    return code, row.last_value


# --- validation -----------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return (value or "").strip() if isinstance(value, str) else ("" if value is None else str(value).strip())


def normalize(data: ResourceData) -> ResourceData:
    data.name = _text(data.name)
    for attr in (
        "summary",
        "resource_format",
        "share_condition",
        "share_basis",
        "share_method",
        "open_condition",
        "update_cycle",
        "share_type",
    ):
        setattr(data, attr, _text(getattr(data, attr)))
    types = rules.data_types()
    for item in data.items:
        item.name = _text(item.name)
        raw = _text(item.data_type)
        item.data_type = types.get(raw, raw)
    data.related_codes = [code for code in (_text(c) for c in data.related_codes) if code]
    return data


def validation_errors(
    data: ResourceData, *, instance: Resource | None = None, known_codes: set[str] | None = None
) -> dict[str, list[str]]:
    """Every problem of ``data`` (normalized), by field, in Chinese."""
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    if data.classification is None:
        add("classification", "请选择信息资源分类。")
    elif not data.classification.is_active:
        add("classification", f"分类“{data.classification}”已停用。")
    elif data.classification.level < 2:
        add("classification", "信息资源分类至少选到“项”。")
    if not data.name:
        add("name", "请填写信息资源名称。")
    if data.provider is None:
        add("provider", "请选择信息资源提供方。")
    elif not data.provider.is_active:
        add("provider", f"提供方“{data.provider.name}”已撤销或停用。")
    if data.resource_format and data.resource_format not in rules.formats():
        add(
            "resource_format",
            f"信息资源格式“{data.resource_format}”不在取值范围内（{'、'.join(rules.formats())}）。",
        )
    if data.update_cycle and data.update_cycle not in rules.update_cycles():
        add(
            "update_cycle",
            f"更新周期“{data.update_cycle}”不在取值范围内（{'、'.join(rules.update_cycles())}）。",
        )
    if data.share_method and data.share_method not in rules.share_methods():
        add(
            "share_method",
            f"共享方式“{data.share_method}”不在取值范围内（{'、'.join(rules.share_methods())}）。",
        )
    if data.share_type not in ShareType.values:
        add("share_type", f"共享类型须为无条件共享、有条件共享或不予共享，您填写的是“{data.share_type}”。")
    elif data.share_type == ShareType.CONDITIONAL and not data.share_condition:
        add("share_condition", "有条件共享的资源须写明共享条件。")
    elif data.share_type == ShareType.NONE and not data.share_basis:
        add("share_basis", "不予共享的资源须写明所依据的法律、行政法规或党中央、国务院政策。")
    if data.open_to_public is None:
        add("open_to_public", "请选择是否向社会开放。")
    if not data.items:
        add("items", "请至少填写一个信息项。")
    seen: set[str] = set()
    types = set(rules.data_types().values())
    for position, item in enumerate(data.items, start=1):
        if not item.name:
            add("items", f"第 {position} 个信息项没有名称。")
            continue
        if item.name in seen:
            add("items", f"信息项名称“{item.name}”重复。")
        seen.add(item.name)
        if item.data_type not in types:
            add(
                "items",
                f"信息项“{item.name}”的数据类型“{item.data_type}”无效（可填：{'、'.join(sorted(types))}）。",
            )
    own = instance.code if instance is not None else None
    for code in data.related_codes:
        if code == own:
            add("related_codes", "关联资源代码不能是本条目自己的代码。")
        elif not (known_codes and code in known_codes) and not Resource.objects.filter(code=code).exists():
            add("related_codes", f"关联资源代码“{code}”不存在。")
    if not isinstance(data.extension, dict) or not all(isinstance(k, str) and k for k in data.extension):
        add("extension", "扩展元数据须为“名称：值”的形式。")
    return errors


def _check(data: ResourceData, **kwargs: Any) -> ResourceData:
    data = normalize(data)
    errors = validation_errors(data, **kwargs)
    if errors:
        raise ValidationError(errors)
    return data


# --- permission and scope -------------------------------------------------------------------------------------


def _require(actor: Any, permission: str, message: str) -> None:
    if actor is None:  # the system (command line, set-up) acts county-wide
        return
    if not actor.has_perm(permission):
        raise ValidationError(message)


def _require_provider_scope(actor: Any, provider: Organization | None) -> None:
    if actor is None or provider is None:
        return
    if not is_in_scope(provider, actor, org_field=""):
        raise ValidationError({"provider": f"您只能维护本单位的目录条目，不能以“{provider.name}”为提供方。"})


def _require_entry_scope(actor: Any, resource: Resource) -> None:
    if actor is None:
        return
    if not is_in_scope(resource, actor, org_field="provider"):
        raise ValidationError(f"条目“{resource.name}”由{resource.provider.name}维护，您不能修改。")


# --- writes ---------------------------------------------------------------------------------------------------


def _write(resource: Resource, data: ResourceData) -> None:
    resource.classification = data.classification
    resource.name = data.name
    resource.provider = data.provider
    resource.provider_code = provider_code_of(data.provider)
    for attr in (
        "summary",
        "resource_format",
        "share_type",
        "share_method",
        "open_to_public",
        "open_condition",
        "update_cycle",
        "published_on",
        "related_codes",
        "extension",
    ):
        setattr(resource, attr, getattr(data, attr))
    # Only the attribute of the chosen type is kept: a condition on a 无条件 entry would be an extra condition.
    resource.share_condition = data.share_condition if data.share_type == ShareType.CONDITIONAL else ""
    resource.share_basis = data.share_basis if data.share_type == ShareType.NONE else ""
    if not resource.open_to_public:
        resource.open_condition = ""
    resource.save()
    resource.items.all().delete()
    DataItem.objects.bulk_create(
        [
            DataItem(
                resource=resource, position=i, name=item.name, data_type=item.data_type, length=item.length
            )
            for i, item in enumerate(data.items, start=1)
        ]
    )


@transaction.atomic
def create_resource(
    *,
    actor: Any,
    data: ResourceData,
    code: str = "",
    known_codes: set[str] | None = None,
    request: Any = None,
) -> Resource:
    """A new entry in 编制中 state, with its code generated from the classification (or ``code`` when it comes
    from another system and fits the classification)."""
    _require(actor, "catalog.add_resource", "您没有编制目录条目的权限。")
    data = _check(data, known_codes=known_codes)
    _require_provider_scope(actor, data.provider)
    new_code, sequence = _issue_code(data.classification, wanted=_text(code))
    resource = Resource(
        code=new_code, sequence=sequence, created_by=actor if getattr(actor, "pk", None) else None
    )
    _write(resource, data)
    audit(
        actor=actor,
        action="catalog.resource.create",
        target=resource,
        organization=resource.provider,
        request=request,
        detail={"code": resource.code, "share_type": resource.share_type},
    )
    return resource


class _Unchanged(Exception):
    pass


def _locked(resource: Resource) -> Resource:
    return (
        Resource.objects.select_for_update().select_related("provider", "classification").get(pk=resource.pk)
    )


@transaction.atomic
def update_resource(
    *,
    actor: Any,
    resource: Resource,
    data: ResourceData,
    known_codes: set[str] | None = None,
    request: Any = None,
) -> Resource:
    """Change an entry of the actor's own organization. The code stays; a different classification is refused
    (the code is derived from it — withdraw and create a new entry instead). A changed entry goes back to 编制中
    and waits for review again; published versions keep showing the content last approved."""
    _require(actor, "catalog.change_resource", "您没有修改目录条目的权限。")
    resource = _locked(resource)
    _require_entry_scope(actor, resource)
    if resource.status == ResourceStatus.WITHDRAWN:
        raise ValidationError("条目已撤销，不能修改。")
    data = _check(data, instance=resource, known_codes=known_codes)
    _require_provider_scope(actor, data.provider)
    if data.classification.pk != resource.classification_id:
        raise ValidationError(
            {"classification": "信息资源代码由分类生成，不能改变条目的分类；请撤销本条目并在新分类下新建。"}
        )
    before = resource_record(resource)
    try:
        with transaction.atomic():
            _write(resource, data)
            after = resource_record(resource)
            changed = sorted(key for key in after if after[key] != before.get(key))
            if not changed:
                raise _Unchanged
    except _Unchanged:
        # Saving the same content again (a re-imported file) leaves the entry, its approval and its dates alone.
        return _locked(resource)
    if resource.status != ResourceStatus.DRAFT:
        resource.status = ResourceStatus.DRAFT
        resource.save(update_fields=["status", "updated_at"])
    audit(
        actor=actor,
        action="catalog.resource.update",
        target=resource,
        organization=resource.provider,
        request=request,
        detail={"changed": changed},
    )
    return resource


@transaction.atomic
def submit_resource(*, actor: Any, resource: Resource, request: Any = None) -> Resource:
    """The department sends the entry to the county office for review."""
    _require(actor, "catalog.change_resource", "您没有报送目录条目的权限。")
    resource = _locked(resource)
    _require_entry_scope(actor, resource)
    if resource.status not in (ResourceStatus.DRAFT, ResourceStatus.RETURNED):
        raise ValidationError(f"条目当前为“{resource.get_status_display()}”，不能报送审核。")
    resource.status = ResourceStatus.SUBMITTED
    resource.save(update_fields=["status", "updated_at"])
    audit(
        actor=actor,
        action="catalog.resource.submit",
        target=resource,
        organization=resource.provider,
        request=request,
    )
    return resource


@transaction.atomic
def review_resource(
    *, actor: Any, resource: Resource, approve: bool, comment: str = "", request: Any = None
) -> Resource:
    """The county office approves an entry (its content becomes what the next version publishes) or returns it
    with its reasons."""
    _require(actor, "catalog.review_resource", "您没有审核目录条目的权限。")
    resource = _locked(resource)
    comment = _text(comment)
    if resource.status != ResourceStatus.SUBMITTED:
        raise ValidationError(f"条目当前为“{resource.get_status_display()}”，不在待审核状态。")
    if not approve and not comment:
        raise ValidationError({"comment": "退回条目须写明退回意见。"})
    resource.review_comment = comment
    if approve:
        resource.status = ResourceStatus.APPROVED
        resource.approved_at = timezone.now()
        resource.needs_review = False
        resource.review_reason = ""
        resource.review_due_on = None
        resource.approved_snapshot = resource_record(resource)
    else:
        resource.status = ResourceStatus.RETURNED
    resource.save()
    audit(
        actor=actor,
        action="catalog.resource.approve" if approve else "catalog.resource.return",
        target=resource,
        organization=resource.provider,
        request=request,
        detail={"comment": comment},
    )
    return resource


@transaction.atomic
def withdraw_resource(*, actor: Any, resource: Resource, reason: str, request: Any = None) -> Resource:
    """撤销: the entry leaves the next version; its code is never issued again."""
    _require(actor, "catalog.change_resource", "您没有撤销目录条目的权限。")
    resource = _locked(resource)
    _require_entry_scope(actor, resource)
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": "请写明撤销原因。"})
    if resource.status == ResourceStatus.WITHDRAWN:
        raise ValidationError("条目已撤销。")
    resource.status = ResourceStatus.WITHDRAWN
    resource.review_comment = reason
    resource.save(update_fields=["status", "review_comment", "updated_at"])
    audit(
        actor=actor,
        action="catalog.resource.withdraw",
        target=resource,
        organization=resource.provider,
        request=request,
        detail={"reason": reason},
    )
    return resource


@transaction.atomic
def record_data_update(*, actor: Any, resource: Resource, on: dt.date, request: Any = None) -> Resource:
    """The department records that the resource's data was refreshed on ``on`` (completeness counts entries whose
    data is older than their 更新周期)."""
    _require(actor, "catalog.change_resource", "您没有维护目录条目的权限。")
    resource = _locked(resource)
    _require_entry_scope(actor, resource)
    if on > timezone.localdate():
        raise ValidationError({"on": f"数据更新日期 {on.isoformat()} 晚于今天。"})
    resource.data_updated_on = on
    resource.save(update_fields=["data_updated_on", "updated_at"])
    audit(
        actor=actor,
        action="catalog.resource.data_updated",
        target=resource,
        organization=resource.provider,
        request=request,
        detail={"on": on.isoformat()},
    )
    return resource


def flag_entries_for_review(
    *, organization: Organization, reason: str, actor: Any = None, on: dt.date | None = None
) -> int:
    """A change in ``organization``'s functions (机构改革, a new 三定 plan): every live entry it provides is marked
    待复核 with a due date (rules: ``review_days_after_function_change``). Returns how many entries were flagged.
    Runs inside the caller's transaction when there is one (a reorganization)."""
    with transaction.atomic():
        _require(actor, "catalog.review_resource", "您没有发起目录复核的权限。")
        reason = _text(reason)
        if not reason:
            raise ValidationError({"reason": "请写明职能变化的情况。"})
        on = on or timezone.localdate()
        due = on + dt.timedelta(days=rules.review_days_after_function_change())
        entries = Resource.objects.filter(provider=organization).exclude(status=ResourceStatus.WITHDRAWN)
        count = entries.update(needs_review=True, review_reason=reason[:300], review_due_on=due)
        if count:
            audit(
                actor=actor,
                action="catalog.resource.flag_review",
                organization=organization,
                detail={
                    "organization": organization.pk,
                    "reason": reason,
                    "count": count,
                    "due_on": due.isoformat(),
                },
            )
        return count


@transaction.atomic
def publish_version(*, actor: Any, note: str = "", request: Any = None) -> CatalogVersion:
    """The county office publishes the catalogue: a numbered, immutable snapshot of every approved entry (as last
    approved). Entries without a 发布日期 receive today's date."""
    _require(actor, "catalog.publish_catalog", "您没有发布目录的权限。")
    today = timezone.localdate()
    entries = list(
        Resource.objects.select_for_update()
        .filter(approved_snapshot__isnull=False)
        .exclude(status=ResourceStatus.WITHDRAWN)
        .order_by("code")
    )
    if not entries:
        raise ValidationError("没有已审核通过的条目，不能发布目录。")
    records = []
    for resource in entries:
        if resource.published_on is None:
            resource.published_on = today
            resource.save(update_fields=["published_on", "updated_at"])
        snapshot = dict(resource.approved_snapshot)
        if not snapshot.get("published_on"):
            snapshot["published_on"] = (resource.published_on or today).isoformat()
            resource.approved_snapshot = snapshot
            resource.save(update_fields=["approved_snapshot"])
        records.append(snapshot)
    payload = json.dumps(records, ensure_ascii=False, sort_keys=True)
    row = _locked_sequence(VERSION_SEQUENCE)
    row.last_value += 1
    row.save(update_fields=["last_value"])
    version = CatalogVersion.objects.create(
        number=row.last_value,
        published_at=timezone.now(),
        published_by=actor if getattr(actor, "pk", None) else None,
        note=_text(note)[:300],
        entry_count=len(records),
        entries=records,
        content_hash=hashlib.sha256(payload.encode("utf-8")).hexdigest(),
    )
    audit(
        actor=actor,
        action="catalog.version.publish",
        target=version,
        request=request,
        detail={"number": version.number, "entries": version.entry_count, "hash": version.content_hash},
    )
    return version
