"""Admin of the portal: the visit statistics report and the error reports of the public."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import EditView, WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.models import Site
from wagtail.permissions import register_permission_policy

from zhengwu.core.admin.columns import yes_no_column
from zhengwu.core.confidentiality import describe
from zhengwu.core.scoping import OrgScopedPermissionPolicy, OrgScopedViewSetMixin
from zhengwu.core.services.audit import audit

from . import dashboard  # noqa: F401  (work items on the admin home page)
from .editorial import OVERRIDE_PERMISSION, grant_clearance, is_cleared, scan_page
from .models import ContentPage, ErrorReport, SensitiveTerm
from .selectors import daily_visits, top_pages, visit_totals
from .services import handle_error_report


class VisitReportView(WagtailAdminTemplateMixin, TemplateView):
    page_title = "访问统计"
    header_icon = "view"
    template_name = "portal/admin/visit_report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            days = min(max(int(self.request.GET.get("days", 30)), 1), 366)
        except ValueError:
            days = 30
        site = Site.objects.filter(pk=self.request.GET.get("site") or 0).first()
        until = timezone.localdate()
        since = until - dt.timedelta(days=days - 1)
        context.update(
            days=days,
            site=site,
            sites=Site.objects.order_by("-is_default_site", "site_name"),
            total=visit_totals(since=since, until=until, site=site),
            top=top_pages(since=since, until=until, site=site),
            daily=daily_visits(since=since, until=until, site=site),
            per_site=[(s, visit_totals(since=since, until=until, site=s)) for s in Site.objects.all()],
        )
        return context


@hooks.register("register_admin_urls")
def register_visit_report_url():
    return [path("reports/visits/", VisitReportView.as_view(), name="portal_visit_report")]


@hooks.register("register_reports_menu_item")
def register_visit_report_menu_item():
    return MenuItem("访问统计", reverse("portal_visit_report"), icon_name="view", order=700)


class ErrorReportPermissionPolicy(OrgScopedPermissionPolicy):
    """Reports arrive only through the public form: nobody adds or deletes them in the admin."""

    def user_has_permission(self, user, action):
        return action not in ("add", "delete") and super().user_has_permission(user, action)


class ErrorReportForm(WagtailAdminModelForm):
    class Meta:
        model = ErrorReport
        fields = ["status", "reply"]


class ErrorReportEditView(EditView):
    def save_instance(self):
        data = self.form.cleaned_data
        return handle_error_report(
            report=self.object, status=data["status"], reply=data["reply"], actor=self.request.user
        )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)


class ErrorReportViewSet(OrgScopedViewSetMixin, ModelViewSet):
    """Staff of a site's organization see and answer the error reports of their sites."""

    model = ErrorReport
    scope_org_field = "organization"
    menu_label = "网站纠错"
    icon = "warning"
    add_to_admin_menu = True
    menu_order = 310
    inspect_view_enabled = True
    edit_view_class = ErrorReportEditView
    form_fields = ["status", "reply"]
    list_display = ["tracking_number", "description", "site", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["tracking_number", "description", "page_url"]

    def get_form_class(self, for_update=False):
        return ErrorReportForm


register_permission_policy(ErrorReport, ErrorReportPermissionPolicy(ErrorReport, org_field="organization"))


@hooks.register("register_admin_viewset")
def register_error_report_viewset():
    return ErrorReportViewSet("error_reports", url_prefix="portal/errorreport")


@hooks.register("before_publish_page")
def confidentiality_review(request, page):
    """The admin's publish buttons: a flagged page is saved as a draft and not published, unless someone allowed to
    override confirms it with a reason in the same submission."""
    hits, digest = scan_page(page)
    if not hits or is_cleared(page, digest):
        return None
    wants_override = request.POST.get("confidentiality_override") in ("on", "true", "1")
    reason = request.POST.get("confidentiality_reason", "").strip()
    if wants_override and reason and request.user.has_perm(OVERRIDE_PERMISSION):
        grant_clearance(page=page, reason=reason, actor=request.user)
        return None
    audit(
        actor=request.user,
        action="portal.confidentiality.blocked",
        target=page,
        request=request,
        detail={"hits": describe(hits)},
    )
    advice = (
        "如确认可以公开，请勾选“保密审查”中的确认并填写理由后再次发布。"
        if request.user.has_perm(OVERRIDE_PERMISSION)
        else "请修改内容，或提交审核由具有保密审查权限的终审人员确认。"
    )
    messages.error(request, f"发布被保密审查拦截：{describe(hits)}。内容已保存为草稿。{advice}")
    return redirect("wagtailadmin_pages:edit", page.pk)


class SensitiveTermViewSet(ModelViewSet):
    model = SensitiveTerm
    menu_label = "保密审查敏感词"
    icon = "warning"
    add_to_settings_menu = True
    form_fields = ["term", "note", "is_active"]
    list_display = ["term", "note", yes_no_column(SensitiveTerm, "is_active"), "created_at"]
    search_fields = ["term"]


@hooks.register("register_admin_viewset")
def register_sensitive_term_viewset():
    return SensitiveTermViewSet("sensitive_terms", url_prefix="portal/sensitiveterm")


@hooks.register("register_admin_urls")
def register_push_url():
    from .admin_views import push_view

    return [path("portal/push/<int:page_id>/", push_view, name="portal_push")]


@hooks.register("register_page_header_buttons")
def push_header_button(page, user, view_name=None, next_url=None):
    from wagtail.admin.widgets import Button

    if isinstance(page.specific, ContentPage) and not page.alias_of_id and page.live:
        yield Button("同步推送", reverse("portal_push", args=[page.pk]), icon_name="resubmit", priority=60)


@hooks.register("register_admin_urls")
def register_site_import_urls():
    from .migration import views

    return [
        path("portal/site-import/", views.import_index, name="portal_site_import"),
        path("portal/site-import/<int:pk>/", views.import_detail, name="portal_site_import_detail"),
        path(
            "portal/site-import/<int:pk>/progress.json",
            views.import_progress,
            name="portal_site_import_progress",
        ),
        path(
            "portal/site-import/<int:pk>/report.<str:fmt>",
            views.import_report,
            name="portal_site_import_report",
        ),
    ]


class _SiteImportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("portal.view_siteimportrun")


@hooks.register("register_admin_menu_item")
def register_site_import_menu_item():
    return _SiteImportMenuItem(
        "网站迁移", reverse("portal_site_import"), name="site-import", icon_name="site", order=705
    )


@hooks.register("register_permissions")
def register_site_import_permissions():
    """改版迁移 in the role (group) editor, so that a security administrator can give it."""
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="portal", content_type__model="siteimportrun")
