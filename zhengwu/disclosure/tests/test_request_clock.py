"""The 依申请公开 legal clock on the cases of disclosure.md, across real 2025–2026 holidays and 调休 days.

Every expected date is counted by hand in the test's docstring from the State Council notices
(国务院办公厅关于2025年/2026年部分节假日安排的通知). The day of receipt is not counted; counting starts the next day.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from zhengwu.core.models import AuditLog
from zhengwu.disclosure.models import (
    Consultation,
    DisclosureRequest,
    DisclosureSettings,
    EventKind,
    NoticeLetter,
    RequestState,
)
from zhengwu.disclosure.services import requests as svc

from .conftest import bj

D = dt.date
pytestmark = pytest.mark.django_db


def register(county, officer, application, *, received_on, channel="in_person", **overrides):
    return svc.register_request(
        organization=county["office"],
        application=application(**overrides),
        channel=channel,
        received_on=received_on,
        actor=officer,
    ).request


def test_in_person_receipt_counts_twenty_working_days_across_national_day_2025(county, officer, application):
    """Received Thursday 2025-09-25 in person (Art. 31: the day submitted).

    9-26 Fri → 1; 9-28 Sun 调休上班 → 2; 9-29, 9-30 → 3, 4; 10-1…10-8 国庆节、中秋节 skipped; 10-9, 10-10 → 5, 6;
    10-11 Sat 调休上班 → 7; 10-13…10-17 → 8–12; 10-20…10-24 → 13–17; 10-27, 10-28, 10-29 → 18, 19, 20.
    """
    request = register(county, officer, application, received_on=D(2025, 9, 25))
    assert request.state == RequestState.PROCESSING
    assert request.received_on == D(2025, 9, 25)
    assert request.due_on == D(2025, 10, 29)
    assert "以提交之日为收到申请之日" in request.receipt_basis
    assert "9月28日（星期日）为调休工作日，计入" in request.due_explanation
    assert "10月11日（星期六）为调休工作日，计入" in request.due_explanation
    assert "第三十三条" in request.due_explanation
    # 补正 notice within 7 working days: 9-26, 9-28, 9-29, 9-30, 10-9, 10-10, 10-11 → Saturday 10-11.
    assert request.correction_notice_due_on == D(2025, 10, 11)
    assert request.events.get().kind == EventKind.RECEIVED
    assert AuditLog.objects.filter(action="disclosure.request.register").exists()


def test_online_application_is_received_on_the_day_both_sides_confirm(county, officer, application):
    """Submitted online, confirmed Monday 2025-12-29 (Art. 31: 双方确认之日).

    12-30, 12-31 → 1, 2; 2026-01-01…01-03 元旦 skipped; 01-04 Sun 调休上班 → 3; 01-05…01-09 → 4–8;
    01-12…01-16 → 9–13; 01-19…01-23 → 14–18; 01-26, 01-27 → 19, 20.
    """
    issued = svc.submit_request(organization=county["office"], application=application())
    request = issued.request
    assert request.state == RequestState.SUBMITTED
    assert request.received_on is None and request.due_on is None and request.reply_clock is None
    assert len(issued.query_code) == 8
    DisclosureRequest.objects.filter(pk=request.pk).update(submitted_at=bj(2025, 12, 27, 22, 15))
    request.refresh_from_db()
    with pytest.raises(ValidationError, match="不能早于网上提交日期"):
        svc.confirm_receipt(request=request, received_on=D(2025, 12, 26), actor=officer)
    request = svc.confirm_receipt(request=request, received_on=D(2025, 12, 29), actor=officer)
    assert request.state == RequestState.PROCESSING
    assert request.due_on == D(2026, 1, 27)
    assert "1月4日（星期日）为调休工作日，计入" in request.due_explanation
    with pytest.raises(ValidationError, match="待确认收到"):
        svc.confirm_receipt(request=request, received_on=D(2025, 12, 30), actor=officer)


def test_ordinary_letter_is_received_on_the_day_of_confirmation(county, officer, application):
    """平常信函 arriving Friday 2026-01-30, confirmed with the applicant Monday 2026-02-02: that is the receipt day.

    02-03…02-06 → 1–4; 02-09…02-13 → 5–9; 02-14 Sat 调休上班 → 10; 02-15…02-23 春节 skipped; 02-24…02-27 → 11–14;
    02-28 Sat 调休上班 → 15; 03-02…03-06 → 16–20.
    """
    request = svc.register_request(
        organization=county["office"],
        application=application(),
        channel="post_ordinary",
        received_on=D(2026, 2, 2),
        submitted_on=D(2026, 1, 30),
        actor=officer,
    ).request
    assert request.due_on == D(2026, 3, 6)
    assert "确认之日为收到申请之日" in request.receipt_basis
    assert "2月15日至2月23日春节放假，不计入" in request.due_explanation
    assert "2月28日（星期六）为调休工作日，计入" in request.due_explanation
    with pytest.raises(ValidationError, match="不能早于申请人提交日期"):
        svc.register_request(
            organization=county["office"],
            application=application(),
            channel="post_signed",
            received_on=D(2026, 1, 29),
            submitted_on=D(2026, 1, 30),
            actor=officer,
        )


def test_correction_restarts_the_period_from_the_corrected_application(county, officer, application):
    """Received Monday 2026-02-09. 补正 notice deadline (7 working days): 02-10…02-13 → 1–4, 02-14 Sat 调休 → 5,
    春节 02-15…02-23 skipped, 02-24 → 6, 02-25 → 7. Notice sent 02-12; corrected application received Monday
    2026-03-02 and the 20 days restart: 03-03…03-06 → 1–4, 03-09…03-13 → 5–9, 03-16…03-20 → 10–14,
    03-23…03-27 → 15–19, 03-30 → 20.
    """
    request = register(county, officer, application, received_on=D(2026, 2, 9))
    assert request.correction_notice_due_on == D(2026, 2, 25)
    with pytest.raises(ValidationError, match="请写明需要补正的事项"):
        svc.request_correction(request=request, on=D(2026, 2, 12), text=" ", actor=officer)
    with pytest.raises(ValidationError, match="不能早于收到申请日期"):
        svc.request_correction(request=request, on=D(2026, 2, 6), text="请写明文件名称", actor=officer)
    request = svc.request_correction(
        request=request, on=D(2026, 2, 12), text="请写明所需文件的名称或文号", actor=officer
    )
    assert request.state == RequestState.CORRECTION
    assert request.due_on is None  # unknown until the corrected application arrives
    # Default deadline for the applicant: 15 working days after the notice (data): 02-13 → 1, 02-14 → 2,
    # 02-24…02-27 → 3–6, 02-28 → 7, 03-02…03-06 → 8–12, 03-09…03-11 → 13–15.
    assert request.correction_deadline == D(2026, 3, 11)
    letter = NoticeLetter.objects.get(request=request)
    assert letter.template == "correction" and letter.context["correction_deadline"] == "2026年3月11日"
    with pytest.raises(ValidationError, match="待补正"):
        svc.request_correction(request=request, on=D(2026, 2, 13), text="再次补正", actor=officer)
    with pytest.raises(ValidationError, match="不能早于补正告知日期"):
        svc.receive_correction(request=request, on=D(2026, 2, 11), actor=officer)
    request = svc.receive_correction(request=request, on=D(2026, 3, 2), actor=officer)
    assert request.state == RequestState.PROCESSING
    assert request.due_on == D(2026, 3, 30)
    assert "恢复后重新计时" in request.due_explanation
    # 补正 is told once only (Art. 30).
    with pytest.raises(ValidationError, match="一次性提出"):
        svc.request_correction(request=request, on=D(2026, 3, 3), text="再补充", actor=officer)


def test_correction_notice_after_seven_working_days_is_refused(county, officer, application):
    """Received 2026-02-09; the notice deadline is 2026-02-25 (see above), so 02-26 is too late."""
    request = register(county, officer, application, received_on=D(2026, 2, 9))
    with pytest.raises(ValidationError, match="7个工作日内提出（截止2026年2月25日）"):
        svc.request_correction(request=request, on=D(2026, 2, 26), text="请写明文号", actor=officer)
    request.refresh_from_db()
    assert request.state == RequestState.PROCESSING and request.events.count() == 1


def test_consultation_pauses_the_clock_and_runs_its_own_fifteen_days(county, officer, application):
    """Received Friday 2026-04-24: 04-27…04-30 → 1–4; 05-01…05-05 劳动节 skipped; 05-06…05-08 → 5–7; 05-09 Sat
    调休 → 8; consultation sent Monday 05-11 (counted → 9); third party's 15 working days: 05-12…05-15 → 1–4,
    05-18…05-22 → 5–9, 05-25…05-29 → 10–14, 06-01 → 15. Answer received Friday 05-22 (05-12…05-22 not counted);
    continue: 05-25…05-29 → 10–14, 06-01…06-05 → 15–19, 06-08 → 20.
    """
    request = register(county, officer, application, received_on=D(2026, 4, 24))
    consultation = svc.start_consultation(
        request=request, kind="third_party", parties="示范县某建筑公司", on=D(2026, 5, 11), actor=officer
    )
    assert consultation.reply_due_on == D(2026, 6, 1)
    request.refresh_from_db()
    assert request.state == RequestState.CONSULTATION
    with pytest.raises(ValidationError, match="征求意见尚未结束"):
        svc.reply_request(
            request=request, outcome="published", text="已提供", actor=officer, at=bj(2026, 5, 20)
        )
    request = svc.end_consultation(request=request, on=D(2026, 5, 22), opinion="不同意公开", actor=officer)
    assert request.due_on == D(2026, 6, 8)
    assert "暂停期间不计入，恢复后继续计时" in request.due_explanation
    consultation.refresh_from_db()
    assert consultation.replied_on == D(2026, 5, 22) and consultation.clock.final_status == "done_on_time"
    request = svc.reply_request(
        request=request, outcome="withheld.third_party", text="", actor=officer, at=bj(2026, 6, 8, 17)
    )
    assert request.answered_on_time is True and request.state == RequestState.REPLIED


def test_silent_third_party_is_recorded_after_its_limit(county, officer, application):
    request = register(county, officer, application, received_on=D(2026, 4, 24))
    svc.start_consultation(
        request=request, kind="agency", parties="示范县自然资源局", on=D(2026, 5, 11), actor=officer
    )
    request = svc.end_consultation(request=request, on=D(2026, 6, 2), opinion="", actor=officer)
    assert Consultation.objects.get(request=request).opinion == "逾期未提出意见"


def test_extension_once_at_most_twenty_working_days_by_an_approver(county, officer, head, application):
    """Received by post (signed for) Wednesday 2026-09-16: 09-17, 09-18 → 1, 2; 09-20 Sun 调休 → 3; 09-21…09-24 →
    4–7; 09-25…09-27 中秋节 skipped; 09-28…09-30 → 8–10; 10-01…10-07 国庆节 skipped; 10-08, 10-09 → 11, 12;
    10-10 Sat 调休 → 13; 10-12…10-16 → 14–18; 10-19, 10-20 → 19, 20. Extended by 20 on 10-19: 10-21…10-23 → 1–3,
    10-26…10-30 → 4–8, 11-02…11-06 → 9–13, 11-09…11-13 → 14–18, 11-16, 11-17 → 19, 20.
    """
    request = register(county, officer, application, received_on=D(2026, 9, 16), channel="post_signed")
    assert request.due_on == D(2026, 10, 20)
    with pytest.raises(ValidationError, match="负责人批准"):
        svc.extend_request(
            request=request, days=10, reason="需要调取档案", approver=officer, on=D(2026, 10, 19)
        )
    with pytest.raises(ValidationError, match="最长不得超过20个工作日"):
        svc.extend_request(request=request, days=21, reason="需要调取档案", approver=head, on=D(2026, 10, 19))
    request = svc.extend_request(
        request=request, days=20, reason="涉及档案调取，需要较长时间", approver=head, on=D(2026, 10, 19)
    )
    assert request.due_on == D(2026, 11, 17)
    assert request.extended_days == 20
    assert "经李主任批准延长20个工作日" in request.due_explanation
    assert request.reply_clock.extensions.get().approver == head
    letter = NoticeLetter.objects.get(request=request, template="extension")
    assert letter.context["due_date"] == "2026年11月17日"
    with pytest.raises(ValidationError, match="最多延长1次"):
        svc.extend_request(request=request, days=1, reason="再延", approver=head, on=D(2026, 10, 20))


def test_extension_after_the_period_has_ended_is_refused(county, head, officer, application):
    request = register(county, officer, application, received_on=D(2026, 9, 16), channel="post_signed")
    with pytest.raises(ValidationError, match="已于2026年10月20日届满"):
        svc.extend_request(request=request, days=5, reason="来不及", approver=head, on=D(2026, 10, 21))


def test_fee_wait_pauses_the_clock_when_the_county_says_so(county, officer, application):
    """Received Monday 2026-06-15: 06-16…06-18 → 1–3; 06-19…06-21 端午节 skipped; 06-22…06-24 → 4–6 (notice on
    Wednesday 06-24, counted). Payment within 20 working days: 06-25, 06-26 → 1, 2; 06-29…07-03 → 3–7;
    07-06…07-10 → 8–12; 07-13…07-17 → 13–17; 07-20…07-22 → 18–20 → 07-22. Paid Monday 07-06 (06-25…07-06 not
    counted); continue: 07-07…07-10 → 7–10; 07-13…07-17 → 11–15; 07-20…07-24 → 16–20 → 07-24.
    """
    request = register(county, officer, application, received_on=D(2026, 6, 15))
    with pytest.raises(ValidationError, match="免费"):
        svc.notify_fee(request=request, method="per_page", pages=30, on=D(2026, 6, 24), actor=officer)
    with pytest.raises(ValidationError, match="免费"):
        svc.notify_fee(request=request, method="per_piece", on=D(2026, 6, 24), actor=officer)
    notice = svc.notify_fee(request=request, method="per_page", pages=150, on=D(2026, 6, 24), actor=officer)
    assert notice.amount == Decimal(1700)  # 31–100: 70 × 10; 101–150: 50 × 20
    assert notice.payment_due_on == D(2026, 7, 22)
    request.refresh_from_db()
    assert request.state == RequestState.AWAITING_FEE and request.due_on is None
    with pytest.raises(ValidationError, match="应与收费通知金额一致"):
        svc.record_fee_payment(request=request, on=D(2026, 7, 6), amount=Decimal(100), actor=officer)
    request = svc.record_fee_payment(request=request, on=D(2026, 7, 6), amount=Decimal(1700), actor=officer)
    assert request.state == RequestState.PROCESSING
    assert request.due_on == D(2026, 7, 24)
    assert NoticeLetter.objects.get(request=request, template="fee").context["fee_amount"] == "1700.00"


def test_fee_wait_does_not_pause_when_configured_so(county, officer, application):
    """Same request, the county's setting off: 20 working days from 06-15 regardless → 06-16…06-18 → 1–3,
    06-22…06-26 → 4–8, 06-29…07-03 → 9–13, 07-06…07-10 → 14–18, 07-13, 07-14 → 19, 20."""
    settings_row = DisclosureSettings.load()
    settings_row.fee_pauses_reply_clock = False
    settings_row.save()
    request = register(county, officer, application, received_on=D(2026, 6, 15))
    svc.notify_fee(request=request, method="per_page", pages=31, on=D(2026, 6, 24), actor=officer)
    request.refresh_from_db()
    assert request.due_on == D(2026, 7, 14)


def test_unpaid_fee_closes_as_abandoned_only_after_the_payment_period(county, officer, application):
    request = register(county, officer, application, received_on=D(2026, 6, 15))
    svc.notify_fee(request=request, method="per_page", pages=40, on=D(2026, 6, 24), actor=officer)
    with pytest.raises(ValidationError, match="请先登记缴费"):
        svc.reply_request(
            request=request, outcome="published", text="已提供", actor=officer, at=bj(2026, 7, 1)
        )
    with pytest.raises(ValidationError, match="期满后方可"):
        svc.reply_request(request=request, outcome="other.no_fee", text="", actor=officer, at=bj(2026, 7, 22))
    with pytest.raises(ValidationError, match="缴费期限已于2026年7月22日届满"):
        svc.record_fee_payment(request=request, on=D(2026, 7, 23), amount=Decimal(100), actor=officer)
    request = svc.reply_request(
        request=request, outcome="other.no_fee", text="", actor=officer, at=bj(2026, 7, 23)
    )
    assert request.outcome == "other.no_fee"
    assert request.fee_notice.clock.state == "stopped"


def test_per_piece_fee_counts_the_applicants_applications_in_the_calendar_month(county, officer, application):
    """The 11th application of one applicant in March 2026 costs 100 yuan; the 10th is free."""
    requests = [register(county, officer, application, received_on=D(2026, 3, 2)) for _ in range(11)]
    register(county, officer, application, received_on=D(2026, 2, 27))  # February: not counted
    with pytest.raises(ValidationError, match="第10件申请，属于第1—10件免费区间"):
        svc.notify_fee(request=requests[9], method="per_piece", on=D(2026, 3, 3), actor=officer)
    notice = svc.notify_fee(request=requests[10], method="per_piece", on=D(2026, 3, 3), actor=officer)
    assert notice.amount == Decimal(100) and notice.quantity == 11


def test_reply_needs_exactly_one_outcome_and_records_timeliness(county, officer, application):
    request = register(county, officer, application, received_on=D(2025, 9, 25))
    with pytest.raises(ValidationError, match="必须选择一项办理结果"):
        svc.reply_request(request=request, outcome="", text="x", actor=officer, at=bj(2025, 10, 20))
    with pytest.raises(ValidationError, match="办理结果无效"):
        svc.reply_request(request=request, outcome="（八）其他", text="x", actor=officer, at=bj(2025, 10, 20))
    with pytest.raises(ValidationError, match="请填写答复内容"):
        svc.reply_request(request=request, outcome="published", text="", actor=officer, at=bj(2025, 10, 20))
    with pytest.raises(ValidationError, match="不能早于收到申请日期"):
        svc.reply_request(request=request, outcome="published", text="x", actor=officer, at=bj(2025, 9, 24))
    with pytest.raises(ValidationError, match="补正之后"):
        svc.reply_request(
            request=request, outcome="unavailable.unclear", text="", actor=officer, at=bj(2025, 10, 20)
        )
    request = svc.reply_request(
        request=request, outcome="published", text="已通过电子邮件提供", actor=officer, at=bj(2025, 10, 30, 9)
    )
    assert request.replied_on == D(2025, 10, 30)
    assert request.answered_on_time is False  # due 2025-10-29
    assert request.reply_clock.final_status == "done_late"
    assert request.events.last().kind == EventKind.REPLIED
    assert NoticeLetter.objects.get(request=request, kind="reply").template == "published"
    with pytest.raises(ValidationError, match="已答复"):
        svc.reply_request(request=request, outcome="published", text="x", actor=officer, at=bj(2025, 10, 31))


def test_no_correction_closes_only_after_the_correction_deadline(county, officer, application):
    request = register(county, officer, application, received_on=D(2026, 2, 9))
    svc.request_correction(
        request=request, on=D(2026, 2, 12), text="请写明文号", actor=officer, deadline=D(2026, 3, 11)
    )
    with pytest.raises(ValidationError, match="期满后方可按逾期不补正办结"):
        svc.reply_request(
            request=request, outcome="other.no_correction", text="", actor=officer, at=bj(2026, 3, 11)
        )
    with pytest.raises(ValidationError, match="申请人尚未补正"):
        svc.reply_request(request=request, outcome="published", text="x", actor=officer, at=bj(2026, 3, 12))
    request = svc.reply_request(
        request=request, outcome="other.no_correction", text="", actor=officer, at=bj(2026, 3, 12)
    )
    assert request.state == RequestState.REPLIED and request.replied_on == D(2026, 3, 12)
    letter = NoticeLetter.objects.get(request=request, kind="reply")
    assert letter.template == "other" and letter.context["correction_requested_date"] == "2026年2月12日"


def test_future_dates_and_bad_applications_are_refused_and_nothing_is_written(county, officer, application):
    count = DisclosureRequest.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        svc.register_request(
            organization=county["office"],
            application=application(id_number="110105194912310021", phone="", email="", address=""),
            channel="in_person",
            received_on=D(2026, 3, 2),
            actor=officer,
        )
    errors = excinfo.value.message_dict
    assert "居民身份证号码不正确" in errors["id_number"][0]
    assert "至少填写联系电话、电子邮箱或通信地址" in errors["phone"][0]
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    with pytest.raises(ValidationError, match="不能晚于今天"):
        register(county, officer, application, received_on=tomorrow)
    assert DisclosureRequest.objects.count() == count


def test_open_deadlines_follow_a_calendar_change(county, officer, application):
    """Received 2026-09-16, due 2026-10-20. Declaring Monday 2026-10-19 a holiday moves it to Wednesday 10-21; the
    status page and the export read the recomputed clock."""
    from zhengwu.core.services.calendar import set_calendar_day
    from zhengwu.core.services.clock import recompute_open_clocks
    from zhengwu.disclosure.selectors.requests import export_rows, request_status

    request = register(county, officer, application, received_on=D(2026, 9, 16), channel="post_signed")
    set_calendar_day(day=D(2026, 10, 19), kind="holiday", name="临时调整", actor=officer)
    recompute_open_clocks()
    request.refresh_from_db()
    request.reply_clock.refresh_from_db()
    assert request_status(request).due_on == D(2026, 10, 21)
    assert "临时调整" in request_status(request).explanation
    (row,) = export_rows(organization=county["office"])
    assert row["due_on"] == "2026-10-21"
