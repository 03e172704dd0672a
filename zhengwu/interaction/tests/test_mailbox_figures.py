"""Mailboxes from the command line, letters imported from an old system (all or nothing), and the figures of item 5
checked against counts computed here from the imported lines, and against the seed report's own figures."""

from __future__ import annotations

import datetime as dt
import json
import random
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from zhengwu.core.validators import make_credit_code

BJ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def mailbox_rules(db):
    from zhengwu.interaction.services.mailbox import load_mailbox_rules

    load_mailbox_rules()


@pytest.fixture
def town(make_org):
    from zhengwu.core.models import OrganizationKind

    root = make_org(
        "平武县人民政府",
        kind=OrganizationKind.GOVERNMENT,
        code="PWX",
        credit_code=make_credit_code("11510727000000001"),
    )
    office = make_org(
        "平武县人民政府办公室", parent=root, code="PWBGS", credit_code=make_credit_code("11510727000000002")
    )
    water = make_org(
        "平武县水利局", parent=root, code="PWSLJ", credit_code=make_credit_code("11510727000000003")
    )
    roads = make_org(
        "平武县交通运输局", parent=root, code="PWJTJ", credit_code=make_credit_code("11510727000000004")
    )
    return {"root": root, "office": office, "water": water, "roads": roads}


