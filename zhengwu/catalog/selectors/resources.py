"""Reads of the catalogue: the views of the catalogue by 资源属性 (基础库, 主题, 部门), by sharing type and by
provider; completeness per department (core fields missing, entries whose data is overdue for their 更新周期, entries
flagged for review after a change in functions); the records exported."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from zhengwu.core.scoping import scope_queryset

from .. import rules
from ..models import CatalogVersion, Resource, ResourceAttribute, ResourceClass, ResourceStatus, ShareType
from .records import resource_record

BJ = ZoneInfo("Asia/Shanghai")


def today_in_china() -> dt.date:
    return timezone.now().astimezone(BJ).date()


def visible_resources(user: Any = None) -> QuerySet[Resource]:
    """Live entries (not withdrawn) ``user`` may see; every entry for the system (``user`` None)."""
    qs = (
        Resource.objects.exclude(status=ResourceStatus.WITHDRAWN)
        .select_related("provider", "classification", "classification__parent")
        .prefetch_related("items")
    )
    return qs if user is None else scope_queryset(qs, user, org_field="provider")


def filter_resources(
    qs: QuerySet[Resource],
    *,
    attribute: str = "",
    class_code: str = "",
    share_type: str = "",
    provider_id: int | None = None,
    status: str = "",
    needs_review: bool | None = None,
    q: str = "",
) -> QuerySet[Resource]:
    if attribute in ResourceAttribute.values:
        qs = qs.filter(classification__attribute=attribute)
    if class_code:
        qs = qs.filter(classification__code__startswith=class_code)
    if share_type in ShareType.values:
        qs = qs.filter(share_type=share_type)
    if provider_id:
        qs = qs.filter(provider_id=provider_id)
    if status in ResourceStatus.values:
        qs = qs.filter(status=status)
    if needs_review is not None:
        qs = qs.filter(needs_review=needs_review)
    for term in (q or "").split()[:5]:  # every word must appear in the name, code, summary or an 信息项
        qs = qs.filter(
            Q(name__icontains=term)
            | Q(code__icontains=term)
            | Q(summary__icontains=term)
            | Q(items__name__icontains=term)
        )
    return qs.distinct()


@dataclass(frozen=True)
class ClassCount:
    code: str
    name: str
    level: int
    attribute: str
    count: int


def counts_by_classification(qs: QuerySet[Resource], *, max_level: int = 2) -> list[ClassCount]:
    """Entries under each 类 and 项 (the 基础库 人口/法人/自然资源和空间地理/社会信用/电子证照 are the 项 of 类 1),
    in code order; a class with no entry is listed with 0."""
    per_class = dict(qs.values_list("classification__code").annotate(n=Count("pk", distinct=True)).order_by())
    rows = []
    for node in ResourceClass.objects.filter(level__lte=max_level, is_active=True).order_by("code"):
        total = sum(n for code, n in per_class.items() if code.startswith(node.code))
        rows.append(ClassCount(node.code, node.name, node.level, node.attribute, total))
    return rows


def counts_by_share_type(qs: QuerySet[Resource]) -> list[tuple[str, str, int]]:
    counts = dict(qs.values_list("share_type").annotate(n=Count("pk", distinct=True)).order_by())
    return [(value, label, counts.get(value, 0)) for value, label in ShareType.choices]


def counts_by_provider(qs: QuerySet[Resource]) -> list[dict[str, Any]]:
    rows = (
        qs.values("provider_id", "provider__name", "provider__path")
        .annotate(
            total=Count("pk", distinct=True),
            unconditional=Count("pk", filter=Q(share_type=ShareType.UNCONDITIONAL), distinct=True),
            conditional=Count("pk", filter=Q(share_type=ShareType.CONDITIONAL), distinct=True),
            none=Count("pk", filter=Q(share_type=ShareType.NONE), distinct=True),
            open=Count("pk", filter=Q(open_to_public=True), distinct=True),
        )
        .order_by("provider__path")
    )
    return list(rows)


# --- completeness ---------------------------------------------------------------------------------------------

# Core fields a department may leave empty while drafting (the others are refused by the services); 关联资源代码
# is empty for an entry that has no related resource, so it does not count as missing.
COMPLETENESS_FIELDS = {
    "summary": "信息资源摘要",
    "resource_format": "信息资源格式",
    "items": "信息项信息",
    "share_method": "共享方式",
    "update_cycle": "更新周期",
    "published_on": "发布日期",
}


def missing_fields(resource: Resource) -> list[str]:
    missing = [
        label
        for name, label in COMPLETENESS_FIELDS.items()
        if name != "items" and not getattr(resource, name)
    ]
    if not list(resource.items.all()):
        missing.insert(2, COMPLETENESS_FIELDS["items"])
    return missing


def update_due_on(resource: Resource) -> dt.date | None:
    """The day by which the data should next be refreshed: last update (or 发布日期) + the 更新周期's days; None
    for 不定期 cycles, an unknown cycle or an entry with no date yet."""
    days = rules.update_cycles().get(resource.update_cycle)
    base = resource.data_updated_on or resource.published_on
    if days is None or base is None:
        return None
    return base + dt.timedelta(days=days)


def is_overdue(resource: Resource, *, today: dt.date | None = None) -> bool:
    due = update_due_on(resource)
    return due is not None and (today or today_in_china()) > due


@dataclass
class DepartmentCompleteness:
    provider_id: int
    provider: str
    total: int = 0
    complete: int = 0
    missing: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    flagged: int = 0
    review_overdue: int = 0
    problems: list[tuple[Resource, list[str]]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return round(100 * self.complete / self.total, 1) if self.total else 0.0


def completeness_by_department(
    *, user: Any = None, today: dt.date | None = None
) -> list[DepartmentCompleteness]:
    """Per provider: entries, entries with every core field filled, how many miss each field, entries whose data
    is overdue for their 更新周期, entries flagged 待复核 (and past the review deadline). Dates in Asia/Shanghai."""
    today = today or today_in_china()
    rows: dict[int, DepartmentCompleteness] = {}
    for resource in visible_resources(user).order_by("provider__path", "code"):
        row = rows.get(resource.provider_id)
        if row is None:
            row = rows[resource.provider_id] = DepartmentCompleteness(
                resource.provider_id, resource.provider.name
            )
        row.total += 1
        problems = missing_fields(resource)
        for label in problems:
            row.missing[label] = row.missing.get(label, 0) + 1
        if not problems:
            row.complete += 1
        if is_overdue(resource, today=today):
            row.overdue += 1
            due = update_due_on(resource)
            problems = [*problems, f"数据应于 {due.isoformat()} 前更新（{resource.update_cycle}）"]
        if resource.needs_review:
            row.flagged += 1
            if resource.review_due_on and today > resource.review_due_on:
                row.review_overdue += 1
            problems = [*problems, f"待复核：{resource.review_reason}"]
        if problems:
            row.problems.append((resource, problems))
    return list(rows.values())


# --- export ---------------------------------------------------------------------------------------------------


def current_records(*, user: Any = None, provider: Any = None) -> list[dict[str, Any]]:
    qs = visible_resources(user)
    if provider is not None:
        qs = qs.filter(provider=provider)
    return [resource_record(resource) for resource in qs.order_by("code")]


def latest_version() -> CatalogVersion | None:
    return CatalogVersion.objects.order_by("-number").first()
