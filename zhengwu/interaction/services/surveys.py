"""调查问卷: one answer per person (by phone number or browser session), required questions, text answers
moderated before they are published with the results."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhengwu.core.services.audit import audit
from zhengwu.core.sms import is_mobile, normalize_mobile

from ..models.engagement import (
    Identification,
    Moderation,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyResponse,
)
from .engagement_common import public_text, require

PERMISSION = "interaction.moderate_survey"
TEXT_MAX = 1000
ALREADY = "您已经参加过本次调查，每人只能提交一次。感谢您的参与！"


def respondent_key(*, survey: Survey, phone: str = "", session_key: str = "") -> str:
    """What makes 'one person' for this survey, hashed with the survey so no number is kept."""
    if survey.identify_by == Identification.PHONE:
        if not is_mobile(phone or ""):
            raise ValidationError({"phone": "请填写正确的 11 位手机号码。"})
        ident = "phone:" + normalize_mobile(phone)
    else:
        if not session_key:
            raise ValidationError("请允许浏览器保存本网站的 Cookie 后再提交问卷。")
        ident = "session:" + session_key
    return hashlib.sha256(f"{survey.pk}:{ident}".encode()).hexdigest()


def has_answered(*, survey: Survey, key: str) -> bool:
    return SurveyResponse.objects.filter(survey=survey, respondent_key=key).exists()


def _clean_answer(question, raw: Any) -> dict[str, Any] | None:
    """One question's answer from the form's raw values (a list of strings); ``None`` when left blank."""
    values = [
        str(v).strip() for v in (raw if isinstance(raw, list | tuple) else [raw]) if str(v or "").strip()
    ]
    if not values:
        if question.required:
            raise ValidationError("此题为必答题，请作答。")
        return None
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        try:
            indexes = sorted({int(v) for v in values})
        except ValueError:
            raise ValidationError("请从给出的选项中选择。") from None
        if any(i < 0 or i >= len(question.options) for i in indexes):
            raise ValidationError("请从给出的选项中选择。")
        if question.kind == QuestionKind.SINGLE and len(indexes) > 1:
            raise ValidationError("此题只能选一项。")
        return {"choices": indexes}
    if question.kind == QuestionKind.SCALE:
        try:
            score = int(values[0])
        except ValueError:
            raise ValidationError("请选择分值。") from None
        if not question.scale_min <= score <= question.scale_max:
            raise ValidationError(f"分值应在 {question.scale_min} 到 {question.scale_max} 之间。")
        return {"score": score}
    text = public_text(values[0], label="回答", max_length=TEXT_MAX)
    return {"text": text, "text_status": Moderation.PENDING}


def submit_response(
    *, survey: Survey, key: str, answers: dict[int, Any], ip_address: str | None = None
) -> SurveyResponse:
    """Store one person's answers. ``answers`` maps a question's id to its raw value(s). Errors are raised as one
    ``ValidationError`` keyed by ``q<id>`` so the form shows each under its question, keeping what was typed."""
    now = timezone.now()
    if not survey.is_published:
        raise ValidationError("该问卷不存在或尚未发布。", code="not_found")
    if now < survey.opens_at:
        raise ValidationError(
            f"本次调查将于 {timezone.localtime(survey.opens_at):%Y年%-m月%-d日 %H:%M} 开始。"
        )
    if now >= survey.closes_at:
        raise ValidationError("本次调查已经结束，不再接受答卷。感谢您的关注。", code="closed")
    if has_answered(survey=survey, key=key):
        raise ValidationError(ALREADY, code="duplicate")
    cleaned: list[tuple[Any, dict[str, Any]]] = []
    errors: dict[str, list[str]] = {}
    for question in survey.questions.all():
        try:
            value = _clean_answer(question, answers.get(question.pk))
        except ValidationError as exc:
            errors[f"q{question.pk}"] = exc.messages
            continue
        if value is not None:
            cleaned.append((question, value))
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                survey=survey, respondent_key=key, submitted_at=now, ip_address=ip_address
            )
            SurveyAnswer.objects.bulk_create(
                SurveyAnswer(response=response, question=question, **value) for question, value in cleaned
            )
            audit(
                actor=None,
                action="interaction.survey_response.submit",
                target=response,
                organization=survey.organization,
            )
    except IntegrityError:
        # The same person's second answer arrived at the same moment as the first.
        raise ValidationError(ALREADY, code="duplicate") from None
    return response


@transaction.atomic
def moderate_text_answer(*, answer: SurveyAnswer, approve: bool, actor) -> SurveyAnswer:
    survey = answer.response.survey
    require(actor, PERMISSION, survey, what="审核本问卷的文字答复")
    if answer.question.kind != QuestionKind.TEXT:
        raise ValidationError("只有文字题的答复需要审核。")
    answer.text_status = Moderation.APPROVED if approve else Moderation.REJECTED
    answer.save(update_fields=["text_status"])
    audit(
        actor=actor,
        action="interaction.survey_answer.review",
        target=answer,
        detail={"status": answer.text_status},
        organization=survey.organization,
    )
    return answer
