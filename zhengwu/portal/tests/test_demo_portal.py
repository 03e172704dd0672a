"""The demo county looks like a county portal: articles about what their titles say, 图片新闻 with pictures the
demo draws, 国务院信息 as 转载 with source and link, 专题专栏, related national portals, a 党政机关网站标识 on
every site (as the inspector finds it), and each sub-site writing about its own organization only."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from PIL import Image as PILImage
from wagtail.models import Site

from zhengwu.inspection.extract import parse_page
from zhengwu.portal.demo_portal import TOPICS

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(official_calendar):
    call_command("demo", scale=0.05, stdout=io.StringIO())
    return {site.hostname: site for site in Site.objects.all()}


def _html(client, site, path="/") -> str:
    response = client.get(path, HTTP_HOST=f"{site.hostname}:{site.port}")
    assert response.status_code == 200, path
    return response.content.decode()


def test_titles_and_bodies_are_about_the_same_thing(demo):
    from zhengwu.portal.models import ArticlePage, InterpretationPage, PolicyDocumentPage

    pages = [*ArticlePage.objects.all(), *PolicyDocumentPage.objects.all(), *InterpretationPage.objects.all()]
    assert len(pages) > 50
    with_topic = 0
    for page in pages:
        topics = [t for t in TOPICS if t in page.title]
        if topics:
            with_topic += 1
            assert any(t in page.body for t in topics), (page.title, page.body[:80])
    assert with_topic >= len(pages) * 0.8


def test_state_council_items_are_reposts_with_source_and_link(demo):
    from zhengwu.portal.models import ArticlePage, ColumnPage

    column = ColumnPage.objects.get(slug="gwyxx")
    items = ArticlePage.objects.child_of(column)
    assert items.exists()
    for item in items:
        assert item.is_repost and item.repost_source_name == "中国政府网" and item.source == "中国政府网"
        assert item.repost_source_url.startswith("https://www.gov.cn/")
        assert item.title.startswith("国务院")


def test_sub_site_writes_about_its_own_organization_only(demo):
    from zhengwu.core.models import Organization
    from zhengwu.portal.models import ArticlePage

    site = demo["qingshan.localhost"]
    own = site.root_page.specific.organization.name
    others = [o.name for o in Organization.objects.exclude(name=own) if len(o.name) > 4]
    items = ArticlePage.objects.descendant_of(site.root_page)
    assert items.exists()
    for item in items:
        text = item.title + item.body
        assert not [name for name in others if name in text], item.title


def test_home_shows_picture_news_topics_and_national_portals(client, demo):
    from zhengwu.portal.models import ArticlePage, ColumnPage

    portal = demo["127.0.0.1"]
    pictures = ArticlePage.objects.child_of(ColumnPage.objects.get(slug="tpxw"))
    assert pictures.exists() and all(p.cover_id for p in pictures)
    with pictures.first().cover.file.open("rb") as f:
        drawn = PILImage.open(f)
        assert drawn.size == (800, 450)
    html = _html(client, portal)
    assert "图片新闻" in html and "专题专栏" in html and "优化营商环境专题" in html
    images = re.findall(r'<img [^>]*src="([^"]+)"', html)
    assert len(images) >= 2
    for src in images:
        assert client.get(src, HTTP_HOST="127.0.0.1:8000").status_code == 200, src
    assert '<a href="https://www.gov.cn/">中国政府网</a>' in html


@pytest.mark.parametrize("host", ["127.0.0.1", "fgw.localhost", "qingshan.localhost"])
def test_every_site_carries_the_party_gov_mark_as_the_inspector_sees_it(client, demo, host):
    from zhengwu.portal.models import SiteSettings

    site = demo[host]
    settings_row = SiteSettings.objects.get(site=site)
    assert settings_row.party_gov_logo is not None
    assert settings_row.party_gov_logo_url.startswith("https://bszs.conac.cn/")
    for path in ("/", "/wzdt/"):
        html = _html(client, site, path)
        assert 'alt="党政机关网站标识"' in html
        assert "conac" in parse_page(html, f"http://{host}:{site.port}{path}").footer_html_hints.split()
