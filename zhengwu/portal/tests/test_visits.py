"""访问统计: counted by our own beacon, per page, column and site, per day; top pages in the admin."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from zhengwu.portal.models import PageVisitDay
from zhengwu.portal.selectors import daily_visits, top_pages, visit_totals
from zhengwu.portal.tests.test_pages import HOST, get, portal  # noqa: F401  (fixture)

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36"


def hit(client, page, ip="10.0.0.1", agent=BROWSER):
    return client.post("/_hit/", {"p": page.pk}, HTTP_HOST=HOST, REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.mark.django_db
def test_page_carries_its_id_and_the_beacon(client, portal):  # noqa: F811
    html = get(client, portal["article"])
    assert f'data-page-id="{portal["article"].pk}"' in html
    assert "portal/visits.js" in html


@pytest.mark.django_db
def test_views_are_counted_once_per_visitor_and_robots_ignored(client, portal):  # noqa: F811
    article, policy = portal["article"], portal["policy"]
    assert hit(client, article).status_code == 204
    hit(client, article)  # same visitor again within half an hour: not counted twice
    hit(client, article, ip="10.0.0.2")
    hit(client, article, ip="10.0.0.3", agent="Baiduspider/2.0")
    hit(client, policy, ip="10.0.0.2")
    today = timezone.localdate()
    row = PageVisitDay.objects.get(page=article, date=today)
    assert row.views == 2
    assert visit_totals(since=today, until=today) == 3
    assert visit_totals(since=today, until=today, column=portal["news"]) == 2
    assert visit_totals(since=today, until=today, site=article.get_site()) == 3
    assert [(r["page"].pk, r["views"]) for r in top_pages(since=today, until=today)] == [
        (article.pk, 2),
        (policy.pk, 1),
    ]
    days = daily_visits(since=today - dt.timedelta(days=2), until=today)
    assert [n for _, n in days] == [0, 0, 3]


@pytest.mark.django_db
def test_bad_beacons_are_ignored(client, portal):  # noqa: F811
    assert client.post("/_hit/", {"p": "abc"}, HTTP_HOST=HOST).status_code == 204
    assert client.post("/_hit/", {"p": "999999"}, HTTP_HOST=HOST).status_code == 204
    assert client.get("/_hit/", HTTP_HOST=HOST).status_code == 405
    assert PageVisitDay.objects.count() == 0


@pytest.mark.django_db
def test_admin_report_lists_top_pages(client, portal, make_staff):  # noqa: F811
    hit(client, portal["article"])
    admin = make_staff(is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.get("/admin/reports/visits/", {"days": "abc"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "访问统计" in html and "县政府召开常务会议" in html
    assert "共访问 <strong>1</strong> 次" in html
