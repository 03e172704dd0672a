"""站内搜索 of the site group: jieba-segmented full-text index (SQLite FTS5 or PostgreSQL tsvector/GIN), search
page with filters and highlighting, hot queries, staff recommendations and the zero-result report.

Modules: :mod:`.segment` (word segmentation), :mod:`.registry` (which page types are searchable),
:mod:`.backends` (the two index backends), :mod:`.services` (writes), :mod:`.selectors` (reads),
:mod:`.views`, :mod:`.admin`, :mod:`.tasks`, :mod:`.signals`.
"""
