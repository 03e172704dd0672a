"""Publication dates as Chinese government sites write them: in meta tags, after 发布时间/发布日期 labels, in list
rows and in URLs (``/2024-01/05/``, ``t20240105_123.html``, ``/art/2024/1/5/``). Only complete dates with a year
are accepted — a list row showing ``01-05`` cannot be placed in time, and guessing would fake freshness.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

_Y = r"(?P<y>(?:19|20)\d{2})"
_M = r"(?P<m>1[0-2]|0?[1-9])"
_D = r"(?P<d>3[01]|[12]\d|0?[1-9])"
# 2024-01-05, 2024/1/5, 2024.01.05, 2024年1月5日, 2024 年 01 月 05 日 (optionally followed by a time)
DATE_PATTERN = re.compile(rf"(?<!\d){_Y}\s*(?:[-/.]|年)\s*{_M}\s*(?:[-/.]|月)\s*{_D}(?:\s*日)?(?!\d)")
COMPACT_PATTERN = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?!\d)"
)
_URL_PATTERNS = [
    # /2024-01/05/ and /2024_01/05/ (TRS/WCM), /2024-01-05/
    re.compile(r"/(?P<y>(?:19|20)\d{2})[-_](?P<m>0[1-9]|1[0-2])[/_-](?P<d>0[1-9]|[12]\d|3[01])(?:/|_|\.|$)"),
    # /202401/05/ or /202401/t20240105_...
    re.compile(r"/(?P<y>(?:19|20)\d{2})(?P<m>0[1-9]|1[0-2])/(?P<d>0[1-9]|[12]\d|3[01])/"),
    # /2024/01/05/ and /art/2024/1/5/
    re.compile(r"/(?P<y>(?:19|20)\d{2})/(?P<m>1[0-2]|0?[1-9])/(?P<d>3[01]|[12]\d|0?[1-9])/"),
    # /2024/0105/
    re.compile(r"/(?P<y>(?:19|20)\d{2})/(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])/"),
    # t20240105_123.html, /20240105/, content_20240105, art_20240105
    re.compile(
        r"(?:^|[/_t-])(?P<y>(?:19|20)\d{2})(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?=[/_.-]|$)"
    ),
]
LABEL_PATTERN = re.compile(
    r"(?:发布时间|发布日期|发表时间|发稿时间|发文日期|发文时间|更新时间|更新日期|信息时间|公开日期|印发日期|"
    r"(?<![\u4e00-\u9fff])(?:时间|日期))\s*[:：]?\s*(?:\[|【)?\s*"
    rf"{_Y}\s*(?:[-/.]|年)\s*{_M}\s*(?:[-/.]|月)\s*{_D}"
)
META_DATE_NAMES = (
    "pubdate",
    "publishdate",
    "firstpublishedtime",
    "lastmodifiedtime",
    "article:published_time",
    "og:release_date",
    "dc.date",
    "dc.date.created",
    "dcterms.created",
    "publishtime",
    "releasedate",
    "maketime",
    "date",
)


# A month and day without a year, as list rows show them: [11-08], 11-08, (11/08), 11月8日. Read only to tell that
# a row is dated; the year comes from the item's own page.
MONTH_DAY_PATTERN = re.compile(
    r"(?<![\d./-])(?:1[0-2]|0?[1-9])(?:\s*[-/.]\s*|月)(?:3[01]|[12]\d|0?[1-9])(?:日)?(?![\d./-])"
)
# A line of its own that starts with a date (hand-written pages put “2026年11月8日　县政府办供稿” under the title).
_DATE_LINE = re.compile(
    rf"^[\[（(【]?\s*{_Y}\s*(?:[-/.]|年)\s*{_M}\s*(?:[-/.]|月)\s*{_D}(?:\s*日)?(?!\d)[^\n]{{0,24}}$",
    re.MULTILINE,
)


def make_date(y: str, m: str, d: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def parse_date(text: str) -> date | None:
    """The first complete date in ``text`` (any common format, including 20240105)."""
    if not text:
        return None
    match = DATE_PATTERN.search(text)
    if match:
        return make_date(match["y"], match["m"], match["d"])
    match = COMPACT_PATTERN.search(text)
    if match:
        return make_date(match["y"], match["m"], match["d"])
    return None


def dates_in(text: str) -> list[date]:
    found = []
    for match in DATE_PATTERN.finditer(text):
        value = make_date(match["y"], match["m"], match["d"])
        if value is not None:
            found.append(value)
    return found


def labelled_date(text: str) -> date | None:
    match = LABEL_PATTERN.search(text)
    if match:
        return make_date(match["y"], match["m"], match["d"])
    return None


def date_line(text: str, skip: Counter | None = None) -> date | None:
    """The date of the first short line that begins with a complete date (a hand-written article's date line).
    ``skip`` counts dates that belong to something else (those of linked rows): that many date lines of each date
    are passed over; a further one is the page's own."""
    left = Counter(skip) if skip else None
    for match in _DATE_LINE.finditer(text):
        value = make_date(match["y"], match["m"], match["d"])
        if left and value is not None and left[value] > 0:
            left[value] -= 1
            continue
        return value
    return None


def url_date(url: str) -> date | None:
    path = url.split("?", 1)[0]
    # Look only at the path after the host.
    if "://" in path:
        path = "/" + path.split("://", 1)[1].split("/", 1)[-1] if "/" in path.split("://", 1)[1] else "/"
    for pattern in _URL_PATTERNS:
        match = pattern.search(path)
        if match:
            value = make_date(match["y"], match["m"], match["d"])
            if value is not None:
                return value
    return None


def meta_date(meta: dict[str, str]) -> date | None:
    for name in META_DATE_NAMES:
        value = meta.get(name)
        if value:
            parsed = parse_date(value)
            if parsed is not None:
                return parsed
    return None


def plausible(value: date | None, as_of: date) -> date | None:
    """Dates after the inspection day are not evidence of freshness (a typo or a forged date); drop them."""
    if value is None or value.year < 1990 or value > as_of:
        return None
    return value


def add_months(value: date, months: int) -> date:
    month_index = value.month - 1 + months
    year = value.year + month_index // 12
    month = month_index % 12 + 1
    for day in (value.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise ValueError(value)
