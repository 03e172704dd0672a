"""Build the corpus sites: the same county content written by each family, with defects planted or repaired."""

from __future__ import annotations

import html
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from .families import FAMILIES, Family

ESC = html.escape
AS_OF = date(2026, 11, 20)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


@dataclass
class Resource:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200


@dataclass(frozen=True)
class Planted:
    """One defect that must be found: ``check`` and the value that identifies its finding (see score.KEYS).
    ``side`` marks a finding that follows from another defect or from the family's style (it counts neither
    for recall nor as false)."""

    check: str
    key: str
    note: str = ""
    side: bool = False


@dataclass
class CorpusSite:
    name: str
    family: str
    family_label: str
    clean: bool
    resources: dict[str, Resource] = field(default_factory=dict)
    planted: list[Planted] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    base: str = ""  # set by whoever serves it

    @property
    def pages(self) -> int:
        return sum(
            1 for r in self.resources.values() if r.content_type.startswith("text/html") and r.status == 200
        )

    def url(self, path: str) -> str:
        return self.base + path


SENTENCES = [
    "会议强调，要坚持以人民为中心的发展思想，扎实推进各项重点工作落地见效。",
    "各乡镇、各部门要进一步提高政治站位，压实工作责任，确保任务按期完成。",
    "今年以来，我县持续优化营商环境，新增市场主体一千二百余户。",
    "县应急管理局组织开展安全生产大检查，排查整改隐患四十三处。",
    "活动现场，工作人员向群众发放宣传资料，耐心解答群众提出的问题。",
    "下一步，县农业农村局将加大高标准农田建设力度，助力粮食稳产增收。",
    "全县上下要以更加务实的作风抓好冬季供暖、森林防火等民生保障工作。",
    "本次培训邀请省内专家授课，参训人员表示收获很大。",
    "县人力资源和社会保障局举办专场招聘会，提供就业岗位八百余个。",
    "县卫生健康局开展义诊活动，为群众免费测量血压、血糖。",
]

# Terms of the county (the ``--terms`` file) per family, and the typos planted in the defect copy:
# (wrong, right, where) — where is "article", "title", "row" or "footer".
COUNTY_TERMS = {
    "trs": ["刘振华县长", "青山县人民政府"],
    "hanweb": ["陈丽萍副县长", "河源县发展和改革局"],
    "kpy": ["赵建国县委书记", "石桥县人民政府办公室"],
    "php": ["孙志强副县长", "柳林县市场监督管理局"],
    "plain": ["周文斌县长", "平安镇人民政府"],
}
TYPOS = {
    "trs": [
        ("中华人民共合国", "中华人民共和国", "article"),
        ("国务院办工厅", "国务院办公厅", "policy"),
        ("刘振滑县长", "刘振华县长", "row"),
    ],
    "hanweb": [
        ("中央军事委圆会", "中央军事委员会", "title"),
        ("全国人大常季会", "全国人大常委会", "article"),
        ("陈丽苹副县长", "陈丽萍副县长", "article2"),
    ],
    "kpy": [
        ("中国共产觉", "中国共产党", "article"),
        ("最高人民检查院", "最高人民检察院", "policy"),
        ("赵建帼县委书记", "赵建国县委书记", "title"),
    ],
    "php": [
        ("中化人民共和国", "中华人民共和国", "policy"),
        ("国务院办工厅", "国务院办公厅", "row"),
        ("孙志墙副县长", "孙志强副县长", "article"),
    ],
    "plain": [
        ("全国人氏代表大会", "全国人民代表大会", "article"),
        ("人民检查院", "人民检察院", "title"),
        ("周文宾县长", "周文斌县长", "article2"),
    ],
}
SITE_NAMES = {
    "trs": "青山县人民政府",
    "hanweb": "河源县人民政府",
    "kpy": "石桥县人民政府",
    "php": "柳林县人民政府",
    "plain": "平安镇人民政府",
}


@dataclass
class Item:
    title: str
    when: date | None
    body: str = ""
    source: str = "县政府办公室"
    url: str = ""
    row_date: bool = True  # whether the list row shows the date
    extra: str = ""  # HTML placed after the body (related links)
    kind: str = "article"  # article, guide, message


