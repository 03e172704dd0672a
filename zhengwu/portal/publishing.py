"""静态发布: published pages written as HTML files that nginx serves itself, re-written or deleted on change.

Enabled by ``ZHENGWU_PUBLISH_DIR``. Each site of the group with a hostname of its own gets a directory named after
the hostname; a page's file sits at its URL path, in both variants::

    <dir>/<hostname>/zwyw/xxxx/index.html            /zwyw/xxxx/
    <dir>/<hostname>/zh-hant/zwyw/xxxx/index.html    /zh-hant/zwyw/xxxx/

nginx answers a GET or HEAD without query string and without a session cookie with ``try_files`` on that layout and
passes everything else to the application (see ``deploy/``). So the file tree mirrors the page tree, and removing a
page's directory removes its descendants too.

A file is the page exactly as the application renders it for an anonymous visitor: a request goes through the whole
middleware stack (the 繁体 conversion included), and only a response the full-page cache would store is written —
a restricted page, an error or anything that sets a cookie never is.

When content changes (:func:`apply`, called by the receivers in :mod:`.cache` after the commit) the affected files
are deleted at once, so nginx falls back to the application and nobody sees the old page, and a background task
renders them again: the page, its ancestors (the columns and the home page list it), the pages it refers to or that
refer to it (a policy and its interpretations), and, when a column or topic changes, everything below it (their
titles are in the breadcrumbs). A daily task re-publishes every site to repair anything missed.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest
from django_tasks import task
from wagtail.models import Page, Site

from zhengwu.core.scheduler import periodic

from .cache import RENDER_FRESH_ATTR, response_is_cacheable
from .variants import PREFIX as VARIANT_PREFIX

if TYPE_CHECKING:
    from .cache import Changes

logger = logging.getLogger(__name__)

INDEX = "index.html"
VARIANT_DIR = VARIANT_PREFIX.strip("/")  # "zh-hant"


def publish_dir() -> Path | None:
    value = getattr(settings, "ZHENGWU_PUBLISH_DIR", "")
    return Path(value).resolve() if value else None


def enabled() -> bool:
    return publish_dir() is not None


@dataclass(frozen=True)
class SiteTarget:
    """Where and how the pages of one site are published."""

    site_id: int
    hostname: str
    port: int
    root_page_id: int
    root_path: str  # treebeard path of the home page
    root_url_path: str  # Wagtail url_path of the home page, e.g. "/sfx/"
    directory: Path

    @property
    def scheme(self) -> str:
        configured = getattr(settings, "ZHENGWU_PUBLISH_SCHEME", "")
        if configured:
            return configured
        return "https" if self.port == 443 or getattr(settings, "SECURE_SSL_REDIRECT", False) else "http"

    def relative(self, url_path: str) -> str | None:
        """A page's path below the site root ("" for the home page, "zwyw/x/" below it)."""
        if not url_path.startswith(self.root_url_path):
            return None
        return url_path[len(self.root_url_path) :]

    def files(self, relative: str) -> list[Path]:
        """The page's file in 简体 and in 繁体."""
        return [
            self._inside(self.directory / relative / INDEX),
            self._inside(self.directory / VARIANT_DIR / relative / INDEX),
        ]

    def subtree_dirs(self, relative: str) -> list[Path]:
        if not relative:
            return [self.directory]
        return [
            self._inside(self.directory / relative),
            self._inside(self.directory / VARIANT_DIR / relative),
        ]

    def _inside(self, path: Path) -> Path:
        # Slugs cannot contain "/" or "..", but a file outside the directory must be impossible whatever the data.
        resolved = Path(os.path.normpath(path))
        if not resolved.is_relative_to(self.directory):
            raise ValueError(f"发布路径越界：{path}")
        return resolved


