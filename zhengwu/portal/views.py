"""Thin public views of the portal."""

from __future__ import annotations

import re

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from wagtail.models import Page, Site

from zhengwu.core.ratelimit import client_ip, limit_message, over_limit

from .forms import ErrorReportForm
from .services import record_visit, submit_error_report

_BOTS = re.compile(r"bot|spider|crawl|slurp|curl|wget|python-requests|httpx|headless", re.IGNORECASE)
VISIT_DEDUP_SECONDS = 30 * 60


@csrf_exempt  # a beacon from every public page, carrying no cookie-based authority
@require_POST
def visit_beacon(request: HttpRequest) -> HttpResponse:
    """访问统计 beacon: counts at most one view per address, page and half hour; robots are not counted."""
    page_id = request.POST.get("p", "")
    if not page_id.isdigit() or _BOTS.search(request.headers.get("User-Agent", "")):
        return HttpResponse(status=204)
    page = Page.objects.live().public().filter(pk=int(page_id)).only("id", "path").first()
    if page is None:
        return HttpResponse(status=204)
    ip = request.META.get("REMOTE_ADDR", "")
    today = timezone.localdate()
    if cache.add(f"zw:visit:{ip}:{page.pk}:{today:%Y%m%d}", 1, VISIT_DEDUP_SECONDS):
        record_visit(page=page, site=Site.find_for_request(request), on=today)
    return HttpResponse(status=204)


ERROR_REPORT_LIMIT = 5  # per address per hour
ERROR_REPORT_WINDOW = 3600


def error_report(request: HttpRequest) -> HttpResponse:
    """「我为政府网站找错」: a public form with captcha and a per-address limit; what was typed is kept on error."""
    site = Site.find_for_request(request)
    if site is None:
        raise Http404("网站不存在")
    context = {"site": site, "page": site.root_page.specific, "limited": ""}
    if request.method == "POST":
        form = ErrorReportForm(request.POST)
        if over_limit(
            scope="error_report",
            key=client_ip(request),
            limit=ERROR_REPORT_LIMIT,
            window_seconds=ERROR_REPORT_WINDOW,
        ):
            context["limited"] = limit_message(ERROR_REPORT_WINDOW)
        elif form.is_valid():
            data = form.cleaned_data
            context["submitted"] = submit_error_report(
                site=site,
                category=data["category"],
                description=data["description"],
                page_url=data["page_url"],
                contact_name=data["contact_name"],
                contact=data["contact"],
                ip_address=client_ip(request),
            )
    else:
        form = ErrorReportForm(initial={"page_url": request.GET.get("url", "")[:500]})
    context["form"] = form
    return render(request, "portal/error_report.html", context, status=429 if context["limited"] else 200)


def site_map(request: HttpRequest) -> HttpResponse:
    """网站地图 of the current site."""
    from .selectors import site_map as site_map_tree

    site = Site.find_for_request(request)
    if site is None:
        raise Http404("网站不存在")
    return render(
        request,
        "portal/site_map.html",
        {"site": site, "page": site.root_page.specific, "tree": site_map_tree(site=site)},
    )
