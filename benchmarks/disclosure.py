"""Benchmark: import 50,000 依申请公开 requests from an old system and produce the government-level annual report.

    python benchmarks/disclosure.py [--requests 50000] [--open 200] [--year 2025]

Uses ``zhengwu.settings.dev`` with a temporary SQLite database (or the scratch database in ``DATABASE_URL``: it
must hold no organizations). It builds a county (a government, 30 departments, 15 towns), seeds the calendar and the
rule tables, writes a JSON Lines file the way an old system would export it (two years of requests, about one in six
with 补正, consultation, extension or fee events, every outcome of table 三, a few hundred still open), then times:

1. ``zhengwu disclosure import-requests FILE`` (check every line, compute every due date, write in one transaction;
   requests still open are put on live case clocks through the clock services);
2. the government-level annual report for ``--year`` (all organizations aggregated) as JSON and as .docx.

Target: both together under 30 s on this machine. Set-up (migrations, the county) is not timed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 30.0
KINDS = [
    ("自然人", 70),
    ("商业企业", 14),
    ("法律服务机构", 6),
    ("科研机构", 3),
    ("社会公益组织", 3),
    ("其他", 4),
]


def setup_django() -> tuple[str, bool]:
    here = Path(__file__).resolve().parent
    sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != here]
    sys.path.insert(0, str(here.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings.dev")
    os.environ.setdefault("ZHENGWU_TASKS_BACKEND", "django_tasks.backends.dummy.DummyBackend")
    os.environ.setdefault("ZHENGWU_DEBUG", "0")
    scratch = not os.environ.get("DATABASE_URL")
    if scratch:
        data_dir = tempfile.mkdtemp(prefix="zhengwu-bench-")
        os.environ["ZHENGWU_DATA_DIR"] = data_dir
        os.environ["DATABASE_URL"] = f"sqlite:///{data_dir}/bench.sqlite3"
    import django

    django.setup()
    from django.db import connection

    return f"{connection.vendor} {connection.settings_dict['NAME']}", scratch


def build_county() -> list:
    from zhengwu.core.demo_core import DEPARTMENTS, TOWNS
    from zhengwu.core.models import Organization, OrganizationKind
    from zhengwu.core.services.orgs import create_organization
    from zhengwu.core.validators import make_credit_code

    if Organization.objects.exists():
        sys.exit("The database already holds organizations; point DATABASE_URL at a scratch database.")

    def code(serial: int) -> str:
        return make_credit_code(f"11990101{serial:09d}")

    root = create_organization(
        name="示范县人民政府",
        kind=OrganizationKind.GOVERNMENT,
        code="SFX",
        credit_code=code(1),
        division_code="990101",
        parent=None,
        actor=None,
    )
    orgs = [root]
    for serial, (short, name) in enumerate(DEPARTMENTS, start=2):
        orgs.append(
            create_organization(
                name=name,
                kind=OrganizationKind.DEPARTMENT,
                code=short,
                credit_code=code(serial),
                division_code="990101",
                parent=root,
                actor=None,
            )
        )
    for serial, (short, name, kind) in enumerate(TOWNS, start=100):
        orgs.append(
            create_organization(
                name=name,
                kind=kind,
                code=short,
                credit_code=code(serial),
                division_code=f"990101{serial:03d}000",
                parent=root,
                actor=None,
            )
        )
    return orgs


def pick(rng: random.Random, weighted: list) -> str:
    return rng.choices([value for value, _ in weighted], weights=[weight for _, weight in weighted])[0]


def write_file(path: Path, orgs: list, count: int, open_count: int, year: int, rng: random.Random) -> dict:
    from zhengwu.core.selectors.calendar import get_work_calendar
    from zhengwu.disclosure.rules import outcomes

    calendar = get_work_calendar()
    labels = [(outcome.full_label, 1) for outcome in outcomes() if not outcome.code.startswith("other.no_")]
    labels[0] = (labels[0][0], 40)  # 予以公开
    labels[1] = (labels[1][0], 10)  # 部分公开
    start = dt.date(year - 1, 1, 2)
    days = (dt.date(year, 12, 31) - start).days
    today = dt.date.today()
    figures = {"events": 0, "open": 0}
    with path.open("w", encoding="utf-8") as handle:
        for index in range(count):
            org = orgs[rng.randrange(len(orgs))]
            still_open = index >= count - open_count
            if still_open:
                received = calendar.shift(today - dt.timedelta(days=rng.randint(3, 40)), 0)
            else:
                received = calendar.shift(start + dt.timedelta(days=rng.randrange(days)), 0)
            line = {
                "org": org.credit_code,
                "applicant_kind": pick(rng, KINDS),
                "received_on": received.isoformat(),
                "external_id": f"OLD-{index + 1:06d}",
            }
            events = []
            day = received
            roll = rng.random()
            if roll < 0.06:
                day = calendar.shift(day, 2)
                events.append({"type": "correction_requested", "on": day.isoformat()})
                day = calendar.shift(day, 5)
                events.append({"type": "correction_received", "on": day.isoformat()})
            elif roll < 0.11:
                day = calendar.shift(day, 4)
                events.append({"type": "consultation_started", "on": day.isoformat(), "kind": "third_party"})
                day = calendar.shift(day, 9)
                events.append({"type": "consultation_ended", "on": day.isoformat()})
            elif roll < 0.15:
                day = calendar.shift(day, 15)
                events.append({"type": "extended", "on": day.isoformat(), "days": rng.choice([10, 15, 20])})
            elif roll < 0.17:
                day = calendar.shift(day, 3)
                events.append({"type": "fee_notified", "on": day.isoformat(), "amount": 300})
                day = calendar.shift(day, 4)
                events.append({"type": "fee_paid", "on": day.isoformat(), "amount": 300})
            if still_open:
                events = [e for e in events if e["type"] != "extended" and e["on"] <= today.isoformat()]
                figures["open"] += 1
            else:
                replied = calendar.shift(day, rng.randint(2, 24))
                line["replied_on"] = replied.isoformat()
                line["outcome"] = pick(rng, labels)
            if events:
                line["events"] = events
                figures["events"] += 1
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    return figures


def reference_loop() -> float:
    began = time.perf_counter()
    total = 0
    for step in range(5_000_000):
        total += step
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--open", type=int, default=200, help="how many of them are still open")
    parser.add_argument("--year", type=int, default=dt.date.today().year - 1)
    args = parser.parse_args()

    database, scratch = setup_django()
    from django.core.management import call_command

    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    from zhengwu.core.services.calendar import seed_calendar_from_package
    from zhengwu.disclosure.services.rules import load_classifications, load_disclosure_clock_policies

    seed_calendar_from_package(record_audit=False)
    load_disclosure_clock_policies()
    load_classifications()
    orgs = build_county()
    path = Path(tempfile.mkdtemp(prefix="zhengwu-bench-")) / "requests.jsonl"
    figures = write_file(path, orgs, args.requests, args.open, args.year, random.Random(2026))
    print(f"database: {database}")
    print(
        f"set-up (migrations, county, {path.stat().st_size / 1e6:.1f} MB file): {time.perf_counter() - began:.1f} s"
    )
    print(
        f"reference: a 5,000,000-step Python loop takes {reference_loop():.2f} s here now "
        "(a gauge of how busy the CPUs are)"
    )

    from zhengwu.core.models import Organization
    from zhengwu.disclosure.documents import read_report_docx, report_docx
    from zhengwu.disclosure.models import DisclosureRequest
    from zhengwu.disclosure.services.reports import build_report

    out = io.StringIO()
    began = time.perf_counter()
    call_command("disclosure", "import-requests", str(path), stdout=out)
    imported = time.perf_counter() - began
    print(f"import-requests: {imported:.1f} s — {out.getvalue().strip()}")
    print(f"  ({figures['events']:,} lines with events, {figures['open']:,} still open on live clocks)")

    root = Organization.objects.get(code="SFX")
    began = time.perf_counter()
    report = build_report(organization=root, year=args.year)
    as_json = json.dumps(report, ensure_ascii=False)
    json_seconds = time.perf_counter() - began
    began = time.perf_counter()
    content = report_docx(report)
    docx_seconds = time.perf_counter() - began
    total = imported + json_seconds + docx_seconds
    t3 = report["三、收到和处理政府信息公开申请情况"]
    print(
        f"government-level {args.year} report: JSON {json_seconds:.2f} s ({len(as_json) / 1e3:.0f} kB), "
        f".docx {docx_seconds:.2f} s ({len(content) / 1e3:.0f} kB); "
        f"新收 {t3['一、本年新收政府信息公开申请数量']['总计']:,}，上年结转 {t3['二、上年结转政府信息公开申请数量']['总计']:,}，"
        f"办结 {t3['三、本年度办理结果']['（七）总计']['总计']:,}，结转下年 {t3['四、结转下年度继续办理']['总计']:,}"
    )
    assert read_report_docx(content) == report, "the .docx does not read back equal to the JSON"
    assert DisclosureRequest.objects.count() == args.requests
    verdict = "within" if total < TARGET_SECONDS else "OVER"
    print(f"import + government-level report: {total:.1f} s — {verdict} the {TARGET_SECONDS:.0f} s target")
    if not scratch:
        print("(the imported requests are left in the database)")


if __name__ == "__main__":
    main()
