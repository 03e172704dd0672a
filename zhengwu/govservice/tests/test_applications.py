"""网上申报 (services/applications.py): receipt with a tracking number and query code, 一次性告知补正 and the
Art. 32 notice day, 受理 / 不予受理, the steps of the 办理流程, 特别程序 (Art. 45) and 延期 (Art. 42) on the two core
clocks, 决定 and 送达; bad input refused in Chinese with nothing stored; what each role must not do; and the
applicant told at every step.

Dates run on the official calendar: received Monday 2026-09-28, 国庆 1–7 October off, Saturday 10 October a
make-up working day, so the working days after 28 September are 29, 30 September, 8, 9, 10, 12 … October.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from zhengwu.core.models import CaseClock, Delivery, Notification, NumberSequence
from zhengwu.core.models.clock import ClockExtension, ClockPause, ClockState, ClockStatus
from zhengwu.core.services.clock import SHANGHAI, local_date
from zhengwu.core.services.numbering import check_query_code, lookup_case, validate_tracking_number
from zhengwu.govservice.models import (
    Application,
    ApplicationFile,
    ApplicationStatus,
    CasePause,
    CaseSource,
    Decision,
    ServiceCase,
)
from zhengwu.govservice.services import applications as svc
from zhengwu.govservice.services.applications import Applicant
from zhengwu.govservice.services.items import StepData, create_item
from zhengwu.govservice.services.supervision import supervision_figures

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def _calendar(official_calendar):
    """Holidays and 调休 of the official schedules, as after ``zhengwu setup``."""


D = dt.date


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


RECEIVED = at(9, 28)  # Monday
NOTICE_DUE = D(
    2026, 10, 10
)  # 5th working day after 28 September: 29, 30 Sep, 8, 9, 10 Oct (a make-up Saturday)
ACCEPTED = at(9, 30, 9)  # within the notice period
# Accepted on 30 September: 承诺 5 → 8, 9, 10, 12, 13 Oct; 法定 20 → … 2, 3 Nov.
PROMISED_DUE = D(2026, 10, 13)
LEGAL_DUE = D(2026, 11, 3)

PHONE = "13905781234"
EMAIL = "zhang.sanfeng@example.com"
ID_NUMBER = "11010519491231002X"  # the GB 11643 example, check character X
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
FORM = {"matter": "新开设游泳馆一家，申请公共场所卫生许可。", "address": "松阳县西屏街道长松路 1 号"}


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


PNG = _png()


def pdf(name: str = "申请表.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png(name: str = "营业执照.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def applicant(**overrides) -> Applicant:
    values = dict(kind="person", name="张三丰", id_number=ID_NUMBER, phone=PHONE, email=EMAIL)
    values.update(overrides)
    return Applicant(**values)


# -- fixtures ---------------------------------------------------------------------------------------------------


def _staff(make_staff, username, organization, *roles):
    from zhengwu.core.models import Staff
    from zhengwu.core.services.staff import assign_roles

    staff = make_staff(username, organization=organization, display_name=username)
    assign_roles(staff=staff, roles=list(roles), actor=None)
    return Staff.objects.get(pk=staff.pk)


@pytest.fixture
def item(item_data):
    return create_item(actor=None, data=item_data())


@pytest.fixture
def materials(item):
    """申请表 (required), 营业执照复印件 (required), 卫生管理制度 (optional), in the item's order."""
    return list(item.current_version.materials.order_by("position"))


@pytest.fixture
def handler(make_staff, county):
    return _staff(make_staff, "wjj_handler", county["health"], "service_handler")


@pytest.fixture
def leader(make_staff, county):
    return _staff(make_staff, "wjj_leader", county["health"], "leader")


@pytest.fixture
def other_handler(make_staff, county):
    return _staff(make_staff, "jtj_handler", county["transport"], "service_handler")


@pytest.fixture
def other_leader(make_staff, county):
    return _staff(make_staff, "jtj_leader", county["transport"], "leader")


def complete_files(materials) -> dict[int, list]:
    return {materials[0].pk: [pdf()], materials[1].pk: [png()]}


def submit(item, materials, *, when=RECEIVED, **overrides) -> Application:
    values = dict(
        item=item,
        applicant=applicant(),
        form_data=dict(FORM),
        files=complete_files(materials),
        ip_address="10.1.2.3",
        at=when,
    )
    values.update(overrides)
    return svc.submit_application(**values)


def fresh(application: Application) -> Application:
    return Application.objects.get(pk=application.pk)


def finish_steps(application, handler, start: dt.datetime | None = None) -> Application:
    moment = start or at(10, 8)
    while fresh(application).current_step_id is not None:
        application = svc.complete_step(application=application, actor=handler, at=moment)
        moment += dt.timedelta(hours=1)
    return fresh(application)


def sequences() -> list[tuple]:
    return list(
        NumberSequence.objects.order_by("prefix", "period").values_list("prefix", "period", "last_value")
    )


def applicant_notices():
    return Notification.objects.filter(recipient=None, phone=PHONE).order_by("pk")


# -- receipt ----------------------------------------------------------------------------------------------------


