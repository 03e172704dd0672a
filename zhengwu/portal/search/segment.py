"""Chinese word segmentation for the site search (jieba), shared by indexing and querying.

Both sides must cut text the same way, so everything goes through this module:

- :func:`index_terms` turns a field's text into the terms stored in the index: jieba's precise segmentation
  without the HMM (dictionary words only, so that the same substring is cut the same way in a document and in a
  query), and for every word of three or more characters also its dictionary 2- and 3-grams (as jieba's
  ``cut_for_search``) and its finer segmentation (示范县发展和改革委员会 → 示范县 / 发展 / 和 / 改革 / 委员会, recursively).
  A query for a part of a long word therefore still finds it.
- :func:`parse_query` turns what a visitor typed into :class:`QueryTerm` objects, each a word with the
  alternatives that also count as a match (its finer pieces, all required), and runs of single characters
  (names and words the dictionary does not know) as phrases.

What a query word also stands for (its synonyms and abbreviations, the Chinese words of a pinyin or initials
query) is added at query time by :mod:`.expand`; :func:`parse_query` only keeps the words of the synonym dictionary
whole where jieba would cut them apart (人社局, 医保局).

The dictionary is jieba's own plus ``data/userdict.txt`` (government vocabulary), the names of the organizations
in core's table with their short names and place-name stems (青山镇 → 青山), and optionally a county's own word
list named by the ``ZHENGWU_SEARCH_USER_DICT`` setting (village and place names). It is loaded once per process
on first use and refreshed when the organization table changes (checked at most every
``ZHENGWU_SEARCH_DICT_REFRESH_SECONDS``, default 300), or at once by :func:`reload_dictionary`.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jieba
from django.conf import settings

jieba.setLogLevel(logging.WARNING)

USER_DICT_FILE = Path(__file__).with_name("data") / "userdict.txt"
STOPWORDS_FILE = Path(__file__).with_name("data") / "stopwords.txt"
MAX_LEXEME_LENGTH = 60
MAX_QUERY_TERMS = 16
# Words matched at most: each common word in an AND costs a pass over its whole posting list, so a pasted
# title of a dozen words is matched by its most specific words (the longest), and ranked by them.
MAX_MATCHED_TERMS = 5
# Suffixes of township-level names whose stem is also used alone (青山镇 → 青山).
PLACE_SUFFIXES = ("街道办事处", "街道", "镇", "乡", "社区", "村")
GOVERNMENT_SUFFIX = "人民政府"

_LEXEME = re.compile(r"[^\W_]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """What both sides see: NFKC (full-width letters and digits to ASCII), lower case, no control characters."""
    return _CONTROL.sub(" ", unicodedata.normalize("NFKC", text or "")).lower()


def lexemes(token: str) -> list[str]:
    """The indexable pieces of a jieba token: runs of letters and digits (punctuation and spaces dropped)."""
    return [part for part in _LEXEME.findall(token) if len(part) <= MAX_LEXEME_LENGTH]


# ---------------------------------------------------------------------------------------------------------------
# The tokenizer and its dictionary
# ---------------------------------------------------------------------------------------------------------------


class _State:
    lock = threading.Lock()
    tokenizer: jieba.Tokenizer | None = None
    added: set[str] = set()  # organization words already in the tokenizer
    org_signature: tuple | None = None
    checked_at: float = 0.0
    version: int = 0


def _organization_words() -> tuple[tuple, list[str]]:
    """Words taken from core's organization table, and a signature that changes when the table does."""
    from django.db import DatabaseError
    from django.db.models import Count, Max

    from zhengwu.core.models import Organization, OrganizationKind

    try:
        signature = tuple(Organization.objects.aggregate(n=Count("pk"), last=Max("updated_at")).values())
        rows = list(Organization.objects.values_list("name", "short_name", "kind", "parent_id"))
    except DatabaseError:
        # The table does not exist yet (before the first migration); the vocabulary files still apply.
        return ("unavailable",), []
    words: list[str] = []
    places = {OrganizationKind.TOWNSHIP, OrganizationKind.SUBDISTRICT}
    county = ""
    for name, _short, _kind, parent_id in rows:
        if parent_id is None and name.endswith(GOVERNMENT_SUFFIX):
            county = normalize(name[: -len(GOVERNMENT_SUFFIX)])
    if len(county) >= 2:
        words.append(county)
    for name, short_name, kind, _parent in rows:
        for word in (name, short_name):
            word = normalize(word).strip()
            if len(word) < 2 or " " in word:
                continue
            words.append(word)
            if county and word.startswith(county) and len(word) - len(county) >= 2:
                words.append(word[len(county) :])  # 示范县财政局 → 财政局
            if kind in places:
                for suffix in PLACE_SUFFIXES:
                    if word.endswith(suffix) and len(word) - len(suffix) >= 2:
                        words.append(word[: -len(suffix)])
                        break
    return signature, words


