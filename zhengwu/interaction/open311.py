"""Open311 GeoReport v2 at ``/open311/v2/``: discovery, services, service definitions, POST requests (form-encoded,
with an api key issued in the admin), tokens, requests (filtered) and a single request, each as ``.json`` and
``.xml``, with the standard error list (HTTP 400 / 403 / 404; 429 when rate-limited).

Services are the public leaf categories of the 诉求分类 tree; a POST becomes a work order waiting for intake on the
console; ``status`` is open until the work order is finished (or answered directly); ``status_notes`` is its
published reply. Descriptions are published with phone and ID numbers masked; callers' names never are.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from xml.etree import ElementTree as ET

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from zhengwu.core.models.dispatch import DispatchState
from zhengwu.core.ratelimit import client_ip, over_limit

from .masking import mask_numbers
from .models import Outcome, RequestKind, WorkOrder
from .services.open311 import Open311Error, Submission, key_for, public_services, submit_request

MAX_RESULTS = 1000
MAX_SPAN = dt.timedelta(days=90)
CLOSED_STATES = (DispatchState.FINISHED, DispatchState.MERGED)
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
POST_LIMIT = (30, 600)  # per key and per address: 30 reports in 10 minutes


# -- rendering ---------------------------------------------------------------------------------------------------


def _xml_value(parent: ET.Element, name: str, value: Any, item_names: dict[str, str]) -> None:
    element = ET.SubElement(parent, name)
    if value is None:
        return
    if isinstance(value, dict):
        for key, inner in value.items():
            _xml_value(element, key, inner, item_names)
    elif isinstance(value, list):
        for inner in value:
            _xml_value(element, item_names.get(name, "item"), inner, item_names)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = str(value)


ITEM_NAMES = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}


def render(data: Any, fmt: str, *, root: str, item: str, status: int = 200) -> HttpResponse:
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False)
    else:
        element = ET.Element(root)
        items = data if isinstance(data, list) else [data]
        if isinstance(data, list):
            for entry in items:
                _xml_value(element, item, entry, ITEM_NAMES)
        else:
            for key, value in data.items():
                _xml_value(element, key, value, ITEM_NAMES)
        body = '<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(element, encoding="unicode")
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    response["Access-Control-Allow-Origin"] = "*"
    return response


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return render(
        [{"code": status, "description": description}], fmt, root="errors", item="error", status=status
    )


def _stamp(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


# -- representations ---------------------------------------------------------------------------------------------


def service_row(category) -> dict[str, Any]:
    group = category.path.split("/")[0]
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or category.path,
        "metadata": True,
        "type": "batch",
        "keywords": category.keywords.replace("，", ",") or None,
        "group": group,
    }


def service_definition(category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,
                "code": "kind",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "诉求类型，不填时由话务员受理时判断。",
                "order": 1,
                "description": "诉求类型",
                "values": [{"key": value, "name": label} for value, label in RequestKind.choices],
            }
        ],
    }


def is_closed(order: WorkOrder) -> bool:
    return order.dispatch_state in CLOSED_STATES


def request_row(order: WorkOrder) -> dict[str, Any]:
    return {
        "service_request_id": order.tracking_number,
        "status": "closed" if is_closed(order) else "open",
        "status_notes": mask_numbers(order.public_reply) or None,
        "service_name": order.category.name if order.category else None,
        "service_code": order.category.code if order.category else "",
        "description": mask_numbers(order.content),
        "agency_responsible": order.lead_unit.name if order.lead_unit else None,
        "service_notice": None,
        "requested_datetime": _stamp(order.received_at),
        "updated_datetime": _stamp(
            order.finished_at if is_closed(order) and order.finished_at else order.updated_at
        ),
        "expected_datetime": _stamp(order.handle_due_at) if not is_closed(order) else None,
        "address": order.location or None,
        "address_id": None,
        "zipcode": None,
        "lat": order.lat,
        "long": order.lng,
        "media_url": order.media_url or None,
    }


def published_orders():
    return (
        WorkOrder.objects.filter(category__is_public=True)
        .exclude(outcome=Outcome.INVALID)
        .select_related("category", "lead_unit")
    )


# -- views -------------------------------------------------------------------------------------------------------


def _fmt(fmt: str) -> str | None:
    return fmt if fmt in CONTENT_TYPES else None


def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    if not _fmt(fmt):
        return error("json", 404, "不支持的格式，请使用 .json 或 .xml。")
    base = request.build_absolute_uri(reverse("open311_root"))
    data = {
        "changeset": "2026-12-01T00:00:00+08:00",
        "contact": getattr(settings, "ZHENGWU_OPEN311_CONTACT", "") or "12345 政务服务便民热线",
        "key_service": "接口密钥由12345热线中心在管理后台发放。",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base.rstrip("/"),
                "changeset": "2026-12-01T00:00:00+08:00",
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(data, fmt, root="discovery", item="discovery")


def services(request: HttpRequest, fmt: str) -> HttpResponse:
    if not _fmt(fmt):
        return error("json", 404, "不支持的格式，请使用 .json 或 .xml。")
    return render([service_row(c) for c in public_services()], fmt, root="services", item="service")


def service(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    if not _fmt(fmt):
        return error("json", 404, "不支持的格式，请使用 .json 或 .xml。")
    category = public_services().filter(code=code).first()
    if category is None:
        return error(fmt, 404, f"service_code “{code}” 不存在或未公开。")
    return render(service_definition(category), fmt, root="service_definition", item="service_definition")


def _float(value: str, name: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except ValueError:
        raise Open311Error(400, f"{name} 应为数字。") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise Open311Error(400, f"{name} 应为数字。")
    return number


def _parse_moment(value: str, name: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip().replace(" ", "+"))
    except ValueError:
        raise Open311Error(400, f"{name} 应为 ISO 8601 时间，如 2026-12-01T00:00:00+08:00。") from None
    return moment if moment.tzinfo else timezone.make_aware(moment)


@csrf_exempt
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if not _fmt(fmt):
        return error("json", 404, "不支持的格式，请使用 .json 或 .xml。")
    try:
        if request.method == "POST":
            return _post(request, fmt)
        if request.method != "GET":
            return error(fmt, 400, "只支持 GET 和 POST。")
        return _list(request, fmt)
    except Open311Error as exc:
        return error(fmt, exc.status, exc.description)


def _post(request: HttpRequest, fmt: str) -> HttpResponse:
    data = request.POST
    key = key_for(data.get("api_key", ""))
    if key is None:
        raise Open311Error(403, "api_key 缺失或无效。")
    ip = client_ip(request)
    if over_limit(
        scope="open311-key", key=str(key.pk), limit=POST_LIMIT[0], window_seconds=POST_LIMIT[1]
    ) or (over_limit(scope="open311-ip", key=ip, limit=POST_LIMIT[0], window_seconds=POST_LIMIT[1])):
        raise Open311Error(429, "提交过于频繁，请稍后再试。")
    attributes = {k[10:-1]: v for k, v in data.items() if k.startswith("attribute[") and k.endswith("]")}
    kind = attributes.get("kind", "")
    if kind and kind not in RequestKind.values:
        raise Open311Error(400, "attribute[kind] 应为咨询、求助、投诉、举报、建议或表扬。")
    submission = Submission(
        service_code=data.get("service_code", "").strip(),
        description=data.get("description", ""),
        lat=_float(data.get("lat"), "lat"),
        lng=_float(data.get("long"), "long"),
        address=data.get("address_string", ""),
        address_id=data.get("address_id", ""),
        email=data.get("email", "").strip(),
        phone=data.get("phone", ""),
        first_name=data.get("first_name", "").strip(),
        last_name=data.get("last_name", "").strip(),
        account_id=data.get("account_id", ""),
        device_id=data.get("device_id", ""),
        media_url=data.get("media_url", "").strip(),
        attributes=attributes,
    )
    if not submission.service_code:
        raise Open311Error(400, "缺少 service_code。")
    order = submit_request(key=key, submission=submission)
    if kind:
        WorkOrder.objects.filter(pk=order.pk).update(kind=kind)
    row = {
        "service_request_id": order.tracking_number,
        "token": order.open311_token,
        "service_notice": "已收到，12345热线将在受理后转有关单位办理。",
        "account_id": order.open311_account or None,
    }
    return render([row], fmt, root="service_requests", item="request", status=201)


def _list(request: HttpRequest, fmt: str) -> HttpResponse:
    qs = published_orders()
    ids = [
        part.strip().upper() for part in request.GET.get("service_request_id", "").split(",") if part.strip()
    ]
    if ids:
        if len(ids) > MAX_RESULTS:
            raise Open311Error(400, f"service_request_id 一次最多 {MAX_RESULTS} 个。")
        qs = qs.filter(tracking_number__in=ids)
    else:
        codes = [part.strip() for part in request.GET.get("service_code", "").split(",") if part.strip()]
        if codes:
            qs = qs.filter(category__code__in=codes)
        end = _parse_moment(request.GET.get("end_date", ""), "end_date")
        start = _parse_moment(request.GET.get("start_date", ""), "start_date")
        if start is None and end is None:
            end = timezone.now()
            start = end - MAX_SPAN
        elif start is None:
            start = end - MAX_SPAN
        elif end is None:
            end = start + MAX_SPAN
        if end < start:
            raise Open311Error(400, "end_date 不能早于 start_date。")
        if end - start > MAX_SPAN:
            raise Open311Error(400, "start_date 与 end_date 相隔不能超过 90 天。")
        qs = qs.filter(received_at__gte=start, received_at__lte=end)
        statuses = {part.strip() for part in request.GET.get("status", "").split(",") if part.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, "status 只能为 open 或 closed。")
        if statuses == {"open"}:
            qs = qs.exclude(dispatch_state__in=CLOSED_STATES)
        elif statuses == {"closed"}:
            qs = qs.filter(dispatch_state__in=CLOSED_STATES)
    rows = [request_row(order) for order in qs.order_by("-received_at", "-pk")[:MAX_RESULTS]]
    return render(rows, fmt, root="service_requests", item="request")


def single_request(request: HttpRequest, number: str, fmt: str) -> HttpResponse:
    if not _fmt(fmt):
        return error("json", 404, "不支持的格式，请使用 .json 或 .xml。")
    order = published_orders().filter(tracking_number=number.upper()).first()
    if order is None:
        return error(fmt, 404, f"service_request_id “{number}” 不存在。")
    return render([request_row(order)], fmt, root="service_requests", item="request")


def token(request: HttpRequest, value: str, fmt: str) -> HttpResponse:
    if not _fmt(fmt):
        return error("json", 404, "不支持的格式，请使用 .json 或 .xml。")
    order = WorkOrder.objects.filter(open311_token=value).exclude(open311_token="").first() if value else None
    if order is None:
        return error(fmt, 404, "token 不存在。")
    return render(
        [{"service_request_id": order.tracking_number, "token": value}],
        fmt,
        root="service_requests",
        item="request",
    )


def root(request: HttpRequest) -> HttpResponse:
    return discovery(request, "json")


urlpatterns = [
    path("", root, name="open311_root"),
    path("discovery.<str:fmt>", discovery, name="open311_discovery"),
    path("services.<str:fmt>", services, name="open311_services"),
    path("services/<str:code>.<str:fmt>", service, name="open311_service"),
    path("requests.<str:fmt>", requests, name="open311_requests"),
    path("requests/<str:number>.<str:fmt>", single_request, name="open311_request"),
    path("tokens/<str:value>.<str:fmt>", token, name="open311_token"),
]
