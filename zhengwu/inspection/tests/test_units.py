"""Pure pieces: dates in their common formats, charset detection, the typo matcher's precision, scoring."""

from datetime import date

from zhengwu.inspection.checks.base import Finding
from zhengwu.inspection.checks.typos import TermMatcher
from zhengwu.inspection.dates import add_months, labelled_date, parse_date, url_date
from zhengwu.inspection.rules import load_rules
from zhengwu.inspection.scoring import score_findings
from zhengwu.inspection.text import decode_html


def test_dates_from_urls_labels_and_text():
    assert url_date("http://x.gov.cn/art/2024/1/5/art_12_345.html") == date(2024, 1, 5)
    assert url_date("http://x.gov.cn/xxgk/202401/t20240105_123.html") == date(2024, 1, 5)
    assert url_date("http://x.gov.cn/a/2024-01/05/content_1.htm") == date(2024, 1, 5)
    assert url_date("http://x.gov.cn/news/123.html") is None
    assert labelled_date("来源：县政府办　发布时间：2024年3月5日 10:00") == date(2024, 3, 5)
    assert labelled_date("留言时间：2024-01-01") is None  # not a publication date
    assert parse_date("[2024.02.01]") == date(2024, 2, 1)
    assert parse_date("2024-02-30") is None
    assert add_months(date(2024, 8, 31), -6) == date(2024, 2, 29)


def test_charset_detection():
    text = "<html><meta charset=gb2312>示范县人民政府 镕"
    assert decode_html(text.encode("gbk"))[0] == text
    assert decode_html(text.encode("gb18030"), "text/html; charset=utf-8")[0] == text  # wrong header
    assert (
        decode_html(text.encode("utf-8"), "text/html; charset=ISO-8859-1")[0] == text
    )  # server default label


def test_typo_matcher_is_precise():
    matcher = TermMatcher.build(["杜家毫", "县长王建国"])
    hits = {(w, t.text) for _, w, t in matcher.scan("杜家豪同志指出，中华人民共合国宪法，示范县人民攻府。")}
    assert hits == {("杜家豪", "杜家毫"), ("中华人民共合国", "中华人民共和国"), ("人民攻府", "人民政府")}
    clean = "中华人民共和国国务院、全国人民代表大会、习近平新时代中国特色社会主义思想、县长王建国、人民政府、政府工作报告"
    assert matcher.scan(clean) == []
    # Real words one character away from a term are not typos (人氏 is a word; 人民 vs 人氏 in a term would be).
    assert matcher.scan("他是本地人氏，热爱家乡。") == []


def test_scoring_veto_first_then_deductions():
    rules = load_rules()
    broken = [
        Finding(
            "broken_link",
            "http://x/",
            target=f"http://x/{i}",
            evidence={"on_homepage": True, "counted": True},
        )
        for i in range(3)
    ]
    result = score_findings(broken, rules)
    assert (result.verdict, result.score) == ("合格", 97.0)
    assert all(f.severity == "deduction" for f in broken)
    stale = [Finding("column_stale", f"http://x/{i}", evidence={"kind": "news"}) for i in range(5)]
    result = score_findings(broken + stale, rules)
    assert result.verdict == "不合格" and result.score is None
    assert [v["code"] for v in result.vetoes] == ["columns_stale"]
    many = [
        Finding(
            "broken_link",
            "http://x/a",
            target=f"http://x/{i}",
            evidence={"on_homepage": False, "counted": True},
        )
        for i in range(500)
    ]
    assert score_findings(many, rules).score == 90.0  # capped at 10 points