def test_submission_gets_a_number_and_code_stores_the_files_and_waits_for_acceptance(
    item, materials, django_capture_on_commit_callbacks
):
    before = sequences()
    with django_capture_on_commit_callbacks(execute=True):
        application = submit(item, materials)

    assert validate_tracking_number(application.tracking_number)
    assert application.tracking_number.startswith("BJ")
    assert len(application.query_code) == 8
    stored = fresh(application)
    assert stored.query_code_hash and application.query_code not in stored.query_code_hash
    assert check_query_code(application.query_code, stored.query_code_hash)
    assert stored.status == ApplicationStatus.RECEIVED
    assert stored.get_status_display() == "待受理"
    assert stored.received_at == RECEIVED
    assert stored.notice_due_on == NOTICE_DUE
    assert stored.form_data == FORM
    assert (stored.applicant_name, stored.applicant_id_number, stored.phone) == ("张三丰", ID_NUMBER, PHONE)
    assert stored.organization == item.organization
    assert stored.version == item.current_version

    # One number was issued: the day's sequence moved by exactly one.
    after = sequences()
    assert sum(row[2] for row in after) == sum(row[2] for row in before) + 1

    files = list(stored.files.order_by("pk"))
    assert [(f.material_id, f.material_name, f.kind, f.round) for f in files] == [
        (materials[0].pk, "公共场所卫生许可申请表", "pdf", 1),
        (materials[1].pk, "营业执照复印件", "png", 1),
    ]
    assert [f.display_name for f in files] == ["申请表.pdf", "营业执照.png"]
    with files[0].file.open("rb") as fh:
        assert fh.read() == PDF
    with files[1].file.open("rb") as fh:
        assert fh.read() == PNG
    assert files[0].size == len(PDF)

    # Not yet a case: no clocks, no ServiceCase.
    assert stored.case is None and stored.promised_clock is None and stored.legal_clock is None
    assert not ServiceCase.objects.exists()
    assert list(stored.events.values_list("kind", flat=True)) == ["received"]

    # The applicant follows the case by number + code.
    found = lookup_case(
        queryset=Application.objects.all(),
        tracking_number=application.tracking_number,
        query_code=application.query_code,
        request=None,
    )
    assert found.pk == application.pk

    # ... and is told both by SMS and e-mail.
    notice = applicant_notices().get()
    assert application.tracking_number in notice.body and application.query_code in notice.body
    assert set(notice.deliveries.values_list("channel", "address")) == {("sms", PHONE), ("email", EMAIL)}


def _missing_material(materials):
    files = {materials[0].pk: [pdf()]}
    return {"files": files}, f"material_{materials[1].pk}", "请上传“营业执照复印件”。"


def _bad_id_number(materials):
    return {"applicant": applicant(id_number="110105194912310021")}, "applicant_id_number", "居民身份证号码"


def _lying_attachment(materials):
    files = {materials[0].pk: [SimpleUploadedFile("申请表.pdf", PNG, content_type="application/pdf")]}
    files[materials[1].pk] = [png()]
    return {"files": files}, f"material_{materials[0].pk}", "与扩展名 .pdf 不符"


def _missing_form_field(materials):
    return {"form_data": {"address": FORM["address"]}}, "field_matter", "请填写申请事项说明。"


def _bad_phone(materials):
    return {"applicant": applicant(phone="12345")}, "phone", "联系电话"


def _legal_without_contact(materials):
    from zhengwu.core.validators import make_credit_code

    company = applicant(
        kind="legal", name="松阳县清凉游泳有限公司", id_number=make_credit_code("91331124MA2E00001")
    )
    return {"applicant": company}, "contact_name", "经办人姓名"


@pytest.mark.parametrize(
    "case",
    [
        _missing_material,
        _bad_id_number,
        _lying_attachment,
        _missing_form_field,
        _bad_phone,
        _legal_without_contact,
    ],
    ids=[
        "missing-material",
        "bad-id-number",
        "lying-attachment",
        "missing-form-field",
        "bad-phone",
        "legal-without-contact",
    ],
)
def test_bad_submission_is_refused_in_chinese_and_nothing_is_stored_or_consumed(
    item, materials, case, django_capture_on_commit_callbacks
):
    first = submit(item, materials)  # the day's sequence exists, so "unchanged" means something
    before = sequences()
    applications, files, notices = (
        Application.objects.count(),
        ApplicationFile.objects.count(),
        Notification.objects.count(),
    )
    overrides, key, message = case(materials)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as excinfo:
        submit(item, materials, **overrides)

    errors = excinfo.value.message_dict
    assert key in errors, errors
    assert any(message in text for text in errors[key]), errors
    assert sequences() == before
    assert Application.objects.count() == applications
    assert ApplicationFile.objects.count() == files
    assert Notification.objects.count() == notices

    # No number was consumed: the next good submission takes the very next one.
    following = submit(item, materials)
    assert int(following.tracking_number[10:-1]) == int(first.tracking_number[10:-1]) + 1


def test_every_problem_is_reported_at_once(item, materials):
    with pytest.raises(ValidationError) as excinfo:
        submit(
            item,
            materials,
            applicant=applicant(id_number="123", phone=""),
            form_data={},
            files={materials[0].pk: [SimpleUploadedFile("申请表.pdf", PNG)]},
        )
    errors = excinfo.value.message_dict
    assert {
        "applicant_id_number",
        "phone",
        "field_matter",
        "field_address",
        f"material_{materials[0].pk}",
        f"material_{materials[1].pk}",
    } <= set(errors)
    assert not Application.objects.exists()


