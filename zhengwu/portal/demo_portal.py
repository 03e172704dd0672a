"""The demo county's sites (the county portal and two sub-sites on the same install, 集约化) and their content.

Articles are assembled from sentences of county e-government work reports (demo_data/sentences.txt), spread over
the two years before the day the demo is built; the same seed gives the same county.
"""

from __future__ import annotations

import datetime as dt
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
    ("图片新闻", "tpxw", "news", 24),
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
# Columns whose items carry a picture the demo draws itself.
PICTURE_COLUMNS = {"tpxw"}
# 国务院信息 is reposted from the State Council's portal, with its source and a link to the original.
STATE_COUNCIL_SOURCE = ("中国政府网", "https://www.gov.cn/")
STATE_COUNCIL_TEMPLATES = [
    "国务院办公厅关于进一步做好{t}工作的通知",
    "国务院常务会议研究部署{t}工作",
    "国务院办公厅印发《关于深化{t}的指导意见》",
    "国务院新闻办公室就{t}有关情况举行发布会",
]

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

# Bodies per column kind, written from the same subject as the title: {t} topic, {org} organization, {site} the
# site's owner, {month}/{day} the date, {year}; one paragraph per line.
BODY_TEMPLATES = {
    "news": [
        "{month}月{day}日，{org}召开会议，专题研究{t}工作。会议听取了近期{t}工作进展情况的汇报，分析了存在的问题。",
        "会议指出，做好{t}工作是提升政务服务水平、回应群众关切的重要举措，各单位要提高思想认识，压实工作责任。",
        "会议要求，要对照年度目标任务，细化{t}工作措施，明确时间节点和责任人，加强督促检查，确保各项任务按期完成。",
        "下一步，{org}将持续跟踪{t}工作落实情况，及时总结推广经验做法，推动工作取得实效。",
    ],
    "notice": [
        "各乡镇人民政府，县直各单位：",
        "为深入推进{t}工作，经研究，决定在全县范围内开展{t}工作。现将有关事项通知如下：",
        "一、工作目标。通过集中开展{t}工作，进一步规范工作流程，提升工作质量和群众满意度。",
        "二、工作安排。各单位要于{month}月底前完成{t}自查，形成书面报告报送{site}。",
        "三、工作要求。各单位要明确分管领导和联络员，认真组织实施，确保{t}工作取得实效。",
    ],
    "policy": [
        "第一条　为规范{t}工作，提高工作质量和效率，结合本县实际，制定本办法。",
        "第二条　本办法适用于本县行政区域内{t}相关工作。",
        "第三条　{t}工作坚持依法依规、公开透明、便民高效的原则。",
        "第四条　县人民政府办公室负责统筹协调{t}工作，各有关单位按照职责分工做好相关工作。",
        "第五条　本办法自发布之日起施行。",
    ],
    "plan": [
        "为扎实做好{year}年{t}工作，结合{org}实际，制定本计划。",
        "一、总体要求。围绕县委、县政府中心工作，以群众需求为导向，全面推进{t}工作。",
        "二、重点任务。健全{t}工作机制，完善工作台账，按季度通报工作进展。",
        "三、保障措施。加强组织领导，强化考核评估，确保{year}年{t}工作任务全面完成。",
    ],
    "personnel": [
        "根据工作需要和有关规定，现将{org}有关人事事项公布如下。",
        "公示期间，如对公示对象有异议，可通过来电、来信等方式向{site}反映。反映问题要实事求是，并提供联系方式。",
    ],
    "state_council": [
        "据{source}消息，国务院近日就{t}工作作出部署。",
        "文件要求，各地区各部门要把{t}工作摆在重要位置，完善工作机制，加强协同配合，切实抓好贯彻落实。",
        "本文转载自{source}，原文请见{source}网站。",
    ],
    "overview": [
        "{site}位于省境中部，下辖若干乡镇，是一个以农业为主、工业和服务业协调发展的县。",
        "近年来，全县持续推进{t}，经济社会保持平稳健康发展。",
    ],
}
BODY_TEMPLATES["other"] = BODY_TEMPLATES["news"]
BODY_TEMPLATES["service"] = BODY_TEMPLATES["notice"]
BODY_TEMPLATES["interaction"] = BODY_TEMPLATES["news"]
BODY_TEMPLATES["interpretation"] = [
    "近日，{site}印发《{policy}》（以下简称《办法》）。为便于社会公众理解，现就《办法》解读如下。",
    "一、制定背景。为规范{t}工作，{site}在深入调研、广泛征求意见的基础上制定了《办法》。",
    "二、主要内容。《办法》明确了{t}工作的适用范围、基本原则、职责分工和保障措施。",
    "三、施行时间。《办法》自发布之日起施行。",
]


