"""Writes of the 事项清单: create an item, change it (a new immutable version each time), attach blank forms.

Organization scope is enforced here, not only in views: a department's staff create and change the items of their
own organization (and those below it); the county's 事项管理员 holds county-wide access.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from zhengwu.core.models import Organization
from zhengwu.core.scoping import is_in_scope
from zhengwu.core.services.audit import audit
from zhengwu.core.services.uploads import check_upload

from .. import rules
from ..models import CaseKind, ItemFile, ItemLevel, ItemVersion, Material, ProcessStep, ServiceItem

FORM_TYPES = ["pdf", "doc", "docx", "xls", "xlsx", "wps", "ofd", "jpg", "png"]
# The level an item's parent must have: 子项 under a 主项, 业务办理项 under a 主项 or 子项.
PARENT_LEVELS = {
    ItemLevel.MAIN: set(),
    ItemLevel.SUB: {ItemLevel.MAIN},
    ItemLevel.HANDLING: {ItemLevel.MAIN, ItemLevel.SUB},
}


@dataclass
class MaterialData:
    name: str
    required: bool = True
    form: str = ""
    source: str = ""
    blank_form: ItemFile | None = None
    sample: ItemFile | None = None


@dataclass
class StepData:
    name: str
    limit_days: int
    counts_toward_legal: bool = True
    basis: str = ""
    description: str = ""


@dataclass
class ItemData:
    """The content of one version (the item's code and place in the hierarchy are given with it)."""

    code: str
    organization: Organization | None
    name: str
    item_type: str
    competent_department: str
    basis: str
    legal_limit_days: int | None
    promised_limit_days: int | None
    case_kind: str
    onsite_visits: int | None
    conditions: str
    place: str
    hours: str
    consult_phone: str
    complaint_phone: str = ""
    charges: bool = False
    fee_standard: str = ""
    fee_basis: str = ""
    limit_basis: str = ""
    materials: list[MaterialData] = field(default_factory=list)
    steps: list[StepData] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)
    life_events: list[str] = field(default_factory=list)
    online_apply_url: str = ""
    level: str = ItemLevel.MAIN
    parent: ServiceItem | None = None
    note: str = ""


CONTENT_FIELDS = [
    "name",
    "item_type",
    "competent_department",
    "basis",
    "legal_limit_days",
    "promised_limit_days",
    "limit_basis",
    "case_kind",
    "onsite_visits",
    "charges",
    "fee_standard",
    "fee_basis",
    "conditions",
    "place",
    "hours",
    "consult_phone",
    "complaint_phone",
    "audiences",
    "life_events",
    "online_apply_url",
]
REQUIRED_TEXT = {
    "code": "事项编码",
    "name": "事项名称",
    "competent_department": "主管部门",
    "basis": "设定和实施依据",
    "conditions": "受理条件",
    "place": "办理地点",
    "hours": "办理时间",
    "consult_phone": "咨询电话",
}


SINGLE_LINE = {
    "code",
    "name",
    "competent_department",
    "place",
    "hours",
    "consult_phone",
    "complaint_phone",
    "note",
}


def _text(value: Any, *, single_line: bool = False) -> str:
    text = str(value or "").strip()
    return " ".join(text.split()) if single_line else text


def normalize(data: ItemData) -> ItemData:
    for name in (*REQUIRED_TEXT, "complaint_phone", "fee_standard", "fee_basis", "limit_basis", "note"):
        setattr(data, name, _text(getattr(data, name), single_line=name in SINGLE_LINE))
    data.item_type = _text(data.item_type, single_line=True)
    data.online_apply_url = _text(data.online_apply_url)
    for material in data.materials:
        material.name = _text(material.name, single_line=True)
    for step in data.steps:
        step.name = _text(step.name, single_line=True)
    return data