def test_an_empty_upload_slot_does_not_count_as_the_material(item, materials):
    """A form that posts an empty slot for a required material ({pk: [None]}) has not handed the material in."""
    files = {materials[0].pk: [pdf()], materials[1].pk: [None]}
    with pytest.raises(ValidationError) as excinfo:
        submit(item, materials, files=files)
    assert excinfo.value.message_dict[f"material_{materials[1].pk}"] == ["请上传“营业执照复印件”。"]
    assert not Application.objects.exists()


def test_an_inactive_item_takes_no_applications(item, materials):
    item.is_active = False
    item.save(update_fields=["is_active"])
    with pytest.raises(ValidationError, match="停止办理"):
        submit(item, materials)
    assert not Application.objects.exists()


# -- 补正 (Art. 32) ---------------------------------------------------------------------------------------------


def test_correction_is_told_once_listing_every_material_and_restarts_the_notice_period(
    item, materials, handler, django_capture_on_commit_callbacks
):
    application = submit(item, materials)
    with django_capture_on_commit_callbacks(execute=True):
        svc.request_correction(
            application=application,
            actor=handler,
            materials=["营业执照复印件", "卫生管理制度"],
            note="营业执照复印件不清晰，并请补充卫生管理制度。",
            at=at(9, 30),
        )
    application = fresh(application)
    assert application.status == ApplicationStatus.CORRECTION
    assert application.correction_items == ["营业执照复印件", "卫生管理制度"]
    assert application.correction_requested_at == at(9, 30)
    event = application.events.get(kind="correction")
    assert "1. 营业执照复印件" in event.note and "2. 卫生管理制度" in event.note
    told = applicant_notices().last()
    assert "营业执照复印件" in told.body and "卫生管理制度" in told.body

    # Not again while it waits for the correction.
    with pytest.raises(ValidationError):
        svc.request_correction(
            application=application,
            actor=handler,
            materials=["公共场所卫生许可申请表"],
            note="再补一份申请表。",
        )

    # The correction must bring every listed material; a partial one stores nothing.
    with pytest.raises(ValidationError) as excinfo:
        svc.submit_correction(
            application=application, files={materials[1].pk: [png("新执照.png")]}, at=at(10, 9)
        )
    assert excinfo.value.message_dict[f"material_{materials[2].pk}"] == ["请上传“卫生管理制度”。"]
    assert ApplicationFile.objects.filter(application=application).count() == 2
    assert fresh(application).status == ApplicationStatus.CORRECTION

    svc.submit_correction(
        application=application,
        files={materials[1].pk: [png("新执照.png")], materials[2].pk: [pdf("卫生管理制度.pdf")]},
        note="已重新扫描。",
        at=at(10, 9),
    )
    application = fresh(application)
    assert application.status == ApplicationStatus.RECEIVED
    assert application.corrected_at == at(10, 9)
    # The period runs again from the correction: 10, 12, 13, 14, 15 October.
    assert application.notice_due_on == D(2026, 10, 15)
    assert list(application.files.filter(round=2).values_list("material_name", flat=True)) == [
        "营业执照复印件",
        "卫生管理制度",
    ]

    # 一次告知: no second notice, even in the new period.
    with pytest.raises(ValidationError) as excinfo:
        svc.request_correction(
            application=application,
            actor=handler,
            materials=["公共场所卫生许可申请表"],
            note="再补一份申请表。",
            at=at(10, 12),
        )
    assert "一次告知" in excinfo.value.messages[0]
    assert fresh(application).status == ApplicationStatus.RECEIVED

    # Accepted after the new notice day: counted from the receipt of the correction.
    svc.accept(application=application, actor=handler, at=at(10, 16))
    application = fresh(application)
    assert application.accepted_on_receipt is True
    assert application.accepted_at == at(10, 9)
    assert application.case.accepted_on == D(2026, 10, 9)


def test_a_correction_must_name_materials_of_the_item_and_what_to_correct(item, materials, handler):
    application = submit(item, materials)
    with pytest.raises(ValidationError) as excinfo:
        svc.request_correction(
            application=application,
            actor=handler,
            materials=["不存在的材料"],
            note="请补正。。。",
            at=at(9, 29),
        )
    assert "materials" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        svc.request_correction(
            application=application, actor=handler, materials=["营业执照复印件"], note="补", at=at(9, 29)
        )
    assert "note" in excinfo.value.message_dict
    assert fresh(application).status == ApplicationStatus.RECEIVED
    assert fresh(application).correction_requested_at is None


def test_a_correction_naming_a_material_not_on_the_list_is_refused_not_cut_short(item, materials, handler):
    """一次告知 of 全部内容: what the officer listed must reach the applicant whole. A name that is not one of the
    item's materials is refused with a message, not silently left out of the only notice the law allows."""
    application = submit(item, materials)
    with pytest.raises(ValidationError) as excinfo:
        svc.request_correction(
            application=application,
            actor=handler,
            materials=["营业执照复印件", "法定代表人身份证复印件"],
            note="营业执照不清晰，并补充法定代表人身份证。",
            at=at(9, 29),
        )
    assert "materials" in excinfo.value.message_dict
    assert "法定代表人身份证复印件" in excinfo.value.message_dict["materials"][0]
    application = fresh(application)
    assert application.status == ApplicationStatus.RECEIVED
    assert application.correction_requested_at is None


