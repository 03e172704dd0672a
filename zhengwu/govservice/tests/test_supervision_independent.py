"""``zhengwu services import-cases`` and ``zhengwu services supervision`` checked against figures computed here,
independently of the implementation: working days come straight from the ``chinese_calendar`` package, and the due
dates, paused days, cards and averages are worked out by the small functions below from the issue's contract.

The cases cross 春节 2026 (2月16–23日 off, 2月14日 and 2月28日 Saturdays worked), 劳动节, 端午, 中秋 (9月25日) and
国庆 2026 (10月1–7日 off, Sunday 9月20日 and Saturday 10月10日 worked); pauses straddle the holidays; some cases are
finished after ``--as-of`` (so open at it), on the promised due date, a day before it, a day after it, after the
legal due date; two 即办件 (法定 0 and 法定 5) are finished the same day or the next working day; two acceptance
moments and one finish are given in UTC and fall on the next Shanghai date; some cases are accepted outside the
period.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIGURES = (
    "accepted",
    "finished",
    "early",
    "early_rate",
    "avg_actual_workdays",
    "avg_promised_workdays",
    "avg_legal_workdays",
    "yellow",
    "red",
)
AVERAGES = ("avg_actual_workdays", "avg_promised_workdays", "avg_legal_workdays")
RATES = ("early_rate",)
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module", autouse=True)
def _calendar(official_calendar):
    """The case clocks run on the official schedule, as after ``zhengwu setup``."""


# -- the independent arithmetic -------------------------------------------------------------------------------------


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def is_workday(day: dt.date) -> bool:
    return chinese_calendar.is_workday(day)


def moment(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert value.tzinfo is not None, text
    return value


def shanghai_date(value: dt.datetime) -> dt.date:
    return value.astimezone(SHANGHAI).date()


def end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59, 999999), tzinfo=SHANGHAI)


def paused(day: dt.date, pauses) -> bool:
    """A pause from day s to day e excludes the days after s up to and including e."""
    return any(s < day <= e for s, e in pauses)


def counted(day: dt.date, pauses) -> bool:
    return is_workday(day) and not paused(day, pauses)


def due_date(accepted: dt.date, limit: int, pauses=()) -> dt.date:
    """The ``limit``-th counted working day strictly after the acceptance date; 0 days: the acceptance date."""
    day, n = accepted, 0
    while n < limit:
        day += dt.timedelta(days=1)
        if counted(day, pauses):
            n += 1
    return day


def actual_workdays(accepted: dt.date, finished: dt.date, pauses=()) -> int:
    """Counted working days in (accepted, finished]."""
    n, day = 0, accepted
    while day < finished:
        day += dt.timedelta(days=1)
        if counted(day, pauses):
            n += 1
    return n


# -- the items and cases --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    code: str
    unit: str  # key of the county fixture
    name: str
    kind: str  # 即办件 / 承诺件
    legal: int
    promised: int


ITEMS = {
    i.code: i
    for i in (
        Item("WJJ-JB-0000", "health", "医师执业注册信息变更（即办）", "即办件", 0, 0),
        Item("WJJ-XK-2005", "health", "公共场所卫生许可（新设）", "承诺件", 20, 5),
        Item("JTJ-JB-0500", "transport", "道路运输证补办", "即办件", 5, 0),
        Item("JTJ-XK-1003", "transport", "道路货物运输经营许可", "承诺件", 10, 3),
        Item("SLJ-XK-1508", "water", "取水许可", "承诺件", 15, 8),
    )
}
JB0, P20, JB5, P10, P15 = ITEMS


@dataclass(frozen=True)
class Case:
    id: str
    item: str
    accepted: str
    finished: str | None
    pauses: tuple[tuple[str, str], ...] = ()
    decision: str | None = "准予"
    # What the case is meant to show in the main run (2026-02-01 … 2026-10-31, as of 2026-11-06):
    # done (finished, not early, no card), early, yellow, red, open, open-yellow, open-red, out (not in the period)
    intent: str = "done"
    note: str = ""
    reasons: tuple[str, ...] = field(default=())

    def record(self) -> dict:
        return {
            "id": self.id,
            "item_code": self.item,
            "accepted_at": self.accepted,
            "finished_at": self.finished,
            "pauses": [
                {"from": s, "to": e, "reason": (self.reasons[i] if i < len(self.reasons) else "检验")}
                for i, (s, e) in enumerate(self.pauses)
            ],
            "decision": self.decision if self.finished else None,
        }


def T(day: str, time: str = "10:00") -> str:
    return f"{day}T{time}:00+08:00"


CASES = [
    # 国庆 2026 (10月1–7日 off, 10月10日 Saturday worked). P20 accepted 9月30日: 承诺 due 10月13日.
    Case(
        "C01", P20, T("2026-09-30", "09:00"), T("2026-10-13", "16:00"), intent="done", note="on promised due"
    ),
    Case("C02", P20, T("2026-09-30"), T("2026-10-12"), intent="early", note="one working day before"),
    Case("C03", P20, T("2026-09-30"), T("2026-10-14"), intent="yellow", note="one day after promised due"),
    Case("C04", P20, T("2026-09-29"), T("2026-11-03"), intent="red", note="after the legal due: red only"),
    # Pause 9月29日 → 10月9日 across the holiday: 承诺 3 days after 9月28日 fall on 9/29, 10/10, 10/12.
    Case(
        "C05",
        P10,
        T("2026-09-28"),
        T("2026-10-12", "17:00"),
        (("2026-09-29", "2026-10-09"),),
        intent="done",
        note="pause straddles 国庆; on the moved due",
    ),
    Case(
        "C06",
        P10,
        T("2026-09-28"),
        T("2026-10-13"),
        (("2026-09-29", "2026-10-09"),),
        intent="yellow",
        note="pause straddles 国庆; a day after the moved due",
    ),
    # 中秋 9月25日 off and Sunday 9月20日 worked: P15 accepted Friday 9月18日, 承诺 8 due 9月30日.
    Case("C07", P15, T("2026-09-18"), T("2026-09-29"), intent="early", note="across 9/20 makeup and 9/25"),
    Case("C08", P15, T("2026-09-18"), T("2026-09-30"), intent="done", note="on due across 9/20 and 9/25"),
    Case(
        "C09", P15, T("2026-10-09"), T("2026-10-10"), intent="early", note="finished on Saturday makeup day"
    ),
    # 即办件.
    Case("C10", JB0, T("2026-10-08", "10:00"), T("2026-10-08", "15:00"), intent="done", note="即办 same day"),
    Case("C11", JB0, T("2026-10-09"), T("2026-10-10"), intent="red", note="即办 法定0, next working day"),
    Case("C12", JB5, T("2026-10-09"), T("2026-10-12"), intent="yellow", note="即办 法定5, next-but-one"),
    Case("C13", JB5, T("2026-10-12", "09:00"), T("2026-10-12", "11:00"), intent="done", note="即办 same day"),
    # Open at as-of (2026-11-06).
    Case("C14", P20, T("2026-10-20"), T("2026-11-20"), intent="open-yellow", note="finished after as-of"),
    Case("C15", P10, T("2026-10-15"), None, intent="open-red", note="open past legal due"),
    Case("C16", P10, T("2026-10-28"), None, intent="open-yellow", note="open past promised due"),
    Case("C17", P20, T("2026-10-30"), None, intent="open", note="open, promised due is the as-of date"),
    # Shanghai dates: accepted 2026-09-01 00:30 Shanghai (UTC 8月31日); promised due 9月8日.
    Case(
        "C18", P20, "2026-08-31T16:30:00Z", T("2026-09-08"), intent="done", note="UTC acceptance, next date"
    ),
    # Finished 10月10日 00:30 Shanghai (UTC 10月9日), after the due 10月9日.
    Case("C19", P15, T("2026-09-21"), "2026-10-09T16:30:00Z", intent="yellow", note="UTC finish, next date"),
    # Accepted 10月1日 00:30 Shanghai (UTC 9月30日), a holiday: 承诺 due 10月10日.
    Case(
        "C20", P10, "2026-09-30T16:30:00Z", T("2026-10-12"), intent="yellow", note="UTC acceptance on holiday"
    ),
    Case(
        "C21", P20, T("2026-10-26"), T("2026-11-06", "15:00"), intent="yellow", note="finished on as-of date"
    ),
    Case(
        "C22", P10, T("2026-10-23"), T("2026-11-07", "09:00"), intent="open-yellow", note="finished day after"
    ),
    # 春节 2026.
    Case(
        "C23",
        P20,
        T("2026-02-12"),
        T("2026-03-02"),
        (("2026-02-13", "2026-02-25"),),
        intent="done",
        note="pause straddles 春节; on the moved due",
        reasons=("检测",),
    ),
    Case("C24", P20, T("2026-02-12"), T("2026-02-26"), intent="done", note="on due across 春节"),
    Case("C25", P10, T("2026-02-13"), T("2026-02-27"), intent="yellow", note="across 春节, after promised"),
    Case("C26", P10, T("2026-02-13"), T("2026-03-20"), intent="red", note="across 春节, after legal"),
    Case(
        "C27",
        JB0,
        T("2026-02-14", "09:30"),
        T("2026-02-14", "11:00"),
        intent="done",
        note="即办 on makeup Sat",
    ),
    Case(
        "C28",
        P15,
        T("2026-02-10"),
        T("2026-03-04"),
        (("2026-02-11", "2026-02-12"), ("2026-02-24", "2026-02-26")),
        intent="yellow",
        note="two pauses around 春节",
        reasons=("检验", "专家评审"),
    ),
    # Other holidays.
    Case("C32", P15, T("2026-05-06"), T("2026-05-15"), intent="done", note="on due after 劳动节, 5/9 makeup"),
    Case("C33", P20, T("2026-04-30"), T("2026-05-08"), intent="early", note="across 劳动节"),
    Case(
        "C34",
        P10,
        T("2026-06-17"),
        T("2026-06-18"),
        decision="不予",
        intent="early",
        note="不予 still finished",
    ),
    Case("C35", JB0, T("2026-06-18"), T("2026-06-22"), intent="red", note="即办 across 端午 6/19"),
    Case(
        "C36",
        P15,
        T("2026-03-02"),
        T("2026-03-19"),
        (("2026-03-03", "2026-03-10"),),
        intent="done",
        note="pause, finished on the moved due",
        reasons=("专家评审",),
    ),
    Case(
        "C37",
        P20,
        T("2026-10-19"),
        None,
        (("2026-10-20", "2026-11-02"),),
        intent="open",
        note="open; the pause moves the promised due onto the as-of date",
    ),
    # Outside the period 2026-02-01 … 2026-10-31.
    Case("C29", P20, T("2026-01-30"), T("2026-02-05"), intent="out", note="accepted before the period"),
    Case("C30", P10, T("2026-11-02"), T("2026-11-04"), intent="out", note="accepted after the period"),
    Case("C31", JB5, "2026-10-31T17:00:00Z", T("2026-11-02"), intent="out", note="UTC 10/31 = Shanghai 11/1"),
]

MAIN = ("2026-02-01", "2026-10-31", "2026-11-06")
RUNS = [
    MAIN,
    ("2026-09-01", "2026-09-30", "2026-10-09"),  # September only, judged on 10月9日: most are still open
    ("2026-10-01", "2026-10-15", "2026-10-16"),  # early October, judged on 10月16日
    ("2026-02-01", "2026-02-27", "2026-02-27"),  # 春节, judged on 2月27日, before several finishes
]


# -- expected figures -----------------------------------------------------------------------------------------------


@dataclass
class Judged:
    case: Case
    finished: dt.date | None
    early: bool
    actual: int | None
    card: str | None  # None, "yellow", "red"


def judge(case: Case, as_of: dt.date) -> Judged:
    item = ITEMS[case.item]
    accepted = shanghai_date(moment(case.accepted))
    pauses = tuple((d(s), d(e)) for s, e in case.pauses)
    promised_due = due_date(accepted, item.promised, pauses)
    legal_due = due_date(accepted, item.legal, pauses)
    cutoff = end_of_day(as_of)
    finish = moment(case.finished) if case.finished else None
    if finish is not None and finish > cutoff:
        finish = None  # an event after as-of is ignored: open at as-of
    at = finish or cutoff
    if at > end_of_day(legal_due):
        card = "red"
    elif at > end_of_day(promised_due):
        card = "yellow"
    else:
        card = None
    if finish is None:
        return Judged(case, None, False, None, card)
    finished = shanghai_date(finish)
    return Judged(case, finished, finished < promised_due, actual_workdays(accepted, finished, pauses), card)


def figures(judged: list[Judged]) -> dict:
    done = [j for j in judged if j.finished is not None]
    n = len(done)
    result = {
        "accepted": len(judged),
        "finished": n,
        "early": sum(j.early for j in done),
        "yellow": sum(j.card == "yellow" for j in judged),
        "red": sum(j.card == "red" for j in judged),
    }
    if n:
        result["early_rate"] = result["early"] / n
        result["avg_actual_workdays"] = sum(j.actual for j in done) / n
        result["avg_promised_workdays"] = sum(ITEMS[j.case.item].promised for j in done) / n
        result["avg_legal_workdays"] = sum(ITEMS[j.case.item].legal for j in done) / n
    return result


def expected(cases, run, credit_codes):
    start, end, as_of = (d(x) for x in run)
    selected = [c for c in cases if start <= shanghai_date(moment(c.accepted)) <= end]
    judged = [judge(c, as_of) for c in selected]
    by_unit, by_item = defaultdict(list), defaultdict(list)
    for j in judged:
        by_unit[credit_codes[ITEMS[j.case.item].unit]].append(j)
        by_item[j.case.item].append(j)
    return (
        figures(judged),
        {unit: figures(js) for unit, js in by_unit.items()},
        {code: figures(js) for code, js in by_item.items()},
    )


def mismatches(scope: str, want: dict, got: dict | None) -> list[str]:
    if got is None:
        return [f"{scope}: missing from the output"]
    problems = []
    for key in FIGURES:
        if key in AVERAGES + RATES and not want.get("finished"):
            continue  # finished 0: null or 0, not asserted
        if key not in got:
            problems.append(f"{scope}.{key}: missing (expected {want.get(key)!r})")
            continue
        value = got[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(f"{scope}.{key}: {value!r} is not a number (expected {want[key]!r})")
            continue
        exact = want[key]
        if key in AVERAGES:
            ok = abs(value - exact) <= 0.005 + 1e-9 and abs(value - round(value, 2)) < 1e-9
        elif key in RATES:
            ok = abs(value - exact) <= 0.00005 + 1e-12 and abs(value - round(value, 4)) < 1e-12
        else:
            ok = value == exact
        if not ok:
            problems.append(f"{scope}.{key}: expected {exact!r}, got {value!r}")
    return problems


# -- helpers that run the commands ----------------------------------------------------------------------------------

HEADER = [
    "事项编码",
    "事项名称",
    "事项类型",
    "实施机关",
    "法定办结时限",
    "承诺办结时限",
    "办件类型",
    "到现场次数",
    "是否收费",
    "受理条件",
    "申请材料",
    "办理地点",
    "咨询电话",
]


def import_items(tmp_path, county):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for item in ITEMS.values():
        ws.append(
            [
                item.code,
                item.name,
                "行政许可",
                county[item.unit].credit_code,
                item.legal,
                item.promised,
                item.kind,
                0 if item.kind == "即办件" else 1,
                "否",
                "申请人符合法定条件。",
                "申请书\n身份证明",
                "松阳县行政服务中心",
                "0578-8061234",
            ]
        )
    path = tmp_path / "items.xlsx"
    wb.save(path)
    call_command("services", "import-items", str(path), stdout=io.StringIO(), stderr=io.StringIO())


def write_jsonl(tmp_path, lines, name="cases.jsonl"):
    path = tmp_path / name
    path.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines) + "\n",
        encoding="utf-8",
    )
    return path


def import_cases(tmp_path, cases, name="cases.jsonl"):
    path = write_jsonl(tmp_path, [c.record() for c in cases], name)
    call_command("services", "import-cases", str(path), stdout=io.StringIO(), stderr=io.StringIO())


def supervision_json(run, capsys=None) -> dict:
    start, end, as_of = run
    out = io.StringIO()
    call_command(
        "services",
        "supervision",
        "--from",
        start,
        "--to",
        end,
        "--as-of",
        as_of,
        "--format",
        "json",
        stdout=out,
        stderr=io.StringIO(),
    )
    text = out.getvalue()
    if not text.strip() and capsys is not None:
        text = capsys.readouterr().out
    return json.loads(text)


def credit_codes(county) -> dict[str, str]:
    return {key: county[key].credit_code for key in ("health", "transport", "water")}


@pytest.fixture
def loaded(tmp_path, county):
    import_items(tmp_path, county)
    import_cases(tmp_path, CASES)
    return credit_codes(county)


# -- the test's own arithmetic, checked by hand ---------------------------------------------------------------------


def test_own_calendar_arithmetic_matches_hand_counts():
    # The 2026 调休 makeup days around 国庆 and 春节, straight from the package.
    assert is_workday(d("2026-09-20")) and is_workday(d("2026-10-10"))
    assert is_workday(d("2026-02-14")) and is_workday(d("2026-02-28"))
    assert not is_workday(d("2026-09-25")) and not is_workday(d("2026-10-07"))
    assert not any(is_workday(d(f"2026-02-{n}")) for n in range(15, 24))
    # 9/30 + 5: 10/8, 10/9, 10/10 (Sat), 10/12, 10/13.
    assert due_date(d("2026-09-30"), 5) == d("2026-10-13")
    # 9/18 + 8: 9/20 (Sun), 21, 22, 23, 24, (25 off), 28, 29, 30.
    assert due_date(d("2026-09-18"), 8) == d("2026-09-30")
    # 9/28 + 3 with a pause 9/29 → 10/9: 9/29 still counts, then 10/10 and 10/12.
    assert due_date(d("2026-09-28"), 3, ((d("2026-09-29"), d("2026-10-09")),)) == d("2026-10-12")
    assert due_date(d("2026-09-28"), 3) == d("2026-10-08")
    # 2/12 + 5: 2/13, 2/14 (Sat), 2/24, 2/25, 2/26; with a pause 2/13 → 2/25: 2/13, 2/26, 2/27, 2/28 (Sat), 3/2.
    assert due_date(d("2026-02-12"), 5) == d("2026-02-26")
    assert due_date(d("2026-02-12"), 5, ((d("2026-02-13"), d("2026-02-25")),)) == d("2026-03-02")
    assert actual_workdays(d("2026-02-12"), d("2026-03-02"), ((d("2026-02-13"), d("2026-02-25")),)) == 5
    # 即办件: 0 days is the acceptance date itself.
    assert due_date(d("2026-10-09"), 0) == d("2026-10-09")
    assert actual_workdays(d("2026-10-09"), d("2026-10-10")) == 1
    assert actual_workdays(d("2026-10-08"), d("2026-10-08")) == 0
    # A finish on a non-working day: the finish day is not counted.
    assert actual_workdays(d("2026-09-30"), d("2026-10-04")) == 0


def test_cases_show_what_they_are_meant_to_show():
    """The design of the data, checked with the test's own functions (a mistake here is the test's, not the
    implementation's)."""
    start, end, as_of = (d(x) for x in MAIN)
    for case in CASES:
        inside = start <= shanghai_date(moment(case.accepted)) <= end
        if case.intent == "out":
            assert not inside, case
            continue
        assert inside, case
        j = judge(case, as_of)
        if case.intent.startswith("open"):
            got = "open" + (f"-{j.card}" if j.card else "")
        elif j.card:
            got = j.card
        else:
            got = "early" if j.early else "done"
        assert got == case.intent, (case.id, case.note, got)
    # No pause straddles an as-of date of the runs, and no case of a run is accepted after its as-of date (what
    # happens then is not part of the contract).
    for start, end, as_of in RUNS:
        for case in CASES:
            for s, e in case.pauses:
                assert not (d(s) <= d(as_of) < d(e)), (case.id, as_of)
            accepted = shanghai_date(moment(case.accepted))
            if d(start) <= accepted <= d(end):
                assert accepted <= d(as_of), (case.id, as_of)
    # The UTC moments really fall on the next Shanghai date.
    assert moment("2026-08-31T16:30:00Z").date() == d("2026-08-31")
    assert shanghai_date(moment("2026-08-31T16:30:00Z")) == d("2026-09-01")
    # The runs between them see every kind of case.
    assert len(CASES) >= 35