class SiteBuilder:
    def __init__(self, family: Family, *, clean: bool, external_base: str, scale: int) -> None:
        self.f = family
        self.clean = clean
        self.ext = external_base.rstrip("/")
        self.scale = max(1, scale)
        self.rng = random.Random(family.code)
        self.site = CorpusSite(
            name=f"{family.code}-{'clean' if clean else 'defects'}",
            family=family.code,
            family_label=family.label,
            clean=clean,
            terms=list(COUNTY_TERMS[family.code]),
        )
        self.site_name = SITE_NAMES[family.code]
        self.serial = 1000
        self.columns: list[tuple[str, str]] = []  # (code, name) in nav order
        self.col_index: dict[str, int] = {}
        self.typos = {where: (wrong, right) for wrong, right, where in TYPOS[family.code]}

    # --- helpers -------------------------------------------------------------------------------------------
    def day(self, days_before: int) -> date:
        return AS_OF - timedelta(days=days_before)

    def text(self, n: int = 3) -> str:
        return "".join(f"<p>{self.rng.choice(SENTENCES)}</p>" for _ in range(n))

    def plant(self, check: str, key: str, note: str = "", side: bool = False) -> None:
        if not self.clean or side:
            self.site.planted.append(Planted(check, key, note, side))

    def typo(self, where: str, right_text: str) -> str:
        """``right_text`` with the family's planted typo for ``where`` in the defect copy."""
        if where in self.typos and not self.clean:
            wrong = self.typos[where][0]
            self.plant("serious_typo", wrong, f"{where}")
            return right_text.replace("{term}", wrong)
        if where in self.typos:
            return right_text.replace("{term}", self.typos[where][1])
        return right_text.replace("{term}", "")

    def nav(self) -> str:
        links = [
            f'<a href="{self.f.col_url(code, self.col_index[code], 0)}">{ESC(name)}</a>'
            for code, name in self.columns
        ]
        return '<a href="/">首页</a>' + "".join(links)

    def footer(self) -> str:
        conac = f'<a href="{self.ext}/conac/sitename?id=BM{self.f.code}" target="_blank"><img src="/images/red.png" alt="党政机关"></a>'
        return (
            f'<div class="footer">{conac}<p>主办单位：{ESC(self.site_name)}办公室　联系电话：0371-6612345'
            f'　<a href="{self.ext}/jiucuo/index.html?site=1">我要纠错</a></p>'
            "<p>网站标识码：4101230001　豫ICP备12345678号　豫公网安备41012302000123号</p></div>"
        )

    def meta(
        self, kind: str, *, column: str = "", title: str = "", when: date | None = None, source: str = ""
    ) -> str:
        tags = {"SiteName": self.site_name, "SiteDomain": "www.example.gov.cn", "SiteIDCode": "4101230001"}
        if kind == "column":
            tags.update(ColumnName=column, ColumnType="信息列表")
        elif kind == "article":
            tags.update(
                ColumnName=column,
                ArticleTitle=title,
                PubDate=when.isoformat() if when else "",
                ContentSource=source,
            )
        if self.f.code == "plain":  # a hand-written site: no metadata at all
            return ""
        return "".join(f'<meta name="{k}" content="{ESC(v)}">' for k, v in tags.items())

    def put(self, path: str, title: str, body: str, meta: str) -> None:
        page = self.f.shell(
            site_name=self.site_name,
            title=title,
            nav=self.nav(),
            body=body,
            footer=self.footer(),
            meta=meta,
            path=path,
        )
        self.site.resources[path] = Resource(page.encode(self.f.encoding), self.f.content_type(path))

    def sidebar(self, code: str) -> str:
        """A sidebar of sibling columns, as most templates show beside articles: includes links named 政策文件."""
        links = "".join(
            f'<li><a href="{self.f.col_url(c, self.col_index[c], 0)}">{ESC(n)}</a></li>'
            for c, n in self.columns
            if c in ("zcwj", "zcjd", "tzgg")
        )
        return f'<div class="side"><h3>信息公开</h3><ul>{links}</ul></div>'

    # --- columns and articles ------------------------------------------------------------------------------
    def declare(self, code: str, name: str) -> None:
        self.col_index[code] = len(self.columns)
        self.columns.append((code, name))

    def article(self, code: str, name: str, item: Item) -> str:
        self.serial += 1
        url = item.url or self.f.art_url(code, self.col_index[code], self.serial, item.when)
        item.url = url
        return url

    def write_article(self, code: str, name: str, item: Item) -> None:
        f = self.f
        if item.kind == "article":
            head = f"<h1>{ESC(item.title)}</h1>{f.info_line(item.when, item.source)}"
        else:
            head = f"<h1>{ESC(item.title)}</h1>"
        body = (
            f.crumb([name, "正文"])
            + self.sidebar(code)
            + f'<div class="article">{head}<div class="content">{item.body}</div>{item.extra}</div>'
        )
        meta_kind = "article" if item.kind == "article" else "page"
        self.put(
            item.url,
            f"{item.title}_{self.site_name}",
            body,
            self.meta(meta_kind, column=name, title=item.title, when=item.when, source=item.source),
        )

    def column(self, code: str, name: str, items: list[Item], *, empty: str = "", intro: str = "") -> None:
        """Write the column's list pages (all pages of its pager) and its articles. ``empty``: the text an empty
        list shows ("" for a silent empty list); ``intro``: a single-page column's text instead of a list."""
        f = self.f
        index = self.col_index[code]
        for item in items:
            self.article(code, name, item)
        pages = [items[i : i + f.per_page] for i in range(0, len(items), f.per_page)] or [[]]
        urls = [f.col_url(code, index, n) for n in range(len(pages))]
        for n, chunk in enumerate(pages):
            if intro:
                listing = f'<div class="content">{intro}</div>'
            elif chunk:
                listing = f.list_block(
                    [f.row(it.url, it.title, it.when if it.row_date else None) for it in chunk]
                )
                listing += f.pager(urls, n)
            else:
                listing = (
                    f.list_block([])
                    + (f'<div class="nodata">{ESC(empty)}</div>' if empty else "")
                    + f.pager(urls, n)
                )
            title = name if n == 0 else f"{name}（第{n + 1}页）"
            body = f.crumb([name]) + f'<div class="column"><h2>{ESC(name)}</h2>{listing}</div>'
            self.put(urls[n], f"{title}-{self.site_name}", body, self.meta("column", column=name))
        for item in items:
            self.write_article(code, name, item)

    # --- content -------------------------------------------------------------------------------------------
    def build(self) -> CorpusSite:
        f = self.f
        clean = self.clean
        for code, name in [
            ("xwzx", "政务要闻"),
            ("bmdt", "部门动态"),
            ("tzgg", "通知公告"),
            ("zcwj", "政策文件"),
            ("zcjd", "政策解读"),
            ("xzdt", "乡镇动态"),
            ("rsxx", "人事信息"),
            ("jgzn", "机构职能"),
            ("czzj", "财政资金"),
            ("zxly", "在线留言"),
            ("bszn", "办事指南"),
            ("xzxx", "县长信箱"),
            ("ldzc", "领导之窗"),
        ]:
            self.declare(code, name)
        n_news = 30 * self.scale

        # 政务要闻: fresh, with a long pager whose later pages hold only old items.
        news = [
            Item(f"县政府召开第{k + 1}次常务会议", self.day(1 + k * 3), self.text(4)) for k in range(n_news)
        ]
        news[3].title = self.typo("row", "{term}主持召开县政府常务会议") or news[3].title
        news[1].body = self.typo(
            "article", "<p>为深入贯彻《{term}行政许可法》，县政府组织专题学习。</p>"
        ) + self.text(3)
        # 部门动态: stale in the defect copy (newest 19 days old), fresh in the clean one.
        first = 19 if not clean else 5
        dept = [
            Item(
                f"县{['农业农村局', '水利局', '教育局', '民政局'][k % 4]}开展专项工作（{k + 1}）",
                self.day(first + k * 6),
                self.text(3),
                source="县直部门",
            )
            for k in range(12 + 4 * self.scale)
        ]
        dept[5].body = (
            self.typo("article2", "<p>{term}到现场调研指导，要求各部门加强协作。</p>") + dept[5].body
        )
        self.plant("column_stale", "部门动态", "newest 19 days old")
        # 通知公告: stale in the defect copy (7 months), 2 months in the clean one.
        first = 213 if not clean else 60
        notices = [
            Item(
                f"关于做好{['冬季防火', '秋粮收购', '医保缴费', '征兵报名'][k % 4]}工作的通知（{k + 1}）",
                self.day(first + k * 20),
                self.text(2),
            )
            for k in range(8)
        ]
        notices[1].title = self.typo("title", "关于认真学习宣传{term}有关精神的通知")
        self.plant("column_stale", "通知公告", "newest 7 months old")
        # 乡镇动态: pager pages judged together; the clean copy's page 2+ holds old items only.
        towns = [
            Item(
                f"{['城关镇', '河口乡', '石门镇'][k % 3]}召开工作推进会（{k + 1}）",
                self.day(2 + k * 9),
                self.text(2),
            )
            for k in range(f.per_page + 6)
        ]
        # Empty columns: one with a marker, one silently empty; clean copies have items.
        if clean:
            rsxx = [Item(f"人事任免通知（{k + 1}）", self.day(40 + k * 30), self.text(2)) for k in range(4)]
            czzj = [Item(f"{2026 - k}年财政预算公开", self.day(100 + k * 60), self.text(2)) for k in range(3)]
        else:
            rsxx, czzj = [], []
        self.plant("column_empty", "人事信息")
        self.plant("column_empty", "财政资金")

        # Policies and interpretations.
        p1 = Item(f"{self.site_name}关于印发优化营商环境若干措施的通知", self.day(30), self.text(4))
        p2 = Item(f"{self.site_name}关于印发农村人居环境整治实施方案的通知", self.day(50), self.text(4))
        p3 = Item(f"{self.site_name}办公室关于印发防汛应急预案的通知", self.day(70), self.text(3))
        i1 = Item(
            "《关于印发优化营商环境若干措施的通知》政策解读",
            self.day(29),
            self.text(3),
            source="县发展改革局",
        )
        i2 = Item("图解：农村人居环境整治实施方案", self.day(49), self.text(2), source="县农业农村局")
        i3 = Item("一图读懂防汛应急预案", self.day(69), self.text(2), source="县应急管理局")
        policies = [p1, p2, p3] + [
            Item(
                f"{self.site_name}关于印发第{k}批专项资金管理办法的通知", self.day(90 + k * 15), self.text(2)
            )
            for k in range(1, 6)
        ]
        policies[3].body += self.typo("policy", "<p>根据{term}有关文件精神，结合我县实际，制定本办法。</p>")
        interps = [i1, i2, i3]
        # URLs first, so the pages can link each other.
        for it in policies:
            self.article("zcwj", "政策文件", it)
        for it in interps:
            self.article("zcjd", "政策解读", it)
        # p1 ↔ i1: the interpretation links the policy with its marker text outside the link; the policy links
        # back only in the clean copy.
        i1.extra = f'<p class="yw">原文链接：<a href="{p1.url}">{ESC(p1.title)}</a></p>'
        if clean:
            p1.extra = f'<div class="xgjd">相关解读：<a href="{i1.url}">{ESC(i1.title)}</a></div>'
        self.plant("interpretation_one_way", f"{p1.url}|{i1.url}", "policy lacks the link back")
        # p2 ↔ i2: the policy links the interpretation; the interpretation links back only in the clean copy.
        p2.extra = f'<p>政策解读：<a href="{i2.url}">{ESC(i2.title)}</a></p>'
        if clean:
            i2.extra = f'<p>相关文件：<a href="{p2.url}">《{ESC(p2.title)}》</a></p>'
        self.plant("interpretation_one_way", f"{i2.url}|{p2.url}", "interpretation lacks the link back")
        # p3 ↔ i3: both ways in both copies, phrased differently.
        p3.extra = f'<ul class="related"><li><a href="{i3.url}">【图解】{ESC(i3.title)}</a></li></ul>'
        i3.extra = f'<p>文件全文：<a href="{p3.url}">点击查看</a></p>'

        # Undated items: a row without a date to an article without one; an article with a 来源 line only.
        if not clean:
            u1 = Item(
                "县城区集中供热管网改造工程进展情况", None, self.text(2), source="县住建局", row_date=False
            )
            u2 = Item("关于开展2026年度“双随机”抽查工作的说明", None, self.text(2), source="县市场监管局")
            self.plant("undated_item", "u1")
            self.plant("undated_item", "u2")
        else:
            u1 = Item(
                "县城区集中供热管网改造工程进展情况",
                self.day(8),
                self.text(2),
                source="县住建局",
                row_date=False,
            )
            u2 = Item(
                "关于开展2026年度“双随机”抽查工作的说明", self.day(12), self.text(2), source="县市场监管局"
            )
        dept.insert(2, u1)

        # Messages: citizens ask about 申请条件 and 办理材料; one is answered too late (defect copy).
        asked = [  # (title, days before the inspection day, days until the reply or None)
            ("咨询个体工商户营业执照的申请条件", 40, 5),
            ("请问新生儿医保参保需要哪些办理材料", 150, 2),
            ("关于农村宅基地审批的咨询", 200, 10 if clean else (None if f.code in ("kpy", "plain") else 120)),
            ("小区门口路灯长期不亮", 20, 4),
        ]
        labels = {
            "trs": ("留言时间", "答复时间"),
            "hanweb": ("来信时间", "回复时间"),
            "kpy": ("提问时间", "答复日期"),
            "php": ("咨询时间", "回复时间"),
            "plain": ("留言时间", "回复日期"),
        }[f.code]
        messages = []
        for title, asked_days, wait in asked:
            received = self.day(asked_days)
            reply = (received + timedelta(days=wait)).isoformat() if wait is not None else ""
            status = "已答复" if wait is not None else "办理中"
            body = (
                f'<table class="ly"><tr><th>留言标题</th><td>{ESC(title)}</td></tr>'
                f"<tr><th>{labels[0]}</th><td>{received.isoformat()}</td></tr>"
                "<tr><th>留言内容</th><td>您好，我想了解一下办理这项业务的申请条件、办理材料和办理流程，谢谢。</td></tr>"
                f"<tr><th>办理状态</th><td>{status}</td></tr><tr><th>答复单位</th><td>县政务服务中心</td></tr>"
                f"<tr><th>{labels[1]}</th><td>{reply}</td></tr>"
                "<tr><th>答复内容</th><td>您好，申请条件和办理材料详见本网站办事指南栏目，也可拨打咨询电话。</td></tr></table>"
            )
            messages.append(Item(title, received, body, kind="message"))
        self.plant("unanswered_message", "msg3")

        # Guides: complete ones, and (defect copy) one missing six elements.
        full = (
            "<table class='bszn'><tr><th>事项名称</th><td>{name}</td></tr><tr><th>设定依据</th><td>《中华人民共和国行政许可法》</td></tr>"
            "<tr><th>申请条件</th><td>符合法定条件的申请人</td></tr><tr><th>申请材料</th><td>申请书、身份证明</td></tr>"
            "<tr><th>办理地点</th><td>县政务服务中心一楼</td></tr><tr><th>办理机构</th><td>县行政审批局</td></tr>"
            "<tr><th>收费标准</th><td>不收费</td></tr><tr><th>办理时间</th><td>工作日上午9:00-12:00</td></tr>"
            "<tr><th>咨询电话</th><td>0371-6612345</td></tr><tr><th>办理流程</th><td>申请、受理、审查、决定</td></tr></table>"
        )
        short = (
            "<table class='bszn'><tr><th>事项名称</th><td>{name}</td></tr><tr><th>申请条件</th><td>年满18周岁</td></tr>"
            "<tr><th>办理材料</th><td>身份证原件</td></tr><tr><th>办理地点</th><td>县政务服务中心</td></tr></table>"
        )
        guide_names = ["食品经营许可办事指南", "公共场所卫生许可办事指南", "建筑工程施工许可办事指南"]
        guides = []
        for k, gname in enumerate(guide_names):
            template = short if (k == 1 and not clean) else full
            guides.append(Item(gname, None, template.format(name=gname[:-4]), kind="guide"))
        self.plant("guide_incomplete", "guide2")

        jgzn_intro = (
            f"<p>{ESC(self.site_name)}办公室是县人民政府的办事机构，负责协助县政府领导处理政府日常工作，"
            "承担政务公开、政务服务、督促检查等职责。</p><p>地址：县府路1号　办公时间：工作日上午8:30-12:00</p>"
        )

        # Write columns.
        self.column("xwzx", "政务要闻", news)
        self.column("bmdt", "部门动态", dept)
        self.column("tzgg", "通知公告", notices)
        self.column(
            "zcwj",
            "政策文件",
            policies,
        )
        self.column("zcjd", "政策解读", interps)
        self.column("xzdt", "乡镇动态", towns)
        self.column("rsxx", "人事信息", rsxx, empty="" if f.code in ("trs", "kpy") else "暂无信息")
        self.column("czzj", "财政资金", czzj, empty="暂无数据！" if f.code in ("trs", "php") else "")
        self.column("jgzn", "机构职能", [], intro=jgzn_intro)
        self.column("zxly", "在线留言", messages)
        self.column("bszn", "办事指南", guides)
        # Look-alike traps for column_empty: a mailbox that is only a form, a page that is only photographs.
        mailbox = (
            '<form action="/xzxx/submit" method="post"><p>姓名：<input name="name"></p>'
            '<p>内容：<textarea name="body"></textarea></p><p><button type="submit">提交</button></p></form>'
        )
        self.column("xzxx", "县长信箱", [], intro=mailbox)
        photos = "".join(
            f'<p><img src="/images/leader{k}.png" alt="{role}"><br>{role}</p>'
            for k, role in enumerate(["县长", "副县长"])
        )
        self.column("ldzc", "领导之窗", [], intro=photos)
        for k in range(2):
            self.site.resources[f"/images/leader{k}.png"] = Resource(PNG, "image/png")
        # The policy list shows a [解读] link beside each policy that has one (look-alike trap).
        self._add_interpretation_tags(policies, {p1.url: i1, p2.url: i2, p3.url: i3})
        # The undated notice is linked from the home page only.
        self.article("tzgg", "通知公告", u2)
        self.write_article("tzgg", "通知公告", u2)

        # Planted keys that need URLs.
        resolved = []
        for p in self.site.planted:
            key = p.key
            if key == "u1":
                key = u1.url
            elif key == "u2":
                key = u2.url
            elif key == "msg3":
                key = messages[2].url
            elif key == "guide2":
                key = guides[1].url
            resolved.append(Planted(p.check, key, p.note, p.side))
        self.site.planted = resolved
        if not clean:
            # A 部门动态 article missing its date lacks PubDate too; a consequence, not a separate defect.
            self.plant("meta_missing", "PubDate", "undated article", side=True)
        if f.code == "plain":
            for tag in (
                "SiteName",
                "SiteDomain",
                "SiteIDCode",
                "ColumnName",
                "ColumnType",
                "ArticleTitle",
                "PubDate",
                "ContentSource",
            ):
                self.plant("meta_missing", tag, "hand-written pages carry no metadata", side=True)

        self.home(news, notices, policies, interps, u2)
        self.broken_links(news, policies)
        self.site.resources["/css/main.css"] = Resource(b"body{font-size:14px}", "text/css")
        self.site.resources["/images/logo.png"] = Resource(PNG, "image/png")
        self.site.resources["/images/red.png"] = Resource(PNG, "image/png")
        return self.site

    def _add_interpretation_tags(self, policies: list[Item], pairs: dict[str, Item]) -> None:
        f = self.f
        index = self.col_index["zcwj"]
        url = f.col_url("zcwj", index, 0)
        resource = self.site.resources[url]
        page = resource.body.decode(f.encoding)
        for policy_url, interp in pairs.items():
            anchor = f'href="{ESC(policy_url)}"'
            at = page.find(anchor)
            end = page.find("</a>", at) + 4
            page = page[:end] + f' <a href="{ESC(interp.url)}" class="jd">[解读]</a>' + page[end:]
        resource.body = page.encode(f.encoding)

    def home(self, news, notices, policies, interps, extra) -> None:
        f = self.f

        def block(name, code, items, n):
            rows = [f.row(it.url, it.title, it.when) for it in items[:n]]
            more = f'<a class="more" href="{f.col_url(code, self.col_index[code], 0)}">更多&gt;&gt;</a>'
            return f'<div class="box"><h3>{ESC(name)}</h3>{more}{f.list_block(rows)}</div>'

        special = f'<div class="zt"><h3>专题专栏</h3><a href="{extra.url}">{ESC(extra.title)}</a></div>'
        body = (
            '<div class="banner"><img src="/images/logo.png" alt="焦点图"></div>'
            + block("政务要闻", "xwzx", news, 7)
            + block("通知公告", "tzgg", notices, 5)
            + block("政策文件", "zcwj", policies, 5)
            + block("政策解读", "zcjd", interps, 3)
            + special
            + f'<div class="links"><a href="{self.ext}/">中国政府网</a></div>'
        )
        self.put("/", self.site_name, body, self.meta("home"))

    def broken_links(self, news, policies) -> None:
        """Broken links in the defect copy: one on the home page (an image), one in an article (internal page),
        one attachment on a policy, one external link; the clean copy links working targets."""
        f = self.f
        code = f.code
        targets = {
            "image": "/images/banner_2026.jpg",
            "internal": f"/col/old/{code}_notice.html" if code != "php" else "/show.php?id=99999",
            "attachment": f"/uploads/2026/{code}-fujian.pdf",
            "external": f"{self.ext}/" if self.clean else f"{self.ext}/gone/{code}.html",
        }
        if self.clean:
            self.site.resources[targets["image"]] = Resource(PNG, "image/png")
            self.site.resources[targets["internal"]] = Resource(
                self.f.shell(
                    site_name=self.site_name,
                    title=f"通知-{self.site_name}",
                    nav=self.nav(),
                    body="<h1>通知</h1>" + f.info_line(self.day(40), "县政府办公室") + self.text(2),
                    footer=self.footer(),
                    meta=self.meta(
                        "article", column="通知公告", title="通知", when=self.day(40), source="县政府办公室"
                    ),
                    path=targets["internal"],
                ).encode(f.encoding),
                f.content_type(targets["internal"]),
            )
            self.site.resources[targets["attachment"]] = Resource(b"%PDF-1.4\n%zhengwu\n", "application/pdf")
        else:
            for kind, target in targets.items():
                self.plant("broken_link", target, kind)
        self._inject("/", f'<img src="{targets["image"]}" alt="专题图片">', '</div><div class="box">')
        self._inject(
            news[4].url,
            f'<p>详见<a href="{targets["internal"]}">此前发布的通知</a>。</p>',
            '</div><div class="content">',
        )
        self._inject(
            policies[1].url,
            f'<p>附件：<a href="{targets["attachment"]}">实施方案.pdf</a></p>',
            '</div><div class="content">',
        )
        self._inject(
            news[6].url,
            f'<p>相关链接：<a href="{targets["external"]}">上级部门网站</a></p>',
            '</div><div class="content">',
        )

    def _inject(self, path: str, snippet: str, after: str) -> None:
        resource = self.site.resources[path]
        page = resource.body.decode(self.f.encoding)
        at = page.find(after)
        at = at + len(after) if at >= 0 else page.rfind('<div class="footer">')
        resource.body = (page[:at] + snippet + page[at:]).encode(self.f.encoding)


def external_resources(
    families: tuple[Family, ...] = FAMILIES, clean_targets: bool = True
) -> dict[str, Resource]:
    """The outside world the corpus links to: the 党政机关网站标识 and 纠错 services, a national portal, and the
    external pages the clean copies link (the defect copies link the same paths, missing here only for them)."""
    page = "<html><head><meta charset='utf-8'><title>外部网站</title></head><body>外部网站</body></html>".encode()
    res = {"/": Resource(page), "/conac/sitename": Resource(page), "/jiucuo/index.html": Resource(page)}
    return res


def build_corpus(
    *, external_base: str, scale: int = 1, families: tuple[Family, ...] = FAMILIES
) -> list[CorpusSite]:
    """Two sites per family (defects, clean). ``scale`` multiplies the bulk of the news columns (and so the
    number of pages); the planted defects stay the same."""
    sites = []
    for family in families:
        for clean in (False, True):
            sites.append(SiteBuilder(family, clean=clean, external_base=external_base, scale=scale).build())
    return sites
