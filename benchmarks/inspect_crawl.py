"""Run the inspector on one site in a process of its own and print its figures as JSON (used by inspect.py, so
that the peak RSS measured is the inspector's alone).

    python benchmarks/inspect_crawl.py URL AS_OF [in-process] [--terms 词1,词2] [--findings]
"""

# ruff: noqa: E402 — the import path is fixed before the other imports (see below)
from __future__ import annotations

import sys

# The benchmark folder holds a file named like the standard library's ``inspect``: keep it off the import path.
sys.path[:] = [p for p in sys.path if p not in ("", __file__.rsplit("/", 1)[0])]

import json
import resource
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from zhengwu.inspection.engine import inspect_sites


def main() -> None:
    args = sys.argv[1:]
    url, as_of = args[0], date.fromisoformat(args[1])
    # "in-process": never start the parse worker (to measure the main process alone).
    parse_aside = False if "in-process" in args else None
    terms = args[args.index("--terms") + 1].split(",") if "--terms" in args else []
    started = time.perf_counter()
    [report] = inspect_sites(
        [url], as_of=as_of, county_terms=terms, crawl_options={"max_pages": 20000}, parse_aside=parse_aside
    )
    elapsed = time.perf_counter() - started
    broken = sorted(
        {f.target for f in report.findings if f.check == "broken_link" and f.evidence.get("counted")}
    )
    figures = {
        "pages": report.pages_crawled,
        "requests": report.stats["requests"],
        "elapsed": elapsed,
        "crawl_seconds": report.stats["crawl_seconds"],
        "broken": broken,
        "findings": len(report.findings),
        "verdict": report.verdict,
        "score": report.score,
        "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        # Pages parsed in the second process (started only with a CPU to spare), and its own peak RSS.
        "pages_parsed_aside": report.stats["pages_parsed_aside"],
        "worker_max_rss_kb": report.stats["parse_worker_max_rss_kb"],
        "spare_cpus": report.stats["spare_cpus"],
        "check_seconds": report.stats["check_seconds"],
    }
    if "--findings" in args:
        figures["finding_list"] = [f.as_json() for f in report.findings]
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
