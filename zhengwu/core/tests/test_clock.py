"""办理时限: due dates across holidays, pauses, extensions, statuses, errors, fallback years and recomputation.

Expected dates are counted by hand in each test from the State Council schedule its docstring names.
"""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from zhengwu.core.models import AuditLog, CaseClock, ClockExtension, ClockPause, ClockPolicy
from zhengwu.core.models.calendar import DayKind
from zhengwu.core.models.clock import ClockState, ClockStatus, LimitUnit, PauseMode
from zhengwu.core.selectors.clock import (
    clock_alert_counts,
    clock_alert_counts_by_organization,
    clock_overview,
    clock_status,
    clocks_for_case,
    with_live_status,
)
from zhengwu.core.services.calendar import import_calendar_file, seed_calendar_from_package, set_calendar_day
from zhengwu.core.services.clock import (
    extend_clock,
    load_clock_policies,
    pause_clock,
    recompute_open_clocks,
    resume_clock,
    start_clock,
    stop_clock,
)

BJ = ZoneInfo("Asia/Shanghai")
D = dt.date

NOTICE_2026 = "国务院办公厅关于2026年部分节假日安排的通知"

POLICIES = [
    {
        "code": "disclosure-reply",
        "name": "依申请公开答复",
        "limit_value": 20,
        "limit_unit": "workdays",
        "warn_before": 3,
        "max_extensions": 1,
        "max_extension_value": 20,
        "source": "《中华人民共和国政府信息公开条例》第三十三条",
    },
    {
        "code": "hotline-urgent",
        "name": "12345紧急工单",
        "limit_value": 48,
        "limit_unit": "hours",
        "warn_before": 6,
        "max_extensions": 0,
        "max_extension_value": 0,
        "source": "",
    },
]


def bj(year, month, day, hour=9, minute=0, second=0):
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=BJ)


def end_of(day: dt.date):
    return dt.datetime.combine(day, dt.time(23, 59, 59, 999999), tzinfo=BJ)


def local_day(moment):
    return moment.astimezone(BJ).date()


