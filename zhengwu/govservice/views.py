"""办事服务 on the portal: the section page (by department, by theme, by search), the 办事指南 of each item, its
printable view and the blank forms and samples of its materials. Thin: reads come from the selectors."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from wagtail.models import Site

from zhengwu.core.client_address import client_ip
from zhengwu.core.forms import apply_errors
from zhengwu.core.humancheck import PublicFormGuard, guarded_lookup, lookup_needs_human_check
from zhengwu.core.models import Organization

from . import rules
from .forms import ApplicationForm, CorrectionForm, GuideRatingForm, LookupForm, RatingForm
from .models import Application, ApplicationStatus, ItemFile, ServiceRating
from .selectors import items as selectors


def _site_scope(site: Site) -> Organization | None:
    """A department's own site lists that department's items; the county portal lists all."""
    org = Organization.objects.filter(home_pages__pk=site.root_page_id).first()
    return org if org is not None and org.parent_id is not None else None


def _context(request: HttpRequest, **extra) -> dict:
    site = Site.find_for_request(request)
    if site is None:
        raise Http404("网站不存在")
    within = _site_scope(site)
    return {"site": site, "page": site.root_page.specific, "within": within, **extra}


def _themes() -> list[dict]:
    events = rules.life_events()
    return [
        {"code": code, "name": name, "events": [e for e in events if e["audience"] == code]}
        for code, name in rules.audiences().items()
    ]


def index(request: HttpRequest) -> HttpResponse:
    ctx = _context(request)
    ctx.update(departments=selectors.departments_with_items(within=ctx["within"]), themes=_themes())
    return render(request, "govservice/index.html", ctx)


def search(request: HttpRequest) -> HttpResponse:
    ctx = _context(request)
    query = request.GET.get("q", "").strip()[:50]
    items = selectors.search_items(query=query, within=ctx["within"])
    ctx.update(query=query, items=Paginator(items, 20).get_page(request.GET.get("page")))
    return render(request, "govservice/search.html", ctx)


def department(request: HttpRequest, code: str) -> HttpResponse:
    ctx = _context(request)
    org = get_object_or_404(Organization, code=code.upper(), is_active=True)
    items = selectors.published_items(within=org)
    if ctx["within"] is not None and not org.path.startswith(ctx["within"].path):
        raise Http404("本网站没有该部门的事项")
    ctx.update(org=org, items=Paginator(items, 30).get_page(request.GET.get("page")))
    return render(request, "govservice/department.html", ctx)


def theme(request: HttpRequest, audience: str) -> HttpResponse:
    names = rules.audiences()
    if audience not in names:
        raise Http404("没有该主题")
    ctx = _context(request)
    event_code = request.GET.get("event", "")
    events = [e for e in rules.life_events() if e["audience"] == audience]
    event = next((e for e in events if e["code"] == event_code), None)
    items = selectors.items_for_theme(
        audience=audience, life_event=event["code"] if event else "", within=ctx["within"]
    )
    ctx.update(
        audience=audience,
        audience_name=names[audience],
        events=events,
        event=event,
        items=Paginator(items, 30).get_page(request.GET.get("page")),
    )
    return render(request, "govservice/theme.html", ctx)


def _guide_context(request: HttpRequest, pk: int) -> dict:
    ctx = _context(request)
    item = get_object_or_404(
        selectors.published_items(within=ctx["within"]).select_related("parent__current_version"), pk=pk
    )
    version = item.current_version
    names = rules.life_event_names()
    ctx.update(
        item=item,
        version=version,
        materials=version.materials.select_related("blank_form", "sample"),
        steps=version.steps.all(),
        audience_names=[rules.audiences().get(a, a) for a in version.audiences],
        event_names=[names.get(e, e) for e in version.life_events],
        children=selectors.published_items().filter(parent=item),
    )
    return ctx


def guide(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "govservice/guide.html", _guide_context(request, pk))


def guide_print(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "govservice/guide_print.html", _guide_context(request, pk))


def item_file(request: HttpRequest, pk: int, file_id: int) -> FileResponse:
    """A blank form or sample of the item's current version (older versions' files are not offered)."""
    ctx = _context(request)
    item = get_object_or_404(selectors.published_items(within=ctx["within"]), pk=pk)
    item_file = get_object_or_404(
        ItemFile.objects.filter(
            Q(pk=file_id),
            Q(material_blank_forms__version=item.current_version)
            | Q(material_samples__version=item.current_version),
        ).distinct()
    )
    return FileResponse(item_file.file.open("rb"), as_attachment=True, filename=item_file.display_name)


# -- 网上申报 ------------------------------------------------------------------------------------------------------


@never_cache
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    """在线申办: the item's form and materials, the captcha (or an SMS code) and limits per address and phone; the
    tracking number and query code are shown only after the application is stored; what was typed is kept."""
    from .services.applications import Applicant, submit_application

    ctx = _guide_context(request, pk)
    item = ctx["item"]
    if not ctx["version"].online_capable:
        raise Http404("该事项不能在线申办，请按办事指南到办理地点申请。")
    ctx["limited"] = ""
    status = 200
    if request.method == "POST":
        form = ApplicationForm(request.POST, request.FILES, item=item)
        guard = PublicFormGuard(request, scope="govservice_apply")
        if guard.sms_requested():
            status = guard.send_sms_code(form)
        else:
            verdict = guard.check(form, phone_field="phone")
            ctx["limited"], status = verdict.message, verdict.status
            if verdict.ok:
                data = form.cleaned_data
                try:
                    application = submit_application(
                        item=item,
                        applicant=Applicant(
                            kind=data["applicant_kind"],
                            name=data["applicant_name"],
                            id_number=data["applicant_id_number"],
                            phone=data["phone"],
                            email=data.get("email") or "",
                            contact_name=data.get("contact_name") or "",
                        ),
                        form_data=form.form_data(),
                        files=form.files_by_material(),
                        ip_address=client_ip(request),
                    )
                except ValidationError as exc:
                    guard.rejected()
                    apply_errors(form, exc)
                    status = 400
                else:
                    guard.accepted()
                    ctx["submitted"] = application
                    return render(request, "govservice/apply_done.html", ctx)
            elif status == 200:
                status = 400
    else:
        form = ApplicationForm(item=item)
    ctx["form"] = form
    return render(request, "govservice/apply.html", ctx, status=status)


@never_cache
def lookup(request: HttpRequest) -> HttpResponse:
    """办件查询: by number and query code the applicant sees the state and history, what to correct, and uploads it."""
    from .services.applications import submit_correction

    ctx = _context(request)
    form = LookupForm(request.POST or None, human_check=lookup_needs_human_check(request))
    outcome = guarded_lookup(
        request,
        form=form,
        scope="govservice_lookup",
        queryset=Application.objects.select_related("version", "organization", "case", "current_step"),
    )
    application = outcome.case
    ctx.update(form=form, limited=outcome.limited, application=application)
    refused = False
    if application is not None:
        correction = None
        if application.status == ApplicationStatus.CORRECTION:
            posted = "correct" in request.POST
            correction = CorrectionForm(
                request.POST if posted else None, request.FILES if posted else None, application=application
            )
            if posted and not correction.is_valid():
                refused = True
            if posted and correction.is_valid():
                try:
                    application = submit_correction(
                        application=application,
                        files=correction.files_by_material(),
                        note=correction.cleaned_data.get("note", ""),
                    )
                except ValidationError as exc:
                    apply_errors(correction, exc)
                    refused = True
                else:
                    ctx["corrected"] = True
                    correction = None
        rating_part = _rating_part(request, application)
        refused = refused or rating_part.pop("refused", False)
        ctx.update(rating_part)
        ctx.update(
            application=application,
            correction=correction,
            events=application.events.filter(public=True).order_by("at", "pk"),
            query_code=form.cleaned_data.get("query_code", "") if form.is_valid() else "",
        )
    # A refused 补正 or rating keeps what was typed and says so with 400, as the other public forms do.
    return render(request, "govservice/lookup.html", ctx, status=400 if refused else outcome.status)


# -- 好差评 -------------------------------------------------------------------------------------------------------


def _rating_part(request: HttpRequest, application: Application) -> dict:
    """一事一评 on the look-up page: once the 办件 has ended, its applicant rates it once."""
    from .services.ratings import submit_rating

    if application.status not in (ApplicationStatus.FINISHED, ApplicationStatus.REJECTED):
        return {}
    existing = ServiceRating.objects.filter(application=application).first()
    if existing is not None:
        return {"rating": existing}
    posted = "rate" in request.POST
    form = RatingForm(request.POST if posted else None, channel="online")
    if posted and form.is_valid():
        try:
            rating = submit_rating(
                channel="online",
                data=form.rating_input(),
                application=application,
                ip_address=client_ip(request),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return {"rating": rating, "rated": True}
    return {"rating_form": form, "refused": posted}


@never_cache
def rate_item(request: HttpRequest, pk: int) -> HttpResponse:
    """综合点评 from a guide page: captcha (or an SMS code) and limits per address and phone."""
    from .services.ratings import submit_rating

    ctx = _guide_context(request, pk)
    ctx["limited"] = ""
    status = 200
    if request.method == "POST":
        form = GuideRatingForm(request.POST)
        guard = PublicFormGuard(request, scope="govservice_rating")
        if guard.sms_requested():
            status = guard.send_sms_code(form)
        else:
            verdict = guard.check(form, phone_field="rater_phone")
            ctx["limited"], status = verdict.message, verdict.status
            if verdict.ok:
                try:
                    rating = submit_rating(
                        channel="guide",
                        data=form.rating_input(),
                        item=ctx["item"],
                        ip_address=client_ip(request),
                    )
                except ValidationError as exc:
                    guard.rejected()
                    apply_errors(form, exc)
                    status = 400
                else:
                    guard.accepted()
                    ctx["rating"] = rating
                    return render(request, "govservice/rate_done.html", ctx)
            elif status == 200:
                status = 400
    else:
        form = GuideRatingForm()
    ctx["form"] = form
    return render(request, "govservice/rate.html", ctx, status=status)


def rating_stats(request: HttpRequest) -> HttpResponse:
    """好差评 公示: per unit 评价数, 好评率, 差评数, 差评整改率 for a year or a quarter, and the fixes made."""
    import datetime as dt

    from zhengwu.core.services.clock import SHANGHAI

    from .services.ratings import published_rectifications, rating_figures

    ctx = _context(request)
    today = dt.datetime.now(SHANGHAI).date()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, 2000), today.year)
    quarter = request.GET.get("quarter", "")
    if quarter in ("1", "2", "3", "4"):
        q = int(quarter)
        start = dt.date(year, 3 * q - 2, 1)
        end = (dt.date(year + (q == 4), (3 * q) % 12 + 1, 1)) - dt.timedelta(days=1)
    else:
        quarter = ""
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    figures = rating_figures(start=start, end=min(end, today) if start <= today else end, unit=ctx["within"])
    for row in [figures, *figures["units"]]:
        for key in ("good", "rectification"):
            rate = row[f"{key}_rate"]
            row[f"{key}_pct"] = "—" if rate is None else f"{rate * 100:.1f}%"
    ctx.update(
        figures=figures,
        year=year,
        quarter=quarter,
        years=list(range(today.year, today.year - 5, -1)),
        fixes=published_rectifications(),
    )
    return render(request, "govservice/ratings.html", ctx)
