"""Staff admin pages of the inspection app (mounted in the Wagtail admin by wagtail_hooks). Thin: parse, check
permission, call one service or selector, render."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhengwu.core.models import Organization
from zhengwu.core.scoping import get_object_in_scope_or_404, limit_organization_choices, scope_queryset
from zhengwu.core.services.audit import audit

from . import selectors, services
from .checks.base import SEVERITY_LABELS, check_labels
from .models import Finding, FindingStatus, InspectedSite, InspectionRun
from .reports import render_docx, render_xlsx

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.is_active or not request.user.has_perm(perm):
        raise PermissionDenied("没有权限执行此操作。")


# A site's manager sees the sites of their organization's subtree; 电子政务办 (county-wide access) sees all.
SITE_SCOPE = "organization"
FINDING_SCOPE = ("organization", "site__organization")


def _sites(request: HttpRequest):
    return scope_queryset(InspectedSite.objects.all(), request.user, SITE_SCOPE)


def _site(request: HttpRequest, pk) -> InspectedSite:
    return get_object_in_scope_or_404(
        InspectedSite.objects.select_related("organization"), request.user, org_field=SITE_SCOPE, pk=pk
    )


class SiteForm(forms.Form):
    name = forms.CharField(label="网站名称", max_length=100)
    url = forms.CharField(label="首页地址", max_length=500)
    organization = forms.ModelChoiceField(
        label="主办单位", queryset=Organization.objects.filter(is_active=True), required=False
    )
    is_ours = forms.BooleanField(label="本平台建设", required=False)
    daily = forms.BooleanField(label="每日自动检查", required=False, initial=True)
    probe = forms.BooleanField(label="可用性监测", required=False, initial=True)
    check_external = forms.BooleanField(label="检查外部链接", required=False, initial=True)
    max_pages = forms.IntegerField(label="最多抓取页面数", min_value=1, max_value=200000, initial=5000)
    exclude_patterns = forms.CharField(
        label="不抓取（正则，每行一个）", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RectifyForm(forms.Form):
    note = forms.CharField(label="整改说明", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


def site_index(request: HttpRequest) -> HttpResponse:
    _require(request, "inspection.view_inspectedsite")
    form = SiteForm()
    limit_organization_choices(form.fields["organization"], request.user)
    if request.method == "POST":
        _require(request, "inspection.add_inspectedsite")
        form = SiteForm(request.POST)
        limit_organization_choices(form.fields["organization"], request.user)
        if form.is_valid():
            try:
                site = services.register_site(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"已登记网站“{site.name}”。")
                return redirect("inspection:site_detail", site.pk)
    return TemplateResponse(
        request,
        "inspection/site_index.html",
        {
            "sites": scope_queryset(selectors.sites_with_last_run(), request.user, SITE_SCOPE),
            "form": form,
            "page_title": "受检网站",
        },
    )


def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "inspection.view_inspectedsite")
    site = _site(request, pk)
    history = selectors.site_history(site)
    latest = next((h["run"] for h in history if h["run"].status == "done"), None)
    return TemplateResponse(
        request,
        "inspection/site_detail.html",
        {
            "site": site,
            "history": history,
            "latest": latest,
            "page_title": site.name,
            "open_findings": selectors.findings_list(site=site, open_only=True)[:200],
            "labels": check_labels(),
            "severity_labels": SEVERITY_LABELS,
        },
    )


@require_POST
def site_run(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "inspection.add_inspectionrun")
    site = _site(request, pk)
    from .tasks import inspect_site_task

    transaction.on_commit(lambda: inspect_site_task.enqueue(site.pk, "manual"))
    audit(
        actor=request.user,
        action="inspection.run.request",
        target=site,
        organization=site.organization,
        request=request,
    )
    messages.success(request, f"已安排检查“{site.name}”，完成后可在检查记录中查看。")
    return redirect("inspection:site_detail", site.pk)


def finding_index(request: HttpRequest) -> HttpResponse:
    _require(request, "inspection.view_finding")
    site = None
    if request.GET.get("site", "").isdigit():
        site = _site(request, request.GET["site"])
    status = request.GET.get("status") or None
    if status and status not in FindingStatus.values:
        status = None
    check = request.GET.get("check") or None
    findings = scope_queryset(
        selectors.findings_list(site=site, status=status, check=check, open_only=status is None),
        request.user,
        FINDING_SCOPE,
    )
    return TemplateResponse(
        request,
        "inspection/finding_index.html",
        {
            "findings": findings[:500],
            "total": findings.count(),
            "site": site,
            "status": status,
            "check": check,
            "sites": _sites(request).order_by("name"),
            "statuses": FindingStatus.choices,
            "labels": check_labels(),
            "severity_labels": SEVERITY_LABELS,
            "page_title": "问题清单",
            "rectify_form": RectifyForm(),
        },
    )


@require_POST
def finding_rectify(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "inspection.change_finding")
    finding = get_object_in_scope_or_404(Finding, request.user, org_field=FINDING_SCOPE, pk=pk)
    form = RectifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写整改说明。")
    else:
        try:
            services.submit_rectification(finding=finding, actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "已提交整改说明，下次检查时自动核验。")
    return redirect(request.POST.get("next") or reverse("inspection:finding_index"))


def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Problem list (.xlsx) or 通报 (.docx) of the latest completed run of one site, or of every site."""
    _require(request, "inspection.view_finding")
    if fmt not in CONTENT_TYPES:
        raise PermissionDenied("不支持的导出格式。")
    if request.GET.get("run"):
        run = get_object_or_404(
            InspectionRun.objects.select_related("site"),
            pk=request.GET["run"],
            status="done",
            site__in=_sites(request),
        )
        reports = [selectors.run_report(run)]
    else:
        allowed = list(_sites(request).values_list("pk", flat=True))
        if request.GET.get("site", "").isdigit():
            site_ids = [_site(request, request.GET["site"]).pk]
        else:
            site_ids = allowed
        reports = selectors.latest_reports(site_ids) if site_ids else []
    if not reports:
        messages.error(request, "还没有已完成的检查记录，无法导出。")
        return redirect("inspection:site_index")
    body = render_xlsx(reports) if fmt == "xlsx" else render_docx(reports)
    audit(
        actor=request.user,
        action="inspection.report.export",
        request=request,
        detail={"format": fmt, "sites": [r["url"] for r in reports]},
    )
    name = "问题清单" if fmt == "xlsx" else "网站检查通报"
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    from urllib.parse import quote

    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(f'{name}-{date.today():%Y%m%d}.{fmt}')}"
    )
    return response