def site_targets() -> dict[int, SiteTarget]:
    """Sites that can be published: each needs a hostname no other site uses (nginx tells sites apart by host)."""
    root = publish_dir()
    if root is None:
        return {}
    sites = list(Site.objects.select_related("root_page").order_by("pk"))
    hostnames = [site.hostname.lower() for site in sites]
    targets = {}
    for site in sites:
        hostname = site.hostname.lower()
        if hostnames.count(hostname) > 1 or not hostname or hostname.startswith(".") or "/" in hostname:
            logger.warning("站点 %s 的主机名 %s 不唯一或无效，不做静态发布。", site.site_name, site.hostname)
            continue
        targets[site.pk] = SiteTarget(
            site_id=site.pk,
            hostname=hostname,
            port=site.port,
            root_page_id=site.root_page_id,
            root_path=site.root_page.path,
            root_url_path=site.root_page.url_path,
            directory=root / hostname,
        )
    return targets


def _target_for(targets: dict[int, SiteTarget], url_path: str) -> tuple[SiteTarget, str] | None:
    for target in sorted(targets.values(), key=lambda t: -len(t.root_url_path)):
        relative = target.relative(url_path)
        if relative is not None:
            return target, relative
    return None


# --- rendering -------------------------------------------------------------------------------------------------

_handler: BaseHandler | None = None


def _get_handler() -> BaseHandler:
    global _handler
    if _handler is None:
        handler = BaseHandler()
        handler.load_middleware()
        _handler = handler
    return _handler


def render(target: SiteTarget, path: str) -> bytes | None:
    """The page at ``path`` as an anonymous visitor of the site gets it, or None when it must not be published."""
    scheme = target.scheme
    default_port = 443 if scheme == "https" else 80
    host = target.hostname if target.port in (80, 443) else f"{target.hostname}:{target.port}"
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path.encode("utf-8").decode("iso-8859-1"),  # WSGI carries paths as latin-1 bytes
        "QUERY_STRING": "",
        "SCRIPT_NAME": "",
        "SERVER_NAME": target.hostname,
        "SERVER_PORT": str(target.port if target.port not in (80, 443) else default_port),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
        "wsgi.url_scheme": scheme,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy_header:
        environ[proxy_header[0]] = proxy_header[1] if scheme == "https" else "http"
    request = WSGIRequest(environ)
    setattr(request, RENDER_FRESH_ATTR, True)
    # Not response.close(): that announces the end of a request, which closes this process's database connection.
    response = _get_handler().get_response(request)
    if response.status_code >= 500:
        raise RuntimeError(f"页面渲染出错（{response.status_code}）：{path}")
    if not response_is_cacheable(request, response):
        return None
    if not response.get("Content-Type", "").startswith("text/html"):
        return None
    return bytes(response.content)


