"""The 12345热线 menu, pages and home-page panel of the staff admin."""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import BooleanColumn, Column, TitleColumn
from wagtail.admin.viewsets.model import ModelViewSet

from zhengwu.core.admin.columns import yes_no_column
from zhengwu.core.models import DispatchLimit

from . import mailbox_dashboard  # noqa: F401  (registers the 工作台 section)
from .admin import hotline, manage
from .admin import mailbox as mailbox_admin
from .models import Category, Mailbox, RefusalReason


@hooks.register("register_admin_urls")
def register_hotline_urls():
    return [
        path("hotline/console/", hotline.ConsoleView.as_view(), name="hotline_console"),
        path("hotline/console/draft/", hotline.console_draft, name="hotline_console_draft"),
        path("hotline/console/knowledge/", hotline.console_knowledge, name="hotline_console_knowledge"),
        path("hotline/console/history/", hotline.console_history, name="hotline_console_history"),
        path("hotline/orders/", hotline.OrderListView.as_view(), name="hotline_orders"),
        path("hotline/orders/<int:pk>/", hotline.OrderDetailView.as_view(), name="hotline_order"),
        path("hotline/orders/<int:pk>.json", hotline.order_json, name="hotline_order_json"),
        path("hotline/attachments/<int:pk>/", hotline.reply_attachment, name="hotline_attachment"),
        path("hotline/knowledge/", manage.KnowledgeListView.as_view(), name="hotline_knowledge"),
        path("hotline/knowledge/new/", manage.KnowledgeEditView.as_view(), name="hotline_knowledge_new"),
        path(
            "hotline/knowledge/<int:pk>/", manage.KnowledgeEditView.as_view(), name="hotline_knowledge_edit"
        ),
        path("hotline/kpi/", manage.KpiView.as_view(), name="hotline_kpi"),
        path("hotline/open311-keys/", manage.KeyListView.as_view(), name="hotline_keys"),
        path("mailbox/letters/", mailbox_admin.LetterListView.as_view(), name="mailbox_letters"),
        path(
            "mailbox/letters/<int:pk>/", mailbox_admin.LetterDetailView.as_view(), name="mailbox_letter_admin"
        ),
        path("mailbox/figures/", mailbox_admin.FiguresView.as_view(), name="mailbox_figures"),
    ]


class CategoryViewSet(ModelViewSet):
    model = Category
    icon = "list-ul"
    menu_label = "诉求分类和派单目录"
    add_to_admin_menu = False
    list_display = [
        "path",
        "code",
        "lead_unit",
        yes_no_column(Category, "is_public"),
        yes_no_column(Category, "imported"),
        yes_no_column(Category, "is_active"),
    ]
    list_filter = ["is_public", "imported", "is_active"]
    search_fields = ["path", "keywords"]
    panels = [
        FieldPanel("name"),
        FieldPanel("parent"),
        FieldPanel("code"),
        FieldPanel("description"),
        FieldPanel("keywords"),
        FieldPanel("lead_unit"),
        FieldPanel("catalog_units"),
        FieldPanel("is_public"),
        FieldPanel("is_active"),
        FieldPanel("sort_order"),
    ]


def _case_type_label(limit: DispatchLimit) -> str:
    from zhengwu.core.dispatch import case_type_by_code

    try:
        return case_type_by_code(limit.case_type).label
    except LookupError:
        return limit.case_type


class DispatchLimitViewSet(ModelViewSet):
    model = DispatchLimit
    icon = "time"
    menu_label = "派单时限"
    add_to_admin_menu = False
    list_display = [
        Column("case_type", label="事项类型", accessor=_case_type_label),
        "stage",
        "urgency",
        "request_kind",
        "policy",
    ]
    panels = [
        FieldPanel("case_type"),
        FieldPanel("stage"),
        FieldPanel("urgency"),
        FieldPanel("request_kind"),
        FieldPanel("policy"),
    ]


class MailboxViewSet(ModelViewSet):
    model = Mailbox
    icon = "mail"
    menu_label = "信箱设置"
    add_to_admin_menu = False
    list_display = [
        TitleColumn("name", label="信箱名称", url_name="mailboxes:edit"),
        "organization",
        BooleanColumn("show_summary", label="公开统计"),
        BooleanColumn("is_active", label="启用"),
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]
    panels = [
        FieldPanel("name"),
        FieldPanel("code"),
        FieldPanel("organization"),
        FieldPanel("intro"),
        FieldPanel("kinds"),
        FieldPanel("deadlines"),
        FieldPanel("title_min"),
        FieldPanel("title_max"),
        FieldPanel("body_min"),
        FieldPanel("body_max"),
        FieldPanel("show_summary"),
        FieldPanel("is_active"),
        FieldPanel("sort_order"),
    ]


