"""Benchmark: 改版迁移 of a generated old site (the inspection corpus's TRS-style county site, scaled up).

    python benchmarks/migrate.py [--pages 10000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zw_migrate_bench python benchmarks/migrate.py

The old site is served from a separate process (so its bytes are not counted in this one's memory); the target is a
fresh database (temporary SQLite unless ``DATABASE_URL``). Printed: pages and seconds, pages per second and the
peak resident memory of the import, against the baseline of crawling and reading the same site with the
inspector's crawler alone (what any import has to pay), and the time of a second run (which must change nothing).

Measured on the shared 2-core machine under load from other work (SQLite, 11,977 pages, TRS-style site):
baseline crawl + read 79 pages/s (151 s, peak RSS 313 MB); first import 33 pages/s (360 s, peak RSS 450 MB);
second run 67 pages/s (179 s, nothing created or updated).
"""

# ruff: noqa: E402 — the import path is fixed before the other imports (see setup_django)
from __future__ import annotations

import sys

sys.path[:] = [p for p in sys.path if p not in ("", __file__.rsplit("/", 1)[0])]

import argparse
import datetime as dt
import multiprocessing
import os
import resource
import tempfile
import time
from pathlib import Path


def setup_django() -> str:
    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings.dev")
    os.environ.setdefault("ZHENGWU_TASKS_BACKEND", "django_tasks.backends.dummy.DummyBackend")
    os.environ.setdefault("ZHENGWU_DEBUG", "0")
    if not os.environ.get("DATABASE_URL"):
        data_dir = tempfile.mkdtemp(prefix="zhengwu-bench-")
        os.environ["ZHENGWU_DATA_DIR"] = data_dir
        os.environ["DATABASE_URL"] = f"sqlite:///{data_dir}/bench.sqlite3"
    import django

    django.setup()
    from django.db import connection

    return f"{connection.vendor} {connection.settings_dict['NAME']}"


def serve(scale: int, ready) -> None:
    from zhengwu.inspection.corpus import FAMILIES, build_corpus
    from zhengwu.inspection.corpus.serve import Server

    family = next(f for f in FAMILIES if f.code == "trs")
    site = next(
        s
        for s in build_corpus(external_base="http://127.0.0.1:9", scale=scale, families=(family,))
        if s.clean
    )
    with Server(site.resources) as server:
        ready.send((server.base, site.pages))
        ready.recv()  # until told to stop


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=10000, help="about how many pages the old site has")
    args = parser.parse_args()
    scale = max(1, round(args.pages / 30))  # the news column holds 30 items per scale step
    database = setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    from zhengwu.core.models import Organization, OrganizationKind
    from zhengwu.inspection.corpus import AS_OF
    from zhengwu.portal.migration.crawl import crawl_old_site
    from zhengwu.portal.migration.importer import import_site
    from zhengwu.portal.services import create_site

    org = Organization.objects.create(name="青山县人民政府", kind=OrganizationKind.GOVERNMENT, code="QSX")
    create_site(
        organization=org, site_name="青山县人民政府", hostname="new.example.test", port=80, actor=None
    )

    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve, args=(scale, child), daemon=True)
    server.start()
    base, pages = parent.recv()
    print(f"database: {database}; old site: {pages} pages (scale {scale})")
    try:
        start = time.perf_counter()
        old = crawl_old_site(base + "/", as_of=AS_OF, timeout=30)
        crawl_seconds = time.perf_counter() - start
        crawl_rss = rss_mb()
        del old
        start = time.perf_counter()
        result = import_site(start_url=base + "/", hostname="new.example.test", as_of=AS_OF, timeout=30)
        import_seconds = time.perf_counter() - start
        import_rss = rss_mb()
        start = time.perf_counter()
        again = import_site(start_url=base + "/", hostname="new.example.test", as_of=AS_OF, timeout=30)
        again_seconds = time.perf_counter() - start
    finally:
        parent.send("stop")
        server.join(5)
    imported = len(result.pages)
    print(
        f"baseline  crawl + read only : {pages / crawl_seconds:8.1f} pages/s  ({crawl_seconds:.1f} s), peak RSS {crawl_rss:.0f} MB"
    )
    print(
        f"import    first run          : {imported / import_seconds:8.1f} pages/s  ({import_seconds:.1f} s, {imported} pages mapped, {result.created} created), peak RSS {import_rss:.0f} MB"
    )
    print(
        f"import    second run         : {imported / again_seconds:8.1f} pages/s  ({again_seconds:.1f} s, {again.created} created, {again.updated} updated, {again.unchanged} unchanged)"
    )
    print(f"unmapped: {len(result.unmapped)}; run on {dt.date.today().isoformat()}, {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
