"""改版迁移: old sites of several CMS styles (the inspection corpus, served over HTTP) and an old site with every
kind of bad input, imported into the portal through ``zhengwu portal import-site``."""

from __future__ import annotations

import io
import json
import re
import threading
import time
from datetime import date
from http.server import ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command
from PIL import Image as PILImage
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, Revision

from zhengwu.core.models import OrganizationKind
from zhengwu.inspection.corpus import AS_OF, FAMILIES, build_corpus
from zhengwu.inspection.corpus.build import Resource
from zhengwu.inspection.corpus.serve import Server, make_handler
from zhengwu.portal.models import (
    ArticlePage,
    ColumnPage,
    ContentPage,
    ImportedAsset,
    ImportedPage,
    InterpretationPage,
    PolicyDocumentPage,
)
from zhengwu.portal.models.pages import Attachment
from zhengwu.portal.services import create_site

FAMILY = {f.code: f for f in FAMILIES}
HOST = "new.example.test"
CREDIT = "11410123MB0000001X"
ARTICLE_KINDS = {"article", "policy", "interpretation", "message", "guide", "single"}


def corpus_site(code: str, clean: bool):
    sites = build_corpus(external_base="http://127.0.0.1:9", families=(FAMILY[code],))
    return next(s for s in sites if s.clean == clean)


@pytest.fixture(autouse=True)
def any_host(settings):
    settings.ALLOWED_HOSTS = ["*"]


@pytest.fixture
def county(make_org):
    return make_org("青山县人民政府", kind=OrganizationKind.GOVERNMENT, code="QSX", credit_code=CREDIT)


@pytest.fixture
def portal(county):
    return create_site(organization=county, site_name="青山县人民政府", hostname=HOST, port=80, actor=None)


def run_import(base: str, tmp_path, *extra: str, host: str = HOST, name: str = "report.json") -> dict:
    out = tmp_path / name
    call_command("portal", "import-site", base + "/", "--site", host, "--as-of", AS_OF.isoformat(),
                 "--report", str(out), "--timeout", "2", *extra)  # fmt: skip
    return json.loads(out.read_text(encoding="utf-8"))


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def snapshot() -> dict:
    return {
        "pages": sorted(Page.objects.values_list("pk", "url_path", "title", "live", "last_published_at")),
        "content": sorted(ContentPage.objects.values_list("pk", "published_at", "body", "source")),
        "revisions": Revision.objects.count(),
        "imported": sorted(
            ImportedPage.objects.values_list("old_url", "page_id", "content_hash", "updated_at")
        ),
        "redirects": sorted(Redirect.objects.values_list("old_path", "redirect_page_id")),
        "assets": ImportedAsset.objects.count(),
    }


def dates_shown(html: str) -> set[str]:
    found = set()
    for y, m, d in re.findall(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})", html):
        found.add(date(int(y), int(m), int(d)).isoformat())
    return found


