"""The inspector on the corpus of unlike sites (five CMS families, each with a defect copy and a clean copy):
every planted defect is found, and nothing is reported that was not planted — least of all a veto."""

from __future__ import annotations

from datetime import date

import pytest

from zhengwu.inspection.checks.typos import TermMatcher
from zhengwu.inspection.corpus import FAMILIES_CODES, score_table
from zhengwu.inspection.corpus.build import AS_OF
from zhengwu.inspection.corpus.run import inspect_corpus
from zhengwu.inspection.extract import parse_page
from zhengwu.inspection.kinds import LIST, KindRules, column_key, infer_kind
from zhengwu.inspection.rules import load_rules

PLANTED_CHECKS = {
    "broken_link",
    "column_stale",
    "column_empty",
    "serious_typo",
    "undated_item",
    "interpretation_one_way",
    "unanswered_message",
    "guide_incomplete",
}


@pytest.fixture(scope="module")
def corpus_runs():
    return inspect_corpus(scale=1)


def test_corpus_covers_every_family_and_defect_class(corpus_runs):
    families = {run.site.family for run in corpus_runs}
    assert families == set(FAMILIES_CODES) and len(families) >= 5
    for run in corpus_runs:
        planted = {p.check for p in run.site.planted if not p.side}
        assert planted == (set() if run.site.clean else PLANTED_CHECKS), run.site.name
        assert run.report.pages_crawled >= 0.9 * run.site.pages, run.site.name


def test_every_check_has_full_recall_and_no_false_finding(corpus_runs):
    table = score_table(run.scores for run in corpus_runs)
    for check in PLANTED_CHECKS:
        score = table[check]
        assert score.planted >= 5, check
        assert score.found == score.planted, (check, score.missed_keys)
    false = {check: score.false_keys for check, score in table.items() if score.false}
    assert false == {}


def test_clean_copies_pass_and_defect_copies_fail(corpus_runs):
    for run in corpus_runs:
        vetoes = [f for f in run.report.findings if f.severity == "veto"]
        if run.site.clean:
            assert vetoes == [], (run.site.name, [f.as_json() for f in vetoes])
            assert run.report.verdict == "合格", run.site.name
        else:
            assert run.report.verdict == "不合格", run.site.name


def test_one_way_interpretation_names_the_page_lacking_the_link(corpus_runs):
    for run in corpus_runs:
        for finding in run.report.findings:
            if finding.check != "interpretation_one_way":
                continue
            assert finding.url and finding.target and finding.url != finding.target
            assert finding.evidence["direction"] in ("policy_to_interpretation", "interpretation_to_policy")


def _policy_list_html() -> str:
    rows = "".join(
        f'<li><a href="/zcwj/{k}.html">县人民政府关于印发第{k}号管理办法的通知</a>'
        f'<a href="/zcjd/{k}.html">[解读]</a><span>2026年{k}月{k + 2}日</span></li>'
        for k in range(1, 8)
    )
    return (
        "<html><head><title>政策文件</title></head><body><div>发布时间：2026-11-01 来源：县政府办</div>"
        f'<ul class="list">{rows}</ul></body></html>'
    )


def test_a_list_page_is_never_an_article():
    kinds = KindRules(load_rules())
    page = parse_page(_policy_list_html(), "http://127.0.0.1/zcwj/index.html")
    assert infer_kind(page, is_home=False, kinds=kinds) == LIST
    md = (
        "<html><body><table>"
        + "".join(
            f'<tr><td><a href="/art/{k}.html">信息{k}</a></td><td>[11-0{k}]</td></tr>' for k in range(1, 5)
        )
        + "</table></body></html>"
    )
    assert (
        infer_kind(parse_page(md, "http://127.0.0.1/col/col1/index.html"), is_home=False, kinds=kinds) == LIST
    )


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("http://h/col/bmdt/index_3.html", "http://h/col/bmdt/index.html"),
        ("http://h/col/col1201/index.html?uid=4121&pageNum=2", "http://h/col/col1201/index.html"),
        ("http://h/list.php?catid=11&page=3", "http://h/list.php?catid=11"),
        ("http://h/news_2.html", "http://h/news.html"),
        ("http://h/news/1044.htm", "http://h/news/1044.htm"),
        ("http://h/show.php?id=12", "http://h/show.php?id=12"),
    ],
)
def test_pager_pages_share_the_column_key(url, key):
    assert column_key(url) == key


def test_a_correct_term_inside_a_typo_does_not_hide_it():
    matcher = TermMatcher.build(["刘振华县长"])
    found = {wrong for _, wrong, _ in matcher.scan("国务院办工厅转发通知，刘振滑县长出席。")}
    assert found == {"国务院办工厅", "刘振滑县长"}
    assert matcher.scan("国务院办公厅转发通知，刘振华县长出席。") == []


def test_corpus_day_is_fixed():
    assert AS_OF == date(2026, 11, 20)


def test_typo_variants_are_cached_across_runs(tmp_path, monkeypatch):
    from zhengwu.inspection.checks import typos

    monkeypatch.setenv("ZHENGWU_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(typos, "_variant_memory", {})
    first = TermMatcher.build(["周文斌县长"], include_national=False)
    assert "周文宾县长" in first.variants and list(tmp_path.glob("typo-variants-*.json"))

    def regenerate(text):  # a second run reads the file and generates nothing
        raise AssertionError(text)

    monkeypatch.setattr(typos, "_variant_memory", {})
    monkeypatch.setattr(typos, "_term_variants", regenerate)
    second = TermMatcher.build(["周文斌县长"], include_national=False)
    assert second.variants.keys() == first.variants.keys()
