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

from zhengwu.core.humancheck import PublicFormGuard, guarded_lookup, lookup_needs_human_check
from zhengwu.core.models import Organization
from zhengwu.core.params import id_param, year_param
from zhengwu.core.services.numbering import normalize_tracking_number

from .documents import report_layout
from .forms import LookupForm, PublicApplicationForm, ResendCodeForm, apply_service_errors
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
from .selectors.routing import route_for
from .services.requests import resend_query_code, submit_request

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
        genre_id=id_param(request, "genre", label="体裁"),
        year=year_param(request),
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
    document = {"title": item.title, "published": item.published_on, "source": item.organization.name}
    return render(
        request,
        "disclosure/item.html",
        _context(
            request,
            item=item,
            attachments=item.attachments.all(),
            entries=item.standard_entries.all(),
            document_meta=document,
        ),
    )


def attachment(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    item = get_object_or_404(DisclosureItem, pk=pk, status=ItemStatus.PUBLISHED)
    file = get_object_or_404(item.attachments, pk=attachment_id)
    return FileResponse(file.file.open("rb"), as_attachment=True, filename=file.display_name)


def guide(request: HttpRequest, code: str) -> HttpResponse:
    org = _organization(code)
    guide_obj = get_object_or_404(DisclosureGuide, organization=org)
    document = {"title": f"{org.name}政府信息公开指南", "published": guide_obj.updated_at, "source": org.name}
    return render(
        request,
        "disclosure/guide.html",
        _context(request, org=org, guide=guide_obj, route=route_for(org), document_meta=document),
    )


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
    layout = report_layout(report.snapshot)
    document = {
        "title": layout.get("title") or str(report),
        "published": report.published_at,
        "source": report.organization.name,
    }
    return render(
        request,
        "disclosure/annual_report.html",
        _context(request, report=report, layout=layout, document_meta=document),
    )


def annual_report_file(request: HttpRequest, code: str, year: int, fmt: str) -> FileResponse:
    if fmt not in ("docx", "pdf"):  # any other extension names no file: never the PDF under a wrong type
        raise Http404("文件不存在")
    report = _published_report(code, year)
    file = report.docx if fmt == "docx" else report.pdf
    if not file:
        raise Http404("文件不存在")
    return FileResponse(file.open("rb"), as_attachment=True, filename=f"{report}.{fmt}")


# -- 依申请公开 ----------------------------------------------------------------------------------------------------


@never_cache
def apply(request: HttpRequest) -> HttpResponse:
    """The public application form: the captcha or an SMS code, and limits per address and per phone; what was
    typed is kept on error; the tracking number and query code are shown (and sent) only after the application is
    stored."""
    context = _context(request, limited="")
    status = 200
    if request.method == "POST":
        form = PublicApplicationForm(request.POST)
        guard = PublicFormGuard(request, scope="disclosure_apply")
        if guard.sms_requested():
            status = guard.send_sms_code(form)
        else:
            verdict = guard.check(form, phone_field="phone")
            context["limited"], status = verdict.message, verdict.status
            if verdict.ok:
                try:
                    issued = submit_request(
                        organization=form.cleaned_data["organization"],
                        application=form.application(),
                        http_request=request,
                    )
                except ValidationError as exc:
                    guard.rejected()
                    apply_service_errors(form, exc)
                else:
                    guard.accepted()
                    return render(
                        request,
                        "disclosure/apply_done.html",
                        _context(
                            request,
                            issued=issued,
                            channel_rule=load("requests")["channels"][0]["rule"],
                            sent_to=_receipt_channels(issued.request),
                        ),
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


def _receipt_channels(case) -> list[str]:
    """Where the receipt was sent, as the page tells the applicant (masked)."""
    from zhengwu.core.sms import is_mobile, normalize_mobile
    from zhengwu.core.smscode import mask_phone

    sent = []
    if case.phone and is_mobile(case.phone):
        sent.append(f"短信 {mask_phone(normalize_mobile(case.phone))}")
    if case.email:
        name, _, domain = case.email.partition("@")
        sent.append(f"电子邮件 {name[:2]}***@{domain}")
    return sent


@never_cache
def lookup(request: HttpRequest) -> HttpResponse:
    """申请进度查询 by tracking number and query code: the state, the due date and how it was computed. After a few
    failed look-ups from one address the captcha (or an SMS code) is asked for as well."""
    from .models import DisclosureRequest

    context = _context(request)
    form = LookupForm(request.POST or None, human_check=lookup_needs_human_check(request))
    outcome = guarded_lookup(
        request,
        form=form,
        scope="disclosure_lookup",
        queryset=DisclosureRequest.objects.select_related("organization", "reply_clock"),
    )
    context["limited"], status, case = outcome.limited, outcome.status, outcome.case
    if case is not None:
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
    return render(request, "disclosure/lookup.html", context, status=status)


@never_cache
def resend_code(request: HttpRequest) -> HttpResponse:
    """查询码找回: a new query code by SMS to the phone on record. The page says the same whether or not the number
    and phone match (nobody learns which exist); limits per address, per phone and per tracking number."""
    context = _context(request, limited="", done="")
    status = 200
    form = ResendCodeForm(request.POST or None)
    if request.method == "POST":
        guard = PublicFormGuard(request, scope="disclosure_resend")
        if guard.sms_requested():
            status = guard.send_sms_code(form)
        else:
            typed = normalize_tracking_number(form.data.get("tracking_number", ""))[:40]
            verdict = guard.check(
                form, phone_field="phone", extra=[("per_tracking_number", typed)] if typed else []
            )
            context["limited"], status = verdict.message, verdict.status
            if verdict.ok:
                try:
                    context["done"] = resend_query_code(
                        tracking_number=form.cleaned_data["tracking_number"],
                        phone=form.cleaned_data["phone"],
                        http_request=request,
                    )
                except ValidationError as exc:
                    guard.rejected()
                    apply_service_errors(form, exc)
                else:
                    guard.accepted()
    context["form"] = form
    return render(request, "disclosure/resend_code.html", context, status=status)


def lookup_letter(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    """A 告知书 of a request the visitor has just looked up with its query code."""
    letter = get_object_or_404(NoticeLetter.objects.select_related("request"), pk=pk)
    if letter.request_id not in set(request.session.get(LOOKUP_SESSION_KEY, [])):
        raise Http404("请先凭受理编号和查询码查询。")
    if fmt not in ("docx", "pdf"):
        raise Http404("文书不存在")
    file = letter.docx if fmt == "docx" else letter.pdf
    if not file:
        raise Http404("文书尚未生成。")
    return FileResponse(file.open("rb"), as_attachment=True, filename=f"{letter.title}.{fmt}")
