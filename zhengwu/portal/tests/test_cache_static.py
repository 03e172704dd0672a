"""Static publishing: published pages written as files for nginx, re-written or removed when content changes."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from wagtail.models import PageViewRestriction

from zhengwu.portal.models import ArticlePage, ColumnPage, SiteSettings
from zhengwu.portal.tests.test_cache import add, build_portal

pytestmark = pytest.mark.django_db

HOSTNAME = "sfx.localhost"


@pytest.fixture
def publish_root(settings, tmp_path):
    settings.ZHENGWU_PUBLISH_DIR = str(tmp_path / "published")
    return tmp_path / "published"


@pytest.fixture
def county(make_org, publish_root):
    return build_portal(make_org, hostname=HOSTNAME, port=80)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    def run(func):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            return func()

    return run


def page_file(root, page, *, variant: str = ""):
    relative = page.url_path[len("/sfx/") :]
    return root / HOSTNAME / variant / relative / "index.html"


def published_text(root, page, *, variant: str = "") -> str:
    return page_file(root, page, variant=variant).read_text(encoding="utf-8")


def test_publishing_writes_the_page_in_both_variants_and_refreshes_its_column(
    client, county, publish_root, committed
):
    news = county["news"]
    article = committed(lambda: add(news, ArticlePage(title="全县安全生产工作会议召开", slug="aqsc")))

    simplified = page_file(publish_root, article)
    assert simplified.is_file()
    assert oct(simplified.stat().st_mode & 0o777) == "0o644"
    # The file is the page exactly as the application gives it to an anonymous visitor.
    response = client.get(article.url, HTTP_HOST=HOSTNAME)
    assert simplified.read_bytes() == response.content
    traditional = published_text(publish_root, article, variant="zh-hant")
    assert "全縣安全生產工作會議召開" in traditional and '<html lang="zh-Hant">' in traditional
    # The column and the home page list it.
    assert "全县安全生产工作会议召开" in published_text(publish_root, news)
    assert "全县安全生产工作会议召开" in published_text(publish_root, county["home"])
    assert "全縣安全生產工作會議召開" in published_text(publish_root, news, variant="zh-hant")
    # Nothing is left half-written.
    assert not list(publish_root.rglob(".publishing-*"))


def test_editing_rewrites_and_unpublishing_removes(county, publish_root, committed):
    call_command("publish_static", stdout=None)
    article = ArticlePage.objects.get(pk=county["article"].pk)
    assert "县政府召开常务会议" in published_text(publish_root, article)

    def edit():
        article.title = "县政府召开第十次常务会议"
        article.save_revision().publish()

    committed(edit)
    assert "第十次常务会议" in published_text(publish_root, article)
    assert "第十次常务会议" in published_text(publish_root, county["news"])

    committed(lambda: article.unpublish())
    assert not page_file(publish_root, article).exists()
    assert not page_file(publish_root, article, variant="zh-hant").exists()
    assert "第十次常务会议" not in published_text(publish_root, county["news"])
    assert "第十次常务会议" not in published_text(publish_root, county["home"])


def test_an_interpretation_refreshes_its_policy(county, publish_root, committed):
    call_command("publish_static", stdout=None)
    interp = county["interp"]

    def edit():
        interp.title = "图解《示范县政府信息公开工作办法》"
        interp.save_revision().publish()

    committed(edit)
    assert "图解《示范县政府信息公开工作办法》" in published_text(publish_root, county["policy"])


def test_moving_and_deleting_remove_the_old_files(county, publish_root, committed):
    home, news = county["home"], county["news"]
    other = add(home, ColumnPage(title="部门动态", slug="bmdt"))
    call_command("publish_static", stdout=None)
    article = county["article"]
    old_file = page_file(publish_root, article)
    assert old_file.is_file()

    committed(lambda: ArticlePage.objects.get(pk=article.pk).move(other, pos="last-child"))
    moved = ArticlePage.objects.get(pk=article.pk)
    assert not old_file.exists()
    assert page_file(publish_root, moved).is_file()
    assert "县政府召开常务会议" not in published_text(publish_root, news)
    assert "县政府召开常务会议" in published_text(publish_root, other)

    # Deleting a column deletes the files of everything below it.
    committed(lambda: ColumnPage.objects.get(pk=other.pk).delete())
    assert not page_file(publish_root, moved).exists()
    assert not (publish_root / HOSTNAME / "bmdt").exists()
    assert not (publish_root / HOSTNAME / "zh-hant" / "bmdt").exists()
    assert "部门动态" not in published_text(publish_root, home)


def test_renaming_a_column_rewrites_the_breadcrumbs_below_it(county, publish_root, committed):
    call_command("publish_static", stdout=None)
    news = ColumnPage.objects.get(pk=county["news"].pk)

    def rename():
        news.title = "今日要闻"
        news.save_revision().publish()

    committed(rename)
    assert ">今日要闻</a>" in published_text(publish_root, county["article"])


def test_restricted_pages_are_never_published(county, publish_root, committed):
    call_command("publish_static", stdout=None)
    article = county["article"]
    committed(
        lambda: PageViewRestriction.objects.create(page=article, restriction_type="password", password="pw")
    )
    assert not page_file(publish_root, article).exists()
    call_command("publish_static", stdout=None)
    assert not page_file(publish_root, article).exists()
    assert page_file(publish_root, county["policy"]).exists()


def test_site_settings_change_republishes_the_site(county, publish_root, committed):
    call_command("publish_static", stdout=None)

    def change():
        row = SiteSettings.objects.get(site=county["site"])
        row.contact_phone = "0792-7654321"
        row.save()

    committed(change)
    assert "联系方式：0792-7654321" in published_text(publish_root, county["policy"])
    assert "0792-7654321" in published_text(publish_root, county["article"], variant="zh-hant")


def test_command_publishes_everything_and_removes_leftovers(county, publish_root, capsys):
    stale = publish_root / HOSTNAME / "gone" / "index.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("旧页面")
    orphan = publish_root / "old-host.localhost" / "index.html"
    orphan.parent.mkdir(parents=True)
    orphan.write_text("旧网站")

    call_command("publish_static")
    output = capsys.readouterr().out
    pages = ["home", "news", "policies", "interps", "article", "policy", "interp", "topic"]
    for key in pages:
        assert page_file(publish_root, county[key]).is_file(), key
        assert page_file(publish_root, county[key], variant="zh-hant").is_file(), key
    assert not stale.exists() and not orphan.parent.exists()
    assert "静态发布完成" in output and "删除已不存在网站的目录 1 个" in output

    call_command("publish_static", "--site", HOSTNAME)
    assert "写入 0 个文件" in capsys.readouterr().out  # nothing changed: files are not rewritten
    with pytest.raises(CommandError, match=r"没有可静态发布的网站：nosuch\.localhost"):
        call_command("publish_static", "--site", "nosuch.localhost")


def test_command_explains_when_publishing_is_off(county, settings):
    settings.ZHENGWU_PUBLISH_DIR = ""
    with pytest.raises(CommandError, match="未设置 ZHENGWU_PUBLISH_DIR"):
        call_command("publish_static")


def test_reordering_columns_leaves_the_pages_below_them_alone(county, publish_root, committed):
    call_command("publish_static", stdout=None)
    article_file = page_file(publish_root, county["article"])
    before = article_file.stat()

    committed(lambda: ColumnPage.objects.get(pk=county["news"].pk).move(county["interps"], pos="right"))

    after = article_file.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    home = published_text(publish_root, county["home"])
    assert home.index('href="/zcjd/">政策解读</a>') < home.index('href="/zwyw/">政务要闻</a>')
