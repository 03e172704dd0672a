"""Benchmark: import 1,000,000 12345 work orders and read a year's KPIs, next to a plain SQL COUNT baseline.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zw_hotline_bench python benchmarks/hotline.py [--cases 1000000]

Meant for PostgreSQL (the database is created when missing and must hold no organizations); without
``DATABASE_URL`` a temporary SQLite database is used. Set-up (migrations, the calendar, the rule tables, a county of
30 departments) is not timed. Then, timed:

1. the import: the year's cases as JSON Lines files of ``--file-size`` lines each (an old system's monthly exports),
   each file checked completely and written in one transaction by ``zhengwu hotline import`` → lines per second;
2. the KPI figures for the year (every case of the database), best and median of ``--rounds``:
   ``zhengwu hotline kpi --format json`` (the command, output included), the selector alone, and the admin KPI page
   (``/admin/hotline/kpi/`` with its trend charts and the table per unit, rendered for a supervisor);
3. the baseline: ``SELECT COUNT(*)`` over the same year's rows, and a ``GROUP BY`` unit count.

Target: the KPI for a year under 1 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

BJ = ZoneInfo("Asia/Shanghai")
TARGET_SECONDS = 1.0
YEAR = 2025


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


def build_county() -> list[str]:
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
    codes = []
    for serial, (code, name) in enumerate(DEPARTMENTS, start=2):
        org = create_organization(
            name=name,
            kind=OrganizationKind.DEPARTMENT,
            code=code,
            credit_code=make_credit_code(f"11990101{serial:09d}"),
            division_code="990101",
            parent=root,
            actor=None,
        )
        codes.append(org.credit_code)
    return codes


def lines_for(
    rng: random.Random, count: int, units: list[str], categories: list[str], start: int
) -> list[str]:
    """``count`` cases spread over the year, in the proportions of a county hotline."""
    first = dt.datetime(YEAR, 1, 1, tzinfo=BJ)
    out = []
    for index in range(start, start + count):
        received = first + dt.timedelta(seconds=rng.randrange(365 * 86400))
        urgent = rng.random() < 0.04
        kind = rng.choices(["咨询", "求助", "投诉", "举报", "建议", "表扬"], [40, 15, 30, 5, 8, 2])[0]
        outcome = rng.choices(["派单", "直接答复", "无效"], [7518, 2017, 195])[0]
        line = {
            "id": f"B{index:08d}",
            "received_at": received.isoformat(),
            "channel": "电话",
            "kind": kind,
            "urgency": "紧急" if urgent else "一般",
            "category": rng.choice(categories),
            "caller_phone": f"139{rng.randrange(10**8):08d}",
            "content": "市民反映的问题。",
            "outcome": outcome,
        }
        if outcome == "派单":
            dispatched = received + dt.timedelta(minutes=rng.randrange(3, 40))
            signed = dispatched + dt.timedelta(minutes=rng.randrange(10, 3000))
            line["assignments"] = [
                {
                    "unit": rng.choice(units),
                    "role": "主办",
                    "dispatched_at": dispatched.isoformat(),
                    "signed_at": signed.isoformat(),
                }
            ]
            if rng.random() < 0.963:
                finished = signed + dt.timedelta(hours=rng.randrange(2, 24 * 20))
                line["replied_at"] = (finished - dt.timedelta(hours=1)).isoformat()
                line["finished_at"] = finished.isoformat()
                if rng.random() < 0.9:
                    line["visits"] = [
                        {
                            "at": (finished + dt.timedelta(hours=3)).isoformat(),
                            "rating": rng.choices(["满意", "基本满意", "不满意"], [82, 13, 5])[0],
                        }
                    ]
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
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--file-size", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    database = setup_django()

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from zhengwu.core.models import Staff
    from zhengwu.interaction.models import Category, WorkOrder
    from zhengwu.interaction.selectors.kpi import hotline_kpi

    units = build_county()
    categories = list(Category.objects.filter(children__isnull=True).values_list("path", flat=True))
    rng = random.Random(20261206)
    load = os.getloadavg()[0]
    print(f"数据库：{database}；{args.cases:,} 件工单，每个文件 {args.file_size:,} 行；开始时负载 {load:.2f}")

    imported, import_seconds = 0, 0.0
    folder = Path(tempfile.mkdtemp(prefix="zhengwu-hotline-"))
    while imported < args.cases:
        count = min(args.file_size, args.cases - imported)
        path = folder / f"part-{imported // args.file_size:03d}.jsonl"
        path.write_text(
            "\n".join(lines_for(rng, count, units, categories, imported)) + "\n", encoding="utf-8"
        )
        started = time.perf_counter()
        call_command("hotline", "import", str(path), stdout=io.StringIO())
        import_seconds += time.perf_counter() - started
        imported += count
        path.unlink()
        print(f"  已导入 {imported:,} 件，累计 {import_seconds:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # What autovacuum does after a bulk load: statistics, and the visibility map that lets the KPI read
            # the covering index alone.
            cursor.execute("VACUUM ANALYZE")
    assert WorkOrder.objects.count() == args.cases
    start, end = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)

    def command() -> dict:
        out = io.StringIO()
        call_command(
            "hotline",
            "kpi",
            "--from",
            start.isoformat(),
            "--to",
            end.isoformat(),
            "--format",
            "json",
            stdout=out,
        )
        return json.loads(out.getvalue())

    supervisor = Staff.objects.create_superuser("bench", password="Bench-Passw0rd!")
    client = Client()
    client.force_login(supervisor)

    def page() -> int:
        response = client.get(
            "/admin/hotline/kpi/", {"start": start.isoformat(), "end": end.isoformat()}, HTTP_HOST="localhost"
        )
        assert response.status_code == 200
        return len(response.content)

    table = WorkOrder._meta.db_table
    adapt = connection.ops.adapt_datetimefield_value
    low, high = (adapt(dt.datetime(y, 1, 1, tzinfo=BJ)) for y in (YEAR, YEAR + 1))

    def baseline() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM {table} WHERE received_at >= %s AND received_at < %s", [low, high]
            )
            return cursor.fetchone()[0]

    def baseline_units() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT lead_unit_id, COUNT(*) FROM {table} WHERE received_at >= %s AND received_at < %s "
                "GROUP BY lead_unit_id",
                [low, high],
            )
            return len(cursor.fetchall())

    rows = [
        ("zhengwu hotline kpi（一年，JSON）", *timed(command, args.rounds)),
        ("KPI 选择器 hotline_kpi（一年）", *timed(lambda: hotline_kpi(start=start, end=end), args.rounds)),
        ("KPI 页面 /admin/hotline/kpi/（一年，含趋势）", *timed(page, args.rounds)),
        ("基线：SELECT COUNT(*)（同一年）", *timed(baseline, args.rounds)),
        ("基线：按主办单位 GROUP BY COUNT(*)", *timed(baseline_units, args.rounds)),
    ]
    report = rows[0][3]
    assert report["contacts"] == args.cases == rows[3][3], (report["contacts"], rows[3][3])
    print()
    print(f"导入：{args.cases:,} 件，{import_seconds:.1f} s，{args.cases / import_seconds:,.0f} 件/秒")
    print(f"{'测量':<44}{'最好':>10}{'中位':>10}")
    for name, best, median, _ in rows:
        print(f"{name:<40}{best * 1000:>10.0f} ms{median * 1000:>8.0f} ms")
    command_best = rows[0][1]
    print(
        f"命令对基线：{command_best / rows[3][1]:.1f} 倍；目标 < {TARGET_SECONDS:.0f} s："
        f"{'达到' if command_best < TARGET_SECONDS else '未达到'}"
    )
    print(
        f"受理 {report['contacts']:,}，派单 {report['orders']:,}，办结 {report['finished']:,}，"
        f"办结率 {report['finish_rate']}，满意率 {report['satisfaction_rate']}；结束时负载 {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
