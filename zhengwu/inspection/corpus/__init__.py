"""A corpus of generated county sites in the styles of different CMS families, for measuring the inspector's
precision and recall on sites it was not written against.

Each family writes its own URLs, list markup, date formats, pagers, info lines and encodings (see ``families``).
Every site is built twice from the same content: a *defect* copy with every defect class planted at places and in
phrasings that differ by family, and a *clean* copy where the defects are repaired while the look-alike traps stay
(citizens' messages that mention 申请条件 and 办理材料, 政策文件 list pages full of 解读 links, sidebar links named
政策文件, dates in ``2026-11-08``, ``[11-08]`` and ``2026年11月8日``, pager pages of old items, single-page columns).

    sites = build_corpus(external_base="http://127.0.0.1:8001", scale=1)
    for site in sites: site.resources  # path (with query) → Resource; site.planted → what must be found

``score_site`` compares the inspector's findings with what was planted, per check.
"""

from .build import AS_OF, CorpusSite, Planted, Resource, build_corpus, external_resources
from .families import FAMILIES
from .score import CheckScore, score_site, score_table

FAMILIES_CODES = tuple(f.code for f in FAMILIES)

__all__ = [
    "AS_OF",
    "FAMILIES",
    "FAMILIES_CODES",
    "CheckScore",
    "CorpusSite",
    "Planted",
    "Resource",
    "build_corpus",
    "external_resources",
    "score_site",
    "score_table",
]