def _run(*args) -> str:
    out = StringIO()
    call_command("mailbox", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_create_mailbox_from_the_command_line_with_default_limits(town):
    from zhengwu.interaction.models import Mailbox

    text = _run("create", "--code", "xianzhang", "--name", "县长信箱", "--org", town["office"].credit_code)
    assert "县长信箱" in text
    box = Mailbox.objects.get(code="xianzhang")
    assert box.organization == town["office"]
    assert box.deadline_for("咨询") == 5 and box.deadline_for("求助") == 5
    assert box.deadline_for("投诉") == 15 and box.deadline_for("建议") == 15
    assert sorted(box.kinds) == sorted(["咨询", "投诉", "建议", "求助"])
    with pytest.raises(CommandError, match="已被使用"):
        _run("create", "--code", "xianzhang", "--name", "另一个", "--org", town["office"].credit_code)
    with pytest.raises(CommandError, match="找不到"):
        _run("create", "--code", "shuji", "--name", "书记信箱", "--org", "91510727MA0000000X")


def test_refusal_reasons_are_data_with_the_stated_texts():
    from zhengwu.interaction.models import RefusalReason

    texts = {r.code: r.text for r in RefusalReason.objects.all()}
    assert "110" in texts["emergency"] and "119" in texts["emergency"] and "120" in texts["emergency"]
    assert "复议" in texts["legal-channel"]
    assert {"no-contact", "duplicate", "other-organ", "advertising"} <= set(texts)


def _line(n, box, received, **fields):
    row = {
        "id": f"OLD-{n}",
        "mailbox": box,
        "received_at": received.isoformat(),
        "kind": fields.pop("kind", "投诉"),
        "title": f"关于第{n}号事项的反映",
        "body": "村道路面破损严重，雨天积水，群众出行困难，希望尽快修复。",
        "writer_name": "赵一鸣",
        "writer_phone": "13700000000",
        "public_consent": False,
        "refused_reason": None,
        "unit": None,
        "replied_at": None,
        "finished_at": None,
        "rating": None,
    }
    row.update(fields)
    return row


def _write(tmp_path, rows):
    path = tmp_path / "letters.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def test_stats_equal_counts_computed_from_the_imported_lines(town, tmp_path, official_calendar):
    from zhengwu.core.selectors.calendar import get_work_calendar

    _run("create", "--code", "shuji", "--name", "书记信箱", "--org", town["office"].credit_code)
    _run("create", "--code", "xianzhang", "--name", "县长信箱", "--org", town["office"].credit_code)
    rng = random.Random(20251)
    units = [town["water"], town["roads"]]
    rows = []
    for n in range(260):
        # Receipt moments around the edges of the period (Beijing midnight) are included on purpose.
        day = dt.date(2024, 12, 25) + dt.timedelta(days=rng.randrange(0, 400))
        received = dt.datetime.combine(
            day, dt.time(rng.choice([0, 8, 15, 23]), rng.choice([0, 30, 59])), tzinfo=BJ
        )
        box = rng.choice(["shuji", "xianzhang"])
        kind = rng.choice(["咨询", "投诉", "建议", "求助"])
        fate = rng.random()
        fields = {"kind": kind}
        if fate < 0.2:
            fields["refused_reason"] = "属于诉讼途径"
        elif fate > 0.3:
            unit = rng.choice(units)
            fields["unit"] = unit.credit_code
            if fate > 0.4:
                replied = received + dt.timedelta(days=rng.randrange(0, 30), hours=rng.randrange(0, 9))
                fields["replied_at"] = replied.isoformat()
                if fate > 0.55:
                    fields["finished_at"] = (replied + dt.timedelta(days=rng.randrange(0, 5))).isoformat()
                    fields["rating"] = rng.choice(["满意", "基本满意", "不满意", None])
        rows.append(_line(n, box, received, **fields))
    text = _run("import", str(_write(tmp_path, rows)))
    assert "已导入 260 封来信" in text

    start, end = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    report = json.loads(_run("stats", "--mailbox", "xianzhang", "--from", "2025-01-01", "--to", "2025-12-31"))
    calendar = get_work_calendar()
    limits = {"咨询": 5, "求助": 5, "投诉": 15, "建议": 15}

    def expected(selected):
        received = len(selected)
        valid = [r for r in selected if not r["refused_reason"]]
        replied = [r for r in selected if r["replied_at"]]
        finished = [r for r in selected if r["finished_at"]]
        on_time = 0
        days = 0
        for r in replied:
            got = dt.datetime.fromisoformat(r["received_at"]).astimezone(BJ).date()
            answered = dt.datetime.fromisoformat(r["replied_at"]).astimezone(BJ).date()
            # due: the end of the limit's last working day after receipt (core clock: the day counts to 23:59:59)
            due_day = calendar.shift(got, limits[r["kind"]])
            on_time += answered <= due_day
            days += calendar.count(got, answered)

        def rate(a, b):
            return None if b == 0 else round(a / b + 1e-12, 4)

        return {
            "received": received,
            "valid": len(valid),
            "replied": len(replied),
            "finished": len(finished),
            "in_progress": len(valid) - len(finished),
            "reply_rate": rate(len(replied), received),
            "finish_rate": rate(len(finished), len(valid)),
            "on_time_rate": rate(on_time, len(replied)),
            "avg_reply_workdays": None if not replied else round(days / len(replied) + 1e-12, 1),
        }

    def in_period(r):
        day = dt.datetime.fromisoformat(r["received_at"]).astimezone(BJ).date()
        return start <= day <= end

    mine = [r for r in rows if r["mailbox"] == "xianzhang" and in_period(r)]
    assert mine and len(mine) < len([r for r in rows if r["mailbox"] == "xianzhang"])
    want = expected(mine)
    assert {k: report[k] for k in want} == want
    assert report["received"] == want["received"] > 0
    for unit in units:
        row = next(d for d in report["departments"] if d["unit"] == unit.credit_code)
        want_unit = expected([r for r in mine if r["unit"] == unit.credit_code])
        assert {k: row[k] for k in want_unit} == want_unit

    overall = json.loads(_run("stats", "--from", "2025-01-01", "--to", "2025-12-31"))
    assert overall["received"] == len([r for r in rows if in_period(r)])


def test_the_seed_reports_figures_come_out_of_the_selector(town, official_calendar):
    """书记、县长信箱共收到群众来信278件，其中有效信件97件，办结82件，正在办理15件，办结率84.5%."""
    from zhengwu.interaction.selectors.mailbox import mailbox_figures
    from zhengwu.interaction.services.mailbox_import import import_letters

    _run("create", "--code", "shuxian", "--name", "书记县长信箱", "--org", town["office"].credit_code)
    lines = []
    for n in range(278):
        received = dt.datetime(2023, 1, 3, 9, tzinfo=BJ) + dt.timedelta(days=n)
        if n < 181:
            fields = {"refused_reason": "重复来信"}
        elif n < 181 + 82:
            fields = {
                "unit": town["water"].credit_code,
                "replied_at": (received + dt.timedelta(days=3)).isoformat(),
                "finished_at": (received + dt.timedelta(days=6)).isoformat(),
            }
        else:
            fields = {"unit": town["roads"].credit_code}
        lines.append(json.dumps(_line(n, "shuxian", received, **fields), ensure_ascii=False))
    import_letters(lines)
    figures = mailbox_figures(start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 31))
    assert figures["received"] == 278
    assert figures["valid"] == 97
    assert figures["finished"] == 82
    assert figures["in_progress"] == 15
    assert figures["finish_rate"] == 0.8454
    assert figures["reply_rate"] == round(82 / 278, 4)


