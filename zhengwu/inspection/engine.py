"""Inspect sites end to end without Django: crawl, run every registered check, score.

    reports = inspect_sites(["https://www.example.gov.cn/"], as_of=date(2025, 6, 30), county_terms=["张三县长"])

The database side (services.run_inspection) calls the same function and stores the result; the CLI prints it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .checks.base import Check, Context, Finding, Message, PageFacts, Probe, SiteData, registered_checks
from .checks.typos import TermMatcher
from .crawler import CrawlConfig, Crawler, FetchedPage, Link
from .extract import ParsedPage, parse_page
from .kinds import ARTICLE_KINDS, LIST, KindRules, column_key, infer_kind
from .parse_worker import ParseWorker
from .rules import RuleSet, load_rules
from .scoring import ScoreResult, score_findings

SEVERITY_ORDER = {"veto": 0, "deduction": 1, "notice": 2}
_CONTENT_TAGS = frozenset(("a", "area", "iframe", "frame", "img", "embed"))


@dataclass
class SiteReport:
    url: str
    home_url: str | None
    as_of: date
    pages_crawled: int
    findings: list[Finding]
    result: ScoreResult
    elapsed: float
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        return self.result.verdict

    @property
    def score(self) -> float | None:
        return self.result.score

    def as_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "verdict": self.verdict,
            "score": self.score,
            "pages_crawled": self.pages_crawled,
            "findings": [f.as_json() for f in self.findings],
        }


@dataclass(frozen=True)
class Progress:
    """A snapshot of one site's crawl, given to a progress callback every ``PROGRESS_INTERVAL`` seconds and once
    at the end (``done``)."""

    url: str
    pages: int  # pages fetched and analyzed
    requests: int  # URLs requested (pages, resources, external links)
    queued: int  # URLs waiting or in flight
    errors: int  # URLs that failed (broken links, timeouts)
    elapsed: float
    done: bool = False

    @property
    def rate(self) -> float:
        return self.pages / self.elapsed if self.elapsed > 0 else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "pages": self.pages,
            "requests": self.requests,
            "queued": self.queued,
            "errors": self.errors,
            "elapsed": round(self.elapsed, 1),
            "rate": round(self.rate, 1),
            "done": self.done,
        }


ProgressCallback = Callable[[Progress], None]
PROGRESS_INTERVAL = 0.5


def _snapshot(crawler: Crawler, url: str, started: float, *, done: bool = False) -> Progress:
    fetches = crawler.fetches
    return Progress(
        url=url,
        pages=crawler.pages_crawled,
        requests=len(fetches),
        queued=max(0, crawler.pending),
        errors=crawler.error_count,
        elapsed=time.perf_counter() - started,
        done=done,
    )


async def _watch(
    crawler: Crawler,
    url: str,
    started: float,
    callback: ProgressCallback,
    interval: float,
    stop: asyncio.Event,
) -> None:
    """Call ``callback`` with the crawl's figures every ``interval`` seconds, in a worker thread (so that it may
    write to a terminal or a database without holding up the crawl), until ``stop`` is set. The watcher is
    stopped, not cancelled: a cancelled await would leave its thread running, and a periodic snapshot written
    after the final one would overwrite "done"."""
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), interval)
        except TimeoutError:
            await asyncio.to_thread(callback, _snapshot(crawler, url, started))


class Analyzer:
    """Receives each page from the crawler, keeps its facts, lets every check look at it, returns its links."""

    def __init__(self, ctx: Context, checks: list[Check], parser: ParseWorker | None = None) -> None:
        self.ctx = ctx
        self.checks = checks
        self.parser = parser
        self.pages: dict[str, PageFacts] = {}
        self.aliases: dict[str, str] = {}
        markers = ctx.rules.checks["columns"]["empty_markers"]
        self.empty_markers = sorted(markers, key=len, reverse=True)
        self.kinds = KindRules(ctx.rules)
        self.check_seconds: dict[str, float] = {check.code: 0.0 for check in checks}
        self.home_links: frozenset[str] | None = None
        self.home_lines: frozenset[str] = frozenset()
        self.home_shown: frozenset[str] = frozenset()

    def on_page(self, fetched: FetchedPage) -> list[Link] | Awaitable[list[Link]]:
        if self.parser is not None:
            return self._on_page_parsed_aside(fetched)
        return self.analyze(fetched, parse_page(fetched.html, fetched.final_url))

    async def _on_page_parsed_aside(self, fetched: FetchedPage) -> list[Link]:
        assert self.parser is not None
        page = await self.parser.parse(fetched.html, fetched.final_url)
        return self.analyze(fetched, page)

    def analyze(self, fetched: FetchedPage, page: ParsedPage) -> list[Link]:
        is_home = self.home_links is None
        kind = infer_kind(page, is_home=is_home, kinds=self.kinds)
        is_list = kind == LIST
        is_article = kind in ARTICLE_KINDS
        link_urls = frozenset(link.url for link in page.links if link.tag in ("a", "area", "iframe", "frame"))
        # What the page shows beyond the site's furniture: links and media the homepage does not carry, text
        # lines it does not show, a form to fill in.
        shown = frozenset(link.url for link in page.links if link.tag in _CONTENT_TAGS)
        lines = page.text.split("\n")
        if is_home:
            self.home_links = link_urls
            self.home_shown = shown
            self.home_lines = frozenset(lines)
            content_links, content_chars = len(shown), len(page.text)
        else:
            home_lines = self.home_lines
            content_links = len(shown - self.home_shown - {fetched.final_url, fetched.url}) + int(
                page.has_form
            )
            content_chars = sum(len(line) for line in lines if len(line) >= 8 and line not in home_lines)
        empty = ""
        if not page.rows and not page.undated_rows and len(page.text) < 20000:
            empty = next((m for m in self.empty_markers if m in page.text), "")
        facts = PageFacts(
            url=fetched.final_url,
            requested_url=fetched.url,
            depth=fetched.depth,
            referrer=fetched.referrer,
            anchor=fetched.anchor,
            title=page.title[:200],
            column_name=page.column_name[:60],
            is_list=is_list,
            rows=page.rows,
            undated_rows=page.undated_rows,
            pub_date=page.pub_date,
            link_urls=link_urls,
            is_article=is_article,
            empty_marker=empty,
            truncated=fetched.truncated,
            kind=kind,
            visible_date=page.visible_date,
            content_links=max(0, content_links),
            content_chars=content_chars,
            column_key=column_key(fetched.final_url),
            linked_from_home=not is_home
            and (fetched.final_url in self.home_links or fetched.url in self.home_links),  # type: ignore[operator]
        )
        self.pages[facts.url] = facts
        if fetched.url != fetched.final_url:
            self.aliases[fetched.url] = fetched.final_url
        seconds = self.check_seconds
        clock = time.perf_counter
        for check in self.checks:
            started = clock()
            check.on_page(page, facts)
            seconds[check.code] += clock() - started
        return page.links


def crawl_config_for(url: str, rules: RuleSet, overrides: dict[str, Any] | None = None) -> CrawlConfig:
    crawl_rules = rules.checks.get("crawl", {})
    config = CrawlConfig(
        start_urls=[url],
        max_pages=int(crawl_rules.get("max_pages", 5000)),
        max_depth=int(crawl_rules.get("max_depth", 12)),
        timeout=float(crawl_rules.get("timeout_seconds", 15)),
        external_timeout=float(crawl_rules.get("external_timeout_seconds", 10)),
    )
    for key, value in (overrides or {}).items():
        if value is not None:
            if not hasattr(config, key):
                raise ValueError(f"unknown crawl option {key!r}")
            setattr(config, key, value)
    return config


async def inspect_site_async(
    url: str,
    *,
    as_of: date,
    terms: TermMatcher | None,
    rules: RuleSet | None = None,
    crawl_options: dict[str, Any] | None = None,
    probes: list[Probe] | None = None,
    messages: list[Message] | None = None,
    service_guides: list[dict[str, Any]] | None = None,
    parser: ParseWorker | None = None,
    parse_aside: bool | None = None,
    progress: ProgressCallback | None = None,
    progress_interval: float = PROGRESS_INTERVAL,
) -> SiteReport:
    """Inspect one site. Pages are parsed in a second process once the site proves large and a CPU is to spare
    (see parse_worker); ``parse_aside`` False keeps them in this process, True starts the worker whatever the load.
    A ``parser`` given instead is left for the caller to close. ``progress`` is called with a :class:`Progress`
    every ``progress_interval`` seconds while the crawl runs and once when it is over."""
    rules = rules or load_rules()
    started = time.perf_counter()
    ctx = Context(
        as_of=as_of, rules=rules, terms=terms, probes=probes, messages=messages, service_guides=service_guides
    )
    checks = [cls(ctx) for cls in registered_checks().values()]
    own_parser = parser is None
    if parser is None:
        parser = ParseWorker(enabled=parse_aside)
    analyzer = Analyzer(ctx, checks, parser)
    config = crawl_config_for(url, rules, crawl_options)
    crawler = Crawler(config, analyzer.on_page)
    if own_parser:
        parser.backlog = crawler.pages_waiting
    stop_watching = asyncio.Event()
    watcher = (
        asyncio.create_task(_watch(crawler, url, started, progress, progress_interval, stop_watching))
        if progress
        else None
    )
    try:
        crawl = await crawler.run()
    finally:
        if watcher is not None:
            stop_watching.set()
            await watcher  # the last periodic snapshot is written before the final one
        if own_parser:
            await parser.close()
    if progress is not None:
        await asyncio.to_thread(progress, _snapshot(crawler, url, started, done=True))
    site = SiteData(crawler.starts[0], crawl.home_url, crawl, analyzer.pages, analyzer.aliases)
    findings: list[Finding] = []
    for check in checks:
        check_started = time.perf_counter()
        findings.extend(check.finish(site))
        analyzer.check_seconds[check.code] += time.perf_counter() - check_started
    result = score_findings(findings, rules)
    findings.sort(key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.check, f.url, f.target))
    stats = {
        "requests": len(crawl.fetches),
        "crawl_seconds": round(crawl.elapsed, 3),
        "pruned": {k: len(v) for k, v in crawl.pruned.items()},
        "skipped": crawl.skipped_limits,
        "rules": f"{rules.code}@{rules.version}",
        "pages_parsed_aside": parser.parsed_remotely,
        "parse_worker_max_rss_kb": parser.max_rss_kb,
        "spare_cpus": None if parser.spare_cpus is None else round(parser.spare_cpus, 2),
        # CPU time of each check (its page hook and its closing pass), to name the slowest.
        "check_seconds": {code: round(value, 4) for code, value in analyzer.check_seconds.items()},
    }
    return SiteReport(
        url=crawler.starts[0],
        home_url=crawl.home_url,
        as_of=as_of,
        pages_crawled=crawl.pages_crawled,
        findings=findings,
        result=result,
        elapsed=time.perf_counter() - started,
        stats=stats,
    )


def inspect_sites(
    urls: Iterable[str],
    *,
    as_of: date,
    county_terms: Iterable[str] = (),
    rules: RuleSet | None = None,
    crawl_options: dict[str, Any] | None = None,
    probes: dict[str, list[Probe]] | None = None,
    parse_aside: bool | None = None,
    progress: ProgressCallback | None = None,
) -> list[SiteReport]:
    """Inspect several sites concurrently (each with its own per-host limits); reports in the order given.
    ``progress`` gets each site's :class:`Progress` (see inspect_site_async)."""
    rules = rules or load_rules()
    matcher = TermMatcher.build(county_terms)
    urls = list(urls)

    async def run_all() -> list[SiteReport]:
        return list(
            await asyncio.gather(
                *[
                    inspect_site_async(
                        u,
                        as_of=as_of,
                        terms=matcher,
                        rules=rules,
                        crawl_options=crawl_options,
                        probes=(probes or {}).get(u),
                        parse_aside=parse_aside,
                        progress=progress,
                    )
                    for u in urls
                ]
            )
        )

    return asyncio.run(run_all())
