"""Data the portal reads: each file names its source."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from django.conf import settings

_DIR = Path(__file__).parent


@lru_cache(maxsize=1)
def _related_links_file() -> tuple[dict[str, str], ...]:
    data = json.loads((_DIR / "related_links.json").read_text(encoding="utf-8"))
    return tuple(data["links"])


def related_links() -> list[dict[str, str]]:
    """The national portals, then those an install adds (``ZHENGWU_RELATED_LINKS``: its provincial and city
    portals, as ``名称|网址`` separated by ``;``)."""
    extra = []
    for entry in getattr(settings, "ZHENGWU_RELATED_LINKS", "").split(";"):
        name, _, url = entry.partition("|")
        if name.strip() and url.strip().startswith(("http://", "https://")):
            extra.append({"name": name.strip(), "url": url.strip()})
    return [*_related_links_file(), *extra]
