"""Write an old site into the portal: columns, pages, images, attachments and redirects, keyed on the old URL.

Each page is written in its own transaction, so an interrupted run keeps what it wrote and the next run continues
(pages whose content has not changed since are left alone: no new revision, no new date). Pages go live at once:
they were public on the old site already."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import filetype
import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from zhengwu.core.services.audit import audit
from zhengwu.core.services.uploads import check_upload
from zhengwu.core.wagtail_uploads import document_types, image_types
from zhengwu.inspection.crawler import ATTACHMENT_EXTENSIONS, IMAGE_EXTENSIONS, extension_of, host_of
from zhengwu.inspection.rules import load_rules

from ..models import (
    ArticleKind,
    ArticlePage,
    ColumnPage,
    HomePage,
    ImportedAsset,
    ImportedPage,
    InterpretationPage,
    PolicyDocumentPage,
)
from .crawl import OldSite, crawl_old_site
from .plan import Plan, PlannedColumn, PlannedItem, make_plan

TZ_HOUR = dt.time(9, 0)
_A_HREF = re.compile(r'<a\b([^>]*?)\shref="([^"]*)"([^>]*)>')
_IMG = re.compile(r"<img\b([^>]*)>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')


class SiteImportError(Exception):
    """Bad input to the import (shown to the person as it is)."""


@dataclass
class ImportResult:
    site: Site | None
    hostname: str
    root_url: str
    pages: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    unmapped: list[dict[str, Any]] = field(default_factory=list)
    catalogue: list[dict[str, Any]] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    redirects: int = 0

    def report(self) -> dict[str, Any]:
        return {
            "pages": self.pages,
            "attachments": self.attachments,
            "unmapped": self.unmapped,
            "catalogue": self.catalogue,
        }


def parse_host(value: str) -> tuple[str, int]:
    text = (value or "").strip().lower()
    host, _, port = text.partition(":")
    if not host or not re.fullmatch(r"[a-z0-9.-]+", host) or (port and not port.isdigit()):
        raise SiteImportError(f"目标主机名“{value}”格式错误，应为域名或“域名:端口”。")
    return host, int(port or 80)


def check_start_url(url: str) -> str:
    parts = urlsplit((url or "").strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SiteImportError(f"原网站地址“{url}”格式错误，应以 http:// 或 https:// 开头。")
    return url.strip()


def probe_start_url(url: str, *, timeout: float = 10.0) -> None:
    """Ask the old site's home page once, so that a run is not queued for a site that cannot be reached."""
    url = check_start_url(url)
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True, trust_env=False) as client:
            response = client.get(
                url, headers={"User-Agent": "Mozilla/5.0 (compatible; zhengwu-site-import/1.0)"}
            )
    except httpx.TimeoutException:
        raise SiteImportError(f"无法访问原网站“{url}”：访问超时。") from None
    except httpx.HTTPError as exc:
        raise SiteImportError(f"无法访问原网站“{url}”：连接失败（{exc.__class__.__name__}）。") from None
    if response.status_code >= 400:
        raise SiteImportError(f"无法访问原网站“{url}”：原网站返回 HTTP {response.status_code}。")


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, TZ_HOUR))


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()


