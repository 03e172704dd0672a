"""Admin views of the portal: 同步推送 of an item to columns of other sites."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from wagtail.models import Page

from .models import ColumnPage, ContentPage
from .syndication import push_targets, push_to_column, pushes_of, withdraw_push


class PushForm(forms.Form):
    column = forms.ModelChoiceField(
        queryset=ColumnPage.objects.none(),
        label="推送到栏目",
        error_messages={
            "required": "请选择要推送到的栏目。",
            "invalid_choice": "所选栏目不可用，请重新选择。",
        },
    )

    def __init__(self, *args, targets: list[ColumnPage], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["column"].queryset = ColumnPage.objects.filter(pk__in=[c.pk for c in targets]).order_by(
            "path"
        )
        self.fields["column"].label_from_instance = lambda c: f"{c.get_site().site_name} / {c.title}"


def push_view(request, page_id: int):
    page = get_object_or_404(ContentPage, pk=page_id, alias_of__isnull=True)
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    targets = push_targets(page=page, user=request.user)
    form = PushForm(request.POST or None, targets=targets)
    if request.method == "POST" and "withdraw" in request.POST:
        alias = get_object_or_404(Page, pk=request.POST["withdraw"], alias_of=page)
        try:
            withdraw_push(alias=alias, actor=request.user)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, "；".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, "已撤回推送。")
        return redirect("portal_push", page.pk)
    if request.method == "POST" and form.is_valid():
        try:
            alias = push_to_column(page=page, column=form.cleaned_data["column"], actor=request.user)
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, "；".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, f"已推送到“{alias.get_parent().title}”，原稿修改发布后推送稿同步更新。")
            return redirect("portal_push", page.pk)
    return TemplateResponse(
        request,
        "portal/admin/push.html",
        {
            "page": page,
            "form": form,
            "pushes": pushes_of(page),
            "has_targets": bool(targets),
            "page_title": "同步推送",
            "header_title": f"同步推送：{page.title}",
        },
    )
