"""A site group tried on one machine and the pages every government site has: a sub-site under ``*.localhost``
is reached (RFC 6761: such names are the loopback address, whatever the system resolver knows), and a
政府信息公开指南 — which names 受理机构, 申请材料, 收费标准 and 办公时间 like a service guide — is never taken for
a 办事指南 with missing elements (a false veto finding would fail a site that passes)."""

from __future__ import annotations

import asyncio
import socket

import pytest

from zhengwu.inspection.checks.typos import TermMatcher
from zhengwu.inspection.corpus import AS_OF
from zhengwu.inspection.corpus.build import Resource
from zhengwu.inspection.corpus.serve import Server
from zhengwu.inspection.crawler import LoopbackResolver
from zhengwu.inspection.engine import inspect_site_async

# Written in the style of a county's static-export CMS (tables for layout, GBK, 公开指南 under 信息公开), not in
# the portal's templates.
DISCLOSURE_GUIDE = """<html><head><meta charset="gbk"><title>临河县教育体育局政府信息公开指南</title></head>
<body><table class="nav"><tr><td><a href="/">首页</a></td><td><a href="/xxgk/">信息公开</a></td></tr></table>
<div class="position">当前位置：首页 &gt; 信息公开 &gt; 公开指南</div>
<h1>临河县教育体育局政府信息公开指南</h1>
<p>为了更好地提供政府信息公开服务，依据《中华人民共和国政府信息公开条例》，编制本指南。</p>
<h3>一、主动公开</h3><p>（一）公开范围……（二）公开形式：政府网站、公告栏。</p>
<h3>二、依申请公开</h3>
<p>（一）工作机构：临河县教育体育局办公室。地址：临河县人民路18号。办公时间：工作日上午8:30-12:00。
联系电话：0477-5551234。传真：0477-5551235。</p>
<p>（二）申请材料：申请人填写《政府信息公开申请表》，并提交身份证明。</p>
<p>（三）办理流程：收到申请后20个工作日内答复。</p>
<p>（四）收费标准：依照《政府信息公开信息处理费管理办法》执行。</p>
<h3>三、监督和救济</h3><p>申请人认为行政机关侵犯其合法权益的，可以依法申请行政复议或者提起行政诉讼。</p>
</body></html>"""

SERVICE_GUIDE = """<html><head><meta charset="gbk"><title>教师资格认定办事指南</title></head>
<body><div class="position">当前位置：首页 &gt; 办事服务 &gt; 办事指南</div>
<h1>教师资格认定办事指南</h1><p>事项名称：教师资格认定</p><p>办理材料：身份证、学历证书。</p>
<p>办公时间：工作日。</p></body></html>"""

HOME = """<html><head><meta charset="utf-8"><title>临河县教育体育局</title></head><body>
<a href="/xxgk/gkzn/index.html">政府信息公开指南</a> <a href="/bsfw/jszg.html">教师资格认定</a>
<a href="http://qianxi.localhost:{port}/">前溪镇</a></body></html>"""


@pytest.fixture(scope="module")
def site():
    resources: dict[str, Resource] = {}
    with Server(resources) as server:
        port = server.base.rsplit(":", 1)[1]
        resources["/"] = Resource(HOME.replace("{port}", port).encode())
        resources["/xxgk/gkzn/index.html"] = Resource(
            DISCLOSURE_GUIDE.encode("gbk"), content_type="text/html; charset=gbk"
        )
        resources["/xxgk/"] = Resource(
            '<html><head><title>信息公开</title></head><body><a href="/xxgk/gkzn/index.html">公开指南</a></body></html>'.encode()
        )
        resources["/bsfw/jszg.html"] = Resource(
            SERVICE_GUIDE.encode("gbk"), content_type="text/html; charset=gbk"
        )
        report = asyncio.run(
            inspect_site_async(server.base + "/", as_of=AS_OF, terms=TermMatcher.build([]), parse_aside=False)
        )
        yield server, report


