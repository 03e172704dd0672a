"""繁体版: every public page is also served in Traditional Chinese under the ``/zh-hant/`` prefix.

The page is rendered once, in Simplified Chinese, and converted on the way out with OpenCC (``s2t``: characters
only — ``s2twp`` would also rewrite vocabulary, e.g. 优化 → 最佳化, which a mainland government site must not do).
Internal links in the converted page keep the prefix, so a visitor stays in the variant; the prefixed URLs are
distinct, so every cache in front of the app (full-page cache, nginx) keeps the two variants apart without
``Vary: Cookie``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse

from zhengwu.core.chinese import to_traditional

PREFIX = "/zh-hant"
# Staff paths: served only without the prefix.
STAFF_PREFIXES = ("/admin/", "/_util/")
# Paths that are never pages: assets, files, the admin and machine-readable endpoints keep their URLs.
_UNPREFIXED = ("/static/", "/media/", "/documents/", "/admin/", "/api/", "/_", PREFIX + "/")
# A link written as <a lang="zh-Hans" href="…"> leads back to 简体 and is left alone.
_LINK = re.compile(r'(?<!lang="zh-Hans" )(?P<attr>\b(?:href|action)=")(?P<url>/[^"]*)"')


def _prefix_link(match: re.Match) -> str:
    url = match.group("url")
    if url.startswith("//") or url.startswith(_UNPREFIXED) or url == PREFIX:
        return match.group(0)
    return f'{match.group("attr")}{PREFIX}{url}"'


# Attribute values that are addresses: they name a page by its (Simplified) slug and must not be converted, or a
# Chinese slug such as 县人社局… would become 縣人社局…, an address that does not exist.
_ADDRESS = re.compile(
    r'(?P<attr>\b(?:href|src|action|srcset|poster|data-url)="|\bcontent="(?=https?://|/))(?P<value>[^"]*)"'
)


def _convert_text_only(html: str) -> str:
    """Converts ``html`` to Traditional characters except inside address attributes."""
    parts: list[str] = []
    start = 0
    for match in _ADDRESS.finditer(html):
        parts.append(to_traditional(html[start : match.start("value")]))
        parts.append(match.group("value"))
        start = match.end("value")
    parts.append(to_traditional(html[start:]))
    return "".join(parts)


def convert_html(html: str) -> str:
    html = _convert_text_only(html)
    html = html.replace('<html lang="zh-CN">', '<html lang="zh-Hant">', 1)
    return _LINK.sub(_prefix_link, html)


def variant_url(path: str, variant: str) -> str:
    """The URL of ``path`` in ``variant`` ("hans" or "hant")."""
    is_prefixed = path == PREFIX or path.startswith(PREFIX + "/")
    bare = (path[len(PREFIX) :] or "/") if is_prefixed else path
    return PREFIX + bare if variant == "hant" else bare


class TraditionalChineseMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if not (path == PREFIX or path.startswith(PREFIX + "/")):
            request.zh_variant = "hans"
            return self.get_response(request)
        request.zh_variant = "hant"
        request.path_info = path[len(PREFIX) :] or "/"
        if request.path_info == "/admin" or request.path_info.startswith(STAFF_PREFIXES):
            # The admin and the login exist once, in Simplified Chinese: no second, unthrottled login path.
            raise Http404("管理后台没有繁体版。")
        response = self.get_response(request)
        if response.status_code in (301, 302, 303, 307, 308) and response.get("Location", "").startswith("/"):
            response["Location"] = variant_url(response["Location"], "hant")
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html") and not response.streaming and hasattr(response, "content"):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            charset = response.charset or "utf-8"
            response.content = convert_html(response.content.decode(charset)).encode(charset)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