# --- the corpus: five CMS styles -------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(("code", "clean"), [("trs", False), ("hanweb", True), ("kpy", True), ("php", False), ("plain", True)])  # fmt: skip
def test_corpus_site_imports_every_page_column_date_and_attachment(
    portal, tmp_path, client, request, code, clean
):
    site_data = corpus_site(code, clean)
    html_paths = {
        path
        for path, res in site_data.resources.items()
        if res.status == 200 and res.content_type.startswith("text/html") and path != "/"
    }
    server = Server(site_data.resources).__enter__()
    request.addfinalizer(lambda: server.__exit__(None, None, None))
    report = run_import(server.base, tmp_path)
    base = server.base
    assert set(report) >= {"pages", "attachments", "unmapped"}
    old_paths = {path_of(row["old_url"]) for row in report["pages"]}
    # Every page of the old site is mapped (list pages of every pager included), and nothing twice.
    assert old_paths == html_paths
    assert len(report["pages"]) == len(old_paths)
    assert all(row["kind"] in ARTICLE_KINDS | {"column"} for row in report["pages"])

    # Every column of the old site with a list exists as a column page under the new home page.
    expected_columns = {"政务要闻", "部门动态", "通知公告", "政策文件", "政策解读", "乡镇动态", "在线留言"}
    home = portal.root_page
    column_titles = set(ColumnPage.objects.descendant_of(home).values_list("title", flat=True))
    assert expected_columns <= column_titles
    for row in report["pages"]:
        assert row["column"].startswith(f"http://{HOST}/"), row

    # Every date is one the old page shows (never the day of the import); only the planted undated ones lack it.
    undated = []
    for row in report["pages"]:
        if row["kind"] in ("column",):
            continue
        html = site_data.resources[path_of(row["old_url"])].body.decode("gbk" if code == "php" else "utf-8")
        if row["published"] is None:
            undated.append(row)
        else:
            assert row["published"] in dates_shown(html), row
            assert row["published"] != date.today().isoformat() or date.today() == AS_OF
    planted_undated = {p.key for p in site_data.planted if p.check == "undated_item"}
    undated_articles = {path_of(r["old_url"]) for r in undated if r["kind"] in ("article", "policy")}
    assert undated_articles == planted_undated
    for row in undated:
        page = ImportedPage.objects.get(old_url=row["old_url"]).page.specific
        assert page.published_at.date() < AS_OF  # sorted below the column's dated items, not dated today

    # Attachments: the working one is stored as a document and linked; the dead one is reported.
    attachment_path = f"/uploads/2026/{code}-fujian.pdf"
    if clean:
        assert [path_of(a["old_url"]) for a in report["attachments"] if a["old_url"].endswith(".pdf")] == [
            attachment_path
        ]
        asset = ImportedAsset.objects.get(old_url=base + attachment_path)
        assert asset.document is not None and asset.document.file.read().startswith(b"%PDF")
        # Listed as the page's 附件 (and linked in place when the link sits in the body).
        holders = Attachment.objects.filter(document=asset.document)
        assert holders.count() == 1 and holders[0].page.live
        body = holders[0].page.specific.body
        assert f'linktype="document" id="{asset.document_id}"' in body or attachment_path not in body
    else:
        reasons = {path_of(u["old_url"]): u["reason"] for u in report["unmapped"]}
        assert "404" in reasons[attachment_path]

    # Old paths answer 301 on the new host, to the page the report names.
    for row in report["pages"][:: max(1, len(report["pages"]) // 25)]:
        response = client.get(path_of(row["old_url"]), HTTP_HOST=HOST)
        assert response.status_code == 301, row
        assert response["Location"] in (row["new_url"], path_of(row["new_url"]))
        assert client.get(path_of(row["new_url"]), HTTP_HOST=HOST).status_code == 200

    # A second run changes nothing.
    before = snapshot()
    again = run_import(server.base, tmp_path, name="again.json")
    assert snapshot() == before
    assert again["pages"] == report["pages"]
    assert again["attachments"] == report["attachments"]


@pytest.mark.django_db
def test_imported_articles_are_found_by_site_search(portal, tmp_path, client):
    site_data = corpus_site("hanweb", clean=True)
    with Server(site_data.resources) as server:
        report = run_import(server.base, tmp_path)
    policy = next(
        r for r in report["pages"] if "优化营商环境若干措施" in r["title"] and r["kind"] == "policy"
    )
    response = client.get("/search/", {"q": "优化营商环境"}, HTTP_HOST=HOST, REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 200
    assert path_of(policy["new_url"]) in response.content.decode()


# --- an old site with every kind of bad input ------------------------------------------------------------------
def png_bytes() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (4, 3), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def page(title: str, body: str, *, charset: str = "utf-8", head: str = "") -> bytes:
    html = (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        f"<title>{title}</title>{head}</head><body><div id='top'><a href='/'>首页</a> "
        "<a href='/news/list.htm'>新闻动态</a> <a href='/zcwj/list.htm'>政策文件</a> "
        "<a href='/zcjd/list.htm'>政策解读</a> <a href='/about.htm'>单位简介</a></div>"
        f"<div class='main'>{body}</div><div class='foot'>柳河县人民政府 版权所有</div></body></html>"
    )
    return html.encode(charset)


def listing(name: str, rows: list[tuple[str, str, str]]) -> bytes:
    items = "".join(f"<li><a href='{u}'>{t}</a><em>{d}</em></li>" for u, t, d in rows)
    return page(
        f"{name}_柳河县人民政府",
        f"<div class='pos'>当前位置：首页 &gt; {name}</div><ul class='news'>{items}</ul>",
    )


def article(name: str, title: str, info: str, text: str, charset: str = "utf-8") -> bytes:
    return page(
        f"{title}_柳河县人民政府",
        f"<div class='pos'>当前位置：首页 &gt; {name} &gt; 正文</div><h1>{title}</h1>"
        f"<div class='info'>{info}</div><div id='zoom'>{text}</div>",
        charset=charset,
    )


BAD_SITE_TEXT = (
    "<p style='color:red' onclick='steal()'>柳河县开展秸秆综合利用专项行动，覆盖全县十二个乡镇。</p>"
    "<script>document.write('广告代码')</script><iframe src='http://tracker.example/x'>内嵌框架</iframe>"
    "<table border='1' style='width:100%'><tr><th>乡镇</th><td colspan='2'>回收量</td></tr></table>"
    "<p><img src='/img/photo.png' alt='现场照片' style='width:300px'></p>"
    "<p>附件：<a href='/files/plan.pdf'>实施方案.pdf</a>　<a href='/files/missing.docx'>报名表.docx</a></p>"
)


def bad_site() -> dict[str, Resource]:
    gbk = "text/html"  # the charset only in the page's meta tag
    res = {
        "/": Resource(page("柳河县人民政府", "<ul><li><a href='/news/list.htm'>更多新闻</a></li></ul>")),
        "/news/list.htm": Resource(
            listing(
                "新闻动态",
                [
                    ("/news/a1.htm", "柳河县开展秸秆综合利用专项行动", "2026-10-21"),
                    ("/news/a2.htm", "关于召开全县安全生产会议的通知", "2026-10-18"),
                    ("/news/a3.htm", "关于召开全县安全生产会议的通知", "2026-09-02"),
                    ("/news/slow1.htm", "县医院开展义诊活动", "2026-08-30"),
                    ("/news/slow2.htm", "县图书馆延长开放时间", "2026-08-12"),
                    ("/news/undated.htm", "县城区供水管网改造进展", ""),
                ],
            )
        ),
        "/news/a1.htm": Resource(
            article(
                "新闻动态",
                "柳河县开展秸秆综合利用专项行动",
                "发布时间：2026年10月21日 来源：县农业农村局",
                BAD_SITE_TEXT,
                "gbk",
            ),
            gbk,
        ),
        "/news/a2.htm": Resource(
            article(
                "新闻动态",
                "关于召开全县安全生产会议的通知",
                "发布日期：2026-10-18",
                "<p>定于十月二十日召开会议。</p>",
            )
        ),
        "/news/a3.htm": Resource(
            article(
                "新闻动态",
                "关于召开全县安全生产会议的通知",
                "发布日期：2026-09-02",
                "<p>定于九月五日召开会议。</p>",
            )
        ),
        "/news/slow1.htm": Resource(
            article("新闻动态", "县医院开展义诊活动", "发布日期：2026-08-30", "<p>义诊惠及群众三百人。</p>")
        ),
        "/news/slow2.htm": Resource(
            article("新闻动态", "县图书馆延长开放时间", "发布日期：2026-08-12", "<p>周末开放至晚九点。</p>")
        ),
        "/news/undated.htm": Resource(
            article("新闻动态", "县城区供水管网改造进展", "来源：县住建局", "<p>已完成改造管网八公里。</p>")
        ),
        "/zcwj/list.htm": Resource(
            listing(
                "政策文件",
                [
                    ("/zcwj/p1.htm", "柳河县人民政府办公室关于印发秸秆禁烧工作方案的通知", "2026-10-10"),
                    ("/zcwj/p2.htm", "柳河县人民政府关于印发河长制管理办法的通知", "2026-07-01"),
                ],
            )
        ),
        "/zcwj/p1.htm": Resource(
            article(
                "政策文件",
                "柳河县人民政府办公室关于印发秸秆禁烧工作方案的通知",
                "发文机关：柳河县人民政府办公室　文号：柳政办〔2026〕12号　成文日期：2026年10月8日　发布日期：2026-10-10",
                "<p>各乡镇人民政府，县直各部门：现将《秸秆禁烧工作方案》印发给你们，请认真贯彻执行。</p>",
            )
        ),
        "/zcwj/p2.htm": Resource(
            article(
                "政策文件",
                "柳河县人民政府关于印发河长制管理办法的通知",
                "发布日期：2026-07-01",
                "<p>柳政〔2026〕3号</p><p>河长制管理办法全文。</p>",
            )
        ),
        "/zcjd/list.htm": Resource(
            listing(
                "政策解读",
                [
                    ("/zcjd/j1.htm", "《秸秆禁烧工作方案》政策解读", "2026-10-11"),
                    ("/zcjd/j2.htm", "图解：河长制管理办法", "2026-07-02"),
                    ("/zcjd/j3.htm", "一图读懂森林防火", "2026-06-02"),
                ],
            )
        ),
        "/zcjd/j1.htm": Resource(
            article(
                "政策解读",
                "《秸秆禁烧工作方案》政策解读",
                "发布日期：2026-10-11",
                "<p>原文：<a href='/zcwj/p1.htm'>秸秆禁烧工作方案</a></p><p>解读要点三条。</p>",
            )
        ),
        "/zcjd/j2.htm": Resource(
            article("政策解读", "图解：河长制管理办法", "发布日期：2026-07-02", "<p>图解内容。</p>")
        ),
        "/zcjd/j3.htm": Resource(
            article("政策解读", "一图读懂森林防火", "发布日期：2026-06-02", "<p>防火要点。</p>")
        ),
        "/about.htm": Resource(
            page("单位简介_柳河县人民政府", "<div id='zoom'><p>柳河县位于省境东部，辖十二个乡镇。</p></div>")
        ),
        "/img/photo.png": Resource(png_bytes(), "image/png"),
        "/files/plan.pdf": Resource(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf"),
    }
    return res


class SlowServer:
    """The fixture site, where some pages stop answering (longer than the import's timeout) while ``slow``."""

    def __init__(self, resources: dict[str, Resource], slow_paths: set[str]) -> None:
        self.slow = threading.Event()
        self.slow.set()
        base_handler = make_handler(resources)
        server = self

        class Handler(base_handler):
            def do_GET(self) -> None:
                if server.slow.is_set() and self.path in slow_paths:
                    time.sleep(4)
                super().do_GET()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> SlowServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.mark.django_db
def test_bad_input_is_reported_and_a_second_run_completes_without_duplicates(county, tmp_path, client):
    resources = bad_site()
    with SlowServer(resources, {"/news/slow1.htm", "/news/slow2.htm"}) as server:
        # The target site does not exist yet: it is created under the organization.
        first = run_import(server.base, tmp_path, "--org", CREDIT, host="lh.example.test")
        unmapped = {path_of(u["old_url"]): u["reason"] for u in first["unmapped"]}
        assert unmapped["/news/slow1.htm"] == unmapped["/news/slow2.htm"] == "访问超时"
        assert "404" in unmapped["/files/missing.docx"]
        rows = {path_of(r["old_url"]): r for r in first["pages"]}
        assert "/news/slow1.htm" not in rows

        # GBK page: title and text read right; scripts, iframes, inline styles and handlers gone; table kept.
        gbk = ImportedPage.objects.get(old_url=server.base + "/news/a1.htm").page.specific
        assert gbk.title == "柳河县开展秸秆综合利用专项行动"
        assert gbk.source == "县农业农村局"
        body = gbk.body
        assert "秸秆综合利用专项行动，覆盖全县十二个乡镇" in body
        for banned in ("<script", "广告代码", "<iframe", "tracker.example", "style=", "onclick", "steal"):
            assert banned not in body, banned
        assert "<table" in body and 'colspan="2"' in body
        # The image and the working attachment are stored and linked; the dead one keeps its reason.
        image_asset = ImportedAsset.objects.get(old_url=server.base + "/img/photo.png")
        assert image_asset.image is not None and image_asset.image.width == 4
        assert f'embedtype="image" id="{image_asset.image_id}"' in body
        pdf = ImportedAsset.objects.get(old_url=server.base + "/files/plan.pdf")
        assert f'linktype="document" id="{pdf.document_id}"' in body
        assert {path_of(a["old_url"]) for a in first["attachments"]} == {"/img/photo.png", "/files/plan.pdf"}

        # Duplicate titles in one column: two pages, two URLs.
        twins = [r for r in first["pages"] if r["title"] == "关于召开全县安全生产会议的通知"]
        assert len(twins) == 2 and twins[0]["new_url"] != twins[1]["new_url"]
        assert {t["published"] for t in twins} == {"2026-10-18", "2026-09-02"}

        # No date: imported, flagged (null), and not dated today.
        undated = rows["/news/undated.htm"]
        assert undated["published"] is None and undated["kind"] == "article"
        undated_page = ImportedPage.objects.get(old_url=server.base + "/news/undated.htm").page.specific
        assert undated_page.live and undated_page.published_at.date() == date(2026, 9, 2)

        # 政策文件 with 文号 and 成文日期; the interpretation that links it is tied to it; catalogue offers.
        policy = PolicyDocumentPage.objects.get(title__contains="秸秆禁烧工作方案")
        assert (policy.document_number, policy.written_on) == ("柳政办〔2026〕12号", date(2026, 10, 8))
        assert policy.issuing_authority == "柳河县人民政府办公室"
        assert policy.published_at.date() == date(2026, 10, 10)
        assert InterpretationPage.objects.get(policy=policy).title == "《秸秆禁烧工作方案》政策解读"
        # Without a 成文日期 a policy is not given a guessed one: it is an article (and still offered with 文号).
        p2 = ImportedPage.objects.get(old_url=server.base + "/zcwj/p2.htm")
        assert isinstance(p2.page.specific, ArticlePage) and p2.kind == "policy"
        offered = {c["document_number"]: c for c in first["catalogue"]}
        assert set(offered) == {"柳政办〔2026〕12号", "柳政〔2026〕3号"}
        assert offered["柳政办〔2026〕12号"]["written_on"] == "2026-10-08"

        # Old paths answer 301 on the new host.
        response = client.get("/news/a1.htm", HTTP_HOST="lh.example.test")
        assert response.status_code == 301
        assert response["Location"].endswith(path_of(rows["/news/a1.htm"]["new_url"]))
        assert (
            client.get(path_of(rows["/about.htm"]["new_url"]), HTTP_HOST="lh.example.test").status_code == 200
        )

        # The old site answers again: the next run imports what timed out and duplicates nothing.
        server.slow.clear()
        counts = (ContentPage.objects.count(), ImportedAsset.objects.count(), Redirect.objects.count())
        second = run_import(server.base, tmp_path, host="lh.example.test", name="second.json")
    assert not [u for u in second["unmapped"] if "slow" in u["old_url"]]
    assert ContentPage.objects.count() == counts[0] + 2
    assert ImportedAsset.objects.count() == counts[1]
    assert Redirect.objects.count() == counts[2] + 2
    assert len({r["old_url"] for r in second["pages"]}) == len(second["pages"])
    assert ContentPage.objects.filter(title="关于召开全县安全生产会议的通知").count() == 2


@pytest.mark.django_db
def test_interrupted_run_resumes(county, tmp_path, monkeypatch):
    from zhengwu.portal.migration import importer

    resources = bad_site()
    calls = {"n": 0}
    original = importer._Writer.item

    def failing(self, item, policies):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return original(self, item, policies)

    with Server(resources) as server:
        monkeypatch.setattr(importer._Writer, "item", failing)
        with pytest.raises(KeyboardInterrupt):
            run_import(server.base, tmp_path, "--org", CREDIT, host="lh.example.test")
        kept = ContentPage.objects.count()
        assert 0 < kept < 12
        monkeypatch.setattr(importer._Writer, "item", original)
        report = run_import(server.base, tmp_path, host="lh.example.test")
    assert ContentPage.objects.count() == 12
    assert ImportedPage.objects.filter(kind="column").count() == 3
    assert len(report["pages"]) == ImportedPage.objects.count()


@pytest.mark.django_db
def test_dry_run_writes_nothing_and_xlsx_report(county, tmp_path):
    from openpyxl import load_workbook

    with Server(bad_site()) as server:
        out = tmp_path / "预览.xlsx"
        call_command("portal", "import-site", server.base, "--site", "lh.example.test", "--org", CREDIT,
                     "--dry-run", "--report", str(out), "--as-of", "2026-11-20")  # fmt: skip
    assert not ImportedPage.objects.exists() and not ContentPage.objects.exists()
    book = load_workbook(out)
    assert book.sheetnames == ["页面映射", "图片和附件", "未能迁移", "建议编入主动公开目录"]
    rows = list(book["页面映射"].iter_rows(values_only=True))
    assert rows[0][:3] == ("原网址", "新网址", "类型")
    flagged = [r for r in rows[1:] if r[6]]
    assert [r[3] for r in flagged if r[2] == "文章"] == ["县城区供水管网改造进展"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ftp://old.example/", "--site", HOST], "原网站地址“ftp://old.example/”格式错误"),
        (["http://127.0.0.1:9/", "--site", "bad host!"], "目标主机名“bad host!”格式错误"),
        (["http://127.0.0.1:9/", "--site", "none.example.test"], "目标网站“none.example.test”不存在"),
        (
            ["http://127.0.0.1:9/", "--site", HOST, "--as-of", "2026-13-01"],
            "--as-of“2026-13-01”不是有效的日期",
        ),
        (["http://127.0.0.1:9/", "--site", HOST, "--org", "9999"], "找不到统一社会信用代码为“9999”的单位"),
        (["http://127.0.0.1:9/", "--site", HOST, "--report", "out.csv"], "报告文件“out.csv”的扩展名"),
        (["http://127.0.0.1:9/", "--site", HOST, "--timeout", "1"], "无法读取原网站“http://127.0.0.1:9/”"),
    ],
)
def test_bad_arguments_give_chinese_errors_that_keep_the_input(portal, args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("portal", "import-site", *args)


@pytest.mark.django_db
def test_redirect_hits_are_counted_in_the_figures(county, tmp_path, client):
    with Server(bad_site()) as server:
        report = run_import(server.base, tmp_path, "--org", CREDIT, host="lh.example.test")
    old = next(r for r in report["pages"] if r["old_url"].endswith("/news/a2.htm"))
    for _ in range(2):
        assert client.get("/news/a2.htm", HTTP_HOST="lh.example.test").status_code == 301
    assert client.get("/news/list.htm", HTTP_HOST="lh.example.test").status_code == 301
    assert client.get("/never-existed.htm", HTTP_HOST="lh.example.test").status_code == 404
    record = ImportedPage.objects.get(old_url=old["old_url"])
    assert record.hits == 2 and record.last_hit_at is not None
    out = tmp_path / "figures.json"
    call_command(
        "portal", "import-figures", "--site", "lh.example.test", "--format", "json", "--out", str(out)
    )
    (row,) = json.loads(out.read_text(encoding="utf-8"))
    articles = [r for r in report["pages"] if r["kind"] != "column"]
    assert row["site"] == "lh.example.test"
    assert row["pages_imported"] == len(articles) == 12
    assert row["columns_imported"] == 3
    assert row["redirects_active"] == len(report["pages"])
    assert (row["redirects_hit"], row["redirect_hits"]) == (2, 3)
    assert row["attachments_imported"] == 2
    assert row["pages_undated"] == 2  # the undated article and the single page


@pytest.mark.django_db
def test_admin_run_needs_the_permission_and_stores_its_report(county, make_staff, tmp_path):
    from django.contrib.auth.models import Permission
    from django.core.exceptions import PermissionDenied

    from zhengwu.portal.migration.services import execute_run, queue_import
    from zhengwu.portal.models import SiteImportRun

    clerk = make_staff("clerk", organization=county)
    with Server(bad_site()) as server:
        with pytest.raises(PermissionDenied):
            queue_import(start_url=server.base, hostname="lh.example.test", organization=county, as_of=AS_OF,
                         dry_run=False, actor=clerk)  # fmt: skip
        assert not SiteImportRun.objects.exists()
        clerk.user_permissions.add(Permission.objects.get(codename="add_siteimportrun"))
        clerk = type(clerk).objects.get(pk=clerk.pk)
        run = queue_import(start_url=server.base, hostname="lh.example.test", organization=county, as_of=AS_OF,
                           dry_run=False, actor=clerk)  # fmt: skip
        run = execute_run(run_id=run.pk)
    assert run.status == "finished" and run.stage == "完成" and run.site.hostname == "lh.example.test"
    assert run.done == run.total > 0
    assert {path_of(p["old_url"]) for p in run.report["pages"]} >= {"/news/a1.htm", "/about.htm"}
