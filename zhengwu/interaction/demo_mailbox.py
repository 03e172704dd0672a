"""The demo county's 书记信箱 and 县长信箱: a year of letters across the mailboxes and departments (kinds, refusals,
replies and their delays, ratings in the proportions of a county's published figures), some published in 来信选登,
and a few live letters on the engine (待审查, 待签收, 待审核发布, overdue)."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from zhengwu.core.registry import DemoContext, demo_step, register_demo_accounts

BJ = ZoneInfo("Asia/Shanghai")
ACCOUNTS = [("xx_office", "陈信箱", "mailbox_office", "ZFB")]
register_demo_accounts(ACCOUNTS)

# department (demo org short code) → weight, topics
TOPICS = {
    "ZJJ": (5, ["老旧小区改造进度", "小区物业服务不到位", "城区道路破损"]),
    "CGJ": (4, ["夜市噪声扰民", "占道经营", "垃圾清运不及时"]),
    "SLJ": (3, ["农村饮水不稳定", "河道淤积", "灌溉水渠维修"]),
    "RSJ": (3, ["拖欠农民工工资", "社保转移接续", "公益性岗位招聘"]),
    "JTJ": (3, ["学校周边交通安全", "义务教育入学", "校车安排"]),
    "JTYSJ": (2, ["农村客运班次少", "乡村公路维修"]),
    "WJW": (2, ["乡镇卫生院服务", "疫苗接种安排"]),
    "MZJ": (2, ["低保审批进度", "养老服务补贴"]),
    "NYNCJ": (2, ["耕地地力保护补贴", "农机购置补贴"]),
    "SCJGJ": (1, ["商家缺斤短两", "食品安全"]),
    "STHJJ": (1, ["企业排放异味"]),
}
REFUSALS = [
    "您反映的事项已有来信正在办理中，本信不再重复受理。",
    "您反映的事项依法应当通过诉讼途径解决，请向人民法院提出。",
    "您的来信内容为广告或与政务无关，不予受理。",
    "您的来信未留有效联系方式，无法办理。",
]


def year_of_letters(ctx: DemoContext, orgs: dict, *, today: dt.date) -> list[dict]:
    rng = ctx.rng
    target = max(24, round(420 * ctx.scale))
    first = today - dt.timedelta(days=365)
    codes = list(TOPICS)
    weights = [TOPICS[c][0] for c in codes]
    lines = []
    for number in range(1, target + 1):
        day = first + dt.timedelta(days=rng.randrange(0, 364))
        received = dt.datetime.combine(
            day, dt.time(rng.choice([7, 9, 10, 12, 15, 20, 22]), rng.randrange(60)), BJ
        )
        box = rng.choices(["xianzhang", "shuji"], [60, 40])[0]
        kind = rng.choices(["咨询", "投诉", "建议", "求助"], [35, 35, 15, 15])[0]
        code = rng.choices(codes, weights)[0]
        topic = rng.choice(TOPICS[code][1])
        surname = rng.choice("张王李赵刘陈杨黄周吴徐孙")
        line = {
            "id": f"XX-DEMO-{number:05d}",
            "mailbox": box,
            "received_at": received.isoformat(),
            "kind": kind,
            "title": f"关于{topic}的{kind}",
            "body": f"我是{surname}某，想反映{topic}的问题，已经持续一段时间，希望有关部门尽快处理并答复。",
            "writer_name": surname + rng.choice(["建国", "丽华", "志强", "秀英", "海燕", "明"]),
            "writer_phone": f"1{rng.choice('3578')}{rng.randrange(10**8, 10**9)}",
            "public_consent": rng.random() < 0.6,
            "refused_reason": None,
            "unit": None,
            "replied_at": None,
            "finished_at": None,
            "rating": None,
        }
        if rng.random() < 0.3:
            line["refused_reason"] = rng.choice(REFUSALS)
        else:
            line["unit"] = orgs[code].credit_code
            limit = 5 if kind in ("咨询", "求助") else 15
            delay = dt.timedelta(days=rng.triangular(1, limit * 1.7, limit * 0.7), hours=rng.randrange(0, 8))
            replied = received + delay
            if replied.date() < today and rng.random() < 0.93:
                line["replied_at"] = replied.isoformat()
                if rng.random() < 0.9 and (replied + dt.timedelta(days=3)).date() < today:
                    line["finished_at"] = (replied + dt.timedelta(days=rng.randrange(1, 4))).isoformat()
                    if rng.random() < 0.7:
                        line["rating"] = rng.choices(["满意", "基本满意", "不满意"], [75, 18, 7])[0]
        lines.append(line)
    return lines


@demo_step(71, "书记县长信箱")
def build_mailboxes(ctx: DemoContext) -> None:
    from django.utils import timezone

    from zhengwu.core.demo_core import DEMO_PASSWORD
    from zhengwu.core.models import Role, Staff
    from zhengwu.core.services import dispatch as engine
    from zhengwu.core.services.staff import assign_roles

    from .models import Letter
    from .services import mailbox as svc
    from .services.mailbox_import import import_letters

    svc.load_mailbox_rules()
    orgs = ctx.objects["orgs"]
    for username, display_name, role, org in ACCOUNTS:
        staff = Staff(username=username, display_name=display_name, organization=orgs[org])
        staff.set_password(DEMO_PASSWORD)
        staff.save()
        assign_roles(staff=staff, roles=[Role.objects.get(code=role)], actor=None)
    intro = "来信请使用真实姓名和联系方式，写明具体事项。咨询、求助类来信一般在5个工作日内答复，投诉、建议类在15个工作日内答复。"
    svc.create_mailbox(code="xianzhang", name="县长信箱", organization=orgs["ZFB"], intro=intro, sort_order=1)
    svc.create_mailbox(code="shuji", name="书记信箱", organization=orgs["ZFB"], intro=intro, sort_order=0)

    today = timezone.localdate()
    lines = year_of_letters(ctx, orgs, today=today)
    summary = import_letters([json.dumps(line, ensure_ascii=False) for line in lines])

    # 来信选登: replies of finished letters whose writers agreed, masked as a reviewer would publish them.
    rng = ctx.rng
    published = 0
    for letter in Letter.objects.filter(public_consent=True, finished_at__isnull=False).select_related(
        "lead_unit"
    ):
        letter.public_reply = (
            f"您好！您反映的问题已收悉。经{letter.lead_unit.name}核实，已安排专人处理，"
            "相关情况已电话告知。感谢您对我县工作的关心和支持。"
        )
        if rng.random() < 0.5:
            letter.published = True
            letter.published_title = letter.title
            letter.published_body = svc.clean_for_publication(letter, letter.body)
            letter.published_reply = svc.clean_for_publication(letter, letter.public_reply)
            letter.published_at = letter.released_at
            published += 1
        letter.save(
            update_fields=[
                "public_reply",
                "published",
                "published_title",
                "published_body",
                "published_reply",
                "published_at",
            ]
        )

    # Live letters, as a working morning leaves them.
    office = Staff.objects.get(username="xx_office")
    box = svc.Mailbox.objects.get(code="xianzhang")
    now = timezone.now()
    svc.submit_letter(
        mailbox=box,
        kind="求助",
        title="青山镇到县城的班车停运",
        body="青山镇到县城的早班车从上周起停运，学生和老人进城很不方便，请帮忙协调恢复。",
        writer_name="刘秀英",
        writer_phone="13912340001",
        public_consent=True,
        at=now - dt.timedelta(hours=1),
    )
    waiting = svc.submit_letter(
        mailbox=box,
        kind="投诉",
        title="人民路夜市噪声扰民",
        body="人民路夜市每天营业到凌晨两点，音响声音很大，附近居民无法休息。",
        writer_name="黄志强",
        writer_phone="13912340002",
        public_consent=True,
        at=now - dt.timedelta(hours=5),
    )
    svc.screen_letter(letter=waiting, valid=True, actor=office, at=now - dt.timedelta(hours=4))
    svc.assign_letter(letter=waiting, unit=orgs["CGJ"], actor=office, at=now - dt.timedelta(hours=4))
    replied = svc.submit_letter(
        mailbox=box,
        kind="咨询",
        title="老旧小区改造什么时候开始",
        body="我住在城东幸福小区，听说今年要进行老旧小区改造，请问什么时候开工？",
        writer_name="周海燕",
        writer_phone="13912340003",
        public_consent=True,
        at=now - dt.timedelta(days=2),
    )
    svc.screen_letter(letter=replied, valid=True, actor=office, at=now - dt.timedelta(days=2, hours=-1))
    assignment = svc.assign_letter(
        letter=replied, unit=orgs["ZJJ"], actor=office, at=now - dt.timedelta(days=2, hours=-2)
    )
    engine.sign_assignment(
        assignment=assignment,
        actor=Staff.objects.get(username="zjj_handler"),
        at=now - dt.timedelta(days=1, hours=20),
    )
    engine.reply_case(
        assignment=assignment,
        actor=Staff.objects.get(username="zjj_handler"),
        text="您好！幸福小区已列入今年老旧小区改造计划，预计下月开工，施工前将在小区张贴公告。",
        at=now - dt.timedelta(hours=6),
    )
    ctx.log(
        f"信箱来信 {summary.created + 3} 封（不予受理 {summary.refused} 封，已答复 {summary.replied} 封，"
        f"办结 {summary.finished} 封，来信选登 {published} 封）"
    )
