"""The inspector against a real HTTP site on 127.0.0.1: a clean copy raises nothing, the defective copy raises
every planted defect, and bad input is reported within the crawl's limits."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from zhengwu.inspection.crawler import CrawlConfig, Crawler, Reason
from zhengwu.inspection.engine import inspect_sites

from .fixture_site import AS_OF, free_port

TERMS = ["王建国", "示范县人民政府"]


def run(url: str, **options):
    return inspect_sites([url], as_of=AS_OF, county_terms=TERMS, crawl_options=options or None)[0]


def by_check(report):
    found: dict[str, list] = {}
    for f in report.findings:
        found.setdefault(f.check, []).append(f)
    return found


def path(server, url: str) -> str:
    return url.replace(server.base, "")


def test_clean_site_has_no_findings(clean_site):
    report = run(clean_site.base + "/")
    assert [f.evidence.get("summary") for f in report.findings] == []
    assert report.verdict == "合格"
    assert report.score == 100
    assert report.pages_crawled >= 20


def test_every_planted_defect_is_found(defect_site):
    report = run(defect_site.base + "/")
    found = by_check(report)
    p = lambda u: path(defect_site, u)  # noqa: E731

    broken = {(p(f.url), p(f.target)): f for f in found["broken_link"]}
    home_404 = broken[("/", "/missing.html")]
    assert home_404.evidence["on_homepage"] and home_404.evidence["status"] == 404
    assert home_404.evidence["link_kind"] == "internal" and home_404.evidence["anchor"] == "县长信箱"
    assert broken[("/", "/images/banner-missing.png")].evidence["link_kind"] == "image"
    attachment = broken[("/xwdt/2025/a3.html", "/files/gone.pdf")]
    assert attachment.evidence["link_kind"] == "attachment" and not attachment.evidence["on_homepage"]
    assert attachment.referrer == defect_site.base + "/"
    external = [f for f in found["broken_link"] if f.evidence["link_kind"] == "external"]
    assert len(external) == 1 and external[0].evidence["reason"] == Reason.CONNECT

    [home_stale] = found["homepage_stale"]
    assert home_stale.evidence["newest_date"] == "2025-05-21"

    stale = {f.evidence["column"]: f for f in found["column_stale"]}
    assert set(stale) == {"政务动态", "政策文件"}
    assert stale["政务动态"].evidence["kind"] == "news"
    assert (
        stale["政策文件"].evidence["kind"] == "policy"
        and stale["政策文件"].evidence["newest_date"] == "2024-12-12"
    )

    [empty] = found["column_empty"]
    assert empty.evidence["column"] == "专题专栏" and empty.evidence["marker"] == "暂无信息"

    [undated] = found["undated_item"]
    assert p(undated.url) == "/xwdt/undated.html" and p(undated.referrer) == "/xwdt/"

    typos = {(f.evidence["wrong"], f.evidence["right"]): f for f in found["serious_typo"]}
    assert set(typos) == {("中华人民共合国", "中华人民共和国"), ("王健国", "王建国")}
    assert p(typos[("王健国", "王建国")].url) == "/xwdt/2025/a2.html"
    assert "王健国强调" in typos[("王健国", "王建国")].evidence["snippet"]
    assert typos[("中华人民共合国", "中华人民共和国")].severity == "veto"

    [message] = found["unanswered_message"]
    assert message.evidence["title"] == "关于社保卡办理地点的咨询" and message.evidence["reply_date"] is None

    footer = {f.target: f for f in found["footer_missing"] if f.url == defect_site.base + "/"}
    assert set(footer) == {"site_id_code", "police"}

    meta = {(f.target, f.evidence["page_kind"]) for f in found["meta_missing"]}
    assert ("ContentSource", "article") in meta

    [one_way] = found["interpretation_one_way"]
    assert p(one_way.url) == "/zcwj/p1.html" and p(one_way.target) == "/zcjd/j1.html"

    [guide] = found["guide_incomplete"]
    assert p(guide.url) == "/bszn/g2.html" and "收费标准" in guide.evidence["missing"]

    assert report.verdict == "不合格" and report.score is None
    vetoes = {v["code"] for v in report.result.vetoes}
    assert {"homepage_stale", "serious_error", "interaction_poor"} <= vetoes
    assert "availability" not in found  # the site answers: no availability finding


def test_bad_input_is_bounded_and_reported(defect_site):
    started = time.perf_counter()
    report = run(defect_site.base + "/")
    assert time.perf_counter() - started < 60
    reasons = {
        path(defect_site, f.target): f.evidence["reason"] for f in report.findings if f.check == "broken_link"
    }
    assert reasons["/loop-a"] == Reason.REDIRECT_LOOP
    assert reasons["/binary.html"] == Reason.BINARY_AS_HTML
    assert reasons["/huge.html"] == Reason.TOO_LARGE
    traps = [f for f in report.findings if f.evidence.get("reason") == Reason.TRAP]
    assert traps and "/calendar" in traps[0].target
    # Limits are notices: they cost no points.
    assert all(
        f.severity == "notice"
        for f in report.findings
        if f.evidence.get("reason") in (Reason.TRAP, Reason.TOO_LARGE)
    )
    # One GET per URL per run (a HEAD may precede it for resources).
    gets = Counter(p for method, p in defect_site.site.requests if method == "GET")
    assert max(gets.values()) == 1, [k for k, v in gets.items() if v > 1]


def test_gbk_and_malformed_pages_are_read(clean_site, defect_site):
    titles: dict[str, str] = {}

    def on_page(page):
        from zhengwu.inspection.extract import parse_page

        parsed = parse_page(page.html, page.final_url)
        titles[path(defect_site, page.final_url)] = parsed.title
        return parsed.links

    crawler = Crawler(CrawlConfig([defect_site.base + "/"], check_external=False), on_page)
    asyncio.run(crawler.run())
    assert titles["/tzgg/n2.html"] == "关于做好第2季度安全生产工作的通知_示范县人民政府"
    assert titles["/malformed.html"] == "旧版页面"


def test_unreachable_site_fails_availability():
    url = f"http://127.0.0.1:{free_port()}/"
    report = run(url)
    [finding] = report.findings
    assert finding.check == "availability" and finding.evidence["inspection_blocked"] is True
    assert report.verdict == "不合格"
    assert [v["code"] for v in report.result.vetoes] == ["unreachable_at_inspection"]
    assert report.result.vetoes[0]["confirmed"] == "U"


def test_page_cap_depth_and_patterns(defect_site):
    capped = run(defect_site.base + "/", max_pages=5)
    assert capped.pages_crawled <= 5
    shallow = run(defect_site.base + "/", max_depth=0)
    assert shallow.pages_crawled == 1
    excluded = run(defect_site.base + "/", exclude=[r"/calendar", r"/huge"])
    assert not any(f.evidence.get("reason") in (Reason.TRAP, Reason.TOO_LARGE) for f in excluded.findings)


def test_external_links_can_be_skipped(defect_site):
    report = run(defect_site.base + "/", check_external=False)
    assert not [f for f in report.findings if f.evidence.get("link_kind") == "external"]
