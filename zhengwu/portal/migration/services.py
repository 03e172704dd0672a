"""Site import runs: queued from the admin, executed by a background task, with progress and the report stored."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from zhengwu.core.scoping import has_county_wide_access, is_in_scope
from zhengwu.core.services.audit import audit

from ..models import SiteImportRun, SiteImportStatus
from .importer import SiteImportError, check_start_url, import_site, parse_host, probe_start_url

logger = logging.getLogger(__name__)

PERMISSION = "portal.add_siteimportrun"
VIEW_PERMISSION = "portal.view_siteimportrun"


def _site_organization(hostname: str):
    """The organization of the existing target site (its home page's), or None when there is no such site."""
    from wagtail.models import Site

    host, port = parse_host(hostname)
    site = Site.objects.filter(hostname=host, port=port).select_related("root_page").first()
    if site is None:
        return False, None
    return True, getattr(site.root_page.specific, "organization", None)


def queue_import(
    *, start_url: str, hostname: str, organization=None, as_of: dt.date | None, dry_run: bool, actor: Any
) -> SiteImportRun:
    """Check the request (permission, the organization and target site within the actor's scope, an old site that
    answers) and queue the run for the background task. The old site is asked before any write, outside a
    transaction."""
    if actor is None or not actor.has_perm(PERMISSION):
        raise PermissionDenied("您没有导入网站的权限。")
    try:
        check_start_url(start_url)
        exists, owner = _site_organization(hostname)
    except SiteImportError as exc:
        raise ValidationError(str(exc)) from None
    if organization is not None and (not organization.is_active or organization.ceased_on is not None):
        raise ValidationError(f"主办单位“{organization.name}”已撤销或停用，不能作为导入的目标单位。")
    if organization is not None and not is_in_scope(organization, actor, ""):
        raise PermissionDenied(f"您不能为“{organization.name}”导入网站（不在您的机构范围内）。")
    if exists:
        if owner is None and not has_county_wide_access(actor):
            raise PermissionDenied(
                f"目标网站“{hostname.strip()}”没有主办单位，只有全县网站管理人员可以向其导入内容。"
            )
        if owner is not None and not is_in_scope(owner, actor, ""):
            raise PermissionDenied(
                f"目标网站“{hostname.strip()}”属于“{owner.name}”，您不能向其他单位的网站导入内容。"
            )
        if organization is not None and owner is not None and owner.pk != organization.pk:
            raise ValidationError(
                f"目标网站“{hostname.strip()}”的主办单位是“{owner.name}”，与所选单位“{organization.name}”不一致。"
            )
        organization = owner or organization
    elif organization is None:
        raise ValidationError(f"目标网站“{hostname.strip()}”不存在；请选择主办单位，导入时将为其新建网站。")
    try:
        probe_start_url(start_url)
    except SiteImportError as exc:
        raise ValidationError(str(exc)) from None
    with transaction.atomic():
        run = SiteImportRun.objects.create(
            start_url=start_url.strip(),
            hostname=hostname.strip().lower(),
            organization=organization,
            as_of=as_of,
            dry_run=dry_run,
            created_by=actor,
        )
        audit(actor=actor, action="portal.site.import.queue", target=run, detail={"start_url": run.start_url})
        from .tasks import site_import_task

        run_id = run.pk
        transaction.on_commit(lambda: site_import_task.enqueue(run_id))
    return run


def execute_run(*, run_id: int) -> SiteImportRun:
    run = SiteImportRun.objects.get(pk=run_id)
    if run.status not in (SiteImportStatus.QUEUED, SiteImportStatus.FAILED):
        return run
    SiteImportRun.objects.filter(pk=run.pk).update(status=SiteImportStatus.RUNNING, stage="抓取原网站")

    def progress(stage: str, done: int, total: int) -> None:
        values = {"stage": "抓取原网站" if stage == "crawl" else "写入页面", "done": done, "total": total}
        if stage != "crawl":
            SiteImportRun.objects.filter(pk=run.pk).update(**values)
            return
        # The crawl reports from a worker thread (see crawl_old_site): its own connection, closed after; a failed
        # write is only a missed progress figure, never a failed import.
        try:
            SiteImportRun.objects.filter(pk=run.pk).update(**values)
        except Exception:
            logger.warning("无法记录网站导入进度（导入 %s）", run.pk, exc_info=True)
        finally:
            connection.close()

    try:
        result = import_site(
            start_url=run.start_url,
            hostname=run.hostname,
            organization=run.organization,
            as_of=run.as_of,
            dry_run=run.dry_run,
            actor=run.created_by,
            progress=progress,
        )
    except SiteImportError as exc:
        SiteImportRun.objects.filter(pk=run.pk).update(
            status=SiteImportStatus.FAILED, error=str(exc), finished_at=timezone.now()
        )
    except Exception as exc:
        # What was written stays (each page in its own transaction); the run can be started again to resume.
        SiteImportRun.objects.filter(pk=run.pk).update(
            status=SiteImportStatus.FAILED,
            error=f"导入中断（{exc.__class__.__name__}），已写入的内容保留，可重新导入以继续。",
            finished_at=timezone.now(),
        )
        raise
    else:
        SiteImportRun.objects.filter(pk=run.pk).update(
            status=SiteImportStatus.FINISHED,
            stage="完成",
            site=result.site,
            report=result.report(),
            finished_at=timezone.now(),
        )
    run.refresh_from_db()
    return run