@pytest.fixture(scope="module", autouse=True)
def official_calendar(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        seed_calendar_from_package(record_audit=False)


@pytest.fixture
def policies(db, tmp_path):
    path = tmp_path / "limits.json"
    path.write_text(json.dumps({"policies": POLICIES}, ensure_ascii=False), encoding="utf-8")
    load_clock_policies(path)
    return {policy.code: policy for policy in ClockPolicy.objects.all()}


@pytest.fixture
def officer(make_staff, make_org):
    return make_staff(display_name="李主任", organization=make_org("示范县人民政府办公室"))


# -- due dates ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_twenty_working_days_from_29_september_2026_fall_due_on_2_november(policies, officer):
    """国务院办公厅关于2026年部分节假日安排的通知: 国庆节 10月1日至7日放假调休，10月10日（周六）上班.

    9-30 → 1; 10-1…10-7 skipped; 10-8, 10-9, 10-10 → 2, 3, 4; 10-12…10-16 → 5–9; 10-19…10-23 → 10–14;
    10-26…10-30 → 15–19; Monday 11-02 → 20. Warning 3 working days before: from Wednesday 10-28.
    """
    clock = start_clock(
        policy=policies["disclosure-reply"],
        started_at=bj(2026, 9, 29, 15, 30),
        organization=officer.organization,
        label="依申请公开 2026-0001",
        actor=officer,
    )
    assert clock.due_at == end_of(D(2026, 11, 2))
    assert clock.due_at.astimezone(BJ).strftime("%H:%M:%S") == "23:59:59"
    assert clock.warn_at == bj(2026, 10, 28, 0, 0)
    assert clock.uses_fallback_calendar is False
    text = clock.explanation
    assert "收到日期：2026年9月29日（星期二），当日不计入，自次日起计算。" in text
    assert "时限：20个工作日（依据：依申请公开答复，《中华人民共和国政府信息公开条例》第三十三条）。" in text
    assert "10月1日至10月7日国庆节放假，不计入" in text
    assert "10月10日（星期六）为调休工作日，计入" in text
    assert "截止时间：2026年11月2日（星期一）23:59:59。" in text
    assert f"工作日历依据：2026年：{NOTICE_2026}。" in text
    assert "尚未导入" not in text
    entry = AuditLog.objects.get(action="core.clock.start")
    assert entry.actor == officer and entry.target_id == str(clock.pk)


@pytest.mark.django_db
def test_correction_restarts_the_period_and_an_extension_adds_twenty_working_days(policies, officer):
    """补正 (条例第三十条: the period restarts from receipt of the corrected application) and 延期 (第三十三条).

    国务院办公厅关于2026年部分节假日安排的通知: 清明节 4月4日至6日放假，共3天; 劳动节 5月1日至5日放假调休，
    5月9日（周六）上班.

    Received Mon 2026-03-02; 补正 requested Thu 03-05; corrected application received Mon 03-16, counting restarts:
    03-17…03-20 → 1–4, 03-23…03-27 → 5–9, 03-30…04-03 → 10–14, 04-04…04-06 skipped, 04-07…04-10 → 15–18,
    04-13 → 19, Tue 04-14 → 20. Extension of 20 on 04-10: 04-15…04-17 → 21–23, 04-20…04-24 → 24–28,
    04-27…04-30 → 29–32, 05-01…05-05 skipped, 05-06…05-08 → 33–35, Sat 05-09 → 36, 05-11…Thu 05-14 → 37–40.
    """
    clock = start_clock(policy=policies["disclosure-reply"], started_at=bj(2026, 3, 2), actor=officer)
    assert local_day(clock.due_at) == D(2026, 3, 30)  # before the correction: 20 working days from 03-02

    pause_clock(
        clock=clock,
        reason_code="correction",
        reason="申请内容不明确，通知补正",
        mode=PauseMode.RESTART,
        at=bj(2026, 3, 5, 10),
        actor=officer,
    )
    assert clock.state == ClockState.PAUSED
    assert clock.due_at is None and clock.warn_at is None
    assert clock.paused_remaining == 17  # 03-03, 03-04, 03-05 counted so far
    assert "截止时间待恢复计时后确定" in clock.explanation

    resume_clock(clock=clock, at=bj(2026, 3, 16, 14), actor=officer)
    assert clock.state == ClockState.RUNNING
    assert local_day(clock.due_at) == D(2026, 4, 14)
    assert "此前已计的3个工作日不再计入" in clock.explanation
    assert "4月4日至4月6日清明节放假，不计入" in clock.explanation

    approver = officer
    extend_clock(clock=clock, value=20, reason="需要调取归档材料", approver=approver, at=bj(2026, 4, 10))
    clock.refresh_from_db()
    assert clock.due_at == end_of(D(2026, 5, 14))
    assert clock.warn_at == bj(2026, 5, 11, 0, 0)
    text = clock.explanation
    assert "经李主任批准延长20个工作日，理由：需要调取归档材料。" in text
    assert "延期后时限合计40个工作日。" in text
    assert text.index("暂停：2026年3月5日 10:00") < text.index(
        "延期：2026年4月10日 09:00"
    )  # in the order they happened
    assert "5月1日至5月5日劳动节放假，不计入" in text
    assert "5月9日（星期六）为调休工作日，计入" in text
    assert [e.action for e in AuditLog.objects.filter(target_id=str(clock.pk)).order_by("seq")] == [
        "core.clock.start",
        "core.clock.pause",
        "core.clock.resume",
        "core.clock.extend",
    ]


@pytest.mark.django_db
def test_third_party_consultation_pause_keeps_the_days_already_counted(policies, officer):
    """征求第三方意见 (条例第三十二、三十三条: the time consulting does not count), mode CONTINUE.

    国务院办公厅关于2026年部分节假日安排的通知: 端午节 6月19日至21日放假，共3天.

    Received Mon 2026-06-01; 06-02…06-05 → 1–4 (the pause day counts); paused Fri 06-05 to Mon 06-22 (excluded,
    端午 inside the pause); 06-23…06-26 → 5–8, 06-29…07-03 → 9–13, 07-06…07-10 → 14–18, 07-13 → 19, Tue 07-14 → 20.
    """
    clock = start_clock(policy="disclosure-reply", started_at=bj(2026, 6, 1), actor=officer)
    pause_clock(
        clock=clock,
        reason_code="consultation",
        reason="书面征求第三方意见",
        at=bj(2026, 6, 5, 16),
        actor=officer,
    )
    assert clock.paused_remaining == 16
    assert (
        clock_status(clock, at=bj(2026, 7, 30)) == ClockStatus.NORMAL
    )  # paused: the date alone changes nothing
    resume_clock(clock=clock, at=bj(2026, 6, 22, 9), actor=officer)
    assert clock.due_at == end_of(D(2026, 7, 14))
    assert "恢复后继续计时" in clock.explanation
    assert "端午节" not in clock.explanation  # inside the pause: neither counted nor skipped
    pause = ClockPause.objects.get(clock=clock)
    assert (
        pause.mode == PauseMode.CONTINUE and pause.ended_at == bj(2026, 6, 22, 9) and pause.actor == officer
    )


@pytest.mark.django_db
def test_hours_are_elapsed_time_and_holidays_do_not_matter(policies, officer):
    """Hours ignore the calendar: 48 hours from 10-01 09:00 (国庆节) end 10-03 09:00; a 4-hour pause adds 4 hours."""
    clock = start_clock(policy=policies["hotline-urgent"], started_at=bj(2026, 10, 1, 9), actor=officer)
    assert clock.due_at == bj(2026, 10, 3, 9)
    assert clock.warn_at == bj(2026, 10, 3, 3)
    pause_clock(
        clock=clock, reason_code="callback", reason="等待市民补充信息", at=bj(2026, 10, 1, 10), actor=officer
    )
    assert clock.paused_remaining == 47
    resume_clock(clock=clock, at=bj(2026, 10, 1, 14, 30), actor=officer)
    assert clock.due_at == bj(2026, 10, 3, 13, 30)
    assert "起算时间：2026年10月1日 09:00，按实际经过的小时计算。" in clock.explanation
    assert "截止时间：2026年10月3日 13:30。" in clock.explanation
    assert clock_status(clock, at=bj(2026, 10, 3, 7, 29)) == ClockStatus.NORMAL
    assert clock_status(clock, at=bj(2026, 10, 3, 7, 30)) == ClockStatus.WARNING
    assert clock_status(clock, at=bj(2026, 10, 3, 13, 31)) == ClockStatus.OVERDUE
    with pytest.raises(ValidationError, match="该类事项不允许延期"):
        extend_clock(clock=clock, value=4, reason="情况复杂", approver=officer, at=bj(2026, 10, 2))


@pytest.mark.django_db
def test_calendar_days_count_every_day():
    """15 calendar days from 2026-09-29 (国庆节 included) end on 10-14; warning from 10-11 (3 days before)."""
    clock = start_clock(
        limit_value=15,
        limit_unit=LimitUnit.CALENDAR_DAYS,
        started_at=bj(2026, 9, 29),
        warn_before=3,
        label="整改",
    )
    assert clock.due_at == end_of(D(2026, 10, 14))
    assert clock.warn_at == bj(2026, 10, 11, 0, 0)
    assert "按自然日计算，休息日和法定节假日均计入。" in clock.explanation
    assert clock.policy is None and clock.case_label == "整改"


# -- statuses ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_statuses_warning_overdue_and_finished_on_time_or_late(policies, officer, make_org):
    """Due 2026-11-02 (see the first test; 国务院办公厅关于2026年部分节假日安排的通知); warning from 10-28."""
    other_org = make_org("示范县教育体育局")
    on_time = start_clock(
        policy="disclosure-reply", started_at=bj(2026, 9, 29), organization=officer.organization
    )
    late = start_clock(
        policy="disclosure-reply", started_at=bj(2026, 9, 29), organization=officer.organization
    )
    elsewhere = start_clock(policy="disclosure-reply", started_at=bj(2026, 9, 29), organization=other_org)

    assert clock_status(on_time, at=bj(2026, 10, 27, 23, 59)) == ClockStatus.NORMAL
    assert clock_status(on_time, at=bj(2026, 10, 28, 0, 0)) == ClockStatus.WARNING
    assert clock_status(on_time, at=bj(2026, 11, 2, 23, 59)) == ClockStatus.WARNING
    assert clock_status(on_time, at=bj(2026, 11, 3, 0, 0)) == ClockStatus.OVERDUE
    overview = clock_overview(on_time, at=bj(2026, 10, 29, 10))
    assert overview.status == ClockStatus.WARNING
    assert overview.remaining == 2 and overview.remaining_text == "剩余2个工作日（不含当日）"
    assert clock_overview(on_time, at=bj(2026, 11, 4, 10)).remaining_text == "已超期2个工作日"

    counts = clock_alert_counts(at=bj(2026, 11, 3, 8))
    assert (counts.warning, counts.overdue, counts.open) == (0, 3, 3)
    assert clock_alert_counts(at=bj(2026, 10, 29), organization=officer.organization).warning == 2
    by_org = clock_alert_counts_by_organization(at=bj(2026, 10, 29))
    assert by_org[officer.organization.pk].warning == 2 and by_org[other_org.pk].warning == 1

    stop_clock(clock=on_time, at=bj(2026, 11, 2, 17), actor=officer)
    stop_clock(clock=late, at=bj(2026, 11, 3, 9), actor=officer)
    assert on_time.final_status == ClockStatus.DONE_ON_TIME and on_time.state == ClockState.STOPPED
    assert late.final_status == ClockStatus.DONE_LATE
    assert "办结时间：2026年11月3日 09:00，超期办结。" in late.explanation
    assert clock_status(on_time) == ClockStatus.DONE_ON_TIME

    live = dict(with_live_status(at=bj(2026, 10, 30)).values_list("pk", "live_status"))
    assert live == {on_time.pk: "done_on_time", late.pk: "done_late", elsewhere.pk: "warning"}
    assert clock_alert_counts(at=bj(2026, 11, 3, 8)).open == 1


@pytest.mark.django_db
def test_paused_clock_status_follows_what_is_left(officer):
    clock = start_clock(
        limit_value=5, limit_unit=LimitUnit.WORKDAYS, started_at=bj(2026, 3, 2), warn_before=2
    )
    assert local_day(clock.due_at) == D(2026, 3, 9)
    pause_clock(clock=clock, reason_code="fee", reason="等待缴纳信息处理费", at=bj(2026, 3, 5), actor=officer)
    assert clock.paused_remaining == 2
    assert clock_status(clock) == ClockStatus.WARNING
    resume_clock(clock=clock, at=bj(2026, 3, 5, 11), actor=officer)
    pause_clock(clock=clock, reason_code="fee", reason="再次等待缴费", at=bj(2026, 3, 11), actor=officer)
    assert clock.paused_remaining == -2  # the limit ran out on 03-09; 03-10 and 03-11 went past it
    assert clock_status(clock) == ClockStatus.OVERDUE
    assert dict(with_live_status().values_list("pk", "live_status")) == {clock.pk: "overdue"}
    assert clock_alert_counts().overdue == 1


# -- errors ------------------------------------------------------------------------------------------------------


def _written():
    return (ClockPause.objects.count(), ClockExtension.objects.count(), AuditLog.objects.count())


@pytest.mark.django_db
def test_invalid_operations_raise_chinese_errors_and_write_nothing(policies, officer):
    clock = start_clock(policy="disclosure-reply", started_at=bj(2026, 9, 29), actor=officer)

    before = _written()
    with pytest.raises(ValidationError, match="该时限未处于暂停计时状态，无需恢复计时。"):
        resume_clock(clock=clock, at=bj(2026, 10, 9), actor=officer)
    assert _written() == before

    pause_clock(
        clock=clock,
        reason_code="correction",
        reason="补正",
        mode=PauseMode.RESTART,
        at=bj(2026, 10, 9),
        actor=officer,
    )
    before = _written()
    with pytest.raises(ValidationError, match="该时限已处于暂停计时状态，请先恢复计时再暂停。"):
        pause_clock(
            clock=clock, reason_code="consultation", reason="征求意见", at=bj(2026, 10, 12), actor=officer
        )
    with pytest.raises(ValidationError, match="恢复时间不能早于暂停时间"):
        resume_clock(clock=clock, at=bj(2026, 10, 8), actor=officer)
    assert _written() == before
    resume_clock(clock=clock, at=bj(2026, 10, 12), actor=officer)
    due = CaseClock.objects.get(pk=clock.pk).due_at

    extend_clock(clock=clock, value=20, reason="情况复杂", approver=officer, at=bj(2026, 10, 20))
    before = _written()
    with pytest.raises(
        ValidationError, match=r"该类事项最多延期1次（依据：依申请公开答复，.*），已延期1次。"
    ):
        extend_clock(clock=clock, value=5, reason="再次延期", approver=officer, at=bj(2026, 10, 21))
    assert _written() == before

    other = start_clock(policy="disclosure-reply", started_at=bj(2026, 9, 29), actor=officer)
    before = _written()
    with pytest.raises(ValidationError, match=r"单次延期不能超过20个工作日.*申请延期25个工作日。"):
        extend_clock(clock=other, value=25, reason="情况复杂", approver=officer, at=bj(2026, 10, 20))
    with pytest.raises(ValidationError, match="延期须记录批准人。"):
        extend_clock(clock=other, value=5, reason="情况复杂", approver=None, at=bj(2026, 10, 20))
    with pytest.raises(ValidationError, match="请填写延期理由。"):
        extend_clock(clock=other, value=5, reason="  ", approver=officer, at=bj(2026, 10, 20))
    with pytest.raises(ValidationError, match="暂停时间不能早于起算时间"):
        pause_clock(clock=other, reason_code="x", reason="x", at=bj(2026, 9, 28), actor=officer)
    assert _written() == before
    assert CaseClock.objects.get(pk=other.pk).state == ClockState.RUNNING

    stop_clock(clock=other, at=bj(2026, 10, 30), actor=officer)
    before = _written()
    for call in (
        lambda: stop_clock(clock=other, at=bj(2026, 10, 31), actor=officer),
        lambda: pause_clock(clock=other, reason_code="x", reason="x", at=bj(2026, 10, 31), actor=officer),
        lambda: extend_clock(clock=other, value=1, reason="x", approver=officer, at=bj(2026, 10, 31)),
    ):
        with pytest.raises(ValidationError, match="已办结"):
            call()
    assert _written() == before
    assert CaseClock.objects.get(pk=clock.pk).due_at > due


@pytest.mark.django_db
def test_start_clock_needs_a_policy_or_a_limit(policies):
    cases = [
        (
            {"policy": policies["disclosure-reply"], "limit_value": 5, "limit_unit": "workdays"},
            "已指定时限规则时",
        ),
        ({}, "请指定时限规则，或同时指定时限数值和单位。"),
        ({"limit_value": 5, "limit_unit": "weeks"}, "时限单位“weeks”无效"),
        ({"limit_value": 0, "limit_unit": "days"}, "时限必须是正整数。"),
        ({"policy": "no-such-rule"}, "时限规则“no-such-rule”不存在"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValidationError, match=message):
            start_clock(started_at=bj(2026, 3, 2), **kwargs)
    assert not CaseClock.objects.exists()


@pytest.mark.django_db
def test_clock_is_attached_to_its_case(officer):
    org = officer.organization
    clock = start_clock(case=org, limit_value=10, limit_unit="workdays", started_at=bj(2026, 3, 2))
    assert clock.case == org and clock.case_label == str(org)
    assert list(clocks_for_case(org)) == [clock]


# -- policies as data --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_load_clock_policies_upserts_and_rejects_bad_files_whole(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(POLICIES, ensure_ascii=False), encoding="utf-8")
    assert load_clock_policies(path) == 2
    assert load_clock_policies(path) == 0  # unchanged: nothing written
    changed = [{**POLICIES[0], "limit_value": 15}]
    path.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    assert load_clock_policies(path) == 1
    assert ClockPolicy.objects.get(code="disclosure-reply").limit_value == 15

    bad = [
        {**POLICIES[0], "code": "new-rule", "limit_value": 30},
        {**POLICIES[1], "limit_unit": "weeks"},
        {**POLICIES[1], "code": "x", "warn_before": -1},
        {"code": "bad code", "name": "x", "limit_value": 1, "limit_unit": "days"},
        {**POLICIES[1], "code": "y", "colour": "red"},
    ]
    path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValidationError) as excinfo:
        load_clock_policies(path)
    assert excinfo.value.messages == [
        "第2条规则（hotline-urgent）单位“weeks”无效，应为 workdays、days 或 hours。",
        "第3条规则（x）时限、提前预警、延期次数和单次最长延期应为非负整数（时限须大于0）。",
        "第4条规则编码“bad code”无效，只能使用字母、数字、连字符和下划线，且不超过60个字符。",
        "第5条规则含有无法识别的字段：colour。",
    ]
    assert not ClockPolicy.objects.filter(code="new-rule").exists()
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValidationError, match="不是有效的 JSON"):
        load_clock_policies(path)


