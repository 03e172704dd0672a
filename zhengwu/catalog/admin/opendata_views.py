"""Staff pages of the 开放 datasets: a department sets the licence of an open entry, uploads its files and links
its interface; a staff member issues and stops their own tokens of the CKAN-compatible API. Views parse and
render; ``services.opendata`` decides."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse

from zhengwu.core.scoping import get_object_in_scope_or_404

from ..models import ApiToken, Resource
from ..selectors import opendata as od
from ..services import opendata as svc
from .views import CatalogPage


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


class OpenDataView(CatalogPage):
    template_name = "catalog/admin/opendata.html"

    def get_page_title(self):
        return f"开放数据：{self.entry.name}"

    def get_crumbs(self):
        return [(reverse("catalog_resource_edit", args=[self.entry.pk]), self.entry.code), ("", "开放数据")]

    def _load(self, request: HttpRequest, pk: int) -> None:
        self.entry = get_object_in_scope_or_404(
            Resource.objects.select_related("provider", "classification"),
            request.user,
            org_field="provider",
            pk=pk,
        )

    def _render(self, request: HttpRequest, status: int = 200, **extra: Any) -> HttpResponse:
        current = getattr(self.entry, "open_dataset", None)
        context = self.get_context_data(
            entry=self.entry,
            public=od.is_public(self.entry),
            name=od.package_name(self.entry),
            licences=od.settings_()["licences"],
            licence=current.licence if current else "",
            files=list(self.entry.distributions.all()),
            allowed=", ".join(f".{k}" for k in od.settings_()["file_kinds"]),
            can_change=request.user.has_perm("catalog.change_resource"),
            **{"typed": {"title": "", "url": ""}, **extra},
        )
        return self.render_to_response(context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self._load(request, pk)
        return self._render(request)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self._load(request, pk)
        action = request.POST.get("action", "")
        title = request.POST.get("title", "")
        try:
            if action == "licence":
                svc.set_licence(
                    actor=request.user,
                    resource=self.entry,
                    licence=request.POST.get("licence", ""),
                    request=request,
                )
                messages.success(request, "已保存开放许可。")
            elif action == "upload":
                upload = request.FILES.get("file")
                if upload is None:
                    raise ValidationError("请选择要上传的数据文件。")
                svc.add_file(
                    actor=request.user,
                    resource=self.entry,
                    uploaded_file=upload,
                    title=title,
                    request=request,
                )
                messages.success(request, "已上传数据文件。")
            elif action == "api":
                svc.add_api_link(
                    actor=request.user,
                    resource=self.entry,
                    url=request.POST.get("url", ""),
                    title=title,
                    request=request,
                )
                messages.success(request, "已添加数据接口。")
            elif action == "remove":
                dist = get_object_or_404(self.entry.distributions, uuid=request.POST.get("distribution", ""))
                svc.remove_distribution(actor=request.user, distribution=dist, request=request)
                messages.success(request, f"已删除“{dist.title}”。")
            else:
                raise ValidationError("未知的操作。")
        except ValidationError as exc:
            return self._render(
                request,
                status=400,
                error=_errors(exc),
                typed={"title": title, "url": request.POST.get("url", "")},
            )
        return HttpResponseRedirect(reverse("catalog_opendata", args=[self.entry.pk]))


class ApiTokenView(CatalogPage):
    template_name = "catalog/admin/api_tokens.html"
    page_title = "数据接口令牌"

    def get_crumbs(self):
        return [("", self.page_title)]

    def _render(self, request: HttpRequest, status: int = 200, **extra: Any) -> HttpResponse:
        context = self.get_context_data(
            tokens=ApiToken.objects.filter(user=request.user), **{"typed_name": "", **extra}
        )
        return self.render_to_response(context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            if request.POST.get("action") == "revoke":
                token = get_object_or_404(ApiToken, pk=request.POST.get("token") or 0, user=request.user)
                svc.revoke_token(actor=request.user, token=token, request=request)
                messages.success(request, f"已停用令牌“{token.name}”。")
                return HttpResponseRedirect(reverse("catalog_api_tokens"))
            _, key = svc.issue_token(
                actor=request.user, user=request.user, name=request.POST.get("name", ""), request=request
            )
        except ValidationError as exc:
            return self._render(
                request, status=400, error=_errors(exc), typed_name=request.POST.get("name", "")
            )
        return self._render(request, new_key=key)


urlpatterns = [
    path("catalog/resources/<int:pk>/opendata/", OpenDataView.as_view(), name="catalog_opendata"),
    path("catalog/api-tokens/", ApiTokenView.as_view(), name="catalog_api_tokens"),
]