def validation_errors(
    data: ItemData, *, item: ServiceItem | None = None, pending: frozenset[str] = frozenset()
) -> dict[str, list[str]]:
    """Every problem of ``data`` (normalized), keyed by field, in Chinese. Empty when the data may be saved.
    ``pending`` names elements an import may leave for the department to complete (its sheet has no column)."""
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    for key, label in REQUIRED_TEXT.items():
        if not getattr(data, key) and key not in pending:
            add(key, f"请填写{label}。")
    if data.organization is None:
        add("organization", "请选择实施机关。")
    if data.item_type and data.item_type not in rules.item_types():
        add(
            "item_type",
            f"事项类型“{data.item_type}”不在事项类型表中（可选：{'、'.join(rules.item_types())}）。",
        )
    if not data.item_type:
        add("item_type", "请填写事项类型。")
    if data.case_kind not in CaseKind.values:
        add("case_kind", "办件类型只能是即办件或承诺件。")
    legal, promised = data.legal_limit_days, data.promised_limit_days
    for key, value, label in (
        ("legal_limit_days", legal, "法定办结时限"),
        ("promised_limit_days", promised, "承诺办结时限"),
    ):
        if value is None:
            add(key, f"请填写{label}（工作日，整数）。")
        elif not isinstance(value, int) or value < 0:
            add(key, f"{label}应为不小于 0 的整数（工作日）。")
    if isinstance(legal, int) and isinstance(promised, int) and legal >= 0 and promised >= 0:
        if promised > legal:
            add(
                "promised_limit_days",
                f"承诺办结时限（{promised} 个工作日）不能超过法定办结时限（{legal} 个工作日）。",
            )
        if data.case_kind == CaseKind.INSTANT and promised != 0:
            add("promised_limit_days", "即办件当场办结，承诺办结时限应为 0 个工作日。")
        if data.case_kind == CaseKind.PROMISED and promised == 0:
            add(
                "promised_limit_days", "承诺件的承诺办结时限应至少为 1 个工作日；当场办结的事项请选择即办件。"
            )
    if data.onsite_visits is None or not isinstance(data.onsite_visits, int) or data.onsite_visits < 0:
        add("onsite_visits", "到办事现场次数应为不小于 0 的整数。")
    if data.charges and not (data.fee_standard and data.fee_basis):
        add("fee_basis", "收费事项须写明收费标准和收费依据。")
    unknown = [a for a in data.audiences if a not in rules.audiences()]
    if unknown:
        add("audiences", f"未知的服务对象：{'、'.join(unknown)}。")
    unknown = [e for e in data.life_events if e not in rules.life_event_names()]
    if unknown:
        add("life_events", f"未知的主题分类：{'、'.join(unknown)}。")
    if data.online_apply_url and not data.online_apply_url.startswith(("https://", "http://")):
        add("online_apply_url", "网上办理地址应以 https:// 或 http:// 开头。")

    if not data.materials:
        add("materials", "请至少列出一项申请材料；无需材料的事项请写“无需提交材料”。")
    seen: set[str] = set()
    for position, material in enumerate(data.materials, 1):
        if not material.name:
            add("materials", f"第 {position} 项申请材料没有名称。")
        elif material.name in seen:
            add("materials", f"申请材料“{material.name}”重复列出（第 {position} 项）。")
        seen.add(material.name)
    counted = 0
    for position, step in enumerate(data.steps, 1):
        if not step.name:
            add("steps", f"第 {position} 个办理环节没有名称。")
        if not isinstance(step.limit_days, int) or step.limit_days < 0:
            add("steps", f"办理环节“{step.name or position}”的时限应为不小于 0 的整数（工作日）。")
        elif step.counts_toward_legal:
            counted += step.limit_days
    if isinstance(legal, int) and counted > legal:
        add("steps", f"计入法定办结时限的环节合计 {counted} 个工作日，超过法定办结时限 {legal} 个工作日。")

    if data.code:
        clash = ServiceItem.objects.filter(code=data.code)
        if item is not None:
            clash = clash.exclude(pk=item.pk)
        if clash.exists():
            add("code", f"事项编码“{data.code}”已被其他事项使用。")
    if data.level not in ItemLevel.values:
        add("level", "事项层级只能是主项、子项或业务办理项。")
    else:
        allowed = PARENT_LEVELS[ItemLevel(data.level)]
        if data.parent is None and allowed:
            add("parent", f"{ItemLevel(data.level).label}须挂在上级事项之下。")
        elif data.parent is not None and data.parent.level not in allowed:
            add("parent", f"{ItemLevel(data.level).label}不能挂在{data.parent.get_level_display()}之下。")
        elif data.parent is not None and item is not None and data.parent.pk == item.pk:
            add("parent", "事项不能以自身为上级事项。")
    return errors


def _raise_if_invalid(
    data: ItemData, *, item: ServiceItem | None = None, pending: frozenset[str] = frozenset()
) -> None:
    errors = validation_errors(normalize(data), item=item, pending=pending)
    if errors:
        raise ValidationError(errors)


def _require_scope(actor: Any, organization: Organization | None, *, item: ServiceItem | None = None) -> None:
    if actor is None:  # the system (command line, set-up) acts county-wide
        return
    if not actor.has_perm("govservice.change_serviceitem" if item else "govservice.add_serviceitem"):
        raise ValidationError("您没有维护政务服务事项的权限。")
    if item is not None and not is_in_scope(item.organization, actor, org_field=""):
        raise ValidationError(f"事项“{item}”由{item.organization.name}维护，您不能修改。")
    if organization is not None and not is_in_scope(organization, actor, org_field=""):
        raise ValidationError(
            {"organization": f"您只能维护本单位的事项，不能以“{organization.name}”为实施机关。"}
        )


def _snapshot(version: ItemVersion) -> dict[str, Any]:
    content = {name: getattr(version, name) for name in CONTENT_FIELDS}
    content["materials"] = [
        (m.name, m.required, m.form, m.source, m.blank_form_id, m.sample_id) for m in version.materials.all()
    ]
    content["steps"] = [
        (s.name, s.limit_days, s.counts_toward_legal, s.basis, s.description) for s in version.steps.all()
    ]
    return content


