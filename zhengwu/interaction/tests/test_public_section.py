"""互动交流 can be reached from the county portal: the header navigation, the 网站地图 and sitemap.xml lead to the
mailboxes, 在线访谈, 意见征集 and 调查问卷; a menu column of the 互动 kind leads there instead of a second entry;
a department's sub-site does not list the county's section."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from zhengwu.core.models import OrganizationKind
from zhengwu.core.validators import make_credit_code

COUNTY = "127.0.0.1:8000"
SUB = "nyj.localhost:8000"
SECTION_PATHS = ["/hudong/", "/xinxiang/", "/xinxiang/cx/", "/hudong/ft/", "/hudong/zj/", "/hudong/dc/"]


@pytest.fixture
def sites(db, make_org):
    from zhengwu.interaction.services.mailbox import create_mailbox, load_mailbox_rules
    from zhengwu.portal.services import create_site

    cache.clear()
    load_mailbox_rules()
    county = make_org(
        "剑阁县人民政府",
        kind=OrganizationKind.GOVERNMENT,
        code="JGX",
        credit_code=make_credit_code("11510823000000001"),
    )
    farming = make_org(
        "剑阁县农业农村局", parent=county, code="JGNYJ", credit_code=make_credit_code("11510823000000002")
    )
    portal = create_site(
        organization=county,
        site_name="剑阁县人民政府",
        hostname="127.0.0.1",
        port=8000,
        is_default=True,
        actor=None,
    )
    sub = create_site(
        organization=farming, site_name="剑阁县农业农村局", hostname="nyj.localhost", port=8000, actor=None
    )
    create_mailbox(code="shuji", name="书记信箱", organization=county, intro="欢迎来信。")
    create_mailbox(code="nongye", name="农业农村局局长信箱", organization=farming)
    return {"portal": portal, "sub": sub}


def add_column(site, title, slug, kind, *, menu=True):
    from zhengwu.portal.models import ColumnPage

    column = ColumnPage(title=title, slug=slug, column_kind=kind, show_in_menus=menu)
    site.root_page.specific.add_child(instance=column)
    column.save_revision().publish()
    return column


def main_nav(html: str) -> str:
    return re.search(r'<nav class="main-nav".*?</nav>', html, re.S).group(0)


def nav_links(html: str) -> list[tuple[str, str, str]]:
    """(href, aria-current, text) of the header navigation's links."""
    return [
        (href, current or "", text)
        for href, current, text in re.findall(
            r'<a href="([^"]*)"(?: aria-current="([^"]*)")?>([^<]*)</a>', main_nav(html)
        )
    ]


def get(client, path, host=COUNTY):
    response = client.get(path, HTTP_HOST=host)
    assert response.status_code == 200, path
    return response.content.decode()


def test_the_county_header_leads_to_interaction_and_marks_it_current(client, sites):
    from zhengwu.portal.models import ColumnKind

    add_column(sites["portal"], "政务要闻", "zwyw", ColumnKind.NEWS)
    home = nav_links(get(client, "/"))
    assert ("/hudong/", "", "互动交流") in home
    assert [text for _href, _cur, text in home].count("互动交流") == 1

    for path in ["/hudong/zj/", "/xinxiang/shuji/", "/xinxiang/cx/"]:
        links = nav_links(get(client, path))
        assert ("/hudong/", "true", "互动交流") in links, path
        # the section's pages are not the home page, whose entry is then not the current one
        assert ("/", "", "首页") in links, path
        assert all(cur == "" for href, cur, _text in links if href != "/hudong/"), path
    assert ("/hudong/", "page", "互动交流") in nav_links(get(client, "/hudong/"))
    assert '<meta name="ColumnName" content="互动交流"' in get(client, "/hudong/dc/")


def test_the_interaction_entrance_lists_the_mailboxes_and_the_three_services(client, sites):
    html = get(client, "/hudong/")
    main = re.search(r'<main id="main".*?</main>', html, re.S).group(0)
    for href, text in [
        ("/xinxiang/shuji/", "书记信箱"),
        ("/xinxiang/nongye/", "农业农村局局长信箱"),
        ("/xinxiang/cx/", "来信查询"),
        ("/hudong/ft/", "在线访谈"),
        ("/hudong/zj/", "意见征集"),
        ("/hudong/dc/", "调查问卷"),
    ]:
        assert f'<a href="{href}">{text}</a>' in main, text
    traditional = get(client, "/zh-hant/hudong/")
    assert "互動交流" in traditional and 'href="/zh-hant/hudong/zj/"' in traditional


def test_a_menu_column_of_the_interaction_kind_leads_to_the_real_pages(client, sites):
    from zhengwu.portal.models import ColumnKind

    add_column(sites["portal"], "政民互动", "zmhd", ColumnKind.INTERACTION)
    links = nav_links(get(client, "/"))
    assert "互动交流" not in [text for _h, _c, text in links]  # the column is the way in, not a second entry
    assert ("/zmhd/", "", "政民互动") in links
    page = get(client, "/zmhd/")
    entrance = re.search(r'<nav class="section-entrance" aria-label="互动交流入口">.*?</nav>', page, re.S)
    assert entrance is not None
    for href in ["/xinxiang/", "/xinxiang/cx/", "/hudong/ft/", "/hudong/zj/", "/hudong/dc/"]:
        assert f'href="{href}"' in entrance.group(0)
    assert ("/zmhd/", "true", "政民互动") in nav_links(get(client, "/hudong/ft/"))


def test_site_map_and_sitemap_xml_list_the_section_on_the_county_portal_only(client, sites):
    site_map = re.search(r'<main id="main".*?</main>', get(client, "/wzdt/"), re.S).group(0)
    block = re.search(r'<li><a href="/hudong/">互动交流</a>.*?</ul>', site_map, re.S)
    assert block is not None
    for path in SECTION_PATHS[1:]:
        assert f'href="{path}"' in block.group(0)
    xml = get(client, "/sitemap.xml")
    for path in SECTION_PATHS:
        assert f"<loc>http://{COUNTY}{path}</loc>" in xml, path

    assert "/hudong/" not in get(client, "/wzdt/", host=SUB)
    assert "/hudong/" not in get(client, "/sitemap.xml", host=SUB)
    assert "互动交流" not in main_nav(get(client, "/", host=SUB))
