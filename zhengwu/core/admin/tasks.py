"""后台任务 in the Wagtail admin: live workers, tasks running or waiting, failed tasks with 重新执行."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.views import View
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ..selectors.tasks import task_overview
from ..services.tasks import rerun_task

VIEW_PERMISSION = "core.view_workerheartbeat"
RERUN_PERMISSION = "core.rerun_task"


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


class TaskIndexView(WagtailAdminTemplateMixin, View):
    template_name = "core/tasks/index.html"
    page_title = "后台任务"
    header_icon = "cogs"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": "后台任务"}]

    def get(self, request: HttpRequest) -> HttpResponse:
        _require(request, VIEW_PERMISSION)
        context = self.get_context_data(
            overview=task_overview(), can_rerun=request.user.has_perm(RERUN_PERMISSION)
        )
        return self.render_to_response(context)


class TaskRerunView(View):
    def post(self, request: HttpRequest, result_id: str) -> HttpResponse:
        _require(request, RERUN_PERMISSION)
        try:
            result = rerun_task(result_id=result_id, actor=request.user, request=request)
        except ValueError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已重新放入队列：{result.task_path}")
        return HttpResponseRedirect(reverse("core_tasks_index"))


@hooks.register("register_admin_urls")
def register_task_urls():
    return [
        path("tasks/", TaskIndexView.as_view(), name="core_tasks_index"),
        path("tasks/<uuid:result_id>/rerun/", TaskRerunView.as_view(), name="core_tasks_rerun"),
    ]


class TaskMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return request.user.has_perm(VIEW_PERMISSION)


@hooks.register("register_settings_menu_item")
def register_task_menu_item():
    return TaskMenuItem("后台任务", reverse("core_tasks_index"), name="tasks", icon_name="cogs", order=650)
