"""Read-only JSON API of published content (/api/v1/), described by OpenAPI at /api/v1/openapi.json.

No ``from __future__ import annotations`` here: django-ninja reads the real annotations of the view signatures.
"""

import datetime as dt

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Query, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from wagtail.models import Page, Site

from .models import ColumnKind, ColumnPage, ContentPage

api = NinjaAPI(
    title="示范县政府网站群 公开内容接口",
    version="1",
    description="已发布内容的只读接口：网站、栏目与文章。",
    urls_namespace="api_v1",
    docs_url=None,  # the interactive docs would load assets from a CDN; the OpenAPI document is enough
)


class SiteOut(Schema):
    id: int
    name: str
    hostname: str
    is_portal: bool


class ColumnOut(Schema):
    id: int
    title: str
    column_kind: str
    column_kind_label: str
    url: str


class ItemOut(Schema):
    id: int
    title: str
    type: str
    url: str
    published_at: dt.datetime
    column_id: int | None
    source: str
    summary: str


class ItemDetailOut(ItemOut):
    body_html: str
    document_number: str | None = None
    issuing_authority: str | None = None
    written_on: dt.date | None = None
    validity: str | None = None
    policy_id: int | None = None


class ItemFilter(Schema):
    site: int | None = None
    column: int | None = None
    type: str | None = None
    since: dt.date | None = None


TYPES = {"article": "articlepage", "policy": "policydocumentpage", "interpretation": "interpretationpage"}


def _item(page, *, column_id: int | None, request: HttpRequest | None = None) -> dict:
    """``page`` is the specific page (an ArticlePage, PolicyDocumentPage, …)."""
    return {
        "id": page.pk,
        "title": page.title,
        "type": next((k for k, v in TYPES.items() if v == page._meta.model_name), "article"),
        "url": page.get_full_url(request) or page.get_url(request),
        "published_at": page.published_at,
        "column_id": column_id,
        "source": page.source,
        "summary": page.summary,
    }


class _ItemPage:
    """What the paginator slices: only the requested slice is read, turned into specific pages in one query per
    page type, with their columns found by path in one more query."""

    def __init__(self, queryset, request: HttpRequest):
        self.queryset = queryset
        self.request = request

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[dict]:
        pages = list(self.queryset[window].specific())
        parent_paths = {page.path[: -Page.steplen] for page in pages}
        parents = dict(Page.objects.filter(path__in=parent_paths).values_list("path", "pk"))
        return [
            _item(page, column_id=parents.get(page.path[: -Page.steplen]), request=self.request)
            for page in pages
        ]


@api.get("/sites", response=list[SiteOut], summary="网站列表")
def list_sites(request: HttpRequest):
    return [
        {"id": s.pk, "name": s.site_name, "hostname": s.hostname, "is_portal": s.is_default_site}
        for s in Site.objects.order_by("-is_default_site", "site_name")
    ]


@api.get("/sites/{site_id}/columns", response=list[ColumnOut], summary="网站的栏目")
def list_columns(request: HttpRequest, site_id: int):
    site = get_object_or_404(Site, pk=site_id)
    columns = ColumnPage.objects.live().public().descendant_of(site.root_page).order_by("path")
    return [
        {
            "id": c.pk,
            "title": c.title,
            "column_kind": c.column_kind,
            "column_kind_label": ColumnKind(c.column_kind).label,
            "url": c.full_url or c.url,
        }
        for c in columns
    ]


@api.get("/items", response=list[ItemOut], summary="已发布内容（按发布日期倒序）")
@paginate(LimitOffsetPagination)
def list_items(request: HttpRequest, filters: Query[ItemFilter]):
    items = ContentPage.objects.live().public().order_by("-published_at", "-pk")
    if filters.site is not None:
        site = get_object_or_404(Site, pk=filters.site)
        items = items.descendant_of(site.root_page)
    if filters.column is not None:
        items = items.child_of(get_object_or_404(ColumnPage, pk=filters.column))
    if filters.type:
        model = TYPES.get(filters.type)
        if model is None:
            from ninja.errors import HttpError

            raise HttpError(400, f"未知的内容类型：{filters.type}（可选：{'、'.join(TYPES)}）")
        items = items.filter(content_type__model=model)
    if filters.since:
        items = items.filter(published_at__date__gte=filters.since)
    return _ItemPage(items, request)


@api.get("/items/{item_id}", response=ItemDetailOut, summary="内容详情")
def get_item(request: HttpRequest, item_id: int):
    page = get_object_or_404(ContentPage.objects.live().public(), pk=item_id).specific
    parent = page.get_parent()
    data = _item(page, column_id=parent.pk if parent else None, request=request)
    data["body_html"] = page.body
    for field in ("document_number", "issuing_authority", "written_on", "validity"):
        data[field] = getattr(page, field, None)
    data["policy_id"] = getattr(page, "policy_id", None)
    return data
