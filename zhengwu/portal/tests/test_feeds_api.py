"""Machine-readable output: RSS per column, sitemap.xml per site, the JSON API and its OpenAPI description."""

import xml.etree.ElementTree as ET

import pytest

from zhengwu.portal.tests.test_pages import HOST, portal  # noqa: F401  (fixture)


@pytest.mark.django_db
def test_column_rss(client, portal):  # noqa: F811
    news = portal["news"]
    response = client.get(f"/rss/{news.pk}/", HTTP_HOST=HOST)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    assert channel.findtext("title") == "示范县人民政府 - 政务要闻"
    titles = [item.findtext("title") for item in channel.findall("item")]
    assert titles == ["县政府召开常务会议"]
    assert client.get("/rss/999999/", HTTP_HOST=HOST).status_code == 404


@pytest.mark.django_db
def test_rss_of_another_sites_column_is_not_served(client, portal, make_org):  # noqa: F811
    from zhengwu.portal.services import create_site

    create_site(organization=make_org(), site_name="子站", hostname="sub.localhost", port=8000, actor=None)
    assert client.get(f"/rss/{portal['news'].pk}/", HTTP_HOST="sub.localhost:8000").status_code == 404


@pytest.mark.django_db
def test_sitemap_lists_the_sites_pages(client, portal):  # noqa: F811
    response = client.get("/sitemap.xml", HTTP_HOST=HOST)
    assert response.status_code == 200
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [loc.text for loc in ET.fromstring(response.content).findall("s:url/s:loc", ns)]
    assert f"http://{HOST}{portal['article'].url}" in locs
    assert f"http://{HOST}{portal['policy'].url}" in locs


@pytest.mark.django_db
def test_json_api_lists_and_details(client, portal):  # noqa: F811
    items = client.get("/api/v1/items", {"type": "policy"}, HTTP_HOST=HOST).json()
    assert items["count"] == 1
    policy = items["items"][0]
    assert policy["title"] == "示范县政府信息公开工作办法"
    detail = client.get(f"/api/v1/items/{policy['id']}", HTTP_HOST=HOST).json()
    assert detail["document_number"] == "示府发〔2026〕3号"
    assert detail["validity"] == "valid"
    interp = client.get(f"/api/v1/items/{portal['interp'].pk}", HTTP_HOST=HOST).json()
    assert interp["policy_id"] == policy["id"]
    columns = client.get(f"/api/v1/sites/{portal['home'].get_site().pk}/columns", HTTP_HOST=HOST).json()
    assert {c["column_kind_label"] for c in columns} >= {"动态要闻", "政策文件", "政策解读"}


@pytest.mark.django_db
def test_json_api_rejects_bad_input_clearly(client, portal):  # noqa: F811
    response = client.get("/api/v1/items", {"type": "nonsense"}, HTTP_HOST=HOST)
    assert response.status_code == 400
    problem = response.json()["detail"][0]
    assert problem["parameter"] == "type" and "可选：article、policy、interpretation" in problem["message"]
    assert problem["input"] == "nonsense"
    assert client.get("/api/v1/items", {"since": "2026-13-45"}, HTTP_HOST=HOST).status_code == 400
    assert client.get("/api/v1/items/999999", HTTP_HOST=HOST).status_code == 404


@pytest.mark.django_db
def test_openapi_description(client, settings):
    settings.ZHENGWU_API_TITLE = "青川县政府网站群 公开内容接口"
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "青川县政府网站群 公开内容接口"
    assert {"/api/v1/items", "/api/v1/items/{item_id}", "/api/v1/sites"} <= set(spec["paths"])
    assert "/api/v1/" not in spec["paths"] and "/api/v1/docs" not in spec["paths"]


def test_api_title_is_not_written_into_the_code():
    from pathlib import Path

    import zhengwu.portal.api as module

    assert "示范县" not in Path(module.__file__).read_text(encoding="utf-8")


@pytest.mark.django_db
def test_api_index_points_to_docs_and_operations(client, portal, settings):  # noqa: F811
    settings.ZHENGWU_API_TITLE = "青川县政府网站群 公开内容接口"
    response = client.get("/api/v1/", HTTP_HOST=HOST)
    assert response.status_code == 200
    index = response.json()
    assert index["title"] == "青川县政府网站群 公开内容接口"
    assert index["docs"] == f"http://{HOST}/api/v1/docs"
    assert index["openapi"] == f"http://{HOST}/api/v1/openapi.json"
    paths = {(e["method"], e["path"]) for e in index["endpoints"]}
    assert {("GET", "/api/v1/items"), ("GET", "/api/v1/items/{item_id}"), ("GET", "/api/v1/sites")} <= paths
    assert all(e["summary"] for e in index["endpoints"])
    for link in (index["docs"], index["openapi"]):
        assert client.get(link.removeprefix(f"http://{HOST}"), HTTP_HOST=HOST).status_code == 200


