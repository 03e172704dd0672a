"""The demo county's sites (the county portal and two sub-sites on the same install, 集约化) and their content.

Articles are assembled from sentences of county e-government work reports (demo_data/sentences.txt), spread over
the two years before the day the demo is built; the same seed gives the same county.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from zhengwu.core.registry import DemoContext, demo_step

# (org short code, site name, host for sub-sites)
SUB_SITES = [
    ("FGW", "示范县发展和改革委员会", "fgw.localhost"),
    ("QSZ", "示范县青山镇人民政府", "qingshan.localhost"),
]

# (title, slug, column kind, number of items) for the county portal
PORTAL_COLUMNS = [
    ("政务要闻", "zwyw", "news", 180),
    ("部门动态", "bmdt", "news", 170),
    ("乡镇动态", "xzdt", "news", 120),
    ("通知公告", "tzgg", "notice", 90),
    ("国务院信息", "gwyxx", "news", 40),
    ("政策文件", "zcwj", "policy", 40),
    ("政策解读", "zcjd", "interpretation", 24),
    ("人事信息", "rsxx", "personnel", 25),
    ("规划计划", "ghjh", "plan", 20),
    ("县情概况", "xqgk", "overview", 6),
    ("政务服务", "zwfw", "service", 20),
    ("互动交流", "hdjl", "interaction", 15),
]
SUB_SITE_COLUMNS = [
    ("工作动态", "gzdt", "news", 110),
    ("通知公告", "tzgg", "notice", 40),
    ("政策文件", "zcwj", "policy", 12),
    ("规划计划", "ghjh", "plan", 10),
    ("其他信息", "qtxx", "other", 8),
]
TOPIC_COLUMNS = [("工作动态", "gzdt", "news", 20), ("政策措施", "zccs", "other", 10)]
# Columns shown in the portal's header navigation (a sub-site shows all of its few columns).
PORTAL_MENU = {"zwyw", "tzgg", "zcwj", "zcjd", "xqgk", "zwfw", "hdjl"}

TOPICS = [
    "政府网站内容保障",
    "政务公开标准化规范化",
    "政府信息公开年度报告编制",
    "12345热线工单办理",
    "政务服务事项梳理",
    "电子政务外网接入",
    "网络安全等级保护测评",
    "政务新媒体规范管理",
    "政务信息报送",
    "基层政务公开标准目录编制",
    "网上办事大厅建设",
    "电子监察系统运行",
    "政府网站集约化建设",
    "领导信箱来信办理",
    "在线访谈",
    "政策文件解读",
    "网站安全检查",
    "数据共享交换",
    "电子证照应用",
    "营商环境优化",
    "惠民惠农资金公开",
    "重大建设项目信息公开",
    "公共资源交易信息公开",
    "财政预决算公开",
    "政务服务好差评",
]
NOTICE_TEMPLATES = [
    "关于开展{t}工作的通知",
    "关于做好{t}工作的通知",
    "关于{t}情况的通报",
    "关于进一步加强{t}的通知",
]
NEWS_TEMPLATES = ["{org}召开{t}推进会", "{org}部署{t}工作", "我县{t}工作取得新进展", "{org}开展{t}专项检查"]
POLICY_TEMPLATES = ["示范县{t}管理办法", "关于进一步加强{t}的实施意见", "示范县{t}工作方案"]
PLAN_TEMPLATES = ["示范县{year}年{t}工作计划", "{org}{year}年{t}工作要点"]
PERSONNEL = [
    "示范县人民政府关于{name}等同志职务任免的通知",
    "{org}公开招聘工作人员公告",
    "{org}拟任职人员公示",
]
GIVEN_NAMES = ["张明", "李华", "王芳", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周涛", "吴婷"]

# A clause makes a headline when it reports something done: it names an actor and a verb of action.
_HEADLINE = re.compile(
    r"(?=.*(?:县|局|办|镇|乡|街道|中心|委))(?=.*(?:开展|召开|推进|完成|建成|开通|举办|部署|印发|启动))"
    r"(?![\d（(“\"要同着并但而对在为从])[^\s]{10,28}"
)
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、是]|（[一二三四五六七八九十]+）|\d+[、.．])+")


def sentences() -> list[str]:
    path = Path(__file__).with_name("demo_data") / "sentences.txt"
    return [
        line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")
    ]


@demo_step(30, "门户网站与子站")
def build_sites(ctx: DemoContext) -> None:
    from .models import SiteSettings
    from .services import create_site

    orgs = ctx.objects["orgs"]
    port = int(getattr(settings, "ZHENGWU_DEMO_PORT", 8000))
    portal = create_site(
        organization=orgs["SFX"],
        site_name="示范县人民政府",
        hostname="127.0.0.1",
        port=port,
        is_default=True,
        intro="示范县人民政府门户网站是县人民政府在互联网上发布政务信息、提供在线服务、与公众互动交流的官方平台。",
        actor=None,
    )
    sites = [portal]
    for code, name, host in SUB_SITES:
        sites.append(
            create_site(
                organization=orgs[code],
                site_name=name,
                hostname=host,
                port=port,
                is_default=False,
                intro=f"{name}网站是示范县政府网站集约化平台上的子站，由{orgs[code].name}主办。",
                actor=None,
            )
        )
    for number, site in enumerate(sites, start=1):
        org = site.root_page.specific.organization
        SiteSettings.objects.update_or_create(
            site=site,
            defaults={
                "host_organization": org.name,
                "organizer": "示范县政务服务数据管理局",
                "contact_phone": f"0799-{6210000 + number:07d}",
                "contact_email": f"zwgk{number}@example.org",
                "address": "示范县人民大道1号",
                "site_id_code": f"9901010{number:03d}",
                "icp_number": f"示ICP备2026{number:04d}号",
                "police_record_number": f"示公网安备99010102{number:06d}号",
                "description": f"{site.site_name}网站",
                "keywords": "示范县,政务公开,政务服务",
            },
        )
    ctx.objects["sites"] = sites
    _assign_editorial_groups(sites)
    ctx.log(f"网站 {len(sites)} 个")


# Demo accounts in the three-step review of each site: (username, site index, step)
EDITORIAL_ACCOUNTS = [
    ("editor", 0, "编辑"),
    ("reviewer", 0, "初审"),
    ("chief_editor", 0, "终审"),
    ("fgw_liaison", 1, "编辑"),
    ("fgw_admin", 1, "终审"),
    ("qs_liaison", 2, "编辑"),
]


def _assign_editorial_groups(sites) -> None:
    from django.contrib.auth.models import Group

    from zhengwu.core.models import Staff

    for username, index, step in EDITORIAL_ACCOUNTS:
        staff = Staff.objects.get(username=username)
        staff.groups.add(Group.objects.get(name=f"{sites[index].site_name}{step}"))


class _Writer:
    """Assembles titles and bodies from the report sentences, deterministically from the context's seed."""

    def __init__(self, ctx: DemoContext) -> None:
        self.rng = ctx.rng
        self.sentences = sentences()
        self.orgs = [o.name for o in ctx.objects["orgs"].values() if o.kind != "government"]
        self.today = timezone.localdate()
        self.scale = ctx.scale

    def moment(self) -> dt.datetime:
        day = self.today - dt.timedelta(days=self.rng.randrange(0, 730))
        at = dt.datetime.combine(day, dt.time(self.rng.randrange(8, 18), self.rng.choice([0, 15, 30, 45])))
        return timezone.make_aware(at)

    def body(self) -> str:
        chosen = self.rng.sample(self.sentences, self.rng.randint(3, 6))
        return "".join(f"<p>{_NUMBERING.sub('', s)}</p>" for s in chosen)

    def fill(self, template: str, when: dt.datetime) -> str:
        return template.format(
            t=self.rng.choice(TOPICS),
            org=self.rng.choice(self.orgs),
            year=when.year,
            name=self.rng.choice(GIVEN_NAMES),
        )

    def news_title(self, when: dt.datetime) -> str:
        sentence = _NUMBERING.sub("", self.rng.choice(self.sentences))
        clause = re.split(r"[，。；：、！？]", sentence)[0]
        if self.rng.random() < 0.5 and _HEADLINE.fullmatch(clause):
            return clause
        return self.fill(self.rng.choice(NEWS_TEMPLATES), when)


