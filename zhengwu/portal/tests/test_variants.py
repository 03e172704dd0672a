"""繁体版 under /zh-hant/ without duplicated content; the older-users mode toggle is on every page."""

import pytest

from zhengwu.portal.tests.test_pages import HOST, get, portal  # noqa: F401  (fixture)
from zhengwu.portal.variants import convert_html, variant_url


@pytest.mark.django_db
def test_traditional_variant_of_an_article(client, portal):  # noqa: F811
    article = portal["article"]
    response = client.get("/zh-hant" + article.url, HTTP_HOST=HOST)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hant">' in html
    assert "縣政府召開常務會議" in html
    assert "示範縣人民政府" in html
    # Links to other pages stay in the variant; assets keep their own URLs.
    assert f'href="/zh-hant{portal["news"].url}"' in html
    assert 'href="/static/portal/portal.css"' in html
    assert f'lang="zh-Hans" href="{article.url}"' in html  # the way back to 简体
    assert int(response["Content-Length"]) == len(response.content)


@pytest.mark.django_db
def test_simplified_page_offers_traditional_and_elder_mode(client, portal):  # noqa: F811
    html = get(client, portal["policy"])
    assert f'href="/zh-hant{portal["policy"].url}" lang="zh-Hant">繁体</a>' in html
    assert "data-elder-toggle" in html and 'aria-pressed="false"' in html
    assert '<span aria-current="true">简体</span>' in html


@pytest.mark.django_db
def test_unknown_page_in_variant_is_a_404_and_admin_is_untouched(client, portal):  # noqa: F811
    assert client.get("/zh-hant/no-such-page/", HTTP_HOST=HOST).status_code == 404
    response = client.get("/admin/login/", HTTP_HOST=HOST)
    assert "繁" not in response.content.decode()


def test_conversion_keeps_mainland_vocabulary():
    # s2t converts characters only; s2twp would turn 优化 into 最佳化 and 信息 into 資訊.
    html = convert_html('<html lang="zh-CN"><p>优化营商环境，政府信息公开</p><a href="/a/">链接</a></html>')
    assert "優化營商環境，政府信息公開" in html
    assert 'href="/zh-hant/a/"' in html


def test_variant_url_round_trip():
    assert variant_url("/zcwj/", "hant") == "/zh-hant/zcwj/"
    assert variant_url("/zh-hant/zcwj/", "hans") == "/zcwj/"
    assert variant_url("/zh-hant", "hans") == "/"


@pytest.mark.django_db
def test_chinese_slug_article_works_in_both_variants(client, portal):  # noqa: F811
    """Editors' articles get their slug from the title (Chinese): neither variant may convert that address."""
    import datetime as dt
    import re
    from urllib.parse import unquote

    from django.utils import timezone
    from django.utils.text import slugify

    from zhengwu.portal.models import ArticlePage
    from zhengwu.portal.tests.test_pages import add

    title = "县人社局延长社保卡补办窗口服务时间"
    article = add(
        portal["news"],
        ArticlePage(
            title=title,
            slug=slugify(title, allow_unicode=True),
            body="<p>县人力资源和社会保障局延长窗口服务时间。</p>",
            published_at=timezone.make_aware(dt.datetime(2026, 11, 20, 9, 0)),
        ),
    )
    assert unquote(article.url) == "/zwyw/县人社局延长社保卡补办窗口服务时间/"
    hant = client.get("/zh-hant" + article.url, HTTP_HOST=HOST)
    assert hant.status_code == 200
    html = hant.content.decode()
    assert "縣人社局延長社保卡補辦窗口服務時間" in html  # the text is converted…
    back = re.search(r'lang="zh-Hans" href="([^"]+)"', html).group(1)
    assert unquote(back) == unquote(article.url)  # …the way back to 简体 is the real address
    assert client.get(back, HTTP_HOST=HOST).status_code == 200
    # The column's 繁体 list links to the article at an address that exists.
    column = client.get("/zh-hant" + portal["news"].url, HTTP_HOST=HOST).content.decode()
    assert f'href="/zh-hant{article.url}"' in column
    assert "縣人社局" not in unquote(" ".join(re.findall(r'href="([^"]*)"', column)))
    assert f"/zh-hant{unquote(article.url)}" in unquote(meta_url(html))
    # Every page link of the 繁体 article page answers.
    links = {h for h in re.findall(r'href="(/[^"#?]*)"', html) if not h.startswith(("/static/", "/admin/"))}
    assert back in links
    for link in sorted(links):
        assert client.get(link, HTTP_HOST=HOST).status_code in (200, 301, 302), link


def meta_url(html: str) -> str:
    import re

    return re.search(r'<meta name="Url" content="([^"]*)">', html).group(1)
