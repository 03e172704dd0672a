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
    assert "未知的内容类型" in response.json()["detail"]
    assert client.get("/api/v1/items", {"since": "2026-13-45"}, HTTP_HOST=HOST).status_code == 422
    assert client.get("/api/v1/items/999999", HTTP_HOST=HOST).status_code == 404


@pytest.mark.django_db
def test_openapi_description(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "示范县政府网站群 公开内容接口"
    assert {"/api/v1/items", "/api/v1/items/{item_id}", "/api/v1/sites"} <= set(spec["paths"])


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
    assert many == few <= 6  # a count, the slice, one query per item type, the columns: not per item
    news = [item for item in second["items"] if item["title"].startswith("要闻")]
    assert {item["column_id"] for item in news} == {portal["news"].pk}
    assert all(item["url"].startswith(f"http://{HOST}/zwyw/") for item in news)
