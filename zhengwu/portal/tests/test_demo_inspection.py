"""The demo county inspected as a county would inspect it: ``zhengwu demo`` served by ``zhengwu serve`` on a port
other than 8000, the portal and both sub-sites (``*.localhost``) crawled by the project's own inspector. No broken
link, no missing 党政机关网站标识 or other footer element, no missing meta tag, no veto finding (a false one would
fail a site that passes)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.utils import timezone

from zhengwu.inspection.checks.typos import TermMatcher
from zhengwu.inspection.engine import inspect_site_async

from .test_served_port import _free_port


@pytest.fixture(scope="module")
def served_demo(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("demo-inspection")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "ZHENGWU_BASE_URL")
    }
    env.update(
        ZHENGWU_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="zhengwu.settings.dev", PYTHONUNBUFFERED="1"
    )
    zw = [sys.executable, "-m", "zhengwu"]
    subprocess.run([*zw, "setup", "-v", "0"], env=env, check=True, timeout=900, capture_output=True)
    made = subprocess.run(
        [*zw, "demo", "--scale", "0.05"], env=env, timeout=900, capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    port = _free_port()
    log = data_dir / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [*zw, "serve", "--port", str(port), "--no-worker"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=30).close()
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError(log.read_text()) from None
                time.sleep(0.5)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.parametrize("host", ["127.0.0.1", "fgw.localhost", "qingshan.localhost"])
def test_the_served_demo_passes_its_own_inspection(served_demo, host):
    url = f"http://{host}:{served_demo}/"
    report = asyncio.run(
        inspect_site_async(
            url,
            as_of=timezone.localdate(),
            terms=TermMatcher.build([]),
            crawl_options={"check_external": False},  # no internet here: the national portals cannot answer
            parse_aside=False,
        )
    )
    assert report.pages_crawled > 20
    shown = [(f.check, f.severity, f.url, f.target) for f in report.findings]
    for check in ("broken_link", "footer_missing", "meta_missing"):
        assert not [f for f in shown if f[0] == check], shown
    assert not [f for f in shown if f[1] == "veto"], shown
    assert report.result.verdict == "合格", shown