class _Writer:
    def __init__(self, *, site: Site, old: OldSite, plan: Plan, result: ImportResult, timeout: float) -> None:
        self.site = site
        self.home = site.root_page.specific
        self.old = old
        self.plan = plan
        self.result = result
        self.client = httpx.Client(
            timeout=timeout,
            follow_redirects=True,
            trust_env=False,
            headers={"User-Agent": "Mozilla/5.0 (compatible; zhengwu-site-import/1.0)"},
        )
        self.old_hosts = {host_of(old.start_url)}
        self.column_pages: dict[str, Page] = {}
        self.assets: dict[str, ImportedAsset] = {
            a.old_url: a for a in ImportedAsset.objects.filter(site=site).select_related("document", "image")
        }
        self.failed_assets: dict[str, str] = {}
        self.imported = {
            ip.old_url: ip for ip in ImportedPage.objects.filter(site=site).select_related("page")
        }
        self.changed_ids: list[int] = []
        # Old URL (page or pager page or alias) → new site-relative path.
        self.paths: dict[str, str] = {}
        for column in plan.columns.values():
            for url in column.old_urls:
                self.paths[url] = column.path
        for item in plan.items.values():
            for url in [item.page.url, *item.page.aliases]:
                self.paths[url] = item.path
        self.oldest_in_column: dict[str, dt.date] = {}
        for planned in plan.items.values():
            day = planned.page.published or planned.listed_date
            if day and (
                planned.column_key not in self.oldest_in_column
                or day < self.oldest_in_column[planned.column_key]
            ):
                self.oldest_in_column[planned.column_key] = day
        self.oldest = min(self.oldest_in_column.values(), default=None)

    # --- columns ---------------------------------------------------------------------------------------------
    def column(self, key: str) -> Page:
        page = self.column_pages.get(key)
        if page is not None:
            return page
        planned = self.plan.columns[key]
        parent = self.column(planned.parent_key) if planned.parent_key else self.home
        record = self.imported.get(planned.old_urls[0]) if planned.old_urls else None
        page = record.page.specific if record is not None and record.page is not None else None
        if page is None and not planned.old_urls:
            # A column no list page of the old site shows (named by breadcrumbs or metadata): found by its name.
            page = ColumnPage.objects.child_of(parent).filter(title=planned.name).first()
        digest = _digest(planned.name, planned.column_kind)
        if page is None:
            page = ColumnPage(
                title=planned.name, slug=planned.slug, column_kind=planned.column_kind, show_on_home=False
            )
            self._add_live(parent, page, timezone.now())
            self.result.created += 1
        elif record is not None and record.content_hash != digest:
            page.title, page.column_kind = planned.name, planned.column_kind
            page.save()
            self.result.updated += 1
        for url in planned.old_urls:
            self._record(url, "column", page, planned.name, None, digest, planned.old_urls[0])
        self.column_pages[key] = page
        return page

    # --- pages -----------------------------------------------------------------------------------------------
    @staticmethod
    def _add_live(parent: Page, page: Page, when: dt.datetime) -> Page:
        page.live = True
        page.first_published_at = page.last_published_at = when
        parent.add_child(instance=page)
        return page

    def _published(self, item: PlannedItem) -> tuple[dt.date | None, dt.date]:
        """The date shown in the report (None when the old site shows none) and the date the page sorts by: an
        undated page sorts below its column's dated items, never as news of the day of the import."""
        known = item.page.published or item.listed_date
        if known:
            return known, known
        oldest = self.oldest_in_column.get(item.column_key)
        return None, oldest or self.oldest or dt.date(2000, 1, 1)

    def item(self, item: PlannedItem, policies: dict[str, PolicyDocumentPage]) -> Page | None:
        old = item.page
        column = self.column(item.column_key)
        published, sort_day = self._published(item)
        body = old.body
        policy_target = None
        if item.kind == "interpretation":
            policy_target = next((policies[u] for u in old.links if u in policies), None)
        as_policy = item.kind == "policy" and old.written_on is not None
        digest = _digest(
            item.kind, old.title, published, sort_day, old.source, body.html if body else "", old.document_number,
            old.written_on, old.issuer, column.pk, policy_target.pk if policy_target else "", old.attachments,
            sorted((h, self.paths[h]) for h, _ in (body.links if body else []) if h in self.paths),
        )  # fmt: skip
        record = self.imported.get(old.url)
        page = record.page.specific if record is not None and record.page is not None else None
        if page is not None and record.content_hash == digest:
            self.result.unchanged += 1
            self._record_aliases(item, page, published, digest)
            return page
        html, documents = self._rewrite(body.html if body else "", old.url)
        for url, text in old.attachments:
            # Attachments the old page listed outside its body: kept as the page's 附件.
            asset = self._asset(url, old.url, image=False)
            if asset is not None and asset.document_id:
                documents.append((asset.document, text))
        fields: dict[str, Any] = {
            "title": old.title[:255] or old.url,
            "published_at": _aware(sort_day),
            "source": old.source[:100],
            "body": html,
        }
        if as_policy:
            cls: type[Page] = PolicyDocumentPage
            fields.update(
                document_number=old.document_number,
                issuing_authority=(old.issuer or old.source or self.site.site_name)[:100],
                written_on=min(old.written_on, sort_day),
            )
        elif policy_target is not None:
            cls = InterpretationPage
            fields["policy"] = policy_target
        else:
            cls = ArticlePage
            fields["kind"] = ArticleKind.NOTICE if item.kind == "policy" else ArticleKind.NEWS
        with transaction.atomic():
            if page is not None and type(page) is not cls:
                # The kind changed on the old site (a policy gained its 成文日期): replace the page.
                page.delete()
                page = None
            if page is None:
                page = cls(slug=item.slug, **fields)
                self._add_live(column, page, _aware(sort_day))
                self.result.created += 1
            else:
                for name, value in fields.items():
                    setattr(page, name, value)
                if page.get_parent().pk != column.pk:
                    page.move(column, pos="last-child")
                page.save()
                self.result.updated += 1
            from ..models.pages import Attachment

            for document, title in documents:
                Attachment.objects.get_or_create(
                    page=page, document=document, defaults={"title": title[:200]}
                )
            self._record_aliases(item, page, published, digest)
        self.changed_ids.append(page.pk)
        return page

    def _record_aliases(self, item: PlannedItem, page: Page, published, digest: str) -> None:
        old = item.page
        column = self.plan.columns[item.column_key]
        column_url = column.old_urls[0] if column.old_urls else ""
        for url in [old.url, *old.aliases]:
            self._record(
                url, item.kind, page, old.title, published, digest, column_url,
                document_number=old.document_number, written_on=old.written_on,
            )  # fmt: skip

    def _record(self, url, kind, page, title, published, digest, column_url, **extra) -> None:
        record = self.imported.get(url)
        old_path = Redirect.normalise_path(url)
        redirect = None
        if old_path != "/" and len(old_path) <= 255 and old_path.rstrip("/") != page.url_path.rstrip("/"):
            redirect = Redirect.objects.filter(site=self.site, old_path=old_path).first()
            if redirect is None:
                redirect = Redirect.objects.create(
                    site=self.site, old_path=old_path, redirect_page=page, is_permanent=True
                )
                self.result.redirects += 1
            elif redirect.redirect_page_id != page.pk or not redirect.is_permanent:
                redirect.redirect_page, redirect.is_permanent, redirect.redirect_link = page, True, ""
                redirect.save()
        values = {
            "kind": kind,
            "page": page,
            "redirect": redirect,
            "title": title[:255],
            "published": published,
            "content_hash": digest,
            "column_url": column_url,
            "document_number": extra.get("document_number", ""),
            "written_on": extra.get("written_on"),
        }
        if record is None:
            record = ImportedPage.objects.create(site=self.site, old_url=url, **values)
            self.imported[url] = record
        elif any(
            getattr(record, k if k not in ("page", "redirect") else f"{k}_id")
            != (v.pk if k in ("page", "redirect") and v is not None else v)
            for k, v in values.items()
        ):
            for k, v in values.items():
                setattr(record, k, v)
            record.updated_at = timezone.now()
            record.save()

    # --- body, images, attachments ---------------------------------------------------------------------------
    def _rewrite(self, html: str, page_url: str) -> tuple[str, list[tuple[Any, str]]]:
        documents: list[tuple[Any, str]] = []

        def link(match: re.Match[str]) -> str:
            before, href, after = match.groups()
            url = href.replace("&amp;", "&")
            if host_of(url) in self.old_hosts:
                if extension_of(url) in ATTACHMENT_EXTENSIONS:
                    asset = self._asset(url, page_url, image=False)
                    if asset is not None and asset.document_id:
                        documents.append((asset.document, ""))
                        return f'<a linktype="document" id="{asset.document_id}">'
                    return match.group(0)
                path = self.paths.get(url)
                if path is not None:
                    return f'<a{before} href="{path}"{after}>'
            return match.group(0)

        def image(match: re.Match[str]) -> str:
            attrs = dict(_ATTR.findall(match.group(1)))
            url = attrs.get("src", "").replace("&amp;", "&")
            if not url or host_of(url) not in self.old_hosts:
                return match.group(0)
            asset = self._asset(url, page_url, image=True)
            if asset is None or not asset.image_id:
                return ""  # reported as unmapped; a dead old-site image is not kept
            alt = attrs.get("alt", "")
            return f'<embed embedtype="image" id="{asset.image_id}" format="fullwidth" alt="{alt}"/>'

        html = _A_HREF.sub(link, html)
        html = _IMG.sub(image, html)
        return html, documents

    def _asset(self, url: str, page_url: str, *, image: bool) -> ImportedAsset | None:
        asset = self.assets.get(url)
        if asset is not None:
            return asset
        if url in self.failed_assets:
            return None
        reason = None
        try:
            data = self._download(url)
        except _AssetError as exc:
            reason = str(exc)
        else:
            name = unquote(PurePosixPath(urlsplit(url).path).name) or "file"
            ext = extension_of(url)
            if not ext or ext not in (IMAGE_EXTENSIONS | ATTACHMENT_EXTENSIONS):
                guessed = filetype.guess(data)
                if guessed is not None:
                    ext = guessed.extension
                    name = f"{PurePosixPath(name).stem or 'file'}.{ext}"
            allowed = image_types() if image else document_types()
            upload = ContentFile(data, name=name)
            try:
                check_upload(upload, allowed=allowed, max_bytes=None)
            except ValidationError as exc:
                reason = "附件未通过上传检查：" + "；".join(exc.messages)
            else:
                asset = self._store(url, name, data, image=image)
        if reason is not None:
            self.failed_assets[url] = reason
            self.result.unmapped.append({"old_url": url, "reason": f"{reason}（引用页面：{page_url}）"})
            return None
        return asset

    def _download(self, url: str) -> bytes:
        limit = int(getattr(settings, "ZHENGWU_DOCUMENT_MAX_BYTES", 50 * 1024 * 1024))
        try:
            with self.client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise _AssetError(f"附件无法下载：原网站返回 HTTP {response.status_code}")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise _AssetError("附件过大，超过上传上限")
                    chunks.append(chunk)
                return b"".join(chunks)
        except httpx.TimeoutException:
            raise _AssetError("附件下载超时") from None
        except httpx.HTTPError as exc:
            raise _AssetError(f"附件无法下载：{exc.__class__.__name__}") from None

    def _store(self, url: str, name: str, data: bytes, *, image: bool) -> ImportedAsset:
        digest = hashlib.sha256(data).hexdigest()
        title = PurePosixPath(name).stem[:255] or name
        with transaction.atomic():
            if image:
                obj = get_image_model()(title=title, file=ImageFile(io.BytesIO(data), name=name))
                obj._set_image_file_metadata()
                obj.save()
                asset = ImportedAsset.objects.create(site=self.site, old_url=url, image=obj, sha256=digest)
            else:
                obj = get_document_model()(title=title, file=ContentFile(data, name=name))
                obj._set_document_file_metadata()
                obj.save()
                asset = ImportedAsset.objects.create(site=self.site, old_url=url, document=obj, sha256=digest)
        self.assets[url] = asset
        return asset


