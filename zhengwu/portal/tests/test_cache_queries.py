"""Rendering a public page costs a fixed number of queries, whatever the number of items it lists (no N+1).

Measured without the page cache, on a warm process (the first request loads content types and site roots).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengwu.portal.models import ArticlePage, ColumnPage, InterpretationPage, TopicPage
from zhengwu.portal.tests.test_cache import HOST, add, build_portal

pytestmark = pytest.mark.django_db

# What a page needs: find the site (1), route to the page (2 per level), view restrictions (2), site settings (1),
# site root paths (1), breadcrumb (1), footer organization (1), the page's own lists (1–3).
QUERY_BOUND = 16
# Until the fix in the templates and selectors lands (see the report of the performance work), these pages repeat
# queries; remove the markers then.
KNOWN_REPEATS = {
    "home": "home_sections(): two queries per column (PageViewRestriction list + items)",
    "topic": "TopicPage.get_context(): two queries per column (PageViewRestriction list + items)",
}
TEMPLATE_REPEATS = (
    "templates call page.get_site (one Site query each, 6–8 per page) and page.is_site_root (2); "
    "page_meta/breadcrumb call page.get_site(); breadcrumb's {% pageurl %} has no request (site-root-paths "
    "cache read per ancestor)"
)


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


@pytest.mark.xfail(strict=True, reason=KNOWN_REPEATS["home"])
def test_home_page_costs_the_same_for_3_and_6_columns(client, county):
    home = county["home"]
    with_three = count_queries(client, home.url)
    for n in range(3):
        fill(add(home, ColumnPage(title=f"栏目{n}", slug=f"lm{n}")), 2, f"lm{n}")
    with_six = count_queries(client, home.url)
    assert with_six == with_three


@pytest.mark.xfail(strict=True, reason=KNOWN_REPEATS["topic"])
def test_topic_page_costs_the_same_for_1_and_3_columns(client, county):
    topic = TopicPage.objects.get(pk=county["topic"].pk)
    with_one = count_queries(client, topic.url)
    for n in range(2):
        fill(add(topic, ColumnPage(title=f"专题栏目{n}", slug=f"ztlm{n}")), 2, f"zt{n}")
    with_three = count_queries(client, topic.url)
    assert with_three == with_one


@pytest.mark.xfail(strict=True, reason=TEMPLATE_REPEATS)
@pytest.mark.parametrize("key", ["home", "news", "article", "policy", "interp", "topic"])
def test_every_page_type_stays_within_the_query_bound(client, county, key, django_assert_max_num_queries):
    fill(county["news"], 20, "n")
    add(county["interps"], InterpretationPage(title="图解", slug="tj", policy=county["policy"]))
    url = county[key].url
    assert client.get(url, HTTP_HOST=HOST).status_code == 200  # warm
    with django_assert_max_num_queries(QUERY_BOUND):
        assert client.get(url, HTTP_HOST=HOST).status_code == 200