def _vocabulary_files() -> list[Path]:
    files = [USER_DICT_FILE]
    extra = getattr(settings, "ZHENGWU_SEARCH_USER_DICT", "") or ""
    if extra:
        files.append(Path(extra))
    return files


def _read_words(path: Path) -> Iterator[str]:
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            yield normalize(line.split()[0])


def tokenizer() -> jieba.Tokenizer:
    """The process's tokenizer, built on first use. Names of organizations added since are added to it when
    the table is next checked (on a change in this process, else at most every refresh interval); words of
    renamed organizations stay until :func:`reload_dictionary`, which does no harm."""
    refresh = float(getattr(settings, "ZHENGWU_SEARCH_DICT_REFRESH_SECONDS", 300))
    now = time.monotonic()
    if _State.tokenizer is not None and now - _State.checked_at < refresh:
        return _State.tokenizer
    with _State.lock:
        if _State.tokenizer is None:
            tk = jieba.Tokenizer()
            tk.initialize()
            for path in _vocabulary_files():
                for word in _read_words(path):
                    tk.add_word(word)
            _State.tokenizer, _State.added, _State.org_signature = tk, set(), None
            _State.version += 1
        elif now - _State.checked_at < refresh:
            return _State.tokenizer
        signature, org_words = _organization_words()
        if signature != _State.org_signature:
            new = [word for word in org_words if word not in _State.added]
            for word in new:
                _State.tokenizer.add_word(word)
            _State.added.update(new)
            _State.org_signature = signature
            if new:
                _State.version += 1
                _expand.cache_clear()
        _State.checked_at = now
        return _State.tokenizer


def organizations_changed() -> None:
    """Look at the organization table again on the next use (called when an organization is saved)."""
    _State.checked_at = 0.0


def reload_dictionary() -> None:
    """Rebuild the dictionary from scratch (after the vocabulary files changed, or organizations were renamed)."""
    with _State.lock:
        _State.tokenizer = None
        _State.checked_at = 0.0
        _expand.cache_clear()
    tokenizer()


def dictionary_version() -> int:
    """Changes whenever the dictionary does (documents indexed under another version may be cut differently)."""
    return _State.version


# ---------------------------------------------------------------------------------------------------------------
# Segmentation
# ---------------------------------------------------------------------------------------------------------------


def _finer(tk: jieba.Tokenizer, word: str) -> list[str]:
    """The best segmentation of ``word`` that does not keep it whole (jieba's own route with that edge removed)."""
    dag = tk.get_DAG(word)
    last = len(word) - 1
    first = [end for end in dag[0] if end != last]
    dag[0] = first or [0]
    route: dict[int, tuple[float, int]] = {}
    tk.calc(word, dag, route)
    pieces, start = [], 0
    while start < len(word):
        end = route[start][1] + 1
        pieces.append(word[start:end])
        start = end
    return pieces


