"""Thin public views of the portal."""

from __future__ import annotations

import re
from functools import lru_cache

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from wagtail.models import Page, Site

from zhengwu.core.client_address import client_ip
from zhengwu.core.humancheck import PublicFormGuard

from .forms import ErrorReportForm, ErrorReportLookupForm
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
    ip = client_ip(request) or ""
    today = timezone.localdate()
    if cache.add(f"zw:visit:{ip}:{page.pk}:{today:%Y%m%d}", 1, VISIT_DEDUP_SECONDS):
        record_visit(page=page, site=Site.find_for_request(request), on=today)
    return HttpResponse(status=204)


def error_report(request: HttpRequest) -> HttpResponse:
    """「我为政府网站找错」: a public form with the captcha (or an SMS code) and limits per address and phone; what
    was typed is kept on error."""
    site = Site.find_for_request(request)
    if site is None:
        raise Http404("网站不存在")
    context = {"site": site, "page": site.root_page.specific, "limited": ""}
    status = 200
    if request.method == "POST":
        form = ErrorReportForm(request.POST)
        guard = PublicFormGuard(request, scope="error_report")
        if guard.sms_requested():
            status = guard.send_sms_code(form)
        else:
            verdict = guard.check(form, phone_field="contact")
            context["limited"], status = verdict.message, verdict.status
            if verdict.ok:
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
                guard.accepted()
    else:
        form = ErrorReportForm(initial={"page_url": request.GET.get("url", "")[:500]})
    context["form"] = form
    return render(request, "portal/error_report.html", context, status=status)


@never_cache
def error_report_lookup(request: HttpRequest) -> HttpResponse:
    """网站纠错查询: with the tracking number and query code, the reporter sees the state, the reply and the
    timeline. Failed look-ups are counted per address; after a few the captcha (or an SMS code) is asked for."""
    from zhengwu.core.humancheck import guarded_lookup, lookup_needs_human_check

    from .models import ErrorReport

    site = Site.find_for_request(request)
    if site is None:
        raise Http404("网站不存在")
    form = ErrorReportLookupForm(request.POST or None, human_check=lookup_needs_human_check(request))
    outcome = guarded_lookup(
        request,
        form=form,
        scope="error_report_lookup",
        queryset=ErrorReport.objects.select_related("site", "organization"),
    )
    status, report = outcome.status, outcome.case
    context = {"site": site, "page": site.root_page.specific, "limited": outcome.limited}
    if report is not None:
        context.update(report=report, events=report.events.all())
    context["form"] = form
    return render(request, "portal/error_report_lookup.html", context, status=status)


def site_map(request: HttpRequest) -> HttpResponse:
    """网站地图 of the current site."""
    from .sections import public_sections
    from .selectors import site_map as site_map_tree

    site = Site.find_for_request(request)
    if site is None:
        raise Http404("网站不存在")
    return render(
        request,
        "portal/site_map.html",
        {
            "site": site,
            "page": site.root_page.specific,
            "tree": site_map_tree(site=site),
            "sections": public_sections(site),
        },
    )


# -- robots.txt, favicon, error pages -----------------------------------------------------------------------------


def robots_txt(request: HttpRequest) -> HttpResponse:
    """Robots may read the public pages; not the admin, the search results or the form endpoints."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "Disallow: /_hit/",
        "Disallow: /captcha/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@lru_cache(maxsize=1)
def _favicon_bytes() -> bytes:
    """The site's icon, drawn once per process: a red seal-like square with a white ring and bar."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((2, 2, 61, 61), radius=10, fill=(181, 22, 30, 255))
    draw.ellipse((14, 14, 49, 49), outline=(255, 255, 255, 255), width=5)
    draw.rectangle((29, 8, 34, 55), fill=(255, 255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="ICO", sizes=[(16, 16), (32, 32), (48, 48)])
    return buffer.getvalue()


def favicon(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_favicon_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def _site_name(request: HttpRequest) -> str:
    try:
        site = Site.find_for_request(request)
    except Exception:  # the error page must render even when the database is what failed
        return ""
    return site.site_name if site else ""


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400 in the site's look: says what was wrong when the code said it (a query parameter out of range)."""
    from zhengwu.core.params import ParameterError

    message = str(exception) if isinstance(exception, ParameterError) else "请求的地址或参数有误，无法处理。"
    context = {"site_name": _site_name(request), "request_path": request.path, "message": message}
    return render(request, "portal/errors/400.html", context, status=400)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404 in the site's look, in Chinese, with the search box and the ways home (DEBUG off)."""
    context = {"site_name": _site_name(request), "request_path": request.path}
    return render(request, "portal/errors/404.html", context, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: rendered without the database or context processors, which may be what failed."""
    html = loader.get_template("portal/errors/500.html").render(
        {"site_name": _site_name(request), "request_path": request.path}
    )
    return HttpResponse(html, status=500)
