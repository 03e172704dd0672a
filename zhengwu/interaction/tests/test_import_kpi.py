"""``zhengwu hotline import`` and ``zhengwu hotline kpi``: the figures equal those computed here, independently,
from the imported lines and the official holiday schedule (chinese-calendar), by the issue's definitions. And an
import with bad lines imports nothing and names every bad line."""

from __future__ import annotations

import datetime as dt
import io
import json
import random
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhengwu.interaction.models import Category, WorkOrder

BJ = ZoneInfo("Asia/Shanghai")
KINDS = ["咨询", "求助", "投诉", "举报", "建议", "表扬"]
SHORT = {"咨询", "求助", "表扬"}
CATEGORIES = [
    "城乡建设/市容环境/占道经营",
    "公用事业/供水/停水",
    "社会保障/劳动就业/拖欠工资",
    "旧系统分类/路灯/夜间不亮",
]


# -- the independent computation ---------------------------------------------------------------------------------


def workdays_after(moment: dt.datetime, n: int) -> dt.datetime:
    day = moment.astimezone(BJ).date()
    counted = 0
    while counted < n:
        day += dt.timedelta(days=1)
        if chinese_calendar.is_workday(day):
            counted += 1
    return dt.datetime.combine(day, dt.time(23, 59, 59, 999999), tzinfo=BJ)


def sign_due(line: dict, dispatched: dt.datetime) -> dt.datetime:
    return dispatched + dt.timedelta(hours=2) if line["urgency"] == "紧急" else workdays_after(dispatched, 1)


def handle_due(line: dict, dispatched: dt.datetime) -> dt.datetime:
    days = 1 if line["urgency"] == "紧急" else (3 if line["kind"] in SHORT else 13)
    days += sum(e["working_days"] for e in line.get("extensions", []))
    return workdays_after(dispatched, days)


def parse(value):
    return dt.datetime.fromisoformat(value) if value else None


def expected(lines: list[dict], start: dt.date, end: dt.date, units: dict[str, str]) -> dict:
    def in_period(line):
        return start <= parse(line["received_at"]).astimezone(BJ).date() <= end

    def lead_of(line):
        leads = [a for a in line.get("assignments", []) if a["role"] == "主办" and not a.get("returned_at")]
        return leads[0] if leads else None

    def figures(rows):
        orders = [r for r in rows if r["outcome"] == "派单"]
        direct = [r for r in rows if r["outcome"] == "直接答复"]
        leads = [(r, lead_of(r)) for r in orders if lead_of(r)]
        signed = [
            1
            for r, a in leads
            if a.get("signed_at") and parse(a["signed_at"]) <= sign_due(r, parse(a["dispatched_at"]))
        ]
        finished = [r for r in orders if r.get("finished_at")]
        on_time = [
            r
            for r in finished
            if parse(r["finished_at"]) <= handle_due(r, parse(lead_of(r)["dispatched_at"]))
        ]
        visited_finished = [r for r in finished if r.get("visits")]
        visited = [r for r in orders if r.get("visits")]
        satisfied = [
            r
            for r in visited
            if max(r["visits"], key=lambda v: parse(v["at"]))["rating"] in ("满意", "基本满意")
        ]

        def rate(a, b):
            return round(a / b, 4) if b else None

        days = (end - start).days + 1
        return {
            "contacts": len(rows),
            "daily_mean": round(len(rows) / days, 2),
            "orders": len(orders),
            "finished": len(finished),
            "direct_answer_rate": rate(len(direct), len(direct) + len(orders)),
            "signed_on_time_rate": rate(len(signed), len(leads)),
            "finish_rate": rate(len(finished), len(orders)),
            "on_time_rate": rate(len(on_time), len(finished)),
            "visit_rate": rate(len(visited_finished), len(finished)),
            "satisfaction_rate": rate(len(satisfied), len(visited)),
        }

    rows = [line for line in lines if in_period(line)]
    result = {"from": start.isoformat(), "to": end.isoformat(), **figures(rows)}
    by_unit: dict[str, list] = {}
    for line in rows:
        lead = lead_of(line) if line["outcome"] == "派单" else None
        if lead:
            by_unit.setdefault(lead["unit"], []).append(line)
    result["units"] = {code: figures(group) for code, group in by_unit.items()}
    return result


# -- generated legacy data ---------------------------------------------------------------------------------------


def iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def make_lines(units: list[str], n: int = 420, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    lines = []
    base = dt.datetime(2025, 9, 20, 0, 0, tzinfo=BJ)
    for i in range(n):
        # Around 国庆/中秋 2025 (holidays and 调休 Saturdays), received at any hour, some in UTC notation.
        received = base + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 40))
        urgency = "紧急" if rng.random() < 0.15 else "一般"
        kind = rng.choice(KINDS)
        outcome = rng.choices(["直接答复", "派单", "无效"], [0.25, 0.7, 0.05])[0]
        line = {
            "id": f"OLD-{i:05d}",
            "received_at": iso(received if i % 3 else received.astimezone(dt.UTC)),
            "channel": rng.choice(["电话", "网站", "微信", "短信"]),
            "kind": kind,
            "urgency": urgency,
            "category": rng.choice(CATEGORIES),
            "caller_name": "市民",
            "caller_phone": f"139{rng.randrange(10**7, 10**8)}",
            "content": "反映的问题描述，第" + str(i) + "件。",
            "outcome": outcome,
        }
        if outcome == "派单":
            assignments = []
            moment = received + dt.timedelta(minutes=rng.randrange(1, 90))
            if rng.random() < 0.15:  # returned once, then re-dispatched
                assignments.append(
                    {
                        "unit": rng.choice(units),
                        "role": "主办",
                        "dispatched_at": iso(moment),
                        "signed_at": None,
                        "returned_at": iso(moment + dt.timedelta(hours=3)),
                        "return_reason": "不属于本单位职责",
                    }
                )
                moment += dt.timedelta(hours=rng.randrange(4, 30))
            lead_unit = rng.choice(units)
            sign_gap = rng.choice(
                [
                    dt.timedelta(minutes=30),
                    dt.timedelta(hours=1, minutes=59),
                    dt.timedelta(hours=5),
                    dt.timedelta(days=1),
                    dt.timedelta(days=4),
                    None,
                ]
            )
            lead = {
                "unit": lead_unit,
                "role": "主办",
                "dispatched_at": iso(moment),
                "signed_at": iso(moment + sign_gap) if sign_gap else None,
                "returned_at": None,
            }
            if rng.random() < 0.05 and sign_gap:  # signed exactly at the due moment: on time
                lead["signed_at"] = iso(sign_due(line, moment))
            assignments.append(lead)
            if rng.random() < 0.2:
                assignments.append(
                    {
                        "unit": rng.choice([u for u in units if u != lead_unit]),
                        "role": "协办",
                        "dispatched_at": iso(moment),
                        "signed_at": iso(moment + dt.timedelta(hours=2)),
                    }
                )
            line["assignments"] = assignments
            if rng.random() < 0.15:
                line["extensions"] = [
                    {
                        "working_days": rng.choice([2, 5, 10]),
                        "approved_at": iso(moment + dt.timedelta(days=2)),
                    }
                ]
            if rng.random() < 0.85 and sign_gap:
                due = handle_due(line, moment)
                finished = moment + dt.timedelta(hours=rng.randrange(2, 24 * 30))
                if rng.random() < 0.05:
                    finished = due  # finished exactly at the due moment: on time
                line["replied_at"] = iso(finished - dt.timedelta(hours=1))
                line["finished_at"] = iso(finished)
                if rng.random() < 0.8:
                    line["visits"] = [
                        {
                            "at": iso(finished + dt.timedelta(hours=h)),
                            "rating": rng.choice(["满意", "满意", "基本满意", "不满意"]),
                        }
                        for h in range(1, rng.choice([2, 2, 3]) + 1)
                    ]
            elif rng.random() < 0.3 and sign_gap:
                line["replied_at"] = iso(moment + dt.timedelta(days=2))
                line["visits"] = [{"at": iso(moment + dt.timedelta(days=3)), "rating": "不满意"}]
        lines.append(line)
    return lines


@pytest.fixture
def units(county):
    return [county[key].credit_code for key in ("cgj", "scj", "squad")]


def write(tmp_path, lines, name="legacy.jsonl"):
    path = tmp_path / name
    path.write_text(
        "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n", encoding="utf-8"
    )
    return path


