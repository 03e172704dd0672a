"""Freshness: homepage_stale, column_stale, column_empty and undated_item.

A column is a list page (rows with links, most of them dated) other than the homepage; list pages that share a
column name (pagination) are one column. Its kind comes from the name through the rule file's keywords, and so does
its time limit. An item without a publication date counts as not updated: it adds no date to its column.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..dates import add_months, plausible
from ..rules import ColumnKind
from .base import Check, Finding, PageFacts, SiteData, register


def cutoff_for(kind: ColumnKind, as_of: date) -> date:
    if kind.stale_days is not None:
        return as_of - timedelta(days=int(kind.stale_days))
    return add_months(as_of, -int(kind.stale_months or 12))


def limit_label(kind: ColumnKind) -> str:
    if kind.stale_days is not None:
        return f"{kind.stale_days // 7} 周" if kind.stale_days % 7 == 0 else f"{kind.stale_days} 天"
    return f"{kind.stale_months} 个月"


def item_dates(facts: PageFacts, site: SiteData, as_of: date) -> list[date]:
    dates = [d for d in (plausible(r.date, as_of) for r in facts.rows) if d]
    for row in facts.undated_rows:
        target = site.page(row.url)
        if target is not None and plausible(target.visible_date, as_of):
            dates.append(target.visible_date)  # type: ignore[arg-type]
    return dates


@dataclass
class Column:
    key: str
    name: str
    pages: list[PageFacts] = field(default_factory=list)


def columns_of(site: SiteData, excluded: set[str]) -> list[Column]:
    """List pages grouped by their pager (every page of a column's pager is one column, judged together); the
    column's name is the one its first page shows."""
    columns: dict[str, Column] = {}
    for facts in site.pages.values():
        if facts.url == site.home_url or not facts.is_list or facts.is_article:
            continue
        key = facts.column_key or facts.url
        column = columns.get(key)
        if column is None:
            column = columns[key] = Column(key, "")
        column.pages.append(facts)
    result = []
    for column in columns.values():
        column.pages.sort(key=lambda f: (f.url != column.key, f.depth, f.url))
        first = column.pages[0]
        column.name = first.column_name or first.title or first.url
        if column.name not in excluded:
            result.append(column)
    return sorted(result, key=lambda c: c.pages[0].url)


@register
class HomepageStaleCheck(Check):
    code = "homepage_stale"
    label = "首页不更新"
    description = "首页2周内没有新增信息（仅为导航页的首页，看二级页面）。"

    def finish(self, site: SiteData) -> Iterable[Finding]:
        home = site.home
        if home is None:
            return []  # the availability check reports a homepage that cannot be opened
        as_of = self.ctx.as_of
        rule = self.ctx.rules.checks["homepage"]
        dates = item_dates(home, site, as_of)
        for url in home.link_urls:
            target = site.page(url)
            if target is not None and target.is_article and plausible(target.pub_date, as_of):
                dates.append(target.pub_date)  # type: ignore[arg-type]
        basis = "首页信息"
        if not dates:
            basis = "二级页面信息（首页无带日期的信息）"
            for facts in site.pages.values():
                if facts.depth == 1:
                    dates.extend(item_dates(facts, site, as_of))
                    if facts.is_article and plausible(facts.pub_date, as_of):
                        dates.append(facts.pub_date)  # type: ignore[arg-type]
        newest = max(dates) if dates else None
        cutoff = as_of - timedelta(days=int(rule["stale_days"]))
        if newest is not None and newest >= cutoff:
            return []
        if newest is None:
            summary = (
                f"首页及二级页面均未发现带发布日期的信息（无日期视为未更新），检查日 {as_of.isoformat()}"
            )
        else:
            summary = (
                f"{basis}最新发布日期为 {newest.isoformat()}，距检查日 {(as_of - newest).days} 天，"
                f"超过 {rule['stale_days']} 天未更新"
            )
        return [
            Finding(
                check=self.code,
                url=home.url,
                evidence={
                    "summary": summary,
                    "newest_date": newest.isoformat() if newest else None,
                    "dates_found": sorted({d.isoformat() for d in dates}, reverse=True)[:10],
                    "limit_days": rule["stale_days"],
                    "as_of": as_of.isoformat(),
                    "basis": basis,
                },
            )
        ]


@register
class ColumnStaleCheck(Check):
    code = "column_stale"
    label = "栏目不更新"
    description = "动态要闻类栏目2周、通知公告和政策文件类栏目6个月、其他应更新栏目长期未更新。"

    def finish(self, site: SiteData) -> Iterable[Finding]:
        as_of = self.ctx.as_of
        rules = self.ctx.rules
        excluded = set(rules.checks["columns"].get("excluded_names", []))
        findings = []
        for column in columns_of(site, excluded):
            kind = rules.column_kind_for(column.name)
            dates: list[date] = []
            undated = 0
            items = 0
            for facts in column.pages:
                dates.extend(item_dates(facts, site, as_of))
                items += len(facts.rows) + len(facts.undated_rows)
                undated += sum(
                    1 for r in facts.undated_rows if not (site.page(r.url) and site.page(r.url).visible_date)
                )  # type: ignore[union-attr]
            newest = max(dates) if dates else None
            cutoff = cutoff_for(kind, as_of)
            if newest is not None and newest >= cutoff:
                continue
            first = column.pages[0]
            if newest is None:
                summary = f"栏目“{column.name}”的 {items} 条信息均无发布日期（无日期视为未更新）"
            else:
                summary = (
                    f"栏目“{column.name}”（{kind.label}）最新信息发布于 {newest.isoformat()}，"
                    f"已超过 {limit_label(kind)} 未更新"
                )
            findings.append(
                Finding(
                    check=self.code,
                    url=first.url,
                    referrer=first.referrer,
                    evidence={
                        "summary": summary,
                        "column": column.name,
                        "kind": kind.kind,
                        "kind_label": kind.label,
                        "newest_date": newest.isoformat() if newest else None,
                        "limit": limit_label(kind),
                        "cutoff": cutoff.isoformat(),
                        "items": items,
                        "undated_items": undated,
                        "pages": [p.url for p in column.pages[:5]],
                        "rule_confirmed": kind.confirmed,
                        "key": column.name,
                    },
                )
            )
        return findings


@register
class ColumnEmptyCheck(Check):
    code = "column_empty"
    label = "空白栏目"
    description = "栏目页面没有任何信息（显示“暂无信息”等）。"

    @staticmethod
    def _silently_empty(facts: PageFacts) -> bool:
        """A column page reached from the homepage that shows no item and no text of its own: an empty list
        without an “暂无信息” line. Pages that link anything the homepage does not, or carry a paragraph of
        their own (a single-page column), are not empty."""
        return facts.linked_from_home and facts.content_links == 0 and facts.content_chars < 40

    def finish(self, site: SiteData) -> Iterable[Finding]:
        excluded = set(self.ctx.rules.checks["columns"].get("excluded_names", []))
        seen: set[str] = set()
        findings = []
        for facts in sorted(site.pages.values(), key=lambda f: (f.depth, f.url)):
            if facts.url == site.home_url or facts.rows or facts.undated_rows:
                continue
            if facts.kind not in ("page", "list"):
                continue  # articles, messages and guides have content of their own
            if not facts.empty_marker and not self._silently_empty(facts):
                continue
            name = facts.column_name or facts.anchor or facts.title
            if name in excluded or name in seen:
                continue
            seen.add(name)
            findings.append(
                Finding(
                    check=self.code,
                    url=facts.url,
                    referrer=facts.referrer,
                    evidence={
                        "summary": f"栏目“{name}”为空白栏目，页面显示“{facts.empty_marker}”"
                        if facts.empty_marker
                        else f"栏目“{name}”为空白栏目，页面上没有任何信息",
                        "column": name,
                        "marker": facts.empty_marker,
                        "anchor": facts.anchor,
                        "key": name,
                    },
                )
            )
        return findings


@register
class UndatedItemCheck(Check):
    code = "undated_item"
    label = "信息无发布日期"
    description = "栏目中的信息在列表和正文页都没有发布日期（视为未更新）。"

    def finish(self, site: SiteData) -> Iterable[Finding]:
        findings = []
        reported: set[str] = set()
        for facts in sorted(site.pages.values(), key=lambda f: (f.depth, f.url)):
            for row in facts.undated_rows:
                target = site.page(row.url)
                if (
                    target is None
                    or target.visible_date is not None
                    or target.url in reported
                    or not target.is_article
                ):
                    continue
                reported.add(target.url)
                findings.append(
                    Finding(
                        check=self.code,
                        url=target.url,
                        referrer=facts.url,
                        evidence={
                            "summary": f"信息“{row.text}”在列表页和正文页均未标注发布日期",
                            "title": row.text,
                            "column": facts.column_name,
                        },
                    )
                )
        for facts in sorted(site.pages.values(), key=lambda f: (f.depth, f.url)):
            if facts.is_article and facts.visible_date is None and facts.url not in reported:
                linked_with_date = False
                referrer = site.page(facts.referrer) if facts.referrer else None
                if referrer is not None:
                    linked_with_date = any(r.url in (facts.url, facts.requested_url) for r in referrer.rows)
                if linked_with_date:
                    continue
                reported.add(facts.url)
                findings.append(
                    Finding(
                        check=self.code,
                        url=facts.url,
                        referrer=facts.referrer,
                        evidence={
                            "summary": f"文章页“{facts.title}”未标注发布日期",
                            "title": facts.title,
                            "column": facts.column_name,
                        },
                    )
                )
        return findings
