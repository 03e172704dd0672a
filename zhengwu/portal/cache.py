"""Full-page cache of the public sites for anonymous visitors, and the signals that purge it on change.

Only a request that can only ever see the public page is answered from the cache: GET or HEAD, no session cookie
(so logged-in staff always get a fresh page), not the admin, the visit beacon, the 「我为政府网站找错」 form, the
captcha, search or the API, and no query string other than a page number. Only a response that is the same for
everybody is stored: 200, HTML/RSS/XML, no cookie set, not marked private or no-cache by its view.

Entries are keyed by scheme, host and full path, so the 繁体 variant under ``/zh-hant/`` (converted by the middleware
inside this one) is a separate entry. Each entry remembers the *generation* of its site that was current when the
page was rendered; publishing, unpublishing, moving or deleting a page (and changing a site or its settings) gives
the site a new generation after the commit, which retires every entry of the site at once — the page, its columns,
the home page, both variants, the column feeds and the sitemap — without having to know which URLs showed what.

The cache is Django's cache alias ``pages``: a database table by default (shared by every worker process), Redis
when ``REDIS_URL`` is set. When ``ZHENGWU_PUBLISH_DIR`` is set, the same changes also re-publish the static files
nginx serves (see :mod:`.publishing`).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags
from wagtail.documents import get_document_model
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from zhengwu.core.models import Organization

from .models import HomePage, SiteSettings
from .models.pages import Attachment
from .variants import PREFIX as VARIANT_PREFIX

Document = get_document_model()

logger = logging.getLogger(__name__)

CACHE_ALIAS = "pages"
ENTRY_FORMAT = 1
DEFAULT_EXCLUDED_PREFIXES = (
    "/admin/",
    "/django-admin/",
    "/_",  # /_hit/ (visit beacon) and any other internal endpoint
    "/jiucuo/",
    "/captcha/",
    "/search/",
    "/api/",
    "/documents/",
    "/static/",
    "/media/",
)
DEFAULT_QUERY_PARAMS = ("page",)
CACHEABLE_CONTENT_TYPES = (
    "text/html",
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
)
UNCACHEABLE_DIRECTIVES = ("private", "no-cache", "no-store")
# The static publisher renders through the middleware stack with this attribute set: always render, then store.
RENDER_FRESH_ATTR = "_zhengwu_render_fresh"
# A view may set this attribute on the request to keep its response out of the cache.
NO_CACHE_ATTR = "_zhengwu_no_page_cache"


# Views whose responses may be stored (by URL name): Wagtail pages and the portal's feeds and site maps, which the
# purge below covers. Another app's public view joins with register_cacheable_view() and calls
# purge_sites_after_commit() when its content changes; anything not registered is never stored.
_cacheable_views: set[str] = {"wagtail_serve", "portal_column_feed", "portal_sitemap", "portal_site_map"}


def register_cacheable_view(*view_names: str) -> None:
    _cacheable_views.update(view_names)


def page_cache_enabled() -> bool:
    return bool(getattr(settings, "ZHENGWU_PAGE_CACHE", False))


def _cache():
    return caches[CACHE_ALIAS]


def _generation_key(site_id: int) -> str:
    return f"zw:page-gen:{site_id}"


def _entry_key(url: str) -> str:
    return "zw:page:" + hashlib.sha256(url.encode("utf-8")).hexdigest()


def _bypass_cookies() -> tuple[str, ...]:
    return (settings.SESSION_COOKIE_NAME, getattr(settings, "MESSAGE_COOKIE_NAME", "messages"))


def has_session(request: HttpRequest) -> bool:
    return any(name in request.COOKIES for name in _bypass_cookies())


def _bare_path(path: str) -> str:
    """The path without the 繁体 prefix: exclusions apply to both variants."""
    if path == VARIANT_PREFIX or path.startswith(VARIANT_PREFIX + "/"):
        return path[len(VARIANT_PREFIX) :] or "/"
    return path


def _query_is_cacheable(request: HttpRequest) -> bool:
    if not request.META.get("QUERY_STRING"):
        return True
    allowed = getattr(settings, "ZHENGWU_PAGE_CACHE_QUERY_PARAMS", DEFAULT_QUERY_PARAMS)
    # Arbitrary query strings would let anyone fill the cache with copies of one page.
    return all(
        name in allowed and len(values) == 1 and len(values[0]) <= 8 and values[0].isdigit()
        for name, values in request.GET.lists()
    )


def _is_excluded(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return True
    excluded = getattr(settings, "ZHENGWU_PAGE_CACHE_EXCLUDE", DEFAULT_EXCLUDED_PREFIXES)
    return _bare_path(request.path_info).startswith(tuple(excluded))


def request_cache_url(request: HttpRequest) -> str | None:
    """The URL under which this request's response may be cached, or None when it must not be."""
    if _is_excluded(request) or has_session(request) or not _query_is_cacheable(request):
        return None
    try:
        host = request.get_host()
    except DisallowedHost:
        return None  # the normal stack answers 400
    return f"{request.scheme}://{host}{request.get_full_path()}"


