"""Read-only JSON API of published content (/api/v1/), described by OpenAPI at /api/v1/openapi.json.

No ``from __future__ import annotations`` here: django-ninja reads the real annotations of the view signatures.
"""

import datetime as dt
from typing import Annotated, Literal

from django.conf import settings
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from ninja import Field, NinjaAPI, Path, Query, Schema
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import field_validator
from wagtail.models import Page, Site

from zhengwu.core.params import MAX_ID

from .links import absolute_page_url
from .models import ColumnKind, ColumnPage, ContentPage


class PortalAPI(NinjaAPI):
    """The title comes from the settings (``ZHENGWU_API_TITLE``) each time it is read, so an install names its own
    county and a changed setting shows without a code change."""

    @property
    def title(self) -> str:
        return settings.ZHENGWU_API_TITLE

    @title.setter
    def title(self, value: str) -> None:  # NinjaAPI.__init__ assigns it; the setting wins
        pass


api = PortalAPI(
    version="1",
    description="已发布内容的只读接口：网站、栏目与文章。",
    urls_namespace="api_v1",
    # Ninja's interactive docs load their scripts from a CDN unless installed as an app: the docs page below is
    # rendered here from the OpenAPI description instead, with the portal's own stylesheet.
    docs_url=None,
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


TYPES = {"article": "articlepage", "policy": "policydocumentpage", "interpretation": "interpretationpage"}
MAX_OFFSET = 1_000_000
MAX_LIMIT = 100

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class ErrorOut(Schema):
    detail: str | list[dict]


# Every operation may answer these, and says so in the OpenAPI description.
ERRORS = {400: ErrorOut, 404: ErrorOut}


class ItemFilter(Schema):
    site: Id | None = Field(None, description="网站编号（/sites 中的 id）")
    column: Id | None = Field(None, description="栏目编号（/sites/{site_id}/columns 中的 id）")
    type: Literal["article", "policy", "interpretation"] | None = Field(
        None, description="内容类型：article 文章、policy 政策文件、interpretation 政策解读"
    )
    # Any real date is a valid filter (an early one lists everything); the OpenAPI cannot state a minimum date.
    since: dt.date | None = Field(None, description="只列出此日期（YYYY-MM-DD）及以后发布的内容")

    @field_validator("since", mode="before")
    @classmethod
    def _iso_date_only(cls, value):
        # Pydantic would read 0 or 1700000000 as a timestamp: a date here is written YYYY-MM-DD.
        if value is None or isinstance(value, dt.date):
            return value
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError("日期应写成 YYYY-MM-DD")
        return value


class BoundedLimitOffset(LimitOffsetPagination):
    """Limit and offset within stated bounds: out of range is a 400, never a silent clamp or an SQL overflow."""

    class Input(Schema):
        limit: int = Field(20, ge=1, le=MAX_LIMIT, description=f"每页条数（1–{MAX_LIMIT}）")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description=f"跳过的条数（0–{MAX_OFFSET}）")


@api.exception_handler(NinjaValidationError)
def _invalid_parameters(request: HttpRequest, exc: NinjaValidationError):
    """Parameters that fail validation: 400 (declared in the description) with what was wrong, in Chinese."""
    problems = []
    skipped = ("query", "path", "filters", "pagination")
    for error in exc.errors:
        names = [str(part) for part in error.get("loc", ()) if part not in skipped]
        typed = request.GET.get(names[-1], "") if names else ""
        if not typed and names and request.resolver_match is not None:
            typed = str(request.resolver_match.kwargs.get(names[-1], ""))
        problems.append({"parameter": ".".join(names), "message": _chinese(error), "input": typed[:50]})
    return api.create_response(request, {"detail": problems}, status=400)


def _chinese(error: dict) -> str:
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = context.get("ge", context.get("le", context.get("gt", context.get("lt"))))
        word = {"greater_than_equal": "不能小于", "less_than_equal": "不能大于"}.get(kind, "超出范围")
        return f"取值{word} {bound}"
    if kind.startswith("int"):
        return "应为整数"
    if kind.startswith("date") or kind == "value_error":
        return "应为 YYYY-MM-DD 格式的有效日期"
    if kind in ("literal_error", "enum"):
        return "取值无效，可选：" + "、".join(TYPES)
    return "参数无效"


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404):
    return api.create_response(request, {"detail": "未找到"}, status=404)


