"""Pages parsed in the second process give the same inspection as pages parsed in-process, and losing that process
in the middle of a crawl costs nothing but time."""

from __future__ import annotations

import asyncio
import os
import signal
import time

from zhengwu.inspection.checks.typos import TermMatcher
from zhengwu.inspection.crawler import Reason
from zhengwu.inspection.engine import inspect_site_async
from zhengwu.inspection.extract import parse_page
from zhengwu.inspection.parse_worker import (
    ParseWorker,
    cpu_sample,
    decode_page,
    encode_page,
    spare_cpus,
    usable_cpus,
)

from .fixture_site import AS_OF, Site

TERMS = ["王建国", "示范县人民政府"]


def inspect(url: str, parser: ParseWorker, *, ready: bool, kill_after: int | None = None):
    async def go():
        killer = None
        try:
            if ready:
                assert await parser.start(), "the parse worker did not start"
            if kill_after is not None:

                async def kill_when_busy():
                    while parser.parsed_remotely < kill_after:
                        await asyncio.sleep(0.001)
                    os.kill(parser.pid, signal.SIGKILL)

                killer = asyncio.create_task(kill_when_busy())
            return await inspect_site_async(url, as_of=AS_OF, terms=TermMatcher.build(TERMS), parser=parser)
        finally:
            if killer is not None:
                killer.cancel()
            await parser.close()

    return asyncio.run(go())


def outcome(report):
    # How many calendar URLs were pruned depends on timing (which pages the crawl reached first), wherever pages
    # are parsed: that count is left out of the comparison.
    findings = sorted(
        (
            f.check,
            f.fingerprint_key(),
            f.severity,
            "" if f.evidence.get("reason") == Reason.TRAP else f.summary,
        )
        for f in report.findings
    )
    return findings, report.verdict, report.score, report.pages_crawled


def test_pages_cross_to_the_worker_and_back_unchanged():
    site = Site(True, "http://127.0.0.1:8001", "http://127.0.0.1:9").build()
    pages = 0
    for path, resource in site.resources.items():
        if resource.content_type.startswith("text/html"):
            html = resource.body.decode("utf-8", errors="replace")
            page = parse_page(html, f"http://127.0.0.1:8000{path}")
            assert decode_page(encode_page(page)) == page
            pages += 1
    assert pages >= 20


def test_worker_inspects_like_the_main_process(defect_site):
    url = defect_site.base + "/"
    local = inspect(url, ParseWorker(enabled=False), ready=False)
    aside_parser = ParseWorker(enabled=True, start_after=0)
    aside = inspect(url, aside_parser, ready=True)
    assert local.stats["pages_parsed_aside"] == 0
    assert aside.stats["pages_parsed_aside"] == aside_parser.parsed_remotely == aside.pages_crawled
    assert aside_parser.max_rss_kb > 0  # reported by the worker as it stopped
    assert outcome(aside) == outcome(local)
    assert any(f.check == "serious_typo" for f in aside.findings)


def test_losing_the_worker_mid_crawl_loses_nothing(defect_site):
    url = defect_site.base + "/"
    local = inspect(url, ParseWorker(enabled=False), ready=False)
    parser = ParseWorker(enabled=True, start_after=0)
    report = inspect(url, parser, ready=True, kill_after=3)
    assert parser.parsed_remotely >= 3 and parser.parsed_locally > 0
    assert parser.parsed_remotely + parser.parsed_locally == report.pages_crawled
    assert outcome(report) == outcome(local)


def test_the_worker_waits_for_a_large_site_and_a_spare_cpu(clean_site):
    # A small site never starts it; neither does a machine without a CPU to spare.
    small = inspect(clean_site.base + "/", ParseWorker(start_after=10_000), ready=False)
    assert small.stats["pages_parsed_aside"] == 0 and small.pages_crawled > 0
    busy = ParseWorker(start_after=0, min_spare_cpus=1_000)
    time.sleep(0.3)  # long enough for the idle time to be measured
    report = inspect(clean_site.base + "/", busy, ready=False)
    assert report.stats["pages_parsed_aside"] == 0 and busy.pid is None
    if cpu_sample() is not None and usable_cpus() > 1:
        assert busy.spare_cpus is not None and 0 <= busy.spare_cpus <= os.cpu_count()
    assert spare_cpus(None) is None


def test_the_worker_waits_for_pages_still_to_fetch():
    # Enough pages parsed, but too few still waiting to repay a second interpreter: it is not started; once as
    # many pages wait as were parsed before, it is.
    waiting = {"pages": 0}
    parser = ParseWorker(enabled=True, start_after=2, backlog=lambda: waiting["pages"])

    async def go():
        try:
            first = [
                await parser.parse("<html><body><p>一</p></body></html>", "http://a.test/") for _ in range(5)
            ]
            assert parser.pid is None and parser.parsed_locally == 5
            waiting["pages"] = 2
            await parser.parse("<html><body><p>二</p></body></html>", "http://a.test/2.html")
            assert await parser.start(), "the parse worker did not start"
            later = await parser.parse("<html><body><p>三</p></body></html>", "http://a.test/3.html")
            return first, later
        finally:
            await parser.close()

    first, later = asyncio.run(go())
    assert parser.parsed_remotely == 1 and later.text == "三"
    assert first[0] == parse_page("<html><body><p>一</p></body></html>", "http://a.test/")
