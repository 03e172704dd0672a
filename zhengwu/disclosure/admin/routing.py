"""依申请公开办理机构 in the staff admin: every body, whether it takes requests, which office handles them, who in
that office can act, and what is wrong; editing a body's routing (county-wide configuration)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse

from zhengwu.core.models import Organization

from ..forms import apply_service_errors
from ..selectors.routing import route_for, routing_table
from ..services.routing import set_request_route
from .base import AdminPage

VIEW = "disclosure.view_requestroute"
CHANGE = "disclosure.change_requestroute"


class RouteForm(forms.Form):
    accepts_requests = forms.BooleanField(label="受理政府信息公开申请", required=False)
    handling_office = forms.ModelChoiceField(
        label="办理机构",
        queryset=Organization.objects.filter(is_active=True).order_by("path"),
        help_text="申请由该机构中具有办理权限的工作人员办理；本机关自行办理的选本机关。",
    )


class RoutingListView(AdminPage):
    template_name = "disclosure/admin/routing_list.html"
    page_title = "依申请公开办理机构"
    permission = VIEW
    crumbs = [("", "依申请公开办理机构")]

    def get(self, request: HttpRequest) -> HttpResponse:
        rows = routing_table()
        problems = [row for row in rows if row.problems]
        return self.render_to_response(
            self.get_context_data(
                rows=rows,
                problems=problems,
                open_count=sum(1 for row in rows if row.open_to_public),
                can_change=request.user.has_perm(CHANGE),
            )
        )


class RoutingEditView(AdminPage):
    template_name = "disclosure/admin/routing_form.html"
    permission = CHANGE

    def get_page_title(self):
        return f"{self.org.name}依申请公开办理机构"

    def get_crumbs(self):
        return [(reverse("disclosure_admin_routing"), "依申请公开办理机构"), ("", self.org.name)]

    def _render(self, form: RouteForm) -> HttpResponse:
        return self.render_to_response(
            self.get_context_data(form=form, org=self.org, route=route_for(self.org))
        )

    def get(self, request: HttpRequest, org_id: int) -> HttpResponse:
        self.org = get_object_or_404(Organization, pk=org_id)
        route = route_for(self.org)
        initial = {
            "accepts_requests": route.accepts or not route.configured,
            "handling_office": route.office or self.org,
        }
        return self._render(RouteForm(initial=initial))

    def post(self, request: HttpRequest, org_id: int) -> HttpResponse:
        self.org = get_object_or_404(Organization, pk=org_id)
        form = RouteForm(request.POST)
        if form.is_valid():
            try:
                set_request_route(
                    organization=self.org,
                    accepts_requests=form.cleaned_data["accepts_requests"],
                    handling_office=form.cleaned_data["handling_office"],
                    actor=request.user,
                    http_request=request,
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, f"已保存{self.org.name}的依申请公开办理机构。")
                return HttpResponseRedirect(reverse("disclosure_admin_routing"))
        return self._render(form)
