"""Walk the old site once with the inspector's crawler; read every page with the inspector's extraction, dates and
page-kind inference, and keep only what the import needs (the HTML is dropped as each page is read)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from zhengwu.inspection.crawler import (
    ATTACHMENT_EXTENSIONS,
    NON_HTML_EXTENSIONS,
    REASON_LABELS,
    CrawlConfig,
    Crawler,
    FetchedPage,
    extension_of,
    host_of,
)
from zhengwu.inspection.dates import plausible
from zhengwu.inspection.extract import CRUMB_TAILS, parse_page
from zhengwu.inspection.kinds import HOME, LIST, KindRules, column_key, infer_kind
from zhengwu.inspection.rules import RuleSet, load_rules

from . import content


@dataclass
class OldPage:
    url: str  # the URL the page answered at (after the old site's own redirects)
    aliases: list[str]  # other URLs that led here (linked URL before a redirect)
    kind: str  # the inspector's kind: home, list, message, guide, interpretation, policy, article, page
    title: str
    column_name: str
    crumbs: list[str]
    order: int  # discovery order
    published: dt.date | None = None
    source: str = ""
    body: content.Body | None = None
    links: list[str] = field(default_factory=list)  # every internal link of the page, in document order
    rows: list[tuple[str, dt.date | None]] = field(
        default_factory=list
    )  # list pages: item URLs with row dates
    column_key: str = ""
    document_number: str = ""
    written_on: dt.date | None = None
    issuer: str = ""
    attachments: list[tuple[str, str]] = field(default_factory=list)  # attachment links outside the body


@dataclass
class OldSite:
    start_url: str
    home: OldPage | None
    pages: dict[str, OldPage]
    failures: list[tuple[str, str]]  # (url, reason) for pages that could not be fetched
    limits: dict[str, int]


def _config(url: str, rules: RuleSet, *, max_pages: int, timeout: float | None) -> CrawlConfig:
    crawl_rules = rules.checks.get("crawl", {})
    return CrawlConfig(
        start_urls=[url],
        max_pages=max_pages,
        max_depth=max_pages,  # an import wants every page: long pagers are deep, the page limit bounds the walk
        timeout=timeout or float(crawl_rules.get("timeout_seconds", 15)),
        check_resources=False,  # attachments are downloaded by the import itself
        check_external=False,
        concurrency=8,
        per_host=4,
        user_agent="Mozilla/5.0 (compatible; zhengwu-site-import/1.0)",
    )


PROGRESS_EVERY = 50  # pages between two progress reports of the crawl


def crawl_old_site(
    url: str,
    *,
    as_of: dt.date,
    max_pages: int = 50000,
    timeout: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> OldSite:
    """``progress`` is called (in a worker thread) with the number of pages read, every ``PROGRESS_EVERY`` pages."""
    rules = load_rules()
    kinds = KindRules(rules)
    config = _config(url, rules, max_pages=max_pages, timeout=timeout)
    pages: dict[str, OldPage] = {}
    crawler: Crawler

    def on_page(fetched: FetchedPage):
        parsed = parse_page(fetched.html, fetched.final_url)
        is_home = not pages and fetched.depth == 0
        kind = infer_kind(parsed, is_home=is_home, kinds=kinds)
        if (
            kind not in (HOME, LIST)
            and len(parsed.rows) >= 2
            and parsed.meta_pub_date is None
            and parsed.label_pub_date is None
            and "articletitle" not in parsed.meta
        ):
            # A short column (two dated items) is still a column: the inspector needs three rows to be sure, but
            # a page with an item list and no date of its own is no article.
            kind = LIST
        internal = [
            link.url
            for link in parsed.links
            if host_of(link.url) in crawler.internal_hosts and link.tag in ("a", "area")
        ]
        page = OldPage(
            url=fetched.final_url,
            aliases=[fetched.url] if fetched.url != fetched.final_url else [],
            kind=kind,
            title=parsed.title,
            column_name=parsed.column_name,
            crumbs=[c for c in parsed.breadcrumb if c != "首页" and c not in CRUMB_TAILS],
            order=len(pages),
            links=internal,
        )
        if kind == LIST:
            page.rows = [(row.url, row.date) for row in parsed.rows + parsed.undated_rows]
            page.column_key = column_key(fetched.final_url)
        elif kind != HOME:
            page.title = content.title_of(fetched.html, parsed.meta, parsed.title)
            page.body = content.extract_body(fetched.html, fetched.final_url)
            # Only a date the old site showed (meta tag, labelled line, a date line under the title): never the day
            # of the import, and never a date in the URL (some CMSs put the day the item was created there).
            page.published = plausible(parsed.visible_date, as_of)
            text = parsed.text
            page.source = content.source(text, parsed.meta)
            page.document_number = content.document_number(text)
            page.written_on = plausible(content.written_on(text), as_of)
            page.issuer = content.issuer(text)
            in_body = {url for url, _ in page.body.links}
            page.attachments = [
                (link.url, link.text)
                for link in parsed.links
                if link.tag == "a"
                and link.url not in in_body
                and extension_of(link.url) in ATTACHMENT_EXTENSIONS
                and host_of(link.url) in crawler.internal_hosts
            ]
        pages[fetched.final_url] = page
        if progress is not None and len(pages) % PROGRESS_EVERY == 0:
            return _reported(len(pages), parsed.links)
        return parsed.links

    async def _reported(count: int, links):
        # In a worker thread, as the inspector's progress: the callback may write to the database, which Django
        # does not allow from the crawl's event loop.
        await asyncio.to_thread(progress, count)
        return links

    crawler = Crawler(config, on_page)
    result = asyncio.run(crawler.run())
    home = pages.get(result.home_url or "") if result.home_url else None
    failures = []
    for fetched_url, fetch in result.fetches.items():
        if host_of(fetched_url) not in result.internal_hosts or fetched_url in pages:
            continue
        if extension_of(fetched_url) in NON_HTML_EXTENSIONS or fetch.redirect_to is not None:
            continue
        if fetch.reason is not None or fetch.status is None or fetch.status >= 400:
            label = REASON_LABELS.get(fetch.reason or "", "") if fetch.reason else ""
            if fetch.status and fetch.status >= 400:
                label = f"原网站返回 HTTP {fetch.status}"
            failures.append((fetched_url, label or "页面无法读取"))
    # Pages reached through a redirect on the old site: their linked URL is an alias of the final one.
    for fetched_url, fetch in result.fetches.items():
        if fetch.redirect_to is not None:
            resolved = result.resolve(fetched_url)
            if resolved is not None and resolved.final_url in pages and fetched_url not in pages:
                target = pages[resolved.final_url]
                if fetched_url not in target.aliases:
                    target.aliases.append(fetched_url)
    return OldSite(
        start_url=result.start_url,
        home=home,
        pages=pages,
        failures=sorted(failures),
        limits=dict(result.skipped_limits),
    )
