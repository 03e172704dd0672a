"""拼音 and 首字母 queries (shebao, sb → 社保), and the homophones the typo suggestion tries.

A query word of Latin letters is read as pinyin when it can be cut into pinyin syllables: the Chinese words it may
stand for are the words of the search's own vocabulary (the synonym dictionary, the government vocabulary file,
the organization names) with that reading, then jieba's dictionary words with that reading, most frequent first.
A word that is not pinyin is read as initials (首字母), matched against the search's own vocabulary only: initials
are ambiguous, and a county's own words are what people abbreviate. The Latin word itself is always searched too
(PDF, APP, 12345 stay what they are).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

from pypinyin import Style, lazy_pinyin
from pypinyin.pinyin_dict import pinyin_dict

from . import segment, synonyms

MAX_SYLLABLES = 6
MAX_FULL_CANDIDATES = 3
MAX_INITIALS_CANDIDATES = 4
MIN_WORD_FREQUENCY = 5  # jieba words rarer than this are not offered for a pinyin query
_LATIN = re.compile(r"^[a-z]{2,30}$")


def _toneless(reading: str) -> str:
    reading = (
        reading.replace("ü", "v").replace("ǖ", "v").replace("ǘ", "v").replace("ǚ", "v").replace("ǜ", "v")
    )
    return "".join(c for c in unicodedata.normalize("NFKD", reading) if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def syllable_chars() -> dict[str, frozenset[str]]:
    """Toneless syllable → the characters read so (every reading of a character counts), limited to characters
    of jieba's dictionary."""
    freq = segment.tokenizer().FREQ
    table: dict[str, set[str]] = {}
    for code, readings in pinyin_dict.items():
        char = chr(code)
        if not freq.get(char) and char not in freq:
            continue
        for reading in readings.split(","):
            table.setdefault(_toneless(reading), set()).add(char)
    return {syllable: frozenset(chars) for syllable, chars in table.items() if syllable.isalpha()}


@lru_cache(maxsize=4096)
def readings_of(char: str) -> tuple[str, ...]:
    code = ord(char)
    if code not in pinyin_dict:
        return ()
    return tuple(dict.fromkeys(_toneless(r) for r in pinyin_dict[code].split(",")))


def syllable_splits(text: str) -> list[list[str]]:
    """The ways ``text`` cuts into pinyin syllables (at most 2..MAX_SYLLABLES of them), fewest syllables first."""
    syllables = syllable_chars()
    out: list[list[str]] = []

    def walk(start: int, acc: list[str]) -> None:
        if len(out) >= 8 or len(acc) > MAX_SYLLABLES:
            return
        if start == len(text):
            if len(acc) >= 2:
                out.append(list(acc))
            return
        for end in range(min(len(text), start + 6), start, -1):
            if text[start:end] in syllables:
                acc.append(text[start:end])
                walk(end, acc)
                acc.pop()

    walk(0, [])
    return sorted(out, key=len)


def _dictionary_words(split: list[str]) -> list[tuple[int, str]]:
    """jieba words read as ``split`` (a depth-first walk over the dictionary's prefixes)."""
    tk = segment.tokenizer()
    freq = tk.FREQ
    syllables = syllable_chars()
    found: list[tuple[int, str]] = []

    def walk(index: int, prefix: str) -> None:
        if index == len(split):
            if freq.get(prefix, 0) >= MIN_WORD_FREQUENCY:
                found.append((freq[prefix], prefix))
            return
        for char in syllables[split[index]]:
            word = prefix + char
            if word in freq:  # jieba keeps every prefix of its words (frequency 0 when not a word itself)
                walk(index + 1, word)

    walk(0, "")
    return found


class _Vocabulary:
    lock = threading.Lock()
    key: tuple | None = None
    full: dict[str, list[str]] = {}
    initials: dict[str, list[str]] = {}


def _own_words() -> list[str]:
    words: dict[str, None] = {}
    for word, others in synonyms.table().items():
        words[word] = None
        for other in others:
            words[other] = None
    for path in segment._vocabulary_files():
        for word in segment._read_words(path):
            words[word] = None
    for word in segment._State.added:  # organization names and their short forms
        words[word] = None
    return [word for word in words if 2 <= len(word) <= 12 and segment._is_cjk_word(word)]


def vocabulary() -> _Vocabulary:
    segment.tokenizer()
    synonyms.table()
    key = (synonyms._Loaded.generation, segment.dictionary_version(), len(segment._State.added))
    if _Vocabulary.key != key:
        with _Vocabulary.lock:
            full: dict[str, list[str]] = {}
            initials: dict[str, list[str]] = {}
            for word in _own_words():
                syllables = lazy_pinyin(word, style=Style.NORMAL, v_to_u=False)
                full.setdefault("".join(syllables), []).append(word)
                initials.setdefault("".join(s[0] for s in syllables if s), []).append(word)
            _Vocabulary.full, _Vocabulary.initials, _Vocabulary.key = full, initials, key
    return _Vocabulary


def is_latin(word: str) -> bool:
    return bool(_LATIN.match(word))


@lru_cache(maxsize=2048)
def _candidates(word: str, key: tuple) -> tuple[str, ...]:
    vocab = vocabulary()
    splits = syllable_splits(word)
    if splits:
        chosen = list(vocab.full.get(word, ()))
        ranked: dict[str, int] = {}
        for split in splits:
            for frequency, found in _dictionary_words(split):
                ranked[found] = max(ranked.get(found, 0), frequency)
        for found in sorted(ranked, key=lambda w: -ranked[w]):
            if found not in chosen:
                chosen.append(found)
        return tuple(chosen[:MAX_FULL_CANDIDATES])
    return tuple(vocab.initials.get(word, ())[:MAX_INITIALS_CANDIDATES])


def candidates(word: str) -> tuple[str, ...]:
    """Chinese words a Latin query word may stand for, most likely first (empty when none)."""
    if not is_latin(word):
        return ()
    vocab = vocabulary()
    return _candidates(word, vocab.key)
