"""Links and URL normalization: what the parser needs of URLs, kept apart from the crawler so that a process that
only parses pages (the parse worker) does not load the HTTP client."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

SKIP_SCHEMES = ("mailto:", "javascript:", "tel:", "data:", "ftp:", "sms:", "#", "about:", "file:")


@dataclass(slots=True)
class Link:
    url: str
    text: str
    tag: str  # a, img, link, script, iframe, area, embed


_memo: dict[tuple[str, str], str | None] = {}


def normalize_url(url: str, base: str | None = None) -> str | None:
    """Absolute http(s) URL without fragment, lower-case scheme and host, default port dropped; None if unusable.

    Memoized on (base directory, reference): menus and footers repeat the same links on every page. A reference
    that starts with "/" depends only on the base's scheme and host, so it is keyed on those and shared by every
    page of the site.
    """
    if base is not None and url[:1] not in ("?", "#", ""):
        if url[:1] == "/" and base.startswith(("http://", "https://")):
            cut = base.find("/", 8)
            key = (base if cut == -1 else base[:cut], url)
        else:
            key = (base.rsplit("/", 1)[0], url)
        cached = _memo.get(key, _MISSING)
        if cached is not _MISSING:
            return cached  # type: ignore[return-value]
        result = _normalize(url, base)
        if len(_memo) > 200_000:
            _memo.clear()
        _memo[key] = result
        return result
    return _normalize(url, base)


_MISSING = object()


def _normalize(url: str, base: str | None) -> str | None:
    url = url.strip().replace("\\", "/")
    if not url:
        return None
    low = url[:12].lower()
    if low.startswith(SKIP_SCHEMES):
        return None
    if base is not None:
        try:
            url = urljoin(base, url)
        except ValueError:
            return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is not None and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    path = parts.path or "/"
    if " " in path:
        path = path.replace(" ", "%20")
    return urlunsplit((scheme, host, path, parts.query, ""))