def test_import_is_all_or_nothing_with_numbered_errors(town, tmp_path):
    from zhengwu.interaction.models import Letter

    _run("create", "--code", "xianzhang", "--name", "县长信箱", "--org", town["office"].credit_code)
    t = dt.datetime(2025, 3, 3, 9, tzinfo=BJ)
    rows = [
        _line(1, "xianzhang", t),
        _line(2, "nosuchbox", t),
        _line(3, "xianzhang", t, kind="表扬"),
        _line(
            4,
            "xianzhang",
            t,
            unit=town["water"].credit_code,
            replied_at=(t - dt.timedelta(days=1)).isoformat(),
        ),
        _line(5, "xianzhang", t, refused_reason="广告", unit=town["water"].credit_code),
        _line(6, "xianzhang", t, finished_at=t.isoformat()),
        _line(1, "xianzhang", t),
    ]
    path = _write(tmp_path, rows)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("{not json\n")
    err = StringIO()
    with pytest.raises(CommandError, match="均未导入"):
        call_command("mailbox", "import", str(path), stdout=StringIO(), stderr=err)
    messages = err.getvalue()
    assert "第2行：信箱代码“nosuchbox”不存在" in messages
    assert "第3行：类型“表扬”" in messages
    assert "第4行：replied_at 不能早于 received_at" in messages
    assert "第5行：不予受理的来信不能有承办单位" in messages
    assert "第6行：已办结的来信须有答复时间" in messages
    assert "第7行：id“OLD-1”在文件中重复" in messages
    assert "第8行：不是有效的 JSON" in messages
    assert "第1行" not in messages
    assert Letter.objects.count() == 0
    # The same good line alone goes in; importing it again is refused.
    _run("import", str(_write(tmp_path, rows[:1])))
    assert Letter.objects.count() == 1
    with pytest.raises(CommandError):
        call_command(
            "mailbox", "import", str(_write(tmp_path, rows[:1])), stdout=StringIO(), stderr=StringIO()
        )


def test_stats_rejects_bad_periods_and_unknown_mailboxes(town):
    with pytest.raises(CommandError, match="不是有效的日期"):
        _run("stats", "--from", "2025-02-30", "--to", "2025-03-01")
    with pytest.raises(CommandError, match="不能早于"):
        _run("stats", "--from", "2025-03-02", "--to", "2025-03-01")
    with pytest.raises(CommandError, match="找不到代码"):
        _run("stats", "--mailbox", "nobox", "--from", "2025-01-01", "--to", "2025-03-01")
    empty = json.loads(_run("stats", "--from", "2025-01-01", "--to", "2025-03-01"))
    assert empty["received"] == 0 and empty["reply_rate"] is None and empty["avg_reply_workdays"] is None