def test_correction_on_the_notice_day_is_allowed_after_it_counts_as_accepted(item, materials, handler):
    late = submit(item, materials)
    with pytest.raises(ValidationError) as excinfo:
        svc.request_correction(
            application=late,
            actor=handler,
            materials=["营业执照复印件"],
            note="营业执照不清晰。",
            at=at(10, 12, 9),
        )
    message = excinfo.value.messages[0]
    assert "即为受理" in message and "2026年10月10日" in message
    late = fresh(late)
    assert late.status == ApplicationStatus.RECEIVED and late.correction_requested_at is None
    assert svc.notice_overdue(late, at(10, 12, 9))

    on_time = submit(item, materials)
    svc.request_correction(
        application=on_time,
        actor=handler,
        materials=["营业执照复印件"],
        note="营业执照不清晰。",
        at=at(10, 10, 17),
    )
    assert fresh(on_time).status == ApplicationStatus.CORRECTION


# -- 受理 and the two clocks -------------------------------------------------------------------------------------


def _assert_clocks_match_case(application: Application) -> ServiceCase:
    case = ServiceCase.objects.get(pk=application.case_id)
    promised = CaseClock.objects.get(pk=application.promised_clock_id)
    legal = CaseClock.objects.get(pk=application.legal_clock_id)
    assert local_date(promised.due_at) == case.promised_due_on
    assert local_date(legal.due_at) == case.legal_due_on
    return case


def test_accepting_in_time_starts_both_clocks_at_acceptance(item, materials, handler):
    application = submit(item, materials)
    svc.accept(application=application, actor=handler, at=ACCEPTED)
    application = fresh(application)
    assert application.status == ApplicationStatus.PROCESSING
    assert application.accepted_on_receipt is False
    assert application.accepted_at == ACCEPTED
    assert application.promised_clock.started_at == ACCEPTED
    assert application.legal_clock.started_at == ACCEPTED
    assert application.promised_clock.state == application.legal_clock.state == ClockState.RUNNING
    assert (application.promised_clock.limit_value, application.legal_clock.limit_value) == (5, 20)
    case = _assert_clocks_match_case(application)
    assert (case.promised_due_on, case.legal_due_on) == (PROMISED_DUE, LEGAL_DUE)
    assert case.number == application.tracking_number
    assert case.source == CaseSource.ONLINE
    assert (case.accepted_at, case.accepted_on) == (ACCEPTED, D(2026, 9, 30))
    assert (case.promised_days, case.legal_days, case.finished_on) == (5, 20, None)
    assert application.current_step.name == "受理"
    assert application.step_started_at == ACCEPTED

    with pytest.raises(ValidationError):  # not twice
        svc.accept(application=application, actor=handler, at=ACCEPTED)
    assert ServiceCase.objects.count() == 1


def test_accepting_after_the_notice_day_counts_from_receipt(item, materials, handler):
    application = submit(item, materials)
    svc.accept(application=application, actor=handler, at=at(10, 12, 9))
    application = fresh(application)
    assert application.accepted_on_receipt is True
    assert application.accepted_at == application.received_at == RECEIVED
    assert application.promised_clock.started_at == RECEIVED
    assert application.legal_clock.started_at == RECEIVED
    case = _assert_clocks_match_case(application)
    assert case.accepted_on == D(2026, 9, 28)
    assert case.accepted_at == RECEIVED
    # From 28 September: 承诺 5 → 10 October; 法定 20 → 30 October.
    assert (case.promised_due_on, case.legal_due_on) == (D(2026, 10, 10), D(2026, 10, 30))
    assert "即为受理" in application.events.get(kind="accepted").note


# -- 不予受理 ---------------------------------------------------------------------------------------------------


def test_rejection_requires_a_reason(item, materials, handler):
    application = submit(item, materials)
    for reason in ("", "   ", "不行"):
        with pytest.raises(ValidationError) as excinfo:
            svc.reject(application=application, actor=handler, reason=reason, at=at(9, 29))
        assert "reason" in excinfo.value.message_dict
    assert fresh(application).status == ApplicationStatus.RECEIVED

    svc.reject(
        application=application,
        actor=handler,
        reason="申请事项不属于本机关职权范围，请向松阳县市场监督管理局申请。",
        at=at(9, 29),
    )
    application = fresh(application)
    assert application.status == ApplicationStatus.REJECTED
    assert application.rejection_reason.startswith("申请事项不属于本机关职权范围")
    assert application.finished_at == at(9, 29)
    assert application.case is None and not ServiceCase.objects.exists()
    with pytest.raises(ValidationError):
        svc.accept(application=application, actor=handler, at=at(9, 30))


# -- the 办理流程 -----------------------------------------------------------------------------------------------


