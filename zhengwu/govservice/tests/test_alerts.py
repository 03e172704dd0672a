# ruff: noqa: F811  (fixtures imported from test_applications)
"""电子监察 alerts on applications being handled: 预警 a working day before the 承诺 due date to the unit, 黄牌 after
it and 红牌 after the 法定 one also to the supervising office; each level once; a pause holds the cards back."""

from __future__ import annotations

import pytest

from zhengwu.core.models import Notification
from zhengwu.govservice.services import applications as svc
from zhengwu.govservice.services.alerts import send_supervision_alerts

from .test_applications import (  # noqa: F401  (fixtures)
    FORM,
    _calendar,
    _staff,
    applicant,
    at,
    handler,
    item,
    materials,
    other_handler,
    pdf,
    png,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(make_staff, county):
    return _staff(make_staff, "zwfw_office", county["root"], "service_admin")


def _accepted(item, materials, handler, phone="13905781234"):
    application = svc.submit_application(
        item=item, applicant=applicant(phone=phone), form_data=FORM,
        files={materials[0].pk: [pdf()], materials[1].pk: [png()]}, at=at(9, 28),
    )  # fmt: skip
    return svc.accept(application=application, actor=handler, at=at(9, 30, 9))  # 承诺 due 10-13, 法定 11-03


def _titles(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_warning_then_yellow_then_red_each_once_to_the_right_people(
    item, materials, handler, other_handler, office
):
    application = _accepted(item, materials, handler)
    assert send_supervision_alerts(at=at(10, 9, 23)) == 0
    assert send_supervision_alerts(at=at(10, 12, 8)) == 1  # the working day before 10-13
    assert [t[:6] for t in _titles(handler)] == ["电子监察预警"] and _titles(office) == []
    assert send_supervision_alerts(at=at(10, 12, 20)) == 0  # nothing twice
    assert send_supervision_alerts(at=at(10, 14, 8)) == 1
    assert _titles(office) == [f"电子监察黄牌：{application.version.name}（{application.tracking_number}）"]
    assert send_supervision_alerts(at=at(11, 4, 8)) == 1
    assert len(_titles(handler)) == 3 and len(_titles(office)) == 2
    assert _titles(other_handler) == []  # another unit hears nothing
    assert send_supervision_alerts(at=at(11, 20, 8)) == 0
    application.refresh_from_db()
    assert application.alert_level == "red"


def test_a_running_pause_holds_the_cards_back(item, materials, handler, office):
    application = _accepted(item, materials, handler)
    svc.suspend(
        application=application, actor=handler, kind="检验", reason="送检水样，等待检验报告", at=at(10, 9, 10)
    )
    assert send_supervision_alerts(at=at(10, 20, 8)) == 0  # paused since 10-09: the due date moves with it
    svc.resume(application=application, actor=handler, at=at(10, 21, 9))
    application.refresh_from_db()
    due = application.case.promised_due_on
    assert due > application.case.accepted_on
    assert send_supervision_alerts(at=at(due.month, due.day, 8)) == 1  # 预警 on the due day at the latest


def test_finished_applications_are_not_alerted(item, materials, handler, office):
    application = _accepted(item, materials, handler)
    for n in range(application.version.steps.count()):
        application = svc.complete_step(application=application, actor=handler, at=at(9, 30, 10 + n))
    application = svc.decide(
        application=application, actor=handler, grant=True, reason="准予", at=at(9, 30, 15)
    )
    svc.deliver(application=application, actor=handler, method="窗口领取", at=at(9, 30, 16))
    assert send_supervision_alerts(at=at(12, 1, 8)) == 0


def test_the_supervision_list_holds_back_for_a_running_pause_as_the_alerts_do(
    item, materials, handler, office
):
    import datetime as dt

    from zhengwu.govservice.admin_views import _overdue

    paused = _accepted(item, materials, handler)
    running = _accepted(item, materials, handler, phone="13905781235")
    svc.suspend(
        application=paused, actor=handler, kind="检验", reason="送检水样，等待检验报告", at=at(10, 9, 10)
    )
    period = {
        "date_from": dt.date(2026, 9, 1),
        "date_to": dt.date(2026, 10, 31),
        "as_of": dt.date(2026, 10, 20),
    }
    listed = {row["case"].pk for row in _overdue(period, None)}
    running.refresh_from_db()
    paused.refresh_from_db()
    assert running.case_id in listed  # past its 承诺 due date (10-13): 黄牌
    assert paused.case_id not in listed  # in 特别程序 since 10-09: its due date moves with the pause
