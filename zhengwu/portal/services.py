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


# Host names that only this machine can reach: a site on one of them is served by ``zhengwu serve`` itself.
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


def is_loopback_host(hostname: str) -> bool:
    return hostname in _LOOPBACK_HOSTS or hostname.endswith(".localhost")


@transaction.atomic
def follow_served_port(*, port: int) -> list[Site]:
    """``zhengwu serve --port N``: the sites on loopback host names answer on N, so their records say N (the
    absolute links to other sites of the group, the admin's 站点 and the inspector's site list are built from them).

    Sites on public host names are served behind a web server whose port the records already hold; they are left
    alone, as is a loopback host name that has records on more than one port (an operator's deliberate setup).
    """
    loopback = [site for site in Site.objects.order_by("pk") if is_loopback_host(site.hostname)]
    per_host: dict[str, int] = {}
    for site in loopback:
        per_host[site.hostname] = per_host.get(site.hostname, 0) + 1
    changed = []
    for site in loopback:
        if site.port == port or per_host[site.hostname] > 1:
            continue
        before = site.port
        site.port = port
        site.save(update_fields=["port"])  # Site.save clears Wagtail's cached site root paths
        audit(actor=None, action="portal.site.port", target=site, detail={"from": before, "to": port})
        changed.append(site)
    return changed


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


def error_report_handlers(organization: Organization | None) -> list:
    """Who receives a site's error reports: the staff of the site's host organization who may answer them (the
    site's manager); when it has nobody, the county-wide handlers (电子政务办), so that no report reaches no one."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    from zhengwu.core.scoping import COUNTY_WIDE_PERMISSION

    permission = Permission.objects.get(content_type__app_label="portal", codename="change_errorreport")
    holders = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__permissions=permission) | Q(user_permissions=permission))
    )
    if organization is not None:
        owners = list(holders.filter(organization=organization).distinct())
        if owners:
            return owners
    app_label, codename = COUNTY_WIDE_PERMISSION.split(".")
    county = Permission.objects.get(content_type__app_label=app_label, codename=codename)
    return list(
        holders.filter(Q(groups__permissions=county) | Q(user_permissions=county)).distinct().order_by("pk")
    )


def _event(report: ErrorReport, kind: str, text: str) -> None:
    from .models import ErrorReportEvent

    ErrorReportEvent.objects.create(report=report, kind=kind, text=text)


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
    """Store a 「我为政府网站找错」 report with a tracking number and query code (``report.query_code``, shown to
    the reporter once), route it to the site's host organization and tell its handlers after the commit."""
    from zhengwu.core.services.numbering import issue_query_code, issue_tracking_number, tracking_prefix

    organization = getattr(site.root_page.specific, "organization", None)
    code, code_hash = issue_query_code()
    report = ErrorReport.objects.create(
        site=site,
        organization=organization,
        category=category,
        description=description.strip(),
        page_url=page_url.strip(),
        contact_name=contact_name.strip(),
        contact=contact.strip(),
        ip_address=ip_address or None,
        tracking_number=issue_tracking_number(prefix=tracking_prefix("error_report", default="JC")),
        query_code_hash=code_hash,
    )
    report.query_code = code
    _event(report, "submitted", f"已收到您对“{site.site_name}”提交的问题。")
    recipients = error_report_handlers(organization)
    owner = organization.name if organization else site.site_name
    _event(report, "routed", f"已转交{owner}（网站主办单位）核实处理。")
    audit(
        actor=None,
        action="portal.error_report.submit",
        target=report,
        organization=organization,
        detail={
            "site": site.site_name,
            "category": category,
            "tracking_number": report.tracking_number,
            "recipients": [user.pk for user in recipients],
        },
    )
    if recipients:
        notify(
            recipients=recipients,
            title=f"{site.site_name}收到网站纠错 {report.tracking_number}",
            body=report.description[:200],
            link=f"/admin/portal/errorreport/edit/{report.pk}/",
            category="portal.error_report",
            channels=("inbox",),
        )
    return report


@transaction.atomic
def handle_error_report(*, report: ErrorReport, status: str, reply: str, actor) -> ErrorReport:
    """The site's owner answers a report: 已整改 or 不属实, with a reply the reporter reads in the look-up."""
    from django.core.exceptions import PermissionDenied

    from zhengwu.core.scoping import is_in_scope

    if actor is not None and not (
        actor.is_active
        and actor.has_perm(REPORT_HANDLER_PERMISSION)
        and is_in_scope(report, actor, org_field="organization")
    ):
        raise PermissionDenied("您不能处理这条网站纠错：它不属于您所在单位的网站。")
    if status not in ErrorReportStatus.values or status == ErrorReportStatus.PENDING:
        raise ValidationError("请选择处理结果：已整改或不属实。")
    if not reply.strip():
        raise ValidationError("请填写处理意见。")
    report.status, report.reply, report.handled_by = status, reply.strip(), actor
    from django.utils import timezone

    report.handled_at = timezone.now()
    report.save(update_fields=["status", "reply", "handled_by", "handled_at"])
    _event(report, "replied", f"已答复（{ErrorReportStatus(status).label}）：{report.reply[:400]}")
    audit(
        actor=actor,
        action="portal.error_report.handle",
        target=report,
        organization=report.organization,
        detail={"status": status},
    )
    return report
