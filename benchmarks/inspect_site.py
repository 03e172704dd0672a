"""Generate a county government site of several thousand pages (and a small "external" site) for the
inspection benchmark, with a known set of broken links: internal pages, images, attachments and external links,
on the homepage and elsewhere."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

COLUMNS = [
    ("zwdt", "政务动态"),
    ("bmdt", "部门动态"),
    ("xzdt", "乡镇动态"),
    ("tzgg", "通知公告"),
    ("zcwj", "政策文件"),
    ("zcjd", "政策解读"),
    ("rsxx", "人事信息"),
    ("czxx", "财政信息"),
    ("ghjh", "规划计划"),
    ("yjgl", "应急管理"),
    ("gsgg", "公示公告"),
    ("zbcg", "招标采购"),
]
WORDS = (
    "全县 深入 贯彻 落实 会议 精神 推进 乡村振兴 高质量发展 优化 营商环境 安全生产 民生 实事 项目 建设 "
    "生态 环境 保护 教育 医疗 卫生 养老 服务 就业 创业 基层 治理 数字 政府 政务公开 群众 企业 农业 产业 "
    "招商 引资 交通 水利 文化 旅游 城乡 规划 防汛 抗旱 疫情 防控 财政 预算 审计 监督 信访 调解 扶贫 "
    "巩固 脱贫 成果 工作 部署 要求 加强 组织 领导 压实 责任 确保 取得 实效 重点 任务 目标"
).split()
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class GeneratedSite:
    pages: int = 0
    files: int = 0
    broken: set[str] = field(default_factory=set)  # absolute URLs planted as broken


def _text(rng: random.Random, sentences: int) -> str:
    parts = []
    for _ in range(sentences):
        parts.append("".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))) + "。")
    return "".join(parts)


def _page(title: str, body: str, meta: dict[str, str], crumb: str) -> str:
    metas = "".join(f'<meta name="{k}" content="{v}">' for k, v in meta.items())
    nav = "".join(f'<li><a href="/{code}/">{name}</a></li>' for code, name in COLUMNS)
    return (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta name="SiteName" content="示范县人民政府"><meta name="SiteDomain" content="www.sfx.gov.cn">'
        f'<meta name="SiteIDCode" content="1399000001">{metas}'
        f'<link rel="stylesheet" href="/static/site.css"></head><body>'
        f'<div class="header"><a href="/"><img src="/static/logo.png" alt="示范县人民政府"></a></div>'
        f'<ul class="nav"><li><a href="/">首页</a></li>{nav}</ul>'
        f'<div class="position">当前位置：<a href="/">首页</a> &gt; {crumb}</div>'
        f'<div class="main">{body}</div>'
        '<div class="footer"><a href="/conac.html"><img src="/static/red.png" alt="党政机关"></a> '
        "主办单位：示范县人民政府办公室 联系电话：0000-1234567 网站标识码：1399000001 "
        "示ICP备12345678号 示公网安备13990002000001号</div></body></html>"
    )


def generate(
    root: Path,
    *,
    base: str,
    external_base: str,
    articles: int = 3000,
    seed: int = 20250630,
    as_of: date = date(2025, 6, 30),
) -> GeneratedSite:
    rng = random.Random(seed)
    www = root / "www"
    ext = root / "ext"
    result = GeneratedSite()

    def write(rel: str, content: str | bytes, site: Path = www) -> None:
        path = site / rel.lstrip("/")
        if rel.endswith("/"):
            path = path / "index.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        if site == www:
            if path.suffix == ".html":
                result.pages += 1
            else:
                result.files += 1

    write("/static/site.css", "body{font-family:sans-serif}")
    write("/static/logo.png", PNG)
    write("/static/red.png", PNG)
    write("/conac.html", _page("党政机关网站标识", "<p>党政机关网站标识</p>", {}, "网站标识"))
    for i in range(40):
        write(f"/images/photo{i}.png", PNG)
    for i in range(100):
        (ext / f"page{i}.html").parent.mkdir(parents=True, exist_ok=True)
        (ext / f"page{i}.html").write_text(f"<html><body>外部网站页面 {i}</body></html>", encoding="utf-8")
    (ext / "index.html").write_text("<html><body>外部网站首页</body></html>", encoding="utf-8")

    items: dict[str, list[tuple[str, str, date]]] = {code: [] for code, _ in COLUMNS}
    plan = []
    for n in range(articles):
        code, name = COLUMNS[n % len(COLUMNS)]
        day = as_of - timedelta(days=rng.randint(0, 720))
        url = f"/{code}/{day:%Y%m}/t{day:%Y%m%d}_{n}.html"
        title = f"示范县{''.join(rng.choice(WORDS) for _ in range(3))}工作情况（第{n}期）"
        items[code].append((url, title, day))
        plan.append((n, code, name, url, title, day))
    for code in items:
        items[code].sort(key=lambda it: it[2], reverse=True)

    broken_internal = set(rng.sample(range(articles), 30))
    broken_image = set(rng.sample(range(articles), 15))
    broken_attachment = set(rng.sample(range(articles), 15))
    broken_external = set(rng.sample(range(articles), 10))
    external_ok = set(rng.sample(range(articles), 120))
    for n, code, name, url, title, day in plan:
        column_items = items[code]
        index = column_items.index((url, title, day))
        related = column_items[max(0, index - 3) : index] + column_items[index + 1 : index + 4]
        links = "".join(f'<li><a href="{u}">{t}</a><span>{d.isoformat()}</span></li>' for u, t, d in related)
        extra = [f'<p><img src="/images/photo{n % 40}.png" alt="图片{n}"></p>']
        if n % 5 == 0:
            write(f"/files/{n}.pdf", PDF)
            extra.append(f'<p>附件：<a href="/files/{n}.pdf">附件{n}.pdf</a></p>')
        if n in broken_internal:
            extra.append(f'<p><a href="/{code}/gone_{n}.html">相关链接{n}</a></p>')
            result.broken.add(f"{base}/{code}/gone_{n}.html")
        if n in broken_image:
            extra.append(f'<p><img src="/images/missing{n}.jpg" alt="缺失图片{n}"></p>')
            result.broken.add(f"{base}/images/missing{n}.jpg")
        if n in broken_attachment:
            extra.append(f'<p><a href="/files/missing{n}.docx">附件{n}.docx</a></p>')
            result.broken.add(f"{base}/files/missing{n}.docx")
        if n in broken_external:
            extra.append(f'<p><a href="{external_base}/gone{n}.html">外部链接{n}</a></p>')
            result.broken.add(f"{external_base}/gone{n}.html")
        if n in external_ok:
            extra.append(f'<p><a href="{external_base}/page{n % 100}.html">外部页面{n % 100}</a></p>')
        body = (
            f'<h1>{title}</h1><div class="info">发布时间：{day.isoformat()} 来源：示范县人民政府办公室</div>'
            f'<div class="content"><p>{_text(rng, rng.randint(12, 30))}</p>{"".join(extra)}</div>'
            f'<div class="related"><h3>相关信息</h3><ul>{links}</ul></div>'
        )
        meta = {
            "ColumnName": name,
            "ColumnType": "信息列表",
            "ArticleTitle": title,
            "PubDate": day.isoformat(),
            "ContentSource": "示范县人民政府办公室",
        }
        write(url, _page(f"{title}_示范县人民政府", body, meta, f'<a href="/{code}/">{name}</a> &gt; 正文'))

    per_page = 20
    for code, name in COLUMNS:
        column_items = items[code]
        pages = max(1, (len(column_items) + per_page - 1) // per_page)
        for p in range(pages):
            chunk = column_items[p * per_page : (p + 1) * per_page]
            rows = "".join(f'<li><a href="{u}">{t}</a><span>{d.isoformat()}</span></li>' for u, t, d in chunk)
            pager = " ".join(
                f'<a href="/{code}/{"" if q == 0 else f"index_{q}.html"}">{q + 1}</a>' for q in range(pages)
            )
            rel = f"/{code}/" if p == 0 else f"/{code}/index_{p}.html"
            write(
                rel,
                _page(
                    f"{name}_示范县人民政府",
                    f'<ul class="list">{rows}</ul><div class="pager">{pager}</div>',
                    {"ColumnName": name, "ColumnType": "信息列表"},
                    name,
                ),
            )

    home_blocks = []
    for code, name in COLUMNS[:6]:
        rows = "".join(
            f'<li><a href="{u}">{t}</a><span>{d.isoformat()}</span></li>' for u, t, d in items[code][:8]
        )
        home_blocks.append(f'<div class="block"><h3><a href="/{code}/">{name}</a></h3><ul>{rows}</ul></div>')
    home_blocks.append(
        f'<p><a href="/zwgk/missing-home.html">政务公开专栏</a> <img src="/images/banner-missing.png" alt="横幅">'
        f' <a href="{external_base}/">中国政府网</a></p>'
    )
    result.broken.add(f"{base}/zwgk/missing-home.html")
    result.broken.add(f"{base}/images/banner-missing.png")
    write("/", _page("示范县人民政府", "".join(home_blocks), {}, "首页"))
    return result
