"""Reads of the 开放 datasets, shared by the portal pages, the CKAN-compatible API and the DCAT export.

Who sees what is decided here once: the public (``user`` None) sees the approved entries marked 是否向社会开放; a
staff member with ``catalog.view_resource`` sees, in addition, every live entry of their organization scope (all
entries for county-wide access). Each entry is a CKAN *package* named after its 信息资源代码, its provider is the
*organization* (named by the organization's code) and its 项 of the classification the *group*; the names along
its classification are its *tags*.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from zhengwu.core.models import Organization

from .. import rules
from ..models import Distribution, Resource, ResourceClass, ResourceStatus
from .resources import filter_resources, visible_resources


def settings_() -> dict[str, Any]:
    return rules.load("opendata")


def licences() -> dict[str, dict[str, str]]:
    return {row["id"]: row for row in settings_()["licences"]}


# --- visibility -----------------------------------------------------------------------------------------------


def public_q() -> Q:
    return Q(status=ResourceStatus.APPROVED, open_to_public=True)


def is_public(resource: Resource) -> bool:
    return resource.status == ResourceStatus.APPROVED and resource.open_to_public


def datasets_for(user: Any = None) -> QuerySet[Resource]:
    """The entries ``user`` may see through the portal, the API and the export (``user`` None: the public)."""
    base = (
        Resource.objects.exclude(status=ResourceStatus.WITHDRAWN)
        .select_related("provider", "classification__parent__parent__parent", "open_dataset")
        .prefetch_related("items", "distributions")
    )
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return base.filter(public_q())
    if not user.has_perm("catalog.view_resource"):
        return base.filter(public_q())
    scoped = visible_resources(user).values("pk")
    return base.filter(public_q() | Q(pk__in=scoped))


def public_datasets() -> QuerySet[Resource]:
    return datasets_for(None)


# --- names ----------------------------------------------------------------------------------------------------

_NAME_UNSAFE = re.compile(r"[^a-z0-9_-]+")


def package_name(resource: Resource) -> str:
    """The CKAN name of an entry: its 信息资源代码 in lower case, each run of other characters a hyphen."""
    return _NAME_UNSAFE.sub("-", resource.code.lower()).strip("-")


def organization_name(org: Organization) -> str:
    return org.code.lower()


def find_dataset(qs: QuerySet[Resource], ref: str) -> Resource | None:
    """An entry of ``qs`` by its CKAN name or its 信息资源代码."""
    ref = (ref or "").strip()
    if not ref or len(ref) > 100:
        return None
    found = qs.filter(code=ref).first()
    if found is not None:
        return found
    wanted = ref.lower()
    for pk, code in Resource.objects.filter(pk__in=qs.values("pk")).values_list("pk", "code"):
        if _NAME_UNSAFE.sub("-", code.lower()).strip("-") == wanted:
            return qs.filter(pk=pk).first()
    return None


def group_of(resource: Resource) -> ResourceClass | None:
    """The 项 (level 2) above or at the entry's classification."""
    for node in resource.classification.lineage():
        if node.level == 2:
            return node
    return None


def tags_of(resource: Resource) -> list[str]:
    """Names along the classification (类 → 细目) and any 关键词 of the extension metadata, without repeats."""
    names = [node.name for node in resource.classification.lineage()]
    keywords = (resource.extension or {}).get("关键词", [])
    if isinstance(keywords, str):
        keywords = re.split(r"[,，;；、\s]+", keywords)
    names += [str(k).strip() for k in keywords if str(k).strip()]
    seen: list[str] = []
    for name in names:
        if name and name not in seen:
            seen.append(name[:100])
    return seen


def licence_of(resource: Resource) -> dict[str, str] | None:
    row = getattr(resource, "open_dataset", None)
    return licences().get(row.licence) if row is not None else None


def files_of(resource: Resource) -> list[Distribution]:
    return list(resource.distributions.all())


# --- search ---------------------------------------------------------------------------------------------------

