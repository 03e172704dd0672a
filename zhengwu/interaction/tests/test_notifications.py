"""Notifications after the commit: the caller by SMS at dispatch, when the reply is released and after the
callback; the unit's handlers at dispatch and on 预警; nothing when the action rolls back."""

from __future__ import annotations

import pytest

from zhengwu.core.models import Delivery, Notification
from zhengwu.core.services import dispatch as engine

from .conftest import bj


@pytest.mark.django_db
def test_caller_and_unit_are_told_at_each_step(
    call, operator, cgj_handler, county, django_capture_on_commit_callbacks
):
    from zhengwu.interaction.services.intake import dispatch_order

    with django_capture_on_commit_callbacks(execute=True):
        order = dispatch_order(
            call=call(),
            unit=county["cgj"],
            actor=operator,
            received_at=bj(2026, 12, 4, 9),
            dispatched_at=bj(2026, 12, 4, 9, 5),
        )
    sms = Delivery.objects.filter(channel="sms", address="13900001111")
    assert sms.count() == 1 and "已转青川县城市管理局办理" in sms.get().notification.body
    unit_inbox = Notification.objects.filter(recipient=cgj_handler)
    assert unit_inbox.count() == 1 and "请于" in unit_inbox.get().body
    assert Delivery.objects.filter(channel="email", address="cgj1@example.org").exists()

    lead = order.assignments.get()
    with django_capture_on_commit_callbacks(execute=True):
        engine.sign_assignment(assignment=lead, actor=cgj_handler)
        reply = engine.reply_case(assignment=lead, text="已清理占道摊点，后续每日巡查。", actor=cgj_handler)
        engine.review_reply(reply=reply, accept=True, actor=operator)
        engine.record_callback(case=order, rating="满意", actor=operator)
    bodies = [d.notification.body for d in Delivery.objects.filter(channel="sms", address="13900001111")]
    assert any("已办理答复：已清理占道摊点" in body for body in bodies)
    assert any("感谢您对工单" in body for body in bodies)


@pytest.mark.django_db
def test_warning_reminders_are_sent_once(call, operator, cgj_handler, county):
    from zhengwu.interaction.services.intake import dispatch_order

    dispatch_order(
        call=call(),
        unit=county["cgj"],
        actor=operator,
        received_at=bj(2026, 9, 30, 10),
        dispatched_at=bj(2026, 9, 30, 10, 5),
    )
    first = engine.send_warnings()
    assert first == 2  # the unsigned assignment and the 办理 clock, both long past their warning moments
    assert engine.send_warnings() == 0
    titles = set(Notification.objects.filter(recipient=cgj_handler).values_list("title", flat=True))
    assert any(t.startswith("签收预警") for t in titles) and any(t.startswith("办理预警") for t in titles)