# -- unknown years and recomputation -----------------------------------------------------------------------------


CSV_2027 = (
    "日期,类型,名称\n2027-01-01,法定节假日,元旦\n2027-01-02,法定节假日,元旦\n2027-01-03,法定节假日,元旦\n"
)


@pytest.mark.django_db
def test_unknown_year_falls_back_then_importing_it_recomputes_open_clocks(
    policies, officer, django_capture_on_commit_callbacks
):
    """国务院办公厅关于2026年部分节假日安排的通知 (no holiday after 10-07 in 2026); 2027 not yet imported.

    Received Tue 2026-12-15: 12-16…12-18 → 1–3, 12-21…12-25 → 4–8, 12-28…12-31 → 9–12; 2027 by Monday–Friday:
    Fri 01-01 → 13, 01-04…01-08 → 14–18, 01-11 → 19, Tue 01-12 → 20. Once 2027 is imported with 1 January a holiday
    (《全国年节及纪念日放假办法》: 元旦放假1天; the other rows are test data), the due date moves to Wed 01-13.
    """
    clock = start_clock(policy="disclosure-reply", started_at=bj(2026, 12, 15), actor=officer)
    finished = start_clock(policy="disclosure-reply", started_at=bj(2026, 12, 15), actor=officer)
    stop_clock(clock=finished, at=bj(2026, 12, 20), actor=officer)
    assert clock.due_at == end_of(D(2027, 1, 12))
    assert clock.uses_fallback_calendar is True
    assert (
        "注意：2027年的节假日安排尚未导入，计算时暂按周一至周五为工作日推算，导入后截止时间可能变化。"
        in clock.explanation
    )

    with django_capture_on_commit_callbacks(execute=True):
        import_calendar_file(
            year=2027,
            source="国务院办公厅关于2027年部分节假日安排的通知",
            content=CSV_2027.encode(),
            filename="2027.csv",
            actor=officer,
        )
    clock.refresh_from_db()
    assert clock.due_at == end_of(D(2027, 1, 13))
    assert clock.uses_fallback_calendar is False
    assert "1月1日至1月3日元旦放假，不计入" not in clock.explanation  # 2027 dates carry their year
    assert "2027年1月1日至2027年1月3日元旦放假，不计入" in clock.explanation
    assert "2027年：国务院办公厅关于2027年部分节假日安排的通知" in clock.explanation
    assert "尚未导入" not in clock.explanation
    recompute = AuditLog.objects.get(action="core.clock.recompute")
    assert recompute.detail["changed"] == 1 and recompute.detail["open_clocks"] == 1
    finished.refresh_from_db()
    assert finished.uses_fallback_calendar is True  # a finished clock keeps the record it was closed with


