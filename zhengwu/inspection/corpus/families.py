"""The markup of each CMS family: URL scheme, page shell, list rows, pager, info line, date format, encoding.

The templates are our own, written after the patterns that county sites built on these systems show publicly:
TRS WCM (``/col/<code>/index.html``, ``index_1.html`` pagers, ``t20261108_1011.html`` articles, a
``发布时间：… 来源：…`` line), 大汉 JCMS (``/col/col123/index.html?uid=…&pageNum=2``, ``/art/2026/11/8/art_123_4567.html``,
``[11-08]`` in lists), 开普云 (``.shtml``, ``2026年11月8日``, content ids without dates), a PHP CMS (``list.php?catid=``,
``show.php?id=``, GBK pages with the charset sometimes only in a meta tag), and a hand-written site (paragraph lists,
``news_2.html`` pagers, no breadcrumbs, dates in parentheses).
"""

from __future__ import annotations

import html
from datetime import date

ESC = html.escape


class Family:
    code = ""
    label = ""
    encoding = "utf-8"
    header_charset = True  # whether the HTTP header names the charset
    per_page = 15

    def col_url(self, code: str, index: int, page: int) -> str:
        raise NotImplementedError

    def art_url(self, code: str, index: int, serial: int, when: date | None) -> str:
        raise NotImplementedError

    def fmt_row_date(self, when: date) -> str:
        return when.isoformat()

    def row(self, url: str, title: str, when: date | None) -> str:
        stamp = f"<span>{self.fmt_row_date(when)}</span>" if when else ""
        return f'<li><a href="{ESC(url)}" title="{ESC(title)}" target="_blank">{ESC(title)}</a>{stamp}</li>'

    def list_block(self, rows: list[str]) -> str:
        return '<ul class="list">' + "".join(rows) + "</ul>"

    def pager(self, urls: list[str], current: int) -> str:
        if len(urls) <= 1:
            return '<div class="page">共 1 页</div>'
        parts = [f"共 {len(urls)} 页"]
        if current > 0:
            parts.append(f'<a href="{urls[0]}">首页</a> <a href="{urls[current - 1]}">上一页</a>')
        if current + 1 < len(urls):
            parts.append(f'<a href="{urls[current + 1]}">下一页</a> <a href="{urls[-1]}">尾页</a>')
        return '<div class="page">' + " ".join(parts) + "</div>"

    def info_line(self, when: date | None, source: str) -> str:
        stamp = f"发布时间：{when.isoformat()} 09:12" if when else ""
        return f'<div class="info">{stamp} 来源：{ESC(source)}</div>'

    def crumb(self, names: list[str]) -> str:
        return (
            '<div class="crumb">当前位置：<a href="/">首页</a> &gt; '
            + " &gt; ".join(map(ESC, names))
            + "</div>"
        )

    def content_type(self, path: str) -> str:
        return f"text/html; charset={self.encoding}" if self.header_charset else "text/html"

    def meta_charset(self, path: str) -> str:
        return f'<meta charset="{self.encoding}">'

    def shell(
        self, *, site_name: str, title: str, nav: str, body: str, footer: str, meta: str, path: str
    ) -> str:
        return (
            f"<!DOCTYPE html><html><head>{self.meta_charset(path)}<title>{ESC(title)}</title>{meta}"
            '<link rel="stylesheet" href="/css/main.css"></head><body>'
            f'<div class="header"><img src="/images/logo.png" alt="{ESC(site_name)}"></div>'
            f'<div class="nav">{nav}</div><div class="main">{body}</div>{footer}</body></html>'
        )


class TrsWcm(Family):
    code = "trs"
    label = "TRS WCM"
    per_page = 20

    def col_url(self, code, index, page):
        return f"/col/{code}/index.html" if page == 0 else f"/col/{code}/index_{page}.html"

    def art_url(self, code, index, serial, when):
        if when is None:
            return f"/col/{code}/art/content_{serial}.html"
        return f"/col/{code}/{when:%Y%m}/t{when:%Y%m%d}_{serial}.html"

    def pager(self, urls, current):
        count = len(urls)
        script = f'<script>createPageHTML({count}, {current}, "index", "html");</script>'
        return script + super().pager(urls, current)


class Hanweb(Family):
    code = "hanweb"
    label = "大汉 JCMS"
    per_page = 15

    def col_url(self, code, index, page):
        base = f"/col/col{1200 + index}/index.html"
        return base if page == 0 else f"{base}?uid=4{index}21&pageNum={page + 1}"

    def art_url(self, code, index, serial, when):
        when = when or date(2026, 1, 1)  # JCMS paths carry the creation day, not the publication date
        return f"/art/{when.year}/{when.month}/{when.day}/art_{1200 + index}_{serial}.html"

    def fmt_row_date(self, when):
        return f"[{when:%m-%d}]"

    def row(self, url, title, when):
        stamp = f'<td class="bt_time" width="60">{self.fmt_row_date(when)}</td>' if when else "<td></td>"
        return (
            f'<tr><td class="bt_link"><a href="{ESC(url)}" title="{ESC(title)}" target="_blank">{ESC(title)}</a></td>'
            f"{stamp}</tr>"
        )

    def list_block(self, rows):
        return '<div class="default_pgContainer"><table width="100%">' + "".join(rows) + "</table></div>"

    def pager(self, urls, current):
        links = " ".join(
            f'<a href="{ESC(u)}" class="default_pgBtn">{n + 1}</a>'
            if n != current
            else f"<span>{n + 1}</span>"
            for n, u in enumerate(urls)
        )
        return f'<div class="default_pgPanel">共{len(urls)}页 {links}</div>'

    def info_line(self, when, source):
        stamp = f"发布日期：{when:%Y-%m-%d}" if when else ""
        return (
            f'<table class="xxgk_top"><tr><td>{stamp}</td><td>信息来源：{ESC(source)}</td>'
            "<td>浏览次数：<span>128</span></td></tr></table>"
        )

    def crumb(self, names):
        return (
            '<div class="bt-position">您现在的位置：<a href="/">首页</a> &gt;&gt; '
            + " &gt;&gt; ".join(map(ESC, names))
            + "</div>"
        )


