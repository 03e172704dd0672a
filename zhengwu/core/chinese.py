"""Simplified ⇄ Traditional Chinese through OpenCC, one converter of each kind per process.

The portal's 繁体 pages, the search box (a 繁体 query searches the 简体 index) and the inspector (reading a 繁体
page's labels) all convert through here.
"""

from __future__ import annotations

from functools import lru_cache

import opencc


@lru_cache(maxsize=2)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_traditional(text: str) -> str:
    return _converter("s2t").convert(text) if text else text


def to_simplified(text: str) -> str:
    return _converter("t2s").convert(text) if text else text
