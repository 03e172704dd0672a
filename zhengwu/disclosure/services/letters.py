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
from zhengwu.core.services.notifications import notify

from ..models import DisclosureRequest, DisclosureSettings, LetterKind, NoticeLetter
from ..rules import applicant_kinds, load, outcome_by_code

DEFAULT_REVIEW_BODY = "本机关的上一级行政机关或者本级人民政府"


def format_day(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


_CLOSING = "。．.；;，,、 \u3000\t\r\n"


def sentence_body(text: str | None) -> str:
    """Typed text without its closing full stop (or comma, semicolon), for a letter or message that puts it inside
    a sentence of its own: “申请获取“……”。” and “理由：……。” end the sentence once."""
    return " ".join((text or "").split()).rstrip(_CLOSING)


def addressee(request: DisclosureRequest) -> str:
    """“您” for a natural person, “您（单位）” for a legal person or other organization (rules/letters.json)."""
    kind = next((k for k in applicant_kinds() if k.code == request.applicant_kind), None)
    words = _templates()["common"]["addressee"]
    return words["legal_person" if kind is not None and kind.legal_person else "natural_person"]


def wants_email_delivery(request: DisclosureRequest) -> bool:
    """The applicant chose to receive the information and letters by e-mail and gave an address."""
    return request.delivery == "email" and bool((request.email or "").strip())


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
    description = sentence_body(request.description or request.document_hint)
    if len(description) > 120:
        description = description[:120] + "……"
    return {
        "applicant_name": request.applicant_name or "申请人",
        "you": addressee(request),
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
    # Letters issued before the addressee was a placeholder said “您（单位）” to everyone: re-rendered, they say
    # what they said then.
    values.setdefault("you", _templates()["common"]["addressee"]["legal_person"])
    values["description"] = sentence_body(values.get("description", ""))
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
    *,
    request: DisclosureRequest,
    kind: str,
    template: str,
    values: dict[str, Any],
    on: dt.date,
    actor: Any,
    http_request: Any = None,
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
        request=http_request,
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
        _email_letter(letter)
    return letter


def _email_letter(letter: NoticeLetter) -> None:
    """Send a rendered 告知书 as a PDF attachment to an applicant who chose e-mail delivery, once (the action that
    issued it left its message on the letter; see ``requests._tell_applicant``)."""
    mail = letter.context.get("_mail")
    request = letter.request
    if not mail or letter.emailed_at is not None or not wants_email_delivery(request) or not letter.pdf:
        return
    notify(
        title=mail["title"],
        body=f"{mail['body']}\n\n《{letter.title}》见附件（PDF）。",
        email=request.email,
        channels=("email",),
        category="disclosure",
        attachments=[(letter.pdf.name, f"{request.tracking_number}-{letter.title}.pdf", "application/pdf")],
    )
    letter.emailed_at = timezone.now()
    letter.save(update_fields=["emailed_at"])
    audit(
        actor=None,
        action="disclosure.letter.email",
        target=letter,
        organization=request.organization,
        detail={"request": request.tracking_number, "pdf": letter.pdf.name},
    )


LETTER_KIND_FOR_TEMPLATE = {
    "correction": LetterKind.CORRECTION,
    "extension": LetterKind.EXTENSION,
    "fee": LetterKind.FEE,
}
