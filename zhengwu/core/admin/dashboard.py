"""The admin home page as each person's 工作台: what waits for them, gathered from every app.

An app contributes by registering a function under the ``zhengwu_work_items`` Wagtail hook. It receives the
request's user and returns a :class:`WorkSection` (or ``None`` when the person has no part in that work). The
panel shows the sections in order; counts in 预警 or 超期 are marked. Wagtail's site summary ("N Pages", counts of
images and documents) is work for nobody and is taken off the home page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from wagtail import hooks
from wagtail.admin.ui.components import Component

HOOK = "zhengwu_work_items"

LEVEL_LABELS = {"warning": "预警", "overdue": "超期"}


@dataclass
class WorkItem:
    label: str
    count: int
    url: str
    level: str = ""  # "", "warning" or "overdue"


@dataclass
class WorkSection:
    title: str
    items: list[WorkItem] = field(default_factory=list)
    order: int = 100
    note: str = ""  # shown when every count is zero, e.g. "暂无待办"

    @property
    def pending(self) -> int:
        return sum(item.count for item in self.items)


def work_sections(user: Any) -> list[WorkSection]:
    sections = []
    for provider in hooks.get_hooks(HOOK):
        section = provider(user)
        if section is not None:
            sections.append(section)
    return sorted(sections, key=lambda s: (s.order, s.title))


class WorkPanel(Component):
    """我的工作台: one block per kind of work the person takes part in."""

    name = "zhengwu_work"
    order = 10

    def __init__(self, request):
        self.request = request

    def render_html(self, parent_context=None):
        user = self.request.user
        sections = work_sections(user)
        if not sections:
            if user.groups.exists() or user.is_superuser:
                return ""  # the person's work is in another panel (e.g. 12345热线)
            body = format_html("<p>{}</p>", "您的账号还没有分配业务角色，请联系安全保密管理员。")
        else:
            body = format_html_join("", "{}", ((self._section(s),) for s in sections))
        return format_html(
            '<section class="panel zw-work" aria-labelledby="zw-work-title">'
            '<h2 id="zw-work-title">我的工作台</h2>{}</section>',
            body,
        )

    @staticmethod
    def _item(item: WorkItem):
        level = LEVEL_LABELS.get(item.level, "")
        if level and item.count:
            return format_html(
                '<li class="zw-work-{}"><a href="{}">{}</a>：<strong>{}</strong> 件<span class="zw-level">（{}）</span></li>',
                item.level,
                item.url,
                item.label,
                item.count,
                level,
            )
        return format_html('<li><a href="{}">{}</a>：{}</li>', item.url, item.label, item.count)

    def _section(self, section: WorkSection):
        items = format_html_join("", "{}", ((self._item(item),) for item in section.items))
        note = format_html("<p>{}</p>", section.note) if section.note and not section.pending else ""
        return format_html("<h3>{}</h3><ul>{}</ul>{}", section.title, items, note)


@hooks.register("construct_homepage_panels")
def add_work_panel(request, panels):
    panels.insert(0, WorkPanel(request))


@hooks.register("construct_homepage_summary_items", order=1000)
def remove_site_summary(request, summary_items):
    summary_items[:] = []


# --- core's own work: the 三员 and unit administrators ----------------------------------------------------------


@hooks.register(HOOK)
def accounts_work(user) -> WorkSection | None:
    """系统管理员 / 单位管理员: the accounts they manage."""
    if not user.has_perm("core.add_staff"):
        return None
    from ..models import Staff
    from ..scoping import scope_queryset

    staff = scope_queryset(Staff.objects.filter(is_superuser=False), user, "organization")
    index = reverse("wagtailusers_users:index")
    items = [
        WorkItem("在岗账号", staff.filter(is_active=True).count(), index),
        WorkItem("已停用账号", staff.filter(is_active=False).count(), index),
        WorkItem(
            "从未登录的账号",
            staff.filter(is_active=True, last_login__isnull=True).count(),
            index,
            level="warning",
        ),
    ]
    if user.has_perm("core.view_workerheartbeat"):
        from django_tasks_db.models import DBTaskResult

        failed = DBTaskResult.objects.failed().count()
        items.append(WorkItem("失败的后台任务", failed, reverse("core_tasks_index"), level="overdue"))
    return WorkSection("账号管理", items, order=80)


@hooks.register(HOOK)
def roles_work(user) -> WorkSection | None:
    """安全保密管理员: accounts waiting for a role, and the roles themselves."""
    if not user.has_perm("core.assign_roles"):
        return None
    from django.contrib.auth.models import Group

    from ..models import Staff

    no_role = Staff.objects.filter(is_active=True, is_superuser=False, groups__isnull=True).count()
    return WorkSection(
        "角色与权限",
        [
            WorkItem("未分配角色的在岗账号", no_role, reverse("wagtailusers_users:index"), level="warning"),
            WorkItem("角色", Group.objects.count(), reverse("wagtailusers_groups:index")),
        ],
        order=81,
    )


@hooks.register(HOOK)
def audit_work(user) -> WorkSection | None:
    """安全审计员: today's audit records and the changes of accounts and permissions to look over."""
    if not user.has_perm("core.view_auditlog"):
        return None
    import datetime as dt

    from ..models import AuditLog

    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    week = start - dt.timedelta(days=7)
    index = reverse("core_auditlog:index")
    sensitive = AuditLog.objects.filter(created_at__gte=week).filter(
        Q(action__startswith="core.staff.") | Q(action__startswith="core.role")
    )
    return WorkSection(
        "安全审计",
        [
            WorkItem("今日审计记录", AuditLog.objects.filter(created_at__gte=start).count(), index),
            WorkItem("近 7 天账号和权限变更", sensitive.count(), index),
        ],
        order=82,
    )


@hooks.register(HOOK)
def inbox_work(user) -> WorkSection | None:
    from ..selectors.notifications import unread_count

    unread = unread_count(user)
    if not unread:
        return None
    return WorkSection("消息", [WorkItem("未读消息", unread, reverse("core_inbox:index"))], order=90)


@hooks.register("insert_global_admin_css")
def admin_css():
    from django.templatetags.static import static

    return format_html('<link rel="stylesheet" href="{}">', static("core/admin.css"))