FQ_FIELDS = {
    "organization",
    "tags",
    "groups",
    "res_format",
    "license_id",
    "name",
    "metadata_modified",
    "metadata_created",
}
_FQ_TERM = re.compile(
    r"\s*(?:(?:AND|&&)\s+)?\+?(?P<field>[a-z_]+):"
    r'(?:"(?P<quoted>[^"]*)"|\[(?P<range>[^\]]*)\]|(?P<bare>[^\s"()\[\]{}]+))\s*'
)
RANGE_FIELDS = {"metadata_modified", "metadata_created"}
SORT_FIELDS = {"id", "name", "title", "metadata_modified", "metadata_created", "score"}


def parse_fq(fq: str) -> list[tuple[str, Any]]:
    """``organization:NAME tags:"X" …`` (terms joined by spaces or AND) → [(field, value)]; anything else is a
    ValidationError naming what was not understood."""
    fq = (fq or "").strip()
    terms: list[tuple[str, str]] = []
    pos = 0
    while pos < len(fq):
        match = _FQ_TERM.match(fq, pos)
        if match is None or match.end() == pos:
            raise ValidationError(
                f'fq 无法解析：“{fq[pos : pos + 40]}”。支持的写法如 organization:NAME、tags:"X"。'
            )
        field = match.group("field")
        if field not in FQ_FIELDS:
            raise ValidationError(f"fq 不支持字段“{field}”，可用字段：{'、'.join(sorted(FQ_FIELDS))}。")
        if match.group("range") is not None and field not in RANGE_FIELDS:
            raise ValidationError(
                f"fq 字段“{field}”不能写范围，只有 {'、'.join(sorted(RANGE_FIELDS))} 可以。"
            )
        if match.group("range") is None and field in RANGE_FIELDS:
            raise ValidationError(
                f"fq 字段“{field}”应写作 {field}:[起 TO 止]，如 [2026-01-01T00:00:00Z TO *]。"
            )
        if match.group("range") is not None:
            value: Any = _parse_range(match.group("range"))
        else:
            value = match.group("quoted") if match.group("quoted") is not None else match.group("bare")
        terms.append((field, value))
        pos = match.end()
    return terms


def _parse_range(text: str) -> tuple[dt.datetime | None, dt.datetime | None]:
    """``2026-01-01T00:00:00Z TO *`` → (start, end) in UTC; ``*`` is open."""
    parts = text.split(" TO ")
    if len(parts) != 2:
        raise ValidationError(f"fq 时间范围“[{text}]”应写作 [起 TO 止]，如 [2026-01-01T00:00:00Z TO *]。")
    bounds = []
    for part in parts:
        part = part.strip()
        if part == "*":
            bounds.append(None)
            continue
        try:
            moment = dt.datetime.fromisoformat(part.replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError(
                f"fq 时间“{part}”无法识别，应为 ISO 8601 格式，如 2026-01-01T00:00:00Z。"
            ) from None
        bounds.append(moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC))
    return bounds[0], bounds[1]


def parse_sort(sort: str) -> list[tuple[str, bool]]:
    """``name asc, metadata_modified desc`` → [(field, descending)]."""
    result = []
    for part in (sort or "").split(","):
        words = part.split()
        if not words:
            continue
        if (
            len(words) > 2
            or words[0] not in SORT_FIELDS
            or (len(words) == 2 and words[1] not in {"asc", "desc"})
        ):
            raise ValidationError(
                f"sort 无法解析：“{part.strip()}”。写法为“字段 asc|desc”，字段可为 {'、'.join(sorted(SORT_FIELDS))}。"
            )
        result.append((words[0], len(words) == 2 and words[1] == "desc"))
    return result


def _sort_key_value(resource: Resource, field: str) -> Any:
    if field in {"name", "id"}:
        return package_name(resource)
    if field == "title":
        return resource.name
    if field == "metadata_created":
        return resource.created_at
    return resource.updated_at  # metadata_modified; score ties fall back to it


@dataclass
class SearchResult:
    count: int
    results: list[Resource]
    facets: dict[str, dict[str, int]]


