"""站内搜索 in the Wagtail admin: 推荐结果 (recommendations attached to keywords), 搜索词统计 (the queries people
search, with the ones that found nothing, and the terms hidden from the public hot list). Staff see and manage
the sites of their organization subtree; settings for every site need county-wide access."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.views import View
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log
from wagtail.models import Site
from wagtail.permissions import register_permission_policy

from zhengwu.core.admin.columns import yes_no_column
from zhengwu.core.forms import apply_errors
from zhengwu.core.scoping import OrgScopedPermissionPolicy, OrgScopedViewSetMixin, has_county_wide_access

from ..models import HiddenSearchTerm, SearchRecommendation, SearchSynonym
from . import selectors
from .services import (
    delete_recommendation,
    delete_synonym,
    hide_hot_query,
    save_recommendation,
    save_synonym,
    scoped_sites,
    unhide_hot_query,
)

SITE_ORG_FIELD = "site__root_page__homepage__organization"
REPORT_PERMISSION = "portal.view_searchquerylog"
HIDE_PERMISSION = "portal.add_hiddensearchterm"
UNHIDE_PERMISSION = "portal.delete_hiddensearchterm"
REPORT_DAYS = {7: "最近 7 天", 30: "最近 30 天", 90: "最近 90 天", 365: "最近一年"}


# ---------------------------------------------------------------------------------------------------------------
# 推荐结果
# ---------------------------------------------------------------------------------------------------------------


class SearchRecommendationForm(WagtailAdminModelForm):
    url = forms.URLField(
        label="外部链接",
        required=False,
        assume_scheme="https",
        help_text=SearchRecommendation._meta.get_field("url").help_text,
    )

    class Meta:
        model = SearchRecommendation
        fields = [
            "keywords",
            "site",
            "page",
            "url",
            "title",
            "description",
            "sort_order",
            "is_active",
            "starts_on",
            "ends_on",
        ]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        field = self.fields["site"]
        field.queryset = Site.objects.filter(pk__in=[site.pk for site in scoped_sites(for_user)])
        if has_county_wide_access(for_user):
            field.empty_label = "全部网站"
        else:
            field.required = True
            field.empty_label = None


class ServiceErrorsMixin:
    """A service's ValidationError or PermissionDenied goes back onto the form instead of a 500."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except (ValidationError, PermissionDenied) as error:
            apply_errors(form, error)
            return self.form_invalid(form)


class RecommendationCreateView(ServiceErrorsMixin, generic.CreateView):
    def save_instance(self):
        instance = save_recommendation(
            recommendation=self.form.save(commit=False), actor=self.request.user, request=self.request
        )
        log(instance=instance, action="wagtail.create", user=self.request.user)
        return instance

    def get_initial(self):
        initial = super().get_initial()
        if keywords := self.request.GET.get("keywords", "").strip()[:200]:
            initial["keywords"] = keywords
        return initial


class RecommendationEditView(ServiceErrorsMixin, generic.EditView):
    def save_instance(self):
        instance = save_recommendation(
            recommendation=self.form.save(commit=False), actor=self.request.user, request=self.request
        )
        log(instance=instance, action="wagtail.edit", user=self.request.user)
        return instance


class RecommendationDeleteView(generic.DeleteView):
    def delete_action(self):
        log(instance=self.object, action="wagtail.delete", user=self.request.user)
        delete_recommendation(recommendation=self.object, actor=self.request.user, request=self.request)


register_permission_policy(
    SearchRecommendation, OrgScopedPermissionPolicy(SearchRecommendation, org_field=SITE_ORG_FIELD)
)


class SearchRecommendationViewSet(OrgScopedViewSetMixin, ModelViewSet):
    model = SearchRecommendation
    scope_org_field = SITE_ORG_FIELD
    icon = "pick"
    menu_label = "推荐结果"
    add_to_admin_menu = False
    add_view_class = RecommendationCreateView
    edit_view_class = RecommendationEditView
    delete_view_class = RecommendationDeleteView
    list_display = [
        "__str__",
        "keywords",
        "site",
        yes_no_column(SearchRecommendation, "is_active"),
        "sort_order",
        "updated_at",
    ]
    list_filter = ["is_active"]
    search_fields = ["keywords", "title", "description"]
    search_backend_name = None
    copy_view_enabled = False
    panels = [
        FieldPanel("keywords"),
        FieldPanel("site"),
        MultiFieldPanel([FieldPanel("page"), FieldPanel("url"), FieldPanel("title")], heading="推荐内容"),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("sort_order"), FieldPanel("is_active")]),
        FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")], heading="显示期间（可不填）"),
    ]

    def get_edit_handler(self):
        return ObjectList(self.panels, base_form_class=SearchRecommendationForm).bind_to_model(self.model)


# ---------------------------------------------------------------------------------------------------------------
# 同义词与简称
# ---------------------------------------------------------------------------------------------------------------


class CountyWideOnlyMixin:
    """The dictionary serves every site of the group: only county-wide staff change it (others may read it)."""

    def dispatch(self, request, *args, **kwargs):
        if not has_county_wide_access(request.user):
            raise PermissionDenied("同义词与简称适用于站群所有网站，只有具有全县权限的工作人员可以修改。")
        return super().dispatch(request, *args, **kwargs)


class SynonymCreateView(CountyWideOnlyMixin, ServiceErrorsMixin, generic.CreateView):
    def save_instance(self):
        instance = save_synonym(
            synonym=self.form.save(commit=False), actor=self.request.user, request=self.request
        )
        log(instance=instance, action="wagtail.create", user=self.request.user)
        return instance