def _add_live(parent, page, when: dt.datetime):
    """Publish a demo page directly (no revision history: it has never been edited)."""
    page.live = True
    page.first_published_at = page.last_published_at = when
    parent.add_child(instance=page)
    return page


def _fill_column(writer: _Writer, column, kind: str, count: int, *, site_name: str, policies: list) -> None:
    from .models import ArticleKind, ArticlePage, InterpretationPage, PolicyDocumentPage, Validity

    for n in range(max(1, round(count * writer.scale))):
        when = writer.moment()
        slug = f"{column.slug}-{n + 1:04d}"
        common = {"slug": slug, "published_at": when, "body": writer.body(), "source": site_name}
        if kind == "policy":
            written = (when - dt.timedelta(days=writer.rng.randrange(1, 25))).date()
            validity = Validity.VALID if writer.rng.random() > 0.1 else Validity.EXPIRED
            page = PolicyDocumentPage(
                title=writer.fill(writer.rng.choice(POLICY_TEMPLATES), when),
                document_number=f"示府办发〔{written.year}〕{n + 1}号",
                issuing_authority=site_name,
                written_on=written,
                validity=validity,
                validity_changed_on=None if validity == Validity.VALID else writer.today,
                **common,
            )
            policies.append(_add_live(column, page, when))
        elif kind == "interpretation" and policies:
            policy = policies[n % len(policies)]
            later = max(when, policy.published_at)
            _add_live(
                column,
                InterpretationPage(
                    title=f"《{policy.title}》政策解读",
                    policy=policy,
                    form=writer.rng.choice(["文字解读", "图文解读"]),
                    **{**common, "published_at": later},
                ),
                later,
            )
        else:
            if kind == "notice":
                title, article_kind = (
                    writer.fill(writer.rng.choice(NOTICE_TEMPLATES), when),
                    ArticleKind.NOTICE,
                )
            elif kind == "personnel":
                title, article_kind = writer.fill(writer.rng.choice(PERSONNEL), when), ArticleKind.NOTICE
            elif kind == "plan":
                title, article_kind = writer.fill(writer.rng.choice(PLAN_TEMPLATES), when), ArticleKind.NEWS
            else:
                title, article_kind = writer.news_title(when), ArticleKind.NEWS
            page = ArticlePage(title=title, kind=article_kind, **common)
            if column.slug == "gwyxx":
                page.is_repost = True
                page.repost_source_name = "中国政府网"
                page.repost_source_url = "https://www.gov.cn/"
                page.source = "中国政府网"
            _add_live(column, page, when)


