"""The 共享申请 pages of the staff admin: the requests a department sent and received (and, for the county office,
the disputes), a new request on another department's entry, a request's page with the answers each side may give.
Views parse and render; :mod:`..services.sharing` decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse

from zhengwu.core.scoping import get_object_in_scope_or_404, has_county_wide_access

from ..forms import apply_service_errors
from ..models import ShareRequest, ShareRequestStatus
from ..selectors import sharing as read
from ..services import sharing as svc
from .views import CatalogPage

VIEW = "catalog.view_sharerequest"


class NamesField(forms.MultipleChoiceField):
    """信息项 names; the service checks them against the resource (and keeps what was chosen on error)."""

    def valid_value(self, value: str) -> bool:
        return bool(str(value).strip())


class RequestForm(forms.Form):
    resource = forms.IntegerField(widget=forms.HiddenInput)
    purpose = forms.CharField(label="申请用途", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    scenario = forms.CharField(label="应用场景", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    items = NamesField(label="申请的信息项", required=False, widget=forms.CheckboxSelectMultiple)


class GrantForm(forms.Form):
    scope = NamesField(label="授权信息项", required=False, widget=forms.CheckboxSelectMultiple)
    expires_on = forms.DateField(
        label="授权截止日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="不填则按默认授权有效期计算。",
    )
    scope_note = forms.CharField(
        label="使用范围说明", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class UseForm(forms.Form):
    purpose = forms.CharField(label="使用事由", max_length=300, required=False)


class ResolveForm(forms.Form):
    decision = forms.ChoiceField(
        label="协调结果",
        choices=[("grant", "同意共享"), ("uphold", "维持不予共享")],
        widget=forms.RadioSelect,
    )
    resolution = forms.CharField(label="协调意见", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    expires_on = forms.DateField(
        label="授权截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class SharePage(CatalogPage):
    header_icon = "resubmit"
    permission = VIEW

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("catalog_share_list"), "label": "共享申请"},
            *({"url": url, "label": label} for url, label in self.get_crumbs()),
        ]


BOXES = [("received", "收到的申请"), ("sent", "发出的申请"), ("disputed", "待协调的异议")]


class ShareListView(SharePage):
    template_name = "catalog/admin/share_list.html"
    page_title = "共享申请"

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        boxes = {
            "received": read.received_requests(user),
            "sent": read.sent_requests(user),
            "disputed": read.disputed_requests(user),
        }
        shown = [(key, label) for key, label in BOXES if key != "disputed" or read_can_resolve(user)]
        box = request.GET.get("box", "")
        if box not in dict(shown):
            box = "received" if user.has_perm("catalog.change_sharerequest") else shown[0][0]
        qs = boxes[box]
        status = request.GET.get("status", "")
        if status in ShareRequestStatus.values:
            qs = qs.filter(status=status)
        page = Paginator(qs, 30).get_page(request.GET.get("page"))
        rows = [(item, read.reply_status(item)) for item in page.object_list]
        return self.render_to_response(
            self.get_context_data(
                boxes=shown,
                box=box,
                status=status,
                statuses=ShareRequestStatus.choices,
                counts=read.status_counts(boxes[box]),
                page_obj=page,
                rows=rows,
                can_request=user.has_perm("catalog.add_sharerequest"),
            )
        )


def read_can_resolve(user: Any) -> bool:
    return user.has_perm("catalog.resolve_sharerequest") and has_county_wide_access(user)


class ShareNewView(SharePage):
    template_name = "catalog/admin/share_form.html"
    page_title = "申请共享"
    permission = "catalog.add_sharerequest"

    def get_crumbs(self):
        return [("", self.page_title)]

    def _render(self, request: HttpRequest, form: RequestForm | None, resource: Any, status: int = 200):
        resources = None
        if resource is None:
            q = request.GET.get("q", "").strip()[:50]
            qs = read.requestable_resources(request.user)
            if q:
                qs = qs.filter(name__icontains=q)
            resources = Paginator(qs, 30).get_page(request.GET.get("page"))
        elif form is not None:
            form.fields["items"].choices = [
                (item.name, f"{item.name}（{item.data_type}）") for item in resource.items.all()
            ]
        context = self.get_context_data(form=form, resource=resource, resources=resources)
        return self.render_to_response(context, status=status)

    def _resource(self, request: HttpRequest, value: str):
        if not str(value).isdigit():
            return None
        return get_object_or_404(read.requestable_resources(request.user), pk=int(value))

    def get(self, request: HttpRequest) -> HttpResponse:
        resource = self._resource(request, request.GET.get("resource", ""))
        form = RequestForm(initial={"resource": resource.pk}) if resource else None
        return self._render(request, form, resource)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = RequestForm(request.POST)
        resource = self._resource(request, request.POST.get("resource", ""))
        if resource is None:
            raise PermissionDenied
        form.fields["items"].choices = [(item.name, item.name) for item in resource.items.all()]
        if form.is_valid():
            try:
                share_request = svc.submit_request(
                    actor=request.user,
                    resource=resource,
                    purpose=form.cleaned_data["purpose"],
                    scenario=form.cleaned_data["scenario"],
                    items=form.cleaned_data["items"],
                    request=request,
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                if share_request.status == ShareRequestStatus.GRANTED:
                    messages.success(request, f"{share_request.number}：无条件共享资源，已即时授权。")
                else:
                    messages.success(request, f"{share_request.number} 已提交，等待提供部门答复。")
                return HttpResponseRedirect(reverse("catalog_share_detail", args=[share_request.pk]))
        return self._render(request, form, resource, status=400)


class ShareDetailView(SharePage):
    template_name = "catalog/admin/share_detail.html"

    def get_page_title(self):
        return f"共享申请 {self.item.number}"

    def get_crumbs(self):
        return [("", self.get_page_title())]

    def _load(self, request: HttpRequest, pk: int) -> None:
        self.item = get_object_in_scope_or_404(
            ShareRequest.objects.select_related("resource", "requester", "provider", "clock"),
            request.user,
            org_field=("requester", "provider"),
            pk=pk,
        )

    def _forms(self, data: Any = None, action: str = "") -> dict[str, forms.Form]:
        item = self.item
        built = {
            "grant": GrantForm(data if action == "grant" else None),
            "refuse": ReasonForm(data if action == "refuse" else None),
            "dispute": ReasonForm(data if action == "dispute" else None),
            "use": UseForm(data if action == "use" else None),
            "resolve": ResolveForm(data if action == "resolve" else None),
        }
        built["grant"].fields["scope"].choices = [(name, name) for name in item.items]
        if not built["grant"].is_bound:
            built["grant"].initial = {"scope": list(item.items)}
        return built

    def _render(self, request: HttpRequest, forms_: dict[str, forms.Form], status: int = 200) -> HttpResponse:
        user = request.user
        item = self.item
        grant = (
            getattr(item, "grant", None)
            if item.status
            in (
                ShareRequestStatus.GRANTED,
                ShareRequestStatus.EXPIRED,
            )
            else None
        )
        is_provider = svc.acts_for(user, item.provider) and user.has_perm("catalog.change_sharerequest")
        is_requester = svc.acts_for(user, item.requester) and user.has_perm("catalog.add_sharerequest")
        pending = item.status == ShareRequestStatus.PENDING
        context = self.get_context_data(
            item=item,
            grant=grant,
            in_force=read.grant_in_force(grant) if grant else False,
            reply_status=read.reply_status(item),
            forms=forms_,
            can_answer=is_provider and pending,
            can_withdraw=is_requester and pending,
            can_dispute=is_requester
            and item.status == ShareRequestStatus.REFUSED
            and item.resolved_at is None,
            can_use=bool(grant) and svc.acts_for(user, item.requester) and read.grant_in_force(grant),
            can_resolve=read_can_resolve(user) and item.status == ShareRequestStatus.DISPUTED,
        )
        return self.render_to_response(context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self._load(request, pk)
        return self._render(request, self._forms())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self._load(request, pk)
        action = request.POST.get("action", "")
        built = self._forms(request.POST, action)
        form = built.get(action)
        if action == "withdraw":
            form = forms.Form(request.POST)
        if form is None:
            return self._render(request, built, status=400)
        if form.is_valid():
            data = form.cleaned_data
            try:
                done = self._apply(request, action, data)
            except ValidationError as exc:
                apply_service_errors(form, self._rename(exc, action))
                if action == "withdraw":
                    for message in exc.messages:
                        messages.error(request, message)
            else:
                messages.success(request, done)
                return HttpResponseRedirect(reverse("catalog_share_detail", args=[self.item.pk]))
        return self._render(request, built, status=400)

    @staticmethod
    def _rename(exc: ValidationError, action: str) -> ValidationError:
        """Map the service's field names onto the form of ``action``."""
        if not hasattr(exc, "error_dict"):
            return exc
        names = {"grant": {"items": "scope"}, "use": {}, "resolve": {"items": None}}.get(action, {})
        mapped: dict[str, list[str]] = {}
        for name, errors in exc.message_dict.items():
            target = names.get(name, name)
            mapped.setdefault(target or "__all__", []).extend(errors)
        return ValidationError(mapped)

    def _apply(self, request: HttpRequest, action: str, data: dict[str, Any]) -> str:
        user, item = request.user, self.item
        if action == "grant":
            svc.grant_request(
                actor=user,
                share_request=item,
                scope=data["scope"],
                expires_on=data["expires_on"],
                scope_note=data["scope_note"],
                request=request,
            )
            return "已同意共享并登记授权。"
        if action == "refuse":
            svc.refuse_request(actor=user, share_request=item, reason=data["reason"], request=request)
            return "已答复不予共享。"
        if action == "withdraw":
            svc.withdraw_request(actor=user, share_request=item, request=request)
            return "申请已撤回。"
        if action == "dispute":
            svc.dispute_request(actor=user, share_request=item, reason=data["reason"], request=request)
            return "异议已提交县电子政务办协调。"
        if action == "resolve":
            svc.resolve_dispute(
                actor=user,
                share_request=item,
                grant=data["decision"] == "grant",
                resolution=data["resolution"],
                expires_on=data["expires_on"],
                request=request,
            )
            return "异议已协调处理。"
        if action == "use":
            svc.record_use(actor=user, grant=item.grant, purpose=data["purpose"], request=request)
            return "已登记本次使用。"
        raise PermissionDenied
