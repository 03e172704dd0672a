"""The CKAN-compatible Action API and the DCAT export, tested from the outside: the PyPI ``ckanapi`` client
against a live server, CKAN's envelope and errors, and an independent RDF parser on the export."""

# ruff: noqa: F811  (fixtures imported from opendata_fixtures)
from __future__ import annotations

import json

import pytest

from .opendata_fixtures import HOST, datasets, portal  # noqa: F401

SHOPS = "102002-0001"
LAND = "103004-0001"


def _get(client, path, **params):
    return client.get(path, params, HTTP_HOST=HOST)


def _post(client, path, body, **headers):
    return client.post(path, data=body, content_type="application/json", HTTP_HOST=HOST, **headers)


@pytest.mark.django_db(transaction=True)
def test_the_ckanapi_client_lists_shows_and_searches_a_live_server(live_server, datasets, staff_token):
    import ckanapi
    import requests

    for get_only in (False, True):  # POST with a JSON body, and GET with query parameters
        ckan = ckanapi.RemoteCKAN(live_server.url, get_only=get_only, user_agent="harvester/1.0")
        assert ckan.action.status_show()["ckan_version"].startswith("2.")
        assert ckan.action.package_list() == [SHOPS, LAND]
        shown = ckan.action.package_show(id=SHOPS)
        assert shown["title"] == "个体工商户开业登记公示信息"
        assert shown["organization"]["name"] == "scj" and shown["license_id"] == "cc-by-4.0"
        assert [r["format"] for r in shown["resources"]] == ["CSV", "API"]
        extras = {e["key"]: e["value"] for e in shown["extras"]}
        assert extras["更新周期"] == "每月" and "经营者" in extras["信息项"]
        found = ckan.action.package_search(q="个体工商户")
        assert found["count"] == 1 and found["results"][0]["name"] == SHOPS
        assert ckan.action.package_search(fq="organization:zrzy")["results"][0]["name"] == LAND
        assert ckan.action.package_search(fq='tags:"营商环境"')["count"] == 1
        page = ckan.action.package_search(sort="name desc", rows=1, start=1)
        assert page["count"] == 2 and [p["name"] for p in page["results"]] == [SHOPS]
        assert ckan.action.organization_list() == ["scj", "zrzy"]
        orgs = ckan.action.organization_list(all_fields=True)
        assert {o["name"]: o["package_count"] for o in orgs} == {"scj": 1, "zrzy": 1}
        market = ckan.action.organization_show(id="scj", include_datasets=True)
        assert market["title"] == "青溪县市场监督管理局" and [p["name"] for p in market["packages"]] == [
            SHOPS
        ]
        assert ckan.action.group_list() == ["102", "103"]
        assert "营商环境" in ckan.action.tag_list()
        file_id = shown["resources"][0]["id"]
        assert ckan.action.resource_show(id=file_id)["url"] == shown["resources"][0]["url"]
        with pytest.raises(ckanapi.NotFound):
            ckan.action.package_show(id="食品经营许可证发放名单")
        with pytest.raises(ckanapi.ValidationError):
            ckan.action.package_search(fq="organization:(scj OR zrzy")
        with pytest.raises(ckanapi.ValidationError):
            ckan.action.package_search(rows=5000)

    # The file behind the package's URL downloads and is counted.
    response = requests.get(shown["resources"][0]["url"], timeout=10)
    assert response.status_code == 200 and "王记早点铺" in response.content.decode("utf-8")
    assert ckanapi.RemoteCKAN(live_server.url).action.resource_show(id=file_id)["downloads"] == 1

    # A staff token sees its own department's shared-only entry; the public does not.
    staff = ckanapi.RemoteCKAN(live_server.url, apikey=staff_token)
    names = staff.action.package_list()
    census = datasets["census"].code.replace("/", "-")
    assert census in names and SHOPS in names
    assert staff.action.package_show(id=census)["private"] is True
    with pytest.raises(ckanapi.NotFound):
        ckanapi.RemoteCKAN(live_server.url).action.package_show(id=census)


@pytest.fixture
def staff_token(police_liaison):
    from zhengwu.catalog.services.opendata import issue_token

    return issue_token(actor=police_liaison, user=police_liaison, name="统计汇总程序")[1]


def test_both_paths_serve_the_envelope_without_redirect_or_csrf(client, datasets):
    from django.test import Client

    for prefix in ("/api/3/action/", "/api/action/"):
        response = _get(client, prefix + "package_list")
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"help", "success", "result"} and body["success"] is True
        assert body["result"] == [SHOPS, LAND]
    strict = Client(enforce_csrf_checks=True)
    response = _post(strict, "/api/3/action/package_show", json.dumps({"id": LAND}))
    assert response.status_code == 200 and response.json()["result"]["title"] == "国有建设用地供应结果"