@pytest.mark.django_db
def test_recompute_writes_only_what_changed_including_paused_clocks(
    officer, django_capture_on_commit_callbacks
):
    """A weekday declared a holiday (2026-06-01, test data) moves the clocks that count it, and only those."""
    moved = start_clock(limit_value=10, limit_unit="workdays", started_at=bj(2026, 5, 25))
    paused = start_clock(limit_value=10, limit_unit="workdays", started_at=bj(2026, 5, 25))
    pause_clock(clock=paused, reason_code="fee", reason="等待缴费", at=bj(2026, 6, 3), actor=officer)
    untouched = start_clock(limit_value=10, limit_unit="workdays", started_at=bj(2026, 7, 1))
    hours = start_clock(limit_value=8, limit_unit="hours", started_at=bj(2026, 6, 1))
    assert local_day(moved.due_at) == D(2026, 6, 8) and paused.paused_remaining == 3
    stamp = CaseClock.objects.get(pk=untouched.pk).updated_at
    assert recompute_open_clocks() == 0

    with django_capture_on_commit_callbacks(execute=True):
        set_calendar_day(day=D(2026, 6, 1), kind=DayKind.HOLIDAY, name="临时放假", actor=officer)
    moved.refresh_from_db()
    paused.refresh_from_db()
    assert local_day(moved.due_at) == D(2026, 6, 9)
    assert "6月1日临时放假，不计入" in moved.explanation
    assert paused.paused_remaining == 4 and paused.due_at is None
    assert CaseClock.objects.get(pk=untouched.pk).updated_at == stamp
    assert CaseClock.objects.get(pk=hours.pk).due_at == bj(2026, 6, 1, 17)
    assert AuditLog.objects.get(action="core.clock.recompute").detail["changed"] == 2
    assert recompute_open_clocks() == 0


