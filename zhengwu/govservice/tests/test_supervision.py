"""电子监察 figures: the due dates agree with the core case clock, events after ``--as-of`` are ignored, a calendar
change is followed, bad input is refused in Chinese, and the command writes JSON, text and .xlsx."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from zhengwu.core.models.clock import LimitUnit
from zhengwu.core.selectors.calendar import get_work_calendar
from zhengwu.core.services.clock import ClockEngine, ClockInputs, PauseSpan, as_aware, local_date
from zhengwu.govservice.models import ServiceCase
from zhengwu.govservice.services.supervision import derive

from .test_imports import _row, _write

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def _calendar(official_calendar):
    """Holidays and 调休 of the official schedules, as after ``zhengwu setup``."""


D = dt.date


@pytest.mark.parametrize(
    ("accepted", "limit", "pauses"),
    [
        (D(2026, 9, 28), 5, []),  # across 国庆 and the Saturday makeup day after it
        (D(2026, 9, 30), 20, [(D(2026, 10, 9), D(2026, 10, 16))]),
        (D(2026, 2, 10), 8, [(D(2026, 2, 12), D(2026, 2, 25))]),  # a pause across 春节
        (D(2026, 4, 30), 0, []),
        (D(2026, 12, 25), 10, [(D(2026, 12, 28), D(2027, 1, 5))]),  # into 2027: Monday–Friday fallback
    ],
)
def test_due_dates_agree_with_the_core_clock(accepted, limit, pauses):
    calendar = get_work_calendar()
    ours = derive(
        calendar, accepted_on=accepted, finished_on=None, promised_days=limit, legal_days=limit, pauses=pauses
    )
    engine = ClockEngine(calendar).compute(
        ClockInputs(
            started_at=as_aware(dt.datetime.combine(accepted, dt.time(10))),
            limit_value=limit,
            limit_unit=LimitUnit.WORKDAYS.value,
            warn_before=1,
            pauses=tuple(
                PauseSpan(
                    as_aware(dt.datetime.combine(s, dt.time(9))),
                    as_aware(dt.datetime.combine(e, dt.time(9))),
                    "continue",
                    "检验",
                )
                for s, e in pauses
            ),
        )
    )
    assert ours.promised_due_on == ours.legal_due_on == local_date(engine.due_at)
    assert ours.uses_fallback == engine.uses_fallback


def _items(tmp_path, county):
    rows = [
        _row(county, 1, **{"法定办结时限（工作日）": 20, "承诺办结时限（工作日）": 5}),
        _row(
            county,
            2,
            **{"实施机关（统一社会信用代码）": county["health"].credit_code, "事项名称": "医疗机构执业登记"},
        ),
    ]
    call_command("services", "import-items", str(_write(tmp_path, rows)))


def _cases(tmp_path, records, name="cases.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


def _figures(*args):
    out = io.StringIO()
    call_command("services", "supervision", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_a_case_finished_after_as_of_is_open_at_it_and_a_later_pause_did_not_happen(tmp_path, county):
    _items(tmp_path, county)
    call_command(
        "services",
        "import-cases",
        str(
            _cases(
                tmp_path,
                [
                    # 承诺 5 from Monday 9-28: 9-29, 9-30, (国庆) 10-8, 10-9 and the makeup Saturday 10-10.
                    {"id": "A1", "item_code": "SLJ-XK-0001", "accepted_at": "2026-09-28T10:00:00+08:00",
                     "finished_at": "2026-10-20T16:00:00+08:00", "pauses": [], "decision": "准予"},
                    # 检测 from 10-8 to 10-14: 10-8 counts, the five working days after it up to 10-14 do not.
                    {"id": "A2", "item_code": "SLJ-XK-0001", "accepted_at": "2026-09-28T10:00:00+08:00",
                     "finished_at": "2026-10-21T09:00:00+08:00",
                     "pauses": [{"from": "2026-10-08", "to": "2026-10-14", "reason": "检测"}], "decision": "准予"},
                ],
            )
        ),
    )  # fmt: skip
    a1, a2 = ServiceCase.objects.order_by("number")
    assert a1.promised_due_on == D(2026, 10, 10)
    assert a2.promised_due_on == D(2026, 10, 16)
    late = _figures("--from", "2026-09-01", "--to", "2026-09-30", "--as-of", "2026-10-22")
    assert late["finished"] == 2 and late["yellow"] == 2 and late["red"] == 0
    assert late["avg_actual_workdays"] == (12 + 13 - 5) / 2
    # At 10-12 the pause had excluded three working days (10-9, 10-10, 10-12): A2 due 10-14, not yet overdue;
    # A1 (due 10-10) was. Both finished later, so both are open at it.
    mid = _figures("--from", "2026-09-01", "--to", "2026-09-30", "--as-of", "2026-10-12")
    assert mid["finished"] == 0 and mid["open"] == 2 and mid["yellow"] == 1
    assert _figures("--from", "2026-09-01", "--to", "2026-09-30", "--as-of", "2026-10-15")["yellow"] == 1
    assert _figures("--from", "2026-09-01", "--to", "2026-09-30", "--as-of", "2026-10-10")["yellow"] == 0
    # Cases accepted after as-of do not exist yet.
    assert _figures("--from", "2026-09-01", "--to", "2026-09-30", "--as-of", "2026-09-27")["accepted"] == 0


def test_figures_follow_a_calendar_change(tmp_path, county):
    from zhengwu.core.models import CalendarDay, CalendarYear
    from zhengwu.core.services.calendar import _touch_revision

    _items(tmp_path, county)
    call_command(
        "services",
        "import-cases",
        str(_cases(tmp_path, [{"id": "B1", "item_code": "SLJ-XK-0001", "accepted_at": "2026-06-01T10:00:00+08:00",
                               "finished_at": "2026-06-08T10:00:00+08:00", "pauses": [], "decision": "准予"}])),
    )  # fmt: skip
    assert (
        _figures("--from", "2026-06-01", "--to", "2026-06-30")["early"] == 0
    )  # due 06-08, finished that day
    # The county declares 06-03 a local holiday: the due date moves to 06-09 and the case was early.
    CalendarDay.objects.filter(date=D(2026, 6, 3)).update(kind="holiday", name="地方假日")
    CalendarYear.objects.filter(year=2026).update(origin="admin")
    _touch_revision()
    figures = _figures("--from", "2026-06-01", "--to", "2026-06-30")
    assert figures["early"] == 1 and figures["avg_actual_workdays"] == 4
    assert ServiceCase.objects.get().promised_due_on == D(2026, 6, 9)


def test_bad_lines_are_all_named_and_nothing_is_imported(tmp_path, county):
    _items(tmp_path, county)
    good = {"id": "C1", "item_code": "SLJ-XK-0001", "accepted_at": "2026-03-02T09:00:00+08:00",
            "finished_at": None, "pauses": [], "decision": None}  # fmt: skip
    path = tmp_path / "bad.jsonl"
    lines = [
        json.dumps(good),
        json.dumps({**good, "id": "C2", "item_code": "NOPE"}),
        "{not json",
        json.dumps({**good, "id": "C1"}),
        json.dumps({**good, "id": "C4", "finished_at": "2026-03-01T09:00:00+08:00"}),
        json.dumps({**good, "id": "C5", "pauses": [{"from": "2026-03-03", "to": "2026-03-09", "reason": "检验"},
                                                   {"from": "2026-03-05", "to": "2026-03-12", "reason": "鉴定"}]}),
        json.dumps({**good, "id": "C6", "accepted_at": "2026-02-30T09:00:00"}),
        json.dumps({**good, "id": "C7", "decision": "同意", "finished_at": "2026-03-04T09:00:00+08:00"}),
        json.dumps({**good, "id": "C8", "pauses": [{"from": "2026-03-03", "to": "2026-03-09", "reason": "出差"}]}),
    ]  # fmt: skip
    path.write_text("\n".join(lines), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"8 处错误.*均未导入"):
        call_command("services", "import-cases", str(path), stderr=err)
    text = err.getvalue()
    for n in range(2, 10):
        assert f"第 {n} 行" in text
    assert "与第 1 行重复" in text and "重叠" in text and "不在事项清单中" in text
    assert not ServiceCase.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-07-01", "--to", "2026-06-01"], "晚于截止日期"),
        (["--from", "2026/06/01", "--to", "2026-06-30"], "应为 YYYY-MM-DD"),
        (["--from", "2026-06-01", "--to", "2026-06-30", "--format", "pdf"], "不支持的格式"),
        (["--from", "2026-06-01", "--to", "2026-06-30", "--format", "xlsx"], "--out"),
        (["--from", "2026-06-01", "--to", "2026-06-30", "--unit", "X"], "找不到统一社会信用代码"),
        (
            [
                "--from",
                "2026-06-01",
                "--to",
                "2026-06-30",
                "--format",
                "json",
                "--out",
                "/nonexistent/f.json",
            ],
            "无法写入",
        ),
    ],
)
def test_bad_command_input_is_refused_in_chinese(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("services", "supervision", *args)


def test_xlsx_and_text_and_an_actor_of_another_unit(tmp_path, county, make_staff):
    from zhengwu.core.services.staff import assign_roles

    _items(tmp_path, county)
    records = [
        {"id": f"D{n}", "item_code": "SLJ-XK-0002" if n % 2 else "SLJ-XK-0001",
         "accepted_at": f"2026-05-{n + 10:02d}T09:00:00+08:00", "finished_at": f"2026-05-{n + 14:02d}T17:00:00+08:00",
         "pauses": [], "decision": "准予"}
        for n in range(1, 7)
    ]  # fmt: skip
    path = _cases(tmp_path, records)
    liaison = make_staff("wjj_cases", organization=county["health"])
    assign_roles(staff=liaison, roles=["liaison"], actor=None)
    with pytest.raises(CommandError, match="没有导入办件的权限"):
        call_command("services", "import-cases", str(path), "--actor", "wjj_cases")
    call_command("services", "import-cases", str(path))
    out = tmp_path / "figures.xlsx"
    call_command(
        "services",
        "supervision",
        "--from",
        "2026-05-01",
        "--to",
        "2026-05-31",
        "--format",
        "xlsx",
        "--out",
        str(out),
    )
    book = load_workbook(out)
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(values_only=True)}
    assert summary["受理件数"] == 6 and summary["办结件数"] == 6
    units = list(book["单位"].iter_rows(values_only=True))
    assert units[0][0] == "统一社会信用代码" and {row[0] for row in units[1:]} == {
        county["water"].credit_code,
        county["health"].credit_code,
    }
    text = io.StringIO()
    call_command("services", "supervision", "--from", "2026-05-01", "--to", "2026-05-31", stdout=text)
    assert "各单位共受理审批事项6件，办结6件" in text.getvalue() and "平均办结时间为" in text.getvalue()
    only = _figures("--from", "2026-05-01", "--to", "2026-05-31", "--unit", county["health"].credit_code)
    assert only["accepted"] == 3 and [u["unit"] for u in only["units"]] == [county["health"].credit_code]
