"""The demo county's 政务信息资源目录 and 共享申请: about 150 entries of 20 departments across the four 基础库 of
the seed reports (人口、法人、空间地理、宏观经济), reviewed and published as version 1, and sharing requests in every
state (pending on time, near and past the reply limit; granted on time, late and at once; refused; disputed and
resolved either way; expired; withdrawn). Deterministic: the same county every run, dated relative to today."""

from __future__ import annotations

import datetime as dt
import random

from zhengwu.core.registry import DemoContext, demo_step, register_demo_accounts

ACCOUNTS = [
    ("catalog_admin", "何目录", "catalog_admin", "ZSJ"),
    ("gaj_catalog", "韩联络", "liaison", "GAJ"),
    ("scjgj_catalog", "冯联络", "liaison", "SCJGJ"),
]
register_demo_accounts(ACCOUNTS)

# The seed reports' 四库. 宏观经济 is not among the 1272号 guide's 基础 项, so the county keeps it as a 项 of
# 部门信息资源 (the guide leaves those to the county).
# 库 → (class code of the 项, or (parent, segment, name) for a county 项), [(目 segment, 目 name, departments,
# base 信息项)]
LIBRARIES = [
    (
        "101",
        [
            ("001", "户籍人口", ["GAJ"], ["公民身份号码", "姓名", "性别", "出生日期", "户籍地址"]),
            ("002", "流动人口", ["GAJ"], ["公民身份号码", "姓名", "居住地址", "登记日期"]),
            ("003", "出生与死亡", ["WJW", "GAJ"], ["公民身份号码", "姓名", "事件日期", "登记机构"]),
            ("004", "婚姻登记", ["MZJ"], ["男方身份号码", "女方身份号码", "登记类型", "登记日期"]),
            ("005", "社会救助对象", ["MZJ"], ["公民身份号码", "姓名", "救助类别", "认定日期"]),
            ("006", "就业与社会保险", ["RSJ", "YBJ"], ["公民身份号码", "姓名", "参保险种", "缴费状态"]),
            ("007", "教育学籍", ["JTJ"], ["学籍号", "姓名", "学校", "年级"]),
            ("008", "退役军人", ["TYJRJ"], ["公民身份号码", "姓名", "退役时间", "安置方式"]),
        ],
    ),
    (
        "102",
        [
            ("001", "市场主体登记", ["SCJGJ"], ["统一社会信用代码", "名称", "法定代表人", "登记状态"]),
            ("002", "行政许可", ["XSPJ"], ["统一社会信用代码", "许可事项", "许可证号", "有效期至"]),
            ("003", "社会组织", ["MZJ"], ["统一社会信用代码", "名称", "业务主管单位", "登记日期"]),
            ("004", "财政预算单位", ["CZJ"], ["单位代码", "单位名称", "预算级次", "主管部门"]),
            ("005", "外贸与商贸企业", ["SWJ"], ["统一社会信用代码", "名称", "经营类别", "备案日期"]),
        ],
    ),
    (
        "103",
        [
            ("001", "基础测绘", ["ZRZYJ"], ["图幅号", "比例尺", "坐标系", "测绘日期"]),
            ("002", "国土空间规划", ["ZRZYJ"], ["地块编号", "用地性质", "面积", "规划批复文号"]),
            ("003", "住房和城乡建设", ["ZJJ"], ["项目编号", "项目名称", "坐落", "建筑面积"]),
            ("004", "水利设施", ["SLJ"], ["设施编号", "设施名称", "坐标", "管理单位"]),
            ("005", "交通路网", ["JTYSJ"], ["路线编号", "路线名称", "技术等级", "里程"]),
            ("006", "林地与农用地", ["LYJ", "NYNCJ"], ["地块编号", "地类", "面积", "权属"]),
            ("007", "生态环境监测", ["STHJJ"], ["点位编号", "监测项目", "监测值", "监测时间"]),
        ],
    ),
    (
        ("3", "01", "宏观经济"),
        [
            ("001", "国民经济核算", ["TJJ"], ["指标名称", "统计期", "数值", "计量单位"]),
            ("002", "固定资产投资", ["FGW", "TJJ"], ["项目代码", "项目名称", "总投资", "统计期"]),
            ("003", "财政收支", ["CZJ"], ["科目编码", "科目名称", "金额", "统计期"]),
            ("004", "价格监测", ["FGW"], ["商品名称", "规格", "价格", "采价日期"]),
        ],
    ),
]
# Aspect of an entry → extra 信息项; each 目 has entries for a deterministic selection of these.
ASPECTS = [
    ("基本信息", []),
    ("变更信息", ["变更事项", "变更日期"]),
    ("注销信息", ["注销原因", "注销日期"]),
    ("统计汇总", ["统计期", "数量"]),
    ("年度报告", ["年度", "报告日期"]),
    ("核验接口", ["核验结果"]),
    ("历史档案", ["档案编号", "归档日期"]),
    ("异常名录", ["列入原因", "列入日期"]),
]
# Statistics and annual reports are what the county opens to the public: no personal items, one row per town.
OPEN_ASPECTS = {"统计汇总", "年度报告"}
PERSONAL_ITEMS = {"公民身份号码", "姓名", "男方身份号码", "女方身份号码", "学籍号", "法定代表人"}
TOWN_ITEM = "乡镇（街道）"
LICENCES = ["gov-open", "cc-by-4.0", "gov-open", "cc-zero"]
# 信息项 → values its demo rows take (others get numbered or generated values by their type).
VALUES = {
    "性别": ["男", "女"],
    "登记类型": ["结婚登记", "离婚登记", "补领结婚证"],
    "参保险种": ["企业职工基本养老保险", "城乡居民基本养老保险", "失业保险", "工伤保险"],
    "缴费状态": ["正常缴费", "暂停缴费"],
    "救助类别": ["最低生活保障", "特困人员供养", "临时救助"],
    "安置方式": ["自主就业", "安排工作", "退休"],
    "登记状态": ["存续", "注销", "吊销"],
    "预算级次": ["县级"],
    "经营类别": ["批发", "零售", "进出口"],
    "比例尺": ["1:500", "1:2000", "1:10000"],
    "坐标系": ["CGCS2000"],
    "用地性质": ["居住用地", "工业用地", "商业服务业用地", "公共管理与公共服务用地"],
    "地类": ["耕地", "林地", "园地", "草地"],
    "权属": ["集体", "国有"],
    "技术等级": ["二级", "三级", "四级"],
    "监测项目": ["PM2.5", "PM10", "二氧化氮", "化学需氧量"],
    "计量单位": ["万元", "个", "人"],
    "业务主管单位": ["示范县民政局", "示范县教育和体育局", "示范县文化广电旅游局"],
    "主管部门": ["示范县财政局", "示范县教育和体育局", "示范县卫生健康局"],
    "许可事项": ["食品经营许可", "建筑工程施工许可", "排污许可"],
    "管理单位": ["示范县水利局", "乡镇水利站"],
    "学校": ["示范县第一中学", "示范县实验小学", "青山镇中心小学"],
    "年级": ["一年级", "四年级", "初二", "高一"],
    "登记机构": ["示范县人民医院", "示范县妇幼保健院"],
    "指标名称": ["地区生产总值", "社会消费品零售总额", "规模以上工业增加值"],
    "科目编码": ["101", "103", "201", "208"],
    "商品名称": ["大米", "猪肉", "鸡蛋", "食用油"],
    "规格": ["一级", "散装", "5L 桶装"],
}
NUMERIC_HINTS = ("数量", "数值", "金额", "总投资", "价格", "面积", "里程", "监测值")
CYCLES = ["实时", "每日", "每周", "每月", "每季度", "每年"]
FORMATS = ["数据库", "电子表格", "接口", "电子文件"]
CONDITIONS = "仅限依法履行职责需要，用于本部门政务服务和监管事项，不得向第三方提供"
NO_SHARE_BASIS = (
    "《中华人民共和国个人信息保护法》第三十四条；涉及国家秘密的依《中华人民共和国保守国家秘密法》"
)