def run_kpi(*args) -> dict:
    out = io.StringIO()
    call_command("hotline", "kpi", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_kpi_equals_the_independent_computation_from_the_imported_lines(tmp_path, units, county):
    lines = make_lines(units)
    out = io.StringIO()
    call_command("hotline", "import", str(write(tmp_path, lines)), stdout=out)
    assert "已导入 420 件工单" in out.getvalue()
    assert Category.objects.get(path="旧系统分类/路灯/夜间不亮").imported
    assert Category.objects.get(path="旧系统分类").imported
    names = {o.credit_code: o for o in (county["cgj"], county["scj"], county["squad"])}
    for start, end in (
        (dt.date(2025, 9, 1), dt.date(2025, 12, 31)),
        (dt.date(2025, 10, 1), dt.date(2025, 10, 8)),
        (dt.date(2025, 9, 28), dt.date(2025, 9, 28)),
    ):
        want = expected(lines, start, end, names)
        got = run_kpi("--from", start.isoformat(), "--to", end.isoformat())
        want_units = want.pop("units")
        got_units = {row.pop("unit"): row for row in got.pop("units")}
        assert got == want
        assert set(got_units) == set(want_units)
        for code, row in got_units.items():
            row.pop("name")
            assert row == want_units[code], code
    # One unit only.
    code = units[0]
    one = run_kpi("--from", "2025-09-01", "--to", "2025-12-31", "--unit", code)
    full = expected(lines, dt.date(2025, 9, 1), dt.date(2025, 12, 31), names)["units"][code]
    assert {k: one[k] for k in full} == full and [row["unit"] for row in one["units"]] == [code]


@pytest.mark.django_db
def test_kpi_xlsx_and_bad_input(tmp_path, units):
    from openpyxl import load_workbook

    call_command("hotline", "import", str(write(tmp_path, make_lines(units, n=60))), stdout=io.StringIO())
    target = tmp_path / "kpi.xlsx"
    call_command(
        "hotline",
        "kpi",
        "--from",
        "2025-09-01",
        "--to",
        "2025-12-31",
        "--format",
        "xlsx",
        "--out",
        str(target),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    sheet = load_workbook(target).active
    assert sheet["A3"].value == "全部" and sheet["C3"].value == 60
    for args, message in (
        (["--from", "2025-13-01", "--to", "2025-12-31"], "不是有效的日期"),
        (["--from", "2025-12-31", "--to", "2025-01-01"], "不能早于"),
        (["--from", "2025-01-01", "--to", "2025-12-31", "--unit", "NOPE"], "找不到"),
        (["--from", "2025-01-01", "--to", "2025-12-31", "--format", "xlsx"], "--out"),
    ):
        with pytest.raises(CommandError, match=message):
            call_command("hotline", "kpi", *args, stdout=io.StringIO())


@pytest.mark.django_db
def test_an_import_with_bad_lines_imports_nothing_and_names_every_bad_line(tmp_path, units):
    lines = make_lines(units, n=12)
    bad = [json.dumps(line, ensure_ascii=False) for line in lines]
    bad[2] = bad[2].replace('"received_at": "', '"received_at": "not-a-date')
    broken = dict(
        lines[5],
        outcome="派单",
        assignments=[
            {"unit": "91110000000000000X", "role": "主办", "dispatched_at": lines[5]["received_at"]}
        ],
    )
    bad[5] = json.dumps(broken, ensure_ascii=False)
    bad[8] = "{not json"
    naive = dict(lines[9], received_at="2025-10-01T10:00:00")
    bad[9] = json.dumps(naive, ensure_ascii=False)
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(bad), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="4 处错误"):
        call_command("hotline", "import", str(path), stdout=io.StringIO(), stderr=err)
    text = err.getvalue()
    for number in (3, 6, 9, 10):
        assert f"第{number}行" in text
    assert "缺少时区" in text and "不存在" in text
    assert WorkOrder.objects.count() == 0
    # Importing the same good file twice: the second run is refused by id.
    good = write(tmp_path, lines)
    call_command("hotline", "import", str(good), stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("hotline", "import", str(good), stdout=io.StringIO(), stderr=io.StringIO())
    assert WorkOrder.objects.count() == 12


@pytest.mark.django_db
def test_open311_key_is_printed_alone():
    from zhengwu.interaction.services.open311 import key_for

    out = io.StringIO()
    call_command("hotline", "open311-key", "--name", "市民随手拍", stdout=out)
    secret = out.getvalue().strip()
    assert "\n" not in secret and key_for(secret).name == "市民随手拍"