class Kaipuyun(Family):
    code = "kpy"
    label = "开普云"
    per_page = 12

    def col_url(self, code, index, page):
        return f"/{code}/index.shtml" if page == 0 else f"/{code}/index_{page + 1}.shtml"

    def art_url(self, code, index, serial, when):
        stamp = f"{when:%Y%m}" if when else "000000"
        return f"/{code}/{stamp}/{serial * 7919 % 1000003:x}{serial:04x}.shtml"

    def fmt_row_date(self, when):
        return f"{when.year}年{when.month}月{when.day}日"

    def row(self, url, title, when):
        stamp = f'<span class="date">{self.fmt_row_date(when)}</span>' if when else ""
        return f'<li><i></i><a href="{ESC(url)}" target="_blank">{ESC(title)}</a>{stamp}</li>'

    def list_block(self, rows):
        return '<div class="xxgk_list"><ul>' + "".join(rows) + "</ul></div>"

    def info_line(self, when, source):
        stamp = f"<span>时间：{when.year}年{when.month:02d}月{when.day:02d}日</span>" if when else ""
        return f'<div class="article-info">{stamp}<span>来源：{ESC(source)}</span><span>字号：大 中 小</span></div>'

    def crumb(self, names):
        return (
            '<div class="position">您所在的位置：<a href="/">首页</a> &gt; '
            + " &gt; ".join(map(ESC, names))
            + "</div>"
        )


class PhpCms(Family):
    code = "php"
    label = "PHP CMS（GBK）"
    encoding = "gbk"
    per_page = 10

    def col_url(self, code, index, page):
        return f"/list.php?catid={10 + index}" + (f"&page={page + 1}" if page else "")

    def art_url(self, code, index, serial, when):
        return f"/show.php?id={serial}"

    def content_type(self, path):
        # Article pages name the charset in the header; list pages and the home page only in a meta tag.
        return "text/html; charset=gbk" if path.startswith("/show.php") else "text/html"

    def meta_charset(self, path):
        return '<meta http-equiv="Content-Type" content="text/html; charset=gbk">'

    def row(self, url, title, when):
        stamp = f'<span class="rt">{when:%Y-%m-%d}</span>' if when else ""
        return f'<li>{stamp}·<a href="{ESC(url)}">{ESC(title)}</a></li>'

    def pager(self, urls, current):
        links = "".join(f'<a href="{ESC(u)}">{n + 1}</a>' for n, u in enumerate(urls) if n != current)
        nxt = f'<a href="{ESC(urls[current + 1])}">下一页</a>' if current + 1 < len(urls) else ""
        return f'<div id="pages">共{len(urls)}页 {links}{nxt}</div>'

    def info_line(self, when, source):
        stamp = f"时间：{when:%Y-%m-%d %H:%M}" if when else ""
        return f'<div class="info">{stamp}　作者：admin　来源：{ESC(source)}　点击：35</div>'

    def crumb(self, names):
        return '<div class="pos">当前位置：<a href="/">首页</a> > ' + " > ".join(map(ESC, names)) + "</div>"


class Plain(Family):
    code = "plain"
    label = "手写静态网站"
    per_page = 25

    def col_url(self, code, index, page):
        return f"/{code}.html" if page == 0 else f"/{code}_{page + 1}.html"

    def art_url(self, code, index, serial, when):
        return f"/{code}/{serial}.htm"

    def fmt_row_date(self, when):
        return f"({when:%Y.%m.%d})"

    def row(self, url, title, when):
        stamp = f" {self.fmt_row_date(when)}" if when else ""
        return f'<p>· <a href="{ESC(url)}">{ESC(title)}</a>{stamp}</p>'

    def list_block(self, rows):
        return '<div class="lb">' + "".join(rows) + "</div>"

    def pager(self, urls, current):
        nav = []
        if current > 0:
            nav.append(f'<a href="{urls[current - 1]}">上一页</a>')
        if current + 1 < len(urls):
            nav.append(f'<a href="{urls[current + 1]}">下一页</a>')
        return "<p>" + " | ".join(nav) + "</p>" if nav else ""

    def info_line(self, when, source):
        stamp = f"{when.year}年{when.month}月{when.day}日" if when else ""
        return (
            f'<p align="center">{stamp}　{ESC(source)}供稿</p>'
            if when
            else f'<p align="center">来源：{ESC(source)}</p>'
        )

    def crumb(self, names):
        return ""  # hand-written pages carry no breadcrumb

    def meta_charset(self, path):
        return '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'


FAMILIES: tuple[Family, ...] = (TrsWcm(), Hanweb(), Kaipuyun(), PhpCms(), Plain())