def _write(path: Path, content: bytes) -> bool:
    """Write atomically (nginx never sees half a file); False when the file already had this content."""
    try:
        if path.read_bytes() == content:
            return False
    except (FileNotFoundError, NotADirectoryError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".publishing-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.chmod(temporary, 0o644)  # nginx runs as another user
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


def _remove(path: Path) -> bool:
    try:
        path.unlink()
        return True
    except (FileNotFoundError, NotADirectoryError):
        return False


def _remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


@dataclass
class PublishResult:
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: list[str] = field(default_factory=list)

    def add(self, other: PublishResult) -> None:
        self.written += other.written
        self.unchanged += other.unchanged
        self.removed += other.removed
        self.failed += other.failed

    def as_dict(self) -> dict:
        return {
            "written": self.written,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "failed": self.failed,
        }


def publish_page(page: Page, targets: dict[int, SiteTarget] | None = None) -> PublishResult:
    """Bring the page's two files in line with the page as it is now: written if it is published and public,
    deleted otherwise."""
    result = PublishResult()
    targets = site_targets() if targets is None else targets
    found = _target_for(targets, page.url_path or "")
    if found is None or not page.path.startswith(found[0].root_path):
        return result
    target, relative = found
    simplified, traditional = target.files(relative)
    bare = "/" + relative
    for path, url in ((simplified, bare), (traditional, VARIANT_PREFIX + bare)):
        try:
            content = render(target, url) if page.live else None
        except Exception:
            logger.exception("静态发布失败：%s", url)
            result.failed.append(url)
            content = None
        if content is None:
            result.removed += _remove(path)
        elif _write(path, content):
            result.written += 1
        else:
            result.unchanged += 1
    return result


def publish_pages(*, page_ids: list[int], subtrees: list[int] = ()) -> PublishResult:
    """Re-publish these pages, and every page below the pages in ``subtrees``."""
    result = PublishResult()
    if not enabled():
        return result
    targets = site_targets()
    ids = set(page_ids)
    for root in Page.objects.filter(pk__in=subtrees):
        ids.update(Page.objects.descendant_of(root).values_list("pk", flat=True))
    for page in list(Page.objects.filter(pk__in=ids).only("pk", "path", "url_path", "live")):
        result.add(publish_page(page, targets))
    return result


def publish_site(*, site_id: int) -> PublishResult:
    """Publish every page of a site and delete the files of pages that are no longer there."""
    result = PublishResult()
    target = site_targets().get(site_id)
    if target is None:
        return result
    expected: set[Path] = set()
    pages = (
        Page.objects.filter(path__startswith=target.root_path).live().only("pk", "path", "url_path", "live")
    )
    for page in list(pages.order_by("path")):
        result.add(publish_page(page, {site_id: target}))
        relative = target.relative(page.url_path or "")
        if relative is not None:
            expected.update(path for path in target.files(relative) if path.exists())
    if target.directory.is_dir():
        for path in target.directory.rglob(INDEX):
            if path not in expected:
                result.removed += _remove(path)
    return result


def prune_orphans() -> int:
    """Delete the directories of hosts no published site has any more."""
    root = publish_dir()
    if root is None or not root.is_dir():
        return 0
    current = {target.hostname for target in site_targets().values()}
    removed = 0
    for entry in root.iterdir():
        if entry.is_dir() and entry.name not in current:
            _remove_tree(entry)
            removed += 1
    return removed


def publish_all() -> PublishResult:
    result = PublishResult()
    if not enabled():
        return result
    prune_orphans()
    for site_id in site_targets():
        result.add(publish_site(site_id=site_id))
    return result


# --- reacting to changes ---------------------------------------------------------------------------------------


def _ancestor_ids(path: str) -> set[int]:
    prefixes = [path[:end] for end in range(Page.steplen * 2, len(path), Page.steplen)]
    return set(Page.objects.filter(path__in=prefixes).values_list("pk", flat=True))


def _related_ids(page: Page) -> set[int]:
    """Pages that show something of this one or that this one shows (e.g. a policy and its interpretations):
    foreign keys between page types, in both directions."""
    specific = page.specific
    base_fields = {f.name for f in Page._meta.get_fields()}
    ids: set[int] = set()
    for model_field in type(specific)._meta.get_fields():
        model = model_field.related_model
        if model_field.name in base_fields or not (isinstance(model, type) and issubclass(model, Page)):
            continue
        if model_field.many_to_one and model_field.concrete:
            target_id = getattr(specific, model_field.attname)
            if target_id:
                ids.add(target_id)
        elif model_field.one_to_many and model_field.auto_created:
            ids.update(
                model._default_manager.filter(**{model_field.field.name: specific}).values_list(
                    "pk", flat=True
                )
            )
    return ids


def apply(changes: Changes) -> None:
    """After a commit: delete the affected files now and re-render them in the background."""
    if not enabled():
        return
    targets = site_targets()
    if not targets:
        return
    render_ids: set[int] = set()
    render_subtrees: set[int] = set()
    stale_files: list[Path] = []
    stale_dirs: list[Path] = []

    def files_of(url_path: str) -> list[Path]:
        found = _target_for(targets, url_path)
        return found[0].files(found[1]) if found else []

    def dirs_of(url_path: str) -> list[Path]:
        found = _target_for(targets, url_path)
        return found[0].subtree_dirs(found[1]) if found else []

    changed_ids = changes.published | changes.pages | set(changes.unpublished) | changes.subtrees
    changed_ids |= set(changes.moved)
    pages = {page.pk: page for page in Page.objects.filter(pk__in=changed_ids).specific(defer=True)}

    for page_id in changes.published | changes.pages:
        page = pages.get(page_id)
        if page is None:
            continue
        affected = {page.pk} | _ancestor_ids(page.path) | _related_ids(page)
        render_ids |= affected
        is_site_root = any(t.root_page_id == page.pk for t in targets.values())
        if page.numchild and not is_site_root:
            render_subtrees.add(page.pk)
            stale_dirs += dirs_of(page.url_path)
    for page_id, (path, url_path) in changes.unpublished.items():
        stale_files += files_of(url_path)
        render_ids |= _ancestor_ids(path)
        if page_id in pages:
            render_ids |= _related_ids(pages[page_id])
    for page_id, (old_url_path, old_parent_id) in changes.moved.items():
        page = pages.get(page_id)
        if (
            page is not None and page.url_path == old_url_path
        ):  # reordered among its siblings: only lists change
            render_ids |= _ancestor_ids(page.path)
            continue
        stale_dirs += dirs_of(old_url_path)
        if page is not None:
            render_ids |= {page.pk} | _ancestor_ids(page.path)
            render_subtrees.add(page.pk)
            stale_dirs += dirs_of(page.url_path)
        if old_parent_id is not None:
            old_parent = Page.objects.filter(pk=old_parent_id).only("pk", "path").first()
            if old_parent is not None:
                render_ids |= {old_parent.pk} | _ancestor_ids(old_parent.path)
    deleted_paths = sorted(changes.deleted)
    for path in deleted_paths:
        if any(path != other and path.startswith(other) for other in deleted_paths):
            continue  # inside a deleted subtree already handled
        stale_dirs += dirs_of(changes.deleted[path])
        render_ids |= _ancestor_ids(path)
    for page_id in changes.subtrees:
        page = pages.get(page_id)
        if page is not None:
            stale_dirs += dirs_of(page.url_path)
            render_ids |= {page.pk} | _ancestor_ids(page.path)
            render_subtrees.add(page.pk)
    if changes.site_list_changed:
        prune_orphans()
        render_ids |= {target.root_page_id for target in targets.values()}
    for site_id in changes.sites:
        if site_id in targets:
            stale_dirs.append(targets[site_id].directory)

    for url_path in Page.objects.filter(pk__in=render_ids).values_list("url_path", flat=True):
        stale_files += files_of(url_path or "")
    for path in stale_files:
        _remove(path)
    for path in stale_dirs:
        _remove_tree(path)
    if render_ids or render_subtrees:
        publish_pages_task.enqueue(page_ids=sorted(render_ids), subtrees=sorted(render_subtrees))
    for site_id in sorted(changes.sites & set(targets)):
        publish_site_task.enqueue(site_id=site_id)


# --- background tasks ------------------------------------------------------------------------------------------


@task()
def publish_pages_task(page_ids: list[int], subtrees: list[int]) -> dict:
    """Re-publish pages after a change (the files were deleted when the change was committed)."""
    return publish_pages(page_ids=page_ids, subtrees=subtrees).as_dict()


@task()
def publish_site_task(site_id: int) -> dict:
    return publish_site(site_id=site_id).as_dict()


@task(queue_name="maintenance")
def publish_all_task() -> dict:
    """Nightly: re-publish every site, so that a change no signal announced is not kept for long."""
    return publish_all().as_dict()


periodic(publish_all_task, every=timedelta(days=1), at=time(3, 30), name="portal.publish_static")
