"""Public pages of the mailboxes on the portal's sites: the mailboxes, one mailbox (its 来信选登 and figures), the
letter form, the look-up by number and query code (with the writer's rating), a published letter, its feed."""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from wagtail.models import Site

from zhengwu.core.client_address import client_ip
from zhengwu.core.humancheck import PublicFormGuard, guarded_lookup, lookup_needs_human_check
from zhengwu.core.models import Organization

from .forms import apply_service_errors
from .mailbox_forms import LetterForm, LetterLookupForm, PublishedFilterForm, RatingForm
from .masking import mask_name
from .models import Letter, Mailbox
from .selectors.mailbox import mailbox_figures, published_letters
from .services.mailbox import rate_letter, submit_letter


def _site_context(request: HttpRequest, **extra) -> dict:
    site = Site.find_for_request(request)
    if site is None:
        raise Http404("网站不存在")
    return {"site": site, "page": site.root_page.specific, **extra}


def _mailbox(code: str) -> Mailbox:
    return get_object_or_404(Mailbox.objects.select_related("organization"), code=code, is_active=True)


def mailbox_index(request: HttpRequest) -> HttpResponse:
    context = _site_context(request, mailboxes=Mailbox.objects.filter(is_active=True))
    return render(request, "interaction/public/mailbox_index.html", context)


def _summary(mailbox: Mailbox) -> dict | None:
    """The public summary block: this year's letters so far, when the county chose to show it."""
    if not mailbox.show_summary:
        return None
    today = timezone.localdate()
    figures = mailbox_figures(start=today.replace(month=1, day=1), end=today, mailbox=mailbox)
    for name in ("reply_rate", "finish_rate", "on_time_rate"):
        value = figures[name]
        figures[name + "_text"] = "—" if value is None else f"{value * 100:.1f}%"
    return figures


def mailbox_page(request: HttpRequest, code: str) -> HttpResponse:
    """One mailbox: what it is for, the summary figures, and 来信选登 with search and filters."""
    mailbox = _mailbox(code)
    unit_ids = (
        Letter.objects.filter(mailbox=mailbox, published=True)
        .exclude(lead_unit=None)
        .values_list("lead_unit", flat=True)
        .distinct()
    )
    units = list(Organization.objects.filter(pk__in=unit_ids).order_by("path"))
    form = PublishedFilterForm(request.GET or None, mailbox=mailbox, units=units)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    letters = published_letters(
        mailbox=mailbox,
        q=(filters.get("q") or "").strip(),
        kind=filters.get("kind") or "",
        unit=filters.get("unit"),
        start=filters.get("start"),
        end=filters.get("end"),
    )
    page_obj = Paginator(letters, 15).get_page(request.GET.get("p"))
    query = request.GET.copy()
    query.pop("p", None)
    context = _site_context(
        request,
        mailbox=mailbox,
        summary=_summary(mailbox),
        form=form,
        letters=page_obj,
        query=query.urlencode(),
    )
    return render(request, "interaction/public/mailbox_page.html", context)


@never_cache
def write_letter(request: HttpRequest, code: str) -> HttpResponse:
    """写信: the captcha (or an SMS code to the writer's phone), limits per address and phone; the tracking number
    and query code are shown only after the letter is stored; what was typed is kept on error."""
    mailbox = _mailbox(code)
    context = _site_context(request, mailbox=mailbox, limited="")
    status = 200
    if request.method == "POST":
        form = LetterForm(request.POST, request.FILES, mailbox=mailbox)
        guard = PublicFormGuard(request, scope="mailbox_letter")
        if guard.sms_requested():
            status = guard.send_sms_code(form)
        else:
            verdict = guard.check(form, phone_field="writer_phone")
            context["limited"], status = verdict.message, verdict.status
            if verdict.ok:
                data = form.cleaned_data
                try:
                    letter = submit_letter(
                        mailbox=mailbox,
                        kind=data["kind"],
                        title=data["title"],
                        body=data["body"],
                        writer_name=data["writer_name"],
                        writer_phone=data["writer_phone"],
                        public_consent=data["public_consent"],
                        attachments=data.get("attachments") or [],
                        ip_address=client_ip(request),
                    )
                except ValidationError as exc:
                    guard.rejected()
                    apply_service_errors(form, exc)
                    status = 400
                else:
                    guard.accepted()
                    context["submitted"] = letter
                    return render(request, "interaction/public/letter_done.html", context)
            elif status == 200:
                status = 400
    else:
        form = LetterForm(mailbox=mailbox)
    context["form"] = form
    return render(request, "interaction/public/letter_form.html", context, status=status)


@never_cache
def lookup_letter(request: HttpRequest) -> HttpResponse:
    """来信查询: with the number and query code the writer sees the state, a refusal's reason, the released reply
    (never a reply not yet released) and rates it. Failed look-ups are counted per address."""
    form = LetterLookupForm(request.POST or None, human_check=lookup_needs_human_check(request))
    outcome = guarded_lookup(
        request,
        form=form,
        scope="mailbox_lookup",
        queryset=Letter.objects.select_related("mailbox", "lead_unit"),
    )
    letter = outcome.case
    context = _site_context(request, form=form, limited=outcome.limited, letter=letter)
    status = outcome.status
    if letter is not None:
        rating_form = RatingForm(request.POST if "rating" in request.POST else None)
        if rating_form.is_bound and rating_form.is_valid():
            try:
                letter = rate_letter(letter=letter, rating=rating_form.cleaned_data["rating"])
            except ValidationError as exc:
                apply_service_errors(rating_form, exc)
            else:
                context["rated"] = True
        context.update(
            letter=letter,
            writer=mask_name(letter.writer_name),
            rating_form=rating_form,
            can_rate=letter.released_at is not None and not letter.last_rating and letter.finished_at is None,
            query_code=form.cleaned_data.get("query_code", "") if form.is_valid() else "",
        )
    return render(request, "interaction/public/letter_lookup.html", context, status=status)


def published_letter(request: HttpRequest, code: str, number: str) -> HttpResponse:
    mailbox = _mailbox(code)
    letter = get_object_or_404(
        Letter.objects.select_related("lead_unit"), mailbox=mailbox, tracking_number=number, published=True
    )
    document = {
        "title": letter.published_title,
        "published": letter.released_at or letter.received_at,
        "source": mailbox.organization.name,
    }
    return render(
        request,
        "interaction/public/letter_published.html",
        _site_context(request, mailbox=mailbox, letter=letter, document_meta=document),
    )


class PublishedLettersFeed(Feed):
    """来信选登 as RSS: the published (masked) title and the released reply only."""

    def get_object(self, request: HttpRequest, code: str) -> Mailbox:
        return _mailbox(code)

    def title(self, obj: Mailbox) -> str:
        return f"{obj.name} 来信选登"

    def link(self, obj: Mailbox) -> str:
        return f"/xinxiang/{obj.code}/"

    def description(self, obj: Mailbox) -> str:
        return f"{obj.name}公开的来信和答复。"

    def items(self, obj: Mailbox):
        return published_letters(mailbox=obj)[:30]

    def item_title(self, item: Letter) -> str:
        return item.published_title

    def item_description(self, item: Letter) -> str:
        return f"{item.published_body}\n\n答复：{item.published_reply}"

    def item_link(self, item: Letter) -> str:
        return f"/xinxiang/{item.mailbox.code}/{item.tracking_number}/"

    def item_pubdate(self, item: Letter) -> dt.datetime | None:
        return item.published_at
