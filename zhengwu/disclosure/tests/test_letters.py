"""告知书: one template per outcome and for 补正, extension and fee notices, filled from the request, stored as
.docx (read back with python-docx) and PDF (with an embedded CJK font)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document

from zhengwu.disclosure.models import DisclosureSettings, NoticeLetter
from zhengwu.disclosure.rules import load, outcomes
from zhengwu.disclosure.services import requests as svc
from zhengwu.disclosure.services.letters import letter_content

from .conftest import bj, pdf_font_names

D = dt.date
pytestmark = pytest.mark.django_db


def docx_text(field) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(field.read())).paragraphs)


def test_every_outcome_has_a_template_and_a_reason():
    rules = load("letters")
    for outcome in outcomes():
        assert outcome.letter in rules["letters"], outcome.code
        if outcome.group_code not in ("published", "partial"):
            assert outcome.code in rules["reasons"], outcome.code


def test_reply_letter_is_filled_and_stored_as_docx_and_pdf(
    county, officer, application, django_capture_on_commit_callbacks
):
    settings_row = DisclosureSettings.load()
    settings_row.review_body = "示范县人民政府"
    settings_row.save()
    request = svc.register_request(
        organization=county["office"],
        application=application(applicant_name="王五"),
        channel="in_person",
        received_on=D(2026, 4, 24),
        actor=officer,
    ).request
    with django_capture_on_commit_callbacks(execute=True):
        svc.reply_request(
            request=request,
            outcome="withheld.third_party",
            text="第三方示范县某建筑公司书面表示不同意公开。",
            actor=officer,
            at=bj(2026, 5, 8),
        )
    letter = NoticeLetter.objects.get(request=request)
    assert letter.template == "withheld" and letter.rendered_at and not letter.error
    text = docx_text(letter.docx)
    assert text.startswith("政府信息不予公开告知书")
    assert f"{request.tracking_number}-答复" in text
    assert "王五：" in text
    assert "本机关于2026年4月24日收到您提出的政府信息公开申请" in text  # a natural person: “您”
    assert "第十五条、第三十二条的规定，不予公开" in text
    assert "第三方示范县某建筑公司书面表示不同意公开。" in text
    assert "六十日内向示范县人民政府申请行政复议" in text
    assert text.rstrip().endswith("示范县人民政府办公室\n2026年5月8日")
    pdf = letter.pdf.read()
    assert pdf.startswith(b"%PDF") and any("CJK" in name for name in pdf_font_names(pdf))


def test_correction_extension_and_fee_notices(
    county, officer, head, application, django_capture_on_commit_callbacks
):
    request = svc.register_request(
        organization=county["office"],
        application=application(),
        channel="in_person",
        received_on=D(2026, 9, 16),
        actor=officer,
    ).request
    with django_capture_on_commit_callbacks(execute=True):
        svc.extend_request(
            request=request, days=15, reason="需要调取历史档案", approver=head, on=D(2026, 10, 16)
        )
        svc.notify_fee(request=request, method="per_page", pages=45, on=D(2026, 10, 19), actor=officer)
    extension = NoticeLetter.objects.get(request=request, template="extension")
    text = docx_text(extension.docx)
    assert "因需要调取历史档案，本机关不能在法定期限内作出答复" in text and "答复期限延长15个工作日" in text
    fee = NoticeLetter.objects.get(request=request, template="fee")
    content = letter_content(fee)
    assert content.title == "政府信息公开信息处理费收费通知书"
    body = "\n".join(content.paragraphs)
    assert "第31—45页共15页×10元=150元" in body and "人民币150.00元" in body
    assert "20个工作日内" in body


def test_letters_address_a_legal_person_as_unit_and_quote_without_double_stops(
    county, officer, head, application, django_capture_on_commit_callbacks
):
    from zhengwu.core.validators import make_credit_code

    company = application(
        applicant_kind="commercial",
        applicant_name="示范县宏达建筑工程有限公司",
        id_type="credit_code",
        id_number=make_credit_code("91430100MA4L0000X"),
        contact_name="赵六",
        description="2025年城区道路改造工程的招标文件。",
        delivery="post",
    )
    request = svc.register_request(
        organization=county["office"],
        application=company,
        channel="in_person",
        received_on=D(2026, 9, 16),
        actor=officer,
    ).request
    with django_capture_on_commit_callbacks(execute=True):
        svc.extend_request(
            request=request, days=10, reason="需要调取历史档案。", approver=head, on=D(2026, 10, 12)
        )
    text = docx_text(NoticeLetter.objects.get(request=request, template="extension").docx)
    assert "收到您（单位）提出的政府信息公开申请" in text
    assert "申请获取“2025年城区道路改造工程的招标文件”。" in text and "。”。" not in text
    assert "因需要调取历史档案，本机关不能在法定期限内作出答复" in text
    request.refresh_from_db()
    # The clock's explanation (lookup page, admin) and the timeline end the reason's sentence once.
    assert "理由：需要调取历史档案。" in request.due_explanation and "。。" not in request.due_explanation
    assert request.events.get(kind="extended").note == "需要调取历史档案"


def test_reply_email_carries_the_reply_letter_when_the_applicant_chose_email(
    county, officer, application, mailoutbox, django_capture_on_commit_callbacks
):
    chose_email = svc.register_request(
        organization=county["office"],
        application=application(delivery="email", email="zhangsan@example.com"),
        channel="in_person",
        received_on=D(2026, 9, 16),
        actor=officer,
    ).request
    by_post = svc.register_request(
        organization=county["office"],
        application=application(delivery="post", email="lisi@example.com", applicant_name="李四"),
        channel="in_person",
        received_on=D(2026, 9, 16),
        actor=officer,
    ).request
    mailoutbox.clear()
    for request in (chose_email, by_post):
        with django_capture_on_commit_callbacks(execute=True):
            svc.reply_request(
                request=request,
                outcome="published",
                text="予以公开，见附件。",
                actor=officer,
                at=bj(2026, 9, 30),
            )
    replies = [m for m in mailoutbox if "已答复" in m.subject]
    to_email = next(m for m in replies if m.to == ["zhangsan@example.com"])
    assert len(to_email.attachments) == 1
    filename, content, mimetype = to_email.attachments[0]
    letter = NoticeLetter.objects.get(request=chose_email, kind="reply")
    assert (
        filename == f"{chose_email.tracking_number}-政府信息公开申请答复书.pdf"
        and mimetype == "application/pdf"
    )
    assert content.startswith(b"%PDF") and content == letter.pdf.open("rb").read()
    assert letter.emailed_at is not None
    # Rendering the letter again does not send it twice.
    from zhengwu.disclosure.services.letters import render_letter

    with django_capture_on_commit_callbacks(execute=True):
        render_letter(letter=NoticeLetter.objects.get(pk=letter.pk))
    assert len([m for m in mailoutbox if m.to == ["zhangsan@example.com"] and "已答复" in m.subject]) == 1
    # The applicant who chose post is told by e-mail, without the letter (it goes by post).
    to_post = next(m for m in replies if m.to == ["lisi@example.com"])
    assert not to_post.attachments
