"""Benchmark: public-form rate limits under simultaneous requests from several worker processes.

    python benchmarks/ratelimit.py [--processes 4] [--per-process 20] [--limit 5] [--redis-url URL]

Reproduces the audit's case (80 posts at once against a limit of 5) on one SQLite file shared by several
processes, as gunicorn workers share it: each process runs ``--per-process`` threads (one submission each, as the
server's threads take requests) that wait for a common start time. Printed for each store: how many were admitted against the limit, and the time per
call (p50 / p95). The baseline is the earlier counter, Django's database cache ``incr`` (a read, then a write),
which lets more through than the limit; the database counter (``UPDATE … SET count = count + 1``) and Redis
``INCR`` (with ``--redis-url``, default ``redis://127.0.0.1:6379/15``; skipped when Redis does not answer) must
admit exactly the limit. A temporary data directory is used and removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Python puts this script's folder first on the path; sibling scripts (inspect.py) must not shadow standard modules.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).resolve().parent]

_CREATE = """
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from zhengwu.core.models import RateCounter
with connection.schema_editor() as editor:
    editor.create_model(RateCounter)
call_command("createcachetable", verbosity=0)
"""

_WORKER = """
import json, sys, threading, time
import django
django.setup()
from django.core.cache import cache
from django.db import connection
from zhengwu.core import ratelimit
store, start, count, limit = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
quota = ratelimit.Limit(limit, 3600)
def old_counter():
    # What the forms did before: add, then the cache's incr (a get and a set on the database cache).
    key = "bench:old"
    if cache.add(key, 1, 3600):
        return 1 <= limit
    return cache.incr(key) <= limit
results = []
barrier = threading.Barrier(count)
def request():
    # One submission per thread, as the development server and gunicorn's threads take them.
    try:
        barrier.wait()
        while time.time() < start:
            time.sleep(0.001)
        began = time.perf_counter()
        if store == "old-db-cache":
            ok = old_counter()
        else:
            ok = bool(ratelimit.consume(scope="bench", key="198.51.100.1", limit=quota))
        results.append((ok, (time.perf_counter() - began) * 1000))
    finally:
        connection.close()
threads = [threading.Thread(target=request) for _ in range(count)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({"admitted": sum(ok for ok, _ in results), "ms": [ms for _, ms in results]}))
"""


def run(
    store: str, env: dict[str, str], processes: int, per_process: int, limit: int
) -> tuple[int, list[float]]:
    start = time.time() + 6 + processes * 0.5
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, store, str(start), str(per_process), str(limit)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for _ in range(processes)
    ]
    results = []
    for worker in workers:
        out, _ = worker.communicate(timeout=600)
        if worker.returncode != 0:
            raise SystemExit(f"工作进程失败（{store}）")
        results.append(json.loads(out))
    return sum(r["admitted"] for r in results), [ms for r in results for ms in r["ms"]]


def redis_answers(url: str) -> bool:
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--per-process", type=int, default=20)
    parser.add_argument("--limit", type=int, default=5)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="zhengwu-bench-ratelimit-"))
    base = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "zhengwu.settings.dev",
        "ZHENGWU_DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir / 'bench.sqlite3'}",
        "REDIS_URL": "",
        "PYTHONPATH": str(ROOT),
    }
    try:
        subprocess.run([sys.executable, "-c", _CREATE], env=base, check=True, cwd=ROOT, timeout=300)
        stores = [
            ("old-db-cache", "数据库缓存 incr（原实现，基线）", base),
            (
                "database",
                "数据库计数行（UPDATE count = count + 1）",
                {**base, "ZHENGWU_RATELIMIT_STORE": "database"},
            ),
        ]
        if redis_answers(args.redis_url):
            stores.append(
                (
                    "cache",
                    "Redis INCR",
                    {
                        **base,
                        "REDIS_URL": args.redis_url,
                        "ZHENGWU_RATELIMIT_STORE": "cache",
                        "ZHENGWU_CACHE_PREFIX": f"bench-{os.getpid()}-{time.time_ns()}",
                    },
                )
            )
        total = args.processes * args.per_process
        print(
            f"{args.processes} 个进程同时提交，共 {total} 次，限额 {args.limit}（SQLite 文件 {data_dir.name}）"
        )
        for store, label, env in stores:
            admitted, timings = run(store, env, args.processes, args.per_process, args.limit)
            timings.sort()
            p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
            verdict = (
                "符合" if admitted == args.limit else "超出限额" if admitted > args.limit else "少于限额"
            )
            print(
                f"  {label}：放行 {admitted}/{args.limit}（{verdict}），"
                f"每次 p50 {statistics.median(timings):.2f} ms，p95 {p95:.2f} ms"
            )
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
