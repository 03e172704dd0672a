"""站内搜索 over HTTP: indexing follows publication, Chinese two-character queries, filters, highlighting, hot
queries, recommendations, the zero-result report and bad input. Runs on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from zhengwu.core.models import AuditLog, OrganizationKind
from zhengwu.portal.models import (
    ArticleKind,
    ArticlePage,
    ColumnKind,
    ColumnPage,
    HiddenSearchTerm,
    InterpretationPage,
    PolicyDocumentPage,
    SearchEntry,
    SearchQueryLog,
    SearchRecommendation,
)
from zhengwu.portal.search import segment
from zhengwu.portal.search.backends import SearchFilters, get_backend
from zhengwu.portal.search.services import client_key, reconcile_index
from zhengwu.portal.search.tasks import search_maintenance_task
from zhengwu.portal.services import create_site

HOST = "127.0.0.1:8000"
SUB_HOST = "fgw.localhost:8000"


def when(day: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(day + " 10:00"))


@pytest.fixture(autouse=True)
def _fresh(settings):
    cache.clear()
    settings.ZHENGWU_SEARCH_DICT_REFRESH_SECONDS = (
        0  # organizations created by each test reach the dictionary
    )


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """Publish like an editor does; the commit's callbacks (the indexing tasks) run at once."""

    def run(parent, page):
        with django_capture_on_commit_callbacks(execute=True):
            parent.add_child(instance=page)
            page.save_revision().publish()
        return page

    return run


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def group(make_org, publish):
    county = make_org("示范县人民政府", kind=OrganizationKind.GOVERNMENT, code="SFX")
    fgw = make_org("示范县发展和改革委员会", parent=county, code="FGW", short_name="县发改委")
    make_org("青山镇", parent=county, code="QSZ", kind=OrganizationKind.TOWNSHIP)
    portal = create_site(
        organization=county,
        site_name="示范县人民政府",
        hostname="127.0.0.1",
        port=8000,
        is_default=True,
        actor=None,
    )
    sub = create_site(
        organization=fgw, site_name="示范县发展和改革委员会", hostname="fgw.localhost", port=8000, actor=None
    )
    home, sub_home = portal.root_page.specific, sub.root_page.specific
    news = publish(home, ColumnPage(title="政务要闻", slug="zwyw", column_kind=ColumnKind.NEWS))
    notices = publish(home, ColumnPage(title="通知公告", slug="tzgg", column_kind=ColumnKind.NOTICE))
    policies = publish(home, ColumnPage(title="政策文件", slug="zcwj", column_kind=ColumnKind.POLICY))
    interps = publish(home, ColumnPage(title="政策解读", slug="zcjd", column_kind=ColumnKind.INTERPRETATION))
    sub_news = publish(sub_home, ColumnPage(title="工作动态", slug="gzdt", column_kind=ColumnKind.NEWS))
    meeting = publish(
        news,
        ArticlePage(
            title="县政府召开政务公开工作推进会",
            slug="tjh",
            published_at=when("2025-03-10"),
            summary="部署全年政务公开重点任务。",
            body="<p>会议要求各乡镇、各部门做好<b>政府信息公开</b>工作，畅通领导信箱。</p>",
        ),
    )
    mailbox = publish(
        notices,
        ArticlePage(
            title="关于开通县长信箱的通知",
            slug="xzxx",
            kind=ArticleKind.NOTICE,
            published_at=when("2025-06-01"),
            body="<p>群众可以通过信箱反映问题，来信将在十五个工作日内答复。</p>",
        ),
    )
    flood = publish(
        news,
        ArticlePage(
            title="青山镇部署防汛抗旱工作",
            slug="fxkh",
            published_at=when("2024-05-20"),
            body="<p>县应急管理局派员参加。青山镇召开会议，部署今年的防汛抗旱工作，张明同志主持会议，"
            "镇政府各办公室负责人参加。</p>",
        ),
    )
    policy = publish(
        policies,
        PolicyDocumentPage(
            title="示范县政府网站集约化建设管理办法",
            slug="jyh",
            document_number="示府办发〔2025〕12号",
            issuing_authority="示范县人民政府办公室",
            written_on=dt.date(2025, 2, 1),
            published_at=when("2025-02-10"),
            body="<p>第一条 为了规范政府网站建设，推进集约化。</p>",
        ),
    )
    interp = publish(
        interps,
        InterpretationPage(
            title="《示范县政府网站集约化建设管理办法》解读",
            slug="jyhjd",
            policy=policy,
            published_at=when("2025-02-12"),
            body="<p>一、制定背景：政府网站数量多、维护难。</p>",
        ),
    )
    sub_article = publish(
        sub_news,
        ArticlePage(
            title="县发改委开展价格监测",
            slug="jgjc",
            published_at=when("2025-04-01"),
            body="<p>发展和改革委员会对重要民生商品开展价格监测，做好政务公开。</p>",
        ),
    )
    return {
        "portal": portal,
        "sub": sub,
        "home": home,
        "news": news,
        "notices": notices,
        "policies": policies,
        "meeting": meeting,
        "mailbox": mailbox,
        "flood": flood,
        "policy": policy,
        "interp": interp,
        "sub_article": sub_article,
        "sub_news": sub_news,
    }


