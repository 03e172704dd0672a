"""interpretation_one_way (政策解读未与政策文件相互关联): an interpretation must link to its policy and the policy
back to the interpretation. Interpretations are pages in a 政策解读 column or titled like one (“《…》解读”,
“政策解读”, “图解《…》”, “一图读懂”); their policy is the crawled page they link to with an anchor such as “原文”,
“政策文件” or a 《title》."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..crawler import host_of
from ..extract import ParsedPage
from .base import Check, Finding, PageFacts, SiteData, register

TITLE_PATTERN = re.compile(r"《[^》]{2,}》.{0,8}解读|解读《|政策解读|图解《|一图读懂|答记者问")


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

    def _is_interpretation(self, page: ParsedPage, facts: PageFacts) -> bool:
        if facts.is_list:
            return False
        kind = self.ctx.rules.column_kind_for(facts.column_name).kind if facts.column_name else ""
        return kind == "interpretation" or bool(TITLE_PATTERN.search(page.title))

    def on_page(self, page: ParsedPage, facts: PageFacts) -> None:
        if facts.is_list:
            return
        host = host_of(facts.url)
        if self._is_interpretation(page, facts):
            targets = [
                (link.url, link.text)
                for link in page.links
                if link.tag == "a"
                and host_of(link.url) == host
                and link.url != facts.url
                and (any(m in link.text for m in self.policy_markers) or link.text.startswith("《"))
                and not any(m in link.text for m in self.interp_markers)
            ]
            self.interpretations[facts.url] = (page.title, targets)
            return
        targets = [
            (link.url, link.text)
            for link in page.links
            if link.tag == "a"
            and host_of(link.url) == host
            and any(m in link.text for m in self.interp_markers)
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
            if policies:
                covered.add(interp.url)  # a policy beyond the crawl's limits cannot be judged either way
            for policy_url, anchor in policies:
                policy = site.page(policy_url)
                if policy is None or policy.is_list:
                    continue
                if policy.link_urls & own:
                    continue
                findings[(interp.url, policy.url)] = Finding(
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
                if (
                    interp.link_urls & {policy.url, policy.requested_url}
                    or (interp.url, policy.url) in findings
                ):
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
