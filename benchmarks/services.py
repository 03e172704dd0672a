"""Benchmark: import 500,000 办件 of 2025 and read the year's 电子监察 figures, next to a plain SQL aggregate baseline.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zw_services_bench python benchmarks/services.py [--cases 500000]

Meant for PostgreSQL (the database is created when missing and must hold no organizations); without
``DATABASE_URL`` a temporary SQLite database is used. Set-up is not timed: migrations, the calendar and the rule
tables (``zhengwu setup``), a county of 17 departments with credit codes, and its 事项清单 of about 60 items (承诺件
with legal/promised limits such as 20/5, 20/10, 15/3, 10/2, 30/15, 60/20, and 即办件 at 0/0) imported from an .xlsx
through ``zhengwu services import-items``. Then, timed:

1. the import: the year's cases as JSON Lines files of ``--file-size`` lines each (an old system's monthly
   exports, in order of acceptance), each file checked completely and written in one transaction by
   ``import_cases`` → lines per second. Seeded random timings: most cases finished within the promised limit (a good
   part of them early), a few percent past the promised limit (yellow) and past the legal one (red), about 3 % with
   one pause (检验, 鉴定, 专家评审 of a few days), about 2 % still open;
2. the figures of the cases accepted in 2025, best and median of ``--rounds``: as at 2026-01-31 through
   ``zhengwu services supervision --format json`` (the command, output included) and ``supervision_figures()``
   alone; and the same as at 2025-12-15 (some pauses reach past that day, many cases finished after it);
3. the baseline: one plain ``SELECT … COUNT(*), COUNT(finished_on), SUM(actual_workdays) … GROUP BY item_id`` over
   the same rows with a raw cursor.

Target: the figures of a year under 1 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import itertools
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

BJ = ZoneInfo("Asia/Shanghai")
TARGET_SECONDS = 1.0
YEAR = 2025
AS_OF_LATE = dt.date(YEAR + 1, 1, 31)  # after the year: nearly every case decided
AS_OF_MID = dt.date(YEAR, 12, 15)  # inside the year: pauses running, cases finished later still open

# The departments of the county that hold service items (codes of ``zhengwu.core.demo_core.DEPARTMENTS``), and their
# items: (item type, name, legal limit, promised limit) in working days; 0/0 is a 即办件.
ITEMS = {
    "FGW": [
        ("行政许可", "企业投资项目核准", 20, 10),
        ("行政许可", "固定资产投资项目节能审查", 30, 15),
        ("行政备案", "企业投资项目备案", 0, 0),
    ],
    "JTJ": [
        ("行政许可", "民办学校设立审批", 60, 20),
        ("行政确认", "教师资格认定", 30, 15),
        ("公共服务", "中小学学籍转学证明", 0, 0),
    ],
    "GAJ": [
        ("行政许可", "户口迁移审批", 20, 5),
        ("行政许可", "剧毒化学品购买许可", 15, 3),
        ("行政许可", "旅馆业特种行业许可证核发", 20, 10),
        ("公共服务", "无犯罪记录证明开具", 10, 2),
    ],
    "MZJ": [
        ("行政确认", "内地居民婚姻登记", 0, 0),
        ("行政许可", "社会团体成立登记", 60, 20),
        ("行政给付", "最低生活保障金给付", 30, 15),
        ("行政备案", "养老机构备案", 0, 0),
    ],
    "RSJ": [
        ("行政许可", "劳务派遣经营许可", 20, 10),
        ("行政确认", "工伤认定", 60, 20),
        ("行政给付", "失业保险金申领", 10, 2),
        ("公共服务", "社会保障卡申领", 0, 0),
    ],
    "ZRZYJ": [
        ("行政许可", "建设项目用地预审与选址意见书核发", 20, 10),
        ("行政许可", "建设用地规划许可证核发", 20, 10),
        ("行政确认", "不动产首次登记", 30, 15),
        ("行政许可", "乡村建设规划许可证核发", 20, 5),
    ],
    "STHJJ": [
        ("行政许可", "建设项目环境影响报告书审批", 60, 20),
        ("行政许可", "建设项目环境影响报告表审批", 30, 15),
        ("行政许可", "排污许可证核发", 20, 10),
        ("行政备案", "建设项目环境影响登记表备案", 0, 0),
    ],
    "ZJJ": [
        ("行政许可", "建筑工程施工许可证核发", 15, 3),
        ("行政许可", "商品房预售许可", 20, 10),
        ("行政许可", "建筑业企业资质核准", 20, 10),
        ("行政备案", "建设工程竣工验收备案", 15, 3),
    ],
    "JTYSJ": [
        ("行政许可", "道路货物运输经营许可", 20, 5),
        ("行政许可", "公路超限运输许可", 15, 3),
        ("行政许可", "出租汽车经营许可", 20, 10),
        ("行政许可", "道路运输从业人员从业资格证核发", 10, 2),
    ],
    "SLJ": [
        ("行政许可", "取水许可", 30, 15),
        ("行政许可", "水利基建项目初步设计文件审批", 20, 10),
        ("行政许可", "河道管理范围内建设项目工程建设方案审批", 20, 5),
        ("行政许可", "生产建设项目水土保持方案审批", 20, 5),
    ],
    "NYNCJ": [
        ("行政许可", "农药经营许可", 20, 10),
        ("行政许可", "兽药经营许可证核发", 20, 10),
        ("行政许可", "动物防疫条件合格证核发", 20, 5),
        ("行政许可", "农村村民宅基地审批", 20, 10),
    ],
    "WGLJ": [
        ("行政许可", "娱乐场所经营许可", 15, 3),
        ("行政许可", "互联网上网服务营业场所经营许可", 20, 10),
        ("行政许可", "营业性演出审批", 20, 5),
    ],
    "WJW": [
        ("行政许可", "公共场所卫生许可（新设）", 20, 5),
        ("行政许可", "医疗机构执业登记", 30, 15),
        ("行政许可", "医师执业注册", 20, 5),
        ("公共服务", "出生医学证明补发", 10, 2),
    ],
    "SCJGJ": [
        ("行政许可", "食品经营许可", 20, 5),
        ("行政许可", "食品生产许可", 20, 10),
        ("行政确认", "企业设立登记", 15, 3),
        ("行政确认", "个体工商户设立登记", 0, 0),
        ("行政许可", "特种设备使用登记", 15, 3),
        ("行政许可", "药品零售企业经营许可", 30, 15),
    ],
    "YBJ": [
        ("行政给付", "医疗费用零星报销", 30, 15),
        ("公共服务", "异地就医备案", 0, 0),
        ("公共服务", "基本医疗保险关系转移接续", 15, 3),
    ],
    "LYJ": [
        ("行政许可", "林木采伐许可证核发", 20, 5),
        ("行政许可", "建设项目使用林地审核", 20, 10),
    ],
    "CGJ": [
        ("行政许可", "城市建筑垃圾处置核准", 20, 5),
        ("行政许可", "设置大型户外广告审批", 20, 5),
        ("行政许可", "临时占用城市道路审批", 10, 2),
        ("行政许可", "城镇污水排入排水管网许可", 15, 3),
    ],
}
TYPE_CODES = {"行政许可": "XK", "行政确认": "QR", "行政给付": "JF", "行政备案": "BA", "公共服务": "GG"}
HEADER = [
    "序号",
    "事项编码",
    "事项名称",
    "事项类型",
    "实施机关（统一社会信用代码）",
    "办件类型",
    "法定办结时限（工作日）",
    "承诺办结时限（工作日）",
    "到现场次数",
    "是否收费",
    "受理条件",
    "申请材料",
    "办理地点",
    "咨询电话",
    "办理时间",
]
PAUSE_REASONS = ["检验", "鉴定", "专家评审"]


def setup_django() -> str:
    here = Path(__file__).resolve().parent
    sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != here]
    sys.path.insert(0, str(here.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings.dev")
    os.environ.setdefault("ZHENGWU_TASKS_BACKEND", "django_tasks.backends.dummy.DummyBackend")
    os.environ.setdefault("ZHENGWU_DEBUG", "0")
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        data_dir = tempfile.mkdtemp(prefix="zhengwu-bench-")
        os.environ["ZHENGWU_DATA_DIR"] = data_dir
        os.environ["DATABASE_URL"] = f"sqlite:///{data_dir}/bench.sqlite3"
    elif url.startswith("postgres"):
        import psycopg

        name = url.rsplit("/", 1)[1]
        admin = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.db import connection

    return f"{connection.vendor} {connection.settings_dict['NAME']}"


def build_county() -> dict[str, str]:
    """The county government and the departments of ``ITEMS``: department code → credit code."""
    from django.core.management import call_command

    from zhengwu.core.demo_core import DEPARTMENTS
    from zhengwu.core.models import Organization, OrganizationKind
    from zhengwu.core.services.orgs import create_organization
    from zhengwu.core.validators import make_credit_code

    call_command("setup", verbosity=0)
    if Organization.objects.exists():
        sys.exit("The database already holds organizations; point DATABASE_URL at a scratch database.")
    root = create_organization(
        name="示范县人民政府",
        kind=OrganizationKind.GOVERNMENT,
        code="SFX",
        credit_code=make_credit_code("11990101000000001"),
        division_code="990101",
        parent=None,
        actor=None,
    )
    codes = {}
    for serial, (code, name) in enumerate(DEPARTMENTS, start=2):
        if code not in ITEMS:
            continue
        org = create_organization(
            name=name,
            kind=OrganizationKind.DEPARTMENT,
            code=code,
            credit_code=make_credit_code(f"11990101{serial:09d}"),
            division_code="990101",
            parent=root,
            actor=None,
        )
        codes[code] = org.credit_code
    return codes


def import_items(credit_codes: dict[str, str]) -> list[tuple[str, int, int]]:
    """The county's 事项清单 as an .xlsx, through ``zhengwu services import-items``: (code, legal, promised)."""
    from django.core.management import call_command
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append([f"示范县政务服务事项实施清单（{YEAR}年版）"])
    sheet.append([])
    sheet.append(HEADER)
    items, number = [], 0
    for department, rows in ITEMS.items():
        credit = credit_codes[department]
        for serial, (item_type, name, legal, promised) in enumerate(rows, start=1):
            number += 1
            code = f"{credit}{TYPE_CODES[item_type]}{serial:04d}001"
            instant = legal == promised == 0
            sheet.append(
                [
                    number,
                    code,
                    name,
                    item_type,
                    credit,
                    "即办件" if instant else "承诺件",
                    legal,
                    promised,
                    0 if instant else 1,
                    "否",
                    f"申请人符合{name}的法定条件，申请材料齐全、符合法定形式。",
                    "1. 申请表\n2. 申请人身份证明\n3. 相关证明材料",
                    "示范县政务服务中心一楼综合受理窗口",
                    f"0571-8800{number:04d}",
                    "周一至周五 9:00-12:00，13:30-17:00（法定节假日除外）",
                ]
            )
            items.append((code, legal, promised))
    path = Path(tempfile.mkdtemp(prefix="zhengwu-services-")) / "qingdan.xlsx"
    workbook.save(path)
    call_command("services", "import-items", str(path), stdout=io.StringIO())
    path.unlink()
    return items