def search(client, host=HOST, prefix="", **params):
    headers = {name: params.pop(name) for name in list(params) if name.startswith("HTTP_")}
    response = client.get(
        f"{prefix}/search/", params, HTTP_HOST=host, REMOTE_ADDR=params.pop("_ip", "10.1.1.1"), **headers
    )
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def titles(html: str) -> list[str]:
    """Result titles in order, marks removed."""
    items = re.findall(r'<li>\s*<h3><a href="[^"]*">(.*?)</a></h3>', html, re.S)
    return [re.sub(r"</?mark>", "", item) for item in items]


def notes(html: str) -> list[str]:
    block = re.search(r'<div class="search-notes" role="status">(.*?)</div>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", block.group(1)) if block else []


# ---------------------------------------------------------------------------------------------------------------
# Segmentation
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_segmentation_is_the_same_for_documents_and_queries(make_org):
    county = make_org("示范县人民政府", kind=OrganizationKind.GOVERNMENT, code="SFX")
    make_org("马坳镇", parent=county, code="MAZ", kind=OrganizationKind.TOWNSHIP)
    make_org("示范县发展和改革委员会", parent=county, code="FGW")
    segment.organizations_changed()
    terms = segment.index_terms("示范县发展和改革委员会召开马坳镇政务公开会议")
    # Organization and place names are words; their parts are indexed too, so queries for a part find them.
    for word in (
        "示范县发展和改革委员会",
        "发展",
        "和",
        "改革",
        "委员会",
        "马坳镇",
        "马坳",
        "政务公开",
        "政务",
        "公开",
    ):
        assert word in terms, word
    (term,) = segment.parse_query("县政府")
    assert term.alternatives == (("县政府",), ("县", "政府"))
    name = segment.parse_query("张明")
    assert name[0].phrase and name[0].alternatives == (("张", "明"),)
    assert segment.parse_query('"*() AND：') == [
        segment.QueryTerm(text="and", alternatives=(("and",),), highlights=("and",))
    ]
    assert segment.parse_query("〔〕“”  ") == []


# ---------------------------------------------------------------------------------------------------------------
# Indexing follows publication
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_backend_matches_the_database_and_index_is_consistent(group):
    backend = get_backend()
    assert backend.vendor == connection.vendor
    assert SearchEntry.objects.count() == 6
    entry = SearchEntry.objects.get(page=group["meeting"])
    assert (
        entry.body_text == "会议要求各乡镇、各部门做好政府信息公开工作，畅通领导信箱。"
    )  # tags gone, no spaces added
    assert entry.site_id == group["portal"].pk and entry.column_id == group["news"].pk
    assert SearchEntry.objects.get(page=group["policy"]).document_number == "示府办发〔2025〕12号"
    if backend.vendor == "sqlite":
        backend.integrity_check()


@pytest.mark.django_db
def test_every_stored_term_is_found_by_the_database_index(group, publish):
    """The database's own tokenizer (FTS5 unicode61, or PostgreSQL's parser for to_tsvector) must split the
    stored terms exactly as segment.py did, or words would be indexed that no query can find."""
    page = publish(
        group["news"],
        ArticlePage(
            title="ＣＯＶＩＤ-19疫情防控：12345热线e-mail咨询",
            slug="mixed",
            published_at=when("2025-01-05"),
            keywords="Wi-Fi 5G 二〇二五",
            body="<p>办理时限为１５个工作日；网址 www.example.org/a_b?x=1。Ｖ1.2版；第Ⅲ期；①号文件。</p>",
        ),
    )
    entry = SearchEntry.objects.get(page=page)
    stored = set(
        " ".join([entry.title_terms, entry.meta_terms, entry.summary_terms, entry.body_terms]).split()
    )
    assert {"covid", "19", "12345", "热线", "15", "example"} <= stored
    backend = get_backend()
    filters = SearchFilters(site_id=group["portal"].pk)
    missing = [
        term
        for term in sorted(stored)
        if backend.count(terms=[segment.QueryTerm(text=term, alternatives=((term,),))], filters=filters).value
        == 0
    ]
    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["公开", "政务", "信箱"])