_CJK_RUN = re.compile(
    r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+|[^\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+"
)


@lru_cache(maxsize=200_000)
def _expand(word: str) -> tuple[str, ...]:
    """Index terms for one word of the precise segmentation (see the module docstring)."""
    if len(word) < 3:
        return (word,)
    if not _is_cjk_word(word):
        # A word mixing scripts (12345热线): its Chinese runs are expanded, other runs are kept whole.
        runs = _CJK_RUN.findall(word)
        if len(runs) == 1:
            return (word,)
        out_mixed: dict[str, None] = {}
        for run in runs:
            for term in _expand(run):
                out_mixed[term] = None
        out_mixed[word] = None
        return tuple(out_mixed)
    tk = _State.tokenizer or tokenizer()
    freq = tk.FREQ
    out: dict[str, None] = {}
    for size in (2, 3) if len(word) > 3 else (2,):
        for i in range(len(word) - size + 1):
            gram = word[i : i + size]
            if freq.get(gram):
                out[gram] = None
    for piece in _finer(tk, word):
        for term in _expand(piece):
            out[term] = None
    out[word] = None
    return tuple(out)


def words(text: str) -> list[str]:
    """jieba's precise segmentation of normalized text, dictionary words only (no HMM guesses)."""
    return list(tokenizer().cut(normalize(text), HMM=False))


def index_terms(text: str) -> list[str]:
    """The terms of ``text`` in the order the index stores them (one position each)."""
    terms: list[str] = []
    for word in words(text):
        if not word.strip():
            continue
        for term in _expand(word) if len(word) >= 3 else (word,):
            terms.extend(lexemes(term))
    return terms


# ---------------------------------------------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryTerm:
    """One required part of a query: it matches when any of its alternatives does.

    Each alternative is a tuple of lexemes; with ``phrase`` the lexemes must be adjacent (a run of single
    characters), otherwise all of them must occur.
    """

    text: str  # as typed (normalized), for highlighting
    alternatives: tuple[tuple[str, ...], ...]
    phrase: bool = False
    highlights: tuple[str, ...] = field(default=())
    prefix: bool = (
        False  # the last lexeme of each alternative is the start of a word (a query typed half-way)
    )
    # Per alternative: "word" (one lexeme), "phrase" (adjacent lexemes) or "near" (pieces close together).
    # Empty: derived from ``phrase``. Alternatives added for synonyms and pinyin carry their own modes.
    modes: tuple[str, ...] = field(default=())
    # How many alternatives are the typed word's own (the rest are its synonyms or pinyin readings); 0: all.
    own: int = 0

    def mode(self, index: int) -> str:
        if self.modes:
            return self.modes[index]
        if len(self.alternatives[index]) == 1:
            return "word"
        return "phrase" if self.phrase else "near"

    def own_count(self) -> int:
        return self.own or len(self.alternatives)


def _run_term(run: list[str]) -> QueryTerm:
    """Consecutive single characters of a query (a name, a word the dictionary lacks) as one phrase."""
    if len(run) == 1:
        return QueryTerm(text=run[0], alternatives=((run[0],),), highlights=(run[0],))
    text = "".join(run)
    return QueryTerm(text=text, alternatives=(tuple(run),), phrase=True, highlights=(text,))


def _word_term(tk: jieba.Tokenizer, word: str) -> QueryTerm:
    alternatives: list[tuple[str, ...]] = [(word,)]
    highlights = [word]
    if len(word) >= 3:
        pieces = tuple(p for piece in _finer_query(tk, word) for p in lexemes(piece))
        if len(pieces) > 1:
            alternatives.append(pieces)
            highlights.extend(p for p in pieces if len(p) > 1)
    return QueryTerm(text=word, alternatives=tuple(alternatives), highlights=tuple(highlights))


def _known_span(tokens: list[str], start: int, known: frozenset[str]) -> int:
    """The end of the longest run of two or more tokens from ``start`` that spells a word of the synonym
    dictionary (医保 + 局 = 医保局, 人 + 社 + 局 = 人社局), or ``start`` when there is none."""
    text, best = tokens[start], start
    for end in range(start + 1, min(len(tokens), start + 8)):
        text += tokens[end]
        if len(text) > 16:
            break
        if text in known:
            best = end + 1
    return best


def _known_term(pieces: list[str]) -> QueryTerm:
    """A dictionary word jieba cut into several tokens: matched whole, or as its tokens side by side."""
    text = "".join(pieces)
    lexes = tuple(lex for piece in pieces for lex in lexemes(piece))
    return QueryTerm(
        text=text,
        alternatives=((text,), lexes),
        phrase=True,
        highlights=(text,),
        modes=("word", "phrase"),
    )


def _chunk_terms(tk: jieba.Tokenizer, chunk: str, known: frozenset[str] = frozenset()) -> Iterator[QueryTerm]:
    """``known``: words (of the synonym dictionary) kept as one term where jieba cuts them into several tokens,
    so that they can be expanded."""
    run: list[str] = []
    tokens = list(tk.cut(chunk, HMM=False))
    index = 0
    while index < len(tokens):
        end = _known_span(tokens, index, known) if known else index
        if end > index:
            if run:
                yield _run_term(run)
                run = []
            yield _known_term(tokens[index:end])
            index = end
            continue
        token = tokens[index]
        index += 1
        parts = lexemes(token)
        if len(parts) == 1 and len(parts[0]) == 1 and _is_cjk(parts[0]):
            run.append(parts[0])
            continue
        if run:
            yield _run_term(run)
            run = []
        if len(parts) > 1:  # "covid-19" style tokens: every part is required
            yield QueryTerm(text=token, alternatives=(tuple(parts),), highlights=tuple(parts))
        elif parts:
            yield _word_term(tk, parts[0])
    if run:
        yield _run_term(run)


def _trailing_fragment(chunk_terms: list[QueryTerm]) -> list[QueryTerm]:
    """A query that ends with one character after a word (政务公, typed on the way to 政务公开) asks for that word
    followed by a word starting with the character, or for a word starting with both: a single character on its
    own is rarely a word of the index and would match nothing."""
    if len(chunk_terms) < 2:
        return chunk_terms
    word, last = chunk_terms[-2], chunk_terms[-1]
    if (
        last.phrase
        or len(last.text) != 1
        or not _is_cjk(last.text)
        or word.phrase
        or len(word.alternatives[0]) != 1
        or not _is_cjk_word(word.text)
    ):
        return chunk_terms
    text = word.text + last.text
    combined = QueryTerm(
        text=text,
        alternatives=((word.text, last.text), (text,)),
        phrase=True,
        highlights=(text,),
        prefix=True,
    )
    return [*chunk_terms[:-2], combined]


def parse_query(query: str, known: frozenset[str] = frozenset()) -> list[QueryTerm]:
    """The terms of a visitor's query; an empty list when nothing searchable is left (only punctuation).
    ``known``: words (of the synonym dictionary) to be kept whole where jieba would cut them into characters."""
    tk = tokenizer()
    terms: list[QueryTerm] = []
    seen: set[tuple] = set()
    chunks = _SPACE.split(normalize(query).strip())
    for number, chunk in enumerate(chunks, start=1):
        chunk_terms = list(_chunk_terms(tk, chunk, known))
        if number == len(chunks):
            chunk_terms = _trailing_fragment(chunk_terms)
        for term in chunk_terms:
            key = (term.alternatives, term.phrase, term.prefix)
            if key not in seen:
                seen.add(key)
                terms.append(term)
    return terms[:MAX_QUERY_TERMS]


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(_read_words(STOPWORDS_FILE))


def select_terms(terms: list[QueryTerm]) -> tuple[list[QueryTerm], list[QueryTerm]]:
    """The terms a query is matched by, and those left out: stop words (的, 关于…) when anything else is left,
    then the shortest terms beyond :data:`MAX_MATCHED_TERMS` (longer words are the more specific)."""
    stop = stopwords()
    content = [term for term in terms if term.text not in stop] or list(terms)
    if len(content) > MAX_MATCHED_TERMS:
        ranked = sorted(range(len(content)), key=lambda i: (-len(content[i].text), i))
        keep = set(ranked[:MAX_MATCHED_TERMS])
        content = [term for i, term in enumerate(content) if i in keep]
    used = set(map(id, content))
    return content, [term for term in terms if id(term) not in used]


def _finer_query(tk: jieba.Tokenizer, word: str) -> list[str]:
    if _is_cjk_word(word):
        return _finer(tk, word)
    runs = _CJK_RUN.findall(word)
    return runs if len(runs) > 1 else [word]


def _is_cjk_word(word: str) -> bool:
    return all(_is_cjk(char) for char in word)


def _is_cjk(char: str) -> bool:
    return (
        "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or "\U00020000" <= char <= "\U0002ffff"
    )
