"""What surrounds the content: the navigation's current item, section meta, 网站地图 and sitemap.xml with
政府信息公开, feeds that describe their items and are advertised, robots.txt, the icon, and the error pages."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.test import override_settings

from zhengwu.portal.tests.test_pages import HOST, meta, portal  # noqa: F401  (fixture)


def current_nav(html: str) -> list[tuple[str, str]]:
    nav = re.search(r'<nav class="main-nav".*?</nav>', html, re.S).group(0)
    return re.findall(r'<a href="[^"]*" aria-current="([^"]+)">([^<]+)</a>', nav)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path, expected",
    [
        ("/", [("page", "首页")]),
        ("/xxgk/", [("page", "政府信息公开")]),
        ("/xxgk/ysqgk/", [("true", "政府信息公开")]),
        ("/search/?q=会议", []),
        ("/wzdt/", []),
        ("/jiucuo/", []),
    ],
)
def test_navigation_marks_the_section_shown(client, portal, path, expected):  # noqa: F811
    response = client.get(path, HTTP_HOST=HOST)
    assert response.status_code == 200
    assert current_nav(response.content.decode()) == expected


@pytest.mark.django_db
def test_navigation_marks_a_column_not_home(client, portal):  # noqa: F811
    portal["news"].show_in_menus = True
    portal["news"].save_revision().publish()
    html = client.get(portal["article"].url, HTTP_HOST=HOST).content.decode()
    assert current_nav(html) == [("true", "政务要闻")]


@pytest.mark.django_db
def test_disclosure_index_has_its_column_meta(client, portal):  # noqa: F811
    html = client.get("/xxgk/", HTTP_HOST=HOST).content.decode()
    assert meta(html, "ColumnName") == "政府信息公开"
    assert meta(html, "ColumnType") == "信息公开"
    assert meta(html, "ColumnDescription")
    search = client.get("/search/?q=x", HTTP_HOST=HOST).content.decode()
    assert meta(search, "ColumnName") == "站内搜索"


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "name"), [("/", "首页"), ("/zh-hant/", "首頁")])
def test_home_page_names_itself_as_a_column(client, portal, path, name):  # noqa: F811
    """The inspector takes only the start URL for the home page: the 繁体 home is checked as any other page and
    must name its column too."""
    html = client.get(path, HTTP_HOST=HOST).content.decode()
    assert meta(html, "ColumnName") == name and meta(html, "ColumnType") == name
    assert meta(html, "ColumnDescription")


@pytest.mark.django_db
def test_site_map_and_sitemap_xml_include_disclosure(client, portal):  # noqa: F811
    html = client.get("/wzdt/", HTTP_HOST=HOST).content.decode()
    assert '<a href="/xxgk/">政府信息公开</a>' in html
    assert '<a href="/xxgk/ysqgk/">依申请公开</a>' in html
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    sitemap = client.get("/sitemap.xml", HTTP_HOST=HOST)
    locs = [e.text for e in ET.fromstring(sitemap.content).findall("s:url/s:loc", ns)]
    assert f"http://{HOST}/xxgk/" in locs and f"http://{HOST}/xxgk/ysqgk/" in locs
    assert f"http://{HOST}{portal['article'].url}" in locs


@pytest.mark.django_db
def test_sub_site_map_has_no_county_disclosure(client, portal, make_org):  # noqa: F811
    from zhengwu.portal.services import create_site

    create_site(organization=make_org(), site_name="子站", hostname="sub.localhost", port=8000, actor=None)
    html = client.get("/wzdt/", HTTP_HOST="sub.localhost:8000").content.decode()
    assert "政府信息公开" not in html
    sitemap = client.get("/sitemap.xml", HTTP_HOST="sub.localhost:8000").content.decode()
    assert "/xxgk/" not in sitemap


@pytest.mark.django_db
def test_rss_items_have_descriptions(client, portal):  # noqa: F811
    # The fixture's article has no 摘要: the description is the opening of its text.
    channel = ET.fromstring(client.get(f"/rss/{portal['news'].pk}/", HTTP_HOST=HOST).content).find("channel")
    descriptions = [item.findtext("description") for item in channel.findall("item")]
    assert descriptions == ["会议研究了电子政务工作。"]


@pytest.mark.django_db
def test_pages_advertise_their_feeds(client, portal):  # noqa: F811
    feed = f'<link rel="alternate" type="application/rss+xml" title="示范县人民政府 - 政务要闻" href="/rss/{portal["news"].pk}/">'
    for page in (portal["news"], portal["article"]):
        assert feed in client.get(page.url, HTTP_HOST=HOST).content.decode(), page
    portal["news"].show_in_menus = True
    portal["news"].save_revision().publish()
    assert feed in client.get("/", HTTP_HOST=HOST).content.decode()
    # Feeds are found where they are advertised.
    assert client.get(f"/rss/{portal['news'].pk}/", HTTP_HOST=HOST).status_code == 200


@pytest.mark.django_db
def test_robots_txt_and_favicon(client, portal):  # noqa: F811
    robots = client.get("/robots.txt", HTTP_HOST=HOST)
    assert robots.status_code == 200 and robots["Content-Type"].startswith("text/plain")
    text = robots.content.decode()
    assert "Disallow: /admin/" in text
    assert f"Sitemap: http://{HOST}/sitemap.xml" in text
    icon = client.get("/favicon.ico", HTTP_HOST=HOST)
    assert icon.status_code == 200 and icon["Content-Type"] == "image/x-icon"
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(icon.content))
    assert image.format == "ICO" and image.size[0] >= 16
    assert '<link rel="icon" href="/favicon.ico"' in client.get("/", HTTP_HOST=HOST).content.decode()


@pytest.mark.django_db
@override_settings(DEBUG=False)
@pytest.mark.parametrize(
    "path", ["/no-such-column/", "/xxgk/ndbg/NOPE/2025/", "/nothing.txt", "/rss/999999/"]
)
def test_not_found_page_is_the_sites_in_chinese(client, portal, path):  # noqa: F811
    response = client.get(path, HTTP_HOST=HOST)
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="zh-CN">' in html and "您访问的页面不存在" in html
    assert "示范县人民政府" in html  # the site's name
    assert 'action="/search/"' in html and 'name="q"' in html  # search
    assert '<a href="/">返回网站首页</a>' in html  # and a way home
    assert "/static/portal/portal.css" in html
    assert "Not Found" not in html and "Page not found" not in html


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_not_found_page_in_traditional(client, portal):  # noqa: F811
    response = client.get("/zh-hant/no-such-column/", HTTP_HOST=HOST)
    assert response.status_code == 404
    html = response.content.decode()
    assert "您訪問的頁面不存在" in html and 'href="/zh-hant/"' in html


@pytest.mark.django_db
def test_server_error_page_is_chinese_without_debug(portal, settings):  # noqa: F811
    from django.test import Client
    from django.urls import clear_url_caches, path

    import zhengwu.urls

    def boom(request):
        raise RuntimeError("测试用的故障")

    settings.DEBUG = False
    original = list(zhengwu.urls.urlpatterns)
    zhengwu.urls.urlpatterns.insert(0, path("boom/", boom))
    clear_url_caches()
    try:
        response = Client(raise_request_exception=False).get("/boom/", HTTP_HOST=HOST)
    finally:
        zhengwu.urls.urlpatterns[:] = original
        clear_url_caches()
    assert response.status_code == 500
    html = response.content.decode()
    assert "服务器暂时无法完成您的请求" in html and 'action="/search/"' in html and 'href="/"' in html
    assert "测试用的故障" not in html and "Server Error" not in html