def test_two_character_queries_find_and_highlight(client, group, query):
    html = search(client, q=query)
    assert titles(html), query
    assert f"<mark>{query}</mark>" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "title"), [("县长信", "关于开通县长信箱的通知"), ("防汛抗", "青山镇部署防汛抗旱工作")]
)
def test_a_query_typed_half_way_into_a_word_still_finds_it(client, group, query, title):
    # The last character starts a word (信箱, 抗旱): matched as the start of a word, not as a word of its own.
    html = search(client, q=query)
    assert title in titles(html)
    assert f"<mark>{query}</mark>" in html
    assert titles(search(client, q=query + "箱" if query == "县长信" else query + "旱"))


@pytest.mark.django_db
def test_results_show_title_date_column_kind_and_snippet(client, group):
    html = search(client, q="领导信箱")
    assert titles(html) == ["县政府召开政务公开工作推进会"]
    assert '<time datetime="2025-03-10T10:00:00+08:00">2025-03-10</time>' in html
    assert "栏目：政务要闻" in html and "类型：新闻" in html
    assert "畅通<mark>领导信箱</mark>" in html
    assert 'href="/zwyw/tjh/"' in html


@pytest.mark.django_db
def test_unpublish_delete_move_and_restriction_update_the_index(client, group, on_commit):
    assert "县长信箱" in "".join(titles(search(client, q="县长信箱")))
    with on_commit():
        group["mailbox"].unpublish()
    assert titles(search(client, q="县长信箱")) == []
    assert not SearchEntry.objects.filter(page=group["mailbox"]).exists()

    with on_commit():
        group["flood"].move(group["sub_news"], pos="last-child")
    entry = SearchEntry.objects.get(page=group["flood"])
    assert entry.site_id == group["sub"].pk and entry.column_id == group["sub_news"].pk
    assert titles(search(client, q="防汛")) == []
    assert titles(search(client, host=SUB_HOST, q="防汛")) == ["青山镇部署防汛抗旱工作"]

    with on_commit():
        PageViewRestriction.objects.create(page=group["news"], restriction_type="password", password="secret")
    assert titles(search(client, q="推进会")) == []
    with on_commit():
        PageViewRestriction.objects.filter(page=group["news"]).delete()
    assert titles(search(client, q="推进会")) == ["县政府召开政务公开工作推进会"]

    page_id = group["sub_article"].pk
    Page.objects.get(pk=page_id).delete()
    assert not SearchEntry.objects.filter(page_id=page_id).exists()
    assert titles(search(client, host=SUB_HOST, q="价格监测")) == []
    if get_backend().vendor == "sqlite":
        get_backend().integrity_check()


@pytest.mark.django_db
def test_edit_and_republish_reindexes(client, group, on_commit):
    page = group["mailbox"]
    page.title = "关于开通县长信箱和书记信箱的通知"
    with on_commit():
        page.save_revision().publish()
    assert titles(search(client, q="书记信箱")) == ["关于开通县长信箱和书记信箱的通知"]


