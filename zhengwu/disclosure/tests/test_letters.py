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
    assert "本机关于2026年4月24日收到您（单位）提出的政府信息公开申请" in text
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