def search(
    qs: QuerySet[Resource], *, q: str = "", fq: str = "", sort: str = "", rows: int = 10, start: int = 0
) -> SearchResult:
    terms = parse_fq(fq)
    order = parse_sort(sort) or [("score", True), ("metadata_modified", True)]
    q = (q or "").strip()
    if q in {"*:*", "*"}:
        q = ""
    field_q = re.fullmatch(r'(name|title|organization|tags):"?([^"]+)"?', q)
    if field_q:  # q written as a single field query, as some clients send
        terms.append((field_q.group(1) if field_q.group(1) != "title" else "q", field_q.group(2)))
        q = ""
    if q:
        qs = filter_resources(qs, q=q)
    found = list(qs)
    for field, value in terms:
        found = [r for r in found if _matches(r, field, value)]
    for field, descending in reversed(order):
        if field == "score":
            continue
        found.sort(key=lambda r, f=field: _sort_key_value(r, f), reverse=descending)
    facets: dict[str, dict[str, int]] = {"organization": {}, "tags": {}, "groups": {}, "res_format": {}}
    for r in found:
        _bump(facets["organization"], organization_name(r.provider))
        for tag in tags_of(r):
            _bump(facets["tags"], tag)
        group = group_of(r)
        if group is not None:
            _bump(facets["groups"], group.code)
        for fmt in {d.format_label for d in files_of(r)}:
            _bump(facets["res_format"], fmt)
    return SearchResult(count=len(found), results=found[start : start + rows], facets=facets)


def _bump(counts: dict[str, int], key: str) -> None:
    counts[key] = counts.get(key, 0) + 1


def _matches(resource: Resource, field: str, value: Any) -> bool:
    if field == "organization":
        return organization_name(resource.provider) == value.lower()
    if field == "tags":
        return value in tags_of(resource)
    if field == "groups":
        group = group_of(resource)
        return group is not None and group.code == value
    if field == "res_format":
        return value.upper() in {d.format_label for d in files_of(resource)}
    if field == "license_id":
        row = getattr(resource, "open_dataset", None)
        return row is not None and row.licence == value
    if field == "name":
        return package_name(resource) == value.lower()
    if field == "q":
        return value in resource.name
    if field in RANGE_FIELDS:
        moment = resource.created_at if field == "metadata_created" else resource.updated_at
        start, end = value
        return (start is None or moment >= start) and (end is None or moment <= end)
    return False


# --- organizations and groups ---------------------------------------------------------------------------------


def organizations_with_counts(qs: QuerySet[Resource]) -> list[tuple[Organization, int]]:
    counts: dict[int, int] = {}
    for provider_id in qs.values_list("provider_id", flat=True):
        counts[provider_id] = counts.get(provider_id, 0) + 1
    orgs = Organization.objects.filter(pk__in=counts)
    return sorted(((org, counts[org.pk]) for org in orgs), key=lambda pair: organization_name(pair[0]))


def find_organization(ref: str) -> Organization | None:
    ref = (ref or "").strip()
    if not ref:
        return None
    if ref.isdigit():
        found = Organization.objects.filter(pk=int(ref), is_active=True).first()
        if found is not None:
            return found
    return Organization.objects.filter(code__iexact=ref, is_active=True).first()


def groups_with_counts(qs: QuerySet[Resource]) -> list[tuple[ResourceClass, int]]:
    counts: dict[str, int] = {}
    for r in qs:
        group = group_of(r)
        if group is not None:
            counts[group.code] = counts.get(group.code, 0) + 1
    classes = ResourceClass.objects.filter(code__in=counts).order_by("code")
    return [(c, counts[c.code]) for c in classes]


def find_distribution(qs: QuerySet[Resource], ref: str) -> Distribution | None:
    try:
        dist = Distribution.objects.select_related("resource").filter(uuid=ref).first()
    except ValidationError:
        return None
    if dist is None or not qs.filter(pk=dist.resource_id).exists():
        return None
    return dist
