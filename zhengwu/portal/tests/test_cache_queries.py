"""Rendering a public page costs a fixed number of queries, whatever the number of items it lists (no N+1).

Measured without the page cache, on a warm process (the first request loads content types and site roots).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from zhengwu.portal.models import ArticlePage, ColumnPage, InterpretationPage, TopicPage
from zhengwu.portal.selectors import HOME_ITEMS_PER_SECTION
from zhengwu.portal.tests.test_cache import HOST, add, build_portal

pytestmark = pytest.mark.django_db

# What a page needs: find the site (1), route to the page (2 per level), the page's own view restrictions (1),
# the restrictions for lists (1, shared by the page's lists and the header navigation), site settings (1), site
# root paths (1), breadcrumb (1), footer organization (1), header navigation (1), the page's own lists (1–3).
QUERY_BOUND = 17


@pytest.fixture
def county(make_org):
    return build_portal(make_org)


def count_queries(client, url: str) -> int:
    assert client.get(url, HTTP_HOST=HOST).status_code == 200  # warm
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, HTTP_HOST=HOST)
    assert response.status_code == 200
    return len(queries)


def fill(column, count: int, prefix: str) -> None:
    for n in range(count):
        add(column, ArticlePage(title=f"{prefix}第{n}条", slug=f"{prefix}-{n}"))


def test_column_page_costs_the_same_for_2_and_20_items(client, county):
    news = county["news"]
    fill(news, 2, "a")
    with_two = count_queries(client, news.url)
    fill(news, 18, "b")
    with_twenty = count_queries(client, news.url)
    html = client.get(news.url, HTTP_HOST=HOST).content.decode()
    assert html.count('<li><a href="/zwyw/') == 20
    assert with_twenty == with_two


def test_policy_page_costs_the_same_for_1_and_3_interpretations(client, county):
    policy, interps = county["policy"], county["interps"]
    with_one = count_queries(client, policy.url)
    for n in range(2):
        add(interps, InterpretationPage(title=f"图解{n}", slug=f"tj{n}", policy=policy))
    with_three = count_queries(client, policy.url)
    assert client.get(policy.url, HTTP_HOST=HOST).content.decode().count("/zcjd/") >= 3
    assert with_three == with_one


def test_home_page_costs_the_same_for_3_and_6_columns(client, county):
    home = county["home"]
    with_three = count_queries(client, home.url)
    for n in range(3):
        fill(add(home, ColumnPage(title=f"栏目{n}", slug=f"lm{n}")), 2, f"lm{n}")
    with_six = count_queries(client, home.url)
    assert with_six == with_three


def test_topic_page_costs_the_same_for_1_and_3_columns(client, county):
    topic = TopicPage.objects.get(pk=county["topic"].pk)
    with_one = count_queries(client, topic.url)
    for n in range(2):
        fill(add(topic, ColumnPage(title=f"专题栏目{n}", slug=f"ztlm{n}")), 2, f"zt{n}")
    with_three = count_queries(client, topic.url)
    assert with_three == with_one


@pytest.mark.parametrize("key", ["home", "news", "article", "policy", "interp", "topic"])
def test_every_page_type_stays_within_the_query_bound(client, county, key, django_assert_max_num_queries):
    fill(county["news"], 20, "n")
    add(county["interps"], InterpretationPage(title="图解", slug="tj", policy=county["policy"]))
    url = county[key].url
    assert client.get(url, HTTP_HOST=HOST).status_code == 200  # warm
    with django_assert_max_num_queries(QUERY_BOUND):
        assert client.get(url, HTTP_HOST=HOST).status_code == 200


def section_links(html: str, heading: str) -> list[str]:
    """The item titles listed in the section headed ``heading`` of a home or topic page, in order."""
    section = html.split(f">{heading}</a></h2>", 1)[1].split("</section>", 1)[0]
    return [part.split("</a>", 1)[0].split(">", 1)[1] for part in section.split("<li><a href=")[1:]]


def test_sections_list_the_newest_items_of_each_column_and_keep_private_ones_out(client, county):
    """The lists read in one query for all the columns still show, per column, its own newest public items."""
    home, news, topic = county["home"], county["news"], TopicPage.objects.get(pk=county["topic"].pk)
    start = timezone.now() - dt.timedelta(days=60)  # everything below is older than the fixture's article
    for n in range(HOME_ITEMS_PER_SECTION + 2):
        add(news, ArticlePage(title=f"要闻{n}", slug=f"yw{n}", published_at=start + dt.timedelta(days=n)))
    notices = add(home, ColumnPage(title="通知公告", slug="tzgg"))
    add(notices, ArticlePage(title="旧通知", slug="old", published_at=start - dt.timedelta(days=1)))
    add(notices, ArticlePage(title="新通知", slug="new", published_at=start + dt.timedelta(days=40)))
    # Restricted: an item of a listed column, and a whole column with its items.
    secret = add(
        news, ArticlePage(title="内部要闻", slug="secret", published_at=start + dt.timedelta(days=50))
    )
    PageViewRestriction.objects.create(page=secret, restriction_type="password", password="pw")
    internal = add(home, ColumnPage(title="内部栏目", slug="nblm"))
    add(internal, ArticlePage(title="内部通知", slug="nbtz"))
    PageViewRestriction.objects.create(page=internal, restriction_type="password", password="pw")
    topic_news = add(topic, ColumnPage(title="专题要闻", slug="ztyw"))
    add(topic_news, ArticlePage(title="专题要闻一", slug="ztyw1", published_at=start))
    add(topic_news, ArticlePage(title="专题要闻二", slug="ztyw2", published_at=start + dt.timedelta(days=1)))
    hidden_in_topic = add(topic_news, ArticlePage(title="专题内部", slug="ztnb"))
    PageViewRestriction.objects.create(page=hidden_in_topic, restriction_type="password", password="pw")

    html = client.get(home.url, HTTP_HOST=HOST).content.decode()
    newest = HOME_ITEMS_PER_SECTION + 1
    expected = [
        "县政府召开常务会议",
        *(f"要闻{n}" for n in range(newest, newest - HOME_ITEMS_PER_SECTION + 1, -1)),
    ]
    assert section_links(html, "政务要闻") == expected
    assert section_links(html, "通知公告") == ["新通知", "旧通知"]
    assert "内部" not in html

    html = client.get(topic.url, HTTP_HOST=HOST).content.decode()
    assert section_links(html, "专题要闻") == ["专题要闻二", "专题要闻一"]
    assert section_links(html, "专题动态") == []
    assert "暂无信息" in html and "专题内部" not in html
