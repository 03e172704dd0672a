"""Progress of running inspections: the engine's snapshots, the terminal display of ``zhengwu inspect`` (quiet
when the output is not a terminal) and the figures a run stores for the admin."""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import sys

import pytest
from django.core.management import call_command

from zhengwu.inspection import services
from zhengwu.inspection.checks.typos import TermMatcher
from zhengwu.inspection.corpus import AS_OF, build_corpus, external_resources
from zhengwu.inspection.corpus.families import PhpCms
from zhengwu.inspection.corpus.serve import Server
from zhengwu.inspection.engine import Progress, inspect_site_async
from zhengwu.inspection.progress import TerminalProgress, progress_summary


@pytest.fixture(scope="module")
def served():
    with Server(external_resources()) as outside:
        site = build_corpus(external_base=outside.base, families=(PhpCms(),))[0]  # the defect copy
        with Server(site.resources) as server:
            yield server.base + "/"


def test_engine_reports_progress_until_done(served):
    seen: list[Progress] = []
    report = asyncio.run(
        inspect_site_async(
            served,
            as_of=AS_OF,
            terms=TermMatcher.build([]),
            parse_aside=False,
            progress=seen.append,
            progress_interval=0.01,
        )
    )
    assert len(seen) >= 2
    assert [p.done for p in seen].count(True) == 1 and seen[-1].done
    assert all(a.pages <= b.pages for a, b in itertools.pairwise(seen))
    last = seen[-1]
    assert last.pages == report.pages_crawled and last.queued == 0
    broken = {f.target for f in report.findings if f.check == "broken_link"}
    assert last.errors >= len(broken) >= 3
    assert last.rate > 0 and last.url == served


def test_terminal_progress_redraws_one_line_per_site():
    stream = io.StringIO()
    show = TerminalProgress(stream, ["http://a.gov.cn/", "http://b.gov.cn/"])
    show(Progress("http://b.gov.cn/", pages=5, requests=9, queued=4, errors=1, elapsed=1.0))
    show(Progress("http://a.gov.cn/", pages=7, requests=8, queued=0, errors=0, elapsed=2.0, done=True))
    out = stream.getvalue()
    first, second = out.split("\x1b[1F")
    assert "检查中 http://b.gov.cn/" in first and "已抓取 5 页" in first and "队列 4" in first
    assert second.index("完成 http://a.gov.cn/") < second.index("http://b.gov.cn/")  # the order given
    assert "3.5 页/秒" in second and "错误 1" in second


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run_cli(url: str, stderr: io.StringIO, monkeypatch) -> dict:
    monkeypatch.setattr(sys, "stderr", stderr)
    out = io.StringIO()
    call_command("inspect", url, "--as-of", AS_OF.isoformat(), stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue()) if out.getvalue().strip() else {}


@pytest.mark.django_db
def test_cli_shows_progress_on_a_terminal_only(served, monkeypatch, capsys):
    terminal = _Terminal()
    _run_cli(served, terminal, monkeypatch)
    assert f"完成 {served}" in terminal.getvalue() and "页/秒" in terminal.getvalue()

    piped = io.StringIO()
    _run_cli(served, piped, monkeypatch)
    assert piped.getvalue() == ""
    assert "检查中" not in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_a_run_stores_its_progress_for_the_admin(served, monkeypatch):
    monkeypatch.setattr(services, "RUN_PROGRESS_INTERVAL", 0.01)
    site = services.register_site(actor=None, name="柳林县", url=served)
    run = services.run_inspection(site=site, as_of=AS_OF)
    assert run.status == "done"
    assert run.progress["done"] is True and run.progress["pages"] == run.pages_crawled
    assert run.progress["errors"] >= 3
    assert progress_summary(run.progress).startswith(f"已抓取 {run.pages_crawled} 页")
    assert progress_summary({}) == ""
