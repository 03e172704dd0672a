"""Full-text index backends of the site search: SQLite FTS5 and PostgreSQL tsvector/GIN, behind one interface.

Both index the same thing: the ``*_terms`` columns of :class:`~zhengwu.portal.models.SearchEntry`, text already
cut into words by :mod:`.segment` and joined by spaces, so neither database needs a Chinese parser. Queries are
built from :class:`~.segment.QueryTerm` objects, never from what the visitor typed, so no character of the query
can reach the database's query syntax.

The backend is chosen by the ``ZHENGWU_SEARCH_BACKEND`` setting: ``"auto"`` (default: by the database vendor),
``"sqlite"``, ``"postgresql"``, or the import path of another :class:`SearchBackend` subclass.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import time
from dataclasses import dataclass
from functools import cached_property, lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils.module_loading import import_string

from .segment import QueryTerm

ENTRY_TABLE = "portal_searchentry"
FTS_TABLE = "portal_search_fts"
TERM_COLUMNS = ("title_terms", "meta_terms", "summary_terms", "body_terms")
# Relative weight of a match in the title, keywords/文号, summary and body.
WEIGHTS = (10.0, 6.0, 3.0, 1.0)


# Broad queries (a common word in a large corpus) must not cost time in proportion to the number of matches:
# counting stops at COUNT_LIMIT (PostgreSQL estimates broad counts instead), and when more documents match than a
# backend's ``rank_window``, relevance ranks the newest ``rank_window`` of them (the result page says so).
COUNT_LIMIT = 10_000
EXACT_COUNT_LIMIT = 5_000  # PostgreSQL: above this many estimated matches, the estimate is shown ("约")
# PostgreSQL: when at least this share of the entries match, reading them newest first and testing each is
# cheaper than fetching every match from the GIN index and sorting.
WALK_DENSITY = 0.2
# A query word found as a term in more entries than this is not also looked for as separate pieces: the extra
# matches would be few among many, and each alternative costs a pass over long posting lists.
COMMON_TERM_DOCS = 1_000
FREQUENCY_TTL_SECONDS = 600
# The pieces of a query word found separately in a document (县政府 as 示范县 + 政府) must lie within this many
# terms of each other: a word's index terms (its 2- and 3-grams, its finer pieces) stand between them.
PIECE_GAP = 8
SORT_KEY_FACTOR = 10**9  # sort_key = publication time in seconds × SORT_KEY_FACTOR + page id


def sort_key(published_at: dt.datetime, page_id: int) -> int:
    return int(published_at.timestamp()) * SORT_KEY_FACTOR + page_id


def page_id_of(key: int) -> int:
    return key % SORT_KEY_FACTOR


# Filter tokens start with a private-use character: unicode61 keeps it inside a token, and no term made from
# text ever contains one (segment.lexemes keeps letters and digits only), so a filter token cannot match a
# word of a query, nor a query word a filter token, without restricting the query to columns (which is slow).
FACET_MARK = "\ue000"


def facet_token(prefix: str, value: object) -> str:
    """A filter token as the index stores it (site ``s``, kind ``k``, column ``c``)."""
    return FACET_MARK + prefix + re.sub(r"[^0-9a-z]", "", str(value).lower())


ORIGINAL_FACET = FACET_MARK + "orig"  # an entry that is not a pushed copy (alias) of another page


@dataclass(frozen=True)
class SearchFilters:
    site_id: int | None = None  # None: every site of the group (pushed copies left out)
    column_ids: tuple[int, ...] = ()  # the column first, then the columns below it
    kind: str = ""
    since: dt.datetime | None = None  # inclusive
    before: dt.datetime | None = None  # exclusive


@dataclass(frozen=True)
class MatchCount:
    """How many entries match: ``exact``, ``at_least`` (counting stopped) or ``about`` (the planner's estimate)."""

    value: int
    kind: str = "exact"

    @property
    def broad(self) -> bool:
        return self.kind != "exact"


@dataclass(frozen=True)
class Hit:
    page_id: int
    score: float


class SearchBackend:
    """What a search backend does. Rows of the entry table are written through the ORM; the backend keeps its
    index in step (:meth:`entries_written`) and answers queries."""

    name = ""
    vendor = ""

    def install(self, conn) -> None:
        """Create the index structures (idempotent). ``conn`` is a database connection of the right vendor."""

    def uninstall(self, conn) -> None:
        """Drop the index structures."""

    def entries_written(self, page_ids: list[int]) -> None:
        """Called after entry rows were inserted or updated, inside the same transaction."""

    def rebuild(self) -> None:
        """Rebuild the index from the stored terms (after a restore, or when it is suspected to be damaged)."""

    def optimize(self) -> None:
        """Routine maintenance (merge index segments, refresh statistics)."""

    #: Relevance ranks at most this many matches (the newest) when there are more.
    rank_window = 2_000

    def frequent(self, lexemes: list[str]) -> set[str]:
        """Which of these index terms occur in more than COMMON_TERM_DOCS entries (cached for a while: document
        frequencies change slowly)."""
        now = time.monotonic()
        cache = self._frequency_cache
        unknown = [lex for lex in dict.fromkeys(lexemes) if lex not in cache or cache[lex][1] < now]
        if unknown:
            for lexeme, is_frequent in self._frequent(unknown).items():
                cache[lexeme] = (is_frequent, now + FREQUENCY_TTL_SECONDS)
            if len(cache) > 50_000:
                cache.clear()
        return {lex for lex in lexemes if lex in cache and cache[lex][0]}

    def _frequent(self, lexemes: list[str]) -> dict[str, bool]:
        return dict.fromkeys(lexemes, False)

    @cached_property
    def _frequency_cache(self) -> dict[str, tuple[bool, float]]:
        return {}

    def count(self, *, terms: list[QueryTerm], filters: SearchFilters) -> MatchCount:
        raise NotImplementedError

    def search(
        self,
        *,
        terms: list[QueryTerm],
        filters: SearchFilters,
        sort: str,
        offset: int,
        limit: int,
        count: MatchCount,
    ) -> list[Hit]:
        """One slice of the matches, by relevance or by date (newest first). ``count`` is what :meth:`count`
        returned; when it exceeds :attr:`rank_window`, relevance ranks only the newest ``rank_window``."""
        raise NotImplementedError


# ---------------------------------------------------------------------------------------------------------------
# SQLite FTS5
# ---------------------------------------------------------------------------------------------------------------


def fts5_string(lexeme: str) -> str:
    """An FTS5 string literal: the only syntax a lexeme ever appears in."""
    return '"' + lexeme.replace('"', '""') + '"'


def fts5_query(terms: list[QueryTerm]) -> str:
    parts = []
    for term in terms:
        alternatives = []
        star = " *" if term.prefix else ""  # FTS5: the last token of the string is a prefix
        for index, alternative in enumerate(term.alternatives):
            mode = term.mode(index)
            if len(alternative) == 1:
                alternatives.append(fts5_string(alternative[0]) + star)
            elif mode == "phrase":
                alternatives.append(
                    fts5_string(" ".join(alternative)) + star
                )  # several tokens in one string: a phrase
            else:
                # The pieces of one word, cut differently in the document: they must stand close together.
                span = PIECE_GAP * (len(alternative) - 1)
                alternatives.append(f"NEAR({' '.join(fts5_string(lex) for lex in alternative)}, {span})")
        parts.append(alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")")
    return " AND ".join(parts)


class SqliteFts5Backend(SearchBackend):
    """An FTS5 table (tokenizer unicode61) whose external content is the entry table, kept in step by
    triggers, so that every way a row changes or disappears (a page deleted with its subtree, a bulk delete)
    updates the index in the same transaction. Its rowid is the entry's ``sort_key``, and site, kind, column and
    original/copy are tokens of a ``facet_terms`` column: every filter is part of the full-text query, and no
    query reads the entry table."""

    name = "sqlite"
    vendor = "sqlite"
    COLUMNS = (*TERM_COLUMNS, "facet_terms")

    def install(self, conn) -> None:
        columns = ", ".join(self.COLUMNS)
        new_values = ", ".join(f"new.{c}" for c in self.COLUMNS)
        old_values = ", ".join(f"old.{c}" for c in self.COLUMNS)
        statements = [
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5({columns}, content='{ENTRY_TABLE}', "
            "content_rowid='sort_key', tokenize='unicode61 remove_diacritics 0')",
            f"CREATE TRIGGER IF NOT EXISTS {ENTRY_TABLE}_fts_insert AFTER INSERT ON {ENTRY_TABLE} BEGIN "
            f"INSERT INTO {FTS_TABLE}(rowid, {columns}) VALUES (new.sort_key, {new_values}); END",
            f"CREATE TRIGGER IF NOT EXISTS {ENTRY_TABLE}_fts_delete AFTER DELETE ON {ENTRY_TABLE} BEGIN "
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {columns}) VALUES ('delete', old.sort_key, {old_values}); "
            "END",
            f"CREATE TRIGGER IF NOT EXISTS {ENTRY_TABLE}_fts_update AFTER UPDATE OF sort_key, {columns} "
            f"ON {ENTRY_TABLE} BEGIN "
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {columns}) VALUES ('delete', old.sort_key, {old_values}); "
            f"INSERT INTO {FTS_TABLE}(rowid, {columns}) VALUES (new.sort_key, {new_values}); END",
        ]
        with conn.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    def uninstall(self, conn) -> None:
        with conn.cursor() as cursor:
            for suffix in ("insert", "delete", "update"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {ENTRY_TABLE}_fts_{suffix}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")

    def rebuild(self) -> None:
        self.install(connection)
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")

    def optimize(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")

    def integrity_check(self) -> None:
        """Raise if the index does not match the entry table (FTS5's own check against the external content)."""
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)")

    def _match(self, terms: list[QueryTerm], filters: SearchFilters) -> tuple[str, list]:
        """The WHERE clause on the FTS table alone: the query, the filter tokens, the rowid (date) range."""
        facets = [facet_token("s", filters.site_id) if filters.site_id is not None else ORIGINAL_FACET]
        if filters.kind:
            facets.append(facet_token("k", filters.kind))
        if filters.column_ids:
            facets.append(facet_token("c", filters.column_ids[0]))  # entries carry every enclosing column
        expression = f"({fts5_query(terms)}) AND {' AND '.join(fts5_string(f) for f in facets)}"
        clauses, params = [f"{FTS_TABLE} MATCH %s"], [expression]
        if filters.since is not None:
            clauses.append("rowid >= %s")
            params.append(sort_key(filters.since, 0))
        if filters.before is not None:
            clauses.append("rowid < %s")
            params.append(sort_key(filters.before, 0))
        return " AND ".join(clauses), params

    def _frequent(self, lexemes):
        found = {}
        with connection.cursor() as cursor:
            for lexeme in lexemes:
                cursor.execute(
                    f"SELECT count(*) FROM (SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s LIMIT %s)",
                    [fts5_string(lexeme), COMMON_TERM_DOCS + 1],
                )
                found[lexeme] = cursor.fetchone()[0] > COMMON_TERM_DOCS
        return found

    def count(self, *, terms, filters):
        where, params = self._match(terms, filters)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT rowid FROM {FTS_TABLE} WHERE {where} LIMIT %s)",
                [*params, COUNT_LIMIT + 1],
            )
            value = cursor.fetchone()[0]
        return MatchCount(COUNT_LIMIT, "at_least") if value > COUNT_LIMIT else MatchCount(value)

    # At most this many matches get a bm25 score (the newest, when more match): scoring is most of a broad
    # query's cost, and it must not grow with the corpus. Measured on a 103,000-entry index (benchmarks/search.py
    # corpus, 2 loaded cores): p95 54.4 ms with 2,000, 45.1 ms with 500. FTS5's ``ORDER BY rank LIMIT`` was no
    # faster than bm25() under SQLite's own bounded sorter on SQLite 3.40, so the sorter is kept.
    rank_window = 500

    def search(self, *, terms, filters, sort, offset, limit, count):
        where, params = self._match(terms, filters)
        weights = ", ".join(str(w) for w in (*WEIGHTS, 0.0))  # the facet column does not count
        if sort == "date":
            sql = f"SELECT rowid, 0 FROM {FTS_TABLE} WHERE {where} ORDER BY rowid DESC LIMIT %s OFFSET %s"
        elif count.value > self.rank_window:
            # FTS5 returns matches in rowid (= date) order and stops at the LIMIT; only those get a bm25 score.
            sql = (
                f"SELECT key, score FROM (SELECT rowid AS key, bm25({FTS_TABLE}, {weights}) AS score "
                f"FROM {FTS_TABLE} WHERE {where} ORDER BY rowid DESC LIMIT {int(self.rank_window)}) "
                "ORDER BY score, key DESC LIMIT %s OFFSET %s"
            )
        else:
            # bm25() is smaller for better matches.
            sql = (
                f"SELECT rowid, bm25({FTS_TABLE}, {weights}) AS score FROM {FTS_TABLE} WHERE {where} "
                "ORDER BY score, rowid DESC LIMIT %s OFFSET %s"
            )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, limit, offset])
            return [Hit(page_id=page_id_of(row[0]), score=-float(row[1])) for row in cursor.fetchall()]


