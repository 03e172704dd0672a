"""A small county government site for the inspector's tests, served over real HTTP on 127.0.0.1.

``build_site(defects=False)`` is a clean site: every check must stay silent on it. ``build_site(defects=True)`` is
the same site with one planted defect of every kind plus the bad inputs a crawler meets in the wild (redirect loop,
huge page, binary served as HTML, calendar trap, malformed HTML, GBK page, unreachable external host).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from zhengwu.core.chinese import to_traditional

AS_OF = date(2025, 6, 30)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Resource:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def d(days_before: int) -> str:
    return (AS_OF - timedelta(days=days_before)).isoformat()


class Site:
    """Pages by path, plus dynamic routes (calendar trap, huge page)."""

    def __init__(self, defects: bool, external_base: str, dead_base: str) -> None:
        self.defects = defects
        self.external_base = external_base
        self.dead_base = dead_base
        self.resources: dict[str, Resource] = {}
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    # --- page furniture ---
    def footer(self) -> str:
        parts = [
            f'<a href="{self.external_base}/conac/sitename?id=1"><img src="/images/red.png" alt="党政机关"></a>',
            "主办单位：示范县人民政府办公室",
            "联系电话：0000-1234567",
        ]
        if not self.defects:
            parts.append("网站标识码：1399000001")
        parts.append("示ICP备12345678号")
        if not self.defects:
            parts.append("示公网安备13990002000001号")
        return f'<div class="footer">{" ".join(parts)}</div>'

    def page(self, title: str, body: str, *, meta: dict[str, str] | None = None, crumb: str = "") -> bytes:
        tags = {"SiteName": "示范县人民政府", "SiteDomain": "www.sfx.gov.cn", "SiteIDCode": "1399000001"}
        tags.update(meta or {})
        head = "".join(f'<meta name="{k}" content="{v}">' for k, v in tags.items() if v is not None)
        nav = (
            '<ul class="nav"><li><a href="/">首页</a></li><li><a href="/xwdt/">政务动态</a></li>'
            '<li><a href="/tzgg/">通知公告</a></li><li><a href="/zcwj/">政策文件</a></li>'
            '<li><a href="/zcjd/">政策解读</a></li><li><a href="/hdjl/">留言答复</a></li>'
            '<li><a href="/bszn/">办事指南</a></li><li><a href="/zwgk/jggk.html">机构概况</a></li>'
            + ('<li><a href="/ztzl/">专题专栏</a></li>' if self.defects else "")
            + "</ul>"
        )
        position = f'<div class="position">当前位置：首页 &gt; {crumb}</div>' if crumb else ""
        return (
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>{head}</head>'
            f'<body><div class="header">示范县人民政府</div>{nav}{position}<div class="main">{body}</div>'
            f"{self.footer()}</body></html>"
        ).encode()

    def column(self, path: str, name: str, kind: str, items: list[tuple[str, str, str | None]]) -> None:
        rows = "".join(
            f'<li><a href="{href}">{title}</a>{f"<span>{when}</span>" if when else ""}</li>'
            for href, title, when in items
        )
        self.resources[path] = Resource(
            self.page(
                f"{name}_示范县人民政府",
                f'<h2>{name}</h2><ul class="list">{rows}</ul>',
                meta={"ColumnName": name, "ColumnType": kind},
                crumb=name,
            )
        )

    def article(
        self,
        path: str,
        column: str,
        title: str,
        when: str | None,
        body: str,
        *,
        meta_extra=None,
        encoding: str = "utf-8",
    ) -> None:
        meta = {
            "ArticleTitle": title,
            "PubDate": when,
            "ContentSource": "示范县人民政府办公室",
            "ColumnName": column,
        }
        if self.defects and column == "政务动态":
            meta["ContentSource"] = None
        meta.update(meta_extra or {})
        stamp = f'<div class="info">发布时间：{when}　来源：示范县人民政府办公室</div>' if when else ""
        html = self.page(
            f"{title}_示范县人民政府",
            f'<h1>{title}</h1>{stamp}<div class="content">{body}</div>',
            meta=meta,
            crumb=f"{column} &gt; 正文",
        )
        if encoding != "utf-8":
            html = html.decode().replace('charset="utf-8"', f'charset="{encoding}"').encode(encoding)
            self.resources[path] = Resource(html, f"text/html; charset={encoding}")
        else:
            self.resources[path] = Resource(html)

    # --- the site ---
    def build(self) -> Site:
        bad = self.defects
        news_days = [40, 45, 50, 60] if bad else [3, 10, 20, 30]
        news = [
            (f"/xwdt/2025/a{i}.html", f"示范县召开第{i}次工作推进会", d(days))
            for i, days in enumerate(news_days, 1)
        ]
        if bad:
            news.append(("/xwdt/undated.html", "示范县开展植树活动", None))
        for href, title, when in news:
            body = f"<p>{title}。会议要求，全县上下要坚持以人民为中心，推动高质量发展。县长王建国出席会议并讲话。</p>"
            if bad and href.endswith("a2.html"):
                body += "<p>认真学习《中华人民共合国宪法》，县长王健国强调依法行政。</p>"
            if bad and href.endswith("a3.html"):
                body += (
                    '<p>相关附件：<a href="/files/gone.pdf">会议材料.pdf</a>，'
                    f'<a href="{self.dead_base}/index.html">省政府网站</a>，'
                    '<a href="/loop-a">专题页面</a>，<a href="/binary.html">图片新闻</a>，'
                    '<a href="/huge.html">全文下载页</a>，<a href="/calendar?month=2025-01">活动日历</a>，'
                    '<a href="/malformed.html">旧版页面</a></p>'
                )
            self.article(href, "政务动态", title, when, body)
        self.column("/xwdt/", "政务动态", "信息列表", [(h, t, w) for h, t, w in news])

        notice_days = [5, 60, 100]
        notices = [
            (f"/tzgg/n{i}.html", f"关于做好第{i}季度安全生产工作的通知", d(x))
            for i, x in enumerate(notice_days, 1)
        ]
        for href, title, when in notices:
            self.article(
                href,
                "通知公告",
                title,
                when,
                f"<p>{title}全文。各乡镇人民政府、县直各部门：现将有关事项通知如下。</p>",
                encoding="gbk" if href.endswith("n2.html") else "utf-8",
            )
        self.column("/tzgg/", "通知公告", "信息列表", notices)

        policy_days = [200, 250, 300] if bad else [30, 90, 150]
        policies = [
            (f"/zcwj/p{i}.html", f"示范县促进就业若干措施（第{i}号）", d(x))
            for i, x in enumerate(policy_days, 1)
        ]
        for i, (href, title, when) in enumerate(policies, 1):
            extra = (
                ""
                if (bad or i != 1)
                else '<p><a href="/zcjd/j1.html">相关解读：图解《示范县促进就业若干措施》</a></p>'
            )
            self.article(href, "政策文件", title, when, f"<p>{title}全文。</p>{extra}")
        self.column("/zcwj/", "政策文件", "信息列表", policies)

        interps = [
            ("/zcjd/j1.html", "图解《示范县促进就业若干措施》", d(25)),
            ("/zcjd/j2.html", "《示范县义务教育实施办法》政策解读", d(26)),
            ("/zcjd/j3.html", "《示范县养老服务办法》政策解读", d(27)),
        ]
        self.article(
            "/zcjd/j1.html",
            "政策解读",
            interps[0][1],
            interps[0][2],
            '<p>一图读懂促进就业措施。</p><p><a href="/zcwj/p1.html">政策原文：示范县促进就业若干措施</a></p>',
        )
        self.article(
            "/zcjd/j2.html",
            "政策解读",
            interps[1][1],
            interps[1][2],
            '<p>义务教育实施办法解读。</p><p><a href="/zcwj/edu.html">政策原文</a></p>',
        )
        self.article(
            "/zcwj/edu.html",
            "政策文件",
            "示范县义务教育实施办法",
            d(28),
            '<p>全文。</p><p><a href="/zcjd/j2.html">相关解读</a></p>',
        )
        self.article(
            "/zcjd/j3.html",
            "政策解读",
            interps[2][1],
            interps[2][2],
            '<p>养老服务办法解读。</p><p><a href="/zcwj/elder.html">政策原文</a></p>',
        )
        self.article(
            "/zcwj/elder.html",
            "政策文件",
            "示范县养老服务办法",
            d(29),
            '<p>全文。</p><p><a href="/zcjd/j3.html">相关解读</a></p>',
        )
        self.column("/zcjd/", "政策解读", "信息列表", interps)

        reply = "未回复" if bad else d(150)
        messages = (
            '<div class="msg"><p>留言标题：关于农村道路硬化的咨询</p><p>留言时间：' + d(200) + "</p>"
            "<p>答复时间：" + d(190) + "</p><p>答复内容：已列入计划。</p></div>"
            '<div class="msg"><p>留言标题：关于社保卡办理地点的咨询</p><p>留言时间：' + d(170) + "</p>"
            "<p>答复时间：" + reply + "</p></div>"
        )
        self.resources["/hdjl/"] = Resource(
            self.page(
                "留言答复_示范县人民政府",
                f"<h2>留言答复</h2>{messages}",
                meta={"ColumnName": "留言答复", "ColumnType": "互动"},
                crumb="留言答复",
            )
        )

        elements = [
            "事项名称：居民身份证换领",
            "设定依据：《中华人民共和国居民身份证法》",
            "申请条件：证件有效期满",
            "办理材料：原身份证",
            "办理地点：县政务服务中心",
            "办理机构：县公安局",
            "收费标准：20元",
            "办理时间：工作日",
            "联系电话：0000-1234568",
            "办理流程：受理、审核、制证、发证",
        ]
        full = "".join(f"<p>{e}</p>" for e in elements)
        partial = "".join(f"<p>{e}</p>" for e in elements[:5])
        self.resources["/bszn/g1.html"] = Resource(
            self.page(
                "居民身份证换领办事指南_示范县人民政府",
                f"<h1>居民身份证换领办事指南</h1>{full}",
                crumb="办事指南",
            )
        )
        self.resources["/bszn/g2.html"] = Resource(
            self.page(
                "营业执照办理办事指南_示范县人民政府",
                "<h1>营业执照办理办事指南</h1>"
                + (partial if bad else full.replace("居民身份证换领", "营业执照办理")),
                crumb="办事指南",
            )
        )
        self.resources["/bszn/"] = Resource(
            self.page(
                "办事指南_示范县人民政府",
                '<ul><li><a href="/bszn/g1.html">居民身份证换领</a></li>'
                '<li><a href="/bszn/g2.html">营业执照办理</a></li></ul>',
                meta={"ColumnName": "办事指南", "ColumnType": "服务"},
                crumb="办事指南",
            )
        )
        self.resources["/zwgk/jggk.html"] = Resource(
            self.page(
                "机构概况_示范县人民政府",
                "<h1>机构概况</h1><p>示范县人民政府办公室是县人民政府的办事机构。</p>"
                '<p><img src="/images/building.png" alt="办公楼"></p>'
                '<p><a href="/files/guide.pdf">政府信息公开指南.pdf</a></p>',
                crumb="机构概况",
            )
        )
        if bad:
            self.resources["/ztzl/"] = Resource(
                self.page(
                    "专题专栏_示范县人民政府",
                    "<h2>专题专栏</h2><p>暂无信息</p>",
                    meta={"ColumnName": "专题专栏", "ColumnType": "信息列表"},
                    crumb="专题专栏",
                )
            )

        home_news = "".join(f'<li><a href="{h}">{t}</a><span>{w}</span></li>' for h, t, w in news[:4])
        home_extra = ""
        if bad:
            home_extra = '<p><a href="/missing.html">县长信箱</a> <img src="/images/banner-missing.png" alt="横幅"></p>'
        home = (
            f'<div class="focus"><h3>政务动态</h3><ul>{home_news}</ul></div>'
            f'<p><img src="/images/red.png" alt="党政机关"> <a href="{self.external_base}/">中国政府网</a> '
            f'<a href="/files/guide.pdf">政府信息公开指南</a> <a href="/zh-hant/xwdt/2025/a1.html">繁體</a></p>'
            f"{home_extra}"
        )
        self.resources["/"] = Resource(self.page("示范县人民政府", home, meta={"ColumnName": None}))
        # The 繁体 version of a news item: its footer reads 主辦單位, 網站標識碼, … (not a missing footer).
        simplified = self.resources["/xwdt/2025/a1.html"].body.decode()
        self.resources["/zh-hant/xwdt/2025/a1.html"] = Resource(to_traditional(simplified).encode())

        self.resources["/images/red.png"] = Resource(PNG, "image/png")
        self.resources["/images/building.png"] = Resource(PNG, "image/png")
        self.resources["/files/guide.pdf"] = Resource(PDF, "application/pdf")
        if bad:
            self.resources["/loop-a"] = Resource(b"", status=302, headers=(("Location", "/loop-b"),))
            self.resources["/loop-b"] = Resource(b"", status=302, headers=(("Location", "/loop-a"),))
            self.resources["/binary.html"] = Resource(PNG * 50, "text/html")
            self.resources["/malformed.html"] = Resource(
                "<html><head><title>旧版页面</title><body><div><p>未闭合的段落<table><tr><td>单元格<li>列表"
                "<a href='/zwgk/jggk.html'>机构概况</div></span><p>发布时间：2025-06-20".encode()
            )
        return self


def make_handler(site: Site):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # keep test output clean
            pass

        def _send(self, resource: Resource, head: bool) -> None:
            self.send_response(resource.status)
            for k, v in resource.headers:
                self.send_header(k, v)
            if resource.content_type:
                self.send_header("Content-Type", resource.content_type)
            self.send_header("Content-Length", str(len(resource.body)))
            self.end_headers()
            if not head:
                self.wfile.write(resource.body)

        def _route(self, head: bool) -> None:
            parts = urlsplit(self.path)
            with site.lock:
                site.requests.append((self.command, self.path))
            if parts.path == "/calendar" and site.defects:
                month = parse_qs(parts.query).get("month", ["2025-01"])[0]
                y, m = (int(x) for x in month.split("-"))
                nxt = f"{y + (m // 12)}-{m % 12 + 1:02d}"
                prev = f"{y - (1 if m == 1 else 0)}-{(m - 2) % 12 + 1:02d}"
                # Every month links to its neighbours and to each month of the next year: an endless space.
                year_links = "".join(
                    f'<a href="/calendar?month={y + 1}-{k:02d}">{k}月</a> ' for k in range(1, 13)
                )
                body = site.page(
                    f"{month} 活动日历",
                    f'<a href="/calendar?month={prev}">上月</a> '
                    f'<a href="/calendar?month={nxt}">下月</a> {year_links}',
                )
                self._send(Resource(body), head)
                return
            if parts.path == "/huge.html" and site.defects:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(64 * 1024 * 1024))
                self.end_headers()
                if head:
                    return
                chunk = ("<p>" + "超大页面内容" * 1000 + "</p>").encode()
                try:
                    sent = 0
                    while sent < 64 * 1024 * 1024:
                        self.wfile.write(chunk)
                        sent += len(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True
                return
            resource = site.resources.get(parts.path)
            if resource is None:
                self._send(Resource("<html><body>404 页面不存在</body></html>".encode(), status=404), head)
                return
            self._send(resource, head)

        def do_GET(self) -> None:
            self._route(False)

        def do_HEAD(self) -> None:
            self._route(True)

    return Handler


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:  # clients that hang up early are expected here
        pass


class Server:
    def __init__(self, handler) -> None:
        self.httpd = _QuietServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def external_site() -> Site:
    site = Site(False, "", "")
    site.resources["/"] = Resource(
        "<html><head><title>中国政府网</title></head><body>外部网站首页</body></html>".encode()
    )
    site.resources["/conac/sitename"] = Resource("<html><body>党政机关网站标识</body></html>".encode())
    return site


def wait_ready(base: str, timeout: float = 5.0) -> None:
    deadline = time.time() + timeout
    host, port = urlsplit(base).hostname, urlsplit(base).port
    while time.time() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
