"""guide_incomplete (办事指南要素缺失): a service guide page missing four or more kinds of element. A page is taken
for a guide when it shows at least two of the service-specific labels (设定依据, 申请条件, 办理材料, 收费标准,
办理流程), or is titled 办事指南 and shows one — so a contact page (地址, 电话, 办公时间), a list of guides, or an
article that mentions 办事指南 is not mistaken for one. The page kind (kinds.py) decides first: citizens'
messages and list pages are never guides, whatever labels their text mentions. Guides from our own services module arrive in
the context when that module is installed."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..extract import ParsedPage
from ..kinds import GUIDE
from .base import Check, Finding, PageFacts, SiteData, register

CORE_ELEMENTS = {"basis", "conditions", "materials", "fee", "process"}


@register
class GuideCheck(Check):
    code = "guide_incomplete"
    label = "办事指南要素缺失"
    description = "办事指南缺少4类以上要素（事项名称、设定依据、申请条件、办理材料、办理地点等）。"

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        rule = ctx.rules.checks["guide"]
        self.elements = ctx.rules.compiled("guide")
        self.threshold = int(rule["missing_threshold"])
        self.findings: list[Finding] = []
        core_words = [
            w for el, _ in self.elements if el["code"] in CORE_ELEMENTS for w in el.get("patterns", [])
        ]
        self.prefilter = re.compile("|".join(core_words))

    def _evaluate(
        self, present: list[str], missing: list[str], *, name: str, url: str, referrer: str, source: str
    ) -> None:
        if len(missing) < self.threshold:
            return
        self.findings.append(
            Finding(
                check=self.code,
                url=url,
                referrer=referrer,
                evidence={
                    "summary": f"办事指南“{name}”缺少 {len(missing)} 类要素：{'、'.join(missing)}",
                    "guide": name,
                    "missing": missing,
                    "present": present,
                    "source": source,
                },
            )
        )

    def on_page(self, page: ParsedPage, facts: PageFacts) -> None:
        if facts.kind != GUIDE:
            return  # lists of guides, citizens' messages and notices that mention 申请条件 are not guides
        text = page.text
        if self.prefilter.search(text) is None:
            return  # no service-specific label at all: not a guide (one search instead of forty)
        present, missing = [], []
        core = 0
        for element, patterns in self.elements:
            found = any(p.search(text) for p in patterns)
            (present if found else missing).append(element["label"])
            core += int(found and element["code"] in CORE_ELEMENTS)
        if core >= 1:
            name = page.title.split("-")[0].split("_")[0].strip() or facts.url
            self._evaluate(present, missing, name=name, url=facts.url, referrer=facts.referrer, source="page")

    def finish(self, site: SiteData) -> Iterable[Finding]:
        labels = [el["label"] for el, _ in self.elements]
        for guide in self.ctx.service_guides or []:
            have = set(guide.get("elements", []))
            present = [label for label in labels if label in have]
            missing = [label for label in labels if label not in have]
            self._evaluate(
                present,
                missing,
                name=guide.get("name", ""),
                url=guide.get("url", ""),
                referrer="",
                source="services",
            )
        return self.findings
