"""消息 in the Wagtail admin: every staff member's own inbox, with the unread count in the menu."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import include, path, reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.sidebar import LinkMenuItem as LinkMenuItemComponent
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ..selectors.notifications import deliveries_for, inbox, inbox_message, unread_count
from ..services.notifications import mark_all_read, mark_read

PER_PAGE = 30


class InboxView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "core/notifications/inbox.html"
    page_title = "消息"
    header_icon = "mail"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": "消息"}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unread_only = self.request.GET.get("unread") == "1"
        page = Paginator(inbox(self.request.user, unread_only=unread_only), PER_PAGE).get_page(
            self.request.GET.get("p")
        )
        context.update(
            page=page,
            messages_list=page.object_list,
            unread_only=unread_only,
            unread_total=unread_count(self.request.user),
        )
        return context


class MessageView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "core/notifications/message.html"
    header_icon = "mail"

    def get(self, request, *args, **kwargs):
        self.message = inbox_message(request.user, kwargs["pk"])
        if self.message is None:
            # Someone else's message looks exactly like a message that does not exist.
            raise Http404("消息不存在。")
        if self.message.read_at is None:
            mark_read(user=request.user, notification_ids=[self.message.pk])
            self.message.refresh_from_db()
        return super().get(request, *args, **kwargs)

    def get_page_title(self):
        return self.message.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("core_inbox:index"), "label": "消息"},
            {"url": "", "label": self.message.title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(message=self.message, deliveries=deliveries_for(self.message))
        return context


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("core_inbox:index")


@require_POST
def mark_read_view(request: HttpRequest) -> HttpResponse:
    ids = [value for value in request.POST.getlist("id") if value.isdigit()]
    changed = mark_read(user=request.user, notification_ids=[int(v) for v in ids])
    if changed:
        messages.success(request, f"已将 {changed} 条消息标为已读。")
    return _back(request)


@require_POST
def mark_all_read_view(request: HttpRequest) -> HttpResponse:
    changed = mark_all_read(user=request.user)
    messages.success(request, f"已将全部 {changed} 条未读消息标为已读。" if changed else "没有未读消息。")
    return _back(request)


inbox_urls = [
    path("", InboxView.as_view(), name="index"),
    path("<int:pk>/", MessageView.as_view(), name="detail"),
    path("read/", mark_read_view, name="mark_read"),
    path("read-all/", mark_all_read_view, name="mark_all_read"),
]


@hooks.register("register_admin_urls")
def register_inbox_urls():
    return [path("inbox/", include((inbox_urls, "core_inbox"), namespace="core_inbox"))]


class InboxMenuItem(MenuItem):
    """'消息', or '消息（N）' with N unread, computed for each request."""

    def render_component(self, request):
        count = unread_count(request.user)
        label = f"{self.label}（{count}）" if count else self.label
        attrs = {**self.attrs, "aria-label": f"{self.label}，{count} 条未读" if count else self.label}
        return LinkMenuItemComponent(
            self.name, label, self.url, icon_name=self.icon_name, classname=self.classname, attrs=attrs
        )


@hooks.register("register_admin_menu_item")
def register_inbox_menu_item():
    return InboxMenuItem("消息", reverse_lazy("core_inbox:index"), name="inbox", icon_name="mail", order=150)