def _library_classes(actor):
    from .models import ResourceClass
    from .services.rules import add_class

    for head, catalogs in LIBRARIES:
        if isinstance(head, tuple):
            parent_code, segment, name = head
            parent = ResourceClass.objects.get(code=parent_code)
            item = ResourceClass.objects.filter(code=parent_code + segment).first() or add_class(
                parent=parent, segment=segment, name=name, actor=actor
            )
        else:
            item = ResourceClass.objects.get(code=head)
        for segment, name, departments, items in catalogs:
            node = ResourceClass.objects.filter(code=item.code + segment).first() or add_class(
                parent=item, segment=segment, name=name, actor=actor
            )
            yield node, name, departments, items


def _liaisons(orgs, codes):
    """One catalogue liaison per department (the three printed accounts can log in; the others cannot)."""
    from zhengwu.core.demo_core import DEMO_PASSWORD
    from zhengwu.core.models import Role, Staff
    from zhengwu.core.services.staff import assign_roles

    named = {org: (username, display_name, role) for username, display_name, role, org in ACCOUNTS}
    staff = {}
    for code in [*codes, "ZSJ"]:
        username, display_name, role = named.get(code) or (
            f"{code.lower()}_catalog",
            f"{code}目录联络员",
            "liaison",
        )
        user = Staff(
            username=username,
            display_name=display_name,
            organization=orgs[code],
            email=f"{username}@example.org",
        )
        if code in named:
            user.set_password(DEMO_PASSWORD)
        else:
            user.set_unusable_password()
        user.save()
        assign_roles(staff=user, roles=[Role.objects.get(code=role)], actor=None)
        staff[code] = Staff.objects.get(pk=user.pk)
    return staff