def test_steps_advance_in_order_and_no_decision_while_steps_remain(item, materials, handler):
    application = submit(item, materials)
    svc.accept(application=application, actor=handler, at=ACCEPTED)
    with pytest.raises(ValidationError, match="受理"):
        svc.decide(application=application, actor=handler, grant=True, at=at(10, 8))

    seen = []
    moments = [at(10, 8), at(10, 12), at(10, 12, 11), at(10, 12, 14)]
    for index, moment in enumerate(moments):
        current = fresh(application).current_step
        seen.append(current.name)
        if index:
            with pytest.raises(ValidationError, match=current.name):
                svc.decide(application=application, actor=handler, grant=True, at=moment)
        svc.complete_step(application=application, actor=handler, note="审查通过。", at=moment)
    assert seen == ["受理", "现场审查", "检验检测", "决定"]
    application = fresh(application)
    assert application.current_step is None and application.step_started_at is None
    labels = list(application.events.filter(kind="step").order_by("at", "pk").values_list("label", flat=True))
    assert labels == seen
    # 受理 (1 working day from 30 September, due 8 October) was done on the day; nothing late.
    first = application.events.filter(kind="step").order_by("at", "pk").first()
    assert "超过环节时限" not in first.note

    with pytest.raises(ValidationError, match="已全部完成"):
        svc.complete_step(application=application, actor=handler, at=at(10, 12, 15))
    svc.decide(application=application, actor=handler, grant=True, at=at(10, 12, 16))
    assert fresh(application).status == ApplicationStatus.DECIDED


def test_a_late_step_is_recorded_as_late(item, materials, handler):
    application = submit(item, materials)
    svc.accept(application=application, actor=handler, at=ACCEPTED)
    assert svc.step_due(fresh(application)) == D(2026, 10, 8)
    svc.complete_step(application=application, actor=handler, at=at(10, 9))
    note = fresh(application).events.get(kind="step").note
    assert "超过环节时限 2026年10月8日" in note


# -- 特别程序 (Art. 45) -----------------------------------------------------------------------------------------


def test_suspension_pauses_both_clocks_and_resumption_moves_both_due_dates(item, materials, handler):
    application = submit(item, materials)
    svc.accept(application=application, actor=handler, at=ACCEPTED)

    with pytest.raises(ValidationError) as excinfo:
        svc.suspend(
            application=application, actor=handler, kind="喝茶", reason="等待第三方意见。", at=at(10, 9)
        )
    assert "kind" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        svc.suspend(application=application, actor=handler, kind="检测", reason="", at=at(10, 9))
    assert "reason" in excinfo.value.message_dict
    assert fresh(application).status == ApplicationStatus.PROCESSING
    assert not ClockPause.objects.exists()

    svc.suspend(
        application=application, actor=handler, kind="检测", reason="委托第三方检测水质。", at=at(10, 9)
    )
    application = fresh(application)
    assert application.status == ApplicationStatus.SUSPENDED
    assert application.promised_clock.state == ClockState.PAUSED
    assert application.legal_clock.state == ClockState.PAUSED
    with pytest.raises(ValidationError):  # not twice at once
        svc.suspend(
            application=application, actor=handler, kind="鉴定", reason="另行鉴定设备。", at=at(10, 12)
        )
    with pytest.raises(ValidationError):  # no steps while suspended
        svc.complete_step(application=application, actor=handler, at=at(10, 12))

    svc.resume(application=application, actor=handler, at=at(10, 16))
    application = fresh(application)
    assert application.status == ApplicationStatus.PROCESSING
    assert application.promised_clock.state == application.legal_clock.state == ClockState.RUNNING
    pause = CasePause.objects.get(case=application.case)
    assert (pause.start_on, pause.end_on, pause.reason) == (D(2026, 10, 9), D(2026, 10, 16), "检测")
    case = _assert_clocks_match_case(application)
    # Paused working days after 9 October up to 16 October: 10, 12, 13, 14, 15, 16 — six.
    assert case.paused_workdays == 6
    assert case.promised_due_on == D(2026, 10, 21)  # 13 October + 6 working days
    assert case.legal_due_on == D(2026, 11, 11)  # 3 November + 6 working days


def test_a_suspension_overlapping_the_previous_one_is_refused(item, materials, handler):
    application = submit(item, materials)
    svc.accept(application=application, actor=handler, at=ACCEPTED)
    svc.suspend(
        application=application, actor=handler, kind="检测", reason="委托第三方检测水质。", at=at(10, 9)
    )
    svc.resume(application=application, actor=handler, at=at(10, 16))
    case_before = ServiceCase.objects.get(pk=fresh(application).case_id)
    pauses_before = ClockPause.objects.count()

    with pytest.raises(ValidationError) as excinfo:
        svc.suspend(
            application=application, actor=handler, kind="鉴定", reason="设备安全鉴定。", at=at(10, 14)
        )
    assert "重叠" in excinfo.value.messages[0]
    application = fresh(application)
    assert application.status == ApplicationStatus.PROCESSING
    assert application.promised_clock.state == application.legal_clock.state == ClockState.RUNNING
    assert ClockPause.objects.count() == pauses_before
    case = ServiceCase.objects.get(pk=application.case_id)
    assert (case.promised_due_on, case.legal_due_on) == (
        case_before.promised_due_on,
        case_before.legal_due_on,
    )

    # A later one is fine.
    svc.suspend(application=application, actor=handler, kind="鉴定", reason="设备安全鉴定。", at=at(10, 19))
    assert fresh(application).status == ApplicationStatus.SUSPENDED


