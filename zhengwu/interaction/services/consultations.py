"""意见征集: a draft open for comments between two dates, comments moderated before publication, and after the
close a published 采纳情况 (received, adopted, not adopted with reasons)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zhengwu.core.services.audit import audit
from zhengwu.core.services.uploads import check_upload

from ..models.engagement import (
    Adoption,
    Consultation,
    ConsultationAttachment,
    ConsultationComment,
    Moderation,
)
from .engagement_common import public_text, require

PERMISSION = "interaction.moderate_consultation"
COMMENT_MAX = 2000
ATTACHMENT_KINDS = ("pdf", "doc", "docx", "wps", "ofd", "xls", "xlsx", "jpg", "png", "zip")
RULES_FILE = Path(__file__).resolve().parent.parent / "rules" / "consultation.json"


@lru_cache(maxsize=1)
def rules() -> dict:
    return json.loads(RULES_FILE.read_text(encoding="utf-8"))


def period_days(opens_on, closes_on) -> int:
    """征求意见期限 in calendar days, both ends counted."""
    return (closes_on - opens_on).days + 1


def period_warning(*, opens_on, closes_on, is_major_decision: bool) -> str:
    """The form's warning when a 重大行政决策 draft is open for less than the rule's minimum (not a refusal: the
    regulation allows a shorter period in an emergency, stated in the notice)."""
    if not (is_major_decision and opens_on and closes_on):
        return ""
    minimum = rules()["major_decision_min_days"]
    days = period_days(opens_on, closes_on)
    if days >= minimum:
        return ""
    return (
        f"征求意见期限为 {days} 日，少于重大行政决策草案一般不少于 {minimum} 日的要求"
        "（《重大行政决策程序暂行条例》第十四条）。确需缩短的，请在征集说明中写明理由。"
    )


def check_dates(*, opens_on, closes_on) -> None:
    if opens_on and closes_on and closes_on < opens_on:
        raise ValidationError({"closes_on": "截止日期不能早于开始日期。"})


@transaction.atomic
def add_attachment(*, consultation: Consultation, uploaded_file, actor) -> ConsultationAttachment:
    """A file of the draft (起草说明, 对照表…), checked by content, not by its name."""
    require(actor, "interaction.change_consultation", consultation, what="修改本次意见征集")
    checked = check_upload(uploaded_file, allowed=ATTACHMENT_KINDS)
    attachment = ConsultationAttachment(
        consultation=consultation, display_name=checked.display_name, kind=checked.kind, size=checked.size
    )
    attachment.file.save(checked.storage_name, checked.file, save=False)
    attachment.save()
    audit(
        actor=actor,
        action="interaction.consultation.attach",
        target=attachment,
        detail={"name": checked.display_name},
        organization=consultation.organization,
    )
    return attachment


@transaction.atomic
def submit_comment(
    *, consultation: Consultation, name: str, phone: str, content: str, ip_address: str | None = None
) -> ConsultationComment:
    today = timezone.localdate()
    if not consultation.is_published:
        raise ValidationError("该意见征集不存在或尚未发布。", code="not_found")
    if consultation.is_closed(today):
        raise ValidationError(
            f"本次意见征集已于 {consultation.closes_on:%Y年%-m月%-d日} 截止，不再接受意见。感谢您的关注。",
            code="closed",
        )
    if today < consultation.opens_on:
        raise ValidationError(
            f"本次意见征集将于 {consultation.opens_on:%Y年%-m月%-d日} 开始，请届时再提交意见。",
            code="not_open",
        )
    comment = ConsultationComment.objects.create(
        consultation=consultation,
        name=public_text(name, label="姓名", max_length=40),
        phone=public_text(phone, label="联系电话", max_length=20),
        content=public_text(content, label="意见内容", max_length=COMMENT_MAX, min_length=5),
        ip_address=ip_address,
    )
    audit(
        actor=None,
        action="interaction.consultation_comment.submit",
        target=comment,
        organization=consultation.organization,
    )
    return comment


@transaction.atomic
def moderate_comment(*, comment: ConsultationComment, approve: bool, actor) -> ConsultationComment:
    require(actor, PERMISSION, comment.consultation, what="审核本次征集的意见")
    comment.status = Moderation.APPROVED if approve else Moderation.REJECTED
    comment.moderated_at = timezone.now()
    comment.moderated_by = actor
    comment.save(update_fields=["status", "moderated_at", "moderated_by"])
    audit(
        actor=actor,
        action="interaction.consultation_comment.review",
        target=comment,
        detail={"status": comment.status},
        organization=comment.consultation.organization,
    )
    return comment


@transaction.atomic
def record_adoption(
    *, comment: ConsultationComment, adoption: str, reason: str = "", actor
) -> ConsultationComment:
    """采纳 / 部分采纳 / 未采纳 of one comment; not adopting (wholly or partly) needs a stated reason."""
    require(actor, PERMISSION, comment.consultation, what="处理本次征集的意见")
    if adoption not in (Adoption.ADOPTED, Adoption.PARTLY, Adoption.NOT_ADOPTED):
        raise ValidationError("请选择采纳情况。")
    reason = (reason or "").strip()
    if adoption != Adoption.ADOPTED and not reason:
        raise ValidationError("未采纳或部分采纳的意见，请写明理由。")
    comment.adoption, comment.adoption_reason = adoption, reason
    comment.save(update_fields=["adoption", "adoption_reason"])
    audit(
        actor=actor,
        action="interaction.consultation_comment.record",
        target=comment,
        detail={"adoption": adoption},
        organization=comment.consultation.organization,
    )
    return comment


@transaction.atomic
def publish_feedback(*, consultation: Consultation, summary: str, actor) -> Consultation:
    """发布采纳情况: only after the close, with every approved comment decided."""
    require(actor, PERMISSION, consultation, what="发布本次征集的采纳情况")
    if not consultation.is_closed():
        raise ValidationError("意见征集尚未截止，截止后才能发布采纳情况。")
    undecided = consultation.comments.filter(status=Moderation.APPROVED, adoption="").count()
    pending = consultation.comments.filter(status=Moderation.PENDING).count()
    if pending:
        raise ValidationError(f"还有 {pending} 条意见未审核，请审核后再发布采纳情况。")
    if undecided:
        raise ValidationError(f"还有 {undecided} 条意见未填写采纳情况。")
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError("请填写采纳情况说明。")
    consultation.feedback_summary = summary
    consultation.feedback_published_at = timezone.now()
    consultation.save(update_fields=["feedback_summary", "feedback_published_at", "updated_at"])
    audit(
        actor=actor,
        action="interaction.consultation_feedback.publish",
        target=consultation,
        organization=consultation.organization,
    )
    return consultation