# ---------------------------------------------------------------------------------------------------------------
# Scope, filters, sort, pagination
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_scope_is_the_current_site_unless_the_whole_group_is_asked(client, group):
    assert titles(search(client, q="价格监测")) == []
    assert titles(search(client, q="价格监测", site="all")) == ["县发改委开展价格监测"]
    assert titles(search(client, host=SUB_HOST, q="价格监测")) == ["县发改委开展价格监测"]
    html = search(client, q="价格监测", site=str(group["sub"].pk))
    assert titles(html) == ["县发改委开展价格监测"]
    assert "网站：" not in html  # one site: no site label
    assert "网站：示范县发展和改革委员会" in search(client, q="价格监测", site="all")


@pytest.mark.django_db
def test_parts_of_organization_names_and_document_numbers_are_found(client, group):
    assert titles(search(client, host=SUB_HOST, q="发展和改革")) == ["县发改委开展价格监测"]
    assert titles(search(client, q="示府办发〔2025〕12号")) == [
        "示范县政府网站集约化建设管理办法",
        "《示范县政府网站集约化建设管理办法》解读",
    ]
    assert titles(search(client, q="张明")) == ["青山镇部署防汛抗旱工作"]
    # 县政府 inside 示范县政府网站 (cut 示范县 / 政府网站): found through its pieces standing close together.
    assert "示范县政府网站集约化建设管理办法" in titles(search(client, q="县政府"))
    # …but not where the pieces lie apart: 县 and 政府 both occur in the flood article, far from each other.
    assert "青山镇部署防汛抗旱工作" not in titles(search(client, q="县政府"))
    assert titles(search(client, q="青山")) == ["青山镇部署防汛抗旱工作"]


@pytest.mark.django_db
def test_filters_by_column_kind_and_date(client, group):
    assert titles(search(client, q="政务公开", column=str(group["news"].pk))) == [
        "县政府召开政务公开工作推进会"
    ]
    assert titles(search(client, q="信箱", kind="notice")) == ["关于开通县长信箱的通知"]
    assert titles(search(client, q="集约化", kind="interpretation")) == [
        "《示范县政府网站集约化建设管理办法》解读"
    ]
    assert titles(search(client, q="信箱", **{"from": "2025-05-01"})) == ["关于开通县长信箱的通知"]
    assert titles(search(client, q="信箱", **{"to": "2025-03-10"})) == ["县政府召开政务公开工作推进会"]
    assert titles(search(client, q="信箱", **{"from": "2025-03-10", "to": "2025-03-10"})) == [
        "县政府召开政务公开工作推进会"
    ]


@pytest.mark.django_db
def test_sort_by_date_and_pagination(client, group, publish):
    for n in range(23):
        publish(
            group["news"],
            ArticlePage(
                title=f"乡村振兴工作简报第{n + 1}期", slug=f"jb{n}", published_at=when(f"2024-01-{n + 1:02d}")
            ),
        )
    html = search(client, q="乡村振兴", sort="date")
    assert titles(html)[:2] == ["乡村振兴工作简报第23期", "乡村振兴工作简报第22期"]
    assert "找到 23 条" in html and "第 1 页，共 3 页" in html
    assert 'href="?q=%E4%B9%A1%E6%9D%91%E6%8C%AF%E5%85%B4&amp;sort=date&amp;page=2"' in html
    last = search(client, q="乡村振兴", sort="date", page="3")
    assert titles(last) == ["乡村振兴工作简报第3期", "乡村振兴工作简报第2期", "乡村振兴工作简报第1期"]
    assert 'aria-current="page">3</a>' in last