def _data_snapshot(data: ItemData) -> dict[str, Any]:
    content = {name: getattr(data, name) for name in CONTENT_FIELDS}
    content["materials"] = [
        (
            m.name,
            m.required,
            m.form,
            m.source,
            getattr(m.blank_form, "pk", None),
            getattr(m.sample, "pk", None),
        )
        for m in data.materials
    ]
    content["steps"] = [
        (s.name, s.limit_days, s.counts_toward_legal, s.basis, s.description) for s in data.steps
    ]
    return content


def _new_version(item: ServiceItem, data: ItemData, *, actor: Any, number: int) -> ItemVersion:
    version = ItemVersion(
        item=item,
        number=number,
        note=data.note,
        created_by=actor if getattr(actor, "pk", None) else None,
        **{name: getattr(data, name) for name in CONTENT_FIELDS},
    )
    version.save()
    Material.objects.bulk_create(
        Material(
            version=version,
            position=i,
            name=m.name,
            required=m.required,
            form=m.form,
            source=m.source,
            blank_form=m.blank_form,
            sample=m.sample,
        )
        for i, m in enumerate(data.materials, 1)
    )
    ProcessStep.objects.bulk_create(
        ProcessStep(
            version=version,
            position=i,
            name=s.name,
            limit_days=s.limit_days,
            counts_toward_legal=s.counts_toward_legal,
            basis=s.basis,
            description=s.description,
        )
        for i, s in enumerate(data.steps, 1)
    )
    return version


@transaction.atomic
def create_item(
    *, actor: Any, data: ItemData, request: Any = None, pending: frozenset[str] = frozenset()
) -> ServiceItem:
    _require_scope(actor, data.organization)
    _raise_if_invalid(data, pending=pending)
    item = ServiceItem.objects.create(
        code=data.code, organization=data.organization, parent=data.parent, level=data.level
    )
    item.current_version = _new_version(item, data, actor=actor, number=1)
    item.save(update_fields=["current_version"])
    audit(
        actor=actor,
        action="govservice.item.create",
        target=item,
        organization=item.organization,
        detail={"code": item.code, "name": data.name, "version": 1},
        request=request,
    )
    return item


@transaction.atomic
def update_item(
    *,
    actor: Any,
    item: ServiceItem,
    data: ItemData,
    request: Any = None,
    pending: frozenset[str] = frozenset(),
) -> ServiceItem:
    """Change an item: a new version when its content changed (the old one stays as it was); returns the item."""
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    _require_scope(actor, data.organization, item=item)
    _raise_if_invalid(data, item=item, pending=pending)
    current = item.current_version
    changed_identity = (item.code, item.organization_id, item.parent_id, item.level) != (
        data.code,
        data.organization.pk,
        getattr(data.parent, "pk", None),
        data.level,
    )
    if current is not None and _snapshot(current) == _data_snapshot(data) and not changed_identity:
        return item
    number = (current.number if current else 0) + 1
    if current is None or _snapshot(current) != _data_snapshot(data):
        item.current_version = _new_version(item, data, actor=actor, number=number)
    item.code, item.organization, item.parent, item.level = (
        data.code,
        data.organization,
        data.parent,
        data.level,
    )
    item.save()
    audit(
        actor=actor,
        action="govservice.item.change",
        target=item,
        organization=item.organization,
        detail={"code": item.code, "version": item.current_version.number, "note": data.note},
        request=request,
    )
    return item


def data_from_version(version: ItemVersion) -> ItemData:
    """The editable content of ``version`` (a form's initial values; the base of a change)."""
    item = version.item
    return ItemData(
        code=item.code,
        organization=item.organization,
        level=item.level,
        parent=item.parent,
        materials=[
            MaterialData(m.name, m.required, m.form, m.source, m.blank_form, m.sample)
            for m in version.materials.all()
        ],
        steps=[
            StepData(s.name, s.limit_days, s.counts_toward_legal, s.basis, s.description)
            for s in version.steps.all()
        ],
        **{name: getattr(version, name) for name in CONTENT_FIELDS},
    )


@transaction.atomic
def upload_item_file(
    *, actor: Any, uploaded_file: Any, organization: Organization, request: Any = None
) -> ItemFile:
    """Store a blank form or sample (type checked on its content); it is attached by the next version."""
    _require_scope(actor, organization)
    checked = check_upload(uploaded_file, allowed=FORM_TYPES)
    item_file = ItemFile(display_name=checked.display_name, kind=checked.kind, size=checked.size)
    item_file.file.save(checked.storage_name, checked.file, save=False)
    item_file.save()
    audit(
        actor=actor,
        action="govservice.file.upload",
        target=item_file,
        organization=organization,
        detail={"file": item_file.display_name, "size": item_file.size},
        request=request,
    )
    return item_file