@demo_step(65, "政务信息资源目录与共享申请")
def build_catalog(ctx: DemoContext) -> None:
    from django.utils import timezone

    from .services import resources as catalog
    from .services.resources import ItemData, ResourceData
    from .services.rules import load_classifications
    from .services.sharing import load_sharing_clock_policies

    load_classifications()
    load_sharing_clock_policies()
    orgs = ctx.objects["orgs"]
    rng = random.Random(
        ctx.seed + 65
    )  # its own generator: the catalogue does not shift when other steps change
    departments = sorted(
        {code for _head, catalogs in LIBRARIES for *_rest, codes, _items in catalogs for code in codes}
    )
    staff = _liaisons(orgs, departments)
    admin = staff["ZSJ"]
    classes = list(_library_classes(admin))
    per_class = max(4, round(6 * min(ctx.scale, 1.0)))
    today = timezone.localdate()
    entries = []
    for node, subject, codes, base_items in classes:
        aspects = [ASPECTS[0], *rng.sample(ASPECTS[1:], per_class - 1)]
        for index, (aspect, extra_items) in enumerate(aspects):
            provider = codes[index % len(codes)]
            roll = rng.random()
            share_type = "unconditional" if roll < 0.5 else "conditional" if roll < 0.88 else "none"
            names = list(dict.fromkeys(base_items + extra_items))
            is_open = aspect in OPEN_ASPECTS
            if is_open:
                share_type = "unconditional"
                names = [TOWN_ITEM, *(name for name in names if name not in PERSONAL_ITEMS)]
            data = ResourceData(
                classification=node,
                name=f"{subject}{aspect}",
                provider=orgs[provider],
                items=[
                    ItemData(name, "日期型" if "日期" in name or name.endswith("时间") else "字符型")
                    for name in names
                ],
                share_type=share_type,
                share_condition=CONDITIONS if share_type == "conditional" else "",
                share_basis=NO_SHARE_BASIS if share_type == "none" else "",
                share_method="接口方式" if index % 2 == 0 else "文件方式",
                summary=f"示范县{orgs[provider].name.removeprefix('示范县')}掌握的{subject}{aspect}。",
                resource_format=FORMATS[index % len(FORMATS)],
                update_cycle=CYCLES[rng.randrange(len(CYCLES))],
                open_to_public=is_open,
                open_condition="",
                published_on=today - dt.timedelta(days=rng.randrange(30, 700)),
            )
            actor = staff[provider]
            entry = catalog.create_resource(actor=actor, data=data)
            catalog.submit_resource(actor=actor, resource=entry)
            entries.append(catalog.review_resource(actor=admin, resource=entry, approve=True))
            entry.data_updated_on = today - dt.timedelta(days=rng.randrange(0, 400))
            entry.save(update_fields=["data_updated_on"])
    version = catalog.publish_version(actor=admin, note="示范县政务信息资源目录（第一版）")
    requests = _sharing(ctx, entries, staff, admin)
    opened = _open_data(ctx, [e for e in entries if e.open_to_public], staff, random.Random(ctx.seed + 66))
    ctx.objects["catalog_entries"] = entries
    ctx.log(
        f"目录条目 {len(entries)} 条（{len(departments)} 个部门），目录第 {version.number} 版；共享申请 {requests} 件；"
        f"开放数据集 {opened} 个"
    )