@pytest.mark.django_db
def test_api_docs_page_is_chinese_and_served_locally(client, portal, settings):  # noqa: F811
    import re

    from django.contrib.staticfiles import finders

    settings.ZHENGWU_API_TITLE = "青川县政府网站群 公开内容接口"
    response = client.get("/api/v1/docs", HTTP_HOST=HOST)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert '<html lang="zh-CN">' in html and "青川县政府网站群 公开内容接口 接口说明" in html
    assert "GET /api/v1/items/{item_id}" in html and "内容详情" in html
    assert "请求参数" in html and "<code>since</code>" in html and "返回字段" in html
    assert "<code>published_at</code>" in html
    assert "/api/v1/openapi.json" in html
    # Nothing comes from another host: every asset is this site's own and exists.
    assets = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/") and not a.startswith("//") for a in assets), assets
    for asset in assets:
        if asset.startswith("/static/"):
            assert finders.find(asset.removeprefix("/static/")), asset
    assert "cdn" not in html.lower()


@pytest.mark.django_db
def test_json_api_reads_only_the_requested_page_of_items(client, portal):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhengwu.portal.models import ArticlePage
    from zhengwu.portal.tests.test_pages import add

    def queries(limit: int) -> tuple[int, dict]:
        client.get("/api/v1/items", {"limit": limit}, HTTP_HOST=HOST)  # warm site-root caches
        with CaptureQueriesContext(connection) as captured:
            data = client.get("/api/v1/items", {"limit": limit}, HTTP_HOST=HOST).json()
        return len(captured), data

    for n in range(12):
        add(portal["news"], ArticlePage(title=f"要闻{n}", slug=f"yw{n}", body="<p>正文</p>"))
    few, first = queries(2)
    many, second = queries(12)
    assert first["count"] == second["count"] == 15
    assert len(first["items"]) == 2 and len(second["items"]) == 12
    # A count, the slice, one query per item type, the columns, the old-host redirect table (a cache read): not
    # per item.
    assert many == few <= 7
    news = [item for item in second["items"] if item["title"].startswith("要闻")]
    assert {item["column_id"] for item in news} == {portal["news"].pk}
    assert all(item["url"].startswith(f"http://{HOST}/zwyw/") for item in news)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/rss/99999999999999999999/", 404),
        ("/api/v1/items/99999999999999999999", 400),
        ("/api/v1/items?offset=99999999999999999999", 400),
        ("/api/v1/items?limit=99999999999999999999", 400),
        ("/api/v1/items?limit=101", 400),
        ("/api/v1/items?limit=0", 400),
        ("/api/v1/items?column=99999999999999999999", 400),
        ("/api/v1/items?site=0", 400),
        ("/api/v1/items?since=0", 400),
        ("/api/v1/items?since=1700000000", 400),
        ("/api/v1/items?since=2026-13-45", 400),
        ("/api/v1/items?since=1900-01-01", 200),
        ("/api/v1/sites/99999999999999999999/columns", 400),
        ("/api/v1/items/2147483647", 404),
    ],
)
def test_out_of_range_parameters_are_refused_never_a_500(client, portal, path, status):  # noqa: F811
    response = client.get(path, HTTP_HOST=HOST)
    assert response.status_code == status, response.content[:300]
    if path.startswith("/api/") and status == 400:
        detail = response.json()["detail"]
        assert detail and all(problem["message"] for problem in detail)


@pytest.mark.django_db
def test_the_openapi_description_tells_the_truth_about_parameters(client, portal):  # noqa: F811
    spec = client.get("/api/v1/openapi.json", HTTP_HOST=HOST).json()
    items = spec["paths"]["/api/v1/items"]["get"]
    parameters = {p["name"]: p["schema"] for p in items["parameters"]}
    assert "enum" in str(parameters["type"]) and "article" in str(parameters["type"])
    assert parameters["limit"]["maximum"] == 100 and parameters["offset"]["maximum"] == 1_000_000
    assert {"200", "400", "404"} <= set(items["responses"])
