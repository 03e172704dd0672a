"""The demo county's organizations and staff (示范县, fictional)."""

from __future__ import annotations

from .registry import DemoAccount, DemoContext, demo_step, registered_demo_accounts

DEMO_PASSWORD = "Shifan@2026"
COUNTY_DIVISION = "990101"  # not a real division code: the demo county must never be mistaken for a real one

COUNTY = "示范县"

# (short code, name) — the departments of a typical county government.
DEPARTMENTS = [
    ("ZFB", "示范县人民政府办公室"),
    ("FGW", "示范县发展和改革委员会"),
    ("JTJ", "示范县教育体育局"),
    ("KGJ", "示范县科学技术和工业信息化局"),
    ("GAJ", "示范县公安局"),
    ("MZJ", "示范县民政局"),
    ("SFJ", "示范县司法局"),
    ("CZJ", "示范县财政局"),
    ("RSJ", "示范县人力资源和社会保障局"),
    ("ZRZYJ", "示范县自然资源局"),
    ("STHJJ", "示范县生态环境局"),
    ("ZJJ", "示范县住房和城乡建设局"),
    ("JTYSJ", "示范县交通运输局"),
    ("SLJ", "示范县水利局"),
    ("NYNCJ", "示范县农业农村局"),
    ("SWJ", "示范县商务局"),
    ("WGLJ", "示范县文化广电新闻出版旅游局"),
    ("WJW", "示范县卫生健康委员会"),
    ("TYJRJ", "示范县退役军人事务局"),
    ("YJGLJ", "示范县应急管理局"),
    ("SJJ", "示范县审计局"),
    ("SCJGJ", "示范县市场监督管理局"),
    ("TJJ", "示范县统计局"),
    ("YBJ", "示范县医疗保障局"),
    ("LYJ", "示范县林业局"),
    ("CGJ", "示范县城市管理局"),
    ("XSPJ", "示范县行政审批局"),
    ("XFJ", "示范县信访局"),
    ("RFB", "示范县人民防空办公室"),
    ("ZSJ", "示范县政务服务数据管理局"),
]

# (short code, name, kind) — towns and subdistricts.
TOWNS = [
    ("CDJD", "城东街道", "subdistrict"),
    ("CXJD", "城西街道", "subdistrict"),
    ("QSZ", "青山镇", "township"),
    ("BSZ", "白沙镇", "township"),
    ("SMZ", "石门镇", "township"),
    ("XCZ", "新村镇", "township"),
    ("MAZ", "马坳镇", "township"),
    ("HGZ", "黄港镇", "township"),
    ("XKZ", "溪口镇", "township"),
    ("DQZ", "大桥镇", "township"),
    ("SFZ", "上奉镇", "township"),
    ("LQX", "龙泉乡", "township"),
    ("TYX", "桃源乡", "township"),
    ("DGX", "东港乡", "township"),
    ("HKX", "杭口乡", "township"),
]

# (short code, name, parent short code)
INSTITUTIONS = [
    ("ZWFWZX", "示范县政务服务中心", "ZSJ"),
    ("RX12345", "示范县12345政务服务便民热线中心", "ZSJ"),
    ("RMTZX", "示范县融媒体中心", "ZFB"),
]

# (username, display name, role code, org short code)
STAFF = [
    ("sysadmin", "周系统", "system_admin", "ZSJ"),
    ("secadmin", "吴安全", "security_admin", "ZSJ"),
    ("auditor", "郑审计", "audit_admin", "ZSJ"),
    ("editor", "王编辑", "editor", "ZSJ"),
    ("reviewer", "李审核", "reviewer", "ZSJ"),
    ("chief_editor", "冯终审", "reviewer", "ZSJ"),
    ("fgw_admin", "陈单位", "org_admin", "FGW"),
    ("fgw_liaison", "刘联络", "liaison", "FGW"),
    ("qs_liaison", "赵联络", "liaison", "QSZ"),
    ("hotline", "孙话务", "hotline", "RX12345"),
    ("leader", "钱县长", "leader", "SFX"),
]


