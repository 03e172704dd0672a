"""Query-time expansion: a query word also matches its synonyms and abbreviations (:mod:`.synonyms`) and, for a
word typed in Latin letters, the Chinese words its pinyin or initials stand for (:mod:`.pinyin`).

Each added word becomes further alternatives of the same :class:`~.segment.QueryTerm` (the term still has to
match once, by any of them), segmented as a document's text is, so an expansion can only find what the index
holds. The word's own alternatives stay first (``own``), so that dropping its piece-by-piece alternative for a
frequent word (see ``selectors``) does not drop its synonyms.
"""

from __future__ import annotations

from dataclasses import replace

from . import pinyin, synonyms
from .segment import QueryTerm, _chunk_terms, _is_cjk_word, lexemes, parse_query, tokenizer

MAX_ALTERNATIVES = 12


def _word_alternatives(word: str) -> tuple[list[tuple[str, ...]], list[str], list[str]]:
    """The alternatives (with their modes) and highlights that match ``word`` as a document would hold it."""
    terms = list(_chunk_terms(tokenizer(), word))
    if not terms:
        return [], [], []
    if len(terms) == 1:
        term = terms[0]
        return (
            list(term.alternatives),
            [term.mode(i) for i in range(len(term.alternatives))],
            [word],
        )
    # Several words (人力资源 / 和 / 社会保障 / 局): all of them, close together.
    pieces = tuple(lex for term in terms for lex in term.alternatives[0])
    return [pieces], ["near"], [word]


def _composed(word: str) -> list[str]:
    """A word made of a dictionary word and a rest (社保卡 = 社保 + 卡) stands also for the rest joined to the
    word's synonyms (社会保障卡), the longest dictionary word at either end first."""
    if len(word) < 3 or not _is_cjk_word(word):
        return []
    for size in range(len(word) - 1, 1, -1):
        for head, rest, before in ((word[:size], word[size:], False), (word[-size:], word[:-size], True)):
            others = synonyms.synonyms_of(head)
            if others:
                return [rest + other if before else other + rest for other in others]
    return []


def expand_term(term: QueryTerm) -> QueryTerm:
    if term.prefix or len(term.alternatives) == 0:
        return term
    added: list[str] = []
    if pinyin.is_latin(term.text):
        for word in pinyin.candidates(term.text):
            added.extend([word, *synonyms.synonyms_of(word)])
    else:
        added.extend(synonyms.synonyms_of(term.text) or _composed(term.text))
    if not added:
        return term
    alternatives = list(term.alternatives)
    modes = [term.mode(i) for i in range(len(alternatives))]
    highlights = list(term.highlights)
    for word in dict.fromkeys(added):
        if word == term.text:
            continue
        new, new_modes, new_highlights = _word_alternatives(word)
        for alternative, mode in zip(new, new_modes, strict=True):
            if alternative not in alternatives and len(alternatives) < MAX_ALTERNATIVES:
                alternatives.append(alternative)
                modes.append(mode)
        highlights.extend(new_highlights)
    return replace(
        term,
        alternatives=tuple(alternatives),
        modes=tuple(modes),
        own=term.own_count(),
        highlights=tuple(dict.fromkeys(h for h in highlights if lexemes(h))),
    )


def parse_expanded(query: str) -> list[QueryTerm]:
    """The terms of a query with their synonyms and pinyin readings as further alternatives."""
    known = synonyms.table() and synonyms.known_words()
    return [expand_term(term) for term in parse_query(query, known or frozenset())]
