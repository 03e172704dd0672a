"""A person searches the demo county's portal: types a two-character query, presses Enter, sees the words marked
in the results, narrows them by column and date, sorts by date; odd or over-long input gets a Chinese note with
what was typed still in the box, never an error page."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote, urlsplit

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import TransactionTestCase
from wagtail.models import Site

from .conftest import new_context

pytestmark = [
    pytest.mark.e2e,
    # Not transactional: pytest-django would empty every table after each test, the demo county included. Each
    # test runs in a transaction that is rolled back; the demo is built once, before it and outside it, by
    # ``demo_url``. serialized_rollback keeps a copy of what the migrations made, to put back afterwards.
    pytest.mark.django_db(serialized_rollback=True),
]

QUERY = "公开"  # two characters, found in many demo pages
TRADITIONAL_QUERY = "公開"


class _ModuleDatabase(TransactionTestCase):
    """What pytest-django does around one transactional test, done once around this module."""

    serialized_rollback = True


@pytest.fixture(scope="module")
def demo_url(django_db_setup, django_db_blocker):
    """The demo county, built once for the module and served by a live server of the module's own
    (pytest-django's ``live_server`` makes every test that uses it transactional). Afterwards the tables are
    emptied and what the migrations made is put back, so that the tests after these find the database as
    they would have."""
    from django.db import connection
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        _ModuleDatabase.setUpClass()  # restores the migrations' data if a transactional test emptied the tables
        database = _ModuleDatabase(methodName="__init__")
        if not _ModuleDatabase._pre_setup_ran_eagerly:
            database._pre_setup()
        server = None
        try:
            cache.clear()
            call_command("setup", verbosity=0)
            call_command("demo", scale=0.05, verbosity=0)
            server = LiveServer("localhost")
            server._live_server_modified_settings.enable()
            Site.objects.update(port=server.thread.port)
            yield server.url
        finally:
            if server is not None:
                server.stop()
                server._live_server_modified_settings.disable()
            database._post_teardown()
            _ModuleDatabase.tearDownClass()
            _ModuleDatabase.doClassCleanups()
            if hasattr(connection, "_test_serialized_contents"):
                connection.creation.deserialize_db_from_string(connection._test_serialized_contents)
            cache.clear()


@pytest.fixture
def page(browser, demo_url):
    context = new_context(browser, base_url=demo_url)
    page = context.new_page()
    yield page
    context.close()


def search_box(page):
    """The search page's own box (every page also has one in its header)."""
    return page.locator("main").get_by_role("searchbox")


def search_button(page):
    return page.locator("main").get_by_role("button", name="搜索")


def submit(page, action) -> None:
    """Do ``action`` (press Enter, click a button) and wait for the page it leads to: never an error page."""
    with page.expect_navigation() as navigation:
        action()
    assert navigation.value.status == 200, f"{navigation.value.status} {page.url}"


def results(page) -> list[dict]:
    """Each result on the page: title, date, column, and the marked words in it."""
    return page.locator(".search-result-list > li").evaluate_all(
        """items => items.map(li => ({
            title: li.querySelector('h3').textContent.trim(),
            date: li.querySelector('time').textContent.trim(),
            column: [...li.querySelectorAll('.search-result-meta span')].map(s => s.textContent.trim())
                .find(text => text.startsWith('栏目：'))?.slice(3) ?? '',
            marks: [...li.querySelectorAll('mark')].map(m => m.textContent),
        }))"""
    )


def notes(page) -> str:
    return page.locator(".search-notes").inner_text()


def test_search_by_typing_then_narrow_by_column_and_date_then_sort_by_date(page):
    page.goto("/search/")
    page.get_by_role("heading", level=1, name="站内搜索").wait_for()
    box = search_box(page)
    box.click()
    page.keyboard.type(QUERY)
    submit(page, lambda: box.press("Enter"))
    assert urlsplit(page.url).path == "/search/"
    assert search_box(page).input_value() == QUERY
    summary = page.locator(".search-summary").first.inner_text()
    assert f"条与“{QUERY}”相关的信息" in summary and "按相关度排序" in summary
    found = results(page)
    assert len(found) == 10  # a full first page: many demo pages mention 公开
    for result in found:
        assert result["marks"] and set(result["marks"]) == {QUERY}, result
    assert any(QUERY in result["title"] for result in found)
    assert page.locator(".search-result-list h3 mark").count() >= 1  # marked in titles too, not only snippets

    # Narrow to the first result's column and publication day.
    first = found[0]
    column_select = page.get_by_label("栏目", exact=True)
    column_value = column_select.locator("option").evaluate_all(
        "(options, title) => options.find(o => o.textContent.trim() === title).value", first["column"]
    )
    column_select.select_option(column_value)
    page.get_by_label("发布日期从").fill(first["date"])
    page.get_by_label("发布日期至").fill(first["date"])
    submit(page, lambda: search_button(page).click())
    narrowed = results(page)
    assert first["title"] in [result["title"] for result in narrowed]
    assert all(r["column"] == first["column"] and r["date"] == first["date"] for r in narrowed), narrowed
    assert len(narrowed) < len(found)
    assert column_select.input_value() == column_value
    assert page.get_by_label("发布日期从").input_value() == first["date"]
    assert search_box(page).input_value() == QUERY

    # Back to every column and date, newest first.
    column_select.select_option("")
    page.get_by_label("发布日期从").fill("")
    page.get_by_label("发布日期至").fill("")
    page.get_by_label("排序方式").select_option(label="按发布日期（最新在前）")
    submit(page, lambda: search_button(page).click())
    assert "按发布日期排序" in page.locator(".search-summary").first.inner_text()
    first_page = [dt.date.fromisoformat(r["date"]) for r in results(page)]
    assert len(first_page) == 10 and first_page == sorted(first_page, reverse=True)
    assert first_page != [dt.date.fromisoformat(r["date"]) for r in found]  # the order did change
    submit(page, lambda: page.get_by_role("link", name="下一页").click())
    second_page = [dt.date.fromisoformat(r["date"]) for r in results(page)]
    assert (
        second_page and second_page == sorted(second_page, reverse=True) and second_page[0] <= first_page[-1]
    )
    assert page.get_by_label("排序方式").input_value() == "date"


def test_traditional_query_in_the_traditional_variant(page):
    page.goto("/zh-hant/search/")
    search_box(page).fill(TRADITIONAL_QUERY)
    submit(page, lambda: search_box(page).press("Enter"))
    assert urlsplit(page.url).path == "/zh-hant/search/"
    assert search_box(page).input_value() == TRADITIONAL_QUERY
    found = results(page)
    assert found and all(set(result["marks"]) == {TRADITIONAL_QUERY} for result in found)
    assert "條與“公開”相關的信息" in page.locator(".search-summary").first.inner_text()


def test_odd_input_gets_a_chinese_note_and_keeps_what_was_typed(page):
    page.goto("/search/")
    submit(page, lambda: search_box(page).press("Enter"))
    assert "请输入搜索词。" in notes(page)

    search_box(page).fill("！？……")
    submit(page, lambda: search_box(page).press("Enter"))
    assert "搜索词中没有可以检索的文字（标点符号和空格不参与检索），请换一个搜索词。" in notes(page)
    assert search_box(page).input_value() == "！？……"

    for typed in ('"公开 AND (', "公开' OR 1=1 --", "NEAR(政务*"):
        search_box(page).fill(typed)
        submit(page, lambda: search_box(page).press("Enter"))
        assert search_box(page).input_value() == typed
        assert page.get_by_role("heading", name="搜索结果").is_visible()

    # The box takes at most 50 characters, as its help text says.
    search_box(page).fill("政务公开" * 16)
    assert len(search_box(page).input_value()) == 50
    assert "最多 50 个字" in page.locator("#search-q-help").inner_text()

    # A longer query and a malformed date arrive from a link: both are explained, the search still runs.
    long_query = "政务公开" * 12 + "示范县人民政府"  # 55 characters, cut between words at 50 at most
    response = page.goto(f"/search/?q={quote(long_query)}&from=2025-13-45&sort=newest&page=x")
    assert response is not None and response.status == 200
    text = notes(page)
    assert re.search(r"搜索词超过 50 个字，已只按前 (4[89]|50) 个字搜索。", text)
    assert "起始日期“2025-13-45”不是有效日期（格式如 2025-01-31），已忽略。" in text
    assert "排序方式“newest”无效，已按相关度排序。" in text
    assert "页码“x”无效，已显示第 1 页。" in text
    kept = search_box(page).input_value()
    assert kept.startswith("政务公开" * 12) and long_query.startswith(kept) and len(kept) <= 50
    assert results(page), "the first 50 characters still find the demo's 政务公开 pages"


def test_search_from_the_box_in_the_home_page_header(page):
    page.goto("/")
    box = page.get_by_role("banner").get_by_role("searchbox")
    box.click()
    page.keyboard.type(QUERY)
    submit(page, lambda: box.press("Enter"))
    assert urlsplit(page.url).path == "/search/"
    assert search_box(page).input_value() == QUERY
    found = results(page)
    assert len(found) == 10 and all(set(result["marks"]) == {QUERY} for result in found)