def response_is_cacheable(request: HttpRequest, response: HttpResponse) -> bool:
    """A response that every anonymous visitor may be given: the page cache and the static publisher both ask."""
    if response.status_code != 200 or response.streaming or getattr(request, NO_CACHE_ATTR, False):
        return False
    match = getattr(request, "resolver_match", None)
    if match is None or match.view_name not in _cacheable_views:
        return False
    if not response.get("Content-Type", "").startswith(CACHEABLE_CONTENT_TYPES):
        return False
    if response.cookies:  # a CSRF token, a session or a message: this copy belongs to one visitor
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if (
        any(directive in cache_control for directive in UNCACHEABLE_DIRECTIVES)
        or "max-age=0" in cache_control
    ):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def current_generation(site_id: int) -> str | None:
    """The site's generation; a site without one (new, or evicted from the cache) gets a fresh one."""
    cache = _cache()
    key = _generation_key(site_id)
    generation = cache.get(key)
    if generation is None:
        cache.add(key, uuid.uuid4().hex, None)
        generation = cache.get(key)
    return generation


def purge_sites(site_ids: Iterable[int]) -> None:
    """Retire every cached page of these sites now (call after the commit that changed them)."""
    ids = sorted(set(site_ids))
    if not ids:
        return
    try:
        _cache().set_many({_generation_key(site_id): uuid.uuid4().hex for site_id in ids}, None)
    except Exception:  # the cache is down: nothing is being served from it either
        logger.exception("无法清除页面缓存（站点 %s）", ids)


def purge_all(*, also: Iterable[int] = ()) -> None:
    purge_sites([*Site.objects.values_list("pk", flat=True), *also])


def purge_sites_after_commit(site_ids: Iterable[int] | None = None) -> None:
    """For other apps whose public views are registered as cacheable: retire the cached pages of these sites (all
    sites when None) once the current transaction commits."""
    ids = None if site_ids is None else set(site_ids)
    transaction.on_commit(lambda: purge_all() if ids is None else purge_sites(ids), robust=True)


def site_ids_for_paths(paths: Iterable[str]) -> set[int]:
    """The sites whose tree contains any of these treebeard paths."""
    paths = [p for p in paths if p]
    if not paths:
        return set()
    roots = Site.objects.values_list("pk", "root_page__path")
    return {site_id for site_id, root in roots for path in paths if root and path.startswith(root)}


