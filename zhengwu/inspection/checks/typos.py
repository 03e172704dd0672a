"""serious_typo (严重错别字): near misses of terms that must be written exactly — the national list shipped in
``rules/national-terms.txt`` plus the county's own list (local leaders' names and titles).

For each term we generate the strings that differ from it by one character, where that character is a 同音字 (same
pinyin and tone, from pypinyin's dictionary, limited to the GB2312 common set) or a 形近字 (our own small table,
``rules/similar_chars.txt``), plus the known wrong forms listed with the term. Precision comes first:

- two-character terms get only 形近 variants (two-character homophones are mostly real words);
- a variant that is itself a word in pypinyin's phrase dictionary, or another term, is dropped;
- a hit inside an occurrence of a correct term is ignored.

All variants go into one dict. A small regular expression of the characters that can begin a variant (its first
character followed by a possible second one) finds, in one pass in C, the few places where a variant may start;
only there are the lengths of the variants that begin with that character tried, longest first, and the longest
variant found wins — so a page costs one scan whatever the number of terms, no large pattern has to be compiled,
and building the matcher costs a dict of the variants rather than a trie of them.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..extract import ParsedPage
from .base import Check, Finding, PageFacts, SiteData, register

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
_CJK = re.compile(r"[\u4e00-\u9fff]")
CATEGORY_LABELS = {
    "state": "国名及国家机构名称",
    "leader": "领导人姓名职务",
    "phrase": "重要会议及固定表述",
    "local": "本地领导姓名职务及机构名称",
}


class TermsError(ValueError):
    pass


@dataclass(frozen=True)
class Term:
    text: str
    category: str
    known_wrong: tuple[str, ...] = ()


def _gb2312_hanzi() -> frozenset[str]:
    """The characters of the GB2312 set, read off its code table (rows 0xA1–0xF7, cells 0xA1–0xFE)."""
    chars = set()
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.add(bytes((row, cell)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return frozenset(ch for ch in chars if "\u4e00" <= ch <= "\u9fff")


@lru_cache(maxsize=1)
def homophone_index() -> dict[str, frozenset[str]]:
    """tone3 reading → common characters with that reading."""
    from pypinyin.contrib.tone_convert import to_tone3
    from pypinyin.pinyin_dict import pinyin_dict

    index: dict[str, set[str]] = {}
    tone3: dict[str, str] = {}  # some 1,500 distinct readings among the 6,763 characters
    for ch in _gb2312_hanzi():
        readings = pinyin_dict.get(ord(ch))
        if not readings:
            continue
        for reading in readings.split(","):
            key = tone3.get(reading)
            if key is None:
                key = tone3[reading] = to_tone3(reading)
            index.setdefault(key, set()).add(ch)
    return {k: frozenset(v) for k, v in index.items()}


@lru_cache(maxsize=1)
def similar_index() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for line in (RULES_DIR / "similar_chars.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        for ch in line:
            table.setdefault(ch, set()).update(c for c in line if c != ch)
    return {k: frozenset(v) for k, v in table.items()}


@lru_cache(maxsize=1)
def national_terms() -> tuple[Term, ...]:
    terms = []
    for line in (RULES_DIR / "national-terms.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.rstrip("\n").split("\t")
        wrong = tuple(w.strip() for w in parts[2].split(",") if w.strip()) if len(parts) > 2 else ()
        terms.append(Term(parts[0].strip(), parts[1].strip() if len(parts) > 1 else "phrase", wrong))
    return tuple(terms)


def parse_terms_text(text: str) -> list[str]:
    """A county term file: UTF-8, one correct term per line; blank lines and lines starting with # are ignored."""
    terms = []
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if len(line) > 60:
            raise TermsError(f"第 {number} 行过长（超过60个字）：每行只写一个词语。")
        if not _CJK.search(line):
            raise TermsError(f"第 {number} 行“{line}”不含汉字，无法用于错别字检查。")
        terms.append(line)
    return terms