# The fonts the pictures' captions are drawn in, the first one found (fonts-noto-cjk on Debian).
CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)


def _font(size: int):
    from PIL import ImageFont

    for path in CJK_FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return None  # no CJK font on this machine: the picture goes without its caption


def _wagtail_image(title: str, picture, filename: str):
    import io

    from django.core.files.images import ImageFile
    from wagtail.images.models import Image

    buffer = io.BytesIO()
    picture.save(buffer, format="PNG" if picture.mode == "RGBA" else "JPEG", quality=85)
    image = Image(title=title)
    image.file.save(filename, ImageFile(buffer, name=filename), save=False)
    image.save()
    return image


def demo_picture(title: str, *, seed: int):
    """A 图片新闻 picture drawn here (no photograph is shipped): a sky, hills and a building in county colours,
    different for every seed, with the headline as its caption."""
    import random

    from PIL import Image as PILImage
    from PIL import ImageDraw

    rng = random.Random(seed)
    width, height = 800, 450
    picture = PILImage.new("RGB", (width, height))
    draw = ImageDraw.Draw(picture)
    top, bottom = (rng.randint(90, 140), rng.randint(150, 190), 235), (225, 238, 250)
    for y in range(height):
        mix = y / height
        draw.line(
            [(0, y), (width, y)], fill=tuple(int(a + (b - a) * mix) for a, b in zip(top, bottom, strict=True))
        )
    for layer in range(3):
        base = 250 + layer * 45
        green = (60 + layer * 30, 130 + layer * 25, 70 + layer * 10)
        points = (
            [(0, height)]
            + [(x, base - rng.randint(0, 80)) for x in range(0, width + 100, 100)]
            + [(width, height)]
        )
        draw.polygon(points, fill=green)
    left = rng.randint(120, 520)
    draw.rectangle((left, 230, left + 160, 360), fill=(236, 232, 222), outline=(150, 40, 40), width=3)
    draw.polygon([(left - 15, 232), (left + 80, 185), (left + 175, 232)], fill=(181, 22, 30))
    for column in range(4):
        draw.rectangle((left + 20 + column * 36, 265, left + 40 + column * 36, 300), fill=(120, 150, 190))
    draw.rectangle((0, height - 64, width, height), fill=(0, 0, 0))
    font = _font(28)
    if font is not None:
        draw.text((24, height - 50), title[:26], fill=(255, 255, 255), font=font)
    return _wagtail_image(title, picture, f"tpxw-{seed}.jpg")