def moment(day: dt.date, minutes: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=BJ) + dt.timedelta(minutes=minutes)


def lines_for(
    rng: random.Random,
    calendar,
    days: list[dt.date],
    late_days: set[dt.date],
    count: int,
    items: list[tuple[str, int, int]],
    weights: list[float],
    start: int,
    tally: Counter,
) -> list[str]:
    """``count`` cases accepted on the working days ``days``, in order of acceptance; ``tally`` counts how they
    were meant to end (early, on the due day, past the promised limit, past the legal one, open, paused)."""
    cumulative = list(itertools.accumulate(weights))
    picked = sorted(
        (
            rng.choice(days),
            rng.randrange(8 * 60 + 30, 17 * 60 + 30),
            *rng.choices(items, cum_weights=cumulative)[0],
        )
        for _ in range(count)
    )
    out = []
    for index, (accepted_on, minute, code, legal, promised) in enumerate(picked, start=start):
        accepted_at = moment(accepted_on, minute)
        line = {
            "id": f"SFX{YEAR}{index:08d}",
            "item_code": code,
            "accepted_at": accepted_at.isoformat(),
            "finished_at": None,
            "pauses": [],
            "decision": None,
        }
        # Open: a quarter of the cases of the last three weeks of the year, a few forgotten ones before.
        if rng.random() < (0.25 if accepted_on in late_days else 0.005):
            tally["open"] += 1
            if promised and rng.random() < 0.15:
                begin = calendar.shift(accepted_on, rng.randint(1, 3))
                end = begin + dt.timedelta(days=rng.randint(5, 45))
                line["pauses"] = [
                    {"from": begin.isoformat(), "to": end.isoformat(), "reason": rng.choice(PAUSE_REASONS)}
                ]
                tally["paused"] += 1
            out.append(json.dumps(line, ensure_ascii=False))
            continue
        roll = rng.random()
        if promised == 0:  # 即办件: the same day, now and then the next working day (past the legal limit)
            took = 0 if roll < 0.985 else 1
            tally["on the due day" if took == 0 else "past legal"] += 1
        elif roll < 0.015:
            took = legal + rng.randint(1, 5)
            tally["past legal"] += 1
        elif roll < 0.06:
            took = rng.randint(promised + 1, legal)
            tally["past promised"] += 1
        elif roll < 0.06 + 0.94 * 0.55:
            took = promised
            tally["on the due day"] += 1
        else:
            took = rng.randint(max(1, promised // 3), promised - 1)
            tally["early"] += 1
        finished_on = calendar.shift(accepted_on, took)
        if took >= 2 and rng.random() < 0.05:
            # One pause after the k-th working day, of a few calendar days; it moves the finish like the due dates.
            begin = calendar.shift(accepted_on, rng.randint(1, took - 1))
            end = begin + dt.timedelta(days=rng.randint(2, 10))
            finished_on = calendar.shift(finished_on, calendar.count(begin, end))
            line["pauses"] = [
                {"from": begin.isoformat(), "to": end.isoformat(), "reason": rng.choice(PAUSE_REASONS)}
            ]
            tally["paused"] += 1
        if finished_on == accepted_on:
            finished_at = accepted_at + dt.timedelta(minutes=rng.randint(5, 90))
        else:
            finished_at = moment(finished_on, rng.randrange(9 * 60, 17 * 60 + 30))
        line["finished_at"] = finished_at.isoformat()
        line["decision"] = "准予" if rng.random() < 0.95 else "不予"
        out.append(json.dumps(line, ensure_ascii=False))
    return out


def timed(func, rounds: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=500_000)
    parser.add_argument("--file-size", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    database = setup_django()

    from django.core.management import call_command
    from django.db import connection

    from zhengwu.core.selectors.calendar import get_work_calendar
    from zhengwu.govservice.models import ServiceCase
    from zhengwu.govservice.services.supervision import import_cases, supervision_figures

    credit_codes = build_county()
    items = import_items(credit_codes)
    # Volumes: 即办件 and short limits are the bulk of a county's cases, 60-day approvals are rare.
    weights = [
        (30 if promised == 0 else 12 if legal <= 15 else 4 if legal >= 30 else 8)
        for _c, legal, promised in items
    ]
    weights = [w * random.Random(len(items) + i).uniform(0.5, 1.5) for i, w in enumerate(weights)]
    calendar = get_work_calendar()
    year_days = [
        day
        for offset in range(366)
        if (day := dt.date(YEAR, 1, 1) + dt.timedelta(days=offset)).year == YEAR and calendar.is_workday(day)
    ]
    late_days = set(year_days[-15:])
    rng = random.Random(20250101)
    load = os.getloadavg()[0]
    print(
        f"database: {database}; {len(credit_codes)} departments, {len(items)} items; {args.cases:,} cases, "
        f"{args.file_size:,} lines per file; load average at start {load:.2f}"
    )

    files = -(-args.cases // args.file_size)
    imported, import_seconds, tally = 0, 0.0, Counter()
    folder = Path(tempfile.mkdtemp(prefix="zhengwu-services-"))
    for part in range(files):
        count = min(args.file_size, args.cases - imported)
        days = year_days[part * len(year_days) // files : (part + 1) * len(year_days) // files]
        path = folder / f"banjian-{part + 1:02d}.jsonl"
        lines = lines_for(rng, calendar, days, late_days, count, items, weights, imported, tally)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        started = time.perf_counter()
        summary = import_cases(data=path.read_bytes())
        import_seconds += time.perf_counter() - started
        assert summary.created == count, summary
        imported += count
        path.unlink()
        print(
            f"  imported {imported:,} cases ({days[0]:%m-%d}–{days[-1]:%m-%d}), {import_seconds:.1f} s so far"
            + (f" — {summary.warnings[0]}" if summary.warnings else "")
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # What autovacuum does after a bulk load: statistics and the visibility map.
            cursor.execute("VACUUM ANALYZE")
    assert ServiceCase.objects.count() == args.cases

    start, end = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)

    def command(as_of: dt.date) -> dict:
        out = io.StringIO()
        call_command(
            "services",
            "supervision",
            "--from",
            start.isoformat(),
            "--to",
            end.isoformat(),
            "--as-of",
            as_of.isoformat(),
            "--format",
            "json",
            stdout=out,
        )
        return json.loads(out.getvalue())

    table = ServiceCase._meta.db_table
    adapt = connection.ops.adapt_datefield_value

    def baseline(as_of: dt.date) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT item_id, COUNT(*), COUNT(finished_on), SUM(actual_workdays) "
                f"FROM {table} WHERE accepted_on BETWEEN %s AND %s GROUP BY item_id",
                [adapt(start), adapt(min(end, as_of))],
            )
            return sum(row[1] for row in cursor.fetchall())

    def beyond(as_of: dt.date) -> int:
        return ServiceCase.objects.filter(
            accepted_on__gte=start, accepted_on__lte=min(end, as_of), last_pause_end__gt=as_of
        ).count()

    rows = [
        (
            f"zhengwu services supervision (year, as of {AS_OF_LATE}, JSON)",
            *timed(lambda: command(AS_OF_LATE), args.rounds),
        ),
        (
            f"supervision_figures() (year, as of {AS_OF_LATE})",
            *timed(lambda: supervision_figures(date_from=start, date_to=end, as_of=AS_OF_LATE), args.rounds),
        ),
        (
            f"zhengwu services supervision (year, as of {AS_OF_MID}, JSON)",
            *timed(lambda: command(AS_OF_MID), args.rounds),
        ),
        (
            f"supervision_figures() (year, as of {AS_OF_MID})",
            *timed(lambda: supervision_figures(date_from=start, date_to=end, as_of=AS_OF_MID), args.rounds),
        ),
        (
            f"baseline: SQL GROUP BY item_id (as of {AS_OF_LATE})",
            *timed(lambda: baseline(AS_OF_LATE), args.rounds),
        ),
        (
            f"baseline: SQL GROUP BY item_id (as of {AS_OF_MID})",
            *timed(lambda: baseline(AS_OF_MID), args.rounds),
        ),
    ]
    late, mid = rows[0][3], rows[2][3]
    assert late["accepted"] == args.cases == rows[4][3], (late["accepted"], rows[4][3])
    assert mid["accepted"] == rows[5][3], (mid["accepted"], rows[5][3])
    assert rows[1][3] == late and rows[3][3] == mid, "the command and the selector disagree"

    print()
    print(f"import: {args.cases:,} cases, {import_seconds:.1f} s, {args.cases / import_seconds:,.0f} lines/s")
    print(f"{'measurement':<64}{'best':>10}{'median':>10}{'× baseline':>12}")
    for index, (name, best, median, _) in enumerate(rows):
        base = rows[4 if index in (0, 1) else 5][1]
        ratio = f"{best / base:>11.1f}×" if index < 4 else ""
        print(f"{name:<64}{best * 1000:>7.0f} ms{median * 1000:>7.0f} ms{ratio}")
    slowest = max(rows[0][1], rows[2][1])
    print(
        f"target < {TARGET_SECONDS:.0f} s (the command, best of both as-of days): "
        f"{'met' if slowest < TARGET_SECONDS else 'NOT met'}"
    )
    print(
        "generated: "
        + ", ".join(
            f"{key} {tally[key]:,}"
            for key in ("early", "on the due day", "past promised", "past legal", "open", "paused")
        )
    )
    for label, figures, as_of in (("as of", late, AS_OF_LATE), ("as of", mid, AS_OF_MID)):
        print(
            f"{label} {as_of}: accepted {figures['accepted']:,}, finished {figures['finished']:,}, "
            f"open {figures['open']:,}, early {figures['early']:,} ({figures['early_rate']:.1%}), "
            f"on time {figures['on_time']:,} ({figures['on_time_rate']:.1%}), yellow {figures['yellow']:,}, "
            f"red {figures['red']:,}; avg {figures['avg_actual_workdays']} of {figures['avg_promised_workdays']} "
            f"promised / {figures['avg_legal_workdays']} legal working days; "
            f"{beyond(as_of):,} cases with a pause past that day (counted in Python)"
            + ("; fallback calendar" if figures["uses_fallback_calendar"] else "")
        )
    print(f"load average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
