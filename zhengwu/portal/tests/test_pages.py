"""Every public page type renders with the footer elements and the meta tags of websites.md §2."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhengwu.core.models import OrganizationKind
from zhengwu.portal.models import (
    ArticleKind,
    ArticlePage,
    ColumnKind,
    ColumnPage,
    InterpretationPage,
    PolicyDocumentPage,
    SiteSettings,
    TopicPage,
    Validity,
)
from zhengwu.portal.services import create_site

HOST = "127.0.0.1:8000"


def add(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def portal(make_org):
    county = make_org("示范县人民政府", kind=OrganizationKind.GOVERNMENT, code="SFX")
    site = create_site(
        organization=county,
        site_name="示范县人民政府",
        hostname="127.0.0.1",
        port=8000,
        is_default=True,
        intro="县政府门户网站。",
        actor=None,
    )
    SiteSettings.objects.update_or_create(
        site=site,
        defaults=dict(
            host_organization="示范县人民政府办公室",
            contact_phone="0792-1234567",
            site_id_code="9901010001",
            icp_number="示ICP备12345678号",
            police_record_number="示公网安备99010102000001号",
        ),
    )
    home = site.root_page.specific
    news = add(
        home,
        ColumnPage(
            title="政务要闻",
            slug="zwyw",
            column_kind=ColumnKind.NEWS,
            description="县政府重要政务活动",
            keywords="要闻",
        ),
    )
    policies = add(home, ColumnPage(title="政策文件", slug="zcwj", column_kind=ColumnKind.POLICY))
    interps = add(home, ColumnPage(title="政策解读", slug="zcjd", column_kind=ColumnKind.INTERPRETATION))
    article = add(
        news,
        ArticlePage(
            title="县政府召开常务会议",
            slug="cwhy",
            body="<p>会议研究了电子政务工作。</p>",
            published_at=timezone.make_aware(dt.datetime(2026, 11, 2, 9, 30)),
            source="县政府办公室",
            author="王编辑",
            keywords="常务会议",
        ),
    )
    policy = add(
        policies,
        PolicyDocumentPage(
            title="示范县政府信息公开工作办法",
            slug="gkbf",
            document_number="示府发〔2026〕3号",
            issuing_authority="示范县人民政府",
            written_on=dt.date(2026, 3, 1),
            published_at=timezone.make_aware(dt.datetime(2026, 3, 10, 10, 0)),
            body="<p>第一条 为了……</p>",
        ),
    )
    interp = add(
        interps,
        InterpretationPage(
            title="《示范县政府信息公开工作办法》解读",
            slug="gkbfjd",
            policy=policy,
            body="<p>一、制定背景</p>",
        ),
    )
    topic = add(home, TopicPage(title="优化营商环境专题", slug="yshj", intro="<p>专题介绍</p>"))
    return {
        "home": home,
        "news": news,
        "article": article,
        "policy": policy,
        "interp": interp,
        "topic": topic,
    }


def get(client, page):
    response = client.get(page.url, HTTP_HOST=HOST)
    assert response.status_code == 200, page
    return response.content.decode()


def meta(html, name):
    match = re.search(rf'<meta name="{name}" content="([^"]*)">', html)
    assert match, f"meta {name} missing"
    return match.group(1)


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["home", "news", "article", "policy", "interp", "topic"])
def test_every_page_type_has_footer_and_meta(client, portal, key):
    html = get(client, portal[key])
    assert "主办单位：示范县人民政府办公室" in html
    assert "联系方式：0792-1234567" in html
    assert "网站标识码9901010001" in html
    assert "示ICP备12345678号" in html
    assert "示公网安备99010102000001号" in html
    assert "扫一扫在手机打开当前页" in html and "<svg" in html
    assert meta(html, "SiteName") == "示范县人民政府"
    assert meta(html, "SiteIDCode") == "9901010001"
    assert meta(html, "Url").startswith("http://127.0.0.1:8000/")
    assert 'href="#main"' in html


@pytest.mark.django_db
def test_article_meta_and_fields(client, portal):
    html = get(client, portal["article"])
    assert meta(html, "ArticleTitle") == "县政府召开常务会议"
    assert meta(html, "PubDate") == "2026-11-02 09:30"
    assert meta(html, "ContentSource") == "县政府办公室"
    assert meta(html, "ColumnName") == "政务要闻"
    assert meta(html, "ColumnType") == "动态要闻"
    assert meta(html, "Author") == "王编辑"
    assert "当前位置" in html and ">政务要闻</a>" in html


@pytest.mark.django_db
def test_policy_and_interpretation_link_both_ways(client, portal):
    policy_html = get(client, portal["policy"])
    interp_html = get(client, portal["interp"])
    assert f'href="{portal["interp"].url}"' in policy_html
    assert f'href="{portal["policy"].url}"' in interp_html
    assert "示府发〔2026〕3号" in policy_html and "有效" in policy_html


@pytest.mark.django_db
def test_column_lists_items_newest_first_and_home_shows_sections(client, portal):
    news = portal["news"]
    add(
        news,
        ArticlePage(
            title="较早的新闻", slug="old", published_at=timezone.make_aware(dt.datetime(2025, 1, 1))
        ),
    )
    html = get(client, news)
    assert html.index("县政府召开常务会议") < html.index("较早的新闻")
    home_html = get(client, portal["home"])
    assert "县政府召开常务会议" in home_html


@pytest.mark.django_db
def test_repost_needs_source_and_video_needs_media(portal):
    with pytest.raises(ValidationError) as excinfo:
        ArticlePage(title="转载", slug="zz", is_repost=True).full_clean()
    assert "转载的文章必须注明来源。" in str(excinfo.value)
    with pytest.raises(ValidationError) as excinfo:
        ArticlePage(title="视频", slug="sp", kind=ArticleKind.VIDEO).full_clean()
    assert "视频新闻需要上传视频文件或填写视频链接。" in str(excinfo.value)


@pytest.mark.django_db
def test_policy_validity_needs_a_date(portal):
    policy = portal["policy"]
    policy.validity = Validity.REPEALED
    with pytest.raises(ValidationError, match="失效/废止日期"):
        policy.full_clean()


@pytest.mark.django_db
def test_site_map_lists_columns_and_topics(client, portal):
    response = client.get("/wzdt/", HTTP_HOST=HOST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>网站地图</h1>" in html
    for key in ("news", "topic"):
        assert f'href="{portal[key].url}"' in html
    assert 'href="/wzdt/">网站地图</a>' in html


@pytest.mark.django_db
def test_header_has_search_and_main_navigation(client, portal):
    from wagtail.models import PageViewRestriction

    news = portal["news"]
    news.show_in_menus = True
    news.save_revision().publish()
    hidden = add(portal["home"], ColumnPage(title="内部栏目", slug="nbl", show_in_menus=True))
    PageViewRestriction.objects.create(page=hidden, restriction_type=PageViewRestriction.LOGIN)

    html = client.get(portal["article"].url, HTTP_HOST=HOST).content.decode()
    assert '<form class="header-search" role="search" action="/search/" method="get">' in html
    assert 'name="q" maxlength="50"' in html
    nav = html.split('aria-label="主导航"', 1)[1].split("</nav>", 1)[0]
    assert '<a href="/zwyw/" aria-current="true">政务要闻</a>' in nav  # the section the article is in
    assert "内部栏目" not in nav  # a restricted column stays out of the navigation
    assert "政策文件" not in nav  # not marked 「在菜单中显示」
    on_column = client.get(news.url, HTTP_HOST=HOST).content.decode()
    assert '<a href="/zwyw/" aria-current="page">政务要闻</a>' in on_column


@pytest.mark.django_db
def test_a_home_page_without_organization_still_renders_its_footer(client, portal):
    home = portal["home"]
    home.organization = None
    home.save_revision().publish()
    response = client.get(portal["article"].url, HTTP_HOST=HOST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "主办单位：" in html and "联系方式：" in html