def _open_data(ctx: DemoContext, entries, staff, rng: random.Random) -> int:
    """Each open entry gets a licence and a data file written from its 信息项 (a CSV; every other one an .xlsx as
    well), one row per town and period, as a department would upload them."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .services.opendata import add_file, set_licence

    towns = [org.name for org in ctx.objects["orgs"].values() if org.kind in {"township", "subdistrict"}]
    towns = sorted(towns) or ["城关镇"]
    for index, entry in enumerate(entries):
        actor = staff_for(staff, entry.provider)
        set_licence(actor=actor, resource=entry, licence=LICENCES[index % len(LICENCES)])
        items = list(entry.items.order_by("position", "pk"))
        header = [item.name for item in items]
        rows = [[_value(item, town, n, rng) for item in items] for n, town in enumerate(towns)]
        add_file(
            actor=actor,
            resource=entry,
            uploaded_file=SimpleUploadedFile(
                f"{entry.name}.csv", _csv(header, rows), content_type="text/csv"
            ),
            title=f"{entry.name}（CSV）",
        )
        if index % 2 == 0:
            add_file(
                actor=actor,
                resource=entry,
                uploaded_file=SimpleUploadedFile(f"{entry.name}.xlsx", _xlsx(entry.name, header, rows)),
                title=f"{entry.name}（Excel）",
            )
    return len(entries)


def _value(item, town: str, n: int, rng: random.Random) -> str:
    from django.utils import timezone

    name = item.name
    if name == TOWN_ITEM:
        return town
    if name in VALUES:
        return VALUES[name][(n + rng.randrange(len(VALUES[name]))) % len(VALUES[name])]
    if item.data_type == "日期型":
        return (timezone.localdate() - dt.timedelta(days=rng.randrange(10, 360))).isoformat()
    if name == "年度":
        return str(timezone.localdate().year - 1)
    if name == "统计期":
        year = timezone.localdate().year - 1
        return f"{year}年第{rng.randrange(1, 5)}季度"
    if name.endswith(NUMERIC_HINTS):
        return str(rng.randrange(12, 4800)) if name == "数量" else f"{rng.uniform(1, 9999):.2f}"
    return f"{name.removesuffix('名称')}{n + 1:03d}"


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")  # with a BOM, so that Excel opens it in the right encoding


def _xlsx(title: str, header: list[str], rows: list[list[str]]) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    from zhengwu.core.spreadsheets import save_workbook

    save_workbook(book, out)
    return out.getvalue()


def _sharing(ctx: DemoContext, entries, staff, admin) -> int:
    """Requests in every state, dated back from now so the reply clocks show 正常, 预警 and 超期."""
    from django.utils import timezone

    from .models import ShareType
    from .services import sharing as svc

    now = timezone.now().replace(second=0, microsecond=0)
    conditional = [e for e in entries if e.share_type == ShareType.CONDITIONAL]
    unconditional = [e for e in entries if e.share_type == ShareType.UNCONDITIONAL]
    requesters = ["SCJGJ", "XSPJ", "RSJ", "MZJ", "FGW", "ZJJ", "WJW", "TJJ"]
    counter = iter(range(10_000))

    def ask(entry, days_ago: float):
        n = next(counter)
        requester = next(
            c
            for c in requesters[n % len(requesters) :] + requesters
            if staff[c].organization_id != entry.provider_id
        )
        names = [item.name for item in entry.items.all()]
        return svc.submit_request(
            actor=staff[requester],
            resource=entry,
            purpose=f"办理{entry.name.removesuffix('信息')}相关政务服务事项时核验申请材料，减少群众重复提交",
            scenario="窗口受理和网上办理时由系统比对，结果留痕",
            items=names[: 2 + n % 3],
            at=now - dt.timedelta(days=days_ago),
        )

    def at(request, days_after: float):
        return request.submitted_at + dt.timedelta(days=days_after)

    pool = iter(conditional)
    made = 0
    for days in (1, 3, 12, 13, 20, 30):  # pending: 正常, then 预警 and 超期 as the limit nears and passes
        ask(next(pool), days)
        made += 1
    for days, answer in ((40, 5), (70, 24), (120, 9)):  # granted on time and late
        request = ask(next(pool), days)
        svc.grant_request(
            actor=staff_for(staff, request.provider), share_request=request, at=at(request, answer)
        )
        made += 1
    for days in (35, 50):  # refused with a reason
        request = ask(next(pool), days)
        svc.refuse_request(
            actor=staff_for(staff, request.provider),
            share_request=request,
            reason="申请用途超出本资源共享条件所列范围，请补充法定职责依据后重新申请",
            at=at(request, 6),
        )
        made += 1
    disputes = []
    for days in (45, 80, 90):  # disputed: one waiting, one resolved by granting, one refusal upheld
        request = ask(next(pool), days)
        svc.refuse_request(
            actor=staff_for(staff, request.provider),
            share_request=request,
            reason="涉及个人敏感信息，须经本部门主要负责人审批",
            at=at(request, 4),
        )
        svc.dispute_request(
            actor=staff_for(staff, request.requester),
            share_request=request,
            reason="核验为本部门法定职责所需，所申请信息项已按最小必要原则限定",
            at=at(request, 7),
        )
        disputes.append(request)
        made += 1
    svc.resolve_dispute(
        actor=admin,
        share_request=disputes[1],
        grant=True,
        resolution="经协调，申请用途属法定职责，同意按申请的信息项共享，期限一年",
        at=at(disputes[1], 12),
    )
    svc.resolve_dispute(
        actor=admin,
        share_request=disputes[2],
        grant=False,
        resolution="经协调，申请用途可通过无条件共享的统计汇总资源满足，维持不予共享",
        at=at(disputes[2], 12),
    )
    request = ask(next(pool), 8)  # withdrawn
    svc.withdraw_request(actor=staff_for(staff, request.requester), share_request=request, at=at(request, 2))
    made += 1
    request = ask(next(pool), 420)  # granted for a year, now past its date
    svc.grant_request(
        actor=staff_for(staff, request.provider),
        share_request=request,
        expires_on=(request.submitted_at + dt.timedelta(days=370)).date(),
        at=at(request, 5),
    )
    made += 1
    for index, entry in enumerate(unconditional[:8]):  # granted at once, some used since
        request = ask(entry, 2 + index * 9)
        if index % 2 == 0:
            svc.record_use(
                actor=staff_for(staff, request.requester),
                grant=request.grant,
                purpose="窗口受理时核验",
                at=at(request, 1),
            )
        made += 1
    svc.expire_grants(at=now)
    return made


def staff_for(staff, organization):
    return next(user for user in staff.values() if user.organization_id == organization.pk)
