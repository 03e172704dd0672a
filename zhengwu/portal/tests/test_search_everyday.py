"""站内搜索 as residents type into it: abbreviations and synonyms (社保, 人社局), pinyin and initials (shebao, sb),
and “您是不是要找” for a query with a homophone typo — on a county unlike the demo (临河县)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from zhengwu.core.models import AuditLog, OrganizationKind
from zhengwu.portal.models import ArticlePage, ColumnKind, ColumnPage, SearchSynonym
from zhengwu.portal.search import suggest, synonyms
from zhengwu.portal.services import create_site

HOST = "127.0.0.1:8000"
TARGET = "县人社局延长社保卡补办窗口服务时间"


def when(day: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(day + " 09:30"))


@pytest.fixture(autouse=True)
def _fresh(settings):
    cache.clear()
    settings.ZHENGWU_SEARCH_DICT_REFRESH_SECONDS = 0


@pytest.fixture
def county(make_org, django_capture_on_commit_callbacks):
    """临河县: a handful of departments and articles written as a county's news desk writes them."""
    gov = make_org("临河县人民政府", kind=OrganizationKind.GOVERNMENT, code="LHX")
    make_org("临河县人力资源和社会保障局", parent=gov, code="LHRSJ")
    make_org("临河县医疗保障局", parent=gov, code="LHYBJ")
    make_org("临河县文化和旅游局", parent=gov, code="LHWLJ")
    make_org("白沙乡", parent=gov, code="BSX", kind=OrganizationKind.TOWNSHIP)
    synonyms.load_rules()
    site = create_site(
        organization=gov,
        site_name="临河县人民政府",
        hostname="127.0.0.1",
        port=8000,
        is_default=True,
        actor=None,
    )
    home = site.root_page.specific

    def publish(parent, page):
        with django_capture_on_commit_callbacks(execute=True):
            parent.add_child(instance=page)
            page.save_revision().publish()
        return page

    news = publish(home, ColumnPage(title="部门动态", slug="bmdt", column_kind=ColumnKind.NEWS))
    articles = [
        (
            TARGET,
            "2026-03-02",
            "即日起，县政务服务中心人社窗口实行午间不间断服务，周六上午照常办理社保卡挂失、补办业务。"
            "补办的新卡当场制发，可直接用于就医购药结算。",
        ),
        (
            "县医疗保障局公布门诊慢特病待遇认定流程",
            "2026-02-18",
            "参保群众可携带病历资料到定点医院申请认定，认定通过后次月起享受门诊慢特病待遇。",
        ),
        (
            "住房公积金提取业务下月起全程网办",
            "2026-01-20",
            "缴存职工提取住房公积金用于租房、还贷，可通过手机登录办理，无需到柜台。",
        ),
        (
            "白沙乡举办春节书画展",
            "2026-01-28",
            "县文化馆组织书画爱好者到白沙乡文化站展出作品六十余幅，展期十天。",
        ),
        (
            "县交通运输局开展春运道路安全检查",
            "2026-01-15",
            "检查组对客运站、重点路段进行安全检查，督促企业落实安全生产责任。",
        ),
        (
            "白沙乡开展冬季森林防火巡查",
            "2025-12-10",
            "乡里组织护林员对重点林区进行巡查，清理林下可燃物，严防野外用火。",
        ),
    ]
    pages = {}
    for title, day, body in articles:
        pages[title] = publish(
            news,
            ArticlePage(title=title, slug=f"a{len(pages)}", published_at=when(day), body=f"<p>{body}</p>"),
        )
    return {"site": site, "pages": pages}


def found(client, query: str, **params) -> tuple[list[str], str]:
    response = client.get("/search/", {"q": query, **params}, HTTP_HOST=HOST)
    assert response.status_code == 200
    html = response.content.decode()
    listing = html.split('class="search-result-list"', 1)[-1] if "search-result-list" in html else ""
    titles = [re.sub(r"<[^>]+>", "", t).strip() for t in re.findall(r"<h3>(.*?)</h3>", listing, re.S)]
    return titles, html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["社保", "人社局", "社会保险", "社会保障", "shebao", "sb", "SheBao", "ｓｂ"]
)
def test_everyday_words_for_social_security_find_the_article(client, county, query):
    titles, _ = found(client, query)
    assert TARGET in titles
    assert "白沙乡举办春节书画展" not in titles
    assert "县交通运输局开展春运道路安全检查" not in titles


@pytest.mark.django_db
def test_medical_insurance_abbreviation_finds_the_medical_security_bureau_only(client, county):
    titles, html = found(client, "医保")
    assert titles == ["县医疗保障局公布门诊慢特病待遇认定流程"]
    assert "<mark>医疗保障</mark>" in html  # the synonym that matched is marked
    assert found(client, "yibao")[0] == titles


