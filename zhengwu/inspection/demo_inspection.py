"""The demo county's website supervision: the 电子政务办's 网站监管员, each sub-site's 网站管理员, and the county's
sites in the inspection registry (no automatic runs: a demo on a laptop should not crawl itself every day)."""

from __future__ import annotations

from zhengwu.core.registry import DemoContext, demo_step, register_demo_accounts

ACCOUNTS = [("zwb_web", "韩网管", "site_supervisor", "ZSJ")]
register_demo_accounts(ACCOUNTS)

# Existing demo accounts who also manage their organization's site: (username, role code)
SITE_MANAGERS = [("fgw_admin", "site_manager"), ("qs_head", "site_manager")]


@demo_step(32, "网站检查：受检网站与网站管理员")
def build_inspection(ctx: DemoContext) -> None:
    from zhengwu.core.demo_core import DEMO_PASSWORD
    from zhengwu.core.models import Role, Staff
    from zhengwu.core.services.staff import assign_roles, create_staff

    from .models import InspectedSite
    from .services import register_site

    orgs = ctx.objects["orgs"]
    for username, display_name, role, org in ACCOUNTS:
        if not Staff.objects.filter(username=username).exists():
            create_staff(
                username=username,
                display_name=display_name,
                organization=orgs[org],
                email=f"{username}@example.org",
                password=DEMO_PASSWORD,
                roles=[role],
                actor=None,
            )
    for username, role in SITE_MANAGERS:
        staff = Staff.objects.filter(username=username).first()
        if staff is not None:
            assign_roles(
                staff=staff, roles=[*staff.groups.all(), Role.objects.get(code=role).group], actor=None
            )
    for site in ctx.objects.get("sites", []):
        url = site.root_url + "/"
        if InspectedSite.objects.filter(url=url).exists():
            continue
        register_site(
            actor=None,
            name=site.site_name,
            url=url,
            organization=site.root_page.specific.organization,
            is_ours=True,
            daily=False,
            probe=False,
        )
    ctx.log(f"受检网站 {InspectedSite.objects.count()} 个")