class PageCacheMiddleware:
    """Serve and store anonymous visitors' public pages (placed before the 繁体 middleware, after the security
    headers middleware, so a hit skips the session, CSRF, auth and page routing entirely)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not page_cache_enabled():
            return self.get_response(request)
        url = request_cache_url(request)
        if url is None:
            return self._bypass(request)
        key = _entry_key(url)
        if not getattr(request, RENDER_FRESH_ATTR, False):
            hit = self._lookup(request, key)
            if hit is not None:
                return hit
        # The generation is read before rendering: if a publication commits while this page renders, the copy
        # is stored under the old generation and never served.
        site = Site.find_for_request(request)
        generation = self._generation(site)
        response = self.get_response(request)
        if generation is None or request.method != "GET" or not response_is_cacheable(request, response):
            response.headers.setdefault("X-Cache", "BYPASS")
            return response
        max_age = int(getattr(settings, "ZHENGWU_PAGE_MAX_AGE", 60))
        patch_cache_control(response, public=True, max_age=max_age)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        content = bytes(response.content)
        etag = '"' + hashlib.md5(content, usedforsecurity=False).hexdigest() + '"'
        response["ETag"] = etag
        headers = [
            (name, value) for name, value in response.items() if name.lower() not in ("date", "x-cache")
        ]
        entry = (ENTRY_FORMAT, site.pk, generation, headers, content, etag)
        try:
            _cache().set(key, entry, int(getattr(settings, "ZHENGWU_PAGE_CACHE_SECONDS", 3600)))
        except Exception:
            logger.exception("无法写入页面缓存")
        response["X-Cache"] = "MISS"
        return response

    def _bypass(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _is_excluded(request):  # forms, the beacon, the admin: no cache of any kind was involved
            return response
        if has_session(request) and "Cache-Control" not in response:
            # A logged-in person's copy must not be kept by a proxy or shown to the next user of the browser.
            patch_cache_control(response, private=True, no_cache=True)
        response.headers.setdefault("X-Cache", "BYPASS")
        return response

    def _generation(self, site: Site | None) -> str | None:
        if site is None:
            return None
        try:
            return current_generation(site.pk)
        except Exception:
            logger.exception("页面缓存不可用")
            return None

    def _lookup(self, request: HttpRequest, key: str) -> HttpResponse | None:
        try:
            entry = _cache().get(key)
            if not entry or entry[0] != ENTRY_FORMAT:
                return None
            _, site_id, generation, headers, content, etag = entry
            if _cache().get(_generation_key(site_id)) != generation:
                return None
        except Exception:
            logger.exception("页面缓存不可用")
            return None
        if etag in parse_etags(request.headers.get("If-None-Match", "")):
            response: HttpResponse = HttpResponseNotModified()
            for name, value in headers:
                if name.lower() in ("etag", "cache-control", "vary", "content-language"):
                    response[name] = value
        else:
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
        response["X-Cache"] = "HIT"
        return response


# --- purge on change ------------------------------------------------------------------------------------------
# Receivers only note what changed; after the commit the notes of the whole transaction are applied at once (a
# deleted column sends one signal per page below it), so that the cache and the published files are neither purged
# before the new state is visible nor refilled from the old one.


@dataclass
class Changes:
    """What one transaction changed, as the purge and the static publisher need to know it."""

    published: set[int] = field(default_factory=set)
    unpublished: dict[int, tuple[str, str]] = field(default_factory=dict)  # page id -> (path, url_path)
    moved: dict[int, tuple[str, int | None]] = field(
        default_factory=dict
    )  # page id -> (old url_path, old parent)
    deleted: dict[str, str] = field(default_factory=dict)  # path -> url_path
    subtrees: set[int] = field(default_factory=set)  # pages whose whole subtree changed
    pages: set[int] = field(default_factory=set)  # pages whose rendering changed (attachments)
    sites: set[int] = field(default_factory=set)  # sites to re-publish entirely
    site_list_changed: bool = False  # a site was added, renamed or removed
    purge_paths: set[str] = field(default_factory=set)  # tree paths whose sites are purged
    purge_site_ids: set[int] = field(default_factory=set)
    purge_everything: bool = False

    def apply(self) -> None:
        site_ids = self.purge_site_ids | site_ids_for_paths(self.purge_paths)
        if self.purge_everything:
            purge_all(also=site_ids)
        else:
            purge_sites(site_ids)
        publishing.apply(self)


_local = threading.local()


def _note(update: Callable[[Changes], None]) -> None:
    """Record a change in the notes of the current transaction, applied once after its commit."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:  # autocommit: the change is already visible
        changes = Changes()
        update(changes)
        changes.apply()
        return
    # One set of notes per savepoint level; a rolled-back savepoint drops its commit callback, and then the
    # notes start afresh.
    level = tuple(connection.savepoint_ids)
    pending = getattr(_local, "pending", None)
    if pending is None:
        pending = _local.pending = {}
    notes = pending.get(level)
    if notes is None or not any(callback is notes[1] for _, callback, _ in connection.run_on_commit):
        changes = Changes()

        def flush() -> None:
            if pending.get(level, (None,))[0] is changes:
                del pending[level]
            changes.apply()

        notes = pending[level] = (changes, flush)
        transaction.on_commit(flush, robust=True)
    update(notes[0])


@receiver(page_published, dispatch_uid="zhengwu_page_cache_published")
def _on_published(sender, instance: Page, **kwargs) -> None:
    def update(changes: Changes) -> None:
        changes.purge_paths.add(instance.path)
        changes.published.add(instance.pk)

    _note(update)


@receiver(page_unpublished, dispatch_uid="zhengwu_page_cache_unpublished")
def _on_unpublished(sender, instance: Page, **kwargs) -> None:
    def update(changes: Changes) -> None:
        changes.purge_paths.add(instance.path)
        changes.published.discard(instance.pk)
        changes.unpublished[instance.pk] = (instance.path, instance.url_path)

    _note(update)


