"""broken_link: every link found on a crawled page whose target does not answer, answers with an error, loops, or
is a binary file served as a page — split homepage vs other pages and internal / attachment / image / external.
Pruned URL traps and over-large pages are reported too, as notices, so the limits of the crawl are visible."""

from __future__ import annotations

from collections.abc import Iterable

from ..crawler import REASON_LABELS, Reason, link_kind
from .base import Check, Finding, SiteData, register

KIND_LABELS = {"internal": "站内链接", "attachment": "附件", "image": "图片", "external": "外部链接"}


@register
class BrokenLinkCheck(Check):
    code = "broken_link"
    label = "不可用链接"
    description = "页面上的链接、图片、附件或外部链接无法打开。"

    def finish(self, site: SiteData) -> Iterable[Finding]:
        crawl = site.crawl
        findings: list[Finding] = []
        for target, ref in crawl.references.items():
            resolved = crawl.resolve(target)
            if resolved is None or not resolved.broken:
                continue
            kind = link_kind(target, ref.tag, crawl.internal_hosts)
            on_home = ref.from_home
            page = site.home_url if on_home and site.home_url else ref.referrer
            anchor = ref.home_text if on_home else ref.text
            reason = resolved.reason or Reason.HTTP_ERROR
            status = resolved.status
            label = REASON_LABELS.get(reason, reason)
            if reason == Reason.HTTP_ERROR and status is not None:
                label = f"{label}（HTTP {status}）"
            facts = site.page(page)
            findings.append(
                Finding(
                    check=self.code,
                    url=page,
                    referrer=facts.referrer if facts else "",
                    target=target,
                    evidence={
                        "summary": f"{'首页' if on_home else '页面'}上的{KIND_LABELS[kind]}“{anchor or target}”无法打开：{label}",
                        "link_kind": kind,
                        "on_homepage": on_home,
                        "counted": True,
                        "status": status,
                        "reason": reason,
                        "reason_label": label,
                        "anchor": anchor,
                        "final_url": resolved.final_url,
                        "redirects": [f"{s} → {u}" for s, u in resolved.chain],
                        "detail": resolved.detail[:300],
                        "pages_linking": ref.count,
                        "other_referrers": [u for u in ([ref.referrer, *ref.more]) if u != page][:5],
                    },
                )
            )
        for reason_text, examples in crawl.pruned.items():
            url, referrer = min(examples)
            trap_path = url.split("?", 1)[0]  # stable across runs, whatever the crawl order
            findings.append(
                Finding(
                    check=self.code,
                    url=trap_path,
                    referrer=referrer,
                    target=trap_path,
                    evidence={
                        "summary": f"{REASON_LABELS[Reason.TRAP]}：{reason_text}，共 {len(examples)} 个以上地址未访问",
                        "link_kind": "internal",
                        "on_homepage": referrer == site.home_url,
                        "counted": False,
                        "reason": Reason.TRAP,
                        "reason_label": reason_text,
                        "examples": [u for u, _ in examples[:5]],
                        "key": reason_text,
                    },
                )
            )
        for url, fetch in crawl.fetches.items():
            if fetch.reason == Reason.TOO_LARGE:
                facts = site.page(url)
                findings.append(
                    Finding(
                        check=self.code,
                        url=url,
                        referrer=facts.referrer if facts else "",
                        target=url,
                        evidence={
                            "summary": f"{REASON_LABELS[Reason.TOO_LARGE]}（{fetch.detail}）",
                            "link_kind": "internal",
                            "on_homepage": url == site.home_url,
                            "counted": False,
                            "reason": Reason.TOO_LARGE,
                            "reason_label": REASON_LABELS[Reason.TOO_LARGE],
                        },
                    )
                )
        return findings