class RefusalReasonViewSet(ModelViewSet):
    model = RefusalReason
    icon = "cross"
    menu_label = "不予受理理由"
    add_to_admin_menu = False
    list_display = [
        TitleColumn("name", label="理由", url_name="mailbox_refusals:edit"),
        "source",
        BooleanColumn("is_active", label="启用"),
    ]
    panels = [
        FieldPanel("name"),
        FieldPanel("code"),
        FieldPanel("text"),
        FieldPanel("source"),
        FieldPanel("is_active"),
        FieldPanel("sort_order"),
    ]


mailbox_viewset = MailboxViewSet("mailboxes", url_prefix="mailbox/boxes")
refusal_viewset = RefusalReasonViewSet("mailbox_refusals", url_prefix="mailbox/refusals")
category_viewset = CategoryViewSet("hotline_categories", url_prefix="hotline/categories")
limit_viewset = DispatchLimitViewSet("dispatch_limits", url_prefix="hotline/limits")


@hooks.register("register_admin_viewset")
def register_viewsets():
    return [category_viewset, limit_viewset, mailbox_viewset, refusal_viewset]


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request) -> bool:
        return request.user.has_perm(self.permission)


class HotlineSubmenu(SubmenuMenuItem):
    def is_shown(self, request) -> bool:
        return any(item.is_shown(request) for item in self.menu.menu_items_for_request(request))


MENU = [
    ("受理台", "hotline_console", "mail", "interaction.take_calls"),
    ("工单", "hotline_orders", "list-ul", "interaction.view_workorder"),
    ("知识库", "hotline_knowledge", "help", "interaction.view_knowledgeentry"),
    ("统计", "hotline_kpi", "table", "interaction.view_hotline_kpi"),
    ("诉求分类和派单目录", "hotline_categories:index", "list-ul", "interaction.change_category"),
    ("派单时限", "dispatch_limits:index", "time", "core.change_dispatchlimit"),
    ("Open311 接口密钥", "hotline_keys", "key", "interaction.manage_open311_keys"),
]


MAILBOX_MENU = [
    ("来信", "mailbox_letters", "mail", "interaction.view_letter"),
    ("统计", "mailbox_figures", "table", "interaction.view_letter_kpi"),
    ("信箱设置", "mailboxes:index", "cog", "interaction.change_mailbox"),
    ("不予受理理由", "mailbox_refusals:index", "cross", "interaction.change_refusalreason"),
]


@hooks.register("register_admin_menu_item")
def register_mailbox_menu():
    items = [
        PermissionMenuItem(
            label,
            reverse(name),
            name="mailbox_" + name.replace(":", "_"),
            icon_name=icon,
            order=index * 10,
            permission=perm,
        )
        for index, (label, name, icon, perm) in enumerate(MAILBOX_MENU)
    ]
    return HotlineSubmenu("领导信箱", Menu(items=items), name="mailbox", icon_name="mail", order=330)


@hooks.register("register_admin_menu_item")
def register_hotline_menu():
    items = [
        PermissionMenuItem(
            label,
            reverse(name),
            name=name.replace(":", "_"),
            icon_name=icon,
            order=index * 10,
            permission=perm,
        )
        for index, (label, name, icon, perm) in enumerate(MENU)
    ]
    return HotlineSubmenu("12345热线", Menu(items=items), name="hotline", icon_name="mail", order=320)


class HotlinePanel(Component):
    """The home page's 12345 panel: what waits for this person (to sign, to review, overdue)."""

    name = "hotline"
    order = 120

    def __init__(self, request):
        self.request = request

    def render_html(self, parent_context=None):
        from .selectors.orders import workbench

        user = self.request.user
        rows = []
        if user.has_perm("core.handle_assignment"):
            rows.append(("待签收", workbench(user, queue="unsigned").count(), "?queue=unsigned"))
        if user.has_perm("core.dispatch_cases"):
            rows.append(("待审核答复", workbench(user, state="replied").count(), "?state=replied"))
            rows.append(("待回访", workbench(user, state="callback").count(), "?state=callback"))
            rows.append(("待受理（网站、Open311）", workbench(user, queue="intake").count(), "?queue=intake"))
        rows.append(("预警", workbench(user, status="warning").count(), "?status=warning"))
        rows.append(("超期", workbench(user, status="overdue").count(), "?status=overdue"))
        base = reverse("hotline_orders")
        items = format_html_join(
            "", '<li><a href="{}{}">{}：{}</a></li>', ((base, q, label, n) for label, n, q in rows)
        )
        return format_html(
            '<section class="panel" aria-labelledby="hotline-panel"><h2 id="hotline-panel">12345热线'
            "</h2><ul>{}</ul></section>",
            items,
        )


@hooks.register("construct_homepage_panels")
def add_hotline_panel(request, panels):
    if request.user.has_perm("interaction.view_workorder"):
        panels.append(HotlinePanel(request))


from . import engagement_hooks  # noqa: E402, F401  (在线访谈, 意见征集, 调查问卷)