# ---------------------------------------------------------------------------------------------------------------
# PostgreSQL tsvector / GIN
# ---------------------------------------------------------------------------------------------------------------


def tsquery_lexeme(lexeme: str) -> str:
    """A tsquery literal operand (quoted; quotes and backslashes escaped), never parsed as operators."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _within(first: str, second: str) -> str:
    """``second`` at most PIECE_GAP positions after ``first`` (tsquery has exact distances only)."""
    return "(" + " | ".join(f"{first} <{d}> {second}" for d in range(1, PIECE_GAP + 1)) + ")"


def tsquery(terms: list[QueryTerm]) -> str:
    parts = []
    for term in terms:
        alternatives = []
        for index, alternative in enumerate(term.alternatives):
            lexemes = [tsquery_lexeme(lex) for lex in alternative]
            if term.prefix:
                lexemes[-1] += ":*"
            if len(lexemes) == 1:
                alternatives.append(lexemes[0])
            elif term.mode(index) == "phrase":
                alternatives.append("(" + " <-> ".join(lexemes) + ")")
            else:  # as FTS5's NEAR, one pair of neighbouring pieces at a time
                alternatives.append(
                    "(" + " & ".join(_within(a, b) for a, b in itertools.pairwise(lexemes)) + ")"
                )
        parts.append("(" + " | ".join(alternatives) + ")")
    return " & ".join(parts)


class PostgresBackend(SearchBackend):
    """A ``search_vector`` tsvector column on the entry table with a GIN index. The vector is made with the
    ``simple`` configuration (no stemming, no stop words) from the already segmented terms, weighted A–D for
    title, keywords/文号, summary and body."""

    name = "postgresql"
    vendor = "postgresql"
    rank_window = 500  # a vector is read again to be ranked: about 20 µs each
    VECTOR_SQL = (
        "setweight(to_tsvector('simple', title_terms), 'A') || "
        "setweight(to_tsvector('simple', meta_terms), 'B') || "
        "setweight(to_tsvector('simple', summary_terms), 'C') || "
        "setweight(to_tsvector('simple', body_terms), 'D')"
    )
    # ts_rank weights are given as {D, C, B, A}.
    RANK_WEIGHTS = "{" + ", ".join(str(w / WEIGHTS[0]) for w in reversed(WEIGHTS)) + "}"

    def install(self, conn) -> None:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_indexes WHERE tablename = %s AND indexname = 'portal_search_vector_gin'",
                [ENTRY_TABLE],
            )
            if cursor.fetchone():
                return  # in place (altering the table inside a transaction with pending triggers would fail)
            cursor.execute(f"ALTER TABLE {ENTRY_TABLE} ADD COLUMN IF NOT EXISTS search_vector tsvector")
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS portal_search_vector_gin ON {ENTRY_TABLE} USING gin (search_vector)"
            )

    def uninstall(self, conn) -> None:
        with conn.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS portal_search_vector_gin")
            cursor.execute(f"ALTER TABLE {ENTRY_TABLE} DROP COLUMN IF EXISTS search_vector")

    def entries_written(self, page_ids: list[int]) -> None:
        if not page_ids:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ENTRY_TABLE} SET search_vector = {self.VECTOR_SQL} WHERE page_id = ANY(%s)",
                [list(page_ids)],
            )

    def rebuild(self) -> None:
        self.install(connection)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {ENTRY_TABLE} SET search_vector = {self.VECTOR_SQL}")

    def optimize(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {ENTRY_TABLE}")

    def _where(self, terms: list[QueryTerm], filters: SearchFilters) -> tuple[str, list]:
        clauses, params = ["e.search_vector @@ %s::tsquery"], [tsquery(terms)]
        if filters.site_id is not None:
            clauses.append("e.site_id = %s")
            params.append(filters.site_id)
        else:
            clauses.append("NOT e.is_alias")
        if filters.column_ids:
            clauses.append("e.column_id = ANY(%s)")
            params.append(list(filters.column_ids))
        if filters.kind:
            clauses.append("e.kind = %s")
            params.append(filters.kind)
        if filters.since is not None:
            clauses.append("e.published_at >= %s")
            params.append(filters.since)
        if filters.before is not None:
            clauses.append("e.published_at < %s")
            params.append(filters.before)
        return " AND ".join(clauses), params

    def _rows(self, cursor) -> int:
        """Entries in the table, from the statistics (refreshed every few minutes)."""
        now = time.monotonic()
        if self._row_count[1] < now:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [ENTRY_TABLE])
            row = cursor.fetchone()
            rows = int(row[0]) if row and row[0] and row[0] > 0 else 0
            if rows <= 0:  # never analysed
                cursor.execute(f"SELECT count(*) FROM {ENTRY_TABLE}")
                rows = cursor.fetchone()[0]
            self._row_count = (max(rows, 1), now + FREQUENCY_TTL_SECONDS)
        return self._row_count[0]

    _row_count: tuple[int, float] = (1, 0.0)

    def _estimate(self, cursor, where: str, params: list) -> int:
        cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {ENTRY_TABLE} e WHERE {where}", params)
        plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        return int(plan[0]["Plan"]["Plan Rows"])

    @staticmethod
    def _access(cursor, path: str) -> None:
        """Pin the access path for the rest of the transaction. ``bitmap``: the GIN index gives every match (cost
        in proportion to the matches, right for rare words); ``walk``: read the entries newest first and test each
        (cost in proportion to the rows read, right when most entries match). The planner's choice between the
        two rests on estimates that are poor for rare words, and a wrong choice costs seconds."""
        if path == "bitmap":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
        else:
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("SET LOCAL enable_seqscan = off")

    def _frequent(self, lexemes):
        # The planner's estimate: exact enough for frequent terms (kept in the column's statistics), low for
        # rare ones, which is the answer wanted.
        found = {}
        with connection.cursor() as cursor:
            for lexeme in lexemes:
                where = "e.search_vector @@ %s::tsquery"
                found[lexeme] = self._estimate(cursor, where, [tsquery_lexeme(lexeme)]) > COMMON_TERM_DOCS
        return found

    def count(self, *, terms, filters):
        where, params = self._where(terms, filters)
        with transaction.atomic(), connection.cursor() as cursor:
            estimate = self._estimate(cursor, where, params)
            if estimate > EXACT_COUNT_LIMIT:
                return MatchCount(estimate, "about")
            self._access(cursor, "bitmap")
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {ENTRY_TABLE} e WHERE {where} LIMIT %s) t",
                [*params, COUNT_LIMIT + 1],
            )
            value = cursor.fetchone()[0]
        return MatchCount(COUNT_LIMIT, "at_least") if value > COUNT_LIMIT else MatchCount(value)

    def search(self, *, terms, filters, sort, offset, limit, count):
        where, params = self._where(terms, filters)
        newest = "ORDER BY e.published_at DESC, e.page_id DESC"
        if sort == "date":
            sql = f"SELECT e.page_id, 0 FROM {ENTRY_TABLE} e WHERE {where} {newest} LIMIT %s OFFSET %s"
            args = [*params, limit, offset]
        else:
            rank = "ts_rank_cd(%s::float4[], r.search_vector, %s::tsquery, 1)"
            if count.value > self.rank_window:
                # The newest matches first, without their vectors; only those are read again and ranked.
                source = (
                    f"(SELECT e.page_id FROM {ENTRY_TABLE} e WHERE {where} {newest} "
                    f"LIMIT {int(self.rank_window)}) c JOIN {ENTRY_TABLE} r ON r.page_id = c.page_id"
                )
            else:
                source = f"{ENTRY_TABLE} e JOIN {ENTRY_TABLE} r ON r.page_id = e.page_id WHERE {where}"
            sql = (
                f"SELECT r.page_id, {rank} AS score FROM {source} "
                "ORDER BY score DESC, r.published_at DESC, r.page_id DESC LIMIT %s OFFSET %s"
            )
            args = [self.RANK_WEIGHTS, params[0], *params, limit, offset]
        with transaction.atomic(), connection.cursor() as cursor:
            dense = count.value >= WALK_DENSITY * self._rows(cursor)
            self._access(cursor, "walk" if dense else "bitmap")
            cursor.execute(sql, args)
            return [Hit(page_id=row[0], score=float(row[1])) for row in cursor.fetchall()]


# ---------------------------------------------------------------------------------------------------------------
# Choice
# ---------------------------------------------------------------------------------------------------------------

BACKENDS: dict[str, type[SearchBackend]] = {"sqlite": SqliteFts5Backend, "postgresql": PostgresBackend}


def backend_for_vendor(vendor: str) -> SearchBackend | None:
    klass = BACKENDS.get(vendor)
    return klass() if klass else None


@lru_cache(maxsize=4)
def _configured(name: str, vendor: str) -> SearchBackend:
    if name in ("", "auto"):
        backend = backend_for_vendor(vendor)
        if backend is None:
            raise ImproperlyConfigured(f"站内搜索不支持 {vendor} 数据库：请使用 SQLite 或 PostgreSQL。")
        return backend
    klass = BACKENDS.get(name) or import_string(name)
    backend = klass()
    if backend.vendor and backend.vendor != vendor:
        raise ImproperlyConfigured(
            f"ZHENGWU_SEARCH_BACKEND={name} 需要 {backend.vendor} 数据库，当前数据库为 {vendor}。"
        )
    return backend


def get_backend() -> SearchBackend:
    """The backend for the default database, per the ``ZHENGWU_SEARCH_BACKEND`` setting."""
    return _configured(getattr(settings, "ZHENGWU_SEARCH_BACKEND", "auto") or "auto", connection.vendor)


def install_index(apps, schema_editor) -> None:
    """Migration operation: create the index structures of the database being migrated."""
    backend = backend_for_vendor(schema_editor.connection.vendor)
    if backend is not None:
        backend.install(schema_editor.connection)


def uninstall_index(apps, schema_editor) -> None:
    backend = backend_for_vendor(schema_editor.connection.vendor)
    if backend is not None:
        backend.uninstall(schema_editor.connection)