@receiver(post_page_move, dispatch_uid="zhengwu_page_cache_moved")
def _on_moved(sender, instance: Page, parent_page_before: Page, parent_page_after: Page, **kwargs) -> None:
    old_url_path = kwargs.get("url_path_before") or ""

    def update(changes: Changes) -> None:
        changes.purge_paths |= {parent_page_before.path, parent_page_after.path}
        changes.moved[instance.pk] = (old_url_path, parent_page_before.pk)

    _note(update)


@receiver(page_slug_changed, dispatch_uid="zhengwu_page_cache_slug_changed")
def _on_slug_changed(sender, instance: Page, instance_before: Page, **kwargs) -> None:
    def update(changes: Changes) -> None:
        changes.purge_paths.add(instance.path)
        changes.moved[instance.pk] = (instance_before.url_path, None)

    _note(update)


@receiver(post_delete, dispatch_uid="zhengwu_page_cache_page_deleted")
def _on_deleted(sender, instance, **kwargs) -> None:
    if not isinstance(instance, Page) or not instance.path:
        return

    def update(changes: Changes) -> None:
        # A deleted page's site is found by its path after the commit; when the site went too, its deletion
        # purges every site anyway.
        changes.purge_paths.add(instance.path)
        changes.deleted[instance.path] = instance.url_path or ""
        changes.published.discard(instance.pk)
        changes.unpublished.pop(instance.pk, None)

    _note(update)


@receiver(post_save, sender=PageViewRestriction, dispatch_uid="zhengwu_page_cache_restriction_saved")
@receiver(post_delete, sender=PageViewRestriction, dispatch_uid="zhengwu_page_cache_restriction_deleted")
def _on_restriction_changed(sender, instance: PageViewRestriction, **kwargs) -> None:
    page = Page.objects.filter(pk=instance.page_id).only("pk", "path").first()
    if page is None:
        return

    def update(changes: Changes) -> None:
        changes.purge_paths.add(page.path)
        changes.subtrees.add(page.pk)

    _note(update)


@receiver(post_save, sender=Site, dispatch_uid="zhengwu_page_cache_site_saved")
@receiver(post_delete, sender=Site, dispatch_uid="zhengwu_page_cache_site_deleted")
def _on_site_changed(sender, instance: Site, **kwargs) -> None:
    # Every home page lists the sites of the group: a new, renamed or removed site changes all of them.
    site_id = instance.pk

    def update(changes: Changes) -> None:
        changes.purge_everything = True
        changes.purge_site_ids.add(site_id)
        changes.site_list_changed = True
        changes.sites.add(site_id)

    _note(update)


@receiver(post_save, sender=SiteSettings, dispatch_uid="zhengwu_page_cache_settings_saved")
def _on_settings_saved(sender, instance: SiteSettings, **kwargs) -> None:
    def update(changes: Changes) -> None:
        changes.purge_site_ids.add(instance.site_id)
        changes.sites.add(instance.site_id)

    _note(update)


@receiver(post_save, sender=Organization, dispatch_uid="zhengwu_page_cache_org_saved")
def _on_organization_saved(sender, instance: Organization, **kwargs) -> None:
    # The footer falls back to the host organization's name, phone and address.
    homes = HomePage.objects.filter(organization=instance)
    site_ids = set(Site.objects.filter(root_page__in=homes).values_list("pk", flat=True))
    if not site_ids:
        return

    def update(changes: Changes) -> None:
        changes.purge_site_ids |= site_ids
        changes.sites |= site_ids

    _note(update)


def _attachments_changed(document) -> None:
    # Attachment lists show the document's title and link.
    page_ids = set(Attachment.objects.filter(document=document).values_list("page_id", flat=True))
    if not page_ids:
        return
    paths = set(Page.objects.filter(pk__in=page_ids).values_list("path", flat=True))

    def update(changes: Changes) -> None:
        changes.purge_paths |= paths
        changes.pages |= page_ids

    _note(update)


@receiver(post_save, sender=Document, dispatch_uid="zhengwu_page_cache_document_saved")
def _on_document_saved(sender, instance, created: bool = False, **kwargs) -> None:
    if not created:
        _attachments_changed(instance)


@receiver(pre_delete, sender=Document, dispatch_uid="zhengwu_page_cache_document_deleted")
def _on_document_deleted(sender, instance, **kwargs) -> None:
    _attachments_changed(instance)


from . import publishing  # noqa: E402  (imports this module's helpers; registers the publishing tasks)
