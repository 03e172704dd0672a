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
