"""Open311 GeoReport v2: every JSON response validates against the GeoReport v2 JSON Schemas (tests/open311), XML
responses parse into the spec's elements, errors use the standard list, bad input never gives a 500, POSTs are
rate-limited; and the PyPI client ``georeport`` reads a live server."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from django.core.cache import cache
from referencing import Registry, Resource

from zhengwu.interaction.models import Category, WorkOrder

from .conftest import bj

SCHEMAS = Path(__file__).resolve().parents[3] / "tests" / "open311" / "georeport_v2"
PASSWORD = "Zw-Test-Passw0rd!"


def _date_time(value) -> bool:
    if not isinstance(value, str):
        return True
    try:
        return dt.datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def _uri(value) -> bool:
    from urllib.parse import urlsplit

    return not isinstance(value, str) or bool(urlsplit(value).scheme and urlsplit(value).netloc)


FORMATS = jsonschema.FormatChecker(formats=())
FORMATS.checks("date-time")(_date_time)
FORMATS.checks("uri")(_uri)


def _registry() -> Registry:
    resources = []
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((path.name, Resource.from_contents(schema)))
    return Registry().with_resources(resources)


REGISTRY = _registry()


def validate(data, schema_name: str) -> None:
    schema = json.loads((SCHEMAS / f"{schema_name}.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema, registry=REGISTRY, format_checker=FORMATS).validate(data)


def test_the_schemas_reject_what_the_spec_forbids():
    """The validator really checks: a wrong status, a date without zone, a missing required field fail."""
    good = {
        "service_request_id": "RX1",
        "status": "open",
        "service_code": "C1",
        "requested_datetime": "2026-12-01T10:00:00+08:00",
    }
    validate([good], "requests")
    for bad in (
        {**good, "status": "pending"},
        {**good, "requested_datetime": "2026-12-01 10:00"},
        {k: v for k, v in good.items() if k != "service_code"},
        {**good, "description": "x" * 4001},
    ):
        with pytest.raises(jsonschema.ValidationError):
            validate([bad], "requests")
    with pytest.raises(jsonschema.ValidationError):
        validate([{"code": "403"}], "errors")


@pytest.fixture
def api(client, category, county, operator):
    from zhengwu.interaction.services.open311 import issue_key

    cache.clear()
    _key, secret = issue_key(name="随手拍", actor=None)
    return {"client": client, "key": secret, "category": category}


def get_json(client, url, schema, expect=200, **params):
    response = client.get(url, params)
    assert response.status_code == expect, response.content
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    validate(data, schema)
    return data


def post(client, fmt="json", **fields):
    return client.post(f"/open311/v2/requests.{fmt}", fields)


@pytest.mark.django_db
def test_every_json_response_validates_and_a_post_reads_back(api, operator, cgj_handler, county):
    client, category = api["client"], api["category"]
    discovery = get_json(client, "/open311/v2/discovery.json", "discovery")
    assert discovery["endpoints"][0]["url"].endswith("/open311/v2")
    services = get_json(client, "/open311/v2/services.json", "services")
    assert category.code in {s["service_code"] for s in services}
    assert all(s["service_code"] for s in services)
    definition = get_json(client, f"/open311/v2/services/{category.code}.json", "service-definition")
    assert definition["attributes"][0]["code"] == "kind"

    response = post(
        client,
        api_key=api["key"],
        service_code=category.code,
        lat="32.575",
        long="105.230",
        description="建设路菜市场门口流动摊贩占道，联系电话13900001111。",
        email="a@example.org",
        first_name="四",
        last_name="李",
        **{"attribute[kind]": "投诉"},
    )
    assert response.status_code == 201, response.content
    created = response.json()
    validate(created, "post-response")
    number, token = created[0]["service_request_id"], created[0]["token"]
    order = WorkOrder.objects.get(tracking_number=number)
    assert order.outcome == "" and order.kind == "投诉" and order.channel == "Open311"

    tokens = get_json(client, f"/open311/v2/tokens/{token}.json", "tokens")
    assert tokens[0]["service_request_id"] == number
    single = get_json(client, f"/open311/v2/requests/{number}.json", "requests")
    assert single[0]["status"] == "open" and "13900001111" not in single[0]["description"]
    assert "李" not in json.dumps(single, ensure_ascii=False)

    # The operator takes it in on the console; the unit replies; the reply becomes status_notes; 办结 closes it.
    from zhengwu.core.services import dispatch as engine
    from zhengwu.interaction.services.intake import Call, dispatch_order

    dispatch_order(
        call=Call(channel="Open311", kind="投诉", urgency="一般", category=category, content=order.content),
        unit=county["cgj"],
        actor=operator,
        order=order,
    )
    lead = order.assignments.get()
    engine.sign_assignment(assignment=lead, actor=cgj_handler)
    reply = engine.reply_case(
        assignment=lead, text="已清理占道摊点，后续加强巡查。联系人电话13800138000。", actor=cgj_handler
    )
    engine.review_reply(reply=reply, accept=True, actor=operator)
    open_rows = get_json(client, "/open311/v2/requests.json", "requests", status="open")
    row = next(r for r in open_rows if r["service_request_id"] == number)
    assert row["status_notes"].startswith("已清理占道摊点") and "13800138000" not in row["status_notes"]
    assert row["agency_responsible"] == "青川县城市管理局" and row["expected_datetime"]
    order.refresh_from_db()
    engine.record_callback(case=order, rating="满意", actor=operator)
    engine.finish_case(case=order, actor=operator)
    closed = get_json(
        client, "/open311/v2/requests.json", "requests", status="closed", service_code=category.code
    )
    assert [r["service_request_id"] for r in closed] == [number]
    assert get_json(client, "/open311/v2/requests.json", "requests", status="open") == []
    by_id = get_json(client, "/open311/v2/requests.json", "requests", service_request_id=f"{number},RXNOPE")
    assert [r["status"] for r in by_id] == ["closed"]


@pytest.mark.django_db
def test_errors_are_the_standard_list_never_a_500(api):
    client, category = api["client"], api["category"]
    cases = [
        (
            {"service_code": category.code, "description": "路灯不亮了", "lat": "32", "long": "105"},
            403,
            "api_key",
        ),
        (
            {
                "api_key": "zw311_guess",
                "service_code": category.code,
                "description": "路灯不亮了",
                "address_string": "建设路",
            },
            403,
            "api_key",
        ),
        (
            {
                "api_key": api["key"],
                "service_code": "C9999",
                "description": "路灯不亮了",
                "address_string": "建设路",
            },
            404,
            "service_code",
        ),
        ({"api_key": api["key"], "service_code": category.code, "description": "路灯不亮了"}, 400, "位置"),
        (
            {
                "api_key": api["key"],
                "service_code": category.code,
                "description": "长" * 4001,
                "address_string": "建设路",
            },
            400,
            "4000",
        ),
        (
            {
                "api_key": api["key"],
                "service_code": category.code,
                "description": "路灯",
                "lat": "北纬",
                "long": "105",
            },
            400,
            "lat",
        ),
        (
            {
                "api_key": api["key"],
                "service_code": category.code,
                "description": "路灯",
                "address_string": "x",
                "attribute[kind]": "闲聊",
            },
            400,
            "kind",
        ),
    ]
    for fields, status, words in cases:
        response = post(client, **fields)
        assert response.status_code == status, (fields, response.content)
        body = response.json()
        validate(body, "errors")
        assert body[0]["code"] == status and words in body[0]["description"]
        xml = post(client, fmt="xml", **fields)
        assert xml.status_code == status
        root = ET.fromstring(xml.content)
        assert root.tag == "errors" and root.find("error/code").text == str(status)
    assert WorkOrder.objects.count() == 0
    for url, status in (
        ("/open311/v2/services/C9999.json", 404),
        ("/open311/v2/requests/RX2026NOPE.json", 404),
        ("/open311/v2/tokens/nope.json", 404),
    ):
        response = client.get(url)
        assert response.status_code == status
        validate(response.json(), "errors")
    for params in (
        {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-06-01T00:00:00+08:00"},
        {"start_date": "yesterday"},
        {"status": "pending"},
    ):
        response = client.get("/open311/v2/requests.json", params)
        assert response.status_code == 400, params
        validate(response.json(), "errors")
    # A hidden category is no longer a service.
    Category.objects.filter(pk=category.pk).update(is_public=False)
    assert client.get(f"/open311/v2/services/{category.code}.json").status_code == 404


@pytest.mark.django_db
def test_a_flood_of_posts_is_rate_limited(api):
    client, category = api["client"], api["category"]
    statuses = [
        post(
            client,
            api_key=api["key"],
            service_code=category.code,
            description=f"第{i}次反映路灯不亮",
            address_string="建设路",
        ).status_code
        for i in range(32)
    ]
    assert statuses[:30] == [201] * 30 and statuses[30:] == [429, 429]
    assert WorkOrder.objects.count() == 30


@pytest.mark.django_db
def test_xml_responses_carry_the_spec_elements(api):
    client, category = api["client"], api["category"]
    root = ET.fromstring(client.get("/open311/v2/services.xml").content)
    assert root.tag == "services" and root.find("service/service_code") is not None
    assert root.find("service/metadata").text == "true"
    definition = ET.fromstring(client.get(f"/open311/v2/services/{category.code}.xml").content)
    assert definition.tag == "service_definition"
    assert definition.find("attributes/attribute/values/value/key").text == "咨询"
    response = post(
        client,
        fmt="xml",
        api_key=api["key"],
        service_code=category.code,
        description="井盖丢失",
        address_string="建设路",
        address_id="A-1",
    )
    created = ET.fromstring(response.content)
    number = created.find("request/service_request_id").text
    single = ET.fromstring(client.get(f"/open311/v2/requests/{number}.xml").content)
    assert single.tag == "service_requests" and single.find("request/status").text == "open"
    assert single.find("request/lat").text is None  # null fields are empty elements
    discovery = ET.fromstring(client.get("/open311/v2/discovery.xml").content)
    assert [f.text for f in discovery.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]


@pytest.mark.django_db(transaction=True)
def test_the_georeport_client_reads_a_live_server(live_server, county, official_calendar):
    import requests
    from georeport import GeoReport

    from zhengwu.interaction.services.open311 import issue_key
    from zhengwu.interaction.services.rules import load_categories, load_hotline_limits

    cache.clear()
    load_hotline_limits()
    load_categories()
    _key, secret = issue_key(name="第三方应用", actor=None)
    code = Category.objects.get(path="公用事业/供水/停水").code
    root = live_server.url + "/open311/v2"
    client = GeoReport(root)
    services = client.get_service_list()
    validate(services, "services")
    assert code in [s["service_code"] for s in services]
    definition = client.get_service_definition(code)
    validate(definition, "service-definition")
    # A POST as the spec says: a plain HTTP form.
    response = requests.post(
        f"{root}/requests.json",
        data={
            "api_key": secret,
            "service_code": code,
            "description": "幸福小区从早上起停水，没有通知。",
            "address_string": "乔庄镇幸福小区",
            "lat": "32.58",
            "long": "105.23",
        },
        timeout=20,
    )
    assert response.status_code == 201
    validate(response.json(), "post-response")
    number = response.json()[0]["service_request_id"]
    listed = client.get_service_requests(service_code=code, status="open")
    validate(listed, "requests")
    assert [r["service_request_id"] for r in listed] == [number]
    single = client.get_service_request(number)
    validate([single], "requests")
    assert single["status"] == "open" and single["address"] == "乔庄镇幸福小区"
    xml_client = GeoReport(root, output_format="xml")
    assert xml_client.get_service_request(number)["service_request_id"] == number
    assert any(s["service_code"] == code for s in xml_client.get_service_list())
    assert bj(2026, 1, 1) < dt.datetime.fromisoformat(single["requested_datetime"])
