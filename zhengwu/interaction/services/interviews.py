"""在线访谈: questions from the public (pre-moderated), the host's live transcript, the archive."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhengwu.core.services.audit import audit

from ..models.engagement import (
    EntryRole,
    Interview,
    InterviewEntry,
    InterviewGuest,
    InterviewQuestion,
    InterviewState,
    Moderation,
)
from .engagement_common import public_text, require

PERMISSION = "interaction.host_interview"
QUESTION_MAX = 500
ENTRY_MAX = 5000


@transaction.atomic
def submit_question(
    *, interview: Interview, nickname: str, content: str, ip_address: str | None = None
) -> InterviewQuestion:
    """A question from the public: stored as 待审核, public only once the host approves it."""
    if not interview.is_published:
        raise ValidationError("该访谈不存在或尚未发布。", code="not_found")
    if interview.state == InterviewState.ENDED:
        raise ValidationError("本期访谈已经结束，不再接受提问。", code="closed")
    question = InterviewQuestion.objects.create(
        interview=interview,
        nickname=public_text(nickname, label="昵称", max_length=30),
        content=public_text(content, label="提问内容", max_length=QUESTION_MAX, min_length=5),
        during_live=interview.state == InterviewState.LIVE,
        ip_address=ip_address,
    )
    audit(
        actor=None,
        action="interaction.interview_question.submit",
        target=question,
        organization=interview.organization,
    )
    return question


@transaction.atomic
def moderate_question(*, question: InterviewQuestion, approve: bool, actor) -> InterviewQuestion:
    require(actor, PERMISSION, question.interview, what="审核本期访谈的网民提问")
    question.status = Moderation.APPROVED if approve else Moderation.REJECTED
    question.moderated_at = timezone.now()
    question.moderated_by = actor
    question.save(update_fields=["status", "moderated_at", "moderated_by"])
    audit(
        actor=actor,
        action="interaction.interview_question.review",
        target=question,
        detail={"status": question.status},
        organization=question.interview.organization,
    )
    return question


@transaction.atomic
def set_state(*, interview: Interview, state: str, actor, summary: str | None = None) -> Interview:
    """开始直播 / 结束访谈 (with the summary for the archive)."""
    require(actor, PERMISSION, interview, what="主持本期访谈")
    if state not in InterviewState.values:
        raise ValidationError("访谈状态无效。")
    interview.state = state
    fields = ["state", "updated_at"]
    if summary is not None:
        interview.summary = summary.strip()
        fields.append("summary")
    interview.save(update_fields=fields)
    audit(
        actor=actor,
        action="interaction.interview.update",
        target=interview,
        detail={"state": state},
        organization=interview.organization,
    )
    return interview


def publish_entry(
    *,
    interview: Interview,
    actor,
    role: str,
    content: str,
    guest: InterviewGuest | None = None,
    question: InterviewQuestion | None = None,
    client_token: str = "",
) -> InterviewEntry:
    """The host publishes one line of the transcript: a question from the public (approving it), a guest's answer,
    or the host's own words. A post repeated with the same ``client_token`` (the host's connection dropped before
    the answer came back) returns the line already stored."""
    require(actor, PERMISSION, interview, what="主持本期访谈")
    client_token = (client_token or "")[:40]
    if client_token:
        existing = InterviewEntry.objects.filter(interview=interview, client_token=client_token).first()
        if existing is not None:
            return existing
    if role not in EntryRole.values:
        raise ValidationError("请选择发言类别。")
    if role == EntryRole.GUEST:
        if guest is None or guest.interview_id != interview.pk:
            raise ValidationError("请选择回答问题的嘉宾。")
        speaker = guest.name
    elif role == EntryRole.QUESTION:
        if question is None or question.interview_id != interview.pk:
            raise ValidationError("请选择要发布的网民提问。")
        speaker = f"网友“{question.nickname}”"
        content = content or question.content
    else:
        speaker = "主持人"
    content = (content or "").strip()
    if not content:
        raise ValidationError("请填写发布内容。")
    if len(content) > ENTRY_MAX:
        raise ValidationError(f"发布内容不能超过 {ENTRY_MAX} 字。")
    try:
        with transaction.atomic():
            if question is not None and question.status != Moderation.APPROVED:
                question.status = Moderation.APPROVED
                question.moderated_at = timezone.now()
                question.moderated_by = actor
                question.save(update_fields=["status", "moderated_at", "moderated_by"])
            entry = InterviewEntry.objects.create(
                interview=interview,
                role=role,
                guest=guest if role == EntryRole.GUEST else None,
                question=question if role == EntryRole.QUESTION else None,
                speaker=speaker,
                content=content,
                published_by=actor,
                client_token=client_token,
            )
            audit(
                actor=actor,
                action="interaction.interview.publish",
                target=entry,
                detail={"role": role},
                organization=interview.organization,
            )
    except IntegrityError:
        # The same post arrived twice at once: the other request stored it.
        return InterviewEntry.objects.get(interview=interview, client_token=client_token)
    return entry
