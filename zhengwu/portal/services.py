"""Writes of the portal: sites of the site group."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from wagtail.models import Page, Site

from zhengwu.core.models import Organization
from zhengwu.core.services.audit import audit
from zhengwu.core.services.notifications import notify

from .models import ErrorReport, ErrorReportStatus, HomePage, PageVisitDay


@transaction.atomic
def create_site(
    *,
    organization: Organization,
    site_name: str,
    hostname: str,
    port: int = 80,
    is_default: bool = False,
    intro: str = "",
    actor: Any,
) -> Site:
    """Create a site of the group: a home page under the tree root and a Wagtail Site pointing at it."""
    if Site.objects.filter(hostname=hostname, port=port).exists():
        raise ValidationError(f"已存在主机名为 {hostname}:{port} 的网站。")
    root = Page.get_first_root_node()
    if is_default:
        # Wagtail's installation creates a placeholder site and page; the county portal replaces them.
        for site in Site.objects.filter(is_default_site=True):
            placeholder = site.root_page
            site.delete()
            if (
                placeholder.specific_class is Page
                and placeholder.depth == 2
                and not placeholder.get_children()
            ):
                placeholder.delete()
    home = HomePage(
        title=site_name, slug=organization.code.lower(), organization=organization, intro=f"<p>{intro}</p>"
    )
    root.add_child(instance=home)
    home.save_revision().publish()
    site = Site.objects.create(
        hostname=hostname, port=port, site_name=site_name, root_page=home, is_default_site=is_default
    )
    from .editorial import setup_site_editorial

    setup_site_editorial(site=site, actor=actor)
    audit(
        actor=actor,
        action="portal.site.create",
        target=site,
        organization=organization,
        detail={"hostname": hostname, "port": port},
    )
    return site


def record_visit(*, page: Page, site: Site | None, on: dt.date) -> None:
    """Count one view of ``page`` on ``on`` (one row per page per day, incremented in the database)."""
    rows = PageVisitDay.objects.filter(page=page, date=on)
    if rows.update(views=F("views") + 1):
        return
    try:
        with transaction.atomic():
            PageVisitDay.objects.create(page=page, site=site, path=page.path, date=on, views=1)
    except IntegrityError:  # another process created today's row first
        rows.update(views=F("views") + 1)


REPORT_HANDLER_PERMISSION = "portal.change_errorreport"


def _site_staff(organization: Organization | None) -> list:
    """Staff of the site's organization who may handle error reports."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    if organization is None:
        return []
    permission = Permission.objects.get(content_type__app_label="portal", codename="change_errorreport")
    return list(
        get_user_model()
        .objects.filter(organization=organization, is_active=True)
        .filter(Q(groups__permissions=permission) | Q(user_permissions=permission))
        .distinct()
    )


@transaction.atomic
def submit_error_report(
    *,
    site: Site,
    category: str,
    description: str,
    page_url: str = "",
    contact_name: str = "",
    contact: str = "",
    ip_address: str | None = None,
) -> ErrorReport:
    """Store a 「我为政府网站找错」 report and tell the site's staff after the commit."""
    organization = getattr(site.root_page.specific, "organization", None)
    report = ErrorReport.objects.create(
        site=site,
        organization=organization,
        category=category,
        description=description.strip(),
        page_url=page_url.strip(),
        contact_name=contact_name.strip(),
        contact=contact.strip(),
        ip_address=ip_address or None,
    )
    audit(
        actor=None,
        action="portal.error_report.submit",
        target=report,
        organization=organization,
        detail={"site": site.site_name, "category": category},
    )
    recipients = _site_staff(organization)
    if recipients:
        notify(
            recipients=recipients,
            title=f"{site.site_name}收到网站纠错",
            body=report.description[:200],
            link=f"/admin/portal/errorreport/edit/{report.pk}/",
            category="portal.error_report",
            channels=("inbox",),
        )
    return report


@transaction.atomic
def handle_error_report(*, report: ErrorReport, status: str, reply: str, actor) -> ErrorReport:
    if status not in ErrorReportStatus.values or status == ErrorReportStatus.PENDING:
        raise ValidationError("请选择处理结果：已整改或不属实。")
    if not reply.strip():
        raise ValidationError("请填写处理意见。")
    report.status, report.reply, report.handled_by = status, reply.strip(), actor
    from django.utils import timezone

    report.handled_at = timezone.now()
    report.save(update_fields=["status", "reply", "handled_by", "handled_at"])
    audit(actor=actor, action="portal.error_report.handle", target=report, detail={"status": status})
    return report