@pytest.mark.django_db
def test_broad_queries_are_bounded_and_say_so(client, group, publish, monkeypatch):
    from zhengwu.portal.search import backends
    from zhengwu.portal.search import selectors as search_selectors

    for n in range(23):
        publish(
            group["news"],
            ArticlePage(
                title=f"乡村振兴简报第{n + 1}期", slug=f"jb{n}", published_at=when(f"2024-02-{n + 1:02d}")
            ),
        )
    monkeypatch.setattr(type(get_backend()), "rank_window", 10)
    html = search(client, q="乡村振兴")
    assert "找到 23 条" in html
    assert "列出的是最新的 10 条结果中最相关的部分" in html
    assert sorted(titles(html)) == sorted(f"乡村振兴简报第{n}期" for n in range(14, 24))
    assert "search-pagination" not in html  # the ranked window fits on one page

    monkeypatch.setattr(backends, "COUNT_LIMIT", 15)
    monkeypatch.setattr(search_selectors, "COUNT_LIMIT", 15)
    html = search(client, q="乡村振兴", sort="date")
    assert "找到超过 15 条" in html and "第 1 页，共 2 页" in html
    if connection.vendor == "postgresql":
        get_backend().optimize()  # statistics, as the nightly maintenance keeps them
        monkeypatch.setattr(backends, "EXACT_COUNT_LIMIT", 5)  # the planner's estimate is shown instead
        html = search(client, q="乡村振兴", sort="date")
        assert "找到约" in html and len(titles(html)) == 10
        assert titles(html)[0] == "乡村振兴简报第23期"


# ---------------------------------------------------------------------------------------------------------------
# Bad input: never a 500, a note in Chinese
# ---------------------------------------------------------------------------------------------------------------


# (query, whether results are expected): operators and quotes are plain text, so "政务 OR" requires the word "or".
SYNTAX_QUERIES = [
    ('"', False),
    ("'", False),
    ('"政务', True),
    ("政务*", True),
    ("政务 OR", False),
    ("AND", False),
    ("NOT 公开", False),
    ("NEAR(政务 公开)", False),
    ("NEAR/2 政务", False),
    ("title:政务", False),
    ("^公开", True),
    ("(", False),
    ("政务)", True),
    ("\\", False),
    ("%_", False),
    ("公开' & '政务", True),
    ("公开 <-> !政务", True),
    ("'; DROP TABLE portal_searchentry; --", False),
    ("公开\x00", True),
    ("<script>alert(1)</script>", False),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "found"), SYNTAX_QUERIES)
def test_query_syntax_characters_are_searched_as_text(client, group, query, found):
    html = search(client, q=query)
    assert "<script>alert" not in html
    assert bool(titles(html)) is found, query
    assert SearchEntry.objects.count() == 6


@pytest.mark.django_db
def test_empty_and_punctuation_only_queries(client, group):
    html = search(client, q="   ")
    assert notes(html) == ["请输入搜索词。"] and titles(html) == []
    assert "请输入要查找的内容" in search(client)
    html = search(client, q="“”〔〕！")
    assert notes(html) == ["搜索词中没有可以检索的文字（标点符号和空格不参与检索），请换一个搜索词。"]
    assert SearchQueryLog.objects.count() == 0


@pytest.mark.django_db
def test_over_long_query_is_cut_with_a_note(client, group):
    html = search(client, q="政务公开" * 30)
    # Cut between words: 12 times 政务公开 (48 characters), not half a word that would match nothing.
    assert notes(html) == ["搜索词超过 50 个字，已只按前 48 个字搜索。"]
    assert 'value="' + "政务公开" * 12 + '"' in html
    assert SearchQueryLog.objects.get().query == "政务公开" * 12
    assert titles(html)  # the cut query still finds what the whole words find


@pytest.mark.django_db
def test_bad_filters_are_ignored_with_notes(client, group):
    html = search(
        client,
        q="信箱",
        kind="bogus",
        sort="sideways",
        page="abc",
        column="xyz",
        site="nowhere",
        **{"from": "2025-13-45", "to": "yesterday"},
    )
    assert notes(html) == [
        "搜索范围“nowhere”无效，已在本站内搜索。",
        "栏目“xyz”不存在，已忽略栏目筛选。",
        "信息类型“bogus”无效，已忽略类型筛选。",
        "起始日期“2025-13-45”不是有效日期（格式如 2025-01-31），已忽略。",
        "结束日期“yesterday”不是有效日期（格式如 2025-01-31），已忽略。",
        "排序方式“sideways”无效，已按相关度排序。",
        "页码“abc”无效，已显示第 1 页。",
    ]
    assert len(titles(html)) == 2


