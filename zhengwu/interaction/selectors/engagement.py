"""Reads of 在线访谈, 意见征集 and 调查问卷: public lists, the live feed after a cursor, a consultation's figures and
a survey's results (with the .xlsx renderer)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from ..models.engagement import (
    Adoption,
    Consultation,
    Interview,
    InterviewEntry,
    InterviewState,
    Moderation,
    QuestionKind,
    Survey,
    SurveyAnswer,
)


def _in_subtree(qs: QuerySet, organization) -> QuerySet:
    """What a site shows: the items of its organization and of the organizations below it (all, without one)."""
    if organization is None:
        return qs
    return qs.filter(organization__path__startswith=organization.path)


# -- 在线访谈 ---------------------------------------------------------------------------------------------------


def public_interviews(*, organization=None) -> dict[str, list[Interview]]:
    qs = _in_subtree(Interview.objects.filter(is_published=True), organization).select_related("organization")
    qs = qs.prefetch_related("guests")
    return {
        "live": list(qs.filter(state=InterviewState.LIVE).order_by("starts_at")),
        "upcoming": list(qs.filter(state=InterviewState.UPCOMING).order_by("starts_at")),
        "past": list(qs.filter(state=InterviewState.ENDED).order_by("-starts_at")),
    }


def approved_questions(interview: Interview) -> QuerySet:
    """网民提问 the public sees: approved only."""
    return interview.questions.filter(status=Moderation.APPROVED).order_by("submitted_at", "pk")


@dataclass
class LiveFeed:
    cursor: int
    state: str
    entries: list[dict[str, Any]] = field(default_factory=list)

    @property
    def etag(self) -> str:
        return f'"iv-{self.cursor}-{self.state}"'


def live_cursor(interview: Interview) -> int:
    return interview.entries.aggregate(last=Max("pk"))["last"] or 0


def live_feed(interview: Interview, *, since: int = 0, limit: int = 200) -> LiveFeed:
    """Transcript lines published after ``since`` (the last id the page has), oldest first."""
    rows = (
        InterviewEntry.objects.filter(interview=interview, pk__gt=max(0, since))
        .select_related("guest__photo")
        .order_by("pk")[:limit]
    )
    entries = [
        {
            "id": entry.pk,
            "role": entry.role,
            "role_label": entry.get_role_display(),
            "speaker": entry.speaker,
            "content": entry.content,
            "time": timezone.localtime(entry.published_at).strftime("%H:%M"),
        }
        for entry in rows
    ]
    cursor = entries[-1]["id"] if entries else max(since, 0)
    return LiveFeed(cursor=cursor, state=interview.state, entries=entries)


def moderation_queue(interview: Interview) -> QuerySet:
    return interview.questions.filter(status=Moderation.PENDING).order_by("submitted_at", "pk")


# -- 意见征集 ---------------------------------------------------------------------------------------------------


def public_consultations(*, organization=None) -> dict[str, list[Consultation]]:
    today = timezone.localdate()
    qs = _in_subtree(Consultation.objects.filter(is_published=True), organization).select_related(
        "organization"
    )
    return {
        "open": list(qs.filter(opens_on__lte=today, closes_on__gte=today).order_by("closes_on")),
        "closed": list(qs.filter(closes_on__lt=today).order_by("-closes_on")),
    }


@dataclass(frozen=True)
class ConsultationFigures:
    received: int
    published: int
    adopted: int
    partly: int
    not_adopted: int

    @property
    def adopted_total(self) -> int:
        """采纳 counting 部分采纳, as feedback notices usually state it."""
        return self.adopted + self.partly


def consultation_figures(consultation: Consultation) -> ConsultationFigures:
    """收到意见 (every comment received, whatever moderation made of it), 公开 (approved), and the adoption split."""
    figures = consultation.comments.aggregate(
        received=Count("pk"),
        published=Count("pk", filter=Q(status=Moderation.APPROVED)),
        adopted=Count("pk", filter=Q(adoption=Adoption.ADOPTED)),
        partly=Count("pk", filter=Q(adoption=Adoption.PARTLY)),
        not_adopted=Count("pk", filter=Q(adoption=Adoption.NOT_ADOPTED)),
    )
    return ConsultationFigures(**figures)


def public_comments(consultation: Consultation) -> QuerySet:
    return consultation.comments.filter(status=Moderation.APPROVED).order_by("submitted_at", "pk")


# -- 调查问卷 ---------------------------------------------------------------------------------------------------


def public_surveys(*, organization=None) -> dict[str, list[Survey]]:
    now = timezone.now()
    qs = _in_subtree(Survey.objects.filter(is_published=True), organization).select_related("organization")
    return {
        "open": list(qs.filter(opens_at__lte=now, closes_at__gt=now).order_by("closes_at")),
        "closed": list(qs.filter(closes_at__lte=now).order_by("-closes_at")),
    }


@dataclass
class OptionResult:
    label: str
    count: int
    percent: float  # of the people who answered the question


@dataclass
class QuestionResult:
    question: Any
    answered: int
    options: list[OptionResult] = field(default_factory=list)
    average: float | None = None
    texts: list[str] = field(default_factory=list)


def survey_results(survey: Survey, *, public: bool = True) -> tuple[int, list[QuestionResult]]:
    """(number of answer sheets, one result per question). Text answers: approved only when ``public``."""
    total = survey.responses.count()
    answers_by_question: dict[int, list[SurveyAnswer]] = {}
    for answer in SurveyAnswer.objects.filter(response__survey=survey).order_by("pk"):
        answers_by_question.setdefault(answer.question_id, []).append(answer)
    results = []
    for question in survey.questions.all():
        answers = answers_by_question.get(question.pk, [])
        result = QuestionResult(question=question, answered=len(answers))
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            counts = [0] * len(question.options)
            for answer in answers:
                for index in answer.choices:
                    if 0 <= index < len(counts):
                        counts[index] += 1
            result.options = [
                OptionResult(label, n, round(100 * n / len(answers), 1) if answers else 0.0)
                for label, n in zip(question.options, counts, strict=True)
            ]
        elif question.kind == QuestionKind.SCALE:
            scores = [a.score for a in answers if a.score is not None]
            counts = {s: 0 for s in range(question.scale_min, question.scale_max + 1)}
            for s in scores:
                counts[s] = counts.get(s, 0) + 1
            result.options = [
                OptionResult(f"{s} 分", n, round(100 * n / len(scores), 1) if scores else 0.0)
                for s, n in counts.items()
            ]
            result.average = round(sum(scores) / len(scores), 2) if scores else None
        else:
            shown = [a for a in answers if not public or a.text_status == Moderation.APPROVED]
            result.texts = [a.text for a in shown]
        results.append(result)
    return total, results


def pending_text_answers(survey: Survey) -> QuerySet:
    return (
        SurveyAnswer.objects.filter(response__survey=survey, text_status=Moderation.PENDING)
        .select_related("question")
        .order_by("pk")
    )


def survey_workbook_bytes(survey: Survey) -> bytes:
    """调查结果.xlsx: a summary sheet (counts per option, averages) and one row per answer sheet."""
    from openpyxl import Workbook

    from zhengwu.core.spreadsheets import save_workbook

    total, results = survey_results(survey, public=False)
    workbook = Workbook()
    summary = workbook.active
    summary.title = "统计"
    summary.append([survey.title])
    summary.append(["答卷数", total])
    summary.append([])
    summary.append(["题目", "题型", "选项", "人数", "比例（%）"])
    for result in results:
        question = result.question
        if result.options:
            for option in result.options:
                summary.append(
                    [question.text, question.get_kind_display(), option.label, option.count, option.percent]
                )
            if result.average is not None:
                summary.append([question.text, question.get_kind_display(), "平均分", result.average, None])
        else:
            summary.append([question.text, question.get_kind_display(), "作答人数", result.answered, None])
    sheet = workbook.create_sheet("答卷")
    questions = list(survey.questions.all())
    sheet.append(["序号", "提交时间", *[q.text for q in questions]])
    answers: dict[tuple[int, int], SurveyAnswer] = {
        (a.response_id, a.question_id): a for a in SurveyAnswer.objects.filter(response__survey=survey)
    }
    for number, response in enumerate(survey.responses.order_by("pk"), start=1):
        row: list[Any] = [number, timezone.localtime(response.submitted_at).strftime("%Y-%m-%d %H:%M")]
        for question in questions:
            answer = answers.get((response.pk, question.pk))
            if answer is None:
                row.append(None)
            elif question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
                row.append(
                    "；".join(question.options[i] for i in answer.choices if i < len(question.options))
                )
            elif question.kind == QuestionKind.SCALE:
                row.append(answer.score)
            else:
                row.append(answer.text)
        sheet.append(row)
    buffer = io.BytesIO()
    save_workbook(workbook, buffer)
    return buffer.getvalue()
