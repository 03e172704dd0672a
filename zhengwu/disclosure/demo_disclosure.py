"""The demo county's 政府信息公开: guides, a 标准目录, a year and a half of catalogue items, about 200 applications
handled through the same services staff use (补正, consultations, extensions, fees, every kind of answer), review
cases, and last year's annual reports published (they balance: the tables come from the data).

Dates are relative to the day the demo is built; the same seed gives the same county.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from zhengwu.core.registry import DemoContext, demo_step, register_demo_accounts

DEMO_PASSWORD = "Shifan@2026"
ACCOUNTS = [
    ("xxgk", "孙公开", "disclosure_officer", "ZFB"),
    ("xxgk_head", "周主任", "disclosure_head", "ZFB"),
]
register_demo_accounts(ACCOUNTS)
ITEM_ORGS = ["SFX", "ZFB", "FGW", "CZJ", "ZRZYJ", "ZJJ", "STHJJ", "RSJ", "JTJ", "WJW", "SCJGJ", "QSZ", "BSZ"]
REQUEST_ORGS = [
    ("ZFB", 28),
    ("ZRZYJ", 16),
    ("ZJJ", 14),
    ("FGW", 8),
    ("STHJJ", 8),
    ("RSJ", 8),
    ("CZJ", 6),
    ("JTJ", 4),
    ("SCJGJ", 4),
    ("QSZ", 2),
    ("BSZ", 2),
]
KINDS = [
    ("natural_person", 70),
    ("commercial", 14),
    ("legal_services", 6),
    ("research", 3),
    ("public_interest", 3),
    ("other_org", 4),
]
CHANNELS = [("online", 40), ("in_person", 30), ("post_signed", 20), ("post_ordinary", 6), ("fax", 4)]
OUTCOMES = [
    ("published", 44),
    ("partial", 10),
    ("withheld.third_party", 3),
    ("withheld.process", 3),
    ("withheld.internal", 1),
    ("withheld.enforcement", 1),
    ("withheld.state_secret", 1),
    ("unavailable.not_held", 20),
    ("unavailable.needs_creation", 3),
    ("not_handled.petition", 5),
    ("not_handled.repeat", 3),
    ("not_handled.publication", 1),
    ("not_handled.confirmation", 1),
    ("other.other", 2),
]
WANTED = [
    "{year}年{place}征地补偿安置方案及批复文件",
    "{place}棚户区改造项目房屋征收决定及补偿方案",
    "{year}年度{org}部门预算和“三公”经费决算",
    "{place}道路改扩建工程的立项批复、环评批复和规划许可",
    "{year}年{place}农村危房改造补助对象名单",
    "{place}某小区规划设计条件和建设工程规划许可证",
    "{org}{year}年行政处罚决定书（涉及本人企业）",
    "{year}年{place}低保对象认定的相关文件",
    "{place}垃圾中转站选址论证材料",
    "{org}关于{place}拆迁安置的会议纪要",
]
PLACES = [
    "城东街道",
    "城西街道",
    "青山镇",
    "白沙镇",
    "石门镇",
    "新村镇",
    "马坳镇",
    "黄港镇",
    "溪口镇",
    "大桥镇",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["建国", "秀英", "志强", "丽华", "海燕", "国庆", "桂兰", "明", "静", "伟", "芳", "磊", "军", "霞"]
COMPANIES = [
    "示范县宏达建筑工程有限公司",
    "示范县青山农业发展有限公司",
    "湘中律师事务所",
    "示范县环保科技有限公司",
]
ITEM_TITLES = [
    ("关于做好{year}年{topic}工作的通知", "通知", "0201"),
    ("{org}关于{topic}情况的通报", "通报", "0201"),
    ("{org}{year}年{topic}工作要点", "计划", "0201"),
    ("{org}{year}年部门预算公开说明", "其他", "0401"),
    ("{org}{year}年{month}月行政许可决定公示", "公告", "0901"),
    ("{org}关于{topic}的实施意见", "意见", "0201"),
    ("{year}年{month}月{org}主要统计数据", "统计数据", "0306"),
    ("{org}{topic}专项检查结果公告", "公告", "0901"),
    ("示范县{topic}规划（{year}—{next}年）", "规划", "0303"),
]
NORMATIVE = [
    "示范县{topic}管理办法",
    "示范县{topic}实施细则",
    "关于进一步规范{topic}的若干规定",
]
TOPICS = [
    "政务公开",
    "政府网站管理",
    "政务服务事项",
    "惠民惠农资金发放",
    "农村危房改造",
    "城乡低保",
    "公共资源交易",
    "重大建设项目",
    "财政预决算公开",
    "安全生产",
    "义务教育招生",
    "生态环境保护",
]
STANDARD = [
    (
        "财政预决算",
        "CZJ",
        [
            ("财政预算", "政府预算", "政府预算报告及报表"),
            ("财政预算", "部门预算", "部门预算报表及说明"),
            ("财政决算", "部门决算", "部门决算报表及说明"),
        ],
    ),
    (
        "重大建设项目",
        "FGW",
        [
            ("批准服务信息", "审批结果", "项目审批、核准、备案结果"),
            ("招标投标信息", "中标信息", "中标候选人及中标结果"),
            ("施工有关信息", "竣工验收", "竣工验收结果"),
        ],
    ),
    ("公共资源交易", "ZFB", [("交易公告", "工程建设项目", "招标公告和资格预审公告")]),
    (
        "社会救助",
        "MZJ",
        [
            ("最低生活保障", "低保对象", "低保对象名单及保障金额"),
            ("临时救助", "救助政策", "临时救助政策文件"),
        ],
    ),
    (
        "城乡规划",
        "ZRZYJ",
        [
            ("规划编制", "国土空间规划", "国土空间总体规划"),
            ("规划许可", "建设工程规划许可", "建设工程规划许可证核发结果"),
        ],
    ),
    ("义务教育", "JTJ", [("招生入学", "招生政策", "义务教育招生入学政策")]),
]


def _pick(rng, weighted: list[tuple[Any, int]]) -> Any:
    total = sum(weight for _, weight in weighted)
    point = rng.uniform(0, total)
    for value, weight in weighted:
        point -= weight
        if point <= 0:
            return value
    return weighted[-1][0]


def _accounts(ctx: DemoContext) -> dict[str, Any]:
    from zhengwu.core.models import Role, Staff
    from zhengwu.core.services.staff import assign_roles, sync_roles

    sync_roles()
    orgs = ctx.objects["orgs"]
    staff = {}
    for username, name, role, org in ACCOUNTS:
        account = Staff.objects.filter(username=username).first()
        if account is None:
            account = Staff(
                username=username, display_name=name, organization=orgs[org], email=f"{username}@example.org"
            )
            account.set_password(DEMO_PASSWORD)
            account.save()
            assign_roles(staff=account, roles=[Role.objects.get(code=role)], actor=None)
        staff[role] = account
    return staff


# Bodies whose own liaison handles their requests; every other 行政机关 of the county has them handled by the
# county government office (政府信息公开工作机构, 条例第四条), where xxgk and xxgk_head work.
OWN_HANDLING = ("ZFB", "FGW", "QSZ")
COUNTY_OFFICE = "ZFB"


def _routing(orgs: dict[str, Any], actor: Any) -> dict[str, Any]:
    """Every body that takes requests reaches staff who can act; the guides below name the same office."""
    from zhengwu.core.models import OrganizationKind

    from .services.routing import set_request_route

    offices = {}
    for code, org in orgs.items():
        accepts = org.kind != OrganizationKind.INSTITUTION
        office = orgs[code if code in OWN_HANDLING else COUNTY_OFFICE]
        set_request_route(organization=org, accepts_requests=accepts, handling_office=office, actor=actor)
        offices[code] = office
    return offices


def _guides(orgs: dict[str, Any], actor: Any, offices: dict[str, Any]) -> int:
    from .services.catalogue import save_guide

    count = 0
    for code, org in orgs.items():
        office = offices[code]
        save_guide(
            organization=org,
            actor=actor,
            classification=f"{org.name}主动公开的政府信息按主题分为机构职能、政策文件、规划计划、财政资金、"
            "行政执法、政务服务、人事信息、其他信息等类别。",
            arrangement="公开目录按主题分类、体裁分类和发布年份编排，每条信息有唯一的索引号。",
            access_methods="主动公开的信息通过示范县人民政府门户网站、政府信息公开查阅点等渠道公开；"
            "申请获取其他政府信息的，可以通过网站在线申请、当面提交、邮寄或传真等方式提出。",
            office_name=f"{office.name}政府信息公开工作机构",
            office_address=office.address or "示范县人民路1号",
            office_hours="工作日上午8:30—12:00，下午14:30—17:30（法定节假日除外）",
            phone=office.phone or "0731-5550000",
            fax="0731-5550001",
            online_contact="/xxgk/ysqgk/",  # shown on the host and port the site is reached at
            postal_code="410000",
            request_procedure="收到申请后，能够当场答复的当场答复；不能当场答复的，自收到申请之日起20个工作日内答复；"
            "需要延长答复期限的，经政府信息公开工作机构负责人同意并告知申请人，延长的期限最长不超过20个工作日。",
            remedies="公民、法人或者其他组织认为行政机关在政府信息公开工作中侵犯其合法权益的，可以向上一级行政机关"
            "或者政府信息公开工作主管部门投诉、举报，也可以依法申请行政复议或者提起行政诉讼。",
        )
        count += 1
    return count


def _standard(orgs: dict[str, Any], actor: Any) -> list[Any]:
    from .models import StandardCatalogArea
    from .services.catalogue import save_standard_entry

    entries = []
    for area_name, org_code, rows in STANDARD:
        area = StandardCatalogArea.objects.get(name=area_name)
        for serial, (level1, level2, content) in enumerate(rows, start=1):
            entries.append(
                save_standard_entry(
                    area=area,
                    organization=orgs[org_code],
                    actor=actor,
                    serial=serial,
                    level1=level1,
                    level2=level2,
                    content=content,
                    basis="《中华人民共和国政府信息公开条例》及相关法律法规",
                    time_limit_text="信息形成或者变更之日起20个工作日内",
                    time_limit_workdays=20,
                    subject=orgs[org_code].name,
                    channels=["政府网站", "公开查阅点"],
                    audience="public",
                    mode="proactive",
                    levels=["county"],
                )
            )
    return entries


def _items(ctx: DemoContext, orgs: dict[str, Any], actor: Any, entries: list[Any]) -> tuple[int, int]:
    from .models import Genre, Theme
    from .services.catalogue import create_item, publish_item

    rng = ctx.rng
    calendar = _calendar()
    today = timezone.localdate()
    start = (today.replace(day=1) - dt.timedelta(days=540)).replace(day=1)
    themes = {theme.code: theme for theme in Theme.objects.filter(parent__isnull=False)}
    genres = {genre.name: genre for genre in Genre.objects.all()}
    per_month = max(1, round(2 * ctx.scale))
    created = late = 0
    month = start
    while month <= today:
        for code in ITEM_ORGS:
            org = orgs[code]
            for _ in range(per_month):
                written = month + dt.timedelta(days=rng.randint(0, 27))
                if written >= today:
                    continue
                is_late = rng.random() < 0.08
                delay = rng.randint(22, 35) if is_late else rng.randint(0, 12)
                published = calendar.shift(written, delay)
                if published > today:
                    continue
                title, genre, theme = rng.choice(ITEM_TITLES)
                values = dict(
                    year=written.year,
                    next=written.year + 4,
                    month=written.month,
                    org=org.name,
                    topic=rng.choice(TOPICS),
                )
                item = create_item(
                    organization=org,
                    actor=actor,
                    title=title.format(**values),
                    summary=f"{org.name}公开{title.format(**values)}的有关情况。",
                    theme=themes[theme],
                    genre=genres[genre],
                    written_on=written,
                    document_number=f"示{org.name[3:5]}发〔{written.year}〕{rng.randint(1, 60)}号"
                    if genre in ("通知", "意见")
                    else "",
                    five_publics=rng.choice(["decision", "execution", "management", "service", "result"]),
                    standard_entries=[rng.choice(entries)] if entries and rng.random() < 0.15 else None,
                )
                item = publish_item(item=item, actor=actor, published_on=published)
                created += 1
                late += item.is_late
        month = (month + dt.timedelta(days=32)).replace(day=1)
    # 行政规范性文件 for table 二: issued, repealed and in force.
    for code in ("SFX", "ZFB", "FGW", "ZJJ"):
        for year in (today.year - 2, today.year - 1, today.year):
            for index in range(2):
                written = calendar.shift(dt.date(year, 3 + index * 4, 1), rng.randint(1, 20))
                if written >= today:
                    continue
                repealed = year == today.year - 2 and index == 0
                item = create_item(
                    organization=orgs[code],
                    actor=actor,
                    title=rng.choice(NORMATIVE).format(topic=rng.choice(TOPICS)),
                    summary="行政规范性文件。",
                    theme=themes["0201"],
                    genre=genres["通知"],
                    written_on=written,
                    document_number=f"示{orgs[code].name[3:5]}规〔{year}〕{index + 1}号",
                    table2_kind="normative",
                    validity="repealed" if repealed else "valid",
                    validity_changed_on=dt.date(today.year - 1, 6, 30) if repealed else None,
                )
                publish_item(
                    item=item,
                    actor=actor,
                    published_on=min(today, calendar.shift(written, rng.randint(1, 8))),
                )
                created += 1
    return created, late


def _calendar():
    from zhengwu.core.selectors.calendar import get_work_calendar

    return get_work_calendar()


def _person(rng) -> tuple[str, str, str]:
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 20000))
    body = f"430{rng.randint(100, 999)}{birth:%Y%m%d}{rng.randint(100, 999)}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return name, "resident_id", body + check


def _application(rng, kind: str, org: Any, received: dt.date):
    from zhengwu.core.validators import make_credit_code

    from .services.requests import Application

    wanted = rng.choice(WANTED).format(
        year=received.year - rng.randint(0, 2), place=rng.choice(PLACES), org=org.name
    )
    if kind == "natural_person":
        name, id_type, number = _person(rng)
        return Application(
            applicant_kind=kind,
            applicant_name=name,
            id_type=id_type,
            id_number=number,
            phone=f"13{rng.randint(100000000, 999999999)}",
            address=f"示范县{rng.choice(PLACES)}{rng.randint(1, 200)}号",
            description=wanted,
            wanted_form=rng.choice(["paper", "electronic"]),
            delivery=rng.choice(["post", "email", "collect"]),
            email=f"applicant{rng.randint(1000, 9999)}@example.com" if rng.random() < 0.5 else "",
        )
    contact, _, _ = _person(rng)
    return Application(
        applicant_kind=kind,
        applicant_name=rng.choice(COMPANIES)
        if kind in ("commercial", "legal_services")
        else f"示范县{rng.choice(TOPICS)}促进会",
        id_type="credit_code",
        id_number=make_credit_code(f"91430100{rng.randint(100000000, 999999999)}"),
        legal_representative=contact,
        contact_name=contact,
        phone=f"0731-{rng.randint(5000000, 5999999)}",
        address="示范县人民路88号",
        description=wanted,
        wanted_form="electronic",
        delivery="email",
        email="office@example.com",
    )


def _at(day: dt.date, hour: int = 16) -> dt.datetime:
    from zhengwu.core.services.clock import as_aware

    return as_aware(day) + dt.timedelta(hours=hour)


def _requests(ctx: DemoContext, orgs: dict[str, Any], officer: Any, head: Any) -> dict[str, int]:
    from django.core.exceptions import ValidationError

    from .models import DisclosureRequest
    from .services import requests as svc

    rng = ctx.rng
    calendar = _calendar()
    today = timezone.localdate()
    first = dt.date(today.year - 2, 11, 10)
    count = max(20, round(200 * ctx.scale))
    span = (today - first).days
    stats = {"created": 0, "replied": 0, "open": 0, "submitted": 0}
    for index in range(count):
        received = calendar.shift(first + dt.timedelta(days=round(span * index / count)), 0)
        if not calendar.is_workday(received):
            received = calendar.shift(received, 1)
        if received >= today:
            break
        org = orgs[_pick(rng, REQUEST_ORGS)]
        kind = _pick(rng, KINDS)
        channel = _pick(rng, CHANNELS)
        application = _application(rng, kind, org, received)
        if channel == "online":
            request = svc.submit_request(organization=org, application=application).request
            submitted = received - dt.timedelta(days=rng.randint(0, 2))
            DisclosureRequest.objects.filter(pk=request.pk).update(submitted_at=_at(submitted, 10))
            request.refresh_from_db()
            if (today - received).days <= 3:
                stats["submitted"] += 1
                stats["created"] += 1
                continue  # waiting for 双方确认
            request = svc.confirm_receipt(
                request=request, received_on=received, actor=officer, note="电话确认"
            )
        else:
            request = svc.register_request(
                organization=org,
                application=application,
                channel=channel,
                received_on=received,
                actor=officer,
            ).request
        stats["created"] += 1
        day = received
        outcome = _pick(rng, OUTCOMES)
        roll = rng.random()

        try:
            if roll < 0.10 and calendar.shift(day, 2) <= today:
                day = calendar.shift(day, 2)
                request = svc.request_correction(
                    request=request, on=day, text="请补充所需信息的具体名称、文号或形成时间。", actor=officer
                )
                if rng.random() < 0.8 and calendar.shift(day, 6) <= today:
                    day = calendar.shift(day, 6)
                    request = svc.receive_correction(request=request, on=day, actor=officer)
                    if rng.random() < 0.3:
                        outcome = "unavailable.unclear"
                elif request.correction_deadline < today:
                    day = calendar.shift(request.correction_deadline, 1)
                    outcome = "other.no_correction"
            elif roll < 0.18 and calendar.shift(day, 5) <= today:
                day = calendar.shift(day, 5)
                svc.start_consultation(
                    request=request,
                    kind=rng.choice(["third_party", "agency"]),
                    parties=rng.choice(COMPANIES),
                    on=day,
                    actor=officer,
                )
                if calendar.shift(day, 8) <= today:
                    day = calendar.shift(day, 8)
                    svc.end_consultation(
                        request=request, on=day, opinion=rng.choice(["同意公开", "不同意公开"]), actor=officer
                    )
                    if rng.random() < 0.5:
                        outcome = "withheld.third_party"
            elif roll < 0.22 and calendar.shift(day, 4) <= today:
                day = calendar.shift(day, 4)
                notice = svc.notify_fee(
                    request=request, method="per_page", pages=rng.randint(60, 160), on=day, actor=officer
                )
                if rng.random() < 0.8 and calendar.shift(day, 3) <= today:
                    day = calendar.shift(day, 3)
                    svc.record_fee_payment(request=request, on=day, amount=notice.amount, actor=officer)
                elif notice.payment_due_on < today:
                    day = calendar.shift(notice.payment_due_on, 1)
                    outcome = "other.no_fee"
            request.refresh_from_db()
            if (
                rng.random() < 0.06
                and request.due_on
                and calendar.shift(request.due_on, -2) <= today
                and request.state == "processing"
            ):
                day = max(day, calendar.shift(request.due_on, -2))
                svc.extend_request(
                    request=request,
                    days=rng.choice([10, 15, 20]),
                    reason="申请内容涉及多个部门的档案，需要调取核实",
                    approver=head,
                    on=day,
                )
                request.refresh_from_db()
            if request.state in ("correction", "awaiting_fee") and outcome not in (
                "other.no_correction",
                "other.no_fee",
            ):
                stats["open"] += 1
                continue
            if request.state == "consultation":
                stats["open"] += 1
                continue
            late = rng.random() < 0.06
            if request.due_on is None:
                reply_day = day
            elif late:
                reply_day = calendar.shift(request.due_on, rng.randint(1, 3))
            else:
                reply_day = max(day, calendar.shift(request.due_on, -rng.randint(0, 12)))
            # Some recent ones stay open: in the last days before their due date (预警) or past it (超期).
            age = calendar.count(received, today)
            keep_open = (
                (age < 15 and rng.random() < 0.3)
                or (15 <= age <= 19 and rng.random() < 0.7)
                or (21 <= age <= 40 and rng.random() < 0.35)
            )
            if reply_day > today or (keep_open and request.state == "processing"):
                stats["open"] += 1
                continue
            text = {
                "published": "经检索，您申请的信息予以公开，已按您选择的方式提供。",
                "partial": "您申请的信息中涉及个人隐私的部分不予公开，其余部分予以提供。",
                "other.other": "申请人已撤回申请。",
            }.get(outcome, "")
            svc.reply_request(request=request, outcome=outcome, text=text, actor=officer, at=_at(reply_day))
            stats["replied"] += 1
        except ValidationError as exc:
            raise RuntimeError(
                f"演示申请 {request.tracking_number} 生成失败：{'；'.join(exc.messages)}"
            ) from exc
    return stats


def _reviews(orgs: dict[str, Any], actor: Any, year: int) -> None:
    from .services.reports import record_review_case

    record_review_case(
        organization=orgs["ZRZYJ"],
        kind="review",
        filed_on=dt.date(year, 4, 8),
        result="upheld",
        concluded_on=dt.date(year, 6, 2),
        case_number=f"示政复〔{year}〕12号",
        actor=actor,
    )
    record_review_case(
        organization=orgs["ZJJ"],
        kind="review",
        filed_on=dt.date(year, 11, 3),
        result="pending",
        case_number=f"示政复〔{year}〕31号",
        actor=actor,
    )
    record_review_case(
        organization=orgs["ZFB"],
        kind="litigation_direct",
        filed_on=dt.date(year, 7, 15),
        result="corrected",
        concluded_on=dt.date(year, 10, 20),
        case_number=f"（{year}）湘0101行初45号",
        actor=actor,
    )


def _reports(orgs: dict[str, Any], head: Any, year: int) -> int:
    from .services.reports import publish_report, save_report

    published = 0
    for code, license_count, penalties in (
        ("SFX", 5820, 640),
        ("ZFB", 0, 0),
        ("ZRZYJ", 420, 36),
        ("FGW", 160, 4),
    ):
        org = orgs[code]
        save_report(
            organization=org,
            year=year,
            overview=f"{year}年，{org.name}深入贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、"
            "不公开为例外，围绕重点领域信息公开、政策解读和回应关切，持续提升政务公开质量。\n"
            "依申请公开方面，进一步规范受理、办理、答复流程，严格按照法定时限答复。",
            problems="一是政策解读形式还不够丰富；二是部分领域信息更新不够及时。下一步将加强培训和督促检查。",
            other_matters="本年度按照《政府信息公开信息处理费管理办法》收取信息处理费的情况见下表。",
            figures={
                "license": license_count,
                "penalty": penalties,
                "enforcement": penalties // 20,
                "fees": "0" if code == "ZFB" else f"{license_count / 1000:.2f}",
            },
            actor=head,
        )
        publish_report(organization=org, year=year, actor=head)
        published += 1
    return published


@demo_step(60, "政府信息公开")
def build_disclosure(ctx: DemoContext) -> None:
    from zhengwu.core.models import Staff

    from .services.rules import load_classifications, load_disclosure_clock_policies

    load_disclosure_clock_policies()
    load_classifications()
    orgs = ctx.objects["orgs"]
    staff = _accounts(ctx)
    officer, head = staff["disclosure_officer"], staff["disclosure_head"]
    last_year = timezone.localdate().year - 1
    sysadmin = Staff.objects.filter(username="sysadmin").first()
    offices = _routing(orgs, sysadmin)
    guides = _guides(orgs, officer, offices)
    entries = _standard(orgs, officer)
    items, late = _items(ctx, orgs, officer, entries)
    stats = _requests(ctx, orgs, officer, head)
    _reviews(orgs, head, last_year)
    reports = _reports(orgs, head, last_year)
    ctx.log(
        f"公开指南 {guides} 份，标准目录事项 {len(entries)} 项，主动公开信息 {items} 条（超时 {late} 条），"
        f"依申请公开 {stats['created']} 件（已答复 {stats['replied']}，办理中 {stats['open']}，待确认 {stats['submitted']}），"
        f"{last_year}年度报告 {reports} 份"
    )
