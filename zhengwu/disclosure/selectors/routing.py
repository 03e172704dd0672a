"""Where 政府信息公开申请 go and who can act on them: the routing table, the bodies the public form offers, the
staff a new request notifies, and the configuration problems to flag before a request would be lost."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet

from zhengwu.core.models import Organization, OrganizationKind, Staff

from ..models import DisclosureGuide, RequestRoute

HANDLE_PERMISSION = ("disclosure", "change_disclosurerequest")
# Kinds of body that are 行政机关 and must take applications (条例第二十七条); institutions may.
MUST_ACCEPT = (
    OrganizationKind.GOVERNMENT,
    OrganizationKind.DEPARTMENT,
    OrganizationKind.TOWNSHIP,
    OrganizationKind.SUBDISTRICT,
)


def _permission() -> Permission | None:
    return Permission.objects.filter(
        content_type__app_label=HANDLE_PERMISSION[0], codename=HANDLE_PERMISSION[1]
    ).first()


def handlers_query() -> QuerySet[Staff]:
    """Active staff who may act on requests (by a role or directly)."""
    permission = _permission()
    if permission is None:
        return Staff.objects.none()
    return Staff.objects.filter(is_active=True).filter(
        Q(groups__permissions=permission) | Q(user_permissions=permission) | Q(is_superuser=True)
    )


def request_handlers(organization: Organization | None) -> list[Staff]:
    """Active staff of ``organization`` who may handle requests (superusers are not counted as an office's staff)."""
    if organization is None:
        return []
    return list(
        handlers_query().filter(organization=organization, is_superuser=False).distinct().order_by("username")
    )


def handlers_by_organization() -> dict[int, list[Staff]]:
    """Every organization's request handlers, in one query."""
    grouped: dict[int, list[Staff]] = defaultdict(list)
    for staff in (
        handlers_query()
        .filter(organization__isnull=False, is_superuser=False)
        .distinct()
        .order_by("organization_id", "username")
    ):
        grouped[staff.organization_id].append(staff)
    return grouped


@dataclass(frozen=True)
class Route:
    """One body's routing as the routing page, the public form and a new request read it."""

    organization: Organization
    accepts: bool
    office: Organization | None
    handlers: list[Staff] = field(default_factory=list)
    has_guide: bool = False
    guide_office_name: str = ""
    configured: bool = False

    @property
    def open_to_public(self) -> bool:
        """Offered on the public form: takes requests and someone can act on them."""
        return self.accepts and self.office is not None and self.office.is_active and bool(self.handlers)

    @property
    def problems(self) -> list[str]:
        found = []
        must = self.organization.kind in MUST_ACCEPT
        if not self.configured:
            if must:
                found.append("未配置依申请公开办理机构：网上申请表中不显示该机关。")
            return found
        if not self.accepts:
            if must:
                found.append("行政机关应当受理政府信息公开申请，当前设为不受理。")
            return found
        if self.office is None or not self.office.is_active:
            found.append("办理机构不存在或已停用。")
        elif not self.handlers:
            found.append(
                f"办理机构“{self.office.name}”没有可办理申请的在职工作人员：网上申请表中暂不显示该机关。"
            )
        if not self.has_guide:
            found.append("未编制政府信息公开指南（条例第十二条）。")
        elif self.office is not None and not _names_office(self.guide_office_name, self.office):
            found.append(
                f"公开指南写明的工作机构“{self.guide_office_name}”与办理机构“{self.office.name}”不一致。"
            )
        return found


def _names_office(text: str, office: Organization) -> bool:
    names = [office.name, office.short_name]
    return any(name and name in (text or "") for name in names)


def _routes(organizations: QuerySet[Organization]) -> list[Route]:
    orgs = list(organizations)
    ids = [org.pk for org in orgs]
    routes = {
        route.organization_id: route
        for route in RequestRoute.objects.filter(organization_id__in=ids).select_related("handling_office")
    }
    guides = dict(
        DisclosureGuide.objects.filter(organization_id__in=ids).values_list("organization_id", "office_name")
    )
    staff = handlers_by_organization()
    result = []
    for org in orgs:
        route = routes.get(org.pk)
        office = (route.handling_office or org) if route else None
        result.append(
            Route(
                organization=org,
                accepts=bool(route and route.accepts_requests),
                office=office,
                handlers=staff.get(office.pk, []) if office is not None else [],
                has_guide=org.pk in guides,
                guide_office_name=guides.get(org.pk, ""),
                configured=route is not None,
            )
        )
    return result


def route_for(organization: Organization) -> Route:
    return _routes(Organization.objects.filter(pk=organization.pk))[0]


def routing_table() -> list[Route]:
    """Every active body, with its routing and what is wrong with it."""
    return _routes(Organization.objects.filter(is_active=True).order_by("path"))


def routing_problems() -> list[Route]:
    return [route for route in routing_table() if route.problems]


def public_bodies() -> QuerySet[Organization]:
    """The bodies the public form offers: they take requests and their handling office has staff who can act."""
    open_ids = [route.organization.pk for route in routing_table() if route.open_to_public]
    return Organization.objects.filter(pk__in=open_ids).order_by("path")


def county_office() -> Organization | None:
    """The office that takes over when a body's own office has nobody left: the handling office of the county
    government (the root organization), the 政府信息公开工作主管部门."""
    root = Organization.objects.filter(parent__isnull=True, is_active=True).order_by("pk").first()
    if root is None:
        return None
    route = RequestRoute.objects.filter(organization=root).select_related("handling_office").first()
    return (route.handling_office or root) if route else root


def recipients_for(
    organization: Organization, office: Organization | None
) -> tuple[list[Staff], Organization]:
    """Who is told of a new request to ``organization`` handled by ``office``, and which office handles it: the
    office's handlers, or, when it has none (an account left since the form was shown), the county office's."""
    office = office or organization
    handlers = request_handlers(office)
    if handlers:
        return handlers, office
    fallback = county_office()
    fallback_handlers = request_handlers(fallback)
    if fallback is not None and fallback_handlers:
        return fallback_handlers, fallback
    return [], office
