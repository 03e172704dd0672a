"""axe-core (from npm) in headless Chromium: no critical or serious violation on the demo's public pages, in 简体,
繁体 and the older-users mode."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from wagtail.models import Site

from zhengwu.portal.models import ColumnPage, ContentPage, InterpretationPage, PolicyDocumentPage, TopicPage

from .conftest import new_context

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def axe_source():
    if not AXE.exists():
        pytest.skip("未安装 axe-core（npm ci）：无障碍测试跳过。./zw test 会自动安装。")
    return AXE.read_text(encoding="utf-8")


SEARCH_WITH_RESULTS = "政务公开"
SEARCH_WITHOUT_RESULTS = "星际航行"


def demo_paths() -> dict[str, str]:
    from django.urls import reverse

    from zhengwu.disclosure.models import (
        AnnualReport,
        DisclosureGuide,
        DisclosureItem,
        ItemStatus,
        ReportStatus,
        StandardCatalogArea,
    )

    site = Site.objects.get(is_default_site=True)
    portal = site.root_page
    column = ColumnPage.objects.descendant_of(portal).get(slug="zwyw")
    article = ContentPage.objects.child_of(column).live().order_by("-published_at").first()
    policy = PolicyDocumentPage.objects.descendant_of(portal).live().first()
    interpretation = InterpretationPage.objects.descendant_of(portal).live().first()
    topic = TopicPage.objects.descendant_of(portal).live().first()
    # 政府信息公开: one organization with a guide and a published annual report, and one of its published items.
    report = (
        AnnualReport.objects.filter(status=ReportStatus.PUBLISHED)
        .select_related("organization")
        .order_by("organization__path", "-year")
        .first()
    )
    org = report.organization
    assert DisclosureGuide.objects.filter(organization=org).exists(), f"{org.name} 没有公开指南"
    item = DisclosureItem.objects.filter(organization=org, status=ItemStatus.PUBLISHED).order_by("pk").first()
    area = StandardCatalogArea.objects.filter(entries__isnull=False).distinct().order_by("code").first()
    search = reverse("portal_search")
    return {
        "首页": "/",
        "栏目页": column.relative_url(site),
        "文章页": article.relative_url(site),
        "政策文件": policy.relative_url(site),
        "政策解读": interpretation.relative_url(site),
        "专题": topic.relative_url(site),
        "网站地图": "/wzdt/",
        "我为政府网站找错": "/jiucuo/",
        "搜索结果": f"{search}?q={quote(SEARCH_WITH_RESULTS)}",
        "搜索无结果": f"{search}?q={quote(SEARCH_WITHOUT_RESULTS)}",
        "政府信息公开": reverse("disclosure_index"),
        "依申请公开": reverse("disclosure_apply"),
        "申请进度查询": reverse("disclosure_lookup"),
        "标准目录": reverse("disclosure_standard_index"),
        "标准目录领域": reverse("disclosure_standard_area", args=[area.code]),
        "公开信息": reverse("disclosure_item", args=[item.pk]),
        "公开目录": reverse("disclosure_catalogue", args=[org.code]),
        "公开指南": reverse("disclosure_guide", args=[org.code]),
        "年度报告": reverse("disclosure_annual_report", args=[org.code, report.year]),
        "图片新闻": ColumnPage.objects.descendant_of(portal).get(slug="tpxw").relative_url(site),
        "接口说明": "/api/v1/docs",
        "页面不存在": "/no-such-page/",
    }


# Pages whose status is not 200 by design.
EXPECTED_STATUS = {"页面不存在": 404}


def check_page_content(page, name: str) -> None:
    """The search pages show what their names say: results for one query, none for the other."""
    if name == "搜索结果":
        assert page.locator(".search-result-list > li").count() >= 1, "搜索结果页没有结果"
    elif name == "搜索无结果":
        assert page.locator(".search-result-list > li").count() == 0
        assert page.locator(".search-empty").is_visible(), "无结果页没有给出提示"


def run_axe(page, axe_source: str) -> list[dict]:
    # Colours are judged once transitions end: a message still fading in (Wagtail's 0.5 s) is not its colour. Looping
    # animations (Wagtail's badge ping) are not waited for.
    page.wait_for_function(
        "() => document.getAnimations().every(a => !(a instanceof CSSTransition) || a.playState !== 'running')"
    )
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [v for v in result["violations"] if v["impact"] in ("critical", "serious")]


def test_no_serious_accessibility_violations(live_server, browser, axe_source):
    call_command("setup", verbosity=0)
    call_command("demo", scale=0.05, verbosity=0)
    port = int(live_server.url.rsplit(":", 1)[1])
    Site.objects.update(port=port)
    paths = demo_paths()
    modes = {"简体": ("", False), "繁体": ("/zh-hant", False), "长者模式": ("", True)}
    problems = []
    checked = 0
    for mode, (prefix, elder) in modes.items():
        context = new_context(browser)
        if elder:
            context.add_init_script("localStorage.setItem('zw-elder', '1')")
        page = context.new_page()
        for name, path in paths.items():
            response = page.goto(live_server.url + prefix + path)
            expected = EXPECTED_STATUS.get(name, 200)
            assert response is not None and response.status == expected, f"{mode} {name} {path}"
            if elder:
                assert "elder" in page.evaluate("document.documentElement.className")
            if prefix:
                assert page.evaluate("document.documentElement.lang") == "zh-Hant"
            check_page_content(page, name)
            for violation in run_axe(page, axe_source):
                targets = [node["target"] for node in violation["nodes"][:3]]
                problems.append(
                    f"{mode} {name}（{path}）：{violation['id']} {violation['impact']} {json.dumps(targets)}"
                )
            checked += 1
        context.close()
    assert checked == len(paths) * len(modes)
    assert not problems, "\n".join(problems)


def test_keyboard_reaches_the_skip_link_and_elder_toggle(live_server, browser):
    call_command("setup", verbosity=0)
    call_command("demo", scale=0.05, verbosity=0)
    Site.objects.update(port=int(live_server.url.rsplit(":", 1)[1]))
    context = new_context(browser)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到主要内容"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    toggle = page.locator("[data-elder-toggle]")
    toggle.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.documentElement.classList.contains('elder')")
    assert toggle.get_attribute("aria-pressed") == "true"
    page.goto(live_server.url + "/wzdt/")  # the mode persists across pages
    assert page.evaluate("document.documentElement.classList.contains('elder')")
    context.close()


def test_the_axe_check_detects_violations(browser, axe_source):
    """The check above can fail: the same run finds planted serious violations."""
    context = new_context(browser)
    page = context.new_page()
    page.set_content(
        '<html><head><title>t</title></head><body><main><img src="x.png">'
        '<p style="color:#ccc;background:#fff">浅灰色文字对比度不足</p><input type="text"></main></body></html>'
    )
    ids = {v["id"] for v in run_axe(page, axe_source)}
    context.close()
    assert {"image-alt", "color-contrast", "label"} <= ids
