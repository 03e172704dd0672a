"""Public pages of 政府信息公开 on the portal: the catalogue per organization (page and xlsx), item pages, the
公开指南, the 标准目录, annual reports, the 依申请公开 form and the status look-up. Thin: parse, call one service or
selector, render."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from wagtail.models import Site

from zhengwu.core.models import Organization
from zhengwu.core.ratelimit import client_ip, limit_message, over_limit
from zhengwu.core.services.numbering import lookup_case

from .documents import report_layout
from .forms import LookupForm, PublicApplicationForm, apply_service_errors
from .models import (
    AnnualReport,
    DisclosureGuide,
    DisclosureItem,
    ItemStatus,
    NoticeLetter,
    ReportStatus,
    StandardCatalogArea,
    Theme,
)
from .rules import load
from .selectors import catalogue as catalogue_selectors
from .selectors.requests import request_status
from .services.requests import submit_request

LOOKUP_SESSION_KEY = "disclosure_lookup_ok"


def _context(request: HttpRequest, **extra) -> dict:
    site = Site.find_for_request(request)
    if site is None:
        raise Http404("网站不存在")
    return {"site": site, "page": site.root_page.specific, **extra}


def _organization(code: str) -> Organization:
    return get_object_or_404(Organization, code=code.upper(), is_active=True)


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


def index(request: HttpRequest) -> HttpResponse:
    """政府信息公开 home: every organization with its guide, catalogue and reports."""
    organizations = Organization.objects.filter(is_active=True).order_by("path")
    reports = AnnualReport.objects.filter(status=ReportStatus.PUBLISHED).select_related("organization")
    return render(
        request,
        "disclosure/index.html",
        _context(request, organizations=organizations, reports=reports[:30]),
    )


def organization_catalogue(request: HttpRequest, code: str) -> HttpResponse:
    """公开目录 of one organization, browsable by theme, genre and year."""
    org = _organization(code)
    theme = None
    theme_code = request.GET.get("theme", "")
    if theme_code:
        theme = Theme.objects.filter(code=theme_code).first()
    genre = request.GET.get("genre", "")
    year = request.GET.get("year", "")
    items = catalogue_selectors.published_items(
        organization=org,
        theme=theme,
        genre_id=int(genre) if genre.isdigit() else None,
        year=int(year) if year.isdigit() else None,
        query=request.GET.get("q", "").strip()[:50],
    )
    page = Paginator(items, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "disclosure/catalogue.html",
        _context(
            request,
            org=org,
            items=page,
            facets=catalogue_selectors.catalogue_facets(org),
            selected={"theme": theme_code, "genre": genre, "year": year, "q": request.GET.get("q", "")},
            guide=DisclosureGuide.objects.filter(organization=org).first(),
            reports=AnnualReport.objects.filter(organization=org, status=ReportStatus.PUBLISHED).order_by(
                "-year"
            ),
        ),
    )


def catalogue_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    org = _organization(code)
    return _xlsx_response(catalogue_selectors.catalogue_xlsx(org), f"{org.name}政府信息公开目录.xlsx")


def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        DisclosureItem.objects.select_related("organization", "theme__parent", "genre"),
        pk=pk,
        status=ItemStatus.PUBLISHED,
    )
    return render(
        request,
        "disclosure/item.html",
        _context(request, item=item, attachments=item.attachments.all(), entries=item.standard_entries.all()),
    )


def attachment(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    item = get_object_or_404(DisclosureItem, pk=pk, status=ItemStatus.PUBLISHED)
    file = get_object_or_404(item.attachments, pk=attachment_id)
    return FileResponse(file.file.open("rb"), as_attachment=True, filename=file.display_name)


def guide(request: HttpRequest, code: str) -> HttpResponse:
    org = _organization(code)
    guide_obj = get_object_or_404(DisclosureGuide, organization=org)
    return render(request, "disclosure/guide.html", _context(request, org=org, guide=guide_obj))


def standard_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "disclosure/standard_index.html",
        _context(request, areas=catalogue_selectors.standard_areas()),
    )


def standard_area(request: HttpRequest, code: str) -> HttpResponse:
    area = get_object_or_404(StandardCatalogArea, code=code)
    entries = catalogue_selectors.area_entries(area)
    rows = [(entry, catalogue_selectors.entry_row(entry)) for entry in entries]
    return render(
        request,
        "disclosure/standard_area.html",
        _context(request, area=area, rows=rows, columns=catalogue_selectors.STANDARD_COLUMNS),
    )


def standard_area_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    area = get_object_or_404(StandardCatalogArea, code=code)
    return _xlsx_response(
        catalogue_selectors.standard_catalogue_xlsx(area), f"{area.name}领域基层政务公开标准目录.xlsx"
    )


def _published_report(code: str, year: int) -> AnnualReport:
    return get_object_or_404(
        AnnualReport.objects.select_related("organization"),
        organization__code=code.upper(),
        year=year,
        status=ReportStatus.PUBLISHED,
    )


def annual_report(request: HttpRequest, code: str, year: int) -> HttpResponse:
    report = _published_report(code, year)
    return render(
        request,
        "disclosure/annual_report.html",
        _context(request, report=report, layout=report_layout(report.snapshot)),
    )


def annual_report_file(request: HttpRequest, code: str, year: int, fmt: str) -> FileResponse:
    report = _published_report(code, year)
    file = report.docx if fmt == "docx" else report.pdf
    if not file:
        raise Http404("文件不存在")
    return FileResponse(file.open("rb"), as_attachment=True, filename=f"{report}.{fmt}")


# -- 依申请公开 ----------------------------------------------------------------------------------------------------


def _form_limits() -> tuple[int, int]:
    spec = load("requests")["public_form"]
    return spec["rate_limit"], spec["rate_window_seconds"]


@never_cache
def apply(request: HttpRequest) -> HttpResponse:
    """The public application form: captcha and a per-address limit; what was typed is kept on error; the
    tracking number and query code are shown only after the application is stored."""
    context = _context(request, limited="")
    status = 200
    if request.method == "POST":
        form = PublicApplicationForm(request.POST)
        limit, window = _form_limits()
        if over_limit(scope="disclosure_apply", key=client_ip(request), limit=limit, window_seconds=window):
            context["limited"] = limit_message(window)
            status = 429
        elif form.is_valid():
            try:
                issued = submit_request(
                    organization=form.cleaned_data["organization"],
                    application=form.application(),
                    http_request=request,
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                return render(
                    request,
                    "disclosure/apply_done.html",
                    _context(request, issued=issued, channel_rule=load("requests")["channels"][0]["rule"]),
                )
    else:
        initial = {}
        code = request.GET.get("org", "")
        if code:
            org = Organization.objects.filter(code=code.upper(), is_active=True).first()
            if org is not None:
                initial["organization"] = org.pk
        form = PublicApplicationForm(initial=initial)
    context["form"] = form
    return render(request, "disclosure/apply.html", context, status=status)


@never_cache
def lookup(request: HttpRequest) -> HttpResponse:
    """申请进度查询 by tracking number and query code: the state, the due date and how it was computed."""
    from .models import DisclosureRequest

    context = _context(request)
    form = LookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = lookup_case(
                queryset=DisclosureRequest.objects.select_related("organization", "reply_clock"),
                tracking_number=form.cleaned_data["tracking_number"],
                query_code=form.cleaned_data["query_code"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            allowed = set(request.session.get(LOOKUP_SESSION_KEY, []))
            allowed.add(case.pk)
            request.session[LOOKUP_SESSION_KEY] = sorted(allowed)[-20:]
            context.update(
                case=case,
                status=request_status(case),
                events=case.events.all(),
                letters=case.letters.exclude(pdf=""),
            )
    context["form"] = form
    return render(request, "disclosure/lookup.html", context)


def lookup_letter(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    """A 告知书 of a request the visitor has just looked up with its query code."""
    letter = get_object_or_404(NoticeLetter.objects.select_related("request"), pk=pk)
    if letter.request_id not in set(request.session.get(LOOKUP_SESSION_KEY, [])):
        raise Http404("请先凭受理编号和查询码查询。")
    file = letter.docx if fmt == "docx" else letter.pdf
    if not file:
        raise Http404("文书尚未生成。")
    return FileResponse(file.open("rb"), as_attachment=True, filename=f"{letter.title}.{fmt}")