@pytest.mark.django_db
def test_more_bad_filters(client, group):
    html = search(client, q="信箱", column=str(group["sub_news"].pk))  # a column of another site
    assert notes(html) == [f"栏目“{group['sub_news'].pk}”不存在，已忽略栏目筛选。"]
    html = search(client, q="信箱", site="all", column=str(group["news"].pk))
    assert notes(html) == ["搜索全部网站时不能按栏目筛选，已忽略所选栏目。"]
    html = search(client, q="信箱", **{"from": "2025-12-31", "to": "2025-01-01"})
    assert notes(html) == ["起始日期晚于结束日期，已将两者对调。"] and len(titles(html)) == 2
    html = search(client, q="信箱", page="999")
    assert notes(html) == ["页码超出范围，已显示最后一页（第 1 页）。"] and len(titles(html)) == 2
    for page in ("0", "-1", "²", "1e3", "99999999999"):
        assert notes(search(client, q="信箱", page=page)) == [f"页码“{page}”无效，已显示第 1 页。"]
    html = search(client, q="信箱", kind="<b>x</b>" * 10)
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    response = client.get("/search/", {"q": ["公开", "信箱"]}, HTTP_HOST=HOST)  # repeated parameter: the last
    assert response.status_code == 200


@pytest.mark.django_db
def test_no_results_page_suggests_wider_search(client, group):
    html = search(client, q="航天发射")
    assert "没有找到与“航天发射”相关的信息" in html
    assert "在站群全部网站中搜索" in html


@pytest.mark.django_db
def test_traditional_variant_converts_the_query(client, group):
    html = search(client, prefix="/zh-hant", q="政務公開")
    assert titles(html)
    assert 'lang="zh-Hant"' in html and 'action="/zh-hant/search/"' in html


# ---------------------------------------------------------------------------------------------------------------
# Search log, hot queries, recommendations
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_hot_queries_need_several_searchers_and_results(client, group):
    for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        search(client, q="信箱", _ip=ip)
        search(client, q="信箱", _ip=ip, page="2")  # later pages are not new searches
        search(client, q="航天发射", _ip=ip)  # no results: never hot
    for _ in range(5):
        search(client, q="政务公开", _ip="10.0.0.9")  # one visitor repeating a term
    assert SearchQueryLog.objects.filter(query="信箱").count() == 3
    cache.clear()
    html = search(client)
    hot = re.search(r'<aside class="hot-queries".*?</aside>', html, re.S).group(0)
    assert re.findall(r">([^<>]+)</a></li>", hot) == ["信箱"]
    HiddenSearchTerm.objects.create(query="信箱", site=group["portal"])
    cache.clear()
    assert 'class="hot-queries"' not in search(client)
    assert client_key(ip="10.0.0.1") != client_key(ip="10.0.0.2")


@pytest.mark.django_db
def test_one_visitor_with_many_browsers_and_days_is_one_searcher(client, group):
    """The audit's case: five User-Agents from one address put a term on the public list. Distinct addresses are
    counted over the whole period, whatever the browser or the day; an IPv6 /64 is one visitor."""
    for number in range(5):
        search(client, q="政务公开", _ip="10.0.0.9", HTTP_USER_AGENT=f"Browser/{number}")
    for suffix in ("1", "2", "abcd"):
        search(client, q="信箱", _ip=f"2001:db8:1:2::{suffix}")
    search(client, q="政务公开", _ip="10.0.0.9", HTTP_USER_AGENT="Another/1")
    earlier = SearchQueryLog.objects.filter(query="政务公开").latest("pk")
    SearchQueryLog.objects.filter(pk=earlier.pk).update(created_at=earlier.created_at - dt.timedelta(days=3))
    cache.clear()
    html = search(client)
    assert 'class="hot-queries"' not in html
    assert client_key(ip="2001:db8:1:2::1") == client_key(ip="2001:db8:1:2:ffff::9")
    assert client_key(ip="2001:db8:1:3::1") != client_key(ip="2001:db8:1:2::1")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "信箱 13912345678",
        "信箱 网赌",
        "信箱 www.example.top",
        "信箱 加微信 abc12345",
        "信箱 傻逼",
        "信箱 110101199003071234",
    ],
)
def test_sensitive_or_personal_terms_never_reach_the_hot_list(client, group, settings, query):
    for ip in ("10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.4"):
        search(client, q=query, _ip=ip)
    assert SearchQueryLog.objects.exists()
    cache.clear()
    assert 'class="hot-queries"' not in search(client)


