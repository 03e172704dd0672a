"""Benchmark: preview and carry out the merge of two departments holding a county's worth of open work.

    python benchmarks/reorg.py [--requests 1000] [--orders 200] [--items 2000] [--staff 30]

Each of the two departments gets ``--requests`` open 依申请公开 requests and ``--orders`` 12345 work orders (made
through the services, so every one has a real case clock), ``--items`` catalogue items with 索引号, ``--staff``
staff and a site with a column. Then the merge into a new body is previewed (:func:`plan_merge`) and carried out
(:func:`execute`), and the time, the database queries and the check that every due date is unchanged are printed
next to the target: the preview is what an administrator waits for on the admin page, the merge runs once.

Uses ``zhengwu.settings.dev`` with a temporary SQLite database (deleted afterwards), or a scratch database in
``DATABASE_URL``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

PREVIEW_TARGET_SECONDS = 5.0
MERGE_TARGET_SECONDS = 60.0
BJ = ZoneInfo("Asia/Shanghai")


def setup_django() -> tuple[str, str | None]:
    here = Path(__file__).resolve().parent
    sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != here]
    sys.path.insert(0, str(here.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings.dev")
    os.environ.setdefault("ZHENGWU_TASKS_BACKEND", "django_tasks.backends.dummy.DummyBackend")
    os.environ.setdefault("ZHENGWU_DEBUG", "0")
    data_dir = None
    if not os.environ.get("DATABASE_URL"):
        data_dir = tempfile.mkdtemp(prefix="zhengwu-bench-")
        os.environ["ZHENGWU_DATA_DIR"] = data_dir
        os.environ["DATABASE_URL"] = f"sqlite:///{data_dir}/bench.sqlite3"
    import django

    django.setup()
    from django.db import connection

    return f"{connection.vendor} {connection.settings_dict['NAME']}", data_dir


def build(args: argparse.Namespace) -> dict:
    from django.db import transaction

    from zhengwu.core.models import Organization, OrganizationKind, Role
    from zhengwu.core.services.orgs import create_organization
    from zhengwu.core.services.staff import create_staff, sync_roles
    from zhengwu.core.validators import make_credit_code
    from zhengwu.disclosure.models import Genre, Theme
    from zhengwu.disclosure.services import catalogue
    from zhengwu.disclosure.services.requests import Application, register_request
    from zhengwu.disclosure.services.rules import load_classifications, load_disclosure_clock_policies
    from zhengwu.interaction.models import Category
    from zhengwu.interaction.services.intake import Call, dispatch_order
    from zhengwu.interaction.services.rules import load_categories, load_hotline_limits
    from zhengwu.portal.services import create_site

    load_disclosure_clock_policies()
    load_classifications()
    load_hotline_limits()
    load_categories()
    sync_roles()
    root = Organization.objects.filter(parent__isnull=True).first() or create_organization(
        name="基准县人民政府",
        kind=OrganizationKind.GOVERNMENT,
        code="JZX",
        credit_code=make_credit_code("11990199000000001"),
        division_code="990199",
        actor=None,
    )
    center = create_organization(
        name="基准县12345热线中心", kind=OrganizationKind.INSTITUTION, code="JZ12345", parent=root, actor=None
    )
    operator = create_staff(
        username="bench-op",
        organization=center,
        display_name="话务员",
        roles=[Role.objects.get(code="hotline")],
        actor=None,
    )
    operator = type(operator).objects.get(pk=operator.pk)
    theme = Theme.objects.filter(parent__isnull=False, is_active=True).order_by("code").first()
    genre = Genre.objects.filter(is_active=True).order_by("pk").first()
    category = (
        Category.objects.filter(is_active=True).exclude(children__isnull=False).order_by("path").first()
    )
    departments = []
    for n, (name, code) in enumerate((("基准县经济和信息化局", "JZJXJ"), ("基准县科学技术局", "JZKJJ"))):
        org = create_organization(
            name=name, kind=OrganizationKind.DEPARTMENT, code=code, parent=root, actor=None
        )
        departments.append(org)
        for s in range(args.staff):
            create_staff(
                username=f"bench-{code.lower()}-{s}",
                organization=org,
                display_name=f"承办人{s}",
                roles=[Role.objects.get(code="hotline_handler")],
                actor=None,
            )
        with transaction.atomic():
            for r in range(args.requests):
                register_request(
                    organization=org,
                    application=Application(
                        applicant_kind="natural_person",
                        applicant_name=f"申请人{r}",
                        id_type="resident_id",
                        id_number="11010519491231002X",
                        phone="13800138000",
                        description="企业技术改造专项资金分配结果",
                        wanted_form="electronic",
                        delivery="email",
                    ),
                    channel="in_person",
                    received_on=dt.date(2026, 11, 2) + dt.timedelta(days=r % 28),
                    actor=None,
                )
            for o in range(args.orders):
                dispatch_order(
                    call=Call(
                        channel="电话",
                        kind="投诉",
                        urgency="一般",
                        category=category,
                        caller_name="李四",
                        caller_phone="13900001111",
                        location="基准县",
                        content=f"基准测试诉求第{o}件。",
                    ),
                    unit=org,
                    actor=operator,
                    outside_catalog_reason="基准测试派单",
                    received_at=dt.datetime(2026, 11, 2 + o % 27, 9, tzinfo=BJ),
                    dispatched_at=dt.datetime(2026, 11, 2 + o % 27, 9, 30, tzinfo=BJ),
                )
            for i in range(args.items):
                catalogue.create_item(
                    organization=org,
                    actor=None,
                    title=f"{name}公开信息{i}",
                    summary="基准测试",
                    theme=theme,
                    genre=genre,
                    written_on=dt.date(2026, 1, 1) + dt.timedelta(days=i % 300),
                )
        create_site(organization=org, site_name=name, hostname=f"bench-{n}.localhost", actor=None)
    return {"root": root, "departments": departments}


def due_dates() -> dict:
    from zhengwu.core.models import CaseClock

    return dict(CaseClock.objects.values_list("pk", "due_at"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="open requests per department")
    parser.add_argument("--orders", type=int, default=200, help="work orders per department")
    parser.add_argument("--items", type=int, default=2000, help="catalogue items per department")
    parser.add_argument("--staff", type=int, default=30, help="staff per department")
    args = parser.parse_args()
    database, scratch_dir = setup_django()
    try:
        from django.core.management import call_command
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        from zhengwu.core.services.calendar import seed_calendar_from_package

        seed_calendar_from_package(record_audit=False)
        print(f"database: {database}")
        began = time.perf_counter()
        county = build(args)
        print(
            f"built 2 departments × ({args.requests:,} requests, {args.orders:,} work orders, {args.items:,} items, "
            f"{args.staff} staff, 1 site) in {time.perf_counter() - began:.1f} s"
        )
        from zhengwu.core.services import reorg

        before = due_dates()
        successor = reorg.NewOrganization(
            name="基准县经济科技和信息化局", code="JZJKX", parent=county["root"]
        )
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            plan = reorg.plan_merge(
                predecessors=county["departments"],
                successor=successor,
                effective_on=timezone.localdate(),
                reason="基准测试",
            )
            preview = time.perf_counter() - began
        print(
            f"preview: {len(plan.lines):,} objects listed in {preview:.2f} s, {len(queries):,} queries "
            f"(target ≤ {PREVIEW_TARGET_SECONDS:.0f} s: {'met' if preview <= PREVIEW_TARGET_SECONDS else 'MISSED'})"
        )
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            reorg.execute(plan=plan, actor=None, expected_fingerprint=plan.fingerprint)
            merge = time.perf_counter() - began
        after = due_dates()
        same = sum(1 for pk, due in before.items() if after.get(pk) == due)
        print(
            f"merge: {merge:.2f} s, {len(queries):,} queries "
            f"(target ≤ {MERGE_TARGET_SECONDS:.0f} s: {'met' if merge <= MERGE_TARGET_SECONDS else 'MISSED'}); "
            f"due dates unchanged: {same:,} of {len(before):,} clocks"
        )
        for label, count in plan.counts():
            print(f"  {label}: {count:,}")
    finally:
        if scratch_dir:
            shutil.rmtree(scratch_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