@pytest.mark.django_db
def test_office_abbreviation_inside_a_longer_query(client, county):
    titles, _ = found(client, "人社局 社保卡")
    assert titles == [TARGET]
    titles, _ = found(client, "县人社局")
    assert TARGET in titles


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["公积金", "gjj", "gongjijin", "住房公积金"])
def test_housing_fund_short_and_full_forms(client, county, query):
    titles, _ = found(client, query)
    assert titles == ["住房公积金提取业务下月起全程网办"]


@pytest.mark.django_db
def test_latin_words_that_are_not_pinyin_find_nothing_extra(client, county):
    titles, _ = found(client, "xyzq")
    assert titles == []


@pytest.mark.django_db
def test_synonyms_are_data_staff_edit_in_the_admin(
    client, county, make_staff, django_capture_on_commit_callbacks
):
    assert SearchSynonym.objects.filter(words__startswith="社保、").exists()
    assert synonyms.load_rules() == 0  # idempotent
    assert found(client, "书画")[0] == ["白沙乡举办春节书画展"]
    assert found(client, "美术作品")[0] == []
    admin = make_staff("lh_admin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/search/synonyms/new/", {"words": "美术作品，书画", "note": "", "is_active": "on"}
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert AuditLog.objects.filter(action="portal.search.synonym.create").count() == 1
    assert found(client, "美术作品")[0] == ["白沙乡举办春节书画展"]
    response = client.post("/admin/search/synonyms/new/", {"words": "  只有一个词 ", "is_active": "on"})
    html = response.content.decode()
    assert response.status_code == 200 and "请填写至少两个互为同义的词。" in html and "只有一个词" in html
    # Switching a seeded group off takes effect at once, and setup does not bring it back.
    group = SearchSynonym.objects.get(words__startswith="社保、")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/search/synonyms/edit/{group.pk}/", {"words": group.words, "note": group.note}
        )
    assert response.status_code == 302
    assert TARGET not in found(client, "社会保险")[0]
    assert synonyms.load_rules() == 0
    assert TARGET not in found(client, "社会保险")[0]
    assert TARGET in found(client, "社保")[0]  # the word itself is still in the title


@pytest.mark.django_db
def test_staff_without_county_wide_access_cannot_change_synonyms(client, county, make_staff):
    from django.contrib.auth.models import Permission

    department = county["site"].root_page.specific.organization.children.first()
    editor = make_staff("lh_editor", organization=department, is_staff=True)
    editor.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="portal", codename__endswith="_searchsynonym"),
        Permission.objects.get(codename="access_admin"),
    )
    client.force_login(editor)
    before = SearchSynonym.objects.count()
    response = client.post("/admin/search/synonyms/new/", {"words": "社保、养老", "is_active": "on"})
    assert response.status_code in (302, 403)
    assert SearchSynonym.objects.count() == before
    assert client.get("/admin/search/synonyms/").status_code == 200  # reading the dictionary is allowed
    group = SearchSynonym.objects.first()
    client.post(f"/admin/search/synonyms/delete/{group.pk}/")
    assert SearchSynonym.objects.filter(pk=group.pk).exists()
    plain = make_staff("lh_plain", organization=department, is_staff=True)
    plain.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(plain)
    assert client.get("/admin/search/synonyms/").status_code in (302, 403)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typo, fixed",
    [
        ("社宝卡", "社保卡"),
        ("公基金提取", "公积金提取"),
        ("森林防伙", "森林防火"),
        ("全程往办", "全程网办"),
        ("窗口服物", "窗口服务"),
    ],
)
def test_a_homophone_typo_gets_a_suggestion(client, county, typo, fixed):
    _titles, html = found(client, typo)
    assert "您是不是要找" in html, html[:3000]
    link = re.search(r'您是不是要找：<a href="([^"]+)">([^<]+)</a>', html)
    assert link and link.group(2) == fixed
    titles_fixed, _ = found(client, fixed)
    assert titles_fixed
    assert client.get("/search/" + link.group(1).replace("&amp;", "&"), HTTP_HOST=HOST).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "社保卡",
        "公积金提取",
        "森林防火",
        "书画展",
        "门诊慢特病",
        "社保",
        "航天发射",
        "白沙乡",
        "春运",
        "shebao",
        "不间断",
    ],
)
def test_a_correct_query_never_gets_a_suggestion(client, county, query):
    _, html = found(client, query)
    assert "您是不是要找" not in html


@pytest.mark.django_db
def test_correction_leaves_correct_everyday_queries_alone():
    for query in [
        "不动产登记",
        "营业执照办理",
        "新生儿落户",
        "城乡居民医保缴费",
        "高龄补贴",
        "小学招生",
        "退休工资",
    ]:
        assert suggest.corrected(query) == query


@pytest.mark.django_db
def test_index_holds_every_search_mode_term_of_the_text(county):
    """The index terms include jieba's search-mode segmentation (cut_for_search): a word's parts are found."""
    from zhengwu.portal.search import segment

    tk = segment.tokenizer()
    for title in county["pages"]:
        text = segment.normalize(title)
        expected = {t for t in tk.cut_for_search(text, HMM=False) if segment.lexemes(t)}
        assert expected <= set(segment.index_terms(text)), title