@pytest.mark.django_db
def test_a_county_blocks_its_own_words_by_setting(client, group, settings):
    for ip in ("10.0.2.1", "10.0.2.2", "10.0.2.3"):
        search(client, q="信箱", _ip=ip)
    cache.clear()
    assert 'class="hot-queries"' in search(client)
    settings.ZHENGWU_SEARCH_HOT_BLOCKED_WORDS = ["信箱"]
    cache.clear()
    assert 'class="hot-queries"' not in search(client)


@pytest.mark.django_db
def test_recommendations_are_shown_for_their_keywords(client, group):
    SearchRecommendation.objects.create(
        keywords="信箱、来信", site=group["portal"], page=group["mailbox"], description="县长信箱使用说明"
    )
    SearchRecommendation.objects.create(
        keywords="信箱", url="https://example.org/old", title="旧信箱", ends_on=dt.date(2020, 1, 1)
    )
    html = search(client, q="我要给县长写信箱")
    rec = re.search(r'<section class="search-recommendations".*?</section>', html, re.S).group(0)
    assert "关于开通县长信箱的通知" in rec and "县长信箱使用说明" in rec and "旧信箱" not in rec
    assert "search-recommendations" not in search(client, host=SUB_HOST, q="信箱")


# ---------------------------------------------------------------------------------------------------------------
# Staff admin
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_zero_result_queries_are_listed_for_staff(client, group, make_staff):
    search(client, q="航天发射")
    search(client, q="航天发射", _ip="10.2.2.2")
    search(client, q="信箱")
    admin = make_staff("searchadmin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.get("/admin/search/report/")
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "无结果的搜索词" in html
        and "航天发射" in html
        and "信箱" not in re.sub(r"<nav.*?</nav>", "", html, flags=re.S).split("<tbody>")[1]
    )
    assert "/admin/search/recommendations/new/?keywords=%E8%88%AA%E5%A4%A9%E5%8F%91%E5%B0%84" in html
    response = client.get("/admin/search/report/?tab=all&days=7")
    assert "信箱" in response.content.decode()


