"""Public pages of 在线访谈, 意见征集 and 调查问卷, on every site of the group in the portal's look.

A site shows the items of its organization and of those below it (the county portal shows all). Forms follow the
portal's public forms: CSRF, the captcha or an SMS code, per-address and per-phone limits, and a Chinese error that
keeps what was typed.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from wagtail.models import Site

from zhengwu.core.chinese import to_traditional
from zhengwu.core.client_address import client_ip
from zhengwu.core.humancheck import PublicFormGuard
from zhengwu.core.params import MAX_ID, int_param
from zhengwu.portal.variants import variant_url

from .engagement_forms import ConsultationCommentForm, InterviewQuestionForm, SurveyForm
from .forms import apply_service_errors
from .models.engagement import Consultation, ConsultationAttachment, Interview, InterviewState, Survey
from .selectors import engagement as selectors
from .services import consultations, interviews, surveys

POLL_SECONDS = 5


def _site_context(request: HttpRequest) -> dict:
    site = Site.find_for_request(request)
    if site is None:
        raise Http404("网站不存在")
    home = site.root_page.specific
    return {"site": site, "page": home, "organization": getattr(home, "organization", None), "limited": ""}


def _in_site(qs, context):
    organization = context["organization"]
    if organization is None:
        return qs
    return qs.filter(organization__path__startswith=organization.path)


def engagement_index(request: HttpRequest) -> HttpResponse:
    """互动交流: the way to the mailboxes, 在线访谈, 意见征集 and 调查问卷 of the site."""
    from .models import Mailbox

    context = _site_context(request)
    context["mailboxes"] = Mailbox.objects.filter(is_active=True)
    return render(request, "interaction/engagement/index.html", context)


# -- 在线访谈 ---------------------------------------------------------------------------------------------------


def interview_list(request: HttpRequest) -> HttpResponse:
    context = _site_context(request)
    context.update(selectors.public_interviews(organization=context["organization"]))
    return render(request, "interaction/engagement/interview_list.html", context)


def interview_detail(request: HttpRequest, pk: int) -> HttpResponse:
    context = _site_context(request)
    interview = get_object_or_404(
        _in_site(Interview.objects.filter(is_published=True), context).select_related("organization"), pk=pk
    )
    status = 200
    form = None
    if interview.state != InterviewState.ENDED:
        form = InterviewQuestionForm(request.POST or None)
        if request.method == "POST":
            guard = PublicFormGuard(request, scope="interview_question")
            if guard.sms_requested():
                status = guard.send_sms_code(form)
            else:
                verdict = guard.check(form)
                context["limited"], status = verdict.message, verdict.status
                if verdict.ok:
                    try:
                        interviews.submit_question(
                            interview=interview,
                            nickname=form.cleaned_data["nickname"],
                            content=form.cleaned_data["content"],
                            ip_address=client_ip(request),
                        )
                    except ValidationError as exc:
                        guard.rejected()
                        apply_service_errors(form, exc)
                    else:
                        guard.accepted()
                        context["submitted"] = True
                        form = InterviewQuestionForm()
    feed = selectors.live_feed(interview)
    live_url = reverse("engagement_interview_live", args=[interview.pk])
    context.update(
        interview=interview,
        guests=interview.guests.select_related("photo"),
        questions=selectors.approved_questions(interview),
        entries=feed.entries,
        cursor=feed.cursor,
        live_url=variant_url(live_url, getattr(request, "zh_variant", "hans")),
        poll_seconds=POLL_SECONDS,
        form=form,
        document_meta={
            "title": interview.title,
            "published": interview.starts_at,
            "source": interview.organization.name,
        },
    )
    return render(request, "interaction/engagement/interview_detail.html", context, status=status)


@require_GET
def interview_live(request: HttpRequest, pk: int) -> HttpResponse:
    """The live page's poll: lines after ``since``. An unchanged transcript answers 304 to ``If-None-Match``."""
    interview = get_object_or_404(Interview.objects.filter(is_published=True), pk=pk)
    since = int_param(request, "since", label="已收到的最后一条", minimum=0, maximum=MAX_ID) or 0
    feed = selectors.live_feed(interview, since=since)
    etag = feed.etag
    if not feed.entries and request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        entries = feed.entries
        if getattr(request, "zh_variant", "hans") == "hant":
            for entry in entries:
                for key in ("speaker", "content", "role_label"):
                    entry[key] = to_traditional(entry[key])
        response = JsonResponse(
            {
                "cursor": feed.cursor,
                "state": feed.state,
                "entries": entries,
                "poll_seconds": POLL_SECONDS,
            },
            json_dumps_params={"ensure_ascii": False},
        )
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