class SynonymEditView(CountyWideOnlyMixin, ServiceErrorsMixin, generic.EditView):
    def save_instance(self):
        instance = save_synonym(
            synonym=self.form.save(commit=False), actor=self.request.user, request=self.request
        )
        log(instance=instance, action="wagtail.edit", user=self.request.user)
        return instance


class SynonymDeleteView(CountyWideOnlyMixin, generic.DeleteView):
    def delete_action(self):
        log(instance=self.object, action="wagtail.delete", user=self.request.user)
        delete_synonym(synonym=self.object, actor=self.request.user, request=self.request)


class SearchSynonymViewSet(ModelViewSet):
    model = SearchSynonym
    icon = "list-ul"
    menu_label = "同义词与简称"
    add_to_admin_menu = False
    add_view_class = SynonymCreateView
    edit_view_class = SynonymEditView
    delete_view_class = SynonymDeleteView
    list_display = ["__str__", "note", yes_no_column(SearchSynonym, "is_active"), "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["words", "note"]
    search_backend_name = None
    copy_view_enabled = False
    inspect_view_enabled = False
    form_fields = ["words", "note", "is_active"]


# ---------------------------------------------------------------------------------------------------------------
# 搜索词统计
# ---------------------------------------------------------------------------------------------------------------


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _site_ids(user) -> list[int] | None:
    """None: every site (county-wide access); else the ids of the user's sites."""
    if has_county_wide_access(user):
        return None
    return [site.pk for site in scoped_sites(user)]


class HideForm(forms.Form):
    query = forms.CharField(max_length=200)
    site = forms.CharField(required=False)


class QueryReportView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "portal/search/admin/report.html"
    page_title = "搜索词统计"
    header_icon = "search"
    TABS = {"zero": "无结果的搜索词", "all": "搜索词排行", "hidden": "已隐藏的热门搜索词"}

    def dispatch(self, request, *args, **kwargs):
        _require(request, REPORT_PERMISSION)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.request
        tab = request.GET.get("tab", "zero")
        tab = tab if tab in self.TABS else "zero"
        try:
            days = int(request.GET.get("days", "30"))
        except ValueError:
            days = 30
        days = days if days in REPORT_DAYS else 30
        site_ids = _site_ids(request.user)
        if tab == "zero":
            rows = selectors.zero_result_queries(site_ids=site_ids, days=days)
        elif tab == "all":
            rows = selectors.query_statistics(site_ids=site_ids, days=days)
        else:
            rows = []
        context.update(
            tab=tab,
            tabs=self.TABS,
            tab_label=self.TABS[tab],
            days=days,
            day_choices=REPORT_DAYS,
            rows=rows,
            hidden=selectors.hidden_terms(site_ids=site_ids) if tab == "hidden" else [],
            can_hide=request.user.has_perm(HIDE_PERMISSION),
            can_unhide=request.user.has_perm(UNHIDE_PERMISSION),
            can_recommend=request.user.has_perm("portal.add_searchrecommendation"),
            county_wide=site_ids is None,
        )
        return context


def _redirect_back(request: HttpRequest, tab: str) -> HttpResponse:
    return HttpResponseRedirect(reverse("search_report:index") + f"?tab={tab}")


class HideQueryView(View):
    def post(self, request: HttpRequest) -> HttpResponse:
        _require(request, HIDE_PERMISSION)
        form = HideForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请求无效。")
            return _redirect_back(request, "all")
        raw_site = form.cleaned_data["site"]
        site = None
        if raw_site and raw_site != "all":
            site = (
                Site.objects.filter(pk=raw_site).first()
                if raw_site.isascii() and raw_site.isdigit()
                else None
            )
            if site is None:
                messages.error(request, "网站不存在。")
                return _redirect_back(request, "all")
        try:
            hidden = hide_hot_query(
                query=form.cleaned_data["query"], site=site, actor=request.user, request=request
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, "；".join(getattr(error, "messages", None) or [str(error)]))
        else:
            where = site.site_name if site else "所有网站"
            messages.success(request, f"已在{where}的热门搜索中隐藏“{hidden.query}”。")
        return _redirect_back(request, "all")


class UnhideQueryView(View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        _require(request, UNHIDE_PERMISSION)
        hidden = HiddenSearchTerm.objects.filter(pk=pk).select_related("site").first()
        if hidden is None:
            messages.error(request, "该隐藏记录不存在或已被取消。")
            return _redirect_back(request, "hidden")
        try:
            unhide_hot_query(hidden=hidden, actor=request.user, request=request)
        except PermissionDenied as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"已取消隐藏“{hidden.query}”。")
        return _redirect_back(request, "hidden")


class ReportMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return request.user.has_perm(REPORT_PERMISSION)


class SearchReportViewSet(ViewSet):
    name = "search_report"
    url_prefix = "search/report"
    icon = "search"
    menu_label = "搜索词统计"
    add_to_admin_menu = False

    def get_urlpatterns(self):
        return [
            path("", QueryReportView.as_view(), name="index"),
            path("hide/", HideQueryView.as_view(), name="hide"),
            path("unhide/<int:pk>/", UnhideQueryView.as_view(), name="unhide"),
        ]

    def get_menu_item(self, order=None):
        return ReportMenuItem(
            self.menu_label, self.menu_url, name=self.menu_name, icon_name=self.menu_icon, order=order or 200
        )


class SearchAdminGroup(ViewSetGroup):
    menu_label = "站内搜索"
    menu_icon = "search"
    menu_order = 320
    items = (
        SearchRecommendationViewSet("search_recommendations", url_prefix="search/recommendations"),
        SearchSynonymViewSet("search_synonyms", url_prefix="search/synonyms"),
        SearchReportViewSet(),
    )


@hooks.register("register_admin_viewset")
def register_search_admin():
    return SearchAdminGroup()