@pytest.mark.django_db
def test_staff_add_recommendation_and_hide_a_hot_term_with_audit(client, group, make_staff):
    admin = make_staff("searchadmin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.post(
        "/admin/search/recommendations/new/",
        {
            "keywords": "信箱，来信",
            "site": str(group["portal"].pk),
            "page": str(group["mailbox"].pk),
            "url": "",
            "title": "",
            "description": "",
            "sort_order": "0",
            "is_active": "on",
            "starts_on": "",
            "ends_on": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    rec = SearchRecommendation.objects.get()
    assert rec.keywords == "信箱、来信"
    assert AuditLog.objects.filter(action="portal.search.recommendation.create").count() == 1
    response = client.post(
        "/admin/search/recommendations/new/",
        {"keywords": " ，", "site": "", "page": "", "url": "", "sort_order": "0"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "请填写至少一个触发关键词。" in html
    assert "请选择一个推荐页面，或填写一个外部链接（二者只能选一）。" in html
    response = client.post("/admin/search/report/hide/", {"query": "信箱", "site": str(group["portal"].pk)})
    assert response.status_code == 302
    assert HiddenSearchTerm.objects.filter(query="信箱", site=group["portal"]).exists()
    assert AuditLog.objects.filter(action="portal.search.hot_query.hide").count() == 1
    hidden = HiddenSearchTerm.objects.get()
    client.post(f"/admin/search/report/unhide/{hidden.pk}/")
    assert not HiddenSearchTerm.objects.exists()
    assert AuditLog.objects.filter(action="portal.search.hot_query.unhide").count() == 1


@pytest.mark.django_db
def test_sub_site_staff_manage_only_their_site(client, group, make_staff):
    from django.contrib.auth.models import Permission

    fgw = group["sub"].root_page.specific.organization
    editor = make_staff("fgw_search", organization=fgw, is_staff=True)
    editor.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="portal",
            codename__in=[
                "add_searchrecommendation",
                "change_searchrecommendation",
                "view_searchrecommendation",
            ],
        ),
        Permission.objects.get(codename="access_admin"),
    )
    SearchRecommendation.objects.create(keywords="信箱", site=group["portal"], page=group["mailbox"])
    client.force_login(editor)
    listing = client.get("/admin/search/recommendations/").content.decode()
    assert "关于开通县长信箱的通知" not in listing
    response = client.post(
        "/admin/search/recommendations/new/",
        {
            "keywords": "价格",
            "site": str(group["portal"].pk),
            "page": str(group["sub_article"].pk),
            "sort_order": "0",
        },
    )
    assert response.status_code == 200  # the portal is not among this editor's sites
    assert not SearchRecommendation.objects.filter(keywords="价格").exists()
    response = client.post(
        "/admin/search/recommendations/new/",
        {
            "keywords": "价格",
            "site": str(group["sub"].pk),
            "page": str(group["sub_article"].pk),
            "sort_order": "0",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert client.get("/admin/search/report/").status_code in (302, 403)  # no report permission


# ---------------------------------------------------------------------------------------------------------------
# Maintenance
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reindex_command_and_nightly_reconciliation(client, group, capsys):
    SearchEntry.objects.filter(
        page=group["mailbox"]
    ).delete()  # lost, e.g. published by a path without signals
    call_command("search_reindex", "--check")
    out = capsys.readouterr().out
    assert "缺失 1 条" in out
    result = reconcile_index()
    assert result.indexed == 1
    assert titles(search(client, q="县长信箱")) == ["关于开通县长信箱的通知"]

    SearchQueryLog.objects.create(
        query="旧记录", result_count=1, created_at=timezone.now() - dt.timedelta(days=800)
    )
    outcome = search_maintenance_task.enqueue().return_value
    assert outcome["pruned_log_rows"] == 1 and outcome["indexed"] == 0

    call_command("search_reindex")
    assert "写入 6 条" in capsys.readouterr().out
    assert AuditLog.objects.filter(action="portal.search.rebuild").count() == 1
    assert titles(search(client, q="领导信箱")) == ["县政府召开政务公开工作推进会"]
    call_command("search_reindex", "--site", "fgw.localhost")
    assert "写入 1 条" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_sites_editor_hides_a_term_on_their_own_site_only(group, make_staff):
    from django.core.exceptions import PermissionDenied

    from zhengwu.core.services.staff import assign_roles, sync_roles
    from zhengwu.portal.search.services import hide_hot_query

    sync_roles()
    fgw = group["sub"].root_page.specific.get_site()
    fgw_org = _site_org(fgw)
    editor = make_staff("fgw_editor_hot", organization=fgw_org)
    assign_roles(staff=editor, roles=["editor"], actor=None)
    editor = type(editor).objects.get(pk=editor.pk)  # fresh permission cache
    assert editor.has_perm("portal.add_hiddensearchterm") and editor.has_perm("portal.view_searchquerylog")
    hidden = hide_hot_query(query="发改委", site=group["sub"], actor=editor)
    assert hidden.site == group["sub"]
    with pytest.raises(PermissionDenied):
        hide_hot_query(query="信箱", site=group["portal"], actor=editor)
    with pytest.raises(PermissionDenied):
        hide_hot_query(query="信箱", site=None, actor=editor)


def _site_org(site):
    from zhengwu.portal.search.services import _site_organization

    return _site_organization(site)