def party_gov_logo(site_name: str):
    """The demo's 党政机关网站标识: a stand-in drawn here (the real mark is issued to each registered site by the
    网站标识 programme and uploaded by its administrators)."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    picture = PILImage.new("RGBA", (220, 80), (255, 255, 255, 0))
    draw = ImageDraw.Draw(picture)
    draw.rounded_rectangle((1, 1, 218, 78), radius=8, fill=(181, 22, 30, 255))
    draw.ellipse((10, 12, 66, 68), outline=(255, 214, 0, 255), width=5)
    draw.polygon(
        [(38, 20), (44, 36), (61, 36), (47, 46), (52, 62), (38, 52), (24, 62), (29, 46), (15, 36), (32, 36)],
        fill=(255, 214, 0, 255),
    )
    font = _font(22)
    if font is not None:
        draw.text((76, 12), "党政机关", fill=(255, 255, 255, 255), font=font)
        draw.text((76, 42), "网站标识", fill=(255, 255, 255, 255), font=font)
    return _wagtail_image(f"{site_name}党政机关网站标识", picture, "dzjg-logo.png")


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
                "party_gov_logo": party_gov_logo(site.site_name),
                # Where the mark leads on a registered site: the programme's page about the site.
                "party_gov_logo_url": f"https://bszs.conac.cn/sitename?method=show&id=9901010{number:03d}",
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
    """Writes titles and bodies about one subject each (the title's topic and organization return in the text),
    deterministically from the context's seed."""

    def __init__(self, ctx: DemoContext) -> None:
        self.rng = ctx.rng
        self.county_orgs = [o.name for o in ctx.objects["orgs"].values() if o.kind != "government"]
        self.orgs = self.county_orgs
        self.today = timezone.localdate()
        self.scale = ctx.scale
        self.site_name = ""

    def for_site(self, site) -> None:
        """A sub-site writes about its own organization only; the county portal about the county's bodies."""
        self.site_name = site.site_name
        org = site.root_page.specific.organization
        self.orgs = self.county_orgs if site.is_default_site or org is None else [org.name]

    def moment(self, *, recent: bool = False) -> dt.datetime:
        """A moment in the last two years; ``recent``: in the last week (each column's newest item, so that a
        demo of any scale is a site kept up to date, as the inspector's freshness rules expect)."""
        day = self.today - dt.timedelta(days=self.rng.randrange(0, 7 if recent else 730))
        at = dt.datetime.combine(day, dt.time(self.rng.randrange(8, 18), self.rng.choice([0, 15, 30, 45])))
        return timezone.make_aware(at)

    def subject(self, when: dt.datetime) -> dict[str, str]:
        return {
            "t": self.rng.choice(TOPICS),
            "org": self.rng.choice(self.orgs),
            "year": str(when.year),
            "name": self.rng.choice(GIVEN_NAMES),
            "month": str(when.month),
            "day": str(when.day),
            "site": self.site_name,
            "source": STATE_COUNCIL_SOURCE[0],
        }

    def title(self, templates: list[str], subject: dict[str, str]) -> str:
        return self.rng.choice(templates).format(**subject)

    def body(self, kind: str, subject: dict[str, str]) -> str:
        lines = BODY_TEMPLATES.get(kind, BODY_TEMPLATES["news"])
        return "".join(f"<p>{line.format(**subject)}</p>" for line in lines)


def _add_live(parent, page, when: dt.datetime):
    """Publish a demo page directly (no revision history: it has never been edited)."""
    page.live = True
    page.first_published_at = page.last_published_at = when
    parent.add_child(instance=page)
    return page


def _fill_column(writer: _Writer, column, kind: str, count: int, *, site_name: str, policies: list) -> None:
    from .models import ArticleKind, ArticlePage, InterpretationPage, PolicyDocumentPage, Validity

    for n in range(max(1, round(count * writer.scale))):
        when = writer.moment(recent=n == 0)
        subject = writer.subject(when)
        common = {"slug": f"{column.slug}-{n + 1:04d}", "published_at": when, "source": site_name}
        if kind == "policy":
            written = (when - dt.timedelta(days=writer.rng.randrange(1, 25))).date()
            validity = Validity.VALID if writer.rng.random() > 0.1 else Validity.EXPIRED
            page = PolicyDocumentPage(
                title=writer.title(POLICY_TEMPLATES, subject),
                body=writer.body("policy", subject),
                document_number=f"示府办发〔{written.year}〕{n + 1}号",
                issuing_authority=site_name,
                written_on=written,
                validity=validity,
                validity_changed_on=None if validity == Validity.VALID else writer.today,
                **common,
            )
            page.demo_topic = subject["t"]
            policies.append(_add_live(column, page, when))
        elif kind == "interpretation" and policies:
            policy = policies[n % len(policies)]
            later = max(when, policy.published_at)
            about = {**subject, "t": getattr(policy, "demo_topic", subject["t"]), "policy": policy.title}
            _add_live(
                column,
                InterpretationPage(
                    title=f"《{policy.title}》政策解读",
                    body=writer.body("interpretation", about),
                    policy=policy,
                    form=writer.rng.choice(["文字解读", "图文解读"]),
                    **{**common, "published_at": later},
                ),
                later,
            )
        elif column.slug == "gwyxx":
            source, url = STATE_COUNCIL_SOURCE
            page = ArticlePage(
                title=writer.title(STATE_COUNCIL_TEMPLATES, subject),
                body=writer.body("state_council", subject),
                kind=ArticleKind.NEWS,
                is_repost=True,
                repost_source_name=source,
                repost_source_url=url,
                **{**common, "source": source},
            )
            _add_live(column, page, when)
        else:
            templates, article_kind = {
                "notice": (NOTICE_TEMPLATES, ArticleKind.NOTICE),
                "personnel": (PERSONNEL, ArticleKind.NOTICE),
                "plan": (PLAN_TEMPLATES, ArticleKind.NEWS),
            }.get(kind, (NEWS_TEMPLATES, ArticleKind.NEWS))
            page = ArticlePage(
                title=writer.title(templates, subject),
                body=writer.body(kind, subject),
                kind=article_kind,
                **common,
            )
            if column.slug in PICTURE_COLUMNS:
                page.cover = demo_picture(page.title, seed=writer.rng.randrange(1 << 30))
            _add_live(column, page, when)


@demo_step(40, "门户网站内容")
def build_content(ctx: DemoContext) -> None:
    from .models import ColumnPage, TopicPage

    writer = _Writer(ctx)
    total = 0
    for site in ctx.objects["sites"]:
        writer.for_site(site)
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
                    intro="<p>示范县深入推进优化营商环境工作，本专题集中发布相关工作动态和政策措施。</p>",
                    banner=demo_picture("优化营商环境专题", seed=writer.rng.randrange(1 << 30)),
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
