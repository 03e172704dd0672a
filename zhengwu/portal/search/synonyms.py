"""The synonym and abbreviation dictionary of the site search (同义词与简称), applied at query time.

Groups of words that find each other (社保 / 社会保险 / 社会保障, 人社局 / 人力资源和社会保障局) live in the
:class:`~zhengwu.portal.models.SearchSynonym` table: seeded from ``rules/synonyms.json`` by ``zhengwu setup``
(:func:`load_rules`), edited by staff in the admin. Documents are indexed as written; a query word of a group is
matched as itself or as any other word of its group. A process reads the table once and again whenever the
generation counter in the cache moves (every save bumps it), so every worker sees an edit at its next query.
"""

from __future__ import annotations

import json
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.db import DatabaseError

RULES_FILE = Path(__file__).with_name("rules") / "synonyms.json"
GENERATION_KEY = "zw:search:synonyms:generation"


@lru_cache(maxsize=1)
def rules() -> dict[str, Any]:
    return json.loads(RULES_FILE.read_text(encoding="utf-8"))


def rule_groups() -> list[list[str]]:
    from .segment import normalize

    return [[normalize(word).strip() for word in group] for group in rules()["groups"]]


class _Loaded:
    lock = threading.Lock()
    generation: object = None
    table: dict[str, tuple[str, ...]] = {}


def _generation() -> int:
    return cache.get_or_set(GENERATION_KEY, 1, None)


def changed() -> None:
    """Make every process read the table again (called after a group was saved or deleted)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, None)
    _Loaded.generation = None


def _read() -> dict[str, tuple[str, ...]]:
    from ..models import SearchSynonym

    table: dict[str, dict[str, None]] = {}
    try:
        rows = list(SearchSynonym.objects.filter(is_active=True).values_list("words", flat=True))
    except DatabaseError:  # before the migration
        return {}
    for text in rows:
        words = SearchSynonym(words=text).word_list()
        for word in words:
            others = table.setdefault(word, {})
            for other in words:
                if other != word:
                    others[other] = None
    return {word: tuple(others) for word, others in table.items()}


def table() -> dict[str, tuple[str, ...]]:
    """Each word of an active group → the other words of its groups."""
    generation = _generation()
    if _Loaded.generation != generation:
        with _Loaded.lock:
            if _Loaded.generation != generation:
                _Loaded.table = _read()
                _Loaded.generation = generation
                known_words.cache_clear()
    return _Loaded.table


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    return frozenset(_Loaded.table)


def synonyms_of(word: str) -> tuple[str, ...]:
    return table().get(word, ())


def load_rules(*, actor: Any = None) -> int:
    """Add the groups of the rules file that the table does not have yet (judged by a group's first word, so that
    groups staff edited or switched off are left as they are). Returns how many were added."""
    from ..models import SearchSynonym

    existing = {
        words[0]
        for words in (
            SearchSynonym(words=text).word_list()
            for text in SearchSynonym.objects.values_list("words", flat=True)
        )
        if words
    }
    added = [
        SearchSynonym(words="、".join(group), from_rules=True, note="预置")
        for group in rule_groups()
        if group and group[0] not in existing
    ]
    SearchSynonym.objects.bulk_create(added)
    if added:
        changed()
    return len(added)