class _AssetError(Exception):
    pass


def _site_for(hostname: str, port: int, organization, *, dry_run: bool, actor) -> Site | None:
    site = Site.objects.filter(hostname=hostname, port=port).first()
    if site is not None:
        if not isinstance(site.root_page.specific, HomePage):
            raise SiteImportError(f"网站 {hostname} 的根页面不是门户网站首页，无法导入。")
        return site
    if organization is None:
        raise SiteImportError(
            f"目标网站“{hostname}”不存在；请用 --org 指定主办单位（统一社会信用代码）以新建网站。"
        )
    if dry_run:
        return None
    from ..services import create_site

    return create_site(
        organization=organization, site_name=organization.name, hostname=hostname, port=port, actor=actor
    )


def import_site(
    *,
    start_url: str,
    hostname: str,
    organization=None,
    as_of: dt.date | None = None,
    dry_run: bool = False,
    actor=None,
    timeout: float | None = None,
    max_pages: int = 50000,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportResult:
    start_url = check_start_url(start_url)
    host, port = parse_host(hostname)
    as_of = as_of or timezone.localdate()
    site = _site_for(host, port, organization, dry_run=dry_run, actor=actor)
    root_url = site.root_url if site is not None else (f"http://{host}" + (f":{port}" if port != 80 else ""))
    result = ImportResult(site=site, hostname=host, root_url=root_url)

    def crawled(n: int) -> None:
        if progress is not None:
            progress("crawl", n, 0)

    old = crawl_old_site(start_url, as_of=as_of, max_pages=max_pages, timeout=timeout, progress=crawled)
    if not old.pages:
        raise SiteImportError(
            f"无法读取原网站“{start_url}”：{old.failures[0][1] if old.failures else '没有可导入的页面'}。"
        )
    existing: dict[str, tuple[str, str]] = {}
    if site is not None:
        home_path = site.root_page.url_path
        for record in ImportedPage.objects.filter(site=site, page__isnull=False).select_related("page"):
            existing[record.old_url] = (record.page.slug, record.page.url_path[len(home_path) - 1 :])
    plan = make_plan(old, load_rules(), existing)
    for url, reason in old.failures:
        result.unmapped.append({"old_url": url, "reason": reason})
    for what, count in sorted(old.limits.items()):
        if what == "page_limit" and count:
            result.unmapped.append(
                {"old_url": old.start_url, "reason": f"超过抓取页数上限，另有 {count} 个页面未导入"}
            )

    if not dry_run:
        assert site is not None
        writer = _Writer(site=site, old=old, plan=plan, result=result, timeout=timeout or 15.0)
        try:
            for key in plan.column_order:
                writer.column(key)
            ordered = sorted(
                plan.items.values(),
                key=lambda i: ({"policy": 0, "interpretation": 2}.get(i.kind, 1), i.page.order),
            )
            policies: dict[str, PolicyDocumentPage] = {}
            total = len(ordered)
            for n, item in enumerate(ordered, start=1):
                page = writer.item(item, policies)
                if isinstance(page, PolicyDocumentPage):
                    for url in [item.page.url, *item.page.aliases]:
                        policies[url] = page
                if progress is not None and (n % 50 == 0 or n == total):
                    progress("write", n, total)
        finally:
            writer.client.close()
        if writer.changed_ids:
            from ..search.services import sync_pages

            sync_pages(page_ids=writer.changed_ids)
        with transaction.atomic():
            audit(
                actor=actor,
                action="portal.site.import",
                target=site,
                detail={
                    "start_url": start_url,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                    "unmapped": len(result.unmapped),
                },
            )
    _fill_report(result, plan, old, site)
    return result


def _fill_report(result: ImportResult, plan: Plan, old: OldSite, site: Site | None) -> None:
    root = result.root_url.rstrip("/")
    records = (
        {r.old_url: r for r in ImportedPage.objects.filter(site=site).select_related("page")} if site else {}
    )
    home_path = site.root_page.url_path if site else "/"

    def new_url(url: str, planned_path: str) -> str:
        record = records.get(url)
        if record is not None and record.page is not None:
            return root + record.page.url_path[len(home_path) - 1 :]
        return root + planned_path

    def column_url(column: PlannedColumn) -> str:
        first = column.old_urls[0] if column.old_urls else ""
        return new_url(first, column.path)

    for key in sorted(plan.columns, key=lambda k: min(plan.columns[k].old_urls, default=k)):
        column = plan.columns[key]
        for url in sorted(column.old_urls):
            target = column_url(column)
            result.pages.append(
                {"old_url": url, "new_url": target, "kind": "column", "title": column.name, "published": None,
                 "column": target}
            )  # fmt: skip
    for item in sorted(plan.items.values(), key=lambda i: i.page.url):
        published = item.page.published or item.listed_date
        column = column_url(plan.columns[item.column_key])
        for url in [item.page.url, *sorted(item.page.aliases)]:
            target = new_url(item.page.url, item.path)
            result.pages.append(
                {"old_url": url, "new_url": target, "kind": item.kind, "title": item.page.title,
                 "published": published.isoformat() if published else None, "column": column}
            )  # fmt: skip
        if item.page.document_number:
            target = new_url(item.page.url, item.path)
            result.catalogue.append(
                {"old_url": item.page.url, "new_url": target, "title": item.page.title,
                 "document_number": item.page.document_number,
                 "written_on": item.page.written_on.isoformat() if item.page.written_on else None,
                 "published": published.isoformat() if published else None}
            )  # fmt: skip
    assets = (
        ImportedAsset.objects.filter(site=site).select_related("document", "image").order_by("old_url")
        if site
        else []
    )
    for asset in assets:
        obj = asset.document or asset.image
        if obj is None:
            continue
        url = asset.document.url if asset.document else asset.image.file.url
        result.attachments.append(
            {"old_url": asset.old_url, "new_url": root + url if url.startswith("/") else url}
        )