@demo_step(40, "门户网站内容")
def build_content(ctx: DemoContext) -> None:
    from .models import ColumnPage, TopicPage

    writer = _Writer(ctx)
    total = 0
    for site in ctx.objects["sites"]:
        home = site.root_page.specific
        layout = PORTAL_COLUMNS if site.is_default_site else SUB_SITE_COLUMNS
        policies: list = []
        for title, slug, kind, count in layout:
            column = _add_live(
                home,
                ColumnPage(
                    title=title,
                    slug=slug,
                    column_kind=kind,
                    description=f"{site.site_name}{title}",
                    show_in_menus=slug in PORTAL_MENU or not site.is_default_site,
                ),
                writer.moment(),
            )
            _fill_column(writer, column, kind, count, site_name=site.site_name, policies=policies)
            total += max(1, round(count * writer.scale))
        if site.is_default_site:
            topic = _add_live(
                home,
                TopicPage(
                    title="优化营商环境专题",
                    slug="yhyshj",
                    intro=f"<p>{writer.rng.choice(writer.sentences)}</p>",
                ),
                writer.moment(),
            )
            for title, slug, kind, count in TOPIC_COLUMNS:
                column = _add_live(
                    topic,
                    ColumnPage(title=title, slug=slug, column_kind=kind, show_on_home=False),
                    writer.moment(),
                )
                _fill_column(writer, column, kind, count, site_name=site.site_name, policies=policies)
                total += max(1, round(count * writer.scale))
    ctx.log(f"文章 {total} 篇")