# -- 延期 (Art. 42) ---------------------------------------------------------------------------------------------


def test_extension_needs_a_leader_and_adds_ten_working_days_once(
    item, materials, handler, leader, django_capture_on_commit_callbacks
):
    application = submit(item, materials)
    svc.accept(application=application, actor=handler, at=ACCEPTED)

    with pytest.raises(PermissionDenied):
        svc.extend(application=application, actor=handler, reason="需现场复核，情况复杂。", at=at(10, 20))
    assert not ClockExtension.objects.exists()
    assert fresh(application).extended is False

    with pytest.raises(ValidationError) as excinfo:
        svc.extend(application=application, actor=leader, reason="", at=at(10, 20))
    assert "reason" in excinfo.value.message_dict

    with django_capture_on_commit_callbacks(execute=True):
        svc.extend(application=application, actor=leader, reason="需现场复核，情况复杂。", at=at(10, 20))
    application = fresh(application)
    assert application.extended is True
    case = _assert_clocks_match_case(application)
    assert case.extension_days == 10
    # 3 November + 10 working days: 4, 5, 6, 9 … 13, 16, 17 November.
    assert case.legal_due_on == D(2026, 11, 17)
    assert case.promised_due_on == PROMISED_DUE  # the promise does not move
    extension = ClockExtension.objects.get()
    assert (extension.clock_id, extension.value, extension.approver_id) == (
        application.legal_clock_id,
        10,
        leader.pk,
    )
    assert "2026年11月17日" in applicant_notices().last().body

    with pytest.raises(ValidationError, match="1 次"):
        svc.extend(application=application, actor=leader, reason="仍需进一步核查。", at=at(10, 21))
    assert ClockExtension.objects.count() == 1
    assert ServiceCase.objects.get(pk=case.pk).legal_due_on == D(2026, 11, 17)


def test_no_extension_after_the_statutory_due_date(item, materials, handler, leader):
    application = submit(item, materials)
    svc.accept(application=application, actor=handler, at=ACCEPTED)
    with pytest.raises(ValidationError, match="已超过法定办结期限"):
        svc.extend(application=application, actor=leader, reason="需现场复核，情况复杂。", at=at(11, 4))
    assert fresh(application).extended is False


def test_an_extension_during_a_suspension_past_the_unpaused_due_date_is_allowed(
    item, materials, handler, leader
):
    """Art. 45 time does not count: on 5 November, paused since 9 October, the statutory limit has 18 working days
    left, so it is not over and the leader may still extend it (the clock itself says so)."""
    application = submit(item, materials)
    svc.accept(application=application, actor=handler, at=ACCEPTED)
    svc.suspend(
        application=application, actor=handler, kind="专家评审", reason="组织专家评审设计方案。", at=at(10, 9)
    )
    legal = CaseClock.objects.get(pk=fresh(application).legal_clock_id)
    assert legal.state == ClockState.PAUSED and legal.paused_remaining == 18

    svc.extend(application=application, actor=leader, reason="专家评审后需补充现场核查。", at=at(11, 5))
    svc.resume(application=application, actor=handler, at=at(11, 10))
    application = fresh(application)
    assert application.extended is True
    case = _assert_clocks_match_case(application)
    # 2 working days before the pause, 28 after 10 November: 11, 12, 13, 16 … 20, … 14 … 18 December.
    assert case.legal_due_on == D(2026, 12, 18)


# -- 决定 and 送达 ----------------------------------------------------------------------------------------------


def test_a_refusal_needs_reasons(item, materials, handler):
    application = submit(item, materials)
    svc.accept(application=application, actor=handler, at=ACCEPTED)
    finish_steps(application, handler)
    with pytest.raises(ValidationError) as excinfo:
        svc.decide(application=application, actor=handler, grant=False, reason="", at=at(10, 12))
    assert "不予许可的理由" in excinfo.value.message_dict["reason"][0]
    application = fresh(application)
    assert application.status == ApplicationStatus.PROCESSING and application.decision == ""

    svc.decide(
        application=application,
        actor=handler,
        grant=False,
        reason="经现场审查，游泳池水循环净化设施不符合卫生标准。",
        at=at(10, 12),
    )
    application = fresh(application)
    assert application.decision == Decision.REFUSED
    assert application.decision_reason.startswith("经现场审查")
    assert application.delivery_clock is None


