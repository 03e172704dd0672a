"""Shared pieces of the disclosure admin pages: permission checks, breadcrumbs, file responses, masking."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest
from django.views import View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin


def require(request: HttpRequest, *permissions: str) -> None:
    if not all(request.user.has_perm(permission) for permission in permissions):
        raise PermissionDenied


def mask(value: str, keep_start: int = 3, keep_end: int = 4) -> str:
    """A personal number as lists show it: ``110***********002X``."""
    value = value or ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def file_response(field: Any, filename: str) -> FileResponse:
    if not field:
        raise Http404("文件尚未生成。")
    return FileResponse(field.open("rb"), as_attachment=True, filename=filename)


class AdminPage(WagtailAdminTemplateMixin, View):
    """A Wagtail admin page with breadcrumbs under 政府信息公开."""

    header_icon = "doc-full"
    permission: str = ""
    crumbs: list[tuple[str, str]] = []

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any):
        if self.permission:
            require(request, self.permission)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": "", "label": "政府信息公开"},
            *({"url": url, "label": label} for url, label in self.get_crumbs()),
        ]

    def get_crumbs(self) -> list[tuple[str, str]]:
        return self.crumbs