def test_a_sub_site_under_localhost_is_reached(site):
    _server, report = site
    assert not [f for f in report.findings if f.check == "broken_link"]


def test_the_disclosure_guide_is_not_a_service_guide_but_a_thin_service_guide_is_found(site):
    server, report = site
    flagged = {f.url for f in report.findings if f.check == "guide_incomplete"}
    assert flagged == {server.base + "/bsfw/jszg.html"}


def test_loopback_names_resolve_without_the_system_resolver():
    async def resolve(host: str, family: socket.AddressFamily) -> list:
        resolver = LoopbackResolver()
        try:
            return await resolver.resolve(host, 8100, family)
        finally:
            await resolver.close()

    assert [r["host"] for r in asyncio.run(resolve("fgw.localhost", socket.AF_INET))] == ["127.0.0.1"]
    assert [r["host"] for r in asyncio.run(resolve("Qingshan.LOCALHOST.", socket.AF_INET6))] == ["::1"]
    assert asyncio.run(resolve("localhost", socket.AF_INET))[0]["port"] == 8100


def test_a_column_with_one_item_is_not_dated_by_its_row():
    """A sparse column (one item) is not a list, but the date of its one row is not the page's own date line: the
    page is no article and needs no ArticleTitle. An article whose related-items row repeats its date keeps it."""
    from datetime import date

    from zhengwu.inspection.extract import parse_page
    from zhengwu.inspection.kinds import ARTICLE_KINDS, KindRules, infer_kind
    from zhengwu.inspection.rules import load_rules

    kinds = KindRules(load_rules())
    column = (
        "<html><head><title>规划计划_某县人民政府</title></head><body><h1>规划计划</h1>"
        '<ul class="news"><li><a href="/ghjh/1.html">某县2026年政务公开工作要点</a>'
        "<span>2026-10-13</span></li></ul></body></html>"
    )
    page = parse_page(column, "http://127.0.0.1/ghjh/")
    assert page.visible_date is None
    assert infer_kind(page, is_home=False, kinds=kinds) not in ARTICLE_KINDS
    # Rows that show more than a date (host, guests, then the time on a line of its own).
    talks = (
        "<html><head><title>在线访谈</title></head><body><h1>在线访谈</h1><h2>访谈预告</h2><ul>"
        "<li><a href='/ft/2/'>义务教育招生政策解读</a><span>县教育局 · 王校长 <time>2026-12-10 09:30</time>"
        "</span></li></ul><h2>往期回顾</h2><ul><li><a href='/ft/1/'>秋冬季森林防火</a><span>县应急管理局 "
        "<time>2026-11-02 15:00</time></span></li></ul></body></html>"
    )
    page = parse_page(talks, "http://127.0.0.1/hudong/ft/")
    assert page.visible_date is None
    # A table row with two dates (来信 and 答复), each in a cell of its own.
    letters = (
        "<html><head><title>县长信箱</title></head><body><h1>县长信箱</h1><table><tr><td>"
        "<a href='/xx/1/'>关于小区停车难的问题</a></td><td>投诉</td><td>2026-11-02</td><td>2026-11-09</td></tr>"
        "</table></body></html>"
    )
    page = parse_page(letters, "http://127.0.0.1/xinxiang/xianzhang/")
    assert page.visible_date is None
    assert infer_kind(page, is_home=False, kinds=kinds) not in ARTICLE_KINDS
    article = (
        "<html><head><title>某县召开会议</title></head><body><h1>某县召开会议</h1><div>2026-10-13</div>"
        "<p>会议内容。</p><ul><li><a href='/x/2.html'>相关：某县2026年政务公开工作要点</a>"
        "<span>2026-10-13</span></li></ul></body></html>"
    )
    page = parse_page(article, "http://127.0.0.1/x/1.html")
    assert page.visible_date == date(2026, 10, 13)
    assert infer_kind(page, is_home=False, kinds=kinds) in ARTICLE_KINDS