def read_terms_file(path: str | Path) -> list[str]:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise TermsError(f"无法读取词表文件 {path}：{exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TermsError(f"词表文件 {path} 不是 UTF-8 编码，请另存为 UTF-8 后重试。") from exc
    return parse_terms_text(text)


def _term_variants(text: str) -> list[tuple[str, int]]:
    """The strings one 同音 or 形近 character away from ``text`` that are not words themselves, with the position
    of the changed character."""
    from pypinyin import Style, pinyin
    from pypinyin.phrases_dict import phrases_dict

    if len(text) < 2:
        return []
    homophones = homophone_index()
    similar = similar_index()
    readings = [r[0] for r in pinyin(text, style=Style.TONE3, heteronym=False, errors="ignore")]
    cjk_positions = [i for i, ch in enumerate(text) if _CJK.match(ch)]
    reading_of = (
        dict(zip(cjk_positions, readings, strict=False)) if len(readings) == len(cjk_positions) else {}
    )
    found = []
    for i in cjk_positions:
        ch = text[i]
        candidates = set(similar.get(ch, ()))
        if len(text) >= 3 and i in reading_of:
            candidates |= homophones.get(reading_of[i], frozenset())
        candidates.discard(ch)
        for alt in sorted(candidates):
            wrong = text[:i] + alt + text[i + 1 :]
            if wrong not in phrases_dict:
                found.append((wrong, i))
    return found


_VARIANT_CACHE_VERSION = "1"
_variant_memory: dict[str, list[tuple[str, int]]] = {}


def _variant_cache_file() -> Path | None:
    """A file of generated variants per term, so that a run does not load pypinyin's dictionaries (half a
    second or more) to regenerate what an earlier run generated. Keyed by the character tables and pypinyin's
    dictionary files (found, not imported: importing pypinyin would load them; nor is importlib.metadata asked for
    its version, which costs more than the rest of the lookup); ``ZHENGWU_CACHE_DIR`` overrides the place (the
    user's cache folder by default)."""
    try:
        spec = importlib.util.find_spec("pypinyin")
        if spec is None or not spec.origin:
            return None
        package = Path(spec.origin).parent
        digest = hashlib.sha1(_VARIANT_CACHE_VERSION.encode())
        for name in ("pinyin_dict.py", "phrases_dict.py"):
            stat = (package / name).stat()
            digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        digest.update((RULES_DIR / "similar_chars.txt").read_bytes())
        folder = os.environ.get("ZHENGWU_CACHE_DIR") or os.path.join(
            os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "zhengwu"
        )
        return Path(folder) / f"typo-variants-{digest.hexdigest()[:16]}.json"
    except (OSError, ImportError, ValueError):
        return None


def _cached_variants(texts: list[str]) -> dict[str, list[tuple[str, int]]]:
    missing = [t for t in texts if t not in _variant_memory]
    if missing:
        path = _variant_cache_file()
        if path is not None and path.exists():
            try:
                stored = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(stored, dict):
                    for text, pairs in stored.items():
                        _variant_memory[text] = [(str(wrong), int(position)) for wrong, position in pairs]
            except (OSError, ValueError, TypeError):
                pass  # an unreadable cache is regenerated
        missing = [t for t in texts if t not in _variant_memory]
        for text in missing:
            _variant_memory[text] = _term_variants(text)
        if missing and path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                scratch = path.with_suffix(f".{os.getpid()}.tmp")
                scratch.write_text(json.dumps(_variant_memory, ensure_ascii=False), encoding="utf-8")
                os.replace(scratch, path)
            except OSError:
                pass  # no writable cache: the next run generates them again
    return {t: _variant_memory[t] for t in texts}


def _trie_regex(words: Iterable[str]) -> str:
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            return f"(?:{body})?"
        return body

    return emit(trie)


def _char_class(chars: Iterable[str]) -> str:
    return "[" + "".join(re.escape(ch) for ch in sorted(chars)) + "]"


@dataclass
class TermMatcher:
    terms: list[Term]
    variants: dict[str, tuple[Term, int]] = field(default_factory=dict)  # wrong → (term, position or -1)
    lengths: dict[str, tuple[int, ...]] = field(
        default_factory=dict
    )  # first character → variant lengths, longest first
    starts: re.Pattern[str] | None = None  # where a variant can begin
    correct_pattern: re.Pattern[str] | None = None
    longest: int = 0

    @classmethod
    def build(cls, county_terms: Iterable[str] = (), *, include_national: bool = True) -> TermMatcher:
        terms: dict[str, Term] = {}
        if include_national:
            for term in national_terms():
                terms[term.text] = term
        for text in county_terms:
            text = text.strip()
            if text and text not in terms:
                terms[text] = Term(text, "local")
        variants: dict[str, tuple[Term, int]] = {}
        ambiguous: set[str] = set()

        def add(wrong: str, term: Term, position: int) -> None:
            if wrong in terms or wrong in ambiguous:
                return
            if wrong in variants and variants[wrong][0].text != term.text:
                ambiguous.add(wrong)  # two terms one edit apart: we cannot tell which was meant
                del variants[wrong]
                return
            variants.setdefault(wrong, (term, position))

        generated = _cached_variants(list(terms))
        for term in terms.values():
            for wrong in term.known_wrong:
                add(wrong, term, -1)
            for wrong, position in generated[term.text]:
                add(wrong, term, position)
        matcher = cls(list(terms.values()), variants)
        if variants:
            lengths: dict[str, set[int]] = {}
            for wrong in variants:
                lengths.setdefault(wrong[0], set()).add(len(wrong))
            matcher.lengths = {ch: tuple(sorted(sizes, reverse=True)) for ch, sizes in lengths.items()}
            pairs = [w for w in variants if len(w) >= 2]
            alternatives = []
            if pairs:
                alternatives.append(
                    _char_class({w[0] for w in pairs}) + "(?=" + _char_class({w[1] for w in pairs}) + ")"
                )
            singles = [w for w in variants if len(w) == 1]
            if singles:
                alternatives.append(_char_class(singles))
            matcher.starts = re.compile("|".join(alternatives))
            matcher.longest = max(len(t) for t in terms)
        matcher.correct_pattern = re.compile(_trie_regex(terms)) if terms else None
        return matcher

    def scan(self, text: str) -> list[tuple[int, str, Term]]:
        """(offset, wrong text, term) for each near miss in ``text``: at each place, the longest variant that starts
        there; the scan goes on after it (the leftmost-longest, non-overlapping matches)."""
        if self.starts is None or not text:
            return []
        hits = []
        variants = self.variants
        lengths = self.lengths
        size = len(text)
        resume = 0
        for candidate in self.starts.finditer(text):
            start = candidate.start()
            if start < resume:
                continue
            wrong = ""
            for length in lengths.get(text[start], ()):
                if start + length <= size and text[start : start + length] in variants:
                    wrong = text[start : start + length]
                    break
            if not wrong:
                continue
            end = start + len(wrong)
            resume = end
            if self._inside_correct(text, start, end):
                continue
            hits.append((start, wrong, self.variants[wrong][0]))
        return hits

    def _inside_correct(self, text: str, start: int, end: int) -> bool:
        if self.correct_pattern is None:
            return False
        lo = max(0, start - self.longest)
        window = text[lo : end + self.longest]
        # Terms may overlap each other, so try a match at every position of the window, not just finditer's.
        for offset in range(len(window)):
            m = self.correct_pattern.match(window, offset)
            if m is None:
                continue
            m_start, m_end = m.start() + lo, m.end() + lo
            # A correct term reaching beyond the hit excuses it; one lying inside the hit (国务院 in 国务院办工厅)
            # does not.
            if m_start < end and m_end > start and (m_start < start or m_end > end):
                return True
        return False


@register
class SeriousTypoCheck(Check):
    code = "serious_typo"
    label = "严重错别字"
    description = "国名、国家机构、领导人姓名职务、重要表述及本县提供的词语写错（同音字、形近字）。"

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.hits: dict[tuple[str, str], dict] = {}
        self.clean_lines: set[int] = set()

    def on_page(self, page: ParsedPage, facts: PageFacts) -> None:
        matcher: TermMatcher | None = self.ctx.terms
        if matcher is None:
            return
        # Headers, menus and footers repeat on every page: each distinct line is scanned once per run.
        for line in (page.title, *page.text.split("\n")):
            if len(line) < 2:
                continue
            digest = hash(line)
            if digest in self.clean_lines:
                continue
            hits = matcher.scan(line)
            if not hits:
                self.clean_lines.add(digest)
                continue
            for offset, wrong, term in hits:
                key = (wrong, term.text)
                entry = self.hits.get(key)
                if entry is None:
                    snippet = line[max(0, offset - 20) : offset + len(wrong) + 20]
                    self.hits[key] = {
                        "term": term,
                        "url": facts.url,
                        "referrer": facts.referrer,
                        "snippet": snippet,
                        "pages": [facts.url],
                        "count": 1,
                    }
                else:
                    entry["count"] += 1
                    if facts.url not in entry["pages"] and len(entry["pages"]) < 20:
                        entry["pages"].append(facts.url)

    def finish(self, site: SiteData) -> Iterable[Finding]:
        findings = []
        for (wrong, right), entry in sorted(self.hits.items(), key=lambda kv: kv[1]["url"]):
            term: Term = entry["term"]
            findings.append(
                Finding(
                    check=self.code,
                    url=entry["url"],
                    referrer=entry["referrer"],
                    target=right,
                    evidence={
                        "summary": f"“{wrong}”应为“{right}”（{CATEGORY_LABELS.get(term.category, term.category)}）",
                        "wrong": wrong,
                        "right": right,
                        "category": term.category,
                        "snippet": entry["snippet"],
                        "occurrences": entry["count"],
                        "pages": entry["pages"],
                        "key": wrong,
                    },
                )
            )
        return findings