def _item(page, *, column_id: int | None, request: HttpRequest | None = None) -> dict:
    """``page`` is the specific page (an ArticlePage, PolicyDocumentPage, …)."""
    return {
        "id": page.pk,
        "title": page.title,
        "type": next((k for k, v in TYPES.items() if v == page._meta.model_name), "article"),
        "url": absolute_page_url(page, request),
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


@api.get("/sites", response={200: list[SiteOut], **ERRORS}, summary="网站列表")
def list_sites(request: HttpRequest):
    return [
        {"id": s.pk, "name": s.site_name, "hostname": s.hostname, "is_portal": s.is_default_site}
        for s in Site.objects.order_by("-is_default_site", "site_name")
    ]


@api.get("/sites/{site_id}/columns", response={200: list[ColumnOut], **ERRORS}, summary="网站的栏目")
def list_columns(request: HttpRequest, site_id: Path[Id]):
    site = get_object_or_404(Site, pk=site_id)
    columns = ColumnPage.objects.live().public().descendant_of(site.root_page).order_by("path")
    return [
        {
            "id": c.pk,
            "title": c.title,
            "column_kind": c.column_kind,
            "column_kind_label": ColumnKind(c.column_kind).label,
            "url": absolute_page_url(c, request),
        }
        for c in columns
    ]


@api.get("/items", response={200: list[ItemOut], **ERRORS}, summary="已发布内容（按发布日期倒序）")
@paginate(BoundedLimitOffset)
def list_items(request: HttpRequest, filters: Query[ItemFilter]):
    items = ContentPage.objects.live().public().order_by("-published_at", "-pk")
    if filters.site is not None:
        site = get_object_or_404(Site, pk=filters.site)
        items = items.descendant_of(site.root_page)
    if filters.column is not None:
        items = items.child_of(get_object_or_404(ColumnPage, pk=filters.column))
    if filters.type:
        items = items.filter(content_type__model=TYPES[filters.type])
    if filters.since:
        items = items.filter(published_at__date__gte=filters.since)
    return _ItemPage(items, request)


@api.get("/items/{item_id}", response={200: ItemDetailOut, **ERRORS}, summary="内容详情")
def get_item(request: HttpRequest, item_id: Path[Id]):
    page = get_object_or_404(ContentPage.objects.live().public(), pk=item_id).specific
    parent = page.get_parent()
    data = _item(page, column_id=parent.pk if parent else None, request=request)
    data["body_html"] = page.body
    for field in ("document_number", "issuing_authority", "written_on", "validity"):
        data[field] = getattr(page, field, None)
    data["policy_id"] = getattr(page, "policy_id", None)
    return data


def _endpoints(request: HttpRequest) -> list[dict]:
    """The documented operations, in the order of the OpenAPI description, with their parameters and fields."""
    schema = api.get_openapi_schema(path_prefix=reverse("api_v1:api-root"))
    components = schema.get("components", {}).get("schemas", {})

    def fields(ref_or_schema: dict) -> list[dict]:
        target = ref_or_schema
        if "items" in target:
            target = target["items"]
        if "$ref" in target:
            target = components.get(target["$ref"].rsplit("/", 1)[-1], {})
        required = set(target.get("required", []))
        return [
            {
                "name": name,
                "type": spec.get("type")
                or spec.get("format")
                or "、".join(
                    str(option.get("type", "")) for option in spec.get("anyOf", []) if option.get("type")
                ),
                "required": name in required,
                "title": spec.get("title", ""),
            }
            for name, spec in target.get("properties", {}).items()
        ]

    endpoints = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            response = operation.get("responses", {}).get(200, operation.get("responses", {}).get("200", {}))
            body = response.get("content", {}).get("application/json", {}).get("schema", {})
            endpoints.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "parameters": [
                        {
                            "name": parameter["name"],
                            "where": {"path": "路径", "query": "查询"}.get(parameter["in"], parameter["in"]),
                            "required": parameter.get("required", False),
                            "type": parameter.get("schema", {}).get("type")
                            or parameter.get("schema", {}).get("format")
                            or "",
                        }
                        for parameter in operation.get("parameters", [])
                    ],
                    "fields": fields(body),
                    "example": request.build_absolute_uri(path) if "{" not in path else "",
                }
            )
    return endpoints


@api.get("/", include_in_schema=False, url_name="api-index")
def index(request: HttpRequest):
    """The entry point: what the API is and where its description and operations are."""
    return {
        "title": api.title,
        "version": api.version,
        "description": api.description,
        "docs": request.build_absolute_uri(reverse("api_v1:api-docs")),
        "openapi": request.build_absolute_uri(reverse("api_v1:openapi-json")),
        "endpoints": [
            {"method": e["method"], "path": e["path"], "summary": e["summary"]} for e in _endpoints(request)
        ],
    }


@api.get("/docs", include_in_schema=False, url_name="api-docs")
def docs(request: HttpRequest):
    """接口说明, rendered on the server from the OpenAPI description (no scripts, no assets from elsewhere)."""
    return render(
        request,
        "portal/api_docs.html",
        {
            "title": api.title,
            "version": api.version,
            "description": api.description,
            "endpoints": _endpoints(request),
            "openapi_url": reverse("api_v1:openapi-json"),
        },
    )