# -- the command against the independent figures --------------------------------------------------------------------


@pytest.mark.parametrize("run", RUNS, ids=["-".join(r) for r in RUNS])
def test_totals_match_independent_figures(loaded, run, capsys):
    report = supervision_json(run, capsys)
    want, _, _ = expected(CASES, run, loaded)
    problems = mismatches("total", want, report)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("run", RUNS, ids=["-".join(r) for r in RUNS])
def test_units_match_independent_figures(loaded, run, capsys):
    report = supervision_json(run, capsys)
    _, want_units, _ = expected(CASES, run, loaded)
    got = {row["unit"]: row for row in report["units"]}
    problems = []
    for unit, want in want_units.items():
        problems += mismatches(f"unit {unit}", want, got.get(unit))
    for unit, row in got.items():
        if unit not in want_units:  # a unit without cases in the period may be listed, with nothing in it
            if row.get("accepted", 0) != 0:
                problems.append(f"unit {unit}: expected no cases, got {row.get('accepted')!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("run", RUNS, ids=["-".join(r) for r in RUNS])
def test_items_match_independent_figures(loaded, run, capsys):
    report = supervision_json(run, capsys)
    _, _, want_items = expected(CASES, run, loaded)
    got = {row["code"]: row for row in report["items"]}
    problems = []
    for code, want in want_items.items():
        problems += mismatches(f"item {code}", want, got.get(code))
    for code, row in got.items():
        if code not in want_items:
            if row.get("accepted", 0) != 0:
                problems.append(f"item {code}: expected no cases, got {row.get('accepted')!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.id}-{c.intent}" for c in CASES])
