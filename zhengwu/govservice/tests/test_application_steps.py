# ruff: noqa: F811  (fixtures imported from test_applications)
"""A step of the 办理流程 marked 不计算在法定办结时限内 (the item's 检验检测) stops both limits while it runs: the
clocks pause when it starts and resume when it ends, the case records the pause, and 特别程序 is refused meanwhile."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from zhengwu.core.selectors.calendar import get_work_calendar
from zhengwu.core.services.clock import local_date
from zhengwu.govservice.services import applications as svc

from .test_applications import (  # noqa: F401  (fixtures)
    FORM,
    _calendar,
    applicant,
    at,
    handler,
    item,
    materials,
    pdf,
    png,
)

pytestmark = pytest.mark.django_db
D = __import__("datetime").date


def test_an_uncounted_step_pauses_both_clocks_while_it_runs(item, materials, handler):
    steps = list(item.current_version.steps.order_by("position"))
    assert [s.counts_toward_legal for s in steps] == [
        True,
        True,
        False,
        True,
    ]  # 受理, 现场审查, 检验检测, 决定
    application = svc.submit_application(
        item=item, applicant=applicant(), form_data=FORM, files={materials[0].pk: [pdf()], materials[1].pk: [png()]},
        at=at(9, 28),
    )  # fmt: skip
    application = svc.accept(application=application, actor=handler, at=at(9, 30, 9))
    before = (application.case.promised_due_on, application.case.legal_due_on)
    application = svc.complete_step(application=application, actor=handler, at=at(9, 30, 15))  # 受理
    application = svc.complete_step(
        application=application, actor=handler, at=at(10, 8, 15)
    )  # 现场审查 → 检验检测
    application.promised_clock.refresh_from_db()
    application.legal_clock.refresh_from_db()
    assert application.promised_clock.state == application.legal_clock.state == "paused"
    with pytest.raises(ValidationError, match="无需再进入特别程序"):
        svc.suspend(application=application, actor=handler, kind="检验", reason="送检水样检测", at=at(10, 9))
    application = svc.complete_step(
        application=application, actor=handler, at=at(10, 16, 11)
    )  # 检验检测 done
    application.promised_clock.refresh_from_db()
    assert application.promised_clock.state == "running"
    pause = application.case.pauses.get()
    assert (pause.start_on, pause.end_on, pause.reason) == (D(2026, 10, 8), D(2026, 10, 16), "检验检测")
    calendar = get_work_calendar()
    paused = calendar.count(D(2026, 10, 8), D(2026, 10, 16))  # 9, 10 (makeup), 12 … 16 October
    assert paused == 7
    assert application.case.promised_due_on == calendar.shift(before[0], paused)
    assert application.case.legal_due_on == calendar.shift(before[1], paused)
    assert local_date(application.legal_clock.due_at) == application.case.legal_due_on


def test_an_application_never_corrected_can_be_refused_with_a_reason(item, materials, handler):
    from zhengwu.govservice.models import ApplicationStatus

    application = svc.submit_application(
        item=item, applicant=applicant(), form_data=FORM, files={materials[0].pk: [pdf()], materials[1].pk: [png()]},
        at=at(9, 28),
    )  # fmt: skip
    svc.request_correction(
        application=application, actor=handler, materials=[materials[1].name], note="营业执照已过期，请上传有效执照。",
        at=at(9, 29),
    )  # fmt: skip
    with pytest.raises(ValidationError, match="不予受理的理由"):
        svc.reject(application=application, actor=handler, reason="", at=at(11, 2))
    application = svc.reject(
        application=application, actor=handler, reason="告知补正后申请人逾期未补正材料。", at=at(11, 2)
    )
    assert application.status == ApplicationStatus.REJECTED and application.case is None