def test_grant_and_delivery_finish_the_case_and_supervision_counts_it(
    item, materials, handler, django_capture_on_commit_callbacks
):
    application = submit(item, materials)
    svc.accept(application=application, actor=handler, at=ACCEPTED)
    finish_steps(application, handler)
    svc.decide(application=application, actor=handler, grant=True, at=at(10, 12, 15))
    application = fresh(application)
    assert application.decision == Decision.GRANTED
    assert application.delivery_clock.limit_value == 10
    assert application.get_status_display() == "待送达"

    with pytest.raises(ValidationError) as excinfo:
        svc.deliver(application=application, actor=handler, method="托人带回", at=at(10, 12, 16))
    assert "method" in excinfo.value.message_dict
    assert fresh(application).status == ApplicationStatus.DECIDED

    svc.deliver(application=application, actor=handler, method="窗口领取", at=at(10, 12, 16))
    application = fresh(application)
    assert application.status == ApplicationStatus.FINISHED
    assert application.get_status_display() == "已办结"
    assert application.delivered_at == application.finished_at == at(10, 12, 16)
    for clock in (application.promised_clock, application.legal_clock, application.delivery_clock):
        assert clock.state == ClockState.STOPPED
        assert clock.final_status == ClockStatus.DONE_ON_TIME
    case = ServiceCase.objects.get(pk=application.case_id)
    assert case.finished_on == D(2026, 10, 12)
    assert case.finished_at == at(10, 12, 16)
    assert case.decision == Decision.GRANTED
    assert case.actual_workdays == 4  # 8, 9, 10, 12 October

    figures = supervision_figures(date_from=D(2026, 9, 1), date_to=D(2026, 9, 30), as_of=D(2026, 10, 31))
    assert figures["accepted"] == 1
    assert figures["finished"] == 1
    assert figures["open"] == 0
    assert figures["early"] == 1  # 12 October, before the promised 13 October
    assert figures["on_time"] == 1
    assert figures["yellow"] == figures["red"] == 0

    with pytest.raises(ValidationError):  # finished is finished
        svc.deliver(application=application, actor=handler, method="窗口领取", at=at(10, 13))


def test_a_late_delivery_is_late_on_every_clock_it_passed(item, materials, handler):
    """Decided 12 October; Art. 44's 10 working days end 26 October. Served on 27 October: the delivery clock is
    late, so is the promise (13 October); the statutory limit (3 November) is met: a yellow card."""
    application = submit(item, materials)
    svc.accept(application=application, actor=handler, at=ACCEPTED)
    finish_steps(application, handler)
    svc.decide(application=application, actor=handler, grant=True, at=at(10, 12, 15))
    assert local_date(fresh(application).delivery_clock.due_at) == D(2026, 10, 26)
    svc.deliver(application=application, actor=handler, method="邮寄送达", at=at(10, 27))
    application = fresh(application)
    assert application.delivery_clock.final_status == ClockStatus.DONE_LATE
    assert application.promised_clock.final_status == ClockStatus.DONE_LATE
    assert application.legal_clock.final_status == ClockStatus.DONE_ON_TIME
    figures = supervision_figures(date_from=D(2026, 9, 1), date_to=D(2026, 9, 30), as_of=D(2026, 11, 30))
    assert (figures["finished"], figures["on_time"], figures["early"]) == (1, 0, 0)
    assert (figures["yellow"], figures["red"]) == (1, 0)


def test_an_instant_item_accepted_and_finished_the_same_day_is_on_time(item_data, county, handler, leader):
    instant = create_item(
        actor=None,
        data=item_data(
            code="11331124000000002XK0002001",
            name="公共场所卫生许可（延续）",
            case_kind="instant",
            promised_limit_days=0,
            legal_limit_days=0,
            steps=[StepData("审核", 0)],
        ),
    )
    materials = list(instant.current_version.materials.order_by("position"))
    application = submit(instant, materials, when=at(9, 29, 9))
    svc.accept(application=application, actor=handler, at=at(9, 29, 9, 20))
    application = fresh(application)
    case = ServiceCase.objects.get(pk=application.case_id)
    assert case.promised_due_on == case.legal_due_on == D(2026, 9, 29)
    with pytest.raises(ValidationError, match="即办件"):
        svc.extend(application=application, actor=leader, reason="需现场复核。", at=at(9, 29, 9, 30))

    svc.complete_step(application=application, actor=handler, at=at(9, 29, 9, 40))
    svc.decide(application=application, actor=handler, grant=True, at=at(9, 29, 9, 50))
    svc.deliver(application=application, actor=handler, method="窗口领取", at=at(9, 29, 10))
    case.refresh_from_db()
    assert case.finished_on == D(2026, 9, 29)
    assert case.actual_workdays == 0

    figures = supervision_figures(date_from=D(2026, 9, 29), date_to=D(2026, 9, 29), as_of=D(2026, 10, 31))
    assert (figures["accepted"], figures["finished"], figures["on_time"]) == (1, 1, 1)
    assert (figures["yellow"], figures["red"], figures["early"]) == (0, 0, 0)


# -- who may not --------------------------------------------------------------------------------------------------


def _to_stage(application, stage, handler):
    if stage == "received":
        return application
    svc.accept(application=application, actor=handler, at=ACCEPTED)
    if stage == "processing":
        return application
    if stage == "suspended":
        svc.suspend(
            application=application, actor=handler, kind="检测", reason="委托第三方检测水质。", at=at(10, 9)
        )
        return application
    finish_steps(application, handler)
    svc.decide(application=application, actor=handler, grant=True, at=at(10, 12, 15))
    return application


