"""Wagtail's workflow admin with the 三审 rule: a workflow or a step is never enabled while a step's review group
has no active member. The views are Wagtail's own, checked before they save; ``zhengwu/urls.py`` mounts these
paths ahead of the admin's."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.views.decorators.http import require_POST
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views import workflows
from wagtail.models import Task, Workflow
from wagtail.permissions import policy_registry

from .editorial import activate_task, activate_workflow, task_problems


def _tasks_in_form(form) -> list:
    formset = getattr(form, "formsets", {}).get("workflow_tasks")
    if formset is None:
        return []
    tasks = []
    for sub in formset.forms:
        data = getattr(sub, "cleaned_data", None) or {}
        if data.get("task") and not data.get("DELETE"):
            tasks.append(data["task"])
    return tasks


def _refuse_unstaffed(view, form):
    problems = [problem for task in _tasks_in_form(form) for problem in task_problems(task)]
    if problems:
        for problem in problems:
            form.add_error(None, f"不能启用：{problem}")
        view.produced_error_message = "工作流未保存：有审核步骤的审核组没有在岗成员。"
        return view.form_invalid(form)
    return None


class GuardedCreateWorkflow(workflows.Create):
    def form_valid(self, form):
        return _refuse_unstaffed(self, form) or super().form_valid(form)


class GuardedEditWorkflow(workflows.Edit):
    def form_valid(self, form):
        if self.object.active:
            refused = _refuse_unstaffed(self, form)
            if refused:
                return refused
        return super().form_valid(form)


class GuardedEditTask(workflows.EditTask):
    def form_valid(self, form):
        groups = form.cleaned_data.get("groups")
        in_active_workflow = self.object.workflow_tasks.filter(workflow__active=True).exists()
        if groups is not None and self.object.active and in_active_workflow:
            if not any(group.user_set.filter(is_active=True).exists() for group in groups):
                form.add_error(
                    "groups",
                    f"审核步骤“{self.object.name}”在使用中，所选审核组没有在岗成员，提交到这一步的稿件将无人审核："
                    "请先为审核组添加成员。",
                )
                self.produced_error_message = "审核步骤未保存：所选审核组没有在岗成员。"
                return self.form_invalid(form)
        return super().form_valid(form)


def _can_add(request, model) -> bool:
    return policy_registry.get_by_type(model).user_has_permission(request.user, "add")


@require_POST
def enable_workflow(request, pk: int):
    workflow = get_object_or_404(Workflow, pk=pk)
    if not _can_add(request, Workflow):
        raise PermissionDenied
    try:
        activate_workflow(workflow=workflow, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"工作流“{workflow.name}”已启用。")
    return redirect("wagtailadmin_workflows:edit", workflow.pk)


@require_POST
def enable_task(request, pk: int):
    task = get_object_or_404(Task, pk=pk)
    if not _can_add(request, Task):
        raise PermissionDenied
    try:
        activate_task(task=task, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"审核步骤“{task.name}”已启用。")
    return redirect("wagtailadmin_workflows:edit_task", task.pk)


urlpatterns = [
    path("add/", require_admin_access(GuardedCreateWorkflow.as_view())),
    path("enable/<int:pk>/", require_admin_access(enable_workflow)),
    path("edit/<int:pk>/", require_admin_access(GuardedEditWorkflow.as_view())),
    path("tasks/enable/<int:pk>/", require_admin_access(enable_task)),
    path("tasks/edit/<int:pk>/", require_admin_access(GuardedEditTask.as_view())),
]
