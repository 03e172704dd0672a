"""“您是不是要找”: a correction offered for a query that probably holds a typo.

Most typos typed with a pinyin input method are homophones (社宝卡 for 社保卡, 公基金 for 公积金). A query is
scored by jieba's own language model (the log-probability of its best segmentation over the dictionary's word
frequencies, plus the search's vocabulary); a character is replaced by a homophone when that makes a dictionary
word and raises the score by at least :data:`MIN_GAIN` (the corrected reading is e^MIN_GAIN times likelier). The
correction is offered only when it finds something and the query as typed finds nothing or far less, so a
correct query (which already reads well, and finds what it finds) gets no suggestion.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import pinyin, segment
from .backends import SearchFilters, get_backend

MIN_GAIN = 6.0
MAX_EDITS = 2
MAX_QUERY_CHARS = 20
MIN_FACTOR = 5  # the correction must find this many times the matches of the query as typed


def _score(tk, text: str) -> float:
    dag = tk.get_DAG(text)
    route: dict[int, tuple[float, int]] = {}
    tk.calc(text, dag, route)
    return route[0][0]


def _makes_word(freq, text: str, index: int) -> bool:
    for size in (2, 3, 4):
        for start in range(max(0, index - size + 1), min(index, len(text) - size) + 1):
            if freq.get(text[start : start + size]):
                return True
    return False


def _correct_run(tk, text: str) -> str:
    """The likeliest reading of a run of Chinese characters with at most MAX_EDITS homophones replaced."""
    freq = tk.FREQ
    syllables = pinyin.syllable_chars()
    current, current_score = text, _score(tk, text)
    changed: set[int] = set()
    for _ in range(MAX_EDITS):
        best, best_score, best_index = current, current_score + MIN_GAIN, -1
        for index, char in enumerate(current):
            if index in changed or not segment._is_cjk(char):
                continue
            for reading in pinyin.readings_of(char):
                for other in syllables.get(reading, ()):
                    if other == char:
                        continue
                    candidate = current[:index] + other + current[index + 1 :]
                    if not _makes_word(freq, candidate, index):
                        continue
                    score = _score(tk, candidate)
                    if score > best_score:
                        best, best_score, best_index = candidate, score, index
        if best_index < 0:
            break
        current, current_score = best, best_score
        changed.add(best_index)
    return current


def corrected(query: str) -> str:
    """The query with its likely homophone typos corrected (the query itself when none is found)."""
    text = segment.normalize(query).strip()
    if not text or len(text) > MAX_QUERY_CHARS:
        return text
    tk = segment.tokenizer()
    out, run = [], []
    for char in text:
        if segment._is_cjk(char):
            run.append(char)
            continue
        if run:
            out.append(_correct_run(tk, "".join(run)) if len(run) >= 2 else "".join(run))
            run = []
        out.append(char)
    if run:
        out.append(_correct_run(tk, "".join(run)) if len(run) >= 2 else "".join(run))
    return "".join(out)


@dataclass(frozen=True)
class Suggestion:
    query: str
    total: int


def suggestion(*, query: str, found: int, filters: SearchFilters) -> Suggestion | None:
    """A corrected query to offer, when the query as typed (which found ``found`` matches) likely holds a typo."""
    from .expand import parse_expanded
    from .segment import select_terms

    text = segment.normalize(query).strip()
    better = corrected(text)
    if better == text:
        return None
    terms, _ = select_terms(parse_expanded(better))
    if not terms:
        return None
    total = get_backend().count(terms=terms, filters=filters).value
    if total <= 0 or total < MIN_FACTOR * found:
        return None
    return Suggestion(query=better, total=total)