def test_each_case_alone(tmp_path, county, case, capsys):
    """One case at a time in the main run, so that a disagreement names the case."""
    import_items(tmp_path, county)
    import_cases(tmp_path, [case])
    report = supervision_json(MAIN, capsys)
    want, _, _ = expected([case], MAIN, credit_codes(county))
    problems = mismatches(f"{case.id} ({case.note})", want, report)
    assert not problems, "\n".join(problems)


def test_summary_is_one_paragraph_from_the_same_figures(loaded, capsys):
    report = supervision_json(MAIN, capsys)
    summary = report["summary"]
    assert isinstance(summary, str) and CJK.search(summary)
    assert "提前办结率" in summary and "平均办结时间" in summary
    assert "\n\n" not in summary.strip()
    want, _, _ = expected(CASES, MAIN, loaded)
    assert re.search(rf"(?<!\d){want['accepted']}(?!\d)", summary), summary


def test_json_out_file(loaded, tmp_path):
    path = tmp_path / "report.json"
    start, end, as_of = MAIN
    call_command(
        "services",
        "supervision",
        "--from",
        start,
        "--to",
        end,
        "--as-of",
        as_of,
        "--format",
        "json",
        "--out",
        str(path),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    report = json.loads(path.read_text(encoding="utf-8"))
    want, _, _ = expected(CASES, MAIN, loaded)
    assert report["accepted"] == want["accepted"] and report["red"] == want["red"]


def test_xlsx_holds_the_figures(loaded, tmp_path):
    path = tmp_path / "report.xlsx"
    start, end, as_of = MAIN
    call_command(
        "services",
        "supervision",
        "--from",
        start,
        "--to",
        end,
        "--as-of",
        as_of,
        "--format",
        "xlsx",
        "--out",
        str(path),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    want, want_units, want_items = expected(CASES, MAIN, loaded)
    wb = load_workbook(path, read_only=True, data_only=True)
    cells = []
    for sheet in wb.worksheets:
        for row in sheet.iter_rows(values_only=True):
            cells.extend(v for v in row if v is not None)
    wb.close()
    texts = {str(v).strip() for v in cells}
    numbers = {v for v in cells if isinstance(v, (int, float)) and not isinstance(v, bool)}
    accepted = want["accepted"]
    assert accepted in numbers or str(accepted) in texts, f"accepted {accepted} not found in the workbook"
    for unit in want_units:
        assert unit in texts, f"unit {unit} not in the workbook"
    for code in want_items:
        assert code in texts, f"item {code} not in the workbook"


# -- import-cases: all or nothing -----------------------------------------------------------------------------------

VALID = Case("V01", P20, T("2026-09-30"), T("2026-10-13")).record()


def _bad(**over):
    record = dict(VALID, id=over.pop("id", "B01"))
    record.update(over)
    return record


BAD_LINES = {
    "unknown-item": _bad(item_code="NO-SUCH-ITEM"),
    "finished-before-accepted": _bad(finished_at=T("2026-09-29")),
    "overlapping-pauses": _bad(
        pauses=[
            {"from": "2026-10-08", "to": "2026-10-10", "reason": "检验"},
            {"from": "2026-10-09", "to": "2026-10-12", "reason": "检测"},
        ]
    ),
    "bad-date": _bad(accepted_at="2026-02-30T10:00:00+08:00"),
    "bad-pause-date": _bad(pauses=[{"from": "2026-10-8x", "to": "2026-10-09", "reason": "检验"}]),
    "malformed-json": '{"id": "B01", "item_code": "WJJ-XK-2005", "accepted_at": ',
}


def _assert_nothing_imported(capsys):
    report = supervision_json(("2026-09-01", "2026-10-31", "2026-11-06"), capsys)
    assert report["accepted"] == 0, "a failed import left cases behind"


def _run_import(path):
    err = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("services", "import-cases", str(path), stdout=io.StringIO(), stderr=err)
    return str(excinfo.value), err.getvalue()


@pytest.mark.parametrize("kind", list(BAD_LINES))
def test_one_bad_line_fails_the_whole_file(tmp_path, county, kind, capsys):
    import_items(tmp_path, county)
    path = write_jsonl(tmp_path, [VALID, BAD_LINES[kind]])
    message, stderr = _run_import(path)
    assert CJK.search(message), message
    assert "第 2 行" in message + stderr or "第2行" in message + stderr, (message, stderr)
    _assert_nothing_imported(capsys)


def test_every_bad_line_is_numbered(tmp_path, county, capsys):
    import_items(tmp_path, county)
    lines = [VALID] + [
        dict(v, id=f"B{n:02d}") if isinstance(v, dict) else v for n, v in enumerate(BAD_LINES.values())
    ]
    path = write_jsonl(tmp_path, lines)
    message, stderr = _run_import(path)
    text = message + "\n" + stderr
    assert CJK.search(message), message
    for number in range(2, len(lines) + 1):
        assert re.search(rf"第\s*{number}\s*行", text), (number, text)
    assert not re.search(r"第\s*1\s*行", text), text
    _assert_nothing_imported(capsys)


# -- bad command lines ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--from", "2026-10-31", "--to", "2026-02-01", "--as-of", "2026-11-06"],
        ["--from", "2026-13-01", "--to", "2026-10-31", "--as-of", "2026-11-06"],
        ["--from", "yesterday", "--to", "2026-10-31"],
        ["--from", "2026-02-01", "--to", "2026/10/31x"],
        ["--from", "2026-02-01", "--to", "2026-10-31", "--as-of", "2026-11-31"],
    ],
    ids=["from-after-to", "month-13", "not-a-date", "to-not-a-date", "as-of-not-a-date"],
)
def test_bad_command_line_fails_in_chinese(county, args):
    with pytest.raises(CommandError) as excinfo:
        call_command(
            "services", "supervision", *args, "--format", "json", stdout=io.StringIO(), stderr=io.StringIO()
        )
    assert CJK.search(str(excinfo.value)), str(excinfo.value)