# -- 意见征集 ---------------------------------------------------------------------------------------------------


def consultation_list(request: HttpRequest) -> HttpResponse:
    context = _site_context(request)
    context.update(selectors.public_consultations(organization=context["organization"]))
    return render(request, "interaction/engagement/consultation_list.html", context)


def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    context = _site_context(request)
    consultation = get_object_or_404(
        _in_site(Consultation.objects.filter(is_published=True), context).select_related("organization"),
        pk=pk,
    )
    status = 200
    form = ConsultationCommentForm(request.POST or None) if consultation.is_open() else None
    if request.method == "POST":
        if form is None:
            # A page left open past the close: say so in Chinese, keep nothing half-done.
            context["closed_message"] = (
                f"本次意见征集已于 {consultation.closes_on:%Y年%-m月%-d日} 截止，不再接受意见。感谢您的关注。"
            )
            status = 409
        else:
            guard = PublicFormGuard(request, scope="consultation_comment")
            if guard.sms_requested():
                status = guard.send_sms_code(form)
            else:
                verdict = guard.check(form, phone_field="phone")
                context["limited"], status = verdict.message, verdict.status
                if verdict.ok:
                    try:
                        consultations.submit_comment(
                            consultation=consultation,
                            name=form.cleaned_data["name"],
                            phone=form.cleaned_data["phone"],
                            content=form.cleaned_data["content"],
                            ip_address=client_ip(request),
                        )
                    except ValidationError as exc:
                        guard.rejected()
                        apply_service_errors(form, exc)
                    else:
                        guard.accepted()
                        context["submitted"] = True
                        form = ConsultationCommentForm()
    feedback_published = consultation.feedback_published_at is not None
    context.update(
        consultation=consultation,
        attachments=consultation.attachments.all(),
        comments=selectors.public_comments(consultation),
        figures=selectors.consultation_figures(consultation) if feedback_published else None,
        feedback_published=feedback_published,
        form=form,
        document_meta={
            "title": consultation.title,
            "published": consultation.opens_on,
            "source": consultation.organization.name,
        },
    )
    return render(request, "interaction/engagement/consultation_detail.html", context, status=status)


def consultation_attachment(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    attachment = get_object_or_404(
        ConsultationAttachment.objects.filter(consultation__is_published=True),
        pk=attachment_id,
        consultation_id=pk,
    )
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.display_name)


# -- 调查问卷 ---------------------------------------------------------------------------------------------------


def survey_list(request: HttpRequest) -> HttpResponse:
    context = _site_context(request)
    context.update(selectors.public_surveys(organization=context["organization"]))
    return render(request, "interaction/engagement/survey_list.html", context)


@never_cache
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    context = _site_context(request)
    survey = get_object_or_404(
        _in_site(Survey.objects.filter(is_published=True), context).prefetch_related("questions"), pk=pk
    )
    status = 200
    form = SurveyForm(request.POST or None, survey=survey) if survey.is_open() else None
    if form is not None and request.method == "POST":
        guard = PublicFormGuard(request, scope="survey_response")
        if guard.sms_requested():
            status = guard.send_sms_code(form)
        else:
            verdict = guard.check(form, phone_field="phone" if "phone" in form.fields else None)
            context["limited"], status = verdict.message, verdict.status
            if verdict.ok:
                if not request.session.session_key:
                    request.session.save()
                try:
                    key = surveys.respondent_key(
                        survey=survey,
                        phone=form.cleaned_data.get("phone", ""),
                        session_key=request.session.session_key or "",
                    )
                    surveys.submit_response(
                        survey=survey, key=key, answers=form.answers(), ip_address=client_ip(request)
                    )
                except ValidationError as exc:
                    guard.rejected()
                    apply_service_errors(form, exc)
                    status = 409 if getattr(exc, "code", "") == "duplicate" else 200
                else:
                    guard.accepted()
                    context["submitted"] = True
    elif form is not None and not request.session.session_key:
        request.session.save()  # the session that counts as one person for a 会话限答 survey
    context.update(
        survey=survey,
        form=form,
        document_meta={
            "title": survey.title,
            "published": survey.opens_at,
            "source": survey.organization.name,
        },
    )
    return render(request, "interaction/engagement/survey_detail.html", context, status=status)


def survey_results(request: HttpRequest, pk: int) -> HttpResponse:
    context = _site_context(request)
    survey = get_object_or_404(
        _in_site(Survey.objects.filter(is_published=True, results_public=True), context), pk=pk
    )
    total, results = selectors.survey_results(survey, public=True)
    context.update(survey=survey, total=total, results=results)
    return render(request, "interaction/engagement/survey_results.html", context)