@pytest.mark.django_db
def test_recompute_does_not_overwrite_a_clock_changed_while_it_ran(officer, monkeypatch):
    """A clock paused between the bulk read and the bulk write keeps its pause: the write is guarded by the
    ``updated_at`` read, and the clock is read again."""
    from zhengwu.core.services import clock as clock_services

    clock = start_clock(limit_value=10, limit_unit="workdays", started_at=bj(2026, 5, 25))
    set_calendar_day(day=D(2026, 6, 1), kind=DayKind.HOLIDAY, name="临时放假", actor=officer)
    real_read = clock_services._read_open_clocks
    calls = []

    def read_then_pause(pks):
        rows = real_read(pks)
        if not calls:
            pause_clock(clock=clock, reason_code="fee", reason="等待缴费", at=bj(2026, 6, 3), actor=officer)
        calls.append(pks)
        return rows

    monkeypatch.setattr(clock_services, "_read_open_clocks", read_then_pause)
    recompute_open_clocks()
    assert calls == [None, [clock.pk]]  # the skipped clock was read again on its own
    clock.refresh_from_db()
    assert clock.state == ClockState.PAUSED and clock.due_at is None
    # 05-26…05-29, 06-02, 06-03 counted (6 of 10); 06-01 is the new holiday.
    assert clock.paused_remaining == 4
