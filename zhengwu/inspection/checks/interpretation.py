"""interpretation_one_way (政策解读未与政策文件相互关联): an interpretation must link to its policy and the policy
back to the interpretation.

Page kinds come from kinds.py: interpretations are articles in a 解读 column or titled like one (“《…》解读”,
“政策解读”, “图解”, “一图读懂”); policies are the article pages they link. A link counts when its anchor or the
words just before it on the same line name it (“原文”, “政策文件”, “相关文件”, “文件全文”, “相关政策”, a 《title》 for
a policy; “解读”, “图解”, “一图读懂” for an interpretation), so “原文链接：<a>…的通知</a>” is read as a link to the
policy. Only article pages take part: a list page (the 政策文件 column with its [解读] links), the homepage, or a
sidebar link named 政策文件 that leads to a list is never a policy.

A finding names the page that lacks the link in ``url`` and the page it should link to in ``target``.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..extract import ParsedPage
from ..kinds import ARTICLE, INTERPRETATION, POLICY
from .base import Check, Finding, PageFacts, SiteData, register

PREFIX_CHARS = 12  # how far before an anchor, on its line, a marker is read


def _line_prefix(text: str, anchor: str) -> str:
    """The words just before ``anchor`` on its line; when the anchor begins its line (the page text breaks at
    each element), the line before it if that is a short label ending in a colon (“原文链接：”)."""
    at = text.find(anchor)
    if at < 0:
        return ""
    start = text.rfind("\n", 0, at) + 1
    prefix = text[max(start, at - PREFIX_CHARS) : at]
    if prefix.strip() or start == 0:
        return prefix
    previous = text[text.rfind("\n", 0, start - 1) + 1 : start - 1].strip()
    if len(previous) <= PREFIX_CHARS and previous.endswith((":", "：")):
        return previous
    return ""


@register
class InterpretationCheck(Check):
    code = "interpretation_one_way"
    label = "政策解读未双向关联"
    description = "政策解读未链接政策文件，或政策文件未链接其解读。"

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        rule = ctx.rules.checks["interpretation"]
        self.policy_markers = tuple(rule["policy_anchor_markers"])
        self.interp_markers = tuple(rule["interpretation_anchor_markers"])
        self.interpretations: dict[
            str, tuple[str, list[tuple[str, str]]]
        ] = {}  # url → (title, [(policy, anchor)])
        self.links_to_interpretations: dict[
            str, list[tuple[str, str]]
        ] = {}  # page → [(interpretation, anchor)]

    def _marked(self, page: ParsedPage, anchor: str, markers: tuple[str, ...]) -> bool:
        if any(m in anchor for m in markers):
            return True
        prefix = _line_prefix(page.text, anchor)
        return bool(prefix) and any(m in prefix for m in markers)

    def on_page(self, page: ParsedPage, facts: PageFacts) -> None:
        if facts.kind == INTERPRETATION:
            targets = [
                (link.url, link.text)
                for link in page.links
                if link.tag == "a"
                and link.text
                and link.url != facts.url
                and not any(m in link.text for m in self.interp_markers)
                and (link.text.startswith("《") or self._marked(page, link.text, self.policy_markers))
            ]
            self.interpretations[facts.url] = (page.title, targets)
        elif facts.kind in (POLICY, ARTICLE) and any(m in page.text for m in self.interp_markers):
            targets = [
                (link.url, link.text)
                for link in page.links
                if link.tag == "a"
                and link.text
                and link.url != facts.url
                and self._marked(page, link.text, self.interp_markers)
            ]
            if targets:
                self.links_to_interpretations[facts.url] = targets

    def finish(self, site: SiteData) -> Iterable[Finding]:
        findings: dict[tuple[str, str], Finding] = {}
        covered: set[str] = set()
        for url, (title, policies) in self.interpretations.items():
            interp = site.page(url)
            if interp is None:
                continue
            own = {interp.url, interp.requested_url}
            for policy_url, anchor in policies:
                policy = site.page(policy_url)
                if policy is None:
                    if policy_url not in site.crawl.fetches:
                        covered.add(
                            interp.url
                        )  # a policy elsewhere or beyond the crawl: not judged either way
                    continue
                if policy.kind not in (POLICY, ARTICLE):
                    continue  # a list page, the homepage or a sidebar column link is not the policy
                covered.add(interp.url)
                if policy.link_urls & own:
                    continue
                findings[(policy.url, interp.url)] = Finding(
                    check=self.code,
                    url=policy.url,
                    referrer=interp.url,
                    target=interp.url,
                    evidence={
                        "summary": f"政策文件“{policy.title}”未链接其解读“{title}”（解读已链接该文件）",
                        "direction": "policy_to_interpretation",
                        "policy_title": policy.title,
                        "interpretation_title": title,
                        "anchor": anchor,
                    },
                )
        for page_url, targets in self.links_to_interpretations.items():
            policy = site.page(page_url)
            if policy is None:
                continue
            for target, anchor in targets:
                interp = site.page(target)
                if interp is None or interp.url not in self.interpretations:
                    continue
                covered.add(interp.url)
                if interp.link_urls & {policy.url, policy.requested_url}:
                    continue
                findings[(interp.url, policy.url)] = Finding(
                    check=self.code,
                    url=interp.url,
                    referrer=policy.url,
                    target=policy.url,
                    evidence={
                        "summary": f"政策解读“{interp.title}”未链接政策文件“{policy.title}”（政策文件已链接该解读）",
                        "direction": "interpretation_to_policy",
                        "policy_title": policy.title,
                        "interpretation_title": interp.title,
                        "anchor": anchor,
                    },
                )
        for url, (title, _) in self.interpretations.items():
            interp = site.page(url)
            if interp is None or interp.url in covered:
                continue
            findings[(interp.url, "")] = Finding(
                check=self.code,
                url=interp.url,
                referrer=interp.referrer,
                evidence={
                    "summary": f"政策解读“{title}”未链接所解读的政策文件",
                    "direction": "interpretation_to_policy",
                    "interpretation_title": title,
                    "key": "no_policy_link",
                },
            )
        return list(findings.values())
