"""Reading the 主动公开 catalogue: public browsing, the per-organization catalogue (page and xlsx), late items
(Art. 26), the 标准目录 per area and its coverage."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractYear

from zhengwu.core.models import Organization
from zhengwu.core.scoping import scope_queryset

from ..models import DisclosureItem, ItemStatus, StandardCatalogArea, StandardCatalogEntry, Theme
from ..rules import load

CATALOGUE_COLUMNS = [
    "索引号",
    "名称",
    "内容概述",
    "主题分类",
    "体裁分类",
    "发布机构",
    "成文日期",
    "发布日期",
    "文号",
    "有效性",
]


def published_items(
    *,
    organization: Organization | None = None,
    theme: Theme | None = None,
    genre_id: int | None = None,
    year: int | None = None,
    query: str = "",
) -> QuerySet[DisclosureItem]:
    qs = DisclosureItem.objects.filter(status=ItemStatus.PUBLISHED).select_related(
        "organization", "theme__parent", "genre"
    )
    if organization is not None:
        qs = qs.filter(organization=organization)
    if theme is not None:
        qs = qs.filter(Q(theme=theme) | Q(theme__parent=theme))
    if genre_id:
        qs = qs.filter(genre_id=genre_id)
    if year:
        qs = qs.filter(published_on__year=year)
    if query:
        qs = qs.filter(
            Q(title__icontains=query) | Q(document_number__icontains=query) | Q(index_number__icontains=query)
        )
    return qs.order_by("-published_on", "-index_number")


def catalogue_facets(organization: Organization) -> dict[str, Any]:
    """Themes, genres and years that have published items of ``organization`` (for the filters)."""
    base = DisclosureItem.objects.filter(status=ItemStatus.PUBLISHED, organization=organization)
    themes = Theme.objects.filter(pk__in=base.values("theme__parent_id")).order_by("code")
    genres = base.values("genre_id", "genre__name").annotate(n=Count("pk")).order_by("genre__sort_order")
    years = base.annotate(y=ExtractYear("published_on")).values_list("y", flat=True).distinct().order_by("-y")
    return {"themes": list(themes), "genres": list(genres), "years": list(years)}


def catalogue_rows(items: QuerySet[DisclosureItem]) -> list[list[str]]:
    validity = {item["code"]: item["label"] for item in load("catalogue")["validity"]}
    rows = []
    for item in items:
        rows.append(
            [
                item.index_number,
                item.title,
                item.summary,
                item.theme.path_label,
                item.genre.name,
                item.issuing_authority or item.organization.name,
                item.written_on.isoformat(),
                item.published_on.isoformat() if item.published_on else "",
                item.document_number,
                validity.get(item.validity, item.validity),
            ]
        )
    return rows


def _xlsx(title: str, columns: list[str], rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from zhengwu.core.spreadsheets import save_workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(10, min(40, len(column) * 3))
    buffer = io.BytesIO()
    save_workbook(workbook, buffer)
    return buffer.getvalue()


def catalogue_xlsx(organization: Organization) -> bytes:
    """The organization's 政府信息公开目录 (Art. 12: 索引、名称、内容概述、生成日期 and the rest) as a workbook."""
    return _xlsx(
        "政府信息公开目录", CATALOGUE_COLUMNS, catalogue_rows(published_items(organization=organization))
    )


def late_items(user: Any, *, organization: Organization | None = None) -> QuerySet[DisclosureItem]:
    """Published items that came out more than the Art. 26 limit after 成文, in the user's scope."""
    qs = scope_queryset(DisclosureItem.objects.filter(status=ItemStatus.PUBLISHED, is_late=True), user)
    if organization is not None:
        qs = qs.filter(organization__path__startswith=organization.path)
    return qs.select_related("organization").order_by("-delay_workdays", "-published_on")


def late_counts_by_organization(user: Any) -> list[dict[str, Any]]:
    qs = scope_queryset(DisclosureItem.objects.filter(status=ItemStatus.PUBLISHED), user)
    return list(
        qs.values("organization__name", "organization__code")
        .annotate(published=Count("pk"), late=Count("pk", filter=Q(is_late=True)))
        .order_by("-late", "organization__name")
    )


# -- 标准目录 ----------------------------------------------------------------------------------------------------


def standard_areas() -> QuerySet[StandardCatalogArea]:
    return StandardCatalogArea.objects.annotate(n=Count("entries")).order_by("sort_order")


def area_entries(
    area: StandardCatalogArea, organization: Organization | None = None
) -> QuerySet[StandardCatalogEntry]:
    qs = area.entries.select_related("organization")
    if organization is not None:
        qs = qs.filter(organization=organization)
    return qs.order_by("organization__path", "serial")


STANDARD_COLUMNS = [
    "序号",
    "公开事项（一级事项）",
    "公开事项（二级事项）",
    "公开内容（要素）",
    "公开依据",
    "公开时限",
    "公开主体",
    "公开渠道和载体",
    "公开对象",
    "公开方式",
    "公开层级",
]


def entry_row(entry: StandardCatalogEntry) -> list[str]:
    levels = {item["code"]: item["label"] for item in load("catalogue")["levels"]}
    return [
        str(entry.serial),
        entry.level1,
        entry.level2,
        entry.content,
        entry.basis,
        entry.time_limit_text,
        entry.subject,
        "、".join(entry.channels),
        entry.get_audience_display(),
        entry.get_mode_display(),
        "、".join(levels.get(level, level) for level in entry.levels),
    ]


def standard_catalogue_xlsx(area: StandardCatalogArea) -> bytes:
    return _xlsx(area.name, STANDARD_COLUMNS, [entry_row(entry) for entry in area_entries(area)])


@dataclass(frozen=True)
class CoverageRow:
    entry: StandardCatalogEntry
    items: int
    on_time: int
    latest: dt.date | None

    @property
    def status(self) -> str:
        if self.items == 0:
            return "无公开信息"
        if self.on_time == 0:
            return "仅有超时公开的信息"
        return "已按时公开"

    @property
    def is_gap(self) -> bool:
        return self.on_time == 0


def coverage(
    user: Any, *, area: StandardCatalogArea | None = None, only_gaps: bool = False
) -> list[CoverageRow]:
    """For each 主动 entry: items linked to it, how many came out within its 公开时限, the latest publication.
    Entries with nothing published within their time limit are the gaps."""
    qs = scope_queryset(StandardCatalogEntry.objects.filter(mode="proactive"), user).select_related(
        "area", "organization"
    )
    if area is not None:
        qs = qs.filter(area=area)
    rows = []
    published = DisclosureItem.objects.filter(status=ItemStatus.PUBLISHED)
    for entry in qs.order_by("area__sort_order", "organization__path", "serial"):
        items = [
            item for item in published.filter(standard_entries=entry).only("published_on", "delay_workdays")
        ]
        limit = entry.time_limit_workdays
        on_time = sum(
            1
            for item in items
            if limit is None or (item.delay_workdays is not None and item.delay_workdays <= limit)
        )
        latest = max((item.published_on for item in items), default=None)
        row = CoverageRow(entry, len(items), on_time, latest)
        if not only_gaps or row.is_gap:
            rows.append(row)
    return rows


def entries_with_items() -> QuerySet[StandardCatalogEntry]:
    return StandardCatalogEntry.objects.annotate(
        has_items=Exists(
            DisclosureItem.objects.filter(standard_entries=OuterRef("pk"), status=ItemStatus.PUBLISHED)
        )
    )
