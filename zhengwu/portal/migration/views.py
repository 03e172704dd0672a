"""改版迁移 in the Wagtail admin: start a site import, follow its progress, download its mapping report.

Thin views: parse, check permission and scope, call the service or a selector, render. The run itself goes through
the background task (:mod:`.tasks`); the run page reloads itself while the run is queued or running, and
``progress.json`` answers the same figures for anything that polls."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from zhengwu.core.models import Organization
from zhengwu.core.scoping import get_object_in_scope_or_404, limit_organization_choices, scope_queryset
from zhengwu.core.spreadsheets import save_workbook

from ..models import SiteImportRun, SiteImportStatus
from .report import report_workbook
from .selectors import migration_figures
from .services import PERMISSION, VIEW_PERMISSION, queue_import

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ACTIVE = (SiteImportStatus.QUEUED, SiteImportStatus.RUNNING)


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.is_active or not request.user.has_perm(perm):
        raise PermissionDenied("没有权限执行此操作。")


class ImportForm(forms.Form):
    start_url = forms.CharField(
        label="原网站地址",
        max_length=800,
        help_text="原网站首页，如 http://www.example.gov.cn/",
        error_messages={"required": "请填写原网站地址。"},
    )
    hostname = forms.CharField(
        label="目标主机名",
        max_length=255,
        help_text="导入到的网站主机名（可带端口）；不存在时在所选主办单位下新建。",
        error_messages={"required": "请填写目标主机名。"},
    )
    organization = forms.ModelChoiceField(
        label="主办单位",
        queryset=Organization.objects.all(),
        required=False,
        help_text="目标网站已存在时可不选（以该网站的主办单位为准）。",
        error_messages={"invalid_choice": "所选主办单位不存在或不在您的机构范围内，请重新选择。"},
    )
    as_of = forms.DateField(
        label="判断日期",
        required=False,
        input_formats=["%Y-%m-%d"],
        help_text="YYYY-MM-DD；晚于该日的日期视为无效，默认今天。",
        error_messages={"invalid": "判断日期应为 YYYY-MM-DD 格式的有效日期。"},
    )
    dry_run = forms.BooleanField(label="仅预览（不写入任何内容）", required=False)


def _runs(request: HttpRequest):
    return scope_queryset(
        SiteImportRun.objects.select_related("organization", "site", "created_by"),
        request.user,
        "organization",
    )


def _run(request: HttpRequest, pk: int) -> SiteImportRun:
    return get_object_in_scope_or_404(
        SiteImportRun.objects.select_related("organization", "site"),
        request.user,
        org_field="organization",
        pk=pk,
    )


def import_index(request: HttpRequest) -> HttpResponse:
    _require(request, VIEW_PERMISSION)
    can_add = request.user.has_perm(PERMISSION)
    form = ImportForm(request.POST if request.method == "POST" else None)
    limit_organization_choices(form.fields["organization"], request.user)
    if request.method == "POST":
        _require(request, PERMISSION)
        if form.is_valid():
            data = form.cleaned_data
            try:
                run = queue_import(
                    start_url=data["start_url"],
                    hostname=data["hostname"],
                    organization=data["organization"],
                    as_of=data["as_of"],
                    dry_run=data["dry_run"],
                    actor=request.user,
                )
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, "；".join(getattr(error, "messages", None) or [str(error)]))
            else:
                messages.success(request, "已开始导入，可在本页查看进度。")
                return redirect("portal_site_import_detail", run.pk)
    runs = list(_runs(request)[:50])
    return TemplateResponse(
        request,
        "portal/admin/site_import_index.html",
        {
            "form": form,
            "can_add": can_add,
            "runs": runs,
            "figures": migration_figures(user=request.user),
            "page_title": "网站迁移",
        },
    )


def _progress(run: SiteImportRun) -> dict:
    report = run.report or {}
    return {
        "id": run.pk,
        "status": run.status,
        "status_label": run.get_status_display(),
        "stage": run.stage,
        "done": run.done,
        "total": run.total,
        "active": run.status in ACTIVE,
        "error": run.error,
        "pages": len(report.get("pages", [])),
        "attachments": len(report.get("attachments", [])),
        "unmapped": len(report.get("unmapped", [])),
        "undated": sum(
            1 for p in report.get("pages", []) if p["kind"] != "column" and p["published"] is None
        ),
        "catalogue": len(report.get("catalogue", [])),
    }


def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, VIEW_PERMISSION)
    run = _run(request, pk)
    figures = migration_figures(user=request.user, site=run.site) if run.site_id else None
    return TemplateResponse(
        request,
        "portal/admin/site_import_detail.html",
        {
            "run": run,
            "progress": _progress(run),
            "site_figures": figures["imports"][0] if figures and figures["imports"] else None,
            "unmapped": (run.report or {}).get("unmapped", [])[:200],
            "page_title": "网站迁移进度",
        },
    )


def import_progress(request: HttpRequest, pk: int) -> JsonResponse:
    _require(request, VIEW_PERMISSION)
    return JsonResponse(_progress(_run(request, pk)), json_dumps_params={"ensure_ascii": False})


def import_report(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    _require(request, VIEW_PERMISSION)
    run = _run(request, pk)
    if run.status != SiteImportStatus.FINISHED or not run.report or fmt not in ("xlsx", "json"):
        raise Http404("该次导入还没有完成，暂无映射报告。")
    name = f"site-import-{run.pk}-report.{fmt}"
    if fmt == "json":
        response = HttpResponse(
            json.dumps(run.report, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
    else:
        response = HttpResponse(content_type=XLSX)
        save_workbook(report_workbook(run.report), response)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