def _credit_code(kind_prefix: str, serial: int) -> str:
    """A check-digit-valid 统一社会信用代码 for a fictional organization."""
    from .validators import make_credit_code

    return make_credit_code(f"{kind_prefix}{COUNTY_DIVISION}{serial:09d}")


@demo_step(10, "示范县机构")
def build_organizations(ctx: DemoContext) -> None:
    from .models import OrganizationKind
    from .services.orgs import create_organization

    root = create_organization(
        name="示范县人民政府",
        kind=OrganizationKind.GOVERNMENT,
        code="SFX",
        credit_code=_credit_code("11", 1),
        division_code=COUNTY_DIVISION,
        parent=None,
        actor=None,
    )
    orgs = {"SFX": root}
    for serial, (code, name) in enumerate(DEPARTMENTS, start=2):
        orgs[code] = create_organization(
            name=name,
            kind=OrganizationKind.DEPARTMENT,
            code=code,
            credit_code=_credit_code("11", serial),
            division_code=COUNTY_DIVISION,
            parent=root,
            actor=None,
        )
    for serial, (code, name, kind) in enumerate(TOWNS, start=100):
        orgs[code] = create_organization(
            name=name,
            kind=kind,
            code=code,
            credit_code=_credit_code("11", serial),
            division_code=f"{COUNTY_DIVISION}{serial:03d}000",
            parent=root,
            actor=None,
        )
    for serial, (code, name, parent) in enumerate(INSTITUTIONS, start=200):
        orgs[code] = create_organization(
            name=name,
            kind=OrganizationKind.INSTITUTION,
            code=code,
            credit_code=_credit_code("12", serial),
            division_code=COUNTY_DIVISION,
            parent=orgs[parent],
            actor=None,
        )
    ctx.objects["orgs"] = orgs
    ctx.log(f"机构 {len(orgs)} 个")


@demo_step(20, "演示账号")
def build_staff(ctx: DemoContext) -> None:
    from .models import Role
    from .services.staff import assign_roles, sync_roles

    sync_roles()
    orgs = ctx.objects["orgs"]
    for username, display_name, role_code, org_code in STAFF:
        from .models import Staff

        staff = Staff(
            username=username,
            display_name=display_name,
            organization=orgs[org_code],
            email=f"{username}@example.org",
        )
        staff.set_password(DEMO_PASSWORD)
        staff.save()
        assign_roles(staff=staff, roles=[Role.objects.get(code=role_code)], actor=None)
    ctx.log(f"账号 {len(STAFF)} 个")


def demo_accounts() -> list[DemoAccount]:
    from .models import Organization, Role, Staff

    rows = list(STAFF) + [row for row in registered_demo_accounts() if row[0] not in {s[0] for s in STAFF}]
    existing = set(
        Staff.objects.filter(username__in=[row[0] for row in rows]).values_list("username", flat=True)
    )
    rows = [row for row in rows if row[0] in existing]
    roles = {r.code: r.group.name for r in Role.objects.select_related("group")}
    orgs = {o.code: o.name for o in Organization.objects.filter(code__in={row[3] for row in rows})}
    return [
        DemoAccount(username, DEMO_PASSWORD, roles.get(role, role), orgs.get(org, org))
        for username, _name, role, org in rows
    ]


@demo_step(99, "演示历史消息")
def settle_history_messages(ctx: DemoContext) -> None:
    """The demo generates months of past cases, and with them the notifications of their time (a request received
    in spring, a work order signed last week). They are history, not news: mark them read, so that a demo account
    opens on the work waiting now (the home page counts it from the cases themselves), not on stale messages. The
    messages stay in each inbox."""
    from django.db import transaction
    from django.utils import timezone

    from .models import Notification

    def settle() -> int:
        return Notification.objects.filter(read_at__isnull=True).update(read_at=timezone.now())

    ctx.log(f"历史消息 {settle()} 条标为已读")
    # Many messages are sent once the demo's transaction commits (after each case's commit, as in production):
    # this runs after them, having been registered last.
    transaction.on_commit(settle)
