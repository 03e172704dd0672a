"""Browser tests: Debian's chromium driven by Playwright (no browser download)."""

from __future__ import annotations

import os
import shutil
import threading
import time

import pytest

CHROMIUM = os.environ.get("ZHENGWU_CHROMIUM", "/usr/bin/chromium")
# One setting for every wait of the browser tests: a loaded machine (load 12 on 2 cores) needs more than a quiet one.
TIMEOUT_MS = int(os.environ.get("ZHENGWU_E2E_TIMEOUT_MS", "30000"))
LAUNCH_ATTEMPTS = 3
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def launch(playwright, error):
    """Chromium, retried: on a slow machine its first start can miss Playwright's launch timeout."""
    for attempt in range(1, LAUNCH_ATTEMPTS + 1):
        try:
            return playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, timeout=TIMEOUT_MS * 2
            )
        except error:
            if attempt == LAUNCH_ATTEMPTS:
                raise
            time.sleep(2 * attempt)


def new_context(browser, **options):
    """A browser context in Chinese and Shanghai time whose waits use the one timeout setting."""
    options.setdefault("locale", "zh-CN")
    options.setdefault("timezone_id", "Asia/Shanghai")
    context = browser.new_context(**options)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS * 2)
    return context


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module, stopped afterwards.

    While Playwright runs, an event loop runs in this thread: other tests' ``asyncio.run()`` (the inspector) would
    fail, and Django would refuse synchronous ORM calls. So the browser lives only as long as a browser module,
    and the flag that lets the ORM work beside the loop is removed again when it stops (it must not leak into the
    environment of later tests, nor of the processes they start).
    """
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(f"未找到 chromium（{CHROMIUM}）：浏览器测试跳过。以 root 运行 ./zw test 会自动安装。")
    sync_api = pytest.importorskip("playwright.sync_api")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            browser = launch(playwright, sync_api.Error)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = new_context(browser)
    page = context.new_page()
    yield page
    context.close()


# -- a quiet live server between tests ---------------------------------------------------------------------------
# A page left open keeps its timers, and closing it sends its `pagehide` beacons (the 受理台 saves its draft that
# way). Those requests must reach the live server while the test's database still exists: a request arriving while
# the database is flushed for the next test locks SQLite's schema table or writes rows into the next test. So each
# browser test closes every context it opened and waits until the server has had no request in flight for a moment.
_requests = {"in_flight": 0, "last": 0.0}
_requests_lock = threading.Lock()
_serve_lock = threading.RLock()
QUIET_SECONDS = 0.5
QUIET_LIMIT_SECONDS = 20


@pytest.fixture(scope="session", autouse=True)
def _count_live_server_requests():
    from django.core.handlers.wsgi import WSGIHandler

    original = WSGIHandler.__call__

    from django.db import connection

    # On SQLite the live server's threads share the test's one in-memory connection: two requests at once (a page
    # and its favicon, a page and its pagehide beacon) interleave their savepoints and lose a session. Answer them
    # one at a time there; PostgreSQL gives each thread its own connection.
    one_at_a_time = connection.vendor == "sqlite"

    def counted(self, environ, start_response):
        with _requests_lock:
            _requests["in_flight"] += 1
            _requests["last"] = time.monotonic()
        try:
            if one_at_a_time:
                with _serve_lock:
                    return original(self, environ, start_response)
            return original(self, environ, start_response)
        finally:
            with _requests_lock:
                _requests["in_flight"] -= 1
                _requests["last"] = time.monotonic()

    WSGIHandler.__call__ = counted
    yield
    WSGIHandler.__call__ = original


def wait_until_live_server_is_quiet() -> None:
    deadline = time.monotonic() + QUIET_LIMIT_SECONDS
    while time.monotonic() < deadline:
        with _requests_lock:
            if _requests["in_flight"] == 0 and time.monotonic() - _requests["last"] >= QUIET_SECONDS:
                return
        time.sleep(0.05)


@pytest.fixture(autouse=True)
def _close_pages_before_the_database_goes(request):
    """Torn down before the database fixture (autouse, defined after pytest-django's): every context of this
    module's browser is closed and its last requests are answered while the test's data still exists."""
    browser = request.getfixturevalue("browser") if "browser" in request.fixturenames else None
    yield
    if browser is None:
        return
    for context in list(browser.contexts):
        try:
            context.close()
        except Exception:  # already closed by the test
            pass
    wait_until_live_server_is_quiet()
