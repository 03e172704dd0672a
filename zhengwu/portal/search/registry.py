"""Which page types the site search indexes, and how each is described to it.

A page type takes part by registering a ``describe`` function that returns a :class:`SearchDocument` (the text
and facts the index stores) and the kinds (类型) it can produce, shown as a filter on the search page. The portal's
own types are registered in :mod:`.documents`; another app registers its pages from its ``AppConfig.ready()``
without editing this package.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from wagtail.models import Page


@dataclass(frozen=True)
class SearchDocument:
    """What the index knows of one page (plain text: no HTML)."""

    title: str
    kind: str
    published_at: dt.datetime
    summary: str = ""
    body: str = ""
    keywords: str = ""
    document_number: str = ""
    source: str = ""


@dataclass(frozen=True)
class SearchableType:
    model: type[Page]
    kinds: tuple[tuple[str, str], ...]  # (value, label)
    describe: Callable[[Page], SearchDocument | None]


_types: dict[type[Page], SearchableType] = {}


def register_searchable(
    model: type[Page],
    *,
    kinds: list[tuple[str, str]] | tuple[tuple[str, str], ...],
    describe: Callable[[Page], SearchDocument | None],
) -> None:
    """Index live, public pages of ``model`` (and of its subclasses unless they register themselves).

    ``describe(page)`` receives the specific page and returns its document, or ``None`` to leave it out.
    """
    _types[model] = SearchableType(model=model, kinds=tuple(kinds), describe=describe)


def searchable_for(model: type[Page]) -> SearchableType | None:
    for klass in model.__mro__:
        if klass in _types:
            return _types[klass]
    return None


def searchable_models() -> list[type[Page]]:
    return list(_types)


def kind_choices() -> list[tuple[str, str]]:
    """Every kind any registered type produces, in registration order, without repeats."""
    seen: dict[str, str] = {}
    for searchable in _types.values():
        for value, label in searchable.kinds:
            seen.setdefault(value, label)
    return list(seen.items())


def kind_label(value: str) -> str:
    return dict(kind_choices()).get(value, value)
