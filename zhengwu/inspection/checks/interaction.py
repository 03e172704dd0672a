"""unanswered_message (互动回应差): a valid consultation message from the past year left without a reply for more
than 3 months. Read from our own interaction data when the context carries it, and from pages that show
留言时间 / 答复时间 (other CMSs' mailbox and Q&A pages). Interviews, surveys, petitions and disciplinary reports are
excluded by the rule."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..dates import DATE_PATTERN, add_months, make_date, plausible
from ..extract import ParsedPage
from .base import Check, Finding, PageFacts, SiteData, register


def _date_after(text: str, start: int, limit: int = 40):
    match = DATE_PATTERN.search(text, start, start + limit)
    if match is None:
        return None
    return make_date(match["y"], match["m"], match["d"])


@register
class UnansweredMessageCheck(Check):
    code = "unanswered_message"
    label = "留言超期未回复"
    description = "1年内的有效咨询留言超过3个月未回复。"

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        rule = ctx.rules.checks["interaction"]
        self.rule = rule
        self.msg_label = re.compile("|".join(map(re.escape, rule["message_label"])))
        self.reply_label = re.compile("(" + "|".join(map(re.escape, rule["reply_label"])) + r")\s*[:：]?\s*")
        self.pending = re.compile("|".join(map(re.escape, rule["pending_markers"])))
        self.excluded = rule["excluded_markers"]
        self.window_start = add_months(ctx.as_of, -int(rule["window_months"]))
        self.months = int(rule["unanswered_months"])
        self.found: dict[str, Finding] = {}

    def _judge(
        self, *, received, replied, title: str, url: str, referrer: str, snippet: str, source: str
    ) -> None:
        as_of = self.ctx.as_of
        received = plausible(received, as_of)
        if received is None or received < self.window_start:
            return
        deadline = add_months(received, self.months)
        if replied is not None and replied <= deadline:
            return
        if replied is None and as_of <= deadline:
            return
        key = f"{received.isoformat()}|{title[:40]}"
        if key in self.found:
            return
        if replied is None:
            waited = (as_of - received).days
            summary = f"留言“{title}”（{received.isoformat()}）至检查日已 {waited} 天未回复，超过 {self.months} 个月"
        else:
            waited = (replied - received).days
            summary = f"留言“{title}”（{received.isoformat()}）于 {replied.isoformat()} 才答复，间隔 {waited} 天，超过 {self.months} 个月"
        self.found[key] = Finding(
            check=self.code,
            url=url,
            referrer=referrer,
            evidence={
                "summary": summary,
                "title": title,
                "message_date": received.isoformat(),
                "reply_date": replied.isoformat() if replied else None,
                "days_waited": waited,
                "snippet": snippet,
                "source": source,
                "key": key,
            },
        )

    def on_page(self, page: ParsedPage, facts: PageFacts) -> None:
        text = page.text
        if "时间" not in text or not self.msg_label.search(text):
            return
        context = f"{page.title} {' '.join(page.breadcrumb)} {facts.column_name}"
        if any(marker in context for marker in self.excluded):
            return
        starts = [m for m in self.msg_label.finditer(text)]
        for index, match in enumerate(starts):
            received = _date_after(text, match.end())
            if received is None:
                continue
            end = starts[index + 1].start() if index + 1 < len(starts) else min(len(text), match.end() + 800)
            block = text[match.end() : end]
            replied = None
            reply_match = self.reply_label.search(block)
            if reply_match is not None:
                replied = _date_after(block, reply_match.end(), 20)
            if replied is None and reply_match is None and not self.pending.search(block):
                # No reply field at all: a list that shows only the message date says nothing about replies.
                continue
            before = text[max(0, match.start() - 120) : match.start()].rstrip(" :：|")
            lines = [ln.strip() for ln in before.split("\n") if ln.strip()]
            title = (
                re.sub(r"^(?:留言标题|标题|主题|信件标题|咨询标题)\s*[:：]\s*", "", lines[-1])
                if lines
                else page.title
            )
            snippet = text[max(0, match.start() - 40) : min(len(text), match.end() + 80)].replace("\n", " ")
            self._judge(
                received=received,
                replied=replied,
                title=title[:80] or page.title,
                url=facts.url,
                referrer=facts.referrer,
                snippet=snippet,
                source="page",
            )

    def finish(self, site: SiteData) -> Iterable[Finding]:
        for message in self.ctx.messages or []:
            if message.kind != "consultation":
                continue
            self._judge(
                received=message.received_on,
                replied=message.replied_on,
                title=message.title,
                url=message.url,
                referrer="",
                snippet="",
                source="interaction",
            )
        return list(self.found.values())