OPERATIONS = {
    "accept": ("received", lambda a, u: svc.accept(application=a, actor=u, at=ACCEPTED)),
    "reject": (
        "received",
        lambda a, u: svc.reject(application=a, actor=u, reason="不属于本机关职权。", at=at(9, 29)),
    ),
    "request_correction": (
        "received",
        lambda a, u: svc.request_correction(
            application=a, actor=u, materials=["营业执照复印件"], note="营业执照不清晰。", at=at(9, 29)
        ),
    ),
    "complete_step": ("processing", lambda a, u: svc.complete_step(application=a, actor=u, at=at(10, 8))),
    "suspend": (
        "processing",
        lambda a, u: svc.suspend(
            application=a, actor=u, kind="听证", reason="依申请举行听证。", at=at(10, 8)
        ),
    ),
    "resume": ("suspended", lambda a, u: svc.resume(application=a, actor=u, at=at(10, 16))),
    "decide": (
        "processing",
        lambda a, u: svc.decide(
            application=a, actor=u, grant=False, reason="不符合卫生标准要求。", at=at(10, 8)
        ),
    ),
    "deliver": (
        "decided",
        lambda a, u: svc.deliver(application=a, actor=u, method="邮寄送达", at=at(10, 13)),
    ),
    "extend": (
        "processing",
        lambda a, u: svc.extend(application=a, actor=u, reason="需现场复核，情况复杂。", at=at(10, 20)),
    ),
}
HANDLING = [name for name in OPERATIONS if name != "extend"]


def _state(application) -> tuple:
    application = fresh(application)
    return (
        application.status,
        application.current_step_id,
        application.decision,
        application.extended,
        application.events.count(),
        ServiceCase.objects.count(),
        ClockPause.objects.count(),
        ClockExtension.objects.count(),
        CaseClock.objects.filter(state=ClockState.STOPPED).count(),
    )


@pytest.fixture
def actors(handler, leader, other_handler, other_leader):
    def make(name):
        if name == "none":
            return None
        if name == "anonymous":
            return AnonymousUser()
        if name == "inactive_handler":
            handler.is_active = False
            handler.save(update_fields=["is_active"])
            return handler
        return {
            "handler": handler,
            "leader": leader,
            "other_handler": other_handler,
            "other_leader": other_leader,
        }[name]

    return make


@pytest.mark.parametrize("actor_name", ["none", "anonymous", "other_handler", "leader", "inactive_handler"])
@pytest.mark.parametrize("operation", HANDLING)
def test_who_may_not_handle(item, materials, handler, actors, operation, actor_name):
    stage, call = OPERATIONS[operation]
    application = _to_stage(submit(item, materials), stage, handler)
    before = _state(application)
    actor = actors(actor_name)
    with pytest.raises(PermissionDenied):
        call(application, actor)
    assert _state(application) == before


@pytest.mark.parametrize("actor_name", ["none", "anonymous", "handler", "other_leader", "other_handler"])
def test_who_may_not_extend(item, materials, handler, actors, actor_name):
    stage, call = OPERATIONS["extend"]
    application = _to_stage(submit(item, materials), stage, handler)
    legal_due = ServiceCase.objects.get(pk=fresh(application).case_id).legal_due_on
    before = _state(application)
    with pytest.raises(PermissionDenied):
        call(application, actors(actor_name))
    assert _state(application) == before
    assert ServiceCase.objects.get(pk=fresh(application).case_id).legal_due_on == legal_due


# -- the applicant is told ----------------------------------------------------------------------------------------


STEP_NOTICES = {
    "accept": ("received", "申报已受理"),
    "reject": ("received", "申报不予受理"),
    "request_correction": ("received", "请补正申报材料"),
    "complete_step": ("processing", "办理进度"),
    "suspend": ("processing", "特别程序告知"),
    "resume": ("suspended", None),
    "decide": ("processing_done", "审批决定"),
    "deliver": ("decided", "申报已办结"),
    "extend": ("processing", "延长审批期限告知"),
    "submit_correction": ("correction", None),
}


@pytest.mark.parametrize("step", list(STEP_NOTICES))
def test_the_applicant_is_told_by_sms_and_email_at_each_step(
    item, materials, handler, leader, step, django_capture_on_commit_callbacks
):
    stage, title = STEP_NOTICES[step]
    application = submit(item, materials)  # callbacks not run: nothing sent yet
    if stage == "correction":
        svc.request_correction(
            application=application,
            actor=handler,
            materials=["营业执照复印件"],
            note="营业执照不清晰。",
            at=at(9, 29),
        )
    elif stage == "processing_done":
        _to_stage(application, "processing", handler)
        finish_steps(application, handler)
    else:
        _to_stage(application, stage, handler)
    assert not applicant_notices().exists()

    with django_capture_on_commit_callbacks(execute=True):
        if step == "submit_correction":
            svc.submit_correction(application=application, files={materials[1].pk: [png()]}, at=at(9, 30))
        elif step == "decide":
            svc.decide(application=application, actor=handler, grant=True, at=at(10, 12, 15))
        else:
            OPERATIONS[step][1](application, leader if step == "extend" else handler)

    notices = list(applicant_notices())
    assert len(notices) == 1, f"{step}: the applicant was not told"
    notice = notices[0]
    if title:
        assert notice.title.startswith(title)
    assert application.tracking_number in notice.body
    assert set(Delivery.objects.filter(notification=notice).values_list("channel", "address")) == {
        ("sms", PHONE),
        ("email", EMAIL),
    }


def test_a_landline_applicant_is_told_by_email_only(item, materials, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = submit(item, materials, applicant=applicant(phone="0578-8061234"))
    notice = Notification.objects.get(recipient=None, email=EMAIL)
    assert application.tracking_number in notice.body
    assert list(notice.deliveries.values_list("channel", flat=True)) == ["email"]