@pytest.mark.parametrize(
    ("action", "params", "status", "kind"),
    [
        ("package_search", {"fq": 'tags:"营商环境'}, 409, "Validation Error"),
        ("package_search", {"fq": "owner_org:5"}, 409, "Validation Error"),
        ("package_search", {"fq": "organization:scj OR"}, 409, "Validation Error"),
        ("package_search", {"rows": "1001"}, 409, "Validation Error"),
        ("package_search", {"fq": "metadata_modified:[yesterday TO *]"}, 409, "Validation Error"),
        ("package_search", {"fq": "organization:[a TO b]"}, 409, "Validation Error"),
        ("package_search", {"rows": "十"}, 409, "Validation Error"),
        ("package_search", {"start": "-1"}, 409, "Validation Error"),
        ("package_search", {"sort": "name sideways"}, 409, "Validation Error"),
        ("package_show", {}, 409, "Validation Error"),
        ("package_show", {"id": "no-such-dataset"}, 404, "Not Found Error"),
        ("organization_show", {"id": "nosuchorg"}, 404, "Not Found Error"),
        ("resource_show", {"id": "not-a-uuid"}, 404, "Not Found Error"),
        ("package_list", {"limit": "100000"}, 409, "Validation Error"),
    ],
)
def test_bad_queries_get_ckan_errors_not_500(client, datasets, action, params, status, kind):
    for response in (
        _get(client, f"/api/3/action/{action}", **params),
        _post(client, f"/api/3/action/{action}", json.dumps(params)),
    ):
        assert response.status_code == status, response.content
        body = response.json()
        assert body["success"] is False and body["error"]["__type"] == kind
        assert body["error"]["message"] and "help" in body


