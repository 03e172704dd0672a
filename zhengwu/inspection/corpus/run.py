"""Run the inspector over corpus sites served on 127.0.0.1 and score each report against what was planted."""

from __future__ import annotations

import asyncio
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from ..checks.typos import TermMatcher
from ..engine import SiteReport, inspect_site_async
from .build import AS_OF, CorpusSite, build_corpus, external_resources
from .score import CheckScore, score_site
from .serve import Server


@dataclass
class CorpusRun:
    site: CorpusSite
    report: SiteReport
    scores: dict[str, CheckScore]


def inspect_corpus(
    *,
    scale: int = 1,
    families=None,
    parse_aside: bool | None = False,
    crawl_options: dict[str, Any] | None = None,
) -> list[CorpusRun]:
    """Build the corpus, serve every site, inspect each one (county terms from the site's term list) and score."""
    runs = []
    with ExitStack() as stack:
        outside = stack.enter_context(Server(external_resources()))
        kwargs = {"external_base": outside.base, "scale": scale}
        if families is not None:
            kwargs["families"] = families
        sites = build_corpus(**kwargs)
        for site in sites:
            server = stack.enter_context(Server(site.resources))
            site.base = server.base
            report = asyncio.run(
                inspect_site_async(
                    server.base + "/",
                    as_of=AS_OF,
                    terms=TermMatcher.build(site.terms),
                    crawl_options=crawl_options,
                    parse_aside=parse_aside,
                )
            )
            runs.append(CorpusRun(site, report, score_site(site, [f.as_json() for f in report.findings])))
    return runs
