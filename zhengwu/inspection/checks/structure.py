"""footer_missing and meta_missing: the page furniture every government page carries (rule file sections
``footer`` and ``meta``). One finding per missing element or tag, at the homepage when it is missing there, with the
number of pages that lack it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from zhengwu.core.chinese import to_simplified

from ..extract import ParsedPage
from .base import Check, Finding, PageFacts, SiteData, register


@dataclass
class _Missing:
    label: str
    pages: list[tuple[int, str, str]] = field(default_factory=list)  # (depth, url, referrer)
    count: int = 0
    checked: int = 0

    def add(self, facts: PageFacts) -> None:
        self.count += 1
        if len(self.pages) < 50:
            self.pages.append((facts.depth, facts.url, facts.referrer))


def _first(missing: _Missing, home_url: str | None) -> tuple[str, str]:
    for _, url, referrer in missing.pages:
        if url == home_url:
            return url, referrer
    _, url, referrer = min(missing.pages)
    return url, referrer


@register
class FooterCheck(Check):
    code = "footer_missing"
    label = "页面底部要素缺失"
    description = (
        "页面底部缺少党政机关网站标识、主办单位、联系方式、网站标识码、ICP备案编号或公安机关备案标识。"
    )

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.elements = ctx.rules.compiled("footer")
        self.missing = {el["code"]: _Missing(el["label"]) for el, _ in self.elements}
        self.pages = 0

    def on_page(self, page: ParsedPage, facts: PageFacts) -> None:
        if facts.truncated:
            return
        self.pages += 1
        haystack = f"{page.footer_text}\n{page.text[-1500:]}"
        simplified = (
            None  # the 繁体 version of a site labels its footer 主辦單位, 聯繫方式: read it as 简体 too
        )
        for element, patterns in self.elements:
            hint = element.get("hint")
            if hint and hint in page.footer_html_hints:
                continue
            if any(p.search(haystack) for p in patterns):
                continue
            if simplified is None:
                simplified = to_simplified(haystack)
            if simplified != haystack and any(p.search(simplified) for p in patterns):
                continue
            self.missing[element["code"]].add(facts)

    def finish(self, site: SiteData) -> Iterable[Finding]:
        findings = []
        for code, missing in self.missing.items():
            if not missing.count:
                continue
            url, referrer = _first(missing, site.home_url)
            where = "首页" if url == site.home_url else "页面"
            findings.append(
                Finding(
                    check=self.code,
                    url=url,
                    referrer=referrer,
                    target=code,
                    evidence={
                        "summary": f"{where}底部缺少“{missing.label}”（共 {missing.count}/{self.pages} 个页面缺少）",
                        "element": missing.label,
                        "pages_missing": missing.count,
                        "pages_checked": self.pages,
                        "examples": [u for _, u, _ in sorted(missing.pages)[:5]],
                        "on_homepage": url == site.home_url,
                    },
                )
            )
        return findings


@register
class MetaCheck(Check):
    code = "meta_missing"
    label = "网页元数据缺失"
    description = (
        "页面缺少《政府网站发展指引》规定的网页元数据（SiteName、SiteIDCode、ColumnName、PubDate 等）。"
    )

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        rule = ctx.rules.checks["meta"]
        self.groups = {
            "all": ("所有页面", list(rule["all_pages"])),
            "column": ("栏目页", list(rule["column_pages"])),
            "article": ("文章页", list(rule["article_pages"])),
        }
        self.missing: dict[tuple[str, str], _Missing] = {}
        self.counts = {"all": 0, "column": 0, "article": 0}

    def on_page(self, page: ParsedPage, facts: PageFacts) -> None:
        if facts.truncated:
            return
        kinds = ["all"]
        if facts.is_list and not facts.is_article and facts.depth > 0:  # the homepage is not a column
            kinds.append("column")
        if facts.is_article:
            kinds.append("article")
        for kind in kinds:
            self.counts[kind] += 1
            label, tags = self.groups[kind]
            for tag in tags:
                if not page.meta.get(tag.lower()):
                    key = (kind, tag)
                    if key not in self.missing:
                        self.missing[key] = _Missing(f"{label}的 {tag}")
                    self.missing[key].add(facts)

    def finish(self, site: SiteData) -> Iterable[Finding]:
        findings = []
        for (kind, tag), missing in self.missing.items():
            url, referrer = _first(missing, site.home_url)
            findings.append(
                Finding(
                    check=self.code,
                    url=url,
                    referrer=referrer,
                    target=tag,
                    evidence={
                        "summary": f"{missing.label} 元数据缺失（共 {missing.count}/{self.counts[kind]} 个页面缺少）",
                        "tag": tag,
                        "page_kind": kind,
                        "pages_missing": missing.count,
                        "pages_checked": self.counts[kind],
                        "examples": [u for _, u, _ in sorted(missing.pages)[:5]],
                    },
                )
            )
        return findings
