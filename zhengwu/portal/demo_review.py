"""The demo county's 三审: reviewers for every step of every site (the portal, 发改委 and 青山镇 sub-sites), then the
review switched on — which fails loudly if a site of the demo has a step nobody is in."""

from __future__ import annotations

from zhengwu.core.registry import DemoContext, demo_step, register_demo_accounts

# (username, display name, role code, org short code)
ACCOUNTS = [
    ("deputy_editor", "何复审", "reviewer", "ZSJ"),
    ("fgw_reviewer", "林初审", "reviewer", "FGW"),
    ("fgw_deputy", "邓复审", "reviewer", "FGW"),
    ("qs_reviewer", "黄初审", "reviewer", "QSZ"),
    ("qs_deputy", "许复审", "reviewer", "QSZ"),
    ("qs_head", "罗镇长", "reviewer", "QSZ"),
]
register_demo_accounts(ACCOUNTS)

# (username, org short code of the site's host organization, group of the site: 编辑 or a review step)
MEMBERS = [
    ("editor", "SFX", "编辑"),
    ("reviewer", "SFX", "初审"),
    ("deputy_editor", "SFX", "复审"),
    ("chief_editor", "SFX", "终审"),
    ("fgw_liaison", "FGW", "编辑"),
    ("fgw_reviewer", "FGW", "初审"),
    ("fgw_deputy", "FGW", "复审"),
    ("fgw_admin", "FGW", "终审"),
    ("qs_liaison", "QSZ", "编辑"),
    ("qs_reviewer", "QSZ", "初审"),
    ("qs_deputy", "QSZ", "复审"),
    ("qs_head", "QSZ", "终审"),
]


@demo_step(31, "三审流程与审核组成员")
def build_review(ctx: DemoContext) -> None:
    from django.contrib.auth.models import Group

    from zhengwu.core.demo_core import DEMO_PASSWORD
    from zhengwu.core.models import Staff
    from zhengwu.core.services.staff import create_staff

    from .editorial import activate_site_review

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
    sites = {site.root_page.specific.organization.code: site for site in ctx.objects["sites"]}
    for username, org, group in MEMBERS:
        site = sites[org]
        Staff.objects.get(username=username).groups.add(Group.objects.get(name=f"{site.site_name}{group}"))
    for site in ctx.objects["sites"]:
        activate_site_review(site=site, actor=None)
    ctx.log(f"三审：{len(ctx.objects['sites'])} 个网站，审核账号 {len(ACCOUNTS)} 个")


# (site org short code, category, description, reply or "" to leave it waiting)
ERROR_REPORTS = [
    ("SFX", "broken_link", "“政策解读”栏目第三页的“下一页”链接打不开。", ""),
    ("SFX", "typo", "政务要闻中“疫情防控”误写为“疫情防空”。", "已更正错别字，感谢您的指正。"),
    ("FGW", "outdated", "发改委子站“价格监测”栏目最近一次更新还是半年前。", ""),
    ("QSZ", "service", "青山镇子站“便民服务”中的办事指南附件下载后无法打开。", ""),
    (
        "QSZ",
        "broken_link",
        "青山镇子站首页“镇情简介”链接指向的页面不存在。",
        "已修复链接，现在可以正常打开。",
    ),
]


@demo_step(33, "网站纠错示例")
def build_error_reports(ctx: DemoContext) -> None:
    from zhengwu.core.models import Staff

    from .models import ErrorReportStatus
    from .services import error_report_handlers, handle_error_report, submit_error_report

    sites = {site.root_page.specific.organization.code: site for site in ctx.objects["sites"]}
    for code, category, description, reply in ERROR_REPORTS:
        report = submit_error_report(site=sites[code], category=category, description=description)
        if reply:
            handler = error_report_handlers(report.organization)[0]
            handle_error_report(
                report=report,
                status=ErrorReportStatus.FIXED,
                reply=reply,
                actor=Staff.objects.get(pk=handler.pk),
            )
    ctx.log(f"网站纠错 {len(ERROR_REPORTS)} 条")


# Drafts waiting in review, so that each step has something to do: (site org code, author, title, body, approvals)
REVIEW_DRAFTS = [
    (
        "SFX",
        "editor",
        "县政务服务中心推出周六“不打烊”服务",
        "<p>自下月起，县政务服务中心每周六上午开放综合受理窗口，办理社保、医保、户籍等高频事项。</p>",
        [],
    ),
    (
        "SFX",
        "editor",
        "县数据局部署年度网站集约化平台安全检查",
        "<p>县政务服务数据管理局对集约化平台上的各部门子站开展安全检查，重点排查弱口令和过期链接。</p>",
        ["reviewer"],
    ),
    (
        "FGW",
        "fgw_liaison",
        "县发改委公布第四季度重点项目推进情况",
        "<p>第四季度全县重点项目完成投资进度符合年度计划，县发改委将继续做好要素保障。</p>",
        ["fgw_reviewer", "fgw_deputy"],
    ),
    (
        "QSZ",
        "qs_liaison",
        "青山镇开展冬季农村道路安全隐患排查",
        "<p>青山镇组织交管办、各村委会对辖区农村道路的急弯、陡坡和临水路段进行排查，设置警示标志。</p>",
        [],
    ),
]


@demo_step(45, "三审中的稿件")
def build_review_drafts(ctx: DemoContext) -> None:
    from django.utils import timezone
    from wagtail.models import Page

    from zhengwu.core.models import Staff

    from .models import ArticlePage, ColumnPage

    sites = {site.root_page.specific.organization.code: site for site in ctx.objects["sites"]}
    for number, (code, author, title, body, approvals) in enumerate(REVIEW_DRAFTS, start=1):
        site = sites[code]
        column = ColumnPage.objects.descendant_of(site.root_page).filter(column_kind="news").first()
        column = column or ColumnPage.objects.descendant_of(site.root_page).first()
        editor = Staff.objects.get(username=author)
        draft = ArticlePage(
            title=title,
            slug=f"review-draft-{number}",
            body=body,
            live=False,
            published_at=timezone.now(),
            source=site.site_name,
            owner=editor,
        )
        column.add_child(instance=draft)
        draft.save_revision(user=editor)
        state = draft.get_workflow().start(draft, editor)
        for username in approvals:
            task_state = Page.objects.get(pk=draft.pk).specific.current_workflow_state.current_task_state
            task_state.approve(user=Staff.objects.get(username=username), comment="同意，请下一步审核。")
        ctx.log(f"{title}：{state.current_task_state.task.name if state.current_task_state else ''}")
