"""The dispatch engine in core, driven through a 12345 work order: limits as data, working-day semantics across the
国庆 holiday and a 调休 Saturday, 签收 / 退单 / 改派 / 延期 / 答复 / 审核 / 回访 / 重办 / 办结, 督办, 并单, and the
机构改革 hook; and what each role must not be able to do."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhengwu.core.models import Assignment, ClockPolicy, DispatchLimit
from zhengwu.core.models.clock import ClockState, ClockStatus
from zhengwu.core.models.dispatch import AssignmentState, DispatchState
from zhengwu.core.selectors.clock import clock_overview
from zhengwu.core.services import dispatch as engine

from .conftest import bj

END = dict(hour=23, minute=59, second=59, micro=999999)


@pytest.fixture
def order(call, operator, county):
    """A complaint received on 2026-09-30 (the day before 国庆) and dispatched to the 城管局 at 10:05."""
    from zhengwu.interaction.services.intake import dispatch_order

    return dispatch_order(
        call=call(),
        unit=county["cgj"],
        actor=operator,
        received_at=bj(2026, 9, 30, 10),
        dispatched_at=bj(2026, 9, 30, 10, 5),
    )


def _lead(order):
    return Assignment.objects.get(
        object_id=order.pk, role="lead", state__in=["dispatched", "signed", "return_requested"]
    )


def redispatched_order(call, operator, county, at):
    from zhengwu.interaction.services.intake import dispatch_order

    return dispatch_order(call=call(), unit=county["cgj"], actor=operator, received_at=at, dispatched_at=at)


@pytest.mark.django_db
def test_limits_are_data_and_follow_the_core_clock_semantics(call, operator, county):
    from zhengwu.interaction.models import WorkOrder
    from zhengwu.interaction.services.intake import dispatch_order as _dispatch

    def dispatch_order(*, received_at, **kwargs):
        return _dispatch(
            received_at=received_at, dispatched_at=received_at + dt.timedelta(minutes=5), **kwargs
        )

    order = dispatch_order(call=call(), unit=county["cgj"], actor=operator, received_at=bj(2026, 9, 30, 10))
    lead = _lead(order)
    # 签收 1 working day strictly after 9-30: 10-1…10-7 are the 国庆 holiday, so the end of 10-8.
    assert lead.sign_due_at == bj(2026, 10, 8, **END)
    # 办理 13 working days for a 投诉: 10-8, 10-9, the 调休 Saturday 10-10, then 10-12 … 10-23.
    assert order.handle_due_at == bj(2026, 10, 23, **END)
    assert "国庆" in order.handle_clock.explanation and "调休" in order.handle_clock.explanation

    # A start on a rest day is not moved: dispatched on the holiday Saturday 10-3, due the end of 10-8 still.
    consult = dispatch_order(
        call=call(kind="咨询"), unit=county["cgj"], actor=operator, received_at=bj(2026, 10, 3, 8, 50)
    )
    assert _lead(consult).sign_due_at == bj(2026, 10, 8, **END)
    assert consult.handle_due_at == bj(2026, 10, 10, **END)  # 3 working days: 10-8, 10-9, 10-10 (调休)

    # 紧急: 2 wall-clock hours to sign, whatever the day; 1 working day to finish.
    urgent = dispatch_order(
        call=call(urgency="紧急"), unit=county["cgj"], actor=operator, received_at=bj(2026, 10, 2, 22, 25)
    )
    assert _lead(urgent).sign_due_at == bj(2026, 10, 3, 0, 30)
    assert urgent.handle_due_at == bj(2026, 10, 8, **END)

    # The county changes its limit in the data table: 投诉 now 10 working days, no code involved.
    ClockPolicy.objects.filter(code="hotline-handle-long").update(limit_value=10)
    shorter = dispatch_order(call=call(), unit=county["cgj"], actor=operator, received_at=bj(2026, 9, 30, 10))
    assert shorter.handle_due_at == bj(2026, 10, 20, **END)
    DispatchLimit.objects.filter(case_type="hotline", stage="handle", request_kind="投诉").update(
        policy=ClockPolicy.objects.get(code="hotline-handle-short")
    )
    three = dispatch_order(call=call(), unit=county["cgj"], actor=operator, received_at=bj(2026, 9, 30, 10))
    assert three.handle_due_at == bj(2026, 10, 10, **END)
    assert WorkOrder.objects.count() == 5


@pytest.mark.django_db
def test_sign_at_the_due_moment_is_on_time_and_a_microsecond_later_is_not(
    order, cgj_handler, operator, call, county
):
    lead = _lead(order)
    engine.sign_assignment(assignment=lead, actor=cgj_handler, at=lead.sign_due_at)
    lead.refresh_from_db()
    order.refresh_from_db()
    assert lead.state == AssignmentState.SIGNED and lead.signed_on_time is True
    assert order.lead_signed_on_time is True
    late = redispatched_order(call, operator, county, bj(2026, 9, 30, 11))
    late_lead = _lead(late)
    engine.sign_assignment(
        assignment=late_lead, actor=cgj_handler, at=late_lead.sign_due_at + dt.timedelta(microseconds=1)
    )
    late.refresh_from_db()
    assert late.lead_signed_on_time is False


@pytest.mark.django_db
def test_full_lifecycle_return_redispatch_extend_reply_callback_redo_finish(
    order, operator, supervisor, cgj_handler, scj_handler, county
):
    from zhengwu.core.selectors import dispatch as read

    lead = _lead(order)
    # The 城管局 returns the order: it is the 市场监管局's (a stall selling food without a licence).
    engine.request_return(
        assignment=lead, reason="无证食品摊贩属市场监管职责", actor=cgj_handler, at=bj(2026, 9, 30, 15)
    )
    with pytest.raises(PermissionDenied):
        engine.decide_return(assignment=lead, approve=True, actor=operator)  # an operator does not review
    engine.decide_return(assignment=lead, approve=True, actor=supervisor, at=bj(2026, 9, 30, 16))
    order.refresh_from_db()
    lead.refresh_from_db()
    assert order.dispatch_state == DispatchState.PENDING and order.lead_unit is None
    assert lead.state == AssignmentState.RETURNED and lead.returned_at == bj(2026, 9, 30, 15)
    assert lead.sign_clock.state == ClockState.STOPPED

    # 改派 to the 市场监管局 (outside the category's 派单目录: a reason is required).
    with pytest.raises(ValidationError) as refused:
        engine.dispatch_case(
            case=order,
            unit=county["scj"],
            actor=operator,
            at=bj(2026, 9, 30, 16, 5),
            catalog_units=order.category.catalog(),
        )
    assert "不在该分类的派单目录中" in str(refused.value)
    second = engine.dispatch_case(
        case=order,
        unit=county["scj"],
        actor=operator,
        at=bj(2026, 9, 30, 16, 5),
        catalog_units=order.category.catalog(),
        outside_catalog_reason="涉及食品经营许可",
    )
    order.refresh_from_db()
    # The 办理 clock starts again from the new dispatch.
    assert order.lead_dispatched_at == bj(2026, 9, 30, 16, 5)
    assert order.handle_due_at == bj(2026, 10, 23, **END)

    with pytest.raises(PermissionDenied):
        engine.sign_assignment(assignment=second, actor=cgj_handler)  # not the 城管局's any more
    with pytest.raises(PermissionDenied):
        engine.sign_assignment(assignment=second, actor=operator)  # county-wide view is not membership
    engine.sign_assignment(assignment=second, actor=scj_handler, at=bj(2026, 10, 8, 9))

    # 延期: asked by the unit, approved by the supervisor before the due moment (+5 working days).
    with pytest.raises(PermissionDenied):
        engine.request_extension(case=order, workdays=5, reason="需要现场联合执法", actor=cgj_handler)
    request = engine.request_extension(
        case=order, workdays=5, reason="需要现场联合执法", actor=scj_handler, at=bj(2026, 10, 20, 9)
    )
    with pytest.raises(PermissionDenied):
        engine.decide_extension(extension=request, approve=True, actor=operator)
    with pytest.raises(PermissionDenied):
        engine.decide_extension(extension=request, approve=True, actor=scj_handler)
    engine.decide_extension(extension=request, approve=True, actor=supervisor, at=bj(2026, 10, 20, 10))
    order.refresh_from_db()
    assert order.handle_due_at == bj(2026, 10, 30, **END)
    assert order.extended_workdays == 5
    assert "延期" in order.handle_clock.explanation

    # 答复 by the lead; the hotline sends it back once (重办), then accepts it.
    first = engine.reply_case(
        assignment=second,
        text="已责令摊贩限期办理食品经营许可，现场已清理。",
        actor=scj_handler,
        at=bj(2026, 10, 22, 9),
    )
    with pytest.raises(PermissionDenied):
        engine.review_reply(reply=first, accept=True, actor=scj_handler)
    engine.review_reply(
        reply=first, accept=False, note="未说明后续监管措施", actor=operator, at=bj(2026, 10, 22, 10)
    )
    order.refresh_from_db()
    assert order.dispatch_state == DispatchState.HANDLING and order.redo_count == 1
    again = engine.reply_case(
        assignment=second,
        text="已清理占道摊点，并安排每日早市时段巡查，持续监管一个月。",
        actor=scj_handler,
        at=bj(2026, 10, 23, 9),
    )
    engine.review_reply(reply=again, accept=True, actor=operator, at=bj(2026, 10, 23, 10))
    order.refresh_from_db()
    assert order.dispatch_state == DispatchState.CALLBACK
    assert order.public_reply.startswith("已清理占道摊点")

    # 回访: 不满意 → 重办 → reply → 基本满意 → 办结 on time (the due moment moved with the extension).
    engine.record_callback(case=order, rating="不满意", actor=operator, at=bj(2026, 10, 23, 15))
    engine.redo_case(case=order, reason="来电人反映摊贩仍在", actor=operator, at=bj(2026, 10, 23, 15, 5))
    third = engine.reply_case(
        assignment=second,
        text="再次现场核查，摊贩已搬离至规范经营点，群众认可。",
        actor=scj_handler,
        at=bj(2026, 10, 27, 9),
    )
    engine.review_reply(reply=third, accept=True, actor=operator, at=bj(2026, 10, 27, 10))
    engine.record_callback(case=order, rating="基本满意", actor=operator, at=bj(2026, 10, 28, 9))
    with pytest.raises(PermissionDenied):
        engine.finish_case(case=order, actor=scj_handler)
    engine.finish_case(case=order, actor=operator, at=bj(2026, 10, 28, 9, 30))
    order.refresh_from_db()
    assert order.dispatch_state == DispatchState.FINISHED
    assert order.finished_on_time is True and order.visit_count == 2 and order.last_rating == "基本满意"
    assert clock_overview(order.handle_clock).status == ClockStatus.DONE_ON_TIME
    kinds = [event.kind for event in read.timeline(order)]
    assert kinds[:3] == ["dispatch", "return", "return_decided"]
    assert kinds.count("reply") == 3 and kinds[-1] == "finish"
    assert all(a.state in ("returned", "closed") for a in read.assignments(order))


@pytest.mark.django_db
def test_refused_return_keeps_the_unit_on_the_same_clocks(order, supervisor, cgj_handler):
    lead = _lead(order)
    due = lead.sign_due_at
    engine.request_return(assignment=lead, reason="不是本单位职责", actor=cgj_handler, at=bj(2026, 9, 30, 11))
    with pytest.raises(ValidationError):
        engine.decide_return(assignment=lead, approve=False, note="", actor=supervisor)
    engine.decide_return(
        assignment=lead, approve=False, note="占道经营属城管职责", actor=supervisor, at=bj(2026, 9, 30, 12)
    )
    lead.refresh_from_db()
    assert lead.state == AssignmentState.DISPATCHED and lead.sign_due_at == due
    assert lead.sign_clock.state == ClockState.RUNNING


@pytest.mark.django_db
def test_extension_after_the_due_moment_is_refused(order, cgj_handler, supervisor):
    lead = _lead(order)
    engine.sign_assignment(assignment=lead, actor=cgj_handler, at=bj(2026, 10, 8, 9))
    with pytest.raises(ValidationError, match="已超过办理截止时间"):
        engine.request_extension(
            case=order, workdays=3, reason="需要补充材料", actor=cgj_handler, at=bj(2026, 10, 24, 9)
        )
    request = engine.request_extension(
        case=order, workdays=3, reason="需要补充材料", actor=cgj_handler, at=bj(2026, 10, 23, 9)
    )
    with pytest.raises(ValidationError, match="不能再批准延期"):
        engine.decide_extension(extension=request, approve=True, actor=supervisor, at=bj(2026, 10, 24, 9))


@pytest.mark.django_db
def test_urge_only_when_overdue_and_merge_stops_the_duplicate(order, operator, supervisor, call, county):
    with pytest.raises(ValidationError, match="未超期"):
        engine.urge_case(case=order, note="", actor=supervisor, at=bj(2026, 10, 8, 12))
    with pytest.raises(PermissionDenied):
        engine.urge_case(case=order, note="", actor=operator)
    # Now (2026-12-06) the order is long overdue: unsigned and past the 办理 limit.
    engine.urge_case(case=order, note="请今日内签收办理", actor=supervisor)
    order.refresh_from_db()
    assert order.urge_count == 1
    duplicate = redispatched_order(call, operator, county, bj(2026, 9, 30, 12))
    engine.merge_case(case=duplicate, into=order, reason="同一摊点重复反映", actor=operator)
    duplicate.refresh_from_db()
    assert duplicate.dispatch_state == DispatchState.MERGED and duplicate.merged_into_id == order.pk
    assert duplicate.handle_clock.state == ClockState.STOPPED
    assert not _current(duplicate)


def _current(order):
    return list(Assignment.objects.filter(object_id=order.pk, state__in=["dispatched", "signed"]))


@pytest.mark.django_db
def test_org_succession_moves_open_cases_with_clocks_unchanged(order, county, make_org, cgj_handler):
    from zhengwu.core.models import Staff

    lead = _lead(order)
    before = (lead.sign_clock.due_at, order.handle_clock.due_at, order.handle_clock.explanation)
    successor = make_org("青川县综合行政执法局", parent=county["root"], code="QCZHZF")
    preview = engine.succession_preview(predecessor=county["cgj"])
    assert ("12345工单", 1, 1) in preview
    admin = Staff.objects.create_superuser("root", password="Zw-Test-Passw0rd!")
    moved = engine.move_open_cases(
        predecessor=county["cgj"], successor=successor, reason="机构改革", actor=admin
    )
    assert moved == {"assignments": 1, "cases": 1}
    order.refresh_from_db()
    lead.refresh_from_db()
    assert order.lead_unit == successor and lead.organization == successor
    assert (lead.sign_clock.due_at, order.handle_clock.due_at, order.handle_clock.explanation) == before
    assert order.handle_clock.organization == successor
    with pytest.raises(PermissionDenied):  # the old unit's handler no longer holds the case
        engine.sign_assignment(assignment=lead, actor=cgj_handler)


@pytest.mark.django_db
def test_unit_handler_cannot_dispatch_finish_or_touch_another_units_case(
    order, cgj_handler, scj_handler, county
):
    from zhengwu.interaction.services.intake import dispatch_order

    lead = _lead(order)
    with pytest.raises(PermissionDenied):
        engine.dispatch_case(case=order, unit=county["scj"], role="assist", actor=cgj_handler)
    with pytest.raises(PermissionDenied):
        engine.request_return(assignment=lead, reason="不是我们的事情", actor=scj_handler)
    with pytest.raises(PermissionDenied):
        dispatch_order(call=None, unit=county["cgj"], actor=cgj_handler)  # cannot take calls either
    # A unit below the lead (the 城管执法中队) is not the lead either, but the 城管局 can act for its 中队.
    squad_order = engine.dispatch_case(case=order, unit=county["squad"], role="assist", actor=None)
    engine.sign_assignment(assignment=squad_order, actor=cgj_handler)
