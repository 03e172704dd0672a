"""A CKAN-compatible Action API (read actions) over the catalogue, so that CKAN clients and harvesters read the
county's open datasets.

Served at ``/api/3/action/<name>`` and ``/api/action/<name>``, as CKAN serves both; parameters come from the query
string (GET) or a JSON object body (POST). Responses use CKAN's envelope ``{"help", "success", "result"}`` and its
error format ``{"success": false, "error": {"__type", "message"}}`` with CKAN's HTTP statuses (409 validation, 404
not found, 403 authorization, 400 bad request). The public sees open datasets only; a staff API token (sent as
``Authorization`` or ``X-CKAN-API-Key``, as CKAN clients do) sees what its owner may see.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.urls import path, reverse
from django.views.decorators.csrf import csrf_exempt

from .models import Distribution, Resource
from .selectors import opendata as od
from .services.opendata import user_for_key


class ActionError(Exception):
    status = 400
    kind = "Bad request"

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFound(ActionError):
    status = 404
    kind = "Not Found Error"


class Invalid(ActionError):
    status = 409
    kind = "Validation Error"


class NotAuthorized(ActionError):
    status = 403
    kind = "Authorization Error"


# --- parameters -----------------------------------------------------------------------------------------------


def _params(request: HttpRequest) -> dict[str, Any]:
    if request.method == "POST":
        body = request.body or b""
        if not body.strip():
            return dict(request.POST.items())
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ActionError("请求体不是合法的 JSON。") from exc
        if not isinstance(data, dict):
            raise ActionError("请求体应为 JSON 对象。")
        return data
    return dict(request.GET.items())


def _int(params: dict[str, Any], name: str, default: int, *, maximum: int | None = None) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise Invalid(f"{name} 应为整数，收到“{raw}”。", {name: ["Invalid integer"]}) from None
    if value < 0:
        raise Invalid(f"{name} 不能为负数，收到 {value}。", {name: ["Must be a natural number"]})
    if maximum is not None and value > maximum:
        raise Invalid(
            f"{name} 不能大于 {maximum}，收到 {value}。", {name: [f"Must be less than or equal to {maximum}"]}
        )
    return value


def _bool(params: dict[str, Any], name: str, default: bool = False) -> bool:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    if isinstance(raw, bool):
        return raw
    return str(raw).strip().lower() in {"true", "1", "yes", "on"}


def _required(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    if value in (None, "") or not isinstance(value, str | int):
        raise Invalid(f"缺少参数 {name}。", {name: ["Missing value"]})
    return str(value)


# --- dictionaries ---------------------------------------------------------------------------------------------


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        from datetime import UTC

        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat()


def organization_dict(org: Any, count: int | None = None) -> dict[str, Any]:
    data = {
        "id": str(org.pk),
        "name": od.organization_name(org),
        "title": org.name,
        "display_name": org.name,
        "description": "",
        "type": "organization",
        "is_organization": True,
        "state": "active" if org.is_active else "deleted",
        "approval_status": "approved",
        "image_url": "",
        "created": _iso(org.created_at),
    }
    if count is not None:
        data["package_count"] = count
    return data


def group_dict(node: Any, count: int | None = None) -> dict[str, Any]:
    data = {
        "id": node.code,
        "name": node.code,
        "title": node.name,
        "display_name": node.name,
        "description": node.get_attribute_display(),
        "type": "group",
        "is_organization": False,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
    }
    if count is not None:
        data["package_count"] = count
    return data


def resource_dict(request: HttpRequest, dist: Distribution, position: int) -> dict[str, Any]:
    resource = dist.resource
    if dist.kind == "api":
        url = dist.url
    else:
        url = request.build_absolute_uri(
            reverse("opendata_download", args=[od.package_name(resource), dist.uuid])
        )
    return {
        "id": str(dist.uuid),
        "package_id": od.package_name(resource),
        "name": dist.title,
        "description": "",
        "format": dist.format_label,
        "mimetype": dist.mime or None,
        "size": dist.size,
        "url": url,
        "url_type": None,
        "state": "active",
        "position": position,
        "created": _iso(dist.created_at),
        "last_modified": _iso(dist.updated_at),
        "datastore_active": False,
        "downloads": dist.download_count,
    }


def package_dict(request: HttpRequest, resource: Resource) -> dict[str, Any]:
    licence = od.licence_of(resource)
    group = od.group_of(resource)
    tags = od.tags_of(resource)
    files = od.files_of(resource)
    items = [{"name": i.name, "type": i.data_type, "length": i.length} for i in resource.items.all()]
    extras = {
        "信息资源代码": resource.code,
        "信息资源分类": resource.classification.code,
        "信息资源提供方代码": resource.provider_code,
        "信息资源格式": resource.resource_format,
        "共享类型": resource.get_share_type_display(),
        "共享条件": resource.share_condition,
        "共享方式": resource.share_method,
        "开放条件": resource.open_condition,
        "更新周期": resource.update_cycle,
        "发布日期": resource.published_on.isoformat() if resource.published_on else "",
        "关联资源代码": ",".join(resource.related_codes or []),
        "信息项": json.dumps(items, ensure_ascii=False),
        "frequency": od.settings_()["frequencies"].get(resource.update_cycle, ""),
        "access_rights": od.settings_()["access_rights"].get(resource.share_type, ""),
    }
    return {
        "id": od.package_name(resource),
        "name": od.package_name(resource),
        "title": resource.name,
        "notes": resource.summary,
        "type": "dataset",
        "state": "active",
        "private": not od.is_public(resource),
        "author": resource.provider.name,
        "maintainer": resource.provider.name,
        "version": None,
        "url": request.build_absolute_uri(reverse("opendata_detail", args=[od.package_name(resource)]))
        if od.is_public(resource)
        else "",
        "license_id": (getattr(resource, "open_dataset", None) and resource.open_dataset.licence) or None,
        "license_title": licence["title"] if licence else None,
        "license_url": (licence or {}).get("url") or None,
        "metadata_created": _iso(resource.created_at),
        "metadata_modified": _iso(resource.updated_at),
        "owner_org": str(resource.provider_id),
        "organization": organization_dict(resource.provider),
        "groups": [group_dict(group)] if group else [],
        "tags": [
            {"name": t, "display_name": t, "id": t, "state": "active", "vocabulary_id": None} for t in tags
        ],
        "num_tags": len(tags),
        "resources": [resource_dict(request, d, n) for n, d in enumerate(files)],
        "num_resources": len(files),
        "extras": [{"key": k, "value": v} for k, v in extras.items() if v not in ("", None)],
    }


# --- actions --------------------------------------------------------------------------------------------------


def _limits() -> dict[str, Any]:
    return od.settings_()


def package_list(request, user, params):
    cap = _limits()["list_limit_max"]
    limit = _int(params, "limit", cap, maximum=cap)
    offset = _int(params, "offset", 0)
    names = sorted(od.package_name(r) for r in od.datasets_for(user))
    return names[offset : offset + limit]


def package_show(request, user, params):
    ref = _required(params, "id") if "id" in params or "name" not in params else _required(params, "name")
    resource = od.find_dataset(od.datasets_for(user), ref)
    if resource is None:
        raise NotFound(f"数据集不存在：{ref}")
    return package_dict(request, resource)


def package_search(request, user, params):
    limits = _limits()
    rows = _int(params, "rows", limits["search_rows_default"], maximum=limits["search_rows_max"])
    start = _int(params, "start", 0)
    fq = params.get("fq") or ""
    q = params.get("q") or ""
    sort = params.get("sort") or ""
    if not all(isinstance(v, str) for v in (fq, q, sort)):
        raise Invalid("q、fq、sort 应为字符串。")
    try:
        found = od.search(od.datasets_for(user), q=q, fq=fq, sort=sort, rows=rows, start=start)
    except ValidationError as exc:
        raise Invalid(
            " ".join(exc.messages), {"fq" if "fq" in exc.messages[0] else "sort": exc.messages}
        ) from None
    facet_fields = params.get("facet.field") or []
    if isinstance(facet_fields, str):
        try:
            facet_fields = json.loads(facet_fields)
        except ValueError:
            facet_fields = [facet_fields]
    facets = {f: found.facets.get(f, {}) for f in facet_fields if isinstance(f, str)}
    return {
        "count": found.count,
        "results": [package_dict(request, r) for r in found.results],
        "facets": facets,
        "search_facets": {
            f: {"title": f, "items": [{"name": k, "display_name": k, "count": n} for k, n in v.items()]}
            for f, v in facets.items()
        },
        "sort": sort or "score desc, metadata_modified desc",
    }


def organization_list(request, user, params):
    rows = od.organizations_with_counts(od.datasets_for(user))
    sort = str(params.get("sort") or "name asc")
    if sort.startswith("package_count"):
        rows.sort(key=lambda pair: pair[1], reverse="asc" not in sort)
    elif sort.startswith("title"):
        rows.sort(key=lambda pair: pair[0].name, reverse="desc" in sort)
    elif "desc" in sort:
        rows.reverse()
    cap = _limits()["list_limit_max"]
    limit = _int(params, "limit", cap, maximum=cap)
    offset = _int(params, "offset", 0)
    rows = rows[offset : offset + limit]
    if _bool(params, "all_fields"):
        return [organization_dict(org, n) for org, n in rows]
    return [od.organization_name(org) for org, _ in rows]


def organization_show(request, user, params):
    ref = _required(params, "id")
    org = od.find_organization(ref)
    if org is None:
        raise NotFound(f"组织不存在：{ref}")
    datasets = od.datasets_for(user).filter(provider=org)
    data = organization_dict(org, datasets.count())
    if _bool(params, "include_datasets"):
        data["packages"] = [package_dict(request, r) for r in datasets.order_by("code")[:1000]]
    return data


def group_list(request, user, params):
    rows = od.groups_with_counts(od.datasets_for(user))
    if _bool(params, "all_fields"):
        return [group_dict(node, n) for node, n in rows]
    return [node.code for node, _ in rows]


def tag_list(request, user, params):
    query = str(params.get("query") or "")
    names: set[str] = set()
    for r in od.datasets_for(user):
        names.update(od.tags_of(r))
    result = sorted(n for n in names if query in n)
    if _bool(params, "all_fields"):
        return [{"id": n, "name": n, "display_name": n, "vocabulary_id": None} for n in result]
    return result


def resource_show(request, user, params):
    ref = _required(params, "id")
    dist = od.find_distribution(od.datasets_for(user), ref)
    if dist is None:
        raise NotFound(f"资源不存在：{ref}")
    position = list(dist.resource.distributions.all()).index(dist)
    return resource_dict(request, dist, position)


def status_show(request, user, params):
    from wagtail.models import Site

    site = Site.find_for_request(request)
    return {
        "ckan_version": _limits()["ckan_version"],
        "site_title": f"{site.site_name}开放数据" if site else "开放数据",
        "site_description": "政务信息资源目录中向社会开放的数据集",
        "site_url": request.build_absolute_uri("/").rstrip("/"),
        "error_emails_to": None,
        "locale_default": "zh_Hans_CN",
        "extensions": ["dcat"],
    }


ACTIONS: dict[str, Callable[[HttpRequest, Any, dict[str, Any]], Any]] = {
    "package_list": package_list,
    "package_show": package_show,
    "package_search": package_search,
    "organization_list": organization_list,
    "organization_show": organization_show,
    "group_list": group_list,
    "tag_list": tag_list,
    "resource_show": resource_show,
    "status_show": status_show,
}


def _caller(request: HttpRequest) -> Any:
    key = request.headers.get("Authorization") or request.headers.get("X-CKAN-API-Key") or ""
    if key.lower().startswith("bearer "):
        key = key[7:]
    if not key.strip():
        return None
    user = user_for_key(key)
    if user is None:
        raise NotAuthorized("API 令牌无效或已停用。")
    return user


def _help_url(request: HttpRequest, name: str) -> str:
    return request.build_absolute_uri(f"/api/3/action/help_show?name={name}")


@csrf_exempt
def action(request: HttpRequest, name: str) -> JsonResponse:
    help_url = _help_url(request, name)
    try:
        if request.method not in {"GET", "POST"}:
            raise ActionError(f"不支持的请求方法：{request.method}")
        handler = ACTIONS.get(name)
        if handler is None:
            raise ActionError(f"不支持的接口：{name}")
        user = _caller(request)
        result = handler(request, user, _params(request))
    except ActionError as exc:
        error = {"__type": exc.kind, "message": exc.message, **exc.fields}
        if exc.status == 400:
            error = {"__type": "Bad request", "message": exc.message}
        return JsonResponse(
            {"help": help_url, "success": False, "error": error},
            status=exc.status,
            json_dumps_params={"ensure_ascii": False},
        )
    return JsonResponse(
        {"help": help_url, "success": True, "result": result}, json_dumps_params={"ensure_ascii": False}
    )


urlpatterns = [
    path("api/3/action/<str:name>", action, name="ckan_action"),
    path("api/action/<str:name>", action, name="ckan_action_unversioned"),
]