def test_a_harvester_asks_for_what_changed_since_its_last_run(client, datasets):
    import datetime as dt

    from zhengwu.catalog.models import Resource

    Resource.objects.filter(pk=datasets["land"].pk).update(updated_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    Resource.objects.filter(pk=datasets["shops"].pk).update(updated_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    since = "metadata_modified:[2026-02-01T00:00:00Z TO *]"
    found = _get(client, "/api/3/action/package_search", fq=since, sort="id asc", rows="100").json()["result"]
    assert [p["name"] for p in found["results"]] == [SHOPS]
    before = "+metadata_modified:[* TO 2026-02-01T00:00:00Z] +organization:zrzy"
    found = _get(client, "/api/3/action/package_search", fq=before).json()["result"]
    assert [p["name"] for p in found["results"]] == [LAND]
    assert (
        _get(client, "/api/3/action/package_search", fq="+organization:zrzy +organization:scj").json()[
            "result"
        ]["count"]
        == 0
    )


def test_rows_at_the_cap_is_accepted(client, datasets):
    assert _get(client, "/api/3/action/package_search", rows="1000").json()["result"]["count"] == 2


def test_unknown_action_bad_body_and_bad_token(client, datasets):
    response = _get(client, "/api/3/action/package_create")
    assert response.status_code == 400 and response.json()["success"] is False
    response = _post(client, "/api/3/action/package_search", "{not json")
    assert response.status_code == 400 and response.json()["error"]["message"]
    response = client.get("/api/3/action/package_list", HTTP_HOST=HOST, HTTP_AUTHORIZATION="zwck_forged")
    assert response.status_code == 403
    assert response.json()["error"]["__type"] == "Authorization Error"


def test_a_revoked_token_is_refused(client, datasets, police_liaison, staff_token):
    from zhengwu.catalog.models import ApiToken
    from zhengwu.catalog.services.opendata import revoke_token

    revoke_token(actor=police_liaison, token=ApiToken.objects.get(user=police_liaison))
    response = client.get("/api/3/action/package_list", HTTP_HOST=HOST, HTTP_X_CKAN_API_KEY=staff_token)
    assert response.status_code == 403


def test_a_token_of_another_department_does_not_see_the_police_entry(client, datasets, market_liaison):
    from zhengwu.catalog.services.opendata import issue_token

    _, key = issue_token(actor=market_liaison, user=market_liaison, name="市场监管局数据核对")
    names = client.get("/api/3/action/package_list", HTTP_HOST=HOST, HTTP_AUTHORIZATION=key).json()["result"]
    # Its own draft is visible to it; the police entry shared between departments only is not.
    assert datasets["draft"].code.replace("/", "-") in names
    assert datasets["census"].code.replace("/", "-") not in names


def _graph(content: bytes, fmt: str):
    from rdflib import Graph

    graph = Graph()
    graph.parse(data=content.decode("utf-8"), format=fmt)
    return graph


def test_dcat_exports_parse_and_map_access_rights_and_frequency(client, datasets, staff_token):
    from rdflib import Literal, URIRef
    from rdflib.namespace import DCAT, DCTERMS, RDF

    rights = "http://publications.europa.eu/resource/authority/access-right/"
    freq = "http://publications.europa.eu/resource/authority/frequency/"
    for path, fmt, mime in (
        ("/catalog.jsonld", "json-ld", "application/ld+json"),
        ("/catalog.ttl", "turtle", "text/turtle"),
    ):
        response = client.get(path, HTTP_HOST=HOST)
        assert response.status_code == 200 and response["Content-Type"].startswith(mime)
        graph = _graph(response.content, fmt)
        found = {str(graph.value(d, DCTERMS.identifier)): d for d in graph.subjects(RDF.type, DCAT.Dataset)}
        assert set(found) == {datasets["shops"].code, datasets["land"].code}
        shops = found[datasets["shops"].code]
        assert graph.value(shops, DCTERMS.accessRights) == URIRef(rights + "PUBLIC")
        assert graph.value(shops, DCTERMS.accrualPeriodicity) == URIRef(freq + "MONTHLY")
        assert graph.value(found[datasets["land"].code], DCTERMS.accrualPeriodicity) == URIRef(
            freq + "QUARTERLY"
        )
        assert Literal("个体工商户开业登记公示信息", lang="zh") in set(graph.objects(shops, DCTERMS.title))
        assert len(list(graph.objects(shops, DCAT.distribution))) == 2

        staff = client.get(path, HTTP_HOST=HOST, HTTP_AUTHORIZATION=staff_token)
        graph = _graph(staff.content, fmt)
        found = {str(graph.value(d, DCTERMS.identifier)): d for d in graph.subjects(RDF.type, DCAT.Dataset)}
        census = found[datasets["census"].code]
        assert graph.value(census, DCTERMS.accessRights) == URIRef(rights + "RESTRICTED")
        assert graph.value(census, DCTERMS.accrualPeriodicity) == URIRef(freq + "WEEKLY")


def test_a_refused_share_type_maps_to_non_public(client, datasets, police_liaison, catalog_admin, entry_data):
    from rdflib import URIRef
    from rdflib.namespace import DCAT, DCTERMS, RDF

    from .opendata_fixtures import _approved

    hidden = _approved(
        police_liaison,
        catalog_admin,
        entry_data(
            name="在逃人员信息",
            share_type="none",
            share_condition="",
            share_basis="《中华人民共和国保守国家秘密法》",
            update_cycle="不定期",
        ),
    )
    from zhengwu.catalog.services.opendata import issue_token

    _, key = issue_token(actor=police_liaison, user=police_liaison, name="核对")
    graph = _graph(client.get("/catalog.ttl", HTTP_HOST=HOST, HTTP_AUTHORIZATION=key).content, "turtle")
    node = next(
        d
        for d in graph.subjects(RDF.type, DCAT.Dataset)
        if str(graph.value(d, DCTERMS.identifier)) == hidden.code
    )
    assert str(graph.value(node, DCTERMS.accessRights)).endswith("/NON_PUBLIC")
    assert graph.value(node, DCTERMS.accrualPeriodicity) == URIRef(
        "http://publications.europa.eu/resource/authority/frequency/IRREG"
    )


def test_a_non_open_entry_is_invisible_to_the_public_everywhere(client, datasets):
    census, draft, secret = datasets["census"], datasets["draft"], datasets["secret_file"]
    hidden_names = {r.code.replace("/", "-") for r in (census, draft)}
    hidden_titles = {census.name, draft.name}

    def text(response):
        return response.content.decode("utf-8")

    api = "/api/3/action/"
    responses = [
        _get(client, api + "package_list"),
        _get(client, api + "package_search", rows="1000"),
        _get(client, api + "package_search", q="登记"),
        _get(client, api + "organization_list", all_fields="true"),
        _get(client, api + "organization_show", id="gaj", include_datasets="true"),
        _get(client, api + "organization_show", id="scj", include_datasets="true"),
        _get(client, api + "tag_list"),
        _get(client, api + "group_list", all_fields="true"),
        _get(client, "/catalog.jsonld"),
        _get(client, "/catalog.ttl"),
        _get(client, "/kfsj/"),
        _get(client, "/kfsj/", q="登记"),
    ]
    for response in responses:
        assert response.status_code == 200
        body = text(response)
        for name in hidden_names | hidden_titles | {str(secret.uuid)}:
            assert name not in body, (response.wsgi_request.get_full_path(), name)
    assert "户籍人口" not in text(_get(client, api + "tag_list"))  # the police entry's class names as tags
    assert _get(client, api + "organization_show", id="gaj").json()["result"]["package_count"] == 0
    for ref in (*hidden_names, census.code, draft.code):
        assert _get(client, api + "package_show", id=ref).status_code == 404
        assert client.get(f"/kfsj/{ref.replace('/', '-')}/", HTTP_HOST=HOST).status_code == 404
    assert _get(client, api + "resource_show", id=str(secret.uuid)).status_code == 404
    name = census.code.replace("/", "-")
    assert client.get(f"/kfsj/{name}/xz/{secret.uuid}/", HTTP_HOST=HOST).status_code == 404
