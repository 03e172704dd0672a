"""The demo county's 12345 hotline: the 派单目录, a knowledge base, hotline accounts, a year of work orders with the
distributions of a county hotline (the seed report: 9,730 contacts, 7,518 work orders, 7,239 finished), and a few
live cases on the engine's clocks (waiting for intake, to sign, to review, overdue)."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from zhengwu.core.registry import DemoContext, demo_step, register_demo_accounts

BJ = ZoneInfo("Asia/Shanghai")

# top-level or second-level category path → lead unit (demo org short code)
CATALOG = {
    "城乡建设/市容环境": "CGJ",
    "城乡建设/市政设施": "ZJJ",
    "城乡建设/住房保障": "ZJJ",
    "公用事业/供水": "SLJ",
    "公用事业/供电": "KGJ",
    "公用事业/燃气": "ZJJ",
    "社会保障/社会保险": "RSJ",
    "社会保障/劳动就业": "RSJ",
    "社会保障/社会救助": "MZJ",
    "教育卫生/教育": "JTJ",
    "教育卫生/卫生健康": "WJW",
    "市场监管": "SCJGJ",
    "交通运输": "JTYSJ",
    "生态环境": "STHJJ",
    "农业农村": "NYNCJ",
    "政务服务": "XSPJ",
    "其他": "ZFB",
}
ACCOUNTS = [
    ("hotline_sup", "周值班长", "hotline_supervisor", "RX12345"),
    ("cgj_handler", "吴城管", "hotline_handler", "CGJ"),
    ("zjj_handler", "郑住建", "hotline_handler", "ZJJ"),
]
register_demo_accounts(ACCOUNTS)

KNOWLEDGE = [
    (
        "城乡建设/市容环境/占道经营",
        "流动摊贩占道经营归哪个部门管",
        "占道经营由县城市管理局负责查处。请告知具体地点和经营时段，"
        "城管执法人员将在1个工作日内到场处置；夜市临时摊点设在滨河路，每晚18时至22时开放。",
        "摆摊,夜市,流动摊贩",
        "CGJ",
    ),
    (
        "城乡建设/市容环境/噪声扰民",
        "夜间施工噪声扰民如何投诉",
        "夜间22时至次日6时禁止产生噪声的建筑施工作业（抢修、抢险作业除外）。"
        "如遇夜间施工，可拨打12345反映具体工地位置，由县生态环境局、城市管理局依法查处。",
        "施工噪声,夜间施工",
        "STHJJ",
    ),
    (
        "城乡建设/市容环境/环境卫生",
        "生活垃圾清运时间是怎样的",
        "城区生活垃圾每日清运两次：上午6时至8时、下午17时至19时。"
        "如发现垃圾桶满溢未清运，可拨打12345告知具体位置。",
        "垃圾,清运,垃圾桶",
        "CGJ",
    ),
    (
        "城乡建设/市政设施/路灯照明",
        "路灯不亮找谁维修",
        "城区道路路灯由县住房和城乡建设局负责维护。请告知路段名称和路灯杆号，一般在3个工作日内修复。",
        "路灯,不亮",
        "ZJJ",
    ),
    (
        "公用事业/供水/停水",
        "停水通知在哪里看",
        "计划停水会提前24小时在县政府门户网站“通知公告”栏目和供水公司服务号发布；"
        "突发停水可拨打供水抢修电话，或通过12345反映小区名称。",
        "停水,自来水",
        "SLJ",
    ),
    (
        "社会保障/社会保险/养老保险",
        "城乡居民养老保险怎么缴费",
        "城乡居民基本养老保险每年集中缴费，可通过税务部门手机应用、"
        "银行网点或村（社区）代办员缴纳，缴费档次由参保人自愿选择。",
        "养老保险,社保,缴费",
        "RSJ",
    ),
    (
        "社会保障/社会保险/医疗保险",
        "异地就医如何备案",
        "参保人员可通过国家医保服务平台手机应用或县医疗保障局窗口办理异地就医备案，"
        "备案后在就医地定点医院直接结算。",
        "医保,异地就医,备案",
        "YBJ",
    ),
    (
        "社会保障/劳动就业/拖欠工资",
        "被拖欠工资怎么办",
        "可向县人力资源和社会保障局劳动保障监察机构投诉，需提供劳动关系证明和欠薪情况；"
        "属于劳动争议的，可申请劳动人事争议仲裁。农民工欠薪可拨打12345，热线将转有关单位办理。",
        "欠薪,农民工工资",
        "RSJ",
    ),
    (
        "教育卫生/教育/入学招生",
        "小学一年级入学报名时间",
        "县城区小学一年级报名一般在每年7月上旬进行，按划片范围网上报名，"
        "具体时间以县教育体育局发布的招生公告为准。",
        "入学,报名,划片",
        "JTJ",
    ),
    (
        "市场监管/消费维权/商品质量",
        "买到假冒伪劣商品如何维权",
        "可先与经营者协商；协商不成的，可向县市场监督管理局投诉举报，需提供购物凭证和商品照片。",
        "假货,退货,维权",
        "SCJGJ",
    ),
    (
        "政务服务/办事咨询/证照办理",
        "营业执照在哪里办理",
        "个体工商户和企业营业执照可在县政务服务中心市场监管窗口办理，"
        "也可在网上全程办理，材料齐全的当场或1个工作日内办结。",
        "营业执照,办证",
        "XSPJ",
    ),
    (
        "政务服务/办事咨询/不动产登记",
        "二手房过户需要哪些材料",
        "买卖双方身份证明、不动产权证书、买卖合同、完税凭证等，在县政务服务中心不动产登记窗口“一窗受理”。",
        "房产证,过户",
        "ZRZYJ",
    ),
]


def _dispatch_catalog(orgs: dict) -> None:
    from .models import Category

    for category in Category.objects.all():
        code = None
        for prefix, unit in CATALOG.items():
            if category.path == prefix or category.path.startswith(prefix + "/"):
                if code is None or len(prefix) > len(code[0]):
                    code = (prefix, unit)
        if code is not None:
            category.lead_unit = orgs[code[1]]
            category.save(update_fields=["lead_unit"])
    # The 城管局's categories may also go to the 街道 where the matter lies.
    for category in Category.objects.filter(path__startswith="城乡建设/市容环境"):
        category.catalog_units.set([orgs["CDJD"], orgs["CXJD"]])


def _knowledge(orgs: dict) -> None:
    from .models import Category
    from .services.knowledge import save_entry

    for path, title, answer, keywords, unit in KNOWLEDGE:
        save_entry(
            actor=None,
            category=Category.objects.get(path=path),
            title=title,
            answer=answer,
            keywords=keywords,
            owner_unit=orgs[unit],
            source="示范县有关部门答复口径",
            valid_from=dt.date(2026, 1, 1),
            valid_until=None,
        )
    # One entry past its validity, for the owner unit to review.
    save_entry(
        actor=None,
        category=Category.objects.get(path="城乡建设/市容环境/占道经营"),
        title="2025年春节临时摊点设置",
        answer="2025年春节期间临时摊点设在人民广场东侧，开放至正月十五。",
        keywords="春节,临时摊点",
        owner_unit=orgs["CGJ"],
        source="示范县城市管理局通告",
        valid_from=dt.date(2025, 1, 15),
        valid_until=dt.date(2025, 2, 12),
    )


def year_of_lines(ctx: DemoContext, orgs: dict, *, today: dt.date) -> list[dict]:
    """Legacy-format lines for the year up to yesterday: volumes by weekday and season, kinds, outcomes, signing,
    handling times and callbacks in the proportions of a county hotline."""
    from .models import Category

    rng = ctx.rng
    target = max(20, round(9730 * ctx.scale))
    leaves = list(
        Category.objects.filter(children__isnull=True, lead_unit__isnull=False).select_related("lead_unit")
    )
    weights = [
        5 if c.path.startswith(("城乡建设", "公用事业")) else 3 if c.path.startswith("社会保障") else 1
        for c in leaves
    ]
    first = today - dt.timedelta(days=365)
    day_weights = []
    for offset in range(365):
        day = first + dt.timedelta(days=offset)
        weight = 1.25 if day.weekday() < 5 else 0.6
        weight *= 1.2 if day.month in (7, 8) else 1.0  # water and power in summer
        day_weights.append(weight)
    scale = target / sum(day_weights)
    lines = []
    number = 0
    for offset, weight in enumerate(day_weights):
        day = first + dt.timedelta(days=offset)
        count = int(weight * scale) + (1 if rng.random() < (weight * scale) % 1 else 0)
        for _ in range(count):
            number += 1
            received = dt.datetime.combine(
                day,
                dt.time(rng.choice([8, 9, 9, 10, 10, 11, 14, 15, 15, 16, 17, 19, 21]), rng.randrange(60)),
                tzinfo=BJ,
            )
            kind = rng.choices(["咨询", "求助", "投诉", "举报", "建议", "表扬"], [40, 15, 30, 5, 8, 2])[0]
            urgent = rng.random() < 0.04
            category = rng.choices(leaves, weights)[0]
            outcome = rng.choices(["派单", "直接答复", "无效"], [7518, 2017, 195])[0]
            line = {
                "id": f"DEMO-{number:06d}",
                "received_at": received.isoformat(),
                "channel": rng.choices(["电话", "网站", "微信", "短信"], [80, 8, 10, 2])[0],
                "kind": kind,
                "urgency": "紧急" if urgent else "一般",
                "category": category.path,
                "caller_name": rng.choice("张王李赵刘陈杨黄周吴") + rng.choice(["先生", "女士"]),
                "caller_phone": f"1{rng.choice('3578')}{rng.randrange(10**8, 10**9)}",
                "content": f"市民反映{category.name}方面的问题（{kind}），希望有关部门尽快处理。",
                "outcome": outcome,
            }
            if outcome == "派单":
                unit = category.lead_unit
                dispatched = received + dt.timedelta(minutes=rng.randrange(3, 40))
                assignments = []
                if rng.random() < 0.04:  # returned and re-dispatched
                    other = orgs[rng.choice(["ZJJ", "CGJ", "SCJGJ", "RSJ"])]
                    assignments.append(
                        {
                            "unit": other.credit_code,
                            "role": "主办",
                            "dispatched_at": dispatched.isoformat(),
                            "signed_at": None,
                            "returned_at": (dispatched + dt.timedelta(hours=4)).isoformat(),
                            "return_reason": "不属于本单位职责",
                        }
                    )
                    dispatched += dt.timedelta(hours=5)
                late_sign = rng.random() < 0.03
                signed = dispatched + (
                    dt.timedelta(days=2, hours=3)
                    if late_sign
                    else dt.timedelta(minutes=rng.randrange(10, 100 if urgent else 300))
                )
                assignments.append(
                    {
                        "unit": unit.credit_code,
                        "role": "主办",
                        "dispatched_at": dispatched.isoformat(),
                        "signed_at": signed.isoformat() if signed.date() < today else None,
                    }
                )
                line["assignments"] = assignments
                limit_days = 1 if urgent else 3 if kind in ("咨询", "求助", "表扬") else 13
                if rng.random() < 0.05 and not urgent:
                    line["extensions"] = [
                        {"working_days": 5, "approved_at": (signed + dt.timedelta(days=3)).isoformat()}
                    ]
                    limit_days += 5
                spread = limit_days * 1.35
                finished = signed + dt.timedelta(
                    days=rng.triangular(0.2, spread * (1.25 if rng.random() < 0.05 else 1), spread * 0.4)
                )
                done = rng.random() < 0.975 and finished.date() < today
                if done:
                    line["replied_at"] = (finished - dt.timedelta(hours=2)).isoformat()
                    line["finished_at"] = finished.isoformat()
                    if rng.random() < 0.92:
                        line["visits"] = [
                            {
                                "at": (finished + dt.timedelta(hours=rng.randrange(2, 30))).isoformat(),
                                "rating": rng.choices(["满意", "基本满意", "不满意"], [82, 13, 5])[0],
                            }
                        ]
            lines.append(line)
    return lines


@demo_step(70, "12345热线")
def build_hotline(ctx: DemoContext) -> None:
    from zhengwu.core.demo_core import DEMO_PASSWORD
    from zhengwu.core.models import Role, Staff
    from zhengwu.core.services.dispatch import request_return, sign_assignment
    from zhengwu.core.services.staff import assign_roles

    from .models import Category
    from .services.imports import import_orders
    from .services.intake import Call, dispatch_order
    from .services.open311 import Submission, issue_key, submit_request
    from .services.rules import load_categories, load_hotline_limits

    load_hotline_limits()
    load_categories()
    orgs = ctx.objects["orgs"]
    for username, display_name, role, org in ACCOUNTS:
        staff = Staff(
            username=username,
            display_name=display_name,
            organization=orgs[org],
            email=f"{username}@example.org",
        )
        staff.set_password(DEMO_PASSWORD)
        staff.save()
        assign_roles(staff=staff, roles=[Role.objects.get(code=role)], actor=None)
    _dispatch_catalog(orgs)
    _knowledge(orgs)

    from django.utils import timezone

    today = timezone.localdate()
    lines = year_of_lines(ctx, orgs, today=today)
    summary = import_orders(lines=[json.dumps(line, ensure_ascii=False) for line in lines], source="示范数据")

    # Live cases on the engine's clocks, as a working morning leaves them.
    operator = Staff.objects.get(username="hotline")
    handler = Staff.objects.get(username="cgj_handler")
    stall = Category.objects.get(path="城乡建设/市容环境/占道经营")
    now = timezone.now()
    fresh = dispatch_order(
        call=Call(
            channel="电话",
            kind="投诉",
            urgency="一般",
            category=stall,
            caller_name="王女士",
            caller_phone="13812345678",
            location="城东街道人民路菜市场",
            content="人民路菜市场门口早市摊贩占道经营，早高峰车辆无法通行。",
        ),
        unit=orgs["CGJ"],
        actor=operator,
        received_at=now - dt.timedelta(minutes=20),
    )
    signed = dispatch_order(
        call=Call(
            channel="电话",
            kind="求助",
            urgency="一般",
            category=Category.objects.get(path="城乡建设/市政设施/路灯照明"),
            caller_name="李先生",
            caller_phone="13987654321",
            location="城西街道滨河路",
            content="滨河路中段十几盏路灯连续三晚不亮，夜间行人不安全。",
        ),
        unit=orgs["ZJJ"],
        actor=operator,
        received_at=now - dt.timedelta(hours=3),
    )
    sign_assignment(assignment=signed.assignments.get(), actor=Staff.objects.get(username="zjj_handler"))
    returned = dispatch_order(
        call=Call(
            channel="微信",
            kind="投诉",
            urgency="一般",
            category=stall,
            caller_name="赵先生",
            caller_phone="13700001111",
            location="青山镇老街",
            content="老街有商户在店外摆放冰柜售卖冷饮，占用人行道。",
        ),
        unit=orgs["CGJ"],
        actor=operator,
        received_at=now - dt.timedelta(hours=2),
    )
    request_return(
        assignment=returned.assignments.get(), reason="青山镇老街属青山镇综合执法队管辖", actor=handler
    )
    _key, _secret = issue_key(name="示范县随手拍", actor=None)
    submit_request(
        key=_key,
        submission=Submission(
            service_code=Category.objects.get(path="公用事业/供水/停水").code,
            description="幸福小区7栋从早上开始停水，没有看到通知。",
            address="城东街道幸福小区7栋",
        ),
    )
    ctx.log(
        f"12345工单 {summary.created + 4} 件（派单 {summary.orders + 3} 件，办结 {summary.finished} 件），"
        f"知识库 {len(KNOWLEDGE) + 1} 条"
    )
    del fresh
