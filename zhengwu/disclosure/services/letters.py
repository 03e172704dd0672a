"""告知书: one template per reply outcome and for 补正, extension and fee notices (rules/letters.json), filled from
the request, kept as .docx and PDF with the request.

A letter row is written inside the action's transaction with everything it says (``context``), so the text is
fixed at the moment of the action; the files are rendered after the commit by a background task.
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from zhengwu.core.services.audit import audit

from ..models import DisclosureRequest, DisclosureSettings, LetterKind, NoticeLetter
from ..rules import load, outcome_by_code

DEFAULT_REVIEW_BODY = "本机关的上一级行政机关或者本级人民政府"


def format_day(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _fill(text: str, values: dict[str, Any]) -> str:
    return string.Formatter().vformat(text, (), _Blank(values))


@dataclass(frozen=True)
class LetterContent:
    title: str
    number: str
    salutation: str
    paragraphs: list[str]
    remedy: str
    signature: str
    date_text: str


def _templates() -> dict[str, Any]:
    return load("letters")


def template_for_outcome(outcome_code: str) -> str:
    outcome = outcome_by_code(outcome_code)
    if outcome is None:
        raise ValueError(f"未知的办理结果：{outcome_code}")
    return outcome.letter


def base_context(request: DisclosureRequest) -> dict[str, Any]:
    settings_row = DisclosureSettings.load()
    org = request.organization
    guide = getattr(org, "disclosure_guide", None)
    description = " ".join((request.description or request.document_hint or "").split())
    if len(description) > 120:
        description = description[:120] + "……"
    return {
        "applicant_name": request.applicant_name or "申请人",
        "received_date": format_day(request.received_on),
        "tracking_number": request.tracking_number,
        "description": description,
        "organization": org.name,
        "review_body": settings_row.review_body or DEFAULT_REVIEW_BODY,
        "contact_name": guide.office_name if guide else "",
        "contact_phone": (guide.phone if guide else "") or org.phone,
        "payment_method": settings_row.payment_method or "请与本机关政府信息公开工作机构联系缴费",
    }


def letter_content(letter: NoticeLetter) -> LetterContent:
    """What the letter says, from its template and the values recorded when it was issued."""
    rules = _templates()
    spec = rules["letters"][letter.template]
    values = dict(letter.context)
    if "reason" not in values and values.get("outcome"):
        values["reason"] = _fill(rules["reasons"].get(values["outcome"], ""), values)
    paragraphs = [_fill(text, values).strip() for text in spec["body"]]
    return LetterContent(
        title=spec["title"],
        number=f"{values.get('tracking_number', '')}-{spec['number_prefix']}",
        salutation=_fill(rules["common"]["salutation"], values),
        paragraphs=[p for p in paragraphs if p],
        remedy=_fill(rules["common"]["remedy"], values) if spec.get("remedy") else "",
        signature=_fill(rules["common"]["signature"], values),
        date_text=values.get("letter_date", ""),
    )


def issue_letter(
    *, request: DisclosureRequest, kind: str, template: str, values: dict[str, Any], on: dt.date, actor: Any
) -> NoticeLetter:
    """Record a 告知书 inside the caller's transaction; the files are rendered after the commit."""
    if template not in _templates()["letters"]:
        raise ValueError(f"未知的告知书模板：{template}")
    context = {**base_context(request), **values, "letter_date": format_day(on)}
    spec = _templates()["letters"][template]
    letter = NoticeLetter.objects.create(
        request=request, kind=kind, template=template, title=spec["title"], context=context, created_by=actor
    )
    audit(
        actor=actor,
        action="disclosure.letter.issue",
        target=letter,
        organization=request.organization,
        detail={"request": request.tracking_number, "template": template},
    )
    transaction.on_commit(lambda: _enqueue_render(letter.pk))
    return letter


def _enqueue_render(letter_id: int) -> None:
    from ..tasks import render_notice_letter

    render_notice_letter.enqueue(letter_id)


def render_letter(*, letter: NoticeLetter) -> NoticeLetter:
    """Write the .docx and PDF of ``letter`` (run by a task after the action's commit; may be run again)."""
    from ..documents import letter_docx, letter_pdf

    content = letter_content(letter)
    stem = f"{letter.request.tracking_number}-{letter.template}-{letter.pk}"
    try:
        docx_bytes = letter_docx(content)
        pdf_bytes = letter_pdf(content)
    except Exception as exc:  # a rendering failure is kept on the row for staff to see and retry
        NoticeLetter.objects.filter(pk=letter.pk).update(error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    with transaction.atomic():
        if letter.docx:
            letter.docx.delete(save=False)
        if letter.pdf:
            letter.pdf.delete(save=False)
        letter.docx.save(f"{stem}.docx", ContentFile(docx_bytes), save=False)
        letter.pdf.save(f"{stem}.pdf", ContentFile(pdf_bytes), save=False)
        letter.rendered_at = timezone.now()
        letter.error = ""
        letter.save(update_fields=["docx", "pdf", "rendered_at", "error"])
        audit(
            actor=None,
            action="disclosure.letter.render",
            target=letter,
            organization=letter.request.organization,
            detail={"docx": letter.docx.name, "pdf": letter.pdf.name},
        )
    return letter


LETTER_KIND_FOR_TEMPLATE = {
    "correction": LetterKind.CORRECTION,
    "extension": LetterKind.EXTENSION,
    "fee": LetterKind.FEE,
}
