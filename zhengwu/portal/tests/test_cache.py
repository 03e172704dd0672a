"""The full-page cache: anonymous visitors get stored pages, purged when a publication commits; staff, forms, the
beacon and anything personal never come from it."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse
from django.urls import path
from wagtail.models import PageViewRestriction

from zhengwu import urls as project_urls
from zhengwu.core.models import OrganizationKind
from zhengwu.portal import cache as page_cache_module
from zhengwu.portal.models import (
    ArticlePage,
    ColumnKind,
    ColumnPage,
    InterpretationPage,
    PolicyDocumentPage,
    SiteSettings,
    TopicPage,
)
from zhengwu.portal.services import create_site

pytestmark = pytest.mark.django_db

HOST = "127.0.0.1:8000"


def add(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def build_portal(make_org, *, hostname: str = "127.0.0.1", port: int = 8000) -> dict:
    """A county site with a news column, a policy with its interpretation and a topic."""
    county = make_org("示范县人民政府", kind=OrganizationKind.GOVERNMENT, code="SFX")
    site = create_site(
        organization=county,
        site_name="示范县人民政府",
        hostname=hostname,
        port=port,
        is_default=True,
        intro="县政府门户网站。",
        actor=None,
    )
    SiteSettings.objects.update_or_create(
        site=site, defaults={"host_organization": "示范县人民政府办公室", "contact_phone": "0792-1234567"}
    )
    home = site.root_page.specific
    news = add(home, ColumnPage(title="政务要闻", slug="zwyw", column_kind=ColumnKind.NEWS))
    policies = add(home, ColumnPage(title="政策文件", slug="zcwj", column_kind=ColumnKind.POLICY))
    interps = add(home, ColumnPage(title="政策解读", slug="zcjd", column_kind=ColumnKind.INTERPRETATION))
    article = add(
        news, ArticlePage(title="县政府召开常务会议", slug="cwhy", body="<p>会议研究了电子政务工作。</p>")
    )
    policy = add(
        policies,
        PolicyDocumentPage(
            title="示范县政府信息公开工作办法",
            slug="gkbf",
            document_number="示府发〔2026〕3号",
            issuing_authority="示范县人民政府",
            written_on=dt.date(2026, 3, 1),
            body="<p>第一条 为了……</p>",
        ),
    )
    interp = add(
        interps, InterpretationPage(title="《示范县政府信息公开工作办法》解读", slug="gkbfjd", policy=policy)
    )
    topic = add(home, TopicPage(title="优化营商环境专题", slug="yshj", intro="<p>专题介绍</p>"))
    add(topic, ColumnPage(title="专题动态", slug="ztdt"))
    return {
        "site": site,
        "home": home,
        "news": news,
        "policies": policies,
        "interps": interps,
        "article": article,
        "policy": policy,
        "interp": interp,
        "topic": topic,
    }


@pytest.fixture
def portal(make_org):
    return build_portal(make_org)


@pytest.fixture
def page_cache(settings):
    """The page cache switched on, under a key prefix of this test's own (Redis outlives the test database)."""
    settings.ZHENGWU_PAGE_CACHE = True
    settings.CACHES = {
        **settings.CACHES,
        "pages": {**settings.CACHES["pages"], "KEY_PREFIX": f"zwtest-{uuid.uuid4().hex}"},
    }
    yield caches["pages"]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a change in a transaction and its after-commit work, as a request or task would."""

    def run(func):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            return func()

    return run


def fetch(client, url, **extra):
    return client.get(url, HTTP_HOST=HOST, **extra)


def publish(page):
    page.save_revision().publish()
    return page


def test_second_anonymous_visit_is_served_from_the_cache(client, portal, page_cache):
    url = portal["article"].url
    first = fetch(client, url)
    second = fetch(client, url)
    assert (first.status_code, first["X-Cache"]) == (200, "MISS")
    assert (second.status_code, second["X-Cache"]) == (200, "HIT")
    assert second.content == first.content
    assert "县政府召开常务会议" in second.content.decode()
    assert second["Cache-Control"] == "public, max-age=60"
    assert second["Content-Type"].startswith("text/html")
    assert second["X-Frame-Options"] == "SAMEORIGIN" and second["Permissions-Policy"]
    # A browser that has the page already gets a 304 without a body.
    revalidated = fetch(client, url, HTTP_IF_NONE_MATCH=second["ETag"])
    assert (revalidated.status_code, revalidated["X-Cache"], revalidated.content) == (304, "HIT", b"")


def test_a_hit_runs_no_database_query_but_the_cache_lookup(client, portal, page_cache, settings):
    url = portal["article"].url
    fetch(client, url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert fetch(client, url)["X-Cache"] == "HIT"
    # Database cache: the entry and the site's generation; Redis: none at all.
    tables = {q["sql"].split(" FROM ")[1].split()[0].strip('"') for q in queries.captured_queries}
    assert tables <= {"zhengwu_page_cache"}
    assert len(queries) <= 2


def test_publishing_a_child_updates_its_column_and_the_home_page(client, portal, page_cache, committed):
    news, home = portal["news"], portal["home"]
    for url in (news.url, home.url):
        fetch(client, url)
        assert fetch(client, url)["X-Cache"] == "HIT"

    committed(lambda: publish(add(news, ArticlePage(title="全县安全生产工作会议召开", slug="aqsc"))))

    for url in (news.url, home.url):
        response = fetch(client, url)
        assert response["X-Cache"] == "MISS"
        assert "全县安全生产工作会议召开" in response.content.decode()
        assert fetch(client, url)["X-Cache"] == "HIT"


def test_traditional_variant_is_cached_apart_and_purged_too(client, portal, page_cache, committed):
    news = portal["news"]
    hant_url = "/zh-hant" + news.url
    assert fetch(client, news.url)["X-Cache"] == "MISS"
    first = fetch(client, hant_url)
    assert first["X-Cache"] == "MISS"  # not the 简体 entry
    assert "政務要聞" in first.content.decode()
    assert fetch(client, hant_url)["X-Cache"] == "HIT"

    committed(lambda: publish(add(news, ArticlePage(title="县长主持召开专题会议", slug="ztHY"))))

    response = fetch(client, hant_url)
    assert response["X-Cache"] == "MISS"
    assert "縣長主持召開專題會議" in response.content.decode()


def test_editing_and_unpublishing_an_article(client, portal, page_cache, committed):
    article = ArticlePage.objects.get(pk=portal["article"].pk)
    url = article.url
    fetch(client, url)

    def edit():
        article.title = "县政府召开第十次常务会议"
        publish(article)

    committed(edit)
    assert "县政府召开第十次常务会议" in fetch(client, url).content.decode()
    assert fetch(client, url)["X-Cache"] == "HIT"

    committed(lambda: article.unpublish())
    assert fetch(client, url).status_code == 404
    assert "第十次常务会议" not in fetch(client, portal["news"].url).content.decode()


def test_moving_and_deleting_pages_purge(client, portal, page_cache, committed):
    news, home = portal["news"], portal["home"]
    other = add(home, ColumnPage(title="部门动态", slug="bmdt"))
    article = portal["article"]
    old_url = article.url
    for url in (old_url, news.url, other.url):
        fetch(client, url)

    committed(lambda: ArticlePage.objects.get(pk=article.pk).move(other, pos="last-child"))

    moved = fetch(client, old_url)  # Wagtail leaves a redirect behind
    assert (moved.status_code, moved["Location"]) == (301, other.url + "cwhy/")
    assert "县政府召开常务会议" not in fetch(client, news.url).content.decode()
    assert "县政府召开常务会议" in fetch(client, other.url).content.decode()

    fetch(client, other.url)
    committed(lambda: ArticlePage.objects.get(pk=article.pk).delete())
    response = fetch(client, other.url)
    assert response["X-Cache"] == "MISS" and "县政府召开常务会议" not in response.content.decode()


def test_site_settings_change_purges_the_site(client, portal, page_cache, committed):
    url = portal["article"].url
    fetch(client, url)

    def change():
        settings_row = SiteSettings.objects.get(site=portal["home"].get_site())
        settings_row.contact_phone = "0792-7654321"
        settings_row.save()

    committed(change)
    assert "联系方式：0792-7654321" in fetch(client, url).content.decode()


def test_a_change_rolled_back_purges_nothing(client, portal, page_cache, committed):
    url = portal["news"].url
    fetch(client, url)
    with pytest.raises(RuntimeError):

        def fail():
            publish(add(portal["news"], ArticlePage(title="不会发布的新闻", slug="rollback")))
            raise RuntimeError

        committed(fail)
    response = fetch(client, url)
    assert response["X-Cache"] == "HIT" and "不会发布的新闻" not in response.content.decode()


def test_logged_in_staff_always_bypass(client, portal, page_cache, make_staff):
    url = portal["article"].url
    fetch(client, url)
    client.force_login(make_staff(is_staff=True))
    response = fetch(client, url)
    assert response.status_code == 200
    assert response["X-Cache"] == "BYPASS"
    assert "private" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
    # Nothing a staff member saw is stored for the public.
    client.logout()
    client.cookies.clear()
    assert fetch(client, portal["policy"].url)["X-Cache"] == "MISS"


def test_post_beacon_and_error_report_form_are_never_cached(client, portal, page_cache):
    url = portal["article"].url
    posted = client.post(url, {"x": "1"}, HTTP_HOST=HOST)
    assert posted.status_code == 200 and "X-Cache" not in posted
    assert fetch(client, url)["X-Cache"] == "MISS"  # the POST stored nothing
    assert (
        client.post(url, {"x": "1"}, HTTP_HOST=HOST).get("X-Cache") is None
    )  # nor is it answered from the cache
    beacon = client.post("/_hit/", {"p": portal["article"].pk}, HTTP_HOST=HOST)
    assert beacon.status_code == 204 and "X-Cache" not in beacon
    forms = [fetch(client, "/jiucuo/") for _ in range(2)]
    for form in forms:
        assert form.status_code == 200 and "X-Cache" not in form
        assert "csrfmiddlewaretoken" in form.content.decode()
    # Each visitor gets a captcha of their own.
    keys = [form.content.decode().split('name="captcha_0" value="')[1][:40] for form in forms]
    assert keys[0] != keys[1]
    assert fetch(client, "/zh-hant/jiucuo/").get("X-Cache") is None


def test_pages_that_set_a_cookie_or_are_restricted_are_not_stored(client, portal, page_cache, committed):
    article = portal["article"]
    url = article.url
    assert fetch(client, url)["X-Cache"] == "MISS"

    committed(
        lambda: PageViewRestriction.objects.create(page=article, restriction_type="password", password="mm")
    )

    for _ in range(2):
        response = fetch(client, url)
        assert response["X-Cache"] == "BYPASS"
        assert "县政府召开常务会议</h1>" not in response.content.decode()


def test_query_strings(client, portal, page_cache):
    url = portal["news"].url
    assert fetch(client, url + "?page=1")["X-Cache"] == "MISS"
    assert fetch(client, url + "?page=1")["X-Cache"] == "HIT"
    assert fetch(client, url)["X-Cache"] == "MISS"  # another URL, another entry
    # Arbitrary parameters would let anyone fill the cache with copies of one page.
    assert fetch(client, url + "?utm=1")["X-Cache"] == "BYPASS"
    assert fetch(client, url + "?utm=1")["X-Cache"] == "BYPASS"
    assert fetch(client, url + "?page=abc")["X-Cache"] == "BYPASS"


def test_hosts_are_cached_apart(client, portal, page_cache):
    url = portal["article"].url
    assert fetch(client, url)["X-Cache"] == "MISS"
    assert client.get(url, HTTP_HOST="localhost:8000")["X-Cache"] == "MISS"
    assert client.get(url, HTTP_HOST="localhost:8000")["X-Cache"] == "HIT"
    assert client.get(url, HTTP_HOST="evil.example").status_code == 400


def test_an_unreachable_cache_does_not_break_the_site(client, portal, settings):
    settings.ZHENGWU_PAGE_CACHE = True
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        },
    }
    for _ in range(2):
        response = fetch(client, portal["article"].url)
        assert response.status_code == 200 and response["X-Cache"] == "BYPASS"


def test_disabled_cache_adds_nothing(client, portal, settings):
    settings.ZHENGWU_PAGE_CACHE = False
    response = fetch(client, portal["article"].url)
    assert response.status_code == 200 and "X-Cache" not in response


def _plain_public_view(request):
    return HttpResponse("<p>公开目录</p>")


# URLs for the test below: a public view of another app, in front of the project's own.
urlpatterns = [path("xxgk-test/", _plain_public_view, name="plain_public_view"), *project_urls.urlpatterns]


def test_only_views_registered_as_cacheable_are_stored(client, portal, page_cache, settings, committed):
    settings.ROOT_URLCONF = __name__
    for _ in range(2):
        assert fetch(client, "/xxgk-test/")["X-Cache"] == "BYPASS"
    page_cache_module.register_cacheable_view("plain_public_view")
    try:
        assert fetch(client, "/xxgk-test/")["X-Cache"] == "MISS"
        assert fetch(client, "/xxgk-test/")["X-Cache"] == "HIT"
        # The app that owns the view retires its pages when its content changes.
        committed(lambda: page_cache_module.purge_sites_after_commit([portal["site"].pk]))
        assert fetch(client, "/xxgk-test/")["X-Cache"] == "MISS"
        committed(lambda: page_cache_module.purge_sites_after_commit())
        assert fetch(client, "/xxgk-test/")["X-Cache"] == "MISS"
    finally:
        page_cache_module._cacheable_views.discard("plain_public_view")
