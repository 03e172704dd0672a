"""The check registry and the data every check sees.

A check is a class registered with :func:`register`. The engine makes one instance per inspected site; the
instance may look at each page while the crawl runs (``on_page``, for checks that read page text, so the text never
has to be kept) and returns its findings from ``finish`` once the crawl is over. Checks are pure: no database, no
network; what comes from the database (availability probes, our own interaction data) arrives in the context.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar

from ..crawler import CrawlResult
from ..extract import ListRow, ParsedPage
from ..rules import RuleSet


class Severity:
    VETO = "veto"
    DEDUCTION = "deduction"
    NOTICE = "notice"


SEVERITY_LABELS = {Severity.VETO: "单项否决", Severity.DEDUCTION: "扣分", Severity.NOTICE: "提示"}


@dataclass
class Finding:
    check: str
    url: str
    referrer: str = ""
    target: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)
    severity: str = Severity.NOTICE

    @property
    def summary(self) -> str:
        return str(self.evidence.get("summary", ""))

    def fingerprint_key(self) -> str:
        """What makes this the same problem in the next run (for closing fixed and reopening regressed findings)."""
        key = self.evidence.get("key")
        key = "" if key is None else key
        if self.check == "broken_link":
            # The same broken target may be reported from another referring page next time (crawl order).
            return f"{self.check}||{self.target}|{key}"
        return f"{self.check}|{self.url}|{self.target}|{key}"

    def as_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "severity": self.severity,
            "url": self.url,
            "referrer": self.referrer,
            "target": self.target,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class Probe:
    """One availability probe of a site's homepage (from the database, or the inspection's own fetch)."""

    at: datetime
    ok: bool
    elapsed: float | None
    status: int | None = None
    error: str = ""


@dataclass(frozen=True)
class Message:
    """A public message with its reply date, from our own interaction data (provided by the interaction app)."""

    title: str
    url: str
    received_on: date
    replied_on: date | None
    kind: str = "consultation"


@dataclass
class Context:
    as_of: date
    rules: RuleSet
    terms: Any  # typos.TermMatcher
    probes: list[Probe] | None = None
    messages: list[Message] | None = None
    service_guides: list[dict[str, Any]] | None = None


@dataclass(slots=True)
class PageFacts:
    """What is kept of a crawled page after its HTML is dropped."""

    url: str
    requested_url: str
    depth: int
    referrer: str
    anchor: str
    title: str
    column_name: str
    is_list: bool
    rows: list[ListRow]
    undated_rows: list[ListRow]
    pub_date: date | None
    link_urls: frozenset[str]
    is_article: bool
    empty_marker: str
    truncated: bool
    kind: str = "page"  # see kinds.py
    visible_date: date | None = None  # the date a reader sees (not one read off the URL)
    content_links: int = 0  # links, images and forms the homepage does not carry
    content_chars: int = 0  # text in lines the homepage does not show (header, menus and footer left out)
    column_key: str = ""  # the URL of the first page of this page's pager
    linked_from_home: bool = False


@dataclass
class SiteData:
    start_url: str
    home_url: str | None
    crawl: CrawlResult
    pages: dict[str, PageFacts]
    aliases: dict[str, str]

    @property
    def home(self) -> PageFacts | None:
        return self.pages.get(self.home_url) if self.home_url else None

    def page(self, url: str) -> PageFacts | None:
        facts = self.pages.get(url)
        if facts is None and url in self.aliases:
            facts = self.pages.get(self.aliases[url])
        return facts


class Check:
    code: ClassVar[str]
    label: ClassVar[str]
    description: ClassVar[str] = ""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def on_page(self, page: ParsedPage, facts: PageFacts) -> None:
        pass

    def finish(self, site: SiteData) -> Iterable[Finding]:
        return []


_registry: dict[str, type[Check]] = {}


def register(cls: type[Check]) -> type[Check]:
    if cls.code in _registry and _registry[cls.code] is not cls:
        raise ValueError(f"duplicate inspection check code {cls.code!r}")
    _registry[cls.code] = cls
    return cls


def registered_checks() -> dict[str, type[Check]]:
    from . import load_builtin_checks

    load_builtin_checks()
    return dict(_registry)


def check_labels() -> dict[str, str]:
    return {code: cls.label for code, cls in registered_checks().items()}
